/**
 * One row per HTTP provider: the exact validation request of ../shared/reference/providers.json (taken from
 * each provider's official SDK and docs; see that file's "source" and "notes" fields). A provider's quirks live
 * in its row (restricted: how a real-but-limited key is recognised), never in code branches.
 */
export interface ProviderRow {
  type: string
  base_url: string
  method: "GET" | "POST"
  path: string
  query?: Record<string, string>
  auth_header: string
  auth_prefix: string
  headers?: Record<string, string>
  valid: number[]
  invalid: number[]
  /** A real key lacking a permission: status plus an optional substring of the error body. */
  restricted?: { status: number; body?: string }[]
}

export const PROVIDERS: readonly ProviderRow[] = [
  {
    "type": "openai",
    "restricted": [{ status: 401, body: "missing_scope" }, { status: 403, body: "missing_scope" }],
    "base_url": "https://api.openai.com/v1",
    "method": "GET" as const,
    "path": "/models",
    "auth_header": "Authorization",
    "auth_prefix": "Bearer ",
    "valid": [
      200
    ],
    "invalid": [
      401
    ]
  },
  {
    "type": "anthropic",
    "base_url": "https://api.anthropic.com",
    "method": "GET" as const,
    "path": "/v1/models",
    "auth_header": "x-api-key",
    "auth_prefix": "",
    "headers": {
      "anthropic-version": "2023-06-01"
    },
    "valid": [
      200
    ],
    "invalid": [
      401
    ]
  },
  {
    "type": "gemini",
    "restricted": [{ status: 403 }],
    "base_url": "https://generativelanguage.googleapis.com",
    "method": "GET" as const,
    "path": "/v1beta/models",
    "auth_header": "x-goog-api-key",
    "auth_prefix": "",
    "valid": [
      200
    ],
    "invalid": [
      400,
      403
    ]
  },
  {
    "type": "deepseek",
    "base_url": "https://api.deepseek.com",
    "method": "GET" as const,
    "path": "/models",
    "auth_header": "Authorization",
    "auth_prefix": "Bearer ",
    "valid": [
      200
    ],
    "invalid": [
      401
    ]
  },
  {
    "type": "fireworks",
    "base_url": "https://api.fireworks.ai",
    "method": "GET" as const,
    "path": "/v1/accounts",
    "auth_header": "Authorization",
    "auth_prefix": "Bearer ",
    "valid": [
      200
    ],
    "invalid": [
      401,
      403
    ]
  },
  {
    "type": "xai",
    "base_url": "https://api.x.ai/v1",
    "method": "GET" as const,
    "path": "/api-key",
    "auth_header": "Authorization",
    "auth_prefix": "Bearer ",
    "valid": [
      200
    ],
    "invalid": [
      400,
      401
    ]
  },
  {
    "type": "openrouter",
    "base_url": "https://openrouter.ai/api/v1",
    "method": "GET" as const,
    "path": "/key",
    "auth_header": "Authorization",
    "auth_prefix": "Bearer ",
    "valid": [
      200
    ],
    "invalid": [
      401
    ]
  },
  {
    "type": "together_ai",
    "base_url": "https://api.together.ai/v1",
    "method": "GET" as const,
    "path": "/models",
    "auth_header": "Authorization",
    "auth_prefix": "Bearer ",
    "valid": [
      200
    ],
    "invalid": [
      401
    ]
  },
  {
    "type": "mistral",
    "base_url": "https://api.mistral.ai",
    "method": "GET" as const,
    "path": "/v1/models",
    "auth_header": "Authorization",
    "auth_prefix": "Bearer ",
    "valid": [
      200
    ],
    "invalid": [
      401
    ]
  },
  {
    "type": "cohere",
    "base_url": "https://api.cohere.com",
    "method": "POST" as const,
    "path": "/v1/check-api-key",
    "auth_header": "Authorization",
    "auth_prefix": "Bearer ",
    "valid": [
      200
    ],
    "invalid": [
      401
    ]
  },
  {
    "type": "groq",
    "base_url": "https://api.groq.com",
    "method": "GET" as const,
    "path": "/openai/v1/models",
    "auth_header": "Authorization",
    "auth_prefix": "Bearer ",
    "valid": [
      200
    ],
    "invalid": [
      401
    ]
  },
  {
    "type": "perplexity",
    "base_url": "https://api.perplexity.ai",
    "method": "GET" as const,
    "path": "/async/chat/completions",
    "auth_header": "Authorization",
    "auth_prefix": "Bearer ",
    "valid": [
      200
    ],
    "invalid": [
      401
    ]
  },
  {
    "type": "elevenlabs",
    "restricted": [{ status: 401, body: "missing_permissions" }, { status: 403, body: "missing_permissions" }],
    "base_url": "https://api.elevenlabs.io",
    "method": "GET" as const,
    "path": "/v1/user",
    "auth_header": "xi-api-key",
    "auth_prefix": "",
    "valid": [
      200
    ],
    "invalid": [
      401
    ]
  },
  {
    "type": "deepgram",
    "base_url": "https://api.deepgram.com",
    "method": "GET" as const,
    "path": "/v1/projects",
    "auth_header": "Authorization",
    "auth_prefix": "Token ",
    "valid": [
      200
    ],
    "invalid": [
      401
    ]
  },
  {
    "type": "openai_audio",
    "restricted": [{ status: 401, body: "missing_scope" }, { status: 403, body: "missing_scope" }],
    "base_url": "https://api.openai.com/v1",
    "method": "GET" as const,
    "path": "/models",
    "auth_header": "Authorization",
    "auth_prefix": "Bearer ",
    "valid": [
      200
    ],
    "invalid": [
      401
    ]
  },
  {
    "type": "fal",
    "base_url": "https://api.fal.ai/v1",
    "method": "GET" as const,
    "path": "/models/pricing",
    "query": {
      "endpoint_id": "fal-ai/flux/dev"
    },
    "auth_header": "Authorization",
    "auth_prefix": "Key ",
    "valid": [
      200
    ],
    "invalid": [
      401,
      403
    ]
  },
  {
    "type": "replicate",
    "base_url": "https://api.replicate.com/v1",
    "method": "GET" as const,
    "path": "/account",
    "auth_header": "Authorization",
    "auth_prefix": "Bearer ",
    "valid": [
      200
    ],
    "invalid": [
      401
    ]
  },
  {
    "type": "stability",
    "base_url": "https://api.stability.ai",
    "method": "GET" as const,
    "path": "/v1/user/account",
    "auth_header": "Authorization",
    "auth_prefix": "Bearer ",
    "valid": [
      200
    ],
    "invalid": [
      401
    ]
  },
  {
    "type": "openai_image",
    "restricted": [{ status: 401, body: "missing_scope" }, { status: 403, body: "missing_scope" }],
    "base_url": "https://api.openai.com/v1",
    "method": "GET" as const,
    "path": "/models",
    "auth_header": "Authorization",
    "auth_prefix": "Bearer ",
    "valid": [
      200
    ],
    "invalid": [
      401
    ]
  },
  {
    "type": "runway",
    "base_url": "https://api.dev.runwayml.com",
    "method": "GET" as const,
    "path": "/v1/organization",
    "auth_header": "Authorization",
    "auth_prefix": "Bearer ",
    "headers": {
      "X-Runway-Version": "2024-11-06"
    },
    "valid": [
      200
    ],
    "invalid": [
      401
    ]
  },
  {
    "type": "pika",
    "base_url": "https://api.fal.ai/v1",
    "method": "GET" as const,
    "path": "/models/pricing",
    "query": {
      "endpoint_id": "fal-ai/pika/v2.2/text-to-video"
    },
    "auth_header": "Authorization",
    "auth_prefix": "Key ",
    "valid": [
      200
    ],
    "invalid": [
      401,
      403
    ]
  },
  {
    "type": "luma",
    "base_url": "https://api.lumalabs.ai/dream-machine/v1",
    "method": "GET" as const,
    "path": "/credits",
    "auth_header": "Authorization",
    "auth_prefix": "Bearer ",
    "valid": [
      200
    ],
    "invalid": [
      401
    ]
  }
]
