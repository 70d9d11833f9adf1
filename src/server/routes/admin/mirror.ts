// POST /mirror: merge an upstream graph document (one channel and arch, as a Cincinnati server serves it) into the
// store, with payload repositories rewritten; `kus mirror --server` fetches or reads the document and posts it here.
import { KusError } from '../../../errors/index.js';
import { parseRewrite, type MirrorReport } from '../../../services/mirror.js';
import { archSchema, channelNameSchema } from '../../schemas/admin.js';
import { actorOf, adminSchema, CONFLICT, writeAnswer, type AdminRoute } from './route.js';

interface MirrorBody {
  graph: Record<string, unknown>;
  channel: string;
  arch: string;
  rewrites?: string[];
  source?: string;
}

const reportSchema = {
  type: 'object',
  required: ['channel', 'arch', 'source', 'added', 'updated', 'unchanged', 'edges', 'conditionalEdges', 'rewritten'],
  properties: {
    channel: { type: 'string' },
    arch: { type: 'string' },
    source: { type: 'string' },
    added: { type: 'integer', description: 'Releases new to the store.' },
    updated: { type: 'integer', description: 'Stored releases (same digest) whose edges, payload or metadata were merged.' },
    unchanged: { type: 'integer' },
    edges: { type: 'integer', description: 'Updates in the document, conditional ones included.' },
    conditionalEdges: { type: 'integer' },
    rewritten: { type: 'integer', description: 'Payloads whose repository a rewrite changed.' },
  },
} as const;

export const mirror: AdminRoute = (scope, services, options) => {
  scope.post<{ Body: MirrorBody }>('/mirror', {
    // Upstream's channel documents are a few MB of JSON; parsing is on the event loop (docs/limits.md), so the limit
    // is what keeps one document from stalling graph answers for long.
    bodyLimit: options.mirrorBodyBytes,
    config: { audit: 'graph.mirror', bodyLimitFlag: '--mirror-body-limit' },
    schema: adminSchema({
      operationId: 'mirrorGraph',
      summary: 'Mirror an upstream graph (one channel and arch) as releases, channel versions and conditional edges',
      description:
        'The graph is what api.openshift.com, an OKD server or another KUS serves for ?channel=…&arch=…. Its nodes become releases of ' +
        'that arch (payload repositories rewritten by the longest matching FROM=TO prefix, digests kept), its edges their previous ' +
        'versions, its versions the channel\'s (added, never removed), its conditional edges conditional-edge documents (replacing the ' +
        'ones of an earlier mirror of this channel and arch). All or nothing, in one transaction; a stored release with another digest ' +
        'is refused (409 KUS_ERR_DIGEST_MISMATCH).',
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['graph', 'channel', 'arch'],
        properties: {
          graph: { type: 'object', description: 'The served graph document: {version, nodes, edges, conditionalEdges}.' },
          channel: channelNameSchema,
          arch: archSchema,
          rewrites: {
            type: 'array',
            maxItems: 100,
            items: { type: 'string', maxLength: 1024, example: 'quay.io/openshift-release-dev/ocp-release=registry.local/ocp4/release' },
            description: 'FROM=TO repository prefixes, like an ImageDigestMirrorSet.',
          },
          source: { type: 'string', maxLength: 4096, description: 'Where the document came from (URL or file), for the audit log.' },
        },
      },
      value: reportSchema,
      ok: 'What was merged.',
      errors: { 409: CONFLICT },
    }),
  }, async (request) => {
    const { graph, channel, arch, rewrites = [], source = 'request body' } = request.body;
    if (!graph || typeof graph !== 'object') throw new KusError('KUS_ERR_BAD_REQUEST', 'body/graph must be the served graph document');
    if (!services.mirror) throw new KusError('KUS_ERR_INTERNAL', 'this server was started without the mirror service');
    const result = await services.mirror.apply(actorOf(request), { document: graph, channel, arch, rewrites: rewrites.map(parseRewrite), source });
    return writeAnswer<MirrorReport>(result);
  });
};
