// Prometheus metrics of replicas' fleet reports: on every server what it merged from replicas; on a replica that
// reports (kus serve --follow URL --fleet-report-token T) what it sent, what failed, what is buffered and what was dropped.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { FleetRecorder, FleetReporter } from '../../services/fleet/index.js';

export function registerFleetReportMetrics(registry: Registry, recorder: FleetRecorder, reporter: FleetReporter | undefined): void {
  new Counter({
    name: 'kus_fleet_report_entries_merged_total',
    help: 'Cluster entries of replicas\' fleet reports written to this server\'s store (POST /api/admin/v1/fleet/reports).',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(recorder.merged);
    },
  });
  if (!reporter) return;
  new Counter({
    name: 'kus_fleet_report_sent_total',
    help: 'Cluster entries this replica\'s fleet reports delivered to the primary (accepted with 200).',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(reporter.stats.sent);
    },
  });
  new Counter({
    name: 'kus_fleet_report_requests_total',
    help: 'Fleet report requests to the primary: ok, failed (unreachable or refused: retried with backoff), rejected (400/413: dropped).',
    labelNames: ['result'] as const,
    registers: [registry],
    collect() {
      this.reset();
      const r = reporter.stats.requests;
      this.inc({ result: 'ok' }, r.ok);
      this.inc({ result: 'failed' }, r.failed);
      this.inc({ result: 'rejected' }, r.rejected);
    },
  });
  new Gauge({
    name: 'kus_fleet_report_buffered',
    help: 'Cluster entries waiting to be delivered to the primary (merged per cluster; in flight included).',
    registers: [registry],
    collect() {
      this.set(reporter.buffered);
    },
  });
  new Gauge({
    name: 'kus_fleet_report_buffer_limit',
    help: 'Distinct clusters the fleet report buffer holds (--fleet-report-buffer).',
    registers: [registry],
    collect() {
      this.set(reporter.limit);
    },
  });
  new Counter({
    name: 'kus_fleet_report_dropped_total',
    help: 'Cluster entries never delivered: buffer_full (a new cluster while the buffer was full), rejected (the primary refused the report as invalid).',
    labelNames: ['reason'] as const,
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ reason: 'buffer_full' }, reporter.stats.dropped.bufferFull);
      this.inc({ reason: 'rejected' }, reporter.stats.dropped.rejected);
    },
  });
}
