// POST /signatures/sign: sign a release's payload digest with every active key (next free signature-N each).
import { versionSchema } from '../../schemas/admin.js';
import { signedReleaseSchema } from '../../schemas/signatures.js';
import { actorOf, adminSchema, CONFLICT, NOT_FOUND, strictObject, writeAnswer, type AdminRoute } from './route.js';
import { signingOf } from './signing-services.js';

export const releaseSign: AdminRoute = (scope, services) => {
  scope.post<{ Body: { version: string } }>('/signatures/sign', {
    config: { audit: 'release.sign' },
    schema: adminSchema({
      operationId: 'signRelease',
      summary: 'Sign a release (every architecture of VERSION, or VERSION+ARCH) with every active key',
      description:
        'Builds the simple-signing claim (atomic container signature, the payload digest, the payload repository, creator, timestamp), ' +
        'signs it as a binary OpenPGP signed message and stores it as the next free signature-N of the digest. A key that already ' +
        'signed the digest is not used again; nothing is overwritten. Clusters read signature-1 to signature-9 only.',
      body: strictObject({ version: { ...versionSchema, description: 'VERSION or VERSION+ARCH.' } }),
      value: { type: 'array', items: signedReleaseSchema },
      ok: 'Per release: every signature of its digest, the new ones marked added.',
      errors: {
        404: `${NOT_FOUND} Here: no release of that version.`,
        409: `${CONFLICT} Also KUS_ERR_NO_SIGNING_KEY (no active key KUS can sign with) and a digest that has 9 signatures already.`,
      },
    }),
  }, async (request) => writeAnswer(await signingOf(services).signing.signRelease(actorOf(request), request.body.version)));
};
