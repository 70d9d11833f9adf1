// GET /api/kus/v1/…: public, read-only questions about the served graph (the console's data and `kus path/explain`).
// Replicas serve them too: every answer is computed from the bodies this process serves to clusters.
import type { FastifyInstance } from 'fastify';
import { KusError } from '../../../errors/index.js';
import type { GraphExplorer } from '../../../services/graph-explorer.js';
import {
  channelsSchema, edgeDeclarationsSchema, explainAnswerSchema, explainQuerySchema, explorerErrorSchema, pathAnswerSchema, pathQuerySchema,
  releaseViewSchema,
} from '../../schemas/explorer.js';

export const EXPLORER_PREFIX = '/api/kus/v1';

const errors = {
  400: { ...explorerErrorSchema, description: 'A parameter is invalid (the message quotes it).' },
} as const;

export function explorerRoutes(explorer: GraphExplorer) {
  return async function register(scope: FastifyInstance): Promise<void> {
    scope.get('/channels', {
      schema: {
        operationId: 'listServedChannels',
        tags: ['explorer'],
        summary: 'Channels and architectures the graph API serves nodes for',
        response: { 200: { description: 'Sorted by channel name.', ...channelsSchema } },
      },
    }, () => explorer.channels());

    scope.get<{ Querystring: { kind: 'all' | 'blocked' } }>('/edges', {
      schema: {
        operationId: 'listEdgeDeclarations',
        tags: ['explorer'],
        summary: 'Blocked and conditional edge declarations (graph-data blocked-edges/), with their files',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { kind: { type: 'string', enum: ['all', 'blocked'], default: 'all', description: 'blocked: only the plain blocks (conditional is then empty).' } },
        },
        response: { 200: { description: 'Both kinds, in file-name order.', ...edgeDeclarationsSchema } },
      },
    }, (request) => {
      const edges = explorer.edgeDeclarations();
      // The graph view needs only the blocks; at upstream scale the risks' texts are most of the bytes.
      return request.query.kind === 'blocked' ? { blocked: edges.blocked, conditional: [] } : edges;
    });

    scope.get<{ Querystring: { from: string; to: string; channel: string; arch: string } }>('/path', {
      schema: {
        operationId: 'findPath',
        tags: ['explorer'],
        summary: 'Shortest update paths from one version to another in a channel, or why there is none',
        description: 'Computed on the graph this server serves for (channel, arch): recommended-only paths, paths with conditional hops, and the problems.',
        querystring: pathQuerySchema,
        response: { 200: { description: 'The paths and problems.', ...pathAnswerSchema }, ...errors },
      },
    }, (request) => explorer.path(request.query));

    scope.get<{ Querystring: { version: string; channel: string; arch: string; id?: string } }>('/explain', {
      schema: {
        operationId: 'explainCluster',
        tags: ['explorer'],
        summary: 'What a cluster running a version in a channel would list: updates, conditional updates, or the condition it sets',
        querystring: explainQuerySchema,
        response: { 200: { description: 'The cluster-version operator\'s view.', ...explainAnswerSchema } },
      },
    }, (request) => {
      const { version, channel, arch, id } = request.query;
      return explorer.explain({ version, channel, arch, ...(id !== undefined ? { id } : {}) });
    });

    scope.get<{ Params: { version: string }; Querystring: { arch: string } }>('/releases/:version', {
      schema: {
        operationId: 'showServedRelease',
        tags: ['explorer'],
        summary: 'One release as served: payload, channels listing it, edges in and out, metadata, signatures',
        params: { type: 'object', required: ['version'], properties: { version: { type: 'string', maxLength: 256 } } },
        querystring: { type: 'object', additionalProperties: false, properties: { arch: { type: 'string', maxLength: 64, default: 'amd64' } } },
        response: {
          200: { description: 'The release.', ...releaseViewSchema },
          ...errors,
          404: { ...explorerErrorSchema, description: 'No served channel lists this version for this arch (KUS_ERR_NOT_FOUND).' },
        },
      },
    }, async (request) => {
      const { version } = request.params;
      const release = await explorer.release(version, request.query.arch);
      if (!release) throw new KusError('KUS_ERR_NOT_FOUND', `no served channel lists ${JSON.stringify(version)} for arch ${JSON.stringify(request.query.arch)}`, { version });
      return release;
    });

    scope.get<{ Params: { digest: string } }>('/signature-configmaps/:digest', {
      schema: {
        operationId: 'getSignatureConfigMap',
        tags: ['explorer'],
        summary: 'The signature ConfigMap of a release digest, as YAML for oc apply -f -',
        params: { type: 'object', required: ['digest'], properties: { digest: { type: 'string', pattern: '^sha256:[0-9a-f]{64}$' } } },
        response: {
          200: { description: 'One ConfigMap.', content: { 'application/yaml': { schema: { type: 'string' } } } },
          ...errors,
          404: { ...explorerErrorSchema, description: 'Nothing signed this digest (KUS_ERR_NOT_FOUND).' },
        },
      },
    }, (request, reply) => {
      const { digest } = request.params;
      const yaml = explorer.signatureConfigMap(digest);
      if (yaml === null) throw new KusError('KUS_ERR_NOT_FOUND', `there is no signature for ${digest}`, { digest });
      const name = `${digest.replace(':', '-')}.yaml`;
      return reply.type('application/yaml').header('content-disposition', `attachment; filename="${name}"`).send(yaml);
    });
  };
}
