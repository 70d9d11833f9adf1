// The validated, frozen configuration and the slices each module receives.

/** Pino level names, plus `silent`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface ServerConfig {
  /** Interface to bind, e.g. 0.0.0.0 or 127.0.0.1. */
  readonly host: string;
  /** TCP port; 0 asks the OS for a free one. */
  readonly port: number;
}

export interface StoreConfig {
  /** Absolute path of the SQLite file. */
  readonly file: string;
}

export interface GraphDataConfig {
  /** Absolute path of the graph-data directory used to seed an empty store. */
  readonly dir: string;
}

export interface LogConfig {
  readonly level: LogLevel;
}

export interface Config {
  readonly server: ServerConfig;
  readonly store: StoreConfig;
  readonly graphData: GraphDataConfig;
  readonly log: LogConfig;
}

/** Values as they come from command-line flags (already split by the CLI parser); absent means "not given". */
export interface ConfigFlags {
  host?: string | undefined;
  port?: string | number | undefined;
  db?: string | undefined;
  graphData?: string | undefined;
  logLevel?: string | undefined;
}

/** Environment variables read when the matching flag is absent. */
export const CONFIG_ENV = {
  host: 'KUS_HOST',
  port: 'KUS_PORT',
  db: 'KUS_DB',
  graphData: 'KUS_GRAPH_DATA',
  logLevel: 'KUS_LOG_LEVEL',
} as const satisfies Record<keyof ConfigFlags, string>;
