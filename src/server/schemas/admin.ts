// JSON schemas of the admin API's bodies and answers; they document the routes in OpenAPI and shape the responses.
import { riskSchema } from './graph.js';

export const errorSchema = {
  type: 'object',
  description: 'A KUS error: the code (see docs/errors.md) and a message quoting the offending value.',
  required: ['code', 'message'],
  properties: {
    code: { type: 'string', example: 'KUS_ERR_DIGEST_MISMATCH' },
    message: { type: 'string' },
  },
} as const;

const stringList = { type: 'array', items: { type: 'string' } } as const;
const metadataSchema = { type: 'object', additionalProperties: { type: 'string' } } as const;

export const versionSchema = { type: 'string', minLength: 1, maxLength: 256, example: '4.9.15-kylinsec.3' } as const;
export const archSchema = { type: 'string', minLength: 1, maxLength: 64, example: 'arm64' } as const;
export const channelNameSchema = { type: 'string', minLength: 1, maxLength: 256, example: 'stable-4.9' } as const;

export const releaseSchema = {
  type: 'object',
  required: ['version', 'arch', 'payload', 'digest', 'metadata', 'previous', 'next'],
  properties: {
    version: { type: 'string', description: 'SemVer without the architecture.' },
    arch: { type: 'string', nullable: true, description: 'Go architecture name or multi; null for a legacy node without one.' },
    payload: { type: 'string', description: 'Release image pull spec by digest.' },
    digest: { type: 'string', nullable: true, example: 'sha256:296be28e6051ed6f8e11695893ba9fdf7622359ada2355658dc4e0b0294fd0f2' },
    metadata: metadataSchema,
    previous: stringList,
    next: stringList,
  },
} as const;

export const releaseInputSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['version', 'arch', 'payload'],
  properties: {
    version: { ...versionSchema, description: 'SemVer without the architecture (it goes in arch).' },
    arch: { ...archSchema, description: 'Go architecture name (amd64, arm64, s390x, ppc64le) or multi.' },
    payload: {
      type: 'string',
      minLength: 1,
      maxLength: 1024,
      description: 'Pull spec by digest; a tag is refused (use POST /releases/ingest to resolve one).',
      example: 'registry.kylinsec.example/ocp/release@sha256:296be28e6051ed6f8e11695893ba9fdf7622359ada2355658dc4e0b0294fd0f2',
    },
    previous: { ...stringList, maxItems: 10000, description: 'Versions that may update to this one; unknown ones are accepted with a warning.' },
    next: { ...stringList, maxItems: 10000, description: 'Versions this one may update to.' },
    metadata: { ...metadataSchema, description: 'Node metadata (url, description, io.openshift.upgrades.graph.* labels).' },
    channels: { ...stringList, maxItems: 100, description: 'Existing channels that should list this version.' },
  },
} as const;

export const channelSchema = {
  type: 'object',
  required: ['name', 'file', 'versions'],
  properties: {
    name: { type: 'string' },
    file: { type: 'string', description: 'The channels/ file it is exported to.' },
    versions: { ...stringList, description: 'In order; an entry with +arch selects that architecture only.' },
  },
} as const;

export const blockedEdgeSchema = {
  type: 'object',
  required: ['file', 'to', 'from'],
  properties: {
    file: { type: 'string', description: 'The blocked-edges/ file name.' },
    to: { type: 'string' },
    from: { type: 'string', description: 'Regex searched in the source version+arch.' },
  },
} as const;

export const conditionalEdgeSchema = {
  type: 'object',
  required: ['file', 'to', 'from', 'risk'],
  properties: { ...blockedEdgeSchema.properties, risk: riskSchema, extra: { type: 'object', additionalProperties: true } },
} as const;

/** Either kind of blocked-edges file (removal answers with whichever it was). */
export const edgeFileSchema = {
  type: 'object',
  required: ['file', 'to', 'from'],
  properties: conditionalEdgeSchema.properties,
} as const;

const selectorProperties = {
  to: { ...versionSchema, description: 'Target version of the updates.' },
  from: { type: 'string', minLength: 1, maxLength: 4096, description: 'Regex searched in the source version+arch, e.g. ^4[.]9[.](0|1)[+].*$.' },
  fromVersion: { ...versionSchema, description: 'One exact source version instead of from; becomes ^4[.]9[.]0[+].*$.' },
} as const;

export const blockInputSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['to'],
  description: 'Give exactly one of from and fromVersion.',
  properties: selectorProperties,
} as const;

export const riskInputSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['to', 'url', 'name', 'message', 'matchingRules'],
  description: 'Give exactly one of from and fromVersion.',
  properties: {
    ...selectorProperties,
    url: { type: 'string', minLength: 1, maxLength: 2048, description: 'Where the risk is explained.' },
    name: { type: 'string', minLength: 1, maxLength: 256, description: 'CamelCase risk name, e.g. InsightsOperatorDegraded.' },
    message: { type: 'string', minLength: 1, maxLength: 65536 },
    matchingRules: {
      type: 'array',
      minItems: 1,
      maxItems: 32,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['type'],
        properties: {
          type: { type: 'string', description: 'Always or PromQL.' },
          promql: {
            type: 'object',
            additionalProperties: false,
            required: ['promql'],
            properties: { promql: { type: 'string', description: 'The query; a PromQL rule needs a non-empty one.' } },
          },
        },
      },
    },
  },
} as const;

