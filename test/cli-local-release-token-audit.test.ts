// `kus release ...`, `kus token ...` and `kus audit` on a local store (--db): output, exit codes and the rows they leave.
import t from 'tap';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { runKus } from './helpers/run-cli.js';
import { digest, json, kusOn, localActor as actor, payload, stored, succeeds } from './helpers/cli-local.js';
import { repoRoot } from './helpers/shared-fixtures.js';
import { tempTree } from './helpers/temp-tree.js';

if (!existsSync(path.join(repoRoot, 'dist/cli/main.js'))) throw new Error('dist/cli/main.js is missing: run "npm run build" first (npm test does it)');

t.test('read commands refuse a store that does not exist, and do not create it', async (t) => {
  const db = path.join(tempTree(t), 'nope', 'kus.db');
  for (const args of [['release', 'list'], ['channel', 'list'], ['edge', 'list'], ['token', 'list'], ['audit']]) {
    const r = runKus([...args, '--db', db], { KUS_TOKEN: '' });
    t.equal(r.status, 1, `${args.join(' ')} exits 1`);
    t.match(r.stderr, new RegExp(`^KUS_ERR_NOT_FOUND: there is no KUS store at "${db.replace(/[.]/g, '[.]')}"`), args.join(' '));
    t.equal(r.stdout, '');
  }
  t.notOk(existsSync(db), 'no store file was created');
});

