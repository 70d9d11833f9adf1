// The console of a read-only replica in a real Chromium: a `kus serve --follow` process (a separate process on
// 127.0.0.1, like its primary) serves the read-only views from the graph it synced.
import path from 'node:path';
import t from 'tap';
import { launch, noChromium, offOrigin } from './helpers/browser.js';
import { serveChild, serverWithToken, servedGraph } from './helpers/serve-child.js';
import { tempTree } from './helpers/temp-tree.js';

const RISK = 'InsightsOperatorDegradedDisconnected';

t.test('console on a replica', { skip: noChromium }, async (t) => {
  const { server: primary } = await serverWithToken(t);
  const replica = await serveChild(t, ['--follow', primary.url, '--follow-interval', '1', '--db', path.join(tempTree(t), 'replica.db')]);
  // The replica is ready once its first sync is in: until then it answers 503.
  for (let i = 0; i < 300 && (await fetch(`${replica.url}/readyz`)).status !== 200; i++) await new Promise((r) => setTimeout(r, 100));
  t.equal((await fetch(`${replica.url}/readyz`)).status, 200, 'the replica synced from its primary');
  const origin = replica.url;
  const { open } = await launch(t);

  t.test('graph view and path finder read the replica\'s graph', async (t) => {
    const w = await open(`${origin}/#/graph?channel=stable-4.9&arch=arm64`);
    const { page } = w;
    await page.waitForSelector('svg.graph[data-ready]');
    const primaryGraph = await servedGraph(primary.url, 'stable-4.9', 'arm64');
    t.equal(await page.locator('.node').count(), primaryGraph.nodes.length, 'the replica draws the primary\'s releases of stable-4.9');
    t.match(await page.locator('.edge-label.conditional').first().textContent(), RISK, 'the risk is named on the conditional edge');
    await w.screenshot('replica-graph');

    await page.goto(`${origin}/#/path?from=4.9.0-rc.6&to=4.9.21-kylinsec.1&channel=candidate-4.9&arch=arm64`);
    await page.getByRole('region', { name: 'Why not' }).waitFor();
    t.match(await page.locator('.problem').first().textContent(), `takes a conditional update (risks: ${RISK})`, 'the path finder answers on the replica');
    t.same(offOrigin(w, origin), [], 'no request leaves the replica\'s origin');
    t.same(w.errors, [], 'no console error');
  });
});
