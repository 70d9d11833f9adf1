// The composition root: the one place that wires store, adapters, services and the HTTP app together.
// Only src/cli imports it (eslint.config.js): `kus serve` starts the server through it, and local commands open
// their store through it, so the CLI itself never imports src/server or src/store.
export { closeOnSignal, startServer, type RunningServer, type ServeOptions, type SigningOptions, type FleetOptions, type RolloutOptions } from './server.js';
export { DEFAULT_DB_FILE, openContext, withContext, type Context, type StoreFileOptions } from './local-store.js';
export { openLocalExplorer, type LocalExplorer } from './local-explorer.js';
export { openLocalFleet, type LocalFleet } from './local-fleet.js';
export { localRolloutsWithEvidence } from './local-rollouts.js';
