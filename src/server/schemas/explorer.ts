// JSON schemas of the public explorer API (/api/kus/v1): channels, paths, what a cluster sees, one release.
import { riskSchema } from './graph.js';
import { digestStatusSchema } from './signatures.js';

const str = { type: 'string' } as const;
const stringList = { type: 'array', items: str } as const;

export const explorerErrorSchema = {
  type: 'object',
  description: 'A KUS error (KUS_ERR_*) or, for a channel or arch the graph API would refuse, Cincinnati\'s {kind, value}.',
  properties: { code: str, message: str, kind: str, value: str },
} as const;

export const channelsSchema = {
  type: 'array',
  items: {
    type: 'object',
    required: ['channel', 'arches'],
    properties: { channel: str, arches: { ...stringList, description: 'Architectures with at least one node in the channel.' } },
  },
} as const;

const hopSchema = {
  type: 'object',
  required: ['from', 'to', 'risks'],
  properties: { from: str, to: str, risks: { ...stringList, description: 'Risk names of a conditional update; empty for a recommended one.' } },
} as const;

const pathListSchema = { type: 'array', items: { type: 'array', items: hopSchema } } as const;

export const pathAnswerSchema = {
  type: 'object',
  required: ['channel', 'arch', 'from', 'to', 'recommended', 'withConditional', 'problems'],
  properties: {
    channel: str,
    arch: str,
    from: str,
    to: str,
    recommended: { ...pathListSchema, description: 'Shortest paths over recommended edges only (at most 5).' },
    withConditional: { ...pathListSchema, description: 'Shortest paths when conditional updates may be taken (at most 5).' },
    problems: {
      type: 'array',
      description: 'Why there is no recommended path.',
      items: {
        type: 'object',
        required: ['code', 'message'],
        properties: {
          code: {
            type: 'string',
            enum: ['invalid-version', 'same-version', 'arch-not-served', 'from-not-in-channel', 'to-not-in-channel', 'blocked', 'conditional-only', 'no-path'],
          },
          message: str,
          file: { type: 'string', description: 'The blocked-edges/ file declaring the block.' },
          edge: { type: 'object', required: ['from', 'to'], properties: { from: str, to: str } },
        },
      },
    },
  },
} as const;

export const pathQuerySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['from', 'to', 'channel'],
  properties: {
    from: { type: 'string', minLength: 1, maxLength: 256, description: 'The version the cluster runs.', example: '4.9.15-kylinsec.1' },
    to: { type: 'string', minLength: 1, maxLength: 256, description: 'The version it should reach.', example: '4.9.21-kylinsec.1' },
    channel: { type: 'string', minLength: 1, maxLength: 256, example: 'stable-4.9' },
    arch: { type: 'string', minLength: 1, maxLength: 64, default: 'amd64', example: 'amd64' },
  },
} as const;

const updateSchema = { type: 'object', required: ['version', 'payload'], properties: { version: str, payload: str } } as const;

export const explainAnswerSchema = {
  type: 'object',
  required: ['cluster', 'query', 'retrievedUpdates', 'current', 'updates', 'conditionalUpdates', 'warnings', 'hints'],
  properties: {
    cluster: { type: 'object', required: ['version', 'channel', 'arch'], properties: { version: str, channel: str, arch: str, id: str } },
    query: { type: 'string', nullable: true, description: 'The query string the cluster-version operator sends.' },
    retrievedUpdates: {
      type: 'object',
      description: 'The RetrievedUpdates condition the operator would set.',
      required: ['status', 'reason', 'message'],
      properties: { status: { type: 'string', enum: ['True', 'False'] }, reason: { type: 'string', example: 'VersionNotFound' }, message: str },
    },
    current: { ...updateSchema, nullable: true },
    updates: { type: 'array', items: updateSchema, description: 'Recommended updates (status.availableUpdates).' },
    conditionalUpdates: {
      type: 'array',
      description: 'Conditional updates with their risks (status.conditionalUpdates).',
      items: { type: 'object', required: ['version', 'payload', 'risks'], properties: { version: str, payload: str, risks: { type: 'array', items: riskSchema } } },
    },
    warnings: { ...stringList, description: 'What the operator drops with a warning.' },
    hints: { ...stringList, description: 'What to do about it.' },
  },
} as const;

export const explainQuerySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['version', 'channel'],
  properties: {
    version: { type: 'string', maxLength: 256, description: 'The version the cluster runs.', example: '4.9.15-kylinsec.1' },
    channel: { type: 'string', maxLength: 256, example: 'stable-4.9' },
    arch: { type: 'string', maxLength: 64, default: 'amd64' },
    id: { type: 'string', maxLength: 64, description: 'The cluster id (a UUID).' },
  },
} as const;

const releaseEdgeSchema = {
  type: 'object',
  required: ['version', 'risks'],
  properties: { version: str, risks: { type: 'array', items: riskSchema, description: 'Empty for a recommended edge.' } },
} as const;

export const releaseViewSchema = {
  type: 'object',
  required: ['version', 'arch', 'payload', 'digest', 'metadata', 'channels', 'signatures'],
  properties: {
    version: str,
    arch: str,
    payload: str,
    digest: { type: 'string', nullable: true },
    metadata: { type: 'object', additionalProperties: str },
    channels: {
      type: 'array',
      items: {
        type: 'object',
        required: ['channel', 'incoming', 'outgoing'],
        properties: { channel: str, incoming: { type: 'array', items: releaseEdgeSchema }, outgoing: { type: 'array', items: releaseEdgeSchema } },
      },
    },
    signatures: { ...digestStatusSchema, nullable: true, description: 'Which active keys signed the digest, verified by the server.' },
  },
} as const;

export const edgeDeclarationsSchema = {
  type: 'object',
  required: ['blocked', 'conditional'],
  properties: {
    blocked: { type: 'array', items: { type: 'object', required: ['file', 'to', 'from'], properties: { file: str, to: str, from: str } } },
    conditional: {
      type: 'array',
      items: { type: 'object', required: ['file', 'to', 'from', 'risk'], properties: { file: str, to: str, from: str, risk: riskSchema } },
    },
  },
} as const;
