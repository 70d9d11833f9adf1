// The console's read-only views in a real Chromium against a real `kus serve` seeded with the example graph-data:
// what a person sees on each view, and on every page no request off the origin and no console error.
import t, { type Test } from 'tap';
import { launch, noChromium, offOrigin, type WatchedPage } from './helpers/browser.js';
import { serverWithToken } from './helpers/serve-child.js';

const RISK = 'InsightsOperatorDegradedDisconnected';

t.test('console views', { skip: noChromium }, async (t) => {
  const { server } = await serverWithToken(t);
  const origin = server.url;
  const { open } = await launch(t);
  const clean = (t: Test, w: WatchedPage): void => {
    t.same(offOrigin(w, origin), [], 'no request leaves the origin');
    t.same(w.errors, [], 'no console error');
  };

  t.test('/ answers the console with a strict CSP and hashed, long-cached assets', async (t) => {
    const res = await fetch(`${origin}/`);
    t.equal(res.status, 200);
    const csp = res.headers.get('content-security-policy') ?? '';
    t.match(csp, /script-src 'self'/);
    t.notMatch(csp, /unsafe-inline|unsafe-eval/, 'no inline code allowed');
    const html = await res.text();
    t.notMatch(html, /<script>|<script [^>]*>[^<]/, 'no inline script');
    const script = /src="(\/assets\/main-[A-Z0-9]+\.js)"/.exec(html)?.[1];
    t.ok(script, 'the script name carries its hash');
    const asset = await fetch(`${origin}${script}`);
    t.equal(asset.status, 200);
    t.match(asset.headers.get('cache-control') ?? '', /immutable/);
    t.equal((await fetch(`${origin}/assets/nope.js`)).status, 404);
  });

  t.test('graph view: conditional edge with its risk, its details, blocked edge with its file, search', async (t) => {
    const w = await open(`${origin}/#/graph?channel=stable-4.9&arch=arm64`);
    const { page } = w;
    await page.waitForSelector('svg.graph[data-ready]');
    t.equal(await page.locator('.node').count(), 4, 'the four arm64 releases of stable-4.9 are drawn');
    t.match(await page.locator('.edge-label.conditional').first().textContent(), RISK, 'the risk is named on the conditional edge');
    await w.screenshot('graph-stable');
    await page.getByRole('link', { name: '4.9.15-kylinsec.2 → 4.9.21-kylinsec.1' }).click();
    const details = page.getByRole('complementary', { name: 'Details' });
    await details.locator('.risk-name').first().waitFor();
    t.equal(await details.locator('.risk-name').first().textContent(), RISK);
    t.match(await details.textContent(), /Insights operator of 4\.9\.21-kylinsec\.1 keeps failing/, 'the risk message is shown');
    t.match(await details.locator('pre code').first().textContent(), /cluster_operator_conditions/, 'PromQL is shown as code');
    t.match(page.url(), /edge=4\.9\.15-kylinsec\.2/, 'the selection is in the URL');

    await page.goto(`${origin}/#/graph?channel=candidate-4.9&arch=arm64`);
    await page.waitForSelector('.edge-label.blocked');
    t.match(await page.locator('.edge-label.blocked').first().textContent(), 'blocked: 4.9.15-kylinsec.1.yaml', 'the blocked edge names its file');
    await page.getByRole('link', { name: '4.9.0-rc.6 → 4.9.15-kylinsec.1' }).click();
    t.match(await page.locator('.blocked-by').textContent(), 'Blocked by blocked-edges/4.9.15-kylinsec.1.yaml');

    await page.getByLabel('Find version').fill('4.9.15-kylinsec.2');
    await page.getByLabel('Find version').press('Enter');
    await page.waitForSelector('.node.selected');
    t.equal(await page.locator('.node.selected text').textContent(), '4.9.15-kylinsec.2', 'search selects the release');
    t.ok(await page.locator('.edge.lit').count() > 0, 'its edges are highlighted');
    t.match(page.url(), /node=4\.9\.15-kylinsec\.2/);
    clean(t, w);
  });

  t.test('release page: payload, channels, conditional incoming edge with its risk, signatures', async (t) => {
    const w = await open(`${origin}/#/release?version=4.9.21-kylinsec.1&arch=arm64`);
    const { page } = w;
    const article = page.getByRole('article', { name: 'Release 4.9.21-kylinsec.1' });
    await article.waitFor();
    const text = (await article.textContent()) ?? '';
    t.match(text, /registry\.kylinsec\.example\/ocp4\/release@sha256:/, 'the payload pull spec');
    t.match(text, /candidate-4\.9, fast-4\.9, stable-4\.9/, 'the channels listing it');
    t.match(text, `conditional: ${RISK}`, 'a conditional incoming edge names its risk');
    t.ok(await page.getByRole('region', { name: 'Signatures' }).isVisible(), 'the signatures section is shown');
    await w.screenshot('release');
    clean(t, w);
  });

  t.test('path finder, keyboard only: a conditional-only path and its risk', async (t) => {
    const w = await open(`${origin}/#/path`);
    const { page } = w;
    await page.waitForSelector('#path-channel');
    // From the top of the page, Tab until the first field of the form: no mouse at all.
    for (let i = 0; i < 20 && (await page.evaluate('document.activeElement?.id')) !== 'path-from'; i++) await page.keyboard.press('Tab');
    t.equal(await page.evaluate('document.activeElement?.id'), 'path-from', 'Tab reaches the form');
    await page.keyboard.type('4.9.0-rc.6');
    await page.keyboard.press('Tab');
    await page.keyboard.type('4.9.21-kylinsec.1');
    await page.keyboard.press('Tab');
    await page.keyboard.type('candidate');
    await page.keyboard.press('Tab');
    await page.keyboard.type('arm64');
    await page.keyboard.press('Tab');
    t.equal(await page.evaluate('document.activeElement?.textContent'), 'Find path');
    await page.keyboard.press('Enter');
    await page.getByRole('region', { name: 'Why not' }).waitFor();
    t.match(await page.locator('.problem').first().textContent(), `takes a conditional update (risks: ${RISK})`);
    t.match(await page.getByRole('region', { name: 'Paths with conditional updates' }).textContent(), `conditional: ${RISK}`, 'the conditional hop is marked with its risk');
    t.match(page.url(), /from=4\.9\.0-rc\.6&to=4\.9\.21-kylinsec\.1&channel=candidate-4\.9&arch=arm64/, 'the answer has a URL');
    await w.screenshot('path');

    const json = await (await fetch(`${origin}/api/kus/v1/path?from=4.9.15&to=4.9.21-kylinsec.2&channel=stable-4.9&arch=arm64`)).json() as { problems: Array<{ code: string }> };
    t.same(json.problems.map((p) => p.code), ['to-not-in-channel'], 'the same answers are public JSON');
    clean(t, w);
  });

  t.test('what a cluster sees: VersionNotFound with what to do, and conditional updates with risks', async (t) => {
    const w = await open(`${origin}/#/cluster?version=4.9.0-rc.6&channel=stable-4.9&arch=arm64`);
    const { page } = w;
    await page.waitForSelector('.condition');
    t.match(await page.locator('.condition').textContent(), 'RetrievedUpdates=False VersionNotFound');
    t.match(await page.locator('.hint').first().textContent(), '4.9.0-rc.6 is in candidate-4.9');
    await page.goto(`${origin}/#/cluster?version=4.9.15&channel=stable-4.9&arch=arm64`);
    await page.waitForSelector('.condition.ok');
    t.match(await page.locator('main').textContent(), `Conditional updates (1)`);
    t.equal(await page.locator('.risk-name').first().textContent(), RISK);
    await w.screenshot('cluster');
    clean(t, w);
  });
});
