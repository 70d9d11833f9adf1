// JSON schema of a replica's fleet report (POST /api/admin/v1/fleet/reports): the entries its recorder drained, as
// the store merges them. Bounds match the recorder's caps (FLEET_LIMITS), so a report of a replica is always accepted.
import { FLEET_LIMITS, FLEET_REPORT_CHUNK, MAX_REPORT_CHANGES } from '../../services/fleet/index.js';

const ms = { type: 'integer', minimum: 0, maximum: 8_640_000_000_000_000, description: 'Unix time in milliseconds.' } as const;
const version = { type: 'string', minLength: 1, maxLength: FLEET_LIMITS.versionLength } as const;
const nullable = (schema: object, description: string) => ({ anyOf: [schema, { type: 'null' }], description });

export const fleetReportEntrySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'firstSeen', 'lastSeen', 'version', 'firstVersion', 'channel', 'arch', 'userAgent', 'changes'],
  properties: {
    id: { type: 'string', pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$', description: 'The cluster\'s UUID, lower case.' },
    firstSeen: { ...ms, description: 'Its first poll covered by this entry (Unix ms).' },
    lastSeen: { ...ms, description: 'Its last poll covered by this entry (Unix ms); the entry with the latest one sets the current version.' },
    version: nullable(version, 'The version of its last poll (null: it sent none).'),
    firstVersion: nullable(version, 'The version of its first poll (compared with the stored version to find an update).'),
    channel: { type: 'string', minLength: 1, maxLength: FLEET_LIMITS.channelLength },
    arch: { type: 'string', minLength: 1, maxLength: FLEET_LIMITS.archLength },
    userAgent: nullable({ type: 'string', maxLength: FLEET_LIMITS.userAgentLength }, 'User-Agent of its last poll.'),
    changes: {
      type: 'array',
      maxItems: MAX_REPORT_CHANGES,
      description: 'Version changes observed within the entry, oldest first.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['from', 'to', 'at'],
        properties: { from: version, to: version, at: ms },
      },
    },
  },
} as const;

export const fleetReportBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['entries'],
  properties: {
    replica: { type: 'string', maxLength: 256, description: 'Who sends the report (the replica\'s host name); logged only.' },
    entries: { type: 'array', maxItems: FLEET_REPORT_CHUNK, items: fleetReportEntrySchema },
  },
} as const;
