// `kus serve --tls-cert/--tls-key`: native HTTPS with a certificate signed by a private CA made with openssl. A client
// trusting the CA gets the graph; one that does not is refused; a replica (--follow-ca-file) and `kus mirror --ca-file`
// reach the HTTPS server; bad TLS settings stop the start.
import t, { type Test as Tap } from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { runKusAsync } from './helpers/run-cli.js';
import { serveChild } from './helpers/serve-child.js';
import { repoRoot } from './helpers/shared.js';

const cli = path.join(repoRoot, 'dist/cli/main.js');
const opensslSkip = spawnSync('openssl', ['version']).status === 0 ? false : 'openssl is missing';

function openssl(dir: string, args: string[]): void {
  const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
}

/** A CA and a server certificate for 127.0.0.1 and localhost, signed by it; and a second, unrelated key. */
function makeCertificates(dir: string): void {
  openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=KUS test CA']);
  openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1']);
  writeFileSync(path.join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  openssl(dir, ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'ext.cnf']);
  openssl(dir, ['genrsa', '-out', 'other.key', '2048']);
}

interface Child {
  url: string;
  output: () => string;
}

/** `kus serve` with TLS flags; resolves with its https:// URL. */
async function serveTls(t: Tap, args: string[]): Promise<Child> {
  const child = spawn(process.execPath, [cli, 'serve', '--host', '127.0.0.1', '--port', '0', ...args], { env: { ...process.env, KUS_LOG_LEVEL: 'warn' } });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    const m = /kus: listening on (https:\/\/127\.0\.0\.1:\d+)/.exec(output);
    if (m) return { url: m[1]!, output: () => output };
    if (child.exitCode !== null) throw new Error(`kus serve exited: ${output}`);
    if (Date.now() > deadline) throw new Error(`kus serve did not listen: ${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function get(url: string, ca: Buffer | undefined): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { headers: { accept: 'application/json' }, ...(ca ? { ca } : {}) }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
  });
}


t.test('HTTPS with a private CA', { skip: opensslSkip, timeout: 300_000 }, async (t) => {
  const dir = t.testdir({});
  makeCertificates(dir);
  const ca = readFileSync(path.join(dir, 'ca.pem'));
  const server = await serveTls(t, ['--db', path.join(dir, 'kus.db'), '--tls-cert', path.join(dir, 'server.pem'), '--tls-key', path.join(dir, 'server.key')]);
  t.match(server.url, /^https:\/\//, 'the printed URL is https');
  const graph = `${server.url}/api/upgrades_info/graph?channel=stable-4.9&arch=arm64`;

  const trusted = await get(graph, ca);
  t.equal(trusted.status, 200, 'a client trusting the CA gets the graph');
  t.match(JSON.parse(trusted.body), { version: 1 }, 'a graph document');
  t.equal((await get(`${server.url}/readyz`, ca)).status, 200, 'probes over HTTPS too');
  await t.rejects(get(graph, undefined), { code: /UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY/ }, 'a client without the CA refuses the certificate');
  const plain = await fetch(graph.replace('https:', 'http:')).then((r) => r.status, (e: Error) => e.message);
  t.not(plain, 200, `plain HTTP is not served (${plain})`);

  // A replica follows the HTTPS primary when told to trust its CA; and kus mirror reads the graph from it.
  const replica = await serveChild(t, ['--follow', server.url, '--follow-interval', '1', '--follow-ca-file', path.join(dir, 'ca.pem'), '--db', path.join(dir, 'replica.db')]);
  const deadline = Date.now() + 30_000;
  while ((await fetch(`${replica.url}/readyz`)).status !== 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const fromReplica = await (await fetch(`${replica.url}/api/upgrades_info/graph?channel=stable-4.9&arch=arm64`, { headers: { accept: 'application/json' } })).text();
  t.equal(fromReplica, trusted.body, 'the replica serves the HTTPS primary\'s graph');

  const mirrored = await runKusAsync(['mirror', '--from', `${server.url}/api/upgrades_info/graph`, '--channel', 'stable-4.9', '--arch', 'arm64',
    '--ca-file', path.join(dir, 'ca.pem'), '--db', path.join(dir, 'mirror.db')]);
  t.equal(mirrored.status, 0, `kus mirror --ca-file over HTTPS: ${mirrored.stderr}`);
  const untrusted = await runKusAsync(['mirror', '--from', `${server.url}/api/upgrades_info/graph`, '--channel', 'stable-4.9', '--arch', 'arm64', '--db', path.join(dir, 'mirror2.db')]);
  t.equal(untrusted.status, 1);
  t.match(untrusted.stderr, /^KUS_ERR_UPSTREAM: cannot reach "https:\/\/127\.0\.0\.1:\d+\/api\/upgrades_info\/graph\?channel=stable-4\.9&arch=arm64": .*certificate/m, 'without the CA: refused, naming the URL');
});

t.test('bad TLS settings stop the start with KUS_ERR_CONFIG', { skip: opensslSkip, timeout: 120_000 }, async (t) => {
  const dir = t.testdir({});
  makeCertificates(dir);
  const run = (args: string[]) => spawnSync(process.execPath, [cli, 'serve', '--host', '127.0.0.1', '--port', '0', '--db', path.join(dir, 'k.db'), ...args], { encoding: 'utf8', timeout: 30_000 });
  const cases: Array<[string[], RegExp]> = [
    [['--tls-cert', path.join(dir, 'server.pem')], /^KUS_ERR_CONFIG: --tls-cert ".*server\.pem" is given without --tls-key/m],
    [['--tls-cert', path.join(dir, 'server.pem'), '--tls-key', path.join(dir, 'missing.key')], /^KUS_ERR_CONFIG: --tls-key ".*missing\.key" cannot be read/m],
    [['--tls-cert', path.join(dir, 'server.pem'), '--tls-key', path.join(dir, 'other.key')], /^KUS_ERR_CONFIG: --tls-cert ".*server\.pem" and --tls-key ".*other\.key" are not a usable certificate and key/m],
  ];
  for (const [args, message] of cases) {
    const r = run(args);
    t.equal(r.status, 1, args.join(' '));
    t.match(r.stderr, message);
  }
});
