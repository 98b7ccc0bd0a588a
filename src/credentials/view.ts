import type { CredentialRecord } from '../vault/format.js'
import { fitField } from '../vault/record-schema.js'
import { remask } from './mask.js'

/**
 * The safe representation (DESIGN section 2): the only shape in which a credential leaves the SDK.
 * Built from the stored record, which holds the value only as ciphertext, and the ciphertext is not
 * copied: there is nothing secret here to leak.
 */
export interface Credential {
  id: string
  name: string
  type: string
  category: string
  description: string | null
  masked_content: string
  is_default: boolean
  is_valid: boolean | null
  has_schema: boolean
  schema_updated_at: string | null
  /** When the value (or base URL, settings) changed after the schema was discovered; absent when current. */
  schema_stale_since?: string
  /** Team vaults: a member who could read it was removed at this time; change it at its provider. Absent otherwise. */
  needs_rotation_since?: string
  created_at: string
  updated_at: string
  schema_type?: string
  base_url?: string
  validated_at?: string
  validation_message?: string
  deleted_at?: string
  expires_at?: string
}

export const VIEW_FIELDS = [
  'id', 'name', 'type', 'category', 'description', 'masked_content', 'is_default', 'is_valid', 'has_schema',
  'schema_updated_at', 'created_at', 'updated_at', 'schema_type', 'base_url', 'validated_at', 'validation_message',
  'deleted_at', 'expires_at', 'schema_stale_since', 'needs_rotation_since',
] as const

export function toView(r: CredentialRecord): Credential {
  const v: Credential = {
    id: r.id,
    name: r.name,
    type: r.type,
    category: r.category,
    description: r.description,
    // Masked again on the way out: a record stored by an older version may hold a mask that failed open.
    // Bounded like the stored form (re-masking a cut mask percent-encodes its "…").
    masked_content: fitField('masked_content', remask(r.schema_type ?? r.type, r.masked_content)),
    is_default: r.is_default,
    is_valid: r.is_valid,
    has_schema: r.has_schema,
    schema_updated_at: r.schema_updated_at,
    created_at: r.created_at,
    updated_at: r.updated_at,
  }
  // "Where they apply": present when they have a value, absent otherwise.
  if (r.schema_type !== null) v.schema_type = r.schema_type
  if (r.base_url !== null) v.base_url = r.base_url
  if (r.validated_at !== null) v.validated_at = r.validated_at
  if (r.validation_message !== null) v.validation_message = r.validation_message
  if (r.deleted_at !== null) v.deleted_at = r.deleted_at
  if (r.expires_at !== null) v.expires_at = r.expires_at
  if (r.schema_stale_since !== undefined && r.has_schema) v.schema_stale_since = r.schema_stale_since
  if (r.needs_rotation_since !== undefined) v.needs_rotation_since = r.needs_rotation_since
  return v
}
