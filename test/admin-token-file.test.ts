// `kus serve --admin-token-file FILE` (the deploy/ Secret's admin-token): the file's token is an admin token named
// "deploy"; a rotated file replaces it at the next start; an unusable file stops the start with KUS_ERR_CONFIG.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ADMIN_TOKEN_FILE_NAME, registerAdminToken } from '../src/services/admin-token-file.js';
import { Tokens } from '../src/services/tokens.js';
import { openStore } from '../src/store/index.js';
import { serveChild } from './helpers/serve-child.js';
import { repoRoot } from './helpers/shared.js';

const TOKEN_A = `kus_${'a'.repeat(40)}`;
const TOKEN_B = `kus_${'b'.repeat(40)}`;

t.test('registerAdminToken stores the token once, replaces a rotated one, audits without the secret', async (t) => {
  const store = openStore(path.join(t.testdir({}), 'kus.db'));
  t.teardown(() => store.close());
  const tokens = new Tokens({ store });
  t.equal(registerAdminToken(store, TOKEN_A), true, 'first registration changes the store');
  t.same(tokens.verify(TOKEN_A), { name: ADMIN_TOKEN_FILE_NAME, scope: 'admin' });
  t.equal(registerAdminToken(store, TOKEN_A), false, 'same token again: no change');
  t.equal(registerAdminToken(store, TOKEN_B), true, 'a rotated token replaces it');
  t.equal(tokens.verify(TOKEN_A), null, 'the old token no longer works');
  t.same(tokens.verify(TOKEN_B), { name: ADMIN_TOKEN_FILE_NAME, scope: 'admin' });
  const audit = store.audit.list(10);
  t.equal(audit.filter((a) => a.action === 'token.create' && a.actor === 'system:admin-token-file').length, 2, 'two audited registrations');
  t.notMatch(JSON.stringify(audit), /aaaa|bbbb/, 'the secret is never in the audit log');
});

t.test('kus serve --admin-token-file: the token authenticates admin calls; a bad file stops the start', { timeout: 120_000 }, async (t) => {
  const dir = t.testdir({});
  const file = path.join(dir, 'admin-token');
  writeFileSync(file, `${TOKEN_A}\n`);
  const db = path.join(dir, 'kus.db');
  const server = await serveChild(t, ['--db', db, '--admin-token-file', file]);
  const get = (token: string): Promise<Response> => fetch(`${server.url}/api/admin/v1/releases`, { headers: { authorization: `Bearer ${token}` } });
  t.equal((await get(TOKEN_A)).status, 200, 'the file\'s token is accepted');
  t.equal((await get(TOKEN_B)).status, 401, 'another token is not');
  await server.stop();

  writeFileSync(file, 'short\n');
  const cli = path.join(repoRoot, 'dist/cli/main.js');
  const bad = spawnSync(process.execPath, [cli, 'serve', '--host', '127.0.0.1', '--port', '0', '--db', db, '--admin-token-file', file], { encoding: 'utf8', timeout: 60_000 });
  t.equal(bad.status, 1, 'exit 1');
  t.match(bad.stderr, /^KUS_ERR_CONFIG: --admin-token-file ".*admin-token" must hold one token/m, 'names the file');
  t.notMatch(bad.stderr, /short/, 'does not print the secret');
});
