// Native HTTPS of `kus serve --tls-cert FILE --tls-key FILE`: both or neither; paths validated, files read by main.ts.
import path from 'node:path';
import { KusError, quote } from '../errors/index.js';

export interface TlsConfig {
  /** PEM certificate chain (server certificate first, then intermediates). */
  readonly certFile: string;
  /** PEM private key of the certificate. */
  readonly keyFile: string;
}

export interface TlsFlags {
  tlsCert?: string | undefined;
  tlsKey?: string | undefined;
}

export const TLS_ENV = { tlsCert: 'KUS_TLS_CERT', tlsKey: 'KUS_TLS_KEY' } as const;

/** Null for plain HTTP; throws KUS_ERR_CONFIG when only one of the two is given or a path is unusable. */
export function loadTlsConfig(flags: TlsFlags, env: NodeJS.ProcessEnv = {}): TlsConfig | null {
  const pick = (key: keyof TlsFlags): { value: string; from: string } | undefined => {
    const flag = flags[key];
    if (flag !== undefined) return { value: flag, from: key === 'tlsCert' ? '--tls-cert' : '--tls-key' };
    const fromEnv = env[TLS_ENV[key]];
    return fromEnv !== undefined && fromEnv !== '' ? { value: fromEnv, from: TLS_ENV[key] } : undefined;
  };
  const cert = pick('tlsCert');
  const key = pick('tlsKey');
  if (!cert && !key) return null;
  if (!cert || !key) {
    const given = (cert ?? key)!;
    throw new KusError('KUS_ERR_CONFIG', `${given.from} ${quote(given.value)} is given without ${cert ? '--tls-key' : '--tls-cert'}: HTTPS needs both the certificate and its key`,
      { setting: given.from });
  }
  for (const src of [cert, key]) {
    if (src.value.trim() === '' || src.value.includes('\0')) throw new KusError('KUS_ERR_CONFIG', `${src.from} ${quote(src.value)} is not a usable path`, { setting: src.from });
  }
  return Object.freeze({ certFile: path.resolve(cert.value), keyFile: path.resolve(key.value) });
}
