// PUT /raw-metadata/:version: set one key of raw/metadata.json for a version (every architecture of it).
import { rawMetadataSchema, versionSchema } from '../../schemas/admin.js';
import { actorOf, adminSchema, BODY_LIMITS, CONFLICT, strictObject, writeAnswer, type AdminRoute } from './route.js';

export const rawMetadataSet: AdminRoute = (scope, services) => {
  scope.put<{ Params: { version: string }; Body: { key: string; value: string } }>('/raw-metadata/:version', {
    bodyLimit: BODY_LIMITS.medium,
    config: { audit: 'raw-metadata.set' },
    schema: adminSchema({
      operationId: 'setRawMetadata',
      summary: 'Set a raw metadata override of a version',
      description: 'Like an entry of raw/metadata.json: added to every release of the version, e.g. io.openshift.upgrades.graph.previous.add.',
      params: strictObject({ version: versionSchema }),
      body: strictObject({ key: { type: 'string', minLength: 1, maxLength: 512 }, value: { type: 'string', maxLength: 65536 } }),
      value: rawMetadataSchema,
      ok: 'The stored key (changed=false when it had that value).',
      errors: { 409: `${CONFLICT} Here: the metadata would close a cycle.` },
    }),
  }, (request) => writeAnswer(services.publisher.setRawMetadata(actorOf(request), request.params.version, request.body.key, request.body.value)));
};
