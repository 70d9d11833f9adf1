// A real registry for tests: Debian's docker-registry on 127.0.0.1 (open, htpasswd or token auth), and a push helper.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSign, randomBytes, X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http, { type IncomingMessage, type Server } from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Image } from './images.js';

export const REGISTRY_BIN = '/usr/bin/docker-registry';

/** tap's `skip`: a message when a tool the registry tests need is missing. */
export function registrySkip(): string | false {
  if (!existsSync(REGISTRY_BIN)) return `${REGISTRY_BIN} is missing (apt-get install docker-registry)`;
  if (spawnSync('openssl', ['version']).status !== 0) return 'openssl is missing (apt-get install openssl)';
  return false;
}

interface Teardown {
  teardown(fn: () => void | Promise<void>): void;
}

export const USER = 'kus-ci';
export const PASSWORD = 'pa55-word';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function tempDir(t: Teardown): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kus-registry-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** bcrypt, the only hash docker-registry's htpasswd accepts, from perl's crypt() (glibc/libxcrypt on Debian). */
function bcrypt(password: string): string {
  const alphabet = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const salt = [...randomBytes(22)].map((b) => alphabet[b % 64]).join('').replace(/.$/, 'e');
  const r = spawnSync('perl', ['-e', 'print crypt($ARGV[0], $ARGV[1])', password, `$2b$05$${salt}`], { encoding: 'utf8' });
  if (r.status !== 0 || !r.stdout.startsWith('$2b$')) throw new Error(`perl crypt() cannot make bcrypt hashes: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

/** A token service as docker_auth would be: Basic login, RS256 JWTs with an x5c header the registry verifies. */
export class TokenServer {
  readonly service = 'kus-test-registry';
  readonly issuer = 'kus-test-token-issuer';
  /** Requests it answered (any status), to check token caching. */
  requests: Array<{ scope: string[]; user: string | null; status: number }> = [];
  private server: Server | undefined;
  url = '';

  constructor(private readonly key: string, private readonly cert: string) {}

  /** Signs a token granting `access`; also used by the push helper. */
  mint(access: Array<{ type: string; name: string; actions: string[] }>, subject = USER, expiresIn = 300): string {
    const der = new X509Certificate(this.cert).raw;
    const now = Math.floor(Date.now() / 1000);
    const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', x5c: [der.toString('base64')] }));
    const claims = b64url(JSON.stringify({
      iss: this.issuer, sub: subject, aud: this.service, exp: now + expiresIn, nbf: now - 10, iat: now,
      jti: randomBytes(8).toString('hex'), access,
    }));
    const signature = createSign('RSA-SHA256').update(`${header}.${claims}`).sign(this.key);
    return `${header}.${claims}.${b64url(signature)}`;
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as net.AddressInfo).port}/token`;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const scope = url.searchParams.getAll('scope');
    const auth = req.headers.authorization ?? '';
    let user: string | null = null;
    let ok = false;
    if (auth.startsWith('Basic ')) {
      const [u, p] = Buffer.from(auth.slice(6), 'base64').toString().split(':');
      user = u ?? null;
      ok = u === USER && p === PASSWORD;
    }
    const status = ok && url.searchParams.get('service') === this.service ? 200 : 401;
    this.requests.push({ scope, user, status });
    if (status !== 200) {
      res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Basic realm="kus-test-token"' });
      res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'bad username or password' }] }));
      return;
    }
    const access = scope.map((s) => {
      const [type, name, actions] = s.split(':');
      return { type: type!, name: name!, actions: (actions ?? '').split(',') };
    });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ token: this.mint(access), expires_in: 300, issued_at: new Date().toISOString() }));
  }
}

