// Public surface of src/store: the only module that speaks SQL.
export { openStore, DEFAULT_GRAPH_DATA_SCHEMA, type Store, type StoreOptions, type GraphInput } from './store.js';
export type { AuditEntry, AuditOutcome, NewAuditEntry } from './audit-repository.js';
export type { StoredToken, TokensRepository, TokenScope } from './tokens-repository.js';
export { TOKEN_SCOPES } from './tokens-repository.js';
export type { StoredKey, SigningKeysRepository } from './signing-keys-repository.js';
export type { StoredSignature, NewSignature, SignatureSource, SignaturesRepository } from './signatures-repository.js';
export type { ReleasesRepository } from './releases-repository.js';
export type { ChannelsRepository, ChannelListing } from './channels-repository.js';
export type { PoliciesRepository, StoredPolicy, StoredPromotion, PromotionOutcome } from './policies-repository.js';
export type { EdgesRepository } from './edges-repository.js';
export type { RawMetadataRepository } from './raw-metadata-repository.js';
export type { MetaRepository } from './meta-repository.js';
export type { AuditRepository } from './audit-repository.js';
export { META_KEYS } from './meta-repository.js';
export { backupStore, inspectStoreFile, type StoreFileInfo } from './backup.js';
export { restoreStore, type ReplacedStore } from './restore.js';
export type {
  FleetRepository, FleetPollBatchEntry, FleetClusterRow, FleetVersionCount, FleetUpdateCount, FleetUnseenRow, FleetUpdateDuration, FleetProblemGroup, FleetRefreshRow,
} from './fleet-repository.js';
export { encodeFleetBatch, fleetEntryRow } from './fleet-repository.js';
