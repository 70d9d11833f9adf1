// JSON schemas of the promotion policies (admin API /policies, /channels/:name/policies/:source).
import { FLEET_DURATION_PATTERN } from '../../services/fleet/index.js';
import { channelNameSchema, versionSchema } from './admin.js';

const rfc3339 = { type: 'string', format: 'date-time' } as const;

const durationSchema = (what: string, example: string) => ({ type: 'string', pattern: FLEET_DURATION_PATTERN, description: `${what}: a number and one unit of s, m, h, d, w.`, example }) as const;

export const policyInputSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['after'],
  properties: {
    after: durationSchema('How long a version is listed in the source channel before it is added to the target', '7d'),
    rollout: durationSchema('Promote with a phased rollout of this length in the target', '48h'),
  },
} as const;

const policyProperties = {
  target: { ...channelNameSchema, description: 'The channel versions are promoted to.' },
  source: { ...channelNameSchema, description: 'The channel they are promoted from.' },
  afterSeconds: { type: 'number', description: 'Seconds a version is listed in source before it is promoted.' },
  rolloutSeconds: { type: ['number', 'null'], description: 'Length of the rollout started with each promotion (null: none).' },
  createdAt: { ...rfc3339, description: 'When the policy was first set.' },
} as const;

export const policySchema = {
  type: 'object',
  additionalProperties: false,
  required: Object.keys(policyProperties),
  properties: policyProperties,
} as const;

export const policyCandidateSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['version', 'listedSince', 'dueAt', 'status'],
  properties: {
    version: { ...versionSchema, description: 'The entry as the source lists it (a version, or version+arch).' },
    listedSince: { ...rfc3339, description: 'Since when the source lists it.' },
    dueAt: { ...rfc3339, description: 'When it is (was) due, or when a refused promotion is tried again.' },
    status: {
      type: 'string',
      enum: ['due', 'waiting', 'held', 'refused', 'promoted'],
      description: 'due: promoted on the next run; waiting: not listed long enough; held: a risk or blocked edge names it as to; ' +
        'refused: the last try was refused, tried again at dueAt; promoted: promoted before and removed from target since (never again).',
    },
    reason: { type: 'string', description: 'Why it is held, refused or not promoted again.' },
  },
} as const;

export const policyStatusSchema = {
  type: 'object',
  additionalProperties: false,
  required: [...Object.keys(policyProperties), 'candidates'],
  properties: { ...policyProperties, candidates: { type: 'array', items: policyCandidateSchema, description: 'Versions of source not in target, oldest listing first.' } },
} as const;