t.test('releases: add, idempotent re-add, digest mismatch, warnings, list, show, remove', async (t) => {
  const db = path.join(tempTree(t), 'kus.db');
  const kus = kusOn(db);

  let r = kus('channel', 'create', 'candidate-5.0');
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, /^created channel candidate-5\.0 in store /);

  r = kus('release', 'add', '--version', '5.0.0', '--arch', 'arm64', '--payload', payload(1), '--channel', 'candidate-5.0',
    '--metadata', 'url=https://docs.kylinsec.example/5.0.0?a=b');
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, /^added 5\.0\.0\+arm64 to store /);
  t.match(r.stdout, new RegExp(`payload: ${payload(1)}`));
  t.equal(r.stderr, '');

  r = kus('release', 'add', '--version', '5.0.1', '--arch', 'arm64', '--payload', payload(2), '--previous', '5.0.0',
    '--previous', '4.9.99', '--json');
  t.equal(r.status, 0, r.stderr);
  const added = json<{ version: string; arch: string; payload: string; digest: string; previous: string[] }>(r);
  t.match(added, { version: '5.0.1', arch: 'arm64', payload: payload(2), digest: digest(2) });
  t.same(added.previous.slice().sort(), ['4.9.99', '5.0.0']);
  t.match(r.stderr, /^warning: .*4\.9\.99/m, 'a previous version that is not stored is a warning on stderr');

  const before = stored(db);
  r = kus('release', 'add', '--version', '5.0.0', '--arch', 'arm64', '--payload', payload(1));
  t.equal(r.status, 0, 'the same version and digest again is accepted');
  t.match(r.stdout, /already stored with this digest; nothing changed/);

  r = kus('release', 'add', '--version', '5.0.0', '--arch', 'arm64', '--payload', payload(3));
  t.equal(r.status, 1, 'another digest for a stored version is refused');
  t.match(r.stderr, /^KUS_ERR_DIGEST_MISMATCH: .*5\.0\.0/);
  t.match(r.stderr, /oc adm release new/, 'the message says how to rebuild under a new version');
  t.equal(r.stdout, '');
  t.same(stored(db).releases, before.releases, 'the releases did not change');

  r = kus('release', 'add', '--version', '5.0.2', '--arch', 'arm64', '--payload', 'registry.kylinsec.example/ocp4/release:5.0.2');
  t.equal(r.status, 1);
  t.match(r.stderr, /^KUS_ERR_INVALID_PAYLOAD: /);
  r = kus('release', 'add', '--version', '5.0', '--arch', 'arm64', '--payload', payload(4));
  t.equal(r.status, 1);
  t.match(r.stderr, /^KUS_ERR_INVALID_SEMVER: .*"5\.0"/);
  r = kus('release', 'add', '--version', '5.0.3', '--arch', 'arm64', '--payload', payload(5), '--metadata', 'novalue');
  t.equal(r.status, 2, 'a --metadata without = is a usage error');
  t.match(r.stderr, /^KUS_ERR_USAGE: --metadata "novalue" is not KEY=VALUE/);
  r = kus('release', 'add', '--version', '5.0.3', '--arch', 'arm64');
  t.equal(r.status, 2);
  t.match(r.stderr, /^KUS_ERR_USAGE: --payload is required/);

  r = kus('release', 'add', '--version', '5.0.0', '--arch', 'amd64', '--payload', payload(6));
  t.equal(r.status, 0, r.stderr);

  r = kus('release', 'list');
  t.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  t.match(lines[0], /^VERSION\s+ARCH\s+PAYLOAD$/);
  t.same(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 2).join(' ')), ['5.0.0 amd64', '5.0.0 arm64', '5.0.1 arm64']);
  t.equal(lines[1]!.indexOf(payload(6)), lines[0]!.indexOf('PAYLOAD'), 'columns are aligned');

  t.same(json<Array<{ version: string }>>(kus('release', 'list', '--arch', 'amd64', '--json')).map((x) => x.version), ['5.0.0']);
  const inCandidate = json<Array<{ version: string; arch: string }>>(kus('release', 'list', '--channel', 'candidate-5.0', '--json'));
  t.same(inCandidate.map((x) => `${x.version}+${x.arch}`).sort(), ['5.0.0+amd64', '5.0.0+arm64'], 'a channel lists every arch of a version');

  r = kus('release', 'show', '5.0.0', '--arch', 'arm64');
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, /^5\.0\.0\+arm64\n/);
  t.match(r.stdout, `digest:   ${digest(1)}`);
  t.match(r.stdout, 'url: https://docs.kylinsec.example/5.0.0?a=b', 'a metadata value may contain "="');
  const shown = json<Array<{ arch: string }>>(kus('release', 'show', '5.0.0', '--json'));
  t.same(shown.map((x) => x.arch).sort(), ['amd64', 'arm64'], 'show without --arch gives every arch');
  r = kus('release', 'show', '9.9.9');
  t.equal(r.status, 1);
  t.match(r.stderr, /^KUS_ERR_NOT_FOUND: .*9\.9\.9/);

  r = kus('release', 'remove', '5.0.0', '--arch', 'arm64');
  t.equal(r.status, 1, 'a release a channel lists is not removed without --force');
  t.match(r.stderr, /^KUS_ERR_CONFLICT: .*candidate-5\.0/);
  t.ok(stored(db).releases.some((x) => x.version === '5.0.0' && x.arch === 'arm64'), 'still stored');
  r = kus('release', 'remove', '5.0.1', '--arch', 'arm64');
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, /^removed 5\.0\.1\+arm64 from store /);
  r = kus('release', 'remove', '5.0.0', '--arch', 'arm64', '--force');
  t.equal(r.status, 0, r.stderr);
  t.same(stored(db).releases.map((x) => `${x.version}+${x.arch}`), ['5.0.0+amd64']);
  r = kus('release', 'remove', '5.0.0');
  t.equal(r.status, 2);
  t.match(r.stderr, /^KUS_ERR_USAGE: --arch is required/);
});

