// A real headless Chromium (Debian's chromium, driven by playwright-core) with a fresh profile, and pages that record
// every request, console error and URL they visit, so tests can assert what a person sees and what left the page.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { repoRoot } from './shared-fixtures.js';
import { tempTree } from './temp-tree.js';

export const CHROMIUM = process.env.KUS_CHROMIUM ?? '/usr/bin/chromium';

/** tap's `skip` option: a message when Chromium is not installed (.ci/run installs it), else false. */
export const noChromium: string | false = existsSync(CHROMIUM) ? false : `${CHROMIUM} is absent: install Debian's chromium (.ci/run does)`;

export const RESULTS_DIR = path.join(repoRoot, 'test-results');

interface Teardown {
  teardown(fn: () => unknown): void;
}

export interface WatchedPage {
  page: Page;
  /** Every URL the page requested (documents, scripts, fetches…). */
  requests: string[];
  /** Every URL the top frame showed. */
  visited: string[];
  /** Console errors and uncaught exceptions. */
  errors: string[];
  /** Saves a screenshot as test-results/NAME.png. */
  screenshot(name: string): Promise<string>;
}

/** A fresh profile (playwright passes it as --user-data-dir) and the flags that keep Chromium off the network. */
export async function launch(t: Teardown): Promise<{ context: BrowserContext; open(url: string, size?: { width: number; height: number }): Promise<WatchedPage> }> {
  const profile = tempTree(t);
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync',
    ],
  });
  t.teardown(() => context.close());
  const open = async (url: string, size = { width: 1400, height: 900 }): Promise<WatchedPage> => {
    const page = await context.newPage();
    await page.setViewportSize(size);
    const watched: WatchedPage = {
      page,
      requests: [],
      visited: [],
      errors: [],
      async screenshot(name) {
        mkdirSync(RESULTS_DIR, { recursive: true });
        const file = path.join(RESULTS_DIR, `${name}.png`);
        await page.screenshot({ path: file });
        return file;
      },
    };
    page.on('request', (r) => watched.requests.push(r.url()));
    page.on('framenavigated', (f) => { if (f === page.mainFrame()) watched.visited.push(f.url()); });
    page.on('console', (m) => { if (m.type() === 'error') watched.errors.push(m.text()); });
    page.on('pageerror', (e) => watched.errors.push(String(e)));
    await page.goto(url);
    return watched;
  };
  return { context, open };
}

/** Requests that left the origin (none is allowed: disconnected sites are first-class users). */
export function offOrigin(watched: WatchedPage, origin: string): string[] {
  return watched.requests.filter((u) => !u.startsWith(`${origin}/`) && !u.startsWith('data:'));
}