export const rawMetadataSchema = {
  type: 'object',
  required: ['version', 'key', 'value'],
  properties: { version: { type: 'string' }, key: { type: 'string' }, value: { type: 'string', nullable: true } },
} as const;

export const auditEntrySchema = {
  type: 'object',
  required: ['id', 'at', 'actor', 'action', 'target', 'before', 'after', 'outcome', 'error'],
  properties: {
    id: { type: 'integer' },
    at: { type: 'string', format: 'date-time' },
    actor: { type: 'string', description: 'Token name, or local:<os user> for CLI writes on the store file.' },
    action: { type: 'string', example: 'release.add' },
    target: { type: 'string', nullable: true },
    before: { description: 'State before the change (null for a creation or a refusal).' },
    after: { description: 'State after the change; for a refused write, what was asked.' },
    outcome: { type: 'string', enum: ['ok', 'refused'] },
    error: {
      type: 'object',
      nullable: true,
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' } },
    },
  },
} as const;

export const tokenScopeSchema = {
  type: 'string',
  enum: ['admin', 'viewer', 'fleet-report'],
  description: 'admin: every admin route; viewer: every admin GET (read-only console, fleet views); fleet-report: only POST /fleet/reports (a replica\'s token).',
  example: 'viewer',
} as const;

export const tokenInfoSchema = {
  type: 'object',
  required: ['name', 'scope', 'createdAt', 'lastUsedAt'],
  properties: {
    name: { type: 'string' },
    scope: tokenScopeSchema,
    createdAt: { type: 'string', format: 'date-time' },
    lastUsedAt: { type: 'string', format: 'date-time', nullable: true, description: 'Refreshed at most once a minute.' },
  },
} as const;

export const createdTokenSchema = {
  type: 'object',
  required: ['name', 'scope', 'token'],
  properties: { name: { type: 'string' }, scope: tokenScopeSchema, token: { type: 'string', description: 'The secret, shown this once; only its sha256 is stored.' } },
} as const;

export const tokenNameSchema = { type: 'string', minLength: 1, maxLength: 64, example: 'ci-publisher' } as const;

export const rolloutSchema = {
  type: 'object',
  required: ['channel', 'version', 'state', 'start', 'startPercentage', 'durationSeconds', 'fraction', 'pausedFraction', 'haltOnStalled', 'halted'],
  properties: {
    channel: { type: 'string' },
    version: { type: 'string', description: 'As the channel lists it, without build metadata.' },
    state: { type: 'string', enum: ['active', 'paused', 'completed', 'aborted'] },
    start: { type: 'string', format: 'date-time' },
    startPercentage: { type: 'number' },
    durationSeconds: { type: 'number' },
    fraction: { type: 'number', description: 'Share of clusters (by wariness) that see the edges into the release now, 0–1.' },
    pausedFraction: { type: ['number', 'null'], description: 'The fraction frozen by pause; null unless paused.' },
    haltOnStalled: {
      type: ['integer', 'null'], minimum: 1,
      description: 'Paused automatically (audited as rollout.halt) once this many clusters stalled on it; null: never.',
    },
    halted: {
      type: ['object', 'null'],
      description: 'How and when the halting rule last paused it; null when it never did. A resume keeps it: the rule then pauses again once haltOnStalled more clusters stalled than this count.',
      required: ['at', 'stalled', 'haltOnStalled', 'reason'],
      properties: {
        at: { type: 'string', format: 'date-time' },
        stalled: { type: 'integer', description: 'Stalled clusters counted when it was paused.' },
        haltOnStalled: { type: 'integer', description: 'The rule\'s N then.' },
        reason: { type: 'string', example: 'halt-on-stalled 3: 3 clusters stalled' },
      },
    },
  },
} as const;

/** A rollout as GET /rollouts lists it: with the fleet's evidence about it (docs/rollouts.md, "Halting on evidence"). */
export const rolloutListItemSchema = {
  ...rolloutSchema,
  required: [...rolloutSchema.required, 'evidence'],
  properties: {
    ...rolloutSchema.properties,
    evidence: {
      type: ['object', 'null'],
      description: 'What the fleet inventory recorded about the rollout since its start; null when this server records no fleet (--no-fleet).',
      required: ['eligible', 'sawEdge', 'updated', 'stalled', 'stalledIds'],
      properties: {
        eligible: { type: 'integer', description: 'Clusters of the channel that ran a version with an edge into the release since the start.' },
        sawEdge: { type: 'integer', description: 'Of those, clusters shown the edge (wariness at most the fraction when they last polled on the previous version).' },
        updated: { type: 'integer', description: 'Of those that saw it, clusters observed moving to the release.' },
        stalled: { type: 'integer', description: 'Of those that saw it, clusters that then stopped polling (kus serve --rollout-silent-after) or moved to another version.' },
        stalledIds: { type: 'array', items: { type: 'string' }, maxItems: 100, description: 'The stalled clusters\' ids, sorted (at most 100).' },
      },
    },
  },
} as const;

export const clusterIdSchema = { type: 'string', minLength: 1, maxLength: 64, example: '0b6f1c2e-7d3a-4f5e-9c8b-1a2b3c4d5e6f' } as const;