t.test('tokens: create (exact JSON), list, revoke', async (t) => {
  // The folder exists (only the default ./data/ is made for a store); the store file does not yet.
  const db = path.join(tempTree(t, { fresh: {} }), 'fresh', 'kus.db');
  const kus = kusOn(db);
  let r = kus('token', 'create', '--name', 'ci-release', '--json');
  t.equal(r.status, 0, `token create makes the store when it is missing: ${r.stderr}`);
  const created = json<Record<string, string>>(r);
  t.same(Object.keys(created), ['name', 'scope', 'token'], 'exactly {name, scope, token}');
  t.equal(created.name, 'ci-release');
  t.ok(created.token!.length >= 32, 'a long token');
  t.notMatch(r.stdout.replace(created.token!, ''), new RegExp(created.token!.slice(0, 16)), 'the token appears once');

  r = kus('token', 'create', '--name', 'alice');
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, /^created admin token alice in store .*shown only this once:\n\S{32,}\n$/);
  r = kus('token', 'create', '--name', 'alice');
  t.equal(r.status, 1);
  t.match(r.stderr, /^KUS_ERR_CONFLICT: .*alice/);
  r = kus('token', 'create', '--name', 'no spaces');
  t.equal(r.status, 1);
  t.match(r.stderr, /^KUS_ERR_BAD_REQUEST: token name "no spaces"/);

  r = kus('token', 'list');
  t.equal(r.status, 0, r.stderr);
  const rows = r.stdout.trimEnd().split('\n');
  t.match(rows[0], /^NAME\s+SCOPE\s+CREATED\s+LAST USED$/);
  t.match(rows[1], /^alice\s+admin\s+\d{4}-\d\d-\d\dT\S+\s+never$/);
  t.same(rows.slice(1).map((l) => l.split(/\s+/)[0]), ['alice', 'ci-release']);
  t.notMatch(r.stdout, created.token!, 'no token in the list');

  r = kus('token', 'revoke', 'alice');
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, /^revoked token alice/);
  t.same(json<Array<{ name: string }>>(kus('token', 'list', '--json')).map((x) => x.name), ['ci-release'], 'alice is no longer listed');
  r = kus('token', 'revoke', 'bob');
  t.equal(r.status, 1);
  t.match(r.stderr, /^KUS_ERR_NOT_FOUND: .*bob/);
  r = kus('token', 'create', '--name', 'alice', '--json');
  t.equal(r.status, 0, 'a revoked name can be given to a new token');
});

t.test('audit: every write and refused write, with the local actor', async (t) => {
  const db = path.join(tempTree(t), 'kus.db');
  const kus = kusOn(db);
  succeeds(t, kus('channel', 'create', 'candidate-5.0'));
  succeeds(t, kus('release', 'add', '--version', '5.0.0', '--arch', 'arm64', '--payload', payload(1)));
  t.equal(kus('release', 'add', '--version', '5.0.0', '--arch', 'arm64', '--payload', payload(2)).status, 1);

  const entries = stored(db).audit;
  t.ok(entries.length >= 3, `${entries.length} audit rows`);
  t.ok(entries.every((e) => e.actor === actor), `every row names ${actor}`);

  let r = kus('audit');
  t.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  t.match(lines[0], /^AT\s+ACTOR\s+ACTION\s+TARGET\s+OUTCOME$/);
  t.match(lines[1], new RegExp(`^\\S+\\s+${actor}\\s+\\S+\\s+.*refused: KUS_ERR_DIGEST_MISMATCH$`), 'newest first: the refusal');
  t.equal(lines.length - 1, entries.length);

  r = kus('audit', '--limit', '1', '--json');
  t.equal(r.status, 0, r.stderr);
  const one = json<Array<{ actor: string; outcome: string; error: { code: string } | null }>>(r);
  t.equal(one.length, 1);
  t.match(one[0], { actor, outcome: 'refused', error: { code: 'KUS_ERR_DIGEST_MISMATCH' } });
  for (const bad of ['all', '0', '1001']) {
    r = kus('audit', '--limit', bad);
    t.equal(r.status, 2);
    t.match(r.stderr, new RegExp(`^KUS_ERR_USAGE: --limit "${bad}" is not a whole number from 1 to 1000`));
  }
});
