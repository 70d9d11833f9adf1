// The binned request-latency histogram must print exactly what prom-client's own Histogram prints for the same
// observations: scrapers and dashboards read kus_http_request_duration_seconds and must not see the change.
import { Histogram, Registry } from 'prom-client';
import t from 'tap';
import { BinnedHistogram } from '../src/server/plugins/binned-histogram.js';

const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
// On every bound (≤ counts in that bucket), between bounds, below the first, above the last, and zero.
const VALUES = [0, 0.0001, 0.0005, 0.0007, 0.001, 0.003, 0.0049, 0.01, 0.2, 0.5, 1, 2.5, 2.6, 40];

function pair() {
  const plain = new Registry();
  const binned = new Registry();
  const config = { name: 'kus_http_request_duration_seconds', help: 'Time from request to response by route pattern.', labelNames: ['route'] as const, buckets: BUCKETS };
  return {
    plain, binned,
    reference: new Histogram({ ...config, registers: [plain] }),
    histogram: new BinnedHistogram({ ...config, registers: [binned] }),
  };
}

t.test('the text exposition is prom-client\'s, series in first-use order', async (t) => {
  const { plain, binned, reference, histogram } = pair();
  const routes = ['/api/upgrades_info/graph', '/graph', '/readyz "quoted"\\'];
  for (const [i, value] of VALUES.entries()) {
    for (const [j, route] of routes.entries()) {
      if ((i + j) % 3 === 0) continue; // the series get different observations
      reference.labels({ route }).observe(value);
      histogram.binned(route, { route }).observe(value);
    }
  }
  const text = await binned.metrics();
  t.equal(text, await plain.metrics());
  t.match(text, /^kus_http_request_duration_seconds_bucket\{le="0\.001",route="\/graph"\} \d+$/m, 'le first, then the route');
  t.same(await binned.getMetricsAsJSON(), await plain.getMetricsAsJSON(), 'and the JSON form');
});

t.test('reset zeroes every series and keeps them, as prom-client\'s zero() would show them', async (t) => {
  const { binned, histogram } = pair();
  const series = histogram.binned('/graph', { route: '/graph' });
  series.observe(0.002);
  t.match(await binned.metrics(), /^kus_http_request_duration_seconds_count\{route="\/graph"\} 1$/m);
  binned.resetMetrics();
  t.match(await binned.metrics(), /^kus_http_request_duration_seconds_count\{route="\/graph"\} 0$/m);
  series.observe(0.3);
  const text = await binned.metrics();
  t.match(text, /^kus_http_request_duration_seconds_bucket\{le="0\.25",route="\/graph"\} 0$/m);
  t.match(text, /^kus_http_request_duration_seconds_bucket\{le="0\.5",route="\/graph"\} 1$/m);
  t.match(text, /^kus_http_request_duration_seconds_sum\{route="\/graph"\} 0\.3$/m);
});
