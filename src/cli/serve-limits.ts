// `kus serve`'s limit flags (timeouts, connection cap, mirror body limit, failed-token limit), declared as data for
// --help and read into config/limits.ts; kept apart from serve.ts so that file stays about starting the server.
import { LIMIT_DEFAULTS, LIMITS_ENV, loadLimitsConfig, type ServerLimits } from '../config/index.js';
import { stringFlag, type FlagSpec, type FlagValues } from './command.js';

export const LIMIT_FLAGS: Record<string, FlagSpec> = {
  'request-timeout': {
    type: 'string',
    valueName: 'SECONDS',
    description: `a client must send a whole request (headers and body) within this; a slower one is answered 408 and disconnected ` +
      `(default ${LIMIT_DEFAULTS.requestTimeoutMs / 1000}, env ${LIMITS_ENV.requestTimeout})`,
  },
  'headers-timeout': {
    type: 'string',
    valueName: 'SECONDS',
    description: `a client must send the request headers within this, at most --request-timeout (default ${LIMIT_DEFAULTS.headersTimeoutMs / 1000}, env ${LIMITS_ENV.headersTimeout})`,
  },
  'max-connections': {
    type: 'string',
    valueName: 'N',
    description: `open connections at once; further ones are closed when accepted (default ${LIMIT_DEFAULTS.maxConnections}, env ${LIMITS_ENV.maxConnections})`,
  },
  'mirror-body-limit': {
    type: 'string',
    valueName: 'MIB',
    description: `largest graph document POST /api/admin/v1/mirror (kus mirror --server) accepts, in MiB; a larger one is refused with 413 ` +
      `(default ${LIMIT_DEFAULTS.mirrorBodyBytes / 1024 / 1024}, env ${LIMITS_ENV.mirrorBodyLimit})`,
  },
  'auth-failure-limit': {
    type: 'string',
    valueName: 'N',
    description: `invalid admin tokens one client address may send per minute; then its admin requests get 429 until the minute ends ` +
      `(default ${LIMIT_DEFAULTS.authFailures.max}, env ${LIMITS_ENV.authFailureLimit})`,
  },
};

export function limitsFromFlags(flags: FlagValues, env: NodeJS.ProcessEnv): ServerLimits {
  return loadLimitsConfig(
    {
      requestTimeout: stringFlag(flags, 'request-timeout'),
      headersTimeout: stringFlag(flags, 'headers-timeout'),
      maxConnections: stringFlag(flags, 'max-connections'),
      mirrorBodyLimit: stringFlag(flags, 'mirror-body-limit'),
      authFailureLimit: stringFlag(flags, 'auth-failure-limit'),
    },
    env,
  );
}
