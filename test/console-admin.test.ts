// The console's admin actions in a real Chromium against a real `kus serve`: sign in with a token kept for the tab,
// each action's confirmation says what changes in the served graph, the server's refusal text is shown, the audit
// page lists who did what, and the token never appears in a URL.
import path from 'node:path';
import t from 'tap';
import { launch, noChromium, offOrigin } from './helpers/browser.js';
import { releaseImage } from './helpers/images.js';
import { registrySkip, startRegistry } from './helpers/registry.js';
import { runKus } from './helpers/run-cli.js';
import { serveChild, servedGraph } from './helpers/serve-child.js';
import { repoRoot } from './helpers/shared-fixtures.js';
import { tempTree } from './helpers/temp-tree.js';

t.test('console admin actions', { skip: noChromium }, async (t) => {
  const db = path.join(tempTree(t), 'kus.db');
  const created = runKus(['token', 'create', '--db', db, '--name', 'console-admin', '--json'], { KUS_TOKEN: '' });
  t.equal(created.status, 0, created.stderr);
  const { token } = JSON.parse(created.stdout) as { token: string };
  // A real registry (plain HTTP on 127.0.0.1) holding one release image, for the successful ingest below.
  const registry = registrySkip() ? undefined : await startRegistry(t);
  const server = await serveChild(t, ['--db', db, '--graph-data', path.join(repoRoot, 'graph-data')],
    { KUS_SIGNING_PASSPHRASE: 'console test passphrase', KUS_REGISTRY_INSECURE: 'true' });
  const origin = server.url;
  const { open } = await launch(t);
  const w = await open(`${origin}/#/admin`);
  const { page } = w;
  // Refused requests are logged by Chromium as failed resources; the test expects exactly those.
  const expectedFailures = new Set<number>();

  const act = async (title: string, values: Record<string, string>): Promise<{ changes: string; section: ReturnType<typeof page.getByRole> }> => {
    const section = page.getByRole('region', { name: title });
    for (const [label, value] of Object.entries(values)) await section.getByLabel(label, { exact: true }).fill(value);
    await section.getByRole('button', { name: 'Review…' }).click();
    const dialog = section.getByRole('alertdialog');
    await dialog.waitFor();
    const changes = (await dialog.textContent()) ?? '';
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await section.locator('.ok, .refused').waitFor();
    return { changes, section };
  };

  t.test('sign in: a wrong token is refused with the server text, a right one is kept for the tab', async (t) => {
    await page.getByLabel('Admin token').fill('not-a-token');
    expectedFailures.add(401);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('.error').waitFor();
    t.match(await page.locator('.error').textContent(), 'KUS_ERR_UNAUTHORIZED');
    await page.getByLabel('Admin token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Signed in.').waitFor();
    t.equal(await page.evaluate('document.cookie'), '', 'no cookie');
    t.equal(await page.evaluate('sessionStorage.length'), 2, 'kept (with its scope) in this tab\'s session storage');
    await w.screenshot('admin');
  });

  t.test('add to a channel (promote): the confirmation names the change, the graph has it', async (t) => {
    const { changes, section } = await act('Add to a channel', { Channel: 'stable-4.9', Version: '4.9.21-kylinsec.2' });
    t.match(changes, 'stable-4.9 will list 4.9.21-kylinsec.2');
    t.equal(await section.locator('.ok').textContent(), 'Done.');
    const graph = await servedGraph(origin, 'stable-4.9', 'arm64');
    t.ok(graph.nodes.some((n) => n.version === '4.9.21-kylinsec.2'), 'served to clusters');
  });

  t.test('block an edge: the confirmation lists the served edges that go, the path finder explains the block', async (t) => {
    const { changes, section } = await act('Block an edge', { 'From version': '4.9.0-rc.6', 'To version': '4.9.15' });
    t.match(changes, 'candidate-4.9 (arm64) stops offering 4.9.0-rc.6 → 4.9.15.');
    t.equal(await section.locator('.ok').textContent(), 'Done.');
    await page.goto(`${origin}/#/path?from=4.9.0-rc.6&to=4.9.15&channel=candidate-4.9&arch=arm64`);
    await page.locator('.problem').first().waitFor();
    t.match(await page.locator('.problem').first().textContent(), /the update 4\.9\.0-rc\.6 → 4\.9\.15 is blocked by blocked-edges\/\S+\.yaml/);
    await page.goto(`${origin}/#/admin`);
  });

  t.test('declare a risk: the edge becomes conditional, the graph view names the risk', async (t) => {
    const { changes } = await act('Declare a risk', {
      'From version': '4.9.15-kylinsec.1', 'To version': '4.9.15-kylinsec.2', 'Risk name': 'ConsoleTestRisk',
      URL: 'https://docs.kylinsec.example/console-test', Message: 'A risk declared from the console.', 'PromQL (empty: Always)': 'group(up{job="x"})',
    });
    t.match(changes, 'stable-4.9 (arm64): 4.9.15-kylinsec.1 → 4.9.15-kylinsec.2 becomes conditional on risk ConsoleTestRisk.');
    await page.goto(`${origin}/#/graph?channel=stable-4.9&arch=arm64&edge=4.9.15-kylinsec.1 → 4.9.15-kylinsec.2`);
    await page.locator('.details .risk-name').waitFor();
    t.equal(await page.locator('.details .risk-name').textContent(), 'ConsoleTestRisk');
    t.match(await page.locator('.details pre code').textContent(), 'group(up{job="x"})');
    await page.goto(`${origin}/#/admin`);
  });

  t.test('sign a release: the release page shows the key that signed it and the ConfigMap link', async (t) => {
    const key = await fetch(`${origin}/api/admin/v1/keys/generate`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'console-key', email: 'console@kylin.example' }),
    });
    t.equal(key.status, 200, 'a signing key exists');
    const { section } = await act('Sign a release', { Version: '4.9.21-kylinsec.2+arm64' });
    t.equal(await section.locator('.ok').textContent(), 'Done.');
    await page.goto(`${origin}/#/release?version=4.9.21-kylinsec.2&arch=arm64`);
    const signatures = page.getByRole('region', { name: 'Signatures' });
    await signatures.getByText('Signed by every active key.').waitFor();
    t.match(await signatures.locator('tbody').textContent(), /console-key.*signature-1/);
    const link = await signatures.getByRole('link', { name: 'Download the signature ConfigMap' }).getAttribute('href');
    const yaml = await fetch(`${origin}${link}`);
    t.equal(yaml.status, 200);
    t.match(await yaml.text(), 'release.openshift.io/verification-signatures');
    await page.goto(`${origin}/#/admin`);
  });

  t.test('remove a listed release: refused, with the server text', async (t) => {
    expectedFailures.add(409);
    const { changes, section } = await act('Remove a release', { Version: '4.9.15', Architecture: 'arm64' });
    t.match(changes, 'Channels listing it: candidate-4.9, fast-4.9, stable-4.9. The server refuses while they do.');
    t.match(await section.locator('.refused').textContent(), /The server refused:KUS_ERR_CONFLICT: .*4\.9\.15/);
  });

  t.test('ingest from an unreachable registry: refused, with the server text', async (t) => {
    expectedFailures.add(502);
    const { section } = await act('Ingest a release', { 'Pull spec': '127.0.0.1:9/ocp/release:4.9.99' });
    const text = (await section.locator('.refused').textContent()) ?? '';
    t.match(text, /KUS_ERR_\w+: .*127\.0\.0\.1:9/, `the refusal names the registry: ${text}`);
  });

  t.test('ingest by pull spec from a real registry: stored, listed in the channel, served', { skip: registrySkip() }, async (t) => {
    const digest = await registry!.push('kylin/release', '4.9.22-kylinsec.1',
      await releaseImage({ version: '4.9.22-kylinsec.1', previous: ['4.9.21-kylinsec.2'] }, 'arm64'));
    const pullSpec = `${registry!.host}/kylin/release@${digest}`;
    const { changes, section } = await act('Ingest a release', { 'Pull spec': pullSpec, 'Channels (comma-separated)': 'candidate-4.9' });
    t.match(changes, pullSpec, 'the confirmation names the image');
    t.equal(await section.locator('.ok').textContent(), 'Done.');
    const graph = await servedGraph(origin, 'candidate-4.9', 'arm64');
    const node = graph.nodes.find((n) => n.version === '4.9.22-kylinsec.1');
    t.ok(node, 'the ingested release is served in candidate-4.9');
    t.match(node?.payload, digest, 'by its digest');
  });

  t.test('audit page: who changed what, refusals included', async (t) => {
    await page.goto(`${origin}/#/audit`);
    await page.locator('table.audit tbody tr').first().waitFor();
    const rows = (await page.locator('table.audit tbody').textContent()) ?? '';
    for (const action of ['channel.add', 'edge.block', 'edge.risk', 'release.sign', 'release.remove']) t.match(rows, action);
    t.match(rows, 'console-admin', 'the token name is the actor');
    t.match(rows, 'refused: KUS_ERR_CONFLICT');
    await w.screenshot('audit');
  });

  t.test('the token never appeared in a URL and nothing left the origin', async (t) => {
    t.same([...w.requests, ...w.visited].filter((u) => u.includes(token)), [], 'no URL carries the token');
    t.same(offOrigin(w, origin), []);
    const unexpected = w.errors.filter((e) => ![...expectedFailures].some((s) => e.includes(`status of ${s}`)));
    t.same(unexpected, [], 'no console error besides the refused requests');
  });
});
