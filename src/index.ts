/** credctl SDK: `import { createClient } from 'credctl'`. */
// The declarations use Node's types (process.env's NodeJS.ProcessEnv, Buffer) in the signatures the entry
// reaches. TypeScript 6+ loads no @types package by itself (`types` defaults to []), so the entry names
// them, and @types/node is a dependency (>=20, the engines floor; npm dedupes it with the consumer's own
// copy, as mysql2 and @inquirer do). `preserve` keeps the directive in the emitted index.d.ts.
// test/e2e/packed-types.test.ts compiles a packed install under `strict` with default `types`.
/// <reference types="node" preserve="true" />
export { createClient, CredentialsApi, resolveCategory } from './credentials/client.js'
export type { Client, ClientOptions, CreateInput, UpdateInput, ListFilter, ValidationResult, ValidateProgress, SchemaDoc, VaultStatus } from './credentials/client.js'
export type { Credential } from './credentials/view.js'
export { VIEW_FIELDS } from './credentials/view.js'
export { formatReference, parseReference, SCHEME } from './credentials/references.js'
export type {
  BundlePassphrase,
  EnvRef,
  ExportedBundle,
  FileVar,
  ImportBundleOptions,
  ImportItem,
  ImportOptions,
  ImportReport,
  LiteralVar,
  MaterializedRun,
  PlannedBaseUrl,
  PlannedVar,
  PreparedRun,
  RefusedVar,
  RunPlan,
  RunPlanOptions,
  RunPlanView,
  ShadowedVar,
  TextSource,
} from './credentials/types.js'
export { CATEGORIES, TYPES, typeInfo } from './credentials/catalogue.js'
export type { Category, TypeInfo } from './credentials/catalogue.js'
export { mask } from './credentials/mask.js'
export { CredctlError, EXIT } from './errors.js'
export type { ErrorCode } from './errors.js'
export type { Check, CheckContext, CheckInput, CheckResult, CheckStatus, DiscoveredSchema, DiscoveredTable, DiscoveredColumn } from './checks/types.js'
// The storage interface (issue 13): any VaultStore can hold a vault (ClientOptions.store).
export { memoryStore } from './store/memory.js'
export type { VaultStore, StoreTx, VaultHeader, VaultSnapshot, StoredRecord, HistoryStore, SchemaStore, TransactOptions } from './store/types.js'
export type { Keychain } from './keys/index.js'
export type { GeneratedIdentity, IdentityApi, IdentityInfo, IdentitySource, NewIdentityOptions, NewIdentityResult } from './keys/identity.js'
export type { CredentialToChange, MemberAdded, MemberAddOptions, MemberRemoved, MemberRemoveOptions, MembersApi, MemberView, TeamApi, TeamAttached, TeamCreated, TeamCreateOptions, TeamStatus, TeamVaultEntry } from './credentials/team-types.js'
export type { MemberKind, TeamEpoch, TeamHeader, TeamMember, TeamRole } from './vault/team-header.js'
export type { RotateOptions, RotateResult } from './credentials/rotate.js'
export type { HistoryCredential, HistoryEntry, HistoryQuery } from './credentials/history.js'
export type { RecoveredBundle } from './credentials/types.js'
export type { RecoverReport } from './credentials/recover.js'
