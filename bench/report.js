// Targets of the benchmark (issue 2 §8), their verdicts, and the side-by-side table printed per dataset.

export const TARGETS = {
  throughputRatio: 0.7, // KUS req/s ≥ 0.7 × nginx
  p99Factor: 2, // KUS p99 ≤ 2 × nginx p99
  rebuildMs: 200, // full rebuild (median) ≤ 200 ms
  rssMb: 150, // server RSS after the load ≤ 150 MB
};

const fmt = (n, digits = 1) => (n === null || n === undefined || Number.isNaN(n) ? 'n/a' : n.toFixed(digits));
const verdict = (ok) => (ok === null ? 'n/a' : ok ? 'PASS' : 'FAIL');

const cpuTotal = (r) => r.cpuUserUsPerRequest + r.cpuSystemUsPerRequest;
const cpu = (r) => `${fmt(r.cpuUserUsPerRequest, 0)}+${fmt(r.cpuSystemUsPerRequest, 0)}`;
const phases = (p) => Object.entries(p).map(([k, v]) => `${k.replace(/Ms$/, '')} ${fmt(v)}`).join(', ');

/** The PASS/FAIL checks for one dataset's figures (null when a figure is missing). */
export function checks(result) {
  const { kus, nginx, rebuild, memory } = result;
  const ratio = kus && nginx ? kus.requestsPerSec / nginx.requestsPerSec : null;
  const p99Factor = kus && nginx ? kus.p99Ms / nginx.p99Ms : null;
  const rebuildMs = rebuild?.inProcess?.medianMs ?? null;
  const rssMb = memory?.rssMb ?? null;
  return {
    throughput: { value: ratio, target: `>= ${TARGETS.throughputRatio}x nginx`, pass: ratio === null ? null : ratio >= TARGETS.throughputRatio },
    p99: { value: p99Factor, target: `<= ${TARGETS.p99Factor}x nginx`, pass: p99Factor === null ? null : p99Factor <= TARGETS.p99Factor },
    rebuild: { value: rebuildMs, target: `<= ${TARGETS.rebuildMs} ms (median)`, pass: rebuildMs === null ? null : rebuildMs <= TARGETS.rebuildMs },
    rss: { value: rssMb, target: `<= ${TARGETS.rssMb} MB`, pass: rssMb === null ? null : rssMb <= TARGETS.rssMb },
  };
}

function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  const line = (r) => r.map((cell, i) => String(cell).padEnd(widths[i])).join('  ').trimEnd();
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

/** Prints one dataset: what was requested, then KUS | nginx | ratio | target | verdict. */
export function printDataset(result) {
  const { dataset, request, kus, nginx, nodeFloor, nginxAuto, rebuild, memory, load } = result;
  const c = checks(result);
  console.log(`\n=== ${dataset.name}: ${dataset.description}`);
  console.log(`request: GET ${request.path} (channel=${request.channel}, arch=${request.arch}: ${request.nodes} nodes, ` +
    `${request.edges} edges, ${request.conditionalEdges} conditional edges; body ${request.plainBytes} B plain, ${request.gzipBytes} B gzip)`);
  console.log(`load: ${load.command}, median of ${load.rounds} alternating rounds; nginx worker_processes 1 ` +
    '(KUS serves from one Node.js event loop); wrk, KUS and nginx share this machine');
  const inProcess = rebuild.inProcess;
  const rows = [
    ['metric', 'KUS', 'nginx (1 worker)', 'KUS/baseline', 'target', 'verdict'],
    ['requests/s', fmt(kus.requestsPerSec, 0), fmt(nginx.requestsPerSec, 0), fmt(c.throughput.value, 3), c.throughput.target, verdict(c.throughput.pass)],
    ['p50 latency ms', fmt(kus.p50Ms, 2), fmt(nginx.p50Ms, 2), fmt(kus.p50Ms / nginx.p50Ms, 2), '', ''],
    ['p99 latency ms', fmt(kus.p99Ms, 2), fmt(nginx.p99Ms, 2), fmt(c.p99.value, 3), c.p99.target, verdict(c.p99.pass)],
    ['CPU us/request user+sys', cpu(kus), cpu(nginx), fmt(cpuTotal(kus) / cpuTotal(nginx), 2), '(info)', ''],
    ['bare node:http req/s, p99', '', `${fmt(nodeFloor.requestsPerSec, 0)}, ${fmt(nodeFloor.p99Ms, 2)} ms`, fmt(kus.requestsPerSec / nodeFloor.requestsPerSec, 2), '(info: Node floor)', ''],
    ['bare node:http CPU us/req', '', cpu(nodeFloor), fmt(cpuTotal(kus) / cpuTotal(nodeFloor), 2), '(info)', ''],
    ...(nginxAuto ? [['nginx auto workers req/s', '', fmt(nginxAuto.requestsPerSec, 0), fmt(kus.requestsPerSec / nginxAuto.requestsPerSec, 2), '(info)', '']] : []),
    ['rebuild ms min/med/max', inProcess ? `${fmt(inProcess.minMs)}/${fmt(inProcess.medianMs)}/${fmt(inProcess.maxMs)}` : 'n/a', '', '', c.rebuild.target, verdict(c.rebuild.pass)],
    ['rebuild CPU ms (median)', inProcess ? fmt(inProcess.cpuMedianMs) : 'n/a', '', '', '(info)', ''],
    ['rebuild phases med. ms', inProcess ? phases(inProcess.phasesMedianMs) : 'n/a', '', '', '(info)', ''],
    ['server start-up build', rebuild.metricText ?? 'n/a', '', '', '(info)', ''],
    ['RSS MB after load (VmHWM)', memory ? `${fmt(memory.rssMb)} (${fmt(memory.peakRssMb)})` : 'n/a', '', '', c.rss.target, verdict(c.rss.pass)],
    ['memory detail MB', memory ? `RSS at start ${fmt(memory.rssAfterStartMb)}, V8 heap ${fmt(memory.heap_size_usedMb)} used / ` +
      `${fmt(memory.heap_size_totalMb)}, external ${fmt(memory.external_memoryMb)}` : 'n/a', '', '', '(info)', ''],
  ];
  console.log(table(rows));
  for (const [name, r] of [['KUS', kus], ['nginx', nginx], ['node:http', nodeFloor]]) {
    // A server that answered errors or dropped connections was not doing the same work: say so next to its figures.
    if (r.non2xx > 0 || r.socketErrors > 0) console.log(`WARNING: ${name} had ${r.non2xx} non-2xx responses and ${r.socketErrors} socket errors under load`);
  }
  return c;
}
