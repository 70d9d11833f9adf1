// The signing services an admin route needs, or a clear 500 when the server was composed without them.
import { KusError } from '../../../errors/index.js';
import type { SigningKeys } from '../../../services/keys.js';
import type { Signing } from '../../../services/signing.js';

export interface SigningServices {
  signing: Signing;
  keys: SigningKeys;
}

/** Takes the admin services (route.ts's AdminServices, which holds these as `signing`). */
export function signingOf(services: { signing?: SigningServices | undefined }): SigningServices {
  if (!services.signing) throw new KusError('KUS_ERR_INTERNAL', 'this server was started without the signing services');
  return services.signing;
}
