// The console at the benchmark's scale (issue 11 §6): in headless Chromium, the graph view of the smallest channel
// of the generated (upstream-scale) dataset with at least 160 releases must render and answer a click (the selected node's edges lit) in < 2 s.
// Runs inside `npm run bench` (measureConsole) or alone: `npm run build && node bench/console.js`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatedDataset } from './datasets.js';
import { freePort } from './http.js';
import { importDataset, startKus, surveyGraphs } from './kus.js';
import { Children } from './processes.js';

export const CONSOLE_TARGET_MS = 2000;
const TARGET_NODES = 160;
const CHROMIUM = process.env.KUS_CHROMIUM ?? '/usr/bin/chromium';
const RUNS = 5;

/** Opens the graph view RUNS times (fresh page each) and returns the median time to an interactive drawing. */
async function timeGraphView(base, channel, arch) {
  const { chromium } = await import('playwright-core');
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'kus-bench-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const times = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const page = await context.newPage();
      const url = `${base}/#/graph?channel=${encodeURIComponent(channel)}&arch=${encodeURIComponent(arch)}`;
      const started = performance.now();
      await page.goto(url);
      await page.waitForSelector('svg.graph[data-ready]', { timeout: 30_000 });
      // Interactive: a click on a release selects it and lights its edges.
      const visible = await page.evaluate(`[...document.querySelectorAll('.node')].findIndex((n) => {
        const r = n.getBoundingClientRect();
        return r.top > 150 && r.bottom < innerHeight - 50 && r.left > 0 && r.right < innerWidth - 400;
      })`);
      await page.locator('.node').nth(Math.max(visible, 0)).click();
      await page.waitForSelector('.node.selected', { timeout: 30_000 });
      times.push(performance.now() - started);
      if (process.env.KUS_BENCH_SCREENSHOT) await page.screenshot({ path: process.env.KUS_BENCH_SCREENSHOT });
      await page.close();
    }
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  times.sort((a, b) => a - b);
  return { medianMs: times[Math.floor(times.length / 2)], maxMs: times.at(-1), runs: times.map((t) => Math.round(t)) };
}

/** Measures, prints, and returns { failed } (0 or 1) so the bench runner can count a missed target. */
export async function measureConsole({ children, repoRoot, work, seed }) {
  if (!fs.existsSync(CHROMIUM)) {
    console.log(`\n[console] SKIP: ${CHROMIUM} is absent (apt-get install chromium)`);
    return { skipped: true, failed: 0 };
  }
  const dir = path.join(work, 'console');
  fs.mkdirSync(dir, { recursive: true });
  const dataset = generatedDataset(path.join(dir, 'generated'), seed);
  const db = path.join(dir, 'kus.db');
  await importDataset({ repoRoot, db, graphData: dataset.graphData, raw: null });
  const port = await freePort();
  const { child, base } = await startKus({ children, repoRoot, db, port, logFile: path.join(dir, 'kus.log') });
  try {
    const survey = await surveyGraphs(base, dataset.channels, ['amd64']);
    const pick = survey.filter((r) => r.nodes >= TARGET_NODES).sort((a, b) => a.nodes - b.nodes)[0];
    if (!pick) throw new Error(`no channel of the generated dataset has ${TARGET_NODES} amd64 releases`);
    const timing = await timeGraphView(base, pick.channel, pick.arch);
    const pass = timing.medianMs < CONSOLE_TARGET_MS;
    console.log(`\n[console] graph view of ${pick.channel} (${pick.arch}): ${pick.nodes} nodes, ${pick.edges} edges, ${pick.conditionalEdges} conditional`);
    console.log(`[console] load to interactive: median ${Math.round(timing.medianMs)} ms, max ${Math.round(timing.maxMs)} ms over ${RUNS} page loads ` +
      `(target < ${CONSOLE_TARGET_MS} ms): ${pass ? 'PASS' : 'MISS'}`);
    return { channel: pick.channel, arch: pick.arch, nodes: pick.nodes, edges: pick.edges, ...timing, targetMs: CONSOLE_TARGET_MS, pass, failed: pass ? 0 : 1 };
  } finally {
    await children.stop(child);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kus-bench-console-'));
  const children = new Children();
  measureConsole({ children, repoRoot, work, seed: 20260101 })
    .then((r) => { process.exitCode = r.failed; }, (err) => { console.error(err); process.exitCode = 1; })
    .finally(async () => { await children.stopAll(); fs.rmSync(work, { recursive: true, force: true }); });
}
