// The console's fleet page and the release page's fleet counts in a real Chromium against a real `kus serve`, on a
// store seeded with 20 days of recorded polls (written through the store's own fleet repository, with past times,
// which real polls cannot have): the stacked timeline has one series per version with the hand-counted values, the
// distribution and the problems appear with what to do, and the release page shows how many run and updated to it.
import path from 'node:path';
import t from 'tap';
import type { FleetPollBatchEntry } from '../src/store/index.js';
import { openStore } from '../src/store/index.js';
import { launch, noChromium, offOrigin } from './helpers/browser.js';
import { clusterUuid } from './helpers/fleet-polls.js';
import { runKus } from './helpers/run-cli.js';
import { serveChild } from './helpers/serve-child.js';
import { repoRoot } from './helpers/shared-fixtures.js';
import { tempTree } from './helpers/temp-tree.js';

const D = 86_400_000;
const uuid = clusterUuid;

t.test('console fleet page', { skip: noChromium }, async (t) => {
  const db = path.join(tempTree(t), 'kus.db');
  const created = runKus(['token', 'create', '--db', db, '--name', 'console-fleet', '--json'], { KUS_TOKEN: '' });
  t.equal(created.status, 0, created.stderr);
  const { token } = JSON.parse(created.stdout) as { token: string };

  const now = Date.now();
  const today = Math.floor(now / D) * D;
  const entry = (id: number, version: string, firstSeen: number, lastSeen: number, channel = 'stable-4.9'): FleetPollBatchEntry =>
    ({ id: uuid(id), firstSeen, lastSeen, version, firstVersion: version, channel, arch: 'arm64', userAgent: 'seeded', changes: [] });
  const store = openStore(db);
  // Ten clusters on 4.9.15 since 20 days ago; four of them update to 4.9.15-kylinsec.2 five days ago (noon).
  store.fleet.record(Array.from({ length: 10 }, (_, i) => entry(i, '4.9.15', today - 20 * D + 3600_000, today - 20 * D + 3600_000)));
  store.fleet.record(Array.from({ length: 10 }, (_, i) => entry(i, i < 4 ? '4.9.15-kylinsec.2' : '4.9.15', today - 5 * D + 12 * 3600_000, now - 60_000)));
  // Three on a version stable-4.9 does not list (only candidate-4.9 does), for three days.
  store.fleet.record([20, 21, 22].map((i) => entry(i, '4.9.0-rc.6', today - 3 * D + 3600_000, now - 60_000)));
  store.close();

  const server = await serveChild(t, ['--db', db, '--graph-data', path.join(repoRoot, 'graph-data')]);
  const origin = server.url;
  const { open } = await launch(t);
  const w = await open(`${origin}/#/fleet`);
  const { page } = w;
  await page.getByLabel('Admin token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();

  t.test('the stacked timeline: one series per version, hand-counted per day', async (t) => {
    await page.locator('.fleet-chart canvas').first().waitFor();
    const legend = await page.locator('.fleet-chart .u-legend .u-series th').allTextContents();
    t.same(legend.map((l) => l.trim()), ['day', '4.9.0-rc.6', '4.9.15-kylinsec.2', '4.9.15'], 'the legend names each version (top of the stack first)');
    const table = page.locator('table.fleet-history');
    t.same((await table.locator('thead th').allTextContents()), ['Day', '4.9.15', '4.9.15-kylinsec.2', '4.9.0-rc.6'], 'most clusters today first');
    const rows = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
    t.equal(rows.length, 30, '30 days');
    const day = (ago: number) => new Date(today - ago * D).toISOString().slice(0, 10);
    t.same(rows[0], [day(29), '0', '0', '0'], 'nobody 29 days ago');
    t.same(rows[9], [day(20), '10', '0', '0'], 'ten on 4.9.15 from 20 days ago');
    t.same(rows[23], [day(6), '10', '0', '0']);
    t.same(rows[24], [day(5), '6', '4', '0'], 'four updated five days ago');
    t.same(rows[26], [day(3), '6', '4', '3'], 'the three VersionNotFound clusters since three days ago');
    t.same(rows[29], [day(0), '6', '4', '3'], 'today');
    await w.screenshot('fleet');
  });

  t.test('the distribution per channel', async (t) => {
    const stable = page.getByRole('table', { name: 'Clusters polling stable-4.9' });
    t.equal(await stable.locator('caption').textContent(), 'stable-4.9: 13 clusters');
    const rows = await stable.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
    t.same(rows, [
      ['4.9.0-rc.6', 'arm64', '3', '23.1%'],
      ['4.9.15', 'arm64', '6', '46.2%'],
      ['4.9.15-kylinsec.2', 'arm64', '4', '30.8%'],
    ]);
  });

  t.test('the problems, with what to do', async (t) => {
    const section = page.getByRole('region', { name: 'Problems' });
    t.match(await section.locator('.fleet-reasons').textContent(),
      'VersionNotFound (3): Its version is not in the channel it polls: add the version to the channel, or tell the cluster to change channel.');
    const rows = await section.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
    t.same(rows.map((r) => [r[0], r[1], r[2], r[6]]), [20, 21, 22].map((i) => [uuid(i), 'VersionNotFound', '4.9.0-rc.6',
      'add 4.9.0-rc.6 to "stable-4.9" (kus channel add stable-4.9 4.9.0-rc.6), or switch the cluster to "candidate-4.9", which list it']));
  });

  t.test('the release page counts the clusters running it and those that updated to it', async (t) => {
    await page.goto(`${origin}/#/release?version=4.9.15-kylinsec.2&arch=arm64`);
    await page.locator('.fleet-counts').waitFor();
    t.equal(await page.locator('.fleet-counts').textContent(), '4 clusters run it; 4 updated to it.');
    await page.goto(`${origin}/#/release?version=4.9.15&arch=arm64`);
    await page.getByText('6 clusters run it; 0 updated to it.').waitFor();
    t.equal(await page.locator('.fleet-counts').textContent(), '6 clusters run it; 0 updated to it.', '4.9.15: 6 run it, none updated to it');
  });

  t.test('nothing left the origin; no console error (the CSP allows the bundled chart)', async (t) => {
    t.same(offOrigin(w, origin), []);
    t.same(w.errors, []);
  });
});
