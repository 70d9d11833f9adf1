// loadConfig(flags, env): flags win over environment variables, which win over defaults; bad values fail loudly.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { KusError, quote } from '../errors/index.js';
import { CONFIG_ENV, LOG_LEVELS, type Config, type ConfigFlags, type LogLevel } from './types.js';

/** The package root: this file is at src/config/load.ts or dist/config/load.js, two levels below it. */
export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export const DEFAULTS = Object.freeze({
  host: '0.0.0.0',
  port: 8080,
  /** Relative to the working directory, like any path a person types. */
  db: './data/kus.db',
  logLevel: 'info' as LogLevel,
  /** Seconds between scrapes of a watched repository. */
  watchIntervalSeconds: 300,
});

type Source = { value: string; from: string };

function pick(flags: ConfigFlags, env: NodeJS.ProcessEnv, key: Exclude<keyof ConfigFlags, 'watch'>): Source | undefined {
  const flag = flags[key];
  if (flag !== undefined) return { value: String(flag), from: `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}` };
  const name = CONFIG_ENV[key];
  const fromEnv = env[name];
  // An empty variable is how shells unset things; treat it as absent rather than as an empty value.
  if (fromEnv !== undefined && fromEnv !== '') return { value: fromEnv, from: name };
  return undefined;
}

function fail(src: Source, why: string): never {
  throw new KusError('KUS_ERR_CONFIG', `${src.from} ${quote(src.value)} ${why}`, { setting: src.from, value: src.value });
}

function parsePort(src: Source | undefined): number {
  if (!src) return DEFAULTS.port;
  if (!/^\d+$/.test(src.value.trim())) fail(src, 'is not a port number (an integer from 0 to 65535)');
  const port = Number(src.value.trim());
  if (port > 65535) fail(src, 'is not a port number (an integer from 0 to 65535)');
  return port;
}

function parseHost(src: Source | undefined): string {
  if (!src) return DEFAULTS.host;
  const host = src.value.trim();
  if (host === '' || /[\s/]/.test(host)) fail(src, 'is not a host name or IP address to listen on');
  return host;
}

function parsePath(src: Source | undefined, fallback: string): string {
  if (!src) return path.resolve(fallback);
  if (src.value.trim() === '' || src.value.includes('\0')) fail(src, 'is not a usable path');
  return path.resolve(src.value);
}

function parseLevel(src: Source | undefined): LogLevel {
  if (!src) return DEFAULTS.logLevel;
  const level = LOG_LEVELS.find((l) => l === src.value.trim().toLowerCase());
  if (!level) fail(src, `is not a log level (one of ${LOG_LEVELS.join(', ')})`);
  return level;
}

function parseGraphData(src: Source | undefined): { dir: string; from: string } | null {
  return src ? { dir: parsePath(src, ''), from: src.from } : null;
}

function parseOptionalPath(src: Source | undefined): string | null {
  return src ? parsePath(src, '') : null;
}

function parseBoolean(src: Source | undefined): boolean {
  if (!src) return false;
  const v = src.value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  return fail(src, 'is not a boolean (true or false)');
}

/** Repeated --watch flags, else KUS_WATCH split at commas and blanks; each must look like registry/repository. */
function parseWatch(flags: ConfigFlags, env: NodeJS.ProcessEnv): string[] {
  const fromFlags = (flags.watch ?? []).length > 0;
  const src: Source = fromFlags ? { value: (flags.watch ?? []).join(','), from: '--watch' } : { value: env[CONFIG_ENV.watch] ?? '', from: CONFIG_ENV.watch };
  const list = fromFlags ? [...(flags.watch ?? [])].map((r) => r.trim()) : src.value.split(/[\s,]+/).filter((r) => r !== '');
  for (const repo of list) {
    if (repo === '' || /\s/.test(repo)) fail({ value: repo, from: src.from }, 'is not a repository (registry[:port]/repository)');
  }
  return [...new Set(list)];
}

function parseInterval(src: Source | undefined): number {
  if (!src) return DEFAULTS.watchIntervalSeconds;
  const text = src.value.trim();
  const seconds = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || seconds <= 0 || seconds > 7 * 86400) fail(src, 'is not a number of seconds (more than 0, at most a week)');
  return seconds;
}

function deepFreeze<T extends object>(value: T): T {
  for (const v of Object.values(value)) if (v !== null && typeof v === 'object') deepFreeze(v as object);
  return Object.freeze(value);
}

/** Builds the one configuration object; paths come back absolute. Throws KUS_ERR_CONFIG naming the bad setting. */
export function loadConfig(flags: ConfigFlags = {}, env: NodeJS.ProcessEnv = {}): Config {
  return deepFreeze({
    server: { host: parseHost(pick(flags, env, 'host')), port: parsePort(pick(flags, env, 'port')) },
    store: { file: parsePath(pick(flags, env, 'db'), DEFAULTS.db), from: pick(flags, env, 'db')?.from ?? 'default' },
    graphData: parseGraphData(pick(flags, env, 'graphData')),
    log: { level: parseLevel(pick(flags, env, 'logLevel')) },
    registry: {
      authFile: parseOptionalPath(pick(flags, env, 'registryAuth')),
      insecure: parseBoolean(pick(flags, env, 'registryInsecure')),
      caFile: parseOptionalPath(pick(flags, env, 'registryCaFile')),
    },
    watch: { repositories: parseWatch(flags, env), intervalSeconds: parseInterval(pick(flags, env, 'watchInterval')) },
  });
}
