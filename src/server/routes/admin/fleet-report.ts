// POST /fleet/reports: a replica hands over the graph polls it recorded (token scope fleet-report, or admin). Answered
// once the entries are committed to the store, so that the replica may forget them; merging is idempotent (a resent
// report changes nothing) and by time (an older report does not move a cluster's current version backwards).
import { KusError } from '../../../errors/index.js';
import type { FleetPollBatchEntry } from '../../../services/fleet/index.js';
import { fleetReportBodySchema } from '../../schemas/fleet-report.js';
import { adminSchema, type AdminRoute } from './route.js';

/**
 * Up to 1,000 entries of at most ~3.3 KB each (16 changes, every string at its cap); a replica's entries are ~250 bytes,
 * so a full report is ~250 KB, parsed in a few milliseconds (the worst case here pauses graph requests ~0.1 s, limits.md).
 */
const REPORT_BODY_LIMIT = 4 * 1024 * 1024;

export const fleetReport: AdminRoute = (scope, services) => {
  scope.post<{ Body: { replica?: string; entries: FleetPollBatchEntry[] } }>('/fleet/reports', {
    bodyLimit: REPORT_BODY_LIMIT,
    config: { scopes: ['admin', 'fleet-report'] },
    schema: adminSchema({
      operationId: 'reportFleetPolls',
      summary: 'Merge the graph polls a replica recorded',
      description: 'Sent by replicas (kus serve --follow URL --fleet-report-token TOKEN) with a token of scope fleet-report. ' +
        'Answered once written; merging is idempotent and by time, so replicas resend until answered 200.',
      body: fleetReportBodySchema,
      value: { type: 'object', required: ['accepted'], properties: { accepted: { type: 'integer', description: 'Entries merged.' } } },
      ok: 'The entries are in the store.',
    }),
  }, async (request) => {
    const sink = services.fleetReports;
    if (!sink) throw new KusError('KUS_ERR_INTERNAL', 'this server was started without the fleet inventory (kus serve --no-fleet): it cannot take fleet reports');
    const { entries } = request.body;
    const backwards = entries.find((e) => e.firstSeen > e.lastSeen);
    if (backwards) {
      throw new KusError('KUS_ERR_BAD_REQUEST', `entry ${JSON.stringify(backwards.id)} has firstSeen ${backwards.firstSeen} after lastSeen ${backwards.lastSeen}`, { id: backwards.id });
    }
    await sink.merge(entries);
    return { value: { accepted: entries.length }, warnings: [], changed: entries.length > 0 };
  });
};
