// The console with a viewer token, in a real Chromium against a real `kus serve`: it signs in read-only, every action
// is disabled and says why, the audit page reads; a write attempted anyway (a tab that still believes it is admin)
// shows the server's 403 text. A fleet-report token cannot sign in at all.
import path from 'node:path';
import t from 'tap';
import { launch, noChromium } from './helpers/browser.js';
import { createToken } from './helpers/run-cli.js';
import { serveChild, servedGraph } from './helpers/serve-child.js';
import { repoRoot } from './helpers/shared-fixtures.js';
import { tempTree } from './helpers/temp-tree.js';

t.test('console with a viewer token', { skip: noChromium }, async (t) => {
  const db = path.join(tempTree(t), 'kus.db');
  const make = (name: string, scope: string): string => createToken(db, name, scope);
  const viewer = make('console-viewer', 'viewer');
  const replica = make('replica', 'fleet-report');
  const server = await serveChild(t, ['--db', db, '--graph-data', path.join(repoRoot, 'graph-data')]);
  const { open } = await launch(t);
  const w = await open(`${server.url}/#/admin`);
  const { page } = w;
  const signIn = async (token: string): Promise<void> => {
    await page.getByLabel('Admin token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
  };

  await t.test('a fleet-report token is refused at sign-in with the server\'s text', async (t) => {
    await signIn(replica);
    await page.locator('.error').waitFor();
    t.match(await page.locator('.error').textContent(), /KUS_ERR_FORBIDDEN.*scope fleet-report/);
    t.equal(await page.evaluate('sessionStorage.length'), 0, 'nothing kept');
  });

  await t.test('a viewer signs in read-only: every action is disabled', async (t) => {
    await signIn(viewer);
    await page.getByText('viewer token: read-only').waitFor();
    const buttons = page.getByRole('button', { name: 'Review…' });
    const n = await buttons.count();
    t.ok(n >= 6, `${n} actions`);
    for (let i = 0; i < n; i++) t.ok(await buttons.nth(i).isDisabled(), `action ${i} disabled`);
    await page.goto(`${server.url}/#/audit`);
    await page.locator('table.audit').waitFor();
    t.match(await page.locator('table.audit caption').textContent(), /Audit log \(\d+ entries/, 'the audit log reads');
  });

  await t.test('a write attempted anyway shows the 403 and changes nothing', async (t) => {
    // A tab that still believes it holds an admin token (e.g. the token was re-created as a viewer meanwhile).
    await page.evaluate("sessionStorage.setItem('kus.adminScope', 'admin')");
    await page.goto(`${server.url}/#/admin`);
    await page.reload();
    const section = page.getByRole('region', { name: 'Add to a channel' });
    await section.getByLabel('Channel', { exact: true }).fill('stable-4.9');
    await section.getByLabel('Version', { exact: true }).fill('4.9.21-kylinsec.2');
    await section.getByRole('button', { name: 'Review…' }).click();
    await section.getByRole('alertdialog').getByRole('button', { name: 'Confirm' }).click();
    await section.locator('.refused').waitFor();
    const text = (await section.locator('.refused').textContent()) ?? '';
    t.match(text, /KUS_ERR_FORBIDDEN/);
    t.match(text, /scope viewer, which may not POST \/api\/admin\/v1\/channels\/stable-4\.9\/versions/);
    t.match(text, /sign in with a token of scope admin/);
    const graph = await servedGraph(server.url, 'stable-4.9', 'arm64');
    t.notOk(graph.nodes.some((x) => x.version === '4.9.21-kylinsec.2'), 'the channel is unchanged');
    const unexpected = w.errors.filter((e) => !/status of 403/.test(e));
    t.same(unexpected, [], 'no console errors besides the refused requests');
  });
});