export type RegistryAuth = 'none' | 'htpasswd' | 'token';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** One request over node:http(s), trusting `ca` (fetch cannot be given a CA). */
function request(url: string, method: string, headers: Record<string, string>, body: Buffer | undefined, ca: string | undefined): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const options = { method, headers: { ...headers, ...(body ? { 'content-length': String(body.length) } : {}) }, agent: false as const };
    const req = u.protocol === 'https:' ? https.request(u, { ...options, ca }) : http.request(u, options);
    req.on('response', (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export class TestRegistry {
  /** `127.0.0.1:PORT`, as it appears in pull specs. */
  host = '';
  private child: ChildProcess | undefined;
  private log = '';
  tokens: TokenServer | undefined;
  /** PEM of the registry's self-signed certificate when it serves TLS. */
  ca: string | undefined;

  constructor(private readonly dir: string, readonly auth: RegistryAuth, private readonly port: number) {
    this.host = `127.0.0.1:${port}`;
  }

  get url(): string {
    return `${this.ca ? 'https' : 'http'}://${this.host}`;
  }

  /** Path of a file holding the registry's CA certificate (TLS registries only). */
  get caFile(): string {
    return path.join(this.dir, 'tls.crt');
  }

  private call(url: string, method: string, headers: Record<string, string> = {}, body?: Buffer): Promise<Answer> {
    return request(url, method, headers, body, this.ca);
  }

  /** Starts (or restarts, same port and storage) the registry and waits until /v2/ answers. */
  async start(): Promise<void> {
    const child = spawn(REGISTRY_BIN, ['serve', path.join(this.dir, 'config.yml')], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stdout!.on('data', (c: Buffer) => (this.log += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (this.log += c.toString()));
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`docker-registry exited with ${child.exitCode}: ${this.log}`);
      const status = await this.call(`${this.url}/v2/`, 'GET').then((r) => r.status, () => 0);
      if (status === 200 || status === 401) return;
      if (Date.now() > deadline) throw new Error(`docker-registry did not answer within 15 s: ${this.log}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Kills the registry process (storage is kept, so start() brings the same content back). */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /** A dockerconfigjson with this registry's credentials (or wrong ones). */
  pullSecret(password = PASSWORD): string {
    const file = path.join(this.dir, `auth-${randomBytes(4).toString('hex')}.json`);
    writeFileSync(file, JSON.stringify({ auths: { [this.host]: { auth: Buffer.from(`${USER}:${password}`).toString('base64') } } }));
    return file;
  }

  private async authHeader(repo: string): Promise<Record<string, string>> {
    if (this.auth === 'htpasswd') return { authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}` };
    if (this.auth === 'token') return { authorization: `Bearer ${this.tokens!.mint([{ type: 'repository', name: repo, actions: ['pull', 'push'] }])}` };
    return {};
  }

  /** Pushes blobs (monolithic upload), child manifests by digest, then the manifest (by tag, or by digest when tag is null). */
  async push(repo: string, tag: string | null, img: Image): Promise<string> {
    const auth = await this.authHeader(repo);
    for (const child of img.children) await this.push(repo, null, child);
    for (const b of img.blobs) {
      const head = await this.call(`${this.url}/v2/${repo}/blobs/${b.digest}`, 'HEAD', auth);
      if (head.status === 200) continue;
      const start = await this.call(`${this.url}/v2/${repo}/blobs/uploads/`, 'POST', auth);
      if (start.status !== 202) throw new Error(`upload start answered ${start.status}: ${start.text}`);
      const location = new URL(String(start.headers.location), this.url);
      location.searchParams.set('digest', b.digest);
      const put = await this.call(location.href, 'PUT', { ...auth, 'content-type': 'application/octet-stream' }, b.bytes);
      if (put.status !== 201) throw new Error(`blob upload answered ${put.status}: ${put.text}`);
    }
    const ref = tag ?? img.manifest.digest;
    const put = await this.call(`${this.url}/v2/${repo}/manifests/${ref}`, 'PUT', { ...auth, 'content-type': img.manifest.mediaType }, img.manifest.bytes);
    if (put.status !== 201) throw new Error(`manifest PUT ${repo}:${ref} answered ${put.status}: ${put.text}`);
    const digest = put.headers['docker-content-digest'];
    if (digest !== img.manifest.digest) throw new Error(`registry says ${digest}, expected ${img.manifest.digest}`);
    return digest;
  }

  /** Deletes a tag's manifest (the registry has deletes enabled), to test moving tags. */
  async deleteManifest(repo: string, digest: string): Promise<void> {
    const res = await this.call(`${this.url}/v2/${repo}/manifests/${digest}`, 'DELETE', await this.authHeader(repo));
    if (res.status !== 202) throw new Error(`DELETE answered ${res.status}`);
  }
}

function openssl(args: string[]): void {
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
}

function writeConfig(dir: string, port: number, auth: RegistryAuth, tokens: TokenServer | undefined, tls: boolean): void {
  const lines = [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${path.join(dir, 'storage')}`,
    '  delete:',
    '    enabled: true',
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    '  secret: kus-test-secret',
  ];
  if (tls) {
    // A self-signed certificate for 127.0.0.1: clients must be given it as their CA.
    openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'tls.key'), '-out', path.join(dir, 'tls.crt'),
      '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1']);
    lines.push('  tls:', `    certificate: ${path.join(dir, 'tls.crt')}`, `    key: ${path.join(dir, 'tls.key')}`);
  }
  if (auth === 'htpasswd') {
    writeFileSync(path.join(dir, 'htpasswd'), `${USER}:${bcrypt(PASSWORD)}\n`);
    lines.push('auth:', '  htpasswd:', '    realm: kus-test', `    path: ${path.join(dir, 'htpasswd')}`);
  }
  if (auth === 'token') {
    lines.push('auth:', '  token:', `    realm: ${tokens!.url}`, `    service: ${tokens!.service}`, `    issuer: ${tokens!.issuer}`,
      `    rootcertbundle: ${path.join(dir, 'token.crt')}`);
  }
  writeFileSync(path.join(dir, 'config.yml'), `${lines.join('\n')}\n`);
}

/** Starts a registry (and for `token` its token service) for the test; everything is stopped at teardown. */
export async function startRegistry(t: Teardown, auth: RegistryAuth = 'none', options: { tls?: boolean } = {}): Promise<TestRegistry> {
  const dir = tempDir(t);
  const port = await freePort();
  let tokens: TokenServer | undefined;
  if (auth === 'token') {
    const keyFile = path.join(dir, 'token.key');
    const certFile = path.join(dir, 'token.crt');
    openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=kus-test-token-signer']);
    tokens = new TokenServer(readFileSync(keyFile, 'utf8'), readFileSync(certFile, 'utf8'));
    await tokens.start();
    t.teardown(() => tokens!.stop());
  }
  writeConfig(dir, port, auth, tokens, options.tls === true);
  const registry = new TestRegistry(dir, auth, port);
  if (options.tls) registry.ca = readFileSync(registry.caFile, 'utf8');
  registry.tokens = tokens;
  t.teardown(() => registry.stop());
  await registry.start();
  return registry;
}
