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
  type ServerConfig,
  type StoreConfig,
} from './types.js';
