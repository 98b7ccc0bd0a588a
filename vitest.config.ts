import { defineConfig } from 'vitest/config'

// Three projects: `unit` (fast, in-process), `conformance` (every storage adapter against one contract)
// and `e2e` (the built CLI in child processes, real services).
// `npm run test:fast` runs unit and conformance.
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 20_000 } },
      // The storage contract (test/conformance/store.conformance.ts) run against every adapter.
      { test: { name: 'conformance', include: ['test/conformance/**/*.test.ts'], testTimeout: 60_000 } },
      { test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000 } },
    ],
  },
})
