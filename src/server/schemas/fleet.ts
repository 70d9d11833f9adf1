// JSON schemas of the fleet inventory's answers (admin API /fleet/*).
import { FLEET_DURATION_PATTERN } from '../../services/fleet/index.js';

const rfc3339 = { type: 'string', format: 'date-time' } as const;
const nullableVersion = { type: ['string', 'null'], description: 'The version the cluster reported last (null: it sent none).' } as const;

export const fleetSinceSchema = {
  type: 'string',
  pattern: FLEET_DURATION_PATTERN,
  description: 'Only clusters (or updates) seen within this window: a number and one unit of s, m, h, d, w (e.g. 24h, 7d).',
  example: '24h',
} as const;

export const fleetVersionsEntrySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['channel', 'arch', 'version', 'clusters'],
  properties: { channel: { type: 'string' }, arch: { type: 'string' }, version: nullableVersion, clusters: { type: 'integer', minimum: 1 } },
} as const;

const clusterProperties = {
  id: { type: 'string', description: 'The cluster\'s UUID (ClusterVersion spec.clusterID), lower case.' },
  version: nullableVersion,
  channel: { type: 'string' },
  arch: { type: 'string' },
  userAgent: { type: ['string', 'null'], description: 'User-Agent of its last poll (at most 256 characters).' },
  firstSeen: { ...rfc3339, description: 'Its first recorded poll (RFC 3339).' },
  lastSeen: { ...rfc3339, description: 'Its last recorded poll (RFC 3339).' },
} as const;

export const fleetClusterSchema = {
  type: 'object',
  additionalProperties: false,
  required: Object.keys(clusterProperties),
  properties: clusterProperties,
} as const;

const took = { type: ['integer', 'null'], minimum: 0 } as const;

export const fleetUnseenSchema = {
  type: 'string',
  pattern: FLEET_DURATION_PATTERN,
  description: 'A cluster seen daily and not since for longer than this is listed as Unseen (default 2d).',
  example: '2d',
} as const;

export const fleetUpdateSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['from', 'to', 'clusters', 'firstSeen', 'lastSeen', 'offered', 'tookMedian', 'tookP90', 'tookMax'],
  properties: {
    from: { type: 'string' },
    to: { type: 'string' },
    clusters: { type: 'integer', minimum: 1, description: 'Distinct clusters observed changing from `from` to `to`.' },
    firstSeen: { ...rfc3339, description: 'The first such change observed.' },
    lastSeen: { ...rfc3339, description: 'The last such change observed.' },
    offered: {
      type: 'integer', minimum: 0,
      description: 'Changes whose offer time is known: the cluster, running `from`, was served a graph with the edge `from` → `to` before it moved.',
    },
    tookMedian: { ...took, description: 'Median seconds from first being offered `to` to running it (nearest rank, over `offered`); null when none.' },
    tookP90: { ...took, description: '90th percentile of the same (nearest rank).' },
    tookMax: { ...took, description: 'The longest of the same.' },
  },
} as const;

export const fleetProblemSchema = {
  type: 'object',
  additionalProperties: false,
  required: [...Object.keys(clusterProperties), 'reason', 'hint'],
  properties: {
    ...clusterProperties,
    reason: {
      type: 'string',
      enum: ['VersionNotFound', 'ChannelNotFound', 'ArchNotServed', 'Unseen'],
      description: 'VersionNotFound: its version is not a node of the channel it polls; ChannelNotFound: the channel does not exist; ' +
        'ArchNotServed: the channel has no releases of its architecture. In each case the cluster is offered no update. ' +
        'Unseen: it polled daily (on at least 2 UTC days, and on at least 3/4 of the days from its first poll to its last) ' +
        'but not for longer than the threshold.',
    },
    hint: { type: 'string', description: 'What to do about it.' },
  },
} as const;

export const fleetHistorySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['days', 'series'],
  properties: {
    days: { type: 'array', items: { type: 'string', format: 'date' }, description: 'UTC days, oldest first; the last is today (counted at the time of asking).' },
    series: {
      type: 'array',
      description: 'Clusters per version at the end of each day, in the order of `days`; the versions with the most clusters on the last day ' +
        'come first (at most 8), the rest summed as "other"; "(none)" is clusters that send no version.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['version', 'clusters'],
        properties: { version: { type: 'string' }, clusters: { type: 'array', items: { type: 'integer', minimum: 0 } } },
      },
    },
  },
} as const;

export const fleetReleaseCountsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['version', 'arch', 'running', 'updatedTo'],
  properties: {
    version: { type: 'string' },
    arch: { type: 'string' },
    running: { type: 'integer', minimum: 0, description: 'Recorded clusters of this arch whose last poll reported this version.' },
    updatedTo: { type: 'integer', minimum: 0, description: 'Distinct clusters of this arch observed updating to this version.' },
  },
} as const;

export const fleetAdoptionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['channel', 'version', 'samples'],
  properties: {
    channel: { type: 'string' },
    version: { type: 'string' },
    samples: {
      type: 'array',
      description: 'Evenly spaced instants from `from` to now, oldest first (one, at now, when `from` is not in the past).',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['at', 'clusters', 'running'],
        properties: {
          at: rfc3339,
          clusters: { type: 'integer', minimum: 0, description: 'Clusters polling the channel now that had been first seen by `at`.' },
          running: {
            type: 'integer', minimum: 0,
            description: 'Of those, the ones running the version at `at` (from their observed updates, as in /fleet/history). Adoption is running / clusters.',
          },
        },
      },
    },
  },
} as const;
