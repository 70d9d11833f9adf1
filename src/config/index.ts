// Public surface of src/config.
export { loadConfig, DEFAULTS, PACKAGE_ROOT } from './load.js';
export {
  CONFIG_ENV,
  LOG_LEVELS,
  type Config,
  type ConfigFlags,
  type GraphDataConfig,
  type LogConfig,
  type LogLevel,
  type RegistryConfig,
  type ServerConfig,
  type StoreConfig,
  type WatchConfig,
} from './types.js';
export { loadFollowConfig, FOLLOW_ENV, DEFAULT_FOLLOW_INTERVAL_SECONDS, type FollowConfig, type FollowFlags } from './follow.js';
export { loadTlsConfig, TLS_ENV, type TlsConfig, type TlsFlags } from './tls.js';
export { loadLimitsConfig, LIMIT_DEFAULTS, LIMITS_ENV, type LimitsFlags, type ServerLimits } from './limits.js';
export { buildInfo, packageVersion, BUILD_COMMIT_ENV, type BuildInfo } from './version.js';
