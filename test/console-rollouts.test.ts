// Phased rollouts in the console, in a real Chromium against a real `kus serve` (issue 13, "Console"): the fleet page
// charts a rollout's fraction and its adoption by a synthetic fleet that polled the real graph endpoint with ids; on
// the release page a viewer sees each rollout's progress bar and no buttons (and a write forced anyway shows the
// server's 403 code and text), and an admin pauses, resumes and completes a rollout (abort asks, and Cancel keeps it)
// while `kus rollout list --json` on the server follows each step.
import path from 'node:path';
import t, { type Test } from 'tap';
import { launch, noChromium, offOrigin } from './helpers/browser.js';
import { clusterUuid } from './helpers/fleet-polls.js';
import { createToken, runKus } from './helpers/run-cli.js';
import { serveChild } from './helpers/serve-child.js';
import { repoRoot } from './helpers/shared-fixtures.js';
import { tempTree } from './helpers/temp-tree.js';

const H = 3_600_000;
const VERSION = '4.9.15-kylinsec.2';
const uuid = clusterUuid;

interface ListedRollout { channel: string; version: string; state: string; fraction: number; pausedFraction: number | null; start: string }

t.test('console rollouts', { skip: noChromium }, async (t) => {
  const db = path.join(tempTree(t), 'kus.db');
  const make = (name: string, scope: string): string => createToken(db, name, scope);
  const admin = make('console-rollouts', 'admin');
  const viewer = make('console-rollouts-viewer', 'viewer');
  const server = await serveChild(t, ['--db', db, '--graph-data', path.join(repoRoot, 'graph-data'), '--fleet-flush', '1s']);
  const origin = server.url;
  const kus = (...args: string[]) => {
    const r = runKus([...args, '--server', origin, '--token', admin], { KUS_TOKEN: '' });
    if (r.status !== 0) throw new Error(`kus ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const listed = (channel: string): ListedRollout => {
    const all = JSON.parse(kus('rollout', 'list', '--json')) as ListedRollout[];
    const found = all.find((r) => r.channel === channel && r.version === VERSION);
    if (!found) throw new Error(`no rollout of ${VERSION} in ${channel}: ${JSON.stringify(all)}`);
    return found;
  };

  // stable-4.9: started two hours ago at 10% over 4 hours, so it offers 10% + 90% × 2/4 = 55% now (and a little more as
  // the test runs). fast-4.9: the same release from 5% over a week, so the release page shows one rollout per channel.
  const start = new Date(Date.now() - 2 * H).toISOString();
  /** stable-4.9's fraction in percent at a time: what the server says then (one decimal in the page). */
  const expected = (at: number): number => 10 + (90 * (at - Date.parse(start))) / (4 * H);
  /** The page loaded its rollouts between `before` and now: what it shows lies between the two fractions. */
  const between = (t: Test, shown: number, before: number, what: string): void => {
    const [low, high] = [expected(before) - 0.05, expected(Date.now()) + 0.05];
    t.ok(shown >= low && shown <= high, `${what}: ${shown}% (the server's fraction then: ${low.toFixed(2)}–${high.toFixed(2)}%)`);
  };
  kus('rollout', 'start', 'stable-4.9', VERSION, '--duration', '4h', '--start', start, '--start-percentage', '10');
  kus('rollout', 'start', 'fast-4.9', VERSION, '--duration', '7d', '--start-percentage', '5');

  // The synthetic fleet, through the real graph endpoint: ten clusters of stable-4.9 on 4.9.15, then four of them
  // report the release (they updated).
  const poll = async (id: number, version: string): Promise<void> => {
    const q = new URLSearchParams({ channel: 'stable-4.9', arch: 'arm64', version, id: uuid(id) });
    const res = await fetch(`${origin}/api/upgrades_info/graph?${q.toString()}`, { headers: { accept: 'application/json' } });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`poll ${id}: ${res.status}`);
  };
  const adoptionNow = async (): Promise<{ clusters: number; running: number } | undefined> => {
    const q = new URLSearchParams({ channel: 'stable-4.9', version: VERSION, from: start, points: '2' });
    const res = await fetch(`${origin}/api/admin/v1/fleet/adoption?${q.toString()}`, { headers: { authorization: `Bearer ${admin}` } });
    return ((await res.json()) as { value?: { samples: Array<{ clusters: number; running: number }> } }).value?.samples.at(-1);
  };
  const until = async (what: string, ok: () => Promise<boolean>): Promise<void> => {
    const deadline = Date.now() + 20_000;
    while (!(await ok())) {
      if (Date.now() > deadline) throw new Error(`${what}: not within 20 s`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  for (let i = 0; i < 10; i++) await poll(i, '4.9.15');
  await until('ten clusters recorded', async () => (await adoptionNow())?.clusters === 10);
  for (const i of [0, 1, 2, 3]) await poll(i, VERSION);
  await until('four updates recorded', async () => (await adoptionNow())?.running === 4);

  const { open } = await launch(t);
  const loaded = Date.now();
  const w = await open(`${origin}/#/fleet`);
  const { page } = w;
  const signIn = async (token: string): Promise<void> => {
    await page.getByLabel('Admin token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
  };
  await signIn(admin);

  await t.test('the fleet page: the rollout\'s fraction and the adoption over time, and the numbers now', async (t) => {
    const article = page.getByRole('article', { name: `Adoption of ${VERSION} in stable-4.9` });
    await article.locator('canvas').first().waitFor();
    const legend = await article.locator('.u-legend .u-series th').allTextContents();
    t.same(legend.map((l) => l.trim()), ['time', 'rollout fraction', 'adoption'], 'both series are drawn');
    const text = (await article.locator('.adoption-now').textContent()) ?? '';
    t.match(text, `4 of 10 recorded clusters on stable-4.9 run it (40.0%).`, 'adoption now: 4 of the 10');
    const offered = Number(/offered to ([\d.]+)%/.exec(text)?.[1]);
    between(t, offered, loaded, 'offered now (about 55%: two hours into four, from 10%)');

    // The cursor at the chart's ends: the legend gives each series' value there.
    const over = article.locator('.u-over');
    const box = (await over.boundingBox())!;
    const valuesAt = async (x: number): Promise<string[]> => {
      await page.mouse.move(box.x + x, box.y + box.height / 2);
      return (await article.locator('.u-legend .u-series td.u-value').allTextContents()).map((v) => v.trim());
    };
    const first = await valuesAt(1);
    t.same(first.slice(1), ['10.0%', '–'], 'at the start: the start percentage, and no cluster recorded yet');
    const last = await valuesAt(box.width - 1);
    t.equal(last[2], '40.0%', 'at the end: 40% adoption');
    const drawn = Number(last[1]!.replace('%', ''));
    t.ok(Math.abs(drawn - offered) < 0.5, `the drawn fraction at the end (${drawn}%) is the server's (${offered}%)`);

    const fast = page.getByRole('article', { name: `Adoption of ${VERSION} in fast-4.9` });
    t.match(await fast.locator('.adoption-now').textContent(), 'no cluster on fast-4.9 recorded yet', 'a rollout nobody polls for yet');
    await w.screenshot('fleet-rollout-adoption');
  });

  await t.test('a viewer sees the progress bars without buttons; a write forced anyway shows the 403', async (t) => {
    const v = await open(`${origin}/#/admin`);
    await v.page.getByLabel('Admin token').fill(viewer);
    await v.page.getByRole('button', { name: 'Sign in' }).click();
    await v.page.getByText('viewer token: read-only').waitFor();
    const asked = Date.now();
    await v.page.goto(`${origin}/#/release?version=${VERSION}&arch=arm64`);
    const stable = v.page.getByRole('article', { name: `Rollout of ${VERSION} in stable-4.9` });
    const bar = stable.getByRole('progressbar');
    await bar.waitFor();
    const now = Number(await bar.getAttribute('aria-valuenow'));
    between(t, now, asked, 'the bar\'s aria-valuenow');
    t.equal(await v.page.getByRole('article', { name: `Rollout of ${VERSION} in fast-4.9` }).getByRole('progressbar').count(), 1, 'one rollout per channel');
    t.equal(await v.page.getByRole('region', { name: 'Rollouts' }).getByRole('button').count(), 0, 'no buttons for a viewer');

    // The rollout's evidence and halting threshold, as the server gives them (this server records its fleet).
    const res = await fetch(`${origin}/api/admin/v1/rollouts?channel=stable-4.9`, { headers: { authorization: `Bearer ${viewer}` } });
    const given = ((await res.json()) as { value: Array<{ evidence: { eligible: number; sawEdge: number; updated: number; stalled: number } | null; haltOnStalled: number | null }> }).value[0]!;
    await t.test('the evidence, as the server gives it', async (t) => {
      const e = given.evidence;
      t.ok(e, 'a server that records its fleet gives evidence');
      const shown = (await stable.locator('.rollout-evidence').textContent()) ?? '';
      t.match(shown, `${e?.eligible} eligible cluster${e?.eligible === 1 ? '' : 's'}, ${e?.sawEdge} saw the update, ${e?.updated} updated, ${e?.stalled} stalled`);
      t.equal(await stable.getByText(/^when \d+ stalled cluster/).count(), given.haltOnStalled === null ? 0 : 1, 'the halting threshold when there is one');
    });

    // A tab that still believes it holds an admin token (the token was re-created as a viewer meanwhile).
    await v.page.evaluate("sessionStorage.setItem('kus.adminScope', 'admin')");
    await v.page.reload();
    await stable.getByRole('button', { name: 'Pause' }).click();
    const refused = stable.locator('.refused');
    await refused.waitFor();
    const said = (await refused.textContent()) ?? '';
    t.match(said, /KUS_ERR_FORBIDDEN: /, 'the code');
    t.match(said, new RegExp(`scope viewer, which may not POST /api/admin/v1/rollouts/stable-4\\.9/${VERSION.replace(/\./g, '\\.')}/pause`), 'and the message');
    t.equal(listed('stable-4.9').state, 'active', 'the server is unchanged');
    t.same(v.errors.filter((e) => !/status of 403/.test(e)), [], 'no console error besides the refused request');
    await v.page.close();
  });

  await t.test('an admin pauses, resumes and completes; abort asks first', async (t) => {
    await page.goto(`${origin}/#/release?version=${VERSION}&arch=arm64`);
    const card = page.getByRole('article', { name: `Rollout of ${VERSION} in stable-4.9` });
    const state = card.locator('.rollout-state');
    await state.waitFor();
    t.equal(await state.textContent(), 'active');
    t.same(await card.getByRole('button').allTextContents(), ['Pause', 'Complete', 'Abort']);

    await card.getByRole('button', { name: 'Pause' }).click();
    await card.getByRole('status').getByText('Paused.').waitFor();
    t.equal(await state.textContent(), 'paused', 'the page shows the new state');
    const paused = listed('stable-4.9');
    t.equal(paused.state, 'paused', 'the server paused it');
    t.equal(Number(await card.getByRole('progressbar').getAttribute('aria-valuenow')), Math.round(1000 * paused.pausedFraction!) / 10, 'the bar shows the frozen fraction');
    t.same(await card.getByRole('button').allTextContents(), ['Resume', 'Complete', 'Abort']);

    await card.getByRole('button', { name: 'Resume' }).click();
    await card.getByRole('status').getByText('Resumed.').waitFor();
    t.equal(await state.textContent(), 'active');
    t.equal(listed('stable-4.9').state, 'active', 'the server resumed it');

    await card.getByRole('button', { name: 'Abort' }).click();
    const dialog = card.getByRole('alertdialog', { name: 'Confirm: Abort the rollout' });
    t.match(await dialog.textContent(), 'No cluster following stable-4.9 will be offered 4.9.15-kylinsec.2 any more', 'abort says what it does');
    t.equal(await page.evaluate("document.activeElement?.getAttribute('role')"), 'alertdialog', 'the question takes the focus');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    t.equal(await dialog.count(), 0);
    t.equal(listed('stable-4.9').state, 'active', 'cancelled: still active');

    await card.getByRole('button', { name: 'Complete' }).click();
    await card.getByRole('alertdialog', { name: 'Confirm: Complete the rollout' }).getByRole('button', { name: 'Confirm' }).click();
    await card.getByRole('status').getByText('Completed.').waitFor();
    t.equal(await state.textContent(), 'completed');
    t.equal(await card.getByRole('progressbar').getAttribute('aria-valuenow'), '100', 'the bar is full');
    t.equal(await card.getByRole('button').count(), 0, 'nothing more to do');
    const completed = listed('stable-4.9');
    t.same([completed.state, completed.fraction], ['completed', 1], 'the server completed it');
    t.equal(listed('fast-4.9').state, 'active', 'the other channel\'s rollout is untouched');
    await w.screenshot('release-rollouts');

    const audit = JSON.parse(kus('audit', '--json')) as Array<{ action: string; actor: string }>;
    const mine = audit.filter((a) => a.actor === 'console-rollouts' && a.action.startsWith('rollout.')).map((a) => a.action);
    for (const a of ['rollout.pause', 'rollout.resume', 'rollout.complete']) t.ok(mine.includes(a), `audited ${a} as the console's token`);
  });

  await t.test('nothing left the origin; no console error', async (t) => {
    t.same(offOrigin(w, origin), []);
    t.same(w.errors, []);
  });
});
