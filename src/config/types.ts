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
  /** Where it was named: `--db`, `KUS_DB`, or `default` (./data/kus.db, the one location whose folder is created). */
  readonly from: string;
}

export interface GraphDataConfig {
  /** Absolute path of the graph-data directory used to seed an empty store. */
  readonly dir: string;
  /** Where it was named: `--graph-data` or `KUS_GRAPH_DATA`, for messages. */
  readonly from: string;
}

export interface LogConfig {
  readonly level: LogLevel;
}

/** How KUS talks to container registries (ingest through the admin API, and watch mode). */
export interface RegistryConfig {
  /** Pull secret (dockerconfigjson) for every registry request; null for anonymous access. */
  readonly authFile: string | null;
  /** Plain HTTP to every registry. */
  readonly insecure: boolean;
  /** PEM file of CA certificates trusted besides the system ones; null for none. */
  readonly caFile: string | null;
}

export interface WatchConfig {
  /** Repositories (`registry[:port]/repository`) whose tags are ingested as they appear; empty turns watching off. */
  readonly repositories: readonly string[];
  /** Seconds between two scrapes of a repository (longer after failures: exponential backoff). */
  readonly intervalSeconds: number;
}

export interface Config {
  readonly server: ServerConfig;
  readonly store: StoreConfig;
  /** Seeds an empty store; null (the default) starts an empty store empty: example data is only ever asked for. */
  readonly graphData: GraphDataConfig | null;
  readonly log: LogConfig;
  readonly registry: RegistryConfig;
  readonly watch: WatchConfig;
}

/** Values as they come from command-line flags (already split by the CLI parser); absent means "not given". */
export interface ConfigFlags {
  host?: string | undefined;
  port?: string | number | undefined;
  db?: string | undefined;
  graphData?: string | undefined;
  logLevel?: string | undefined;
  registryAuth?: string | undefined;
  registryInsecure?: boolean | string | undefined;
  registryCaFile?: string | undefined;
  /** Repeatable flag; the environment variable holds a comma- or space-separated list. */
  watch?: string[] | undefined;
  watchInterval?: string | number | undefined;
}

/** Environment variables read when the matching flag is absent. */
export const CONFIG_ENV = {
  host: 'KUS_HOST',
  port: 'KUS_PORT',
  db: 'KUS_DB',
  graphData: 'KUS_GRAPH_DATA',
  logLevel: 'KUS_LOG_LEVEL',
  registryAuth: 'KUS_REGISTRY_AUTH',
  registryInsecure: 'KUS_REGISTRY_INSECURE',
  registryCaFile: 'KUS_REGISTRY_CA_FILE',
  watch: 'KUS_WATCH',
  watchInterval: 'KUS_WATCH_INTERVAL',
} as const satisfies Record<keyof ConfigFlags, string>;
