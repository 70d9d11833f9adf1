// JSON schemas of the Cincinnati graph API (graph-api.md §4, §6, §7), used to document the route in OpenAPI.

export const upstreamErrorSchema = {
  type: 'object',
  description: 'Cincinnati error document.',
  required: ['kind', 'value'],
  properties: {
    kind: { type: 'string', example: 'missing_params' },
    value: { type: 'string', example: 'mandatory client parameters missing: channel' },
  },
} as const;

/** A risk as clusters read it; the admin API takes the same shape when a risk is declared. */
export const riskSchema = {
  type: 'object',
  required: ['url', 'name', 'message', 'matchingRules'],
  properties: {
    url: { type: 'string' },
    name: { type: 'string' },
    message: { type: 'string' },
    matchingRules: {
      type: 'array',
      items: {
        type: 'object',
        required: ['type'],
        properties: {
          type: { type: 'string', enum: ['Always', 'PromQL'] },
          promql: { type: 'object', required: ['promql'], properties: { promql: { type: 'string' } } },
        },
      },
    },
  },
} as const;

export const servedGraphSchema = {
  type: 'object',
  description: 'The update graph of one channel and architecture.',
  required: ['version', 'nodes', 'edges', 'conditionalEdges'],
  properties: {
    version: { type: 'integer', enum: [1], description: 'Graph format version.' },
    nodes: {
      type: 'array',
      items: {
        type: 'object',
        required: ['version', 'payload', 'metadata'],
        properties: {
          version: { type: 'string', description: 'SemVer without the architecture suffix.', example: '4.14.3' },
          payload: { type: 'string', description: 'Release image pull spec by digest.' },
          metadata: { type: 'object', additionalProperties: { type: 'string' } },
        },
      },
    },
    edges: {
      type: 'array',
      description: '[from, to] indices into nodes: updates without known risk.',
      items: { type: 'array', items: { type: 'integer', minimum: 0 }, minItems: 2, maxItems: 2 },
    },
    conditionalEdges: {
      type: 'array',
      description: 'Updates that carry risks; from/to are node versions.',
      items: {
        type: 'object',
        required: ['edges', 'risks'],
        properties: {
          edges: {
            type: 'array',
            items: { type: 'object', required: ['from', 'to'], properties: { from: { type: 'string' }, to: { type: 'string' } } },
          },
          risks: { type: 'array', items: riskSchema },
        },
      },
    },
  },
} as const;

export const graphQuerySchema = {
  type: 'object',
  // Upstream accepts and ignores unknown parameters (clusters may add their own), so they are not refused.
  additionalProperties: true,
  required: ['channel'],
  properties: {
    channel: { type: 'string', pattern: '^[0-9a-z\\-\\.]+$', description: 'Channel to serve, e.g. stable-4.14.' },
    arch: { type: 'string', pattern: '^[0-9a-z]+$', default: 'amd64', description: 'GOARCH name or multi.' },
    version: { type: 'string', description: 'The cluster version; accepted and ignored, as upstream does.' },
    id: { type: 'string', description: 'The cluster ID; accepted and ignored, as upstream does.' },
  },
} as const;
