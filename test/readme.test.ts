// The README's shell blocks (quick start, publishing, the signing walkthrough, disconnected sites) run as written,
// with only hosts, ports and paths substituted, against real `kus serve` processes, a real registry and `kus` on PATH.
// Lines that need a cluster, docker or the whole test suite are skipped, each by a rule named below, so the README
// cannot drift from the product again.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { releaseImage } from './helpers/images.js';
import { freePort, registrySkip, startRegistry } from './helpers/registry.js';
import { serveChild } from './helpers/serve-child.js';
import { repoRoot } from './helpers/shared-fixtures.js';
import { jsKey, jsSign } from './helpers/signing.js';
import { tempTree } from './helpers/temp-tree.js';

const SECTIONS = ['Quick start', 'Publishing a release', 'Upgrading a custom release without --force', 'Disconnected sites'] as const;
type Section = (typeof SECTIONS)[number];

/** Lines not run, and why. Every README line that is not run must match one of these. */
const SKIPPED: Array<[RegExp, string]> = [
  [/^npm ci && npm test$/, 'runs the whole test suite, of which this test is part'],
  [/^oc /, 'needs an OpenShift cluster'],
  [/\| oc apply/, 'pipes into oc, which needs an OpenShift cluster'],
  [/^docker /, 'needs docker'],
  [/^cvo-probe /, 'the cluster verifier; test/signatures-cvo.test.ts runs it on these signatures'],
];
/** Lines the test runs itself, because they do not return: a server started in the background. */
const STARTED: Array<[RegExp, string]> = [
  [/^npm ci && npm start$/, 'npm start, in the background (npm ci skipped: node_modules are installed; the build ran before the tests)'],
  [/^kus serve /, 'kus serve, in the background on 127.0.0.1 and a free port'],
];

/** The ```sh blocks of each section, as logical lines (continuations joined, list indentation removed). */
function readmeCommands(): Map<Section, string[][]> {
  const out = new Map<Section, string[][]>();
  let section: string | undefined;
  let block: string[] | undefined;
  for (const raw of readFileSync(path.join(repoRoot, 'README.md'), 'utf8').split('\n')) {
    const line = raw.trim();
    if (block) {
      if (line === '```') {
        const logical: string[] = [];
        for (const l of block) {
          if (logical.length > 0 && logical.at(-1)!.endsWith('\\')) logical[logical.length - 1] = `${logical.at(-1)!.slice(0, -1).trimEnd()} ${l}`;
          else if (l !== '') logical.push(l);
        }
        if ((SECTIONS as readonly string[]).includes(section ?? '')) out.set(section as Section, [...(out.get(section as Section) ?? []), logical]);
        block = undefined;
      } else block.push(line);
      continue;
    }
    if (raw.startsWith('## ')) section = raw.slice(3).trim();
    else if (line === '```sh') block = [];
  }
  return out;
}

const skip = registrySkip() || (spawnSync('jq', ['--version']).status === 0 ? false : 'jq is not installed (the README pipes into it; .ci/run installs it)');

t.test('the README shell blocks run as written', { skip, timeout: 600_000 }, async (t) => {
  const blocks = readmeCommands();
  t.same([...blocks.keys()], [...SECTIONS], 'every section has shell blocks');
  const work = tempTree(t);
  const state = path.join(work, '.exported.sh');
  writeFileSync(state, '');
  // `kus` on PATH, as the package's bin would put it.
  const bin = tempTree(t);
  writeFileSync(path.join(bin, 'kus'), `#!/bin/sh\nexec "${process.execPath}" "${path.join(repoRoot, 'dist/cli/main.js')}" "$@"\n`);
  chmodSync(path.join(bin, 'kus'), 0o755);
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${bin}:${process.env.PATH}`, KUS_DB: '', KUS_SERVER: '', KUS_TOKEN: '', KUS_GRAPH_DATA: '', KUS_LOG_LEVEL: 'warn' };

  /** Runs one README line in bash, in the work directory, with the variables earlier lines exported. */
  const sh = (line: string): { status: number | null; stdout: string; stderr: string } => {
    const script = `set -eo pipefail\nsource ${JSON.stringify(state)}\n${line}\nexport -p > ${JSON.stringify(state)}\n`;
    const r = spawnSync('bash', ['-c', script], { cwd: work, env, encoding: 'utf8', timeout: 120_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const exported = (name: string): string | undefined => {
    const m = new RegExp(`^declare -x ${name}="(.*)"$`, 'm').exec(readFileSync(state, 'utf8'));
    return m?.[1];
  };

  const run = async (section: Section, substitute: Array<[string, string]>, started: (line: string) => Promise<void>): Promise<Map<string, string>> => {
    const outputs = new Map<string, string>();
    for (const block of blocks.get(section)!) {
      for (const written of block) {
        if (written.startsWith('#')) continue;
        let line = written;
        for (const [from, to] of substitute) line = line.split(from).join(to);
        const skipped = SKIPPED.find(([re]) => re.test(written));
        if (skipped) {
          t.comment(`SKIP README (${section}): ${written}  -- ${skipped[1]}`);
          continue;
        }
        const start = STARTED.find(([re]) => re.test(written));
        if (start) {
          t.comment(`STARTED README (${section}): ${written}  -- ${start[1]}`);
          await started(line);
          continue;
        }
        const r = sh(line);
        t.equal(r.status, 0, `README (${section}) exits 0: ${written}\n  ran: ${line}\n  stderr: ${r.stderr.slice(-2000)}`);
        if (r.status !== 0) return outputs;
        for (const name of ['KUS_SERVER', 'KUS_TOKEN']) {
          if (new RegExp(`export ${name}=`).test(line)) t.ok(exported(name), `${written}: ${name} is not empty`);
        }
        outputs.set(written, r.stdout);
      }
    }
    return outputs;
  };

  // Quick start: `npm start` on a free port and a store in the work directory.
  const qsDb = path.join(work, 'quick-start.db');
  const qsPort = await freePort();
  let qsUrl = '';
  const quick = await run('Quick start', [['http://localhost:8080', `http://127.0.0.1:${qsPort}`]], async () => {
    const child = spawn('npm', ['start', '--ignore-scripts', '--silent'], {
      cwd: repoRoot, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...env, KUS_HOST: '127.0.0.1', KUS_PORT: String(qsPort), KUS_DB: qsDb },
    });
    let output = '';
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    t.teardown(() => {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        // already gone
      }
    });
    const deadline = Date.now() + 60_000;
    while (!/kus: listening on (http:\/\/\S+) /.test(output)) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`npm start did not listen: ${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    qsUrl = /kus: listening on (http:\/\/\S+) /.exec(output)![1]!;
  });
  t.equal(qsUrl, `http://127.0.0.1:${qsPort}`, 'npm start listened');
  const curl = [...quick.entries()].find(([l]) => l.startsWith('curl '));
  t.match(curl?.[1], /InsightsOperatorDegradedDisconnected/, 'the curl shows the conditional update the README describes');

  // Publishing: against the quick-start server and its store.
  await run('Publishing a release', [['http://127.0.0.1:8080', qsUrl], ['./data/kus.db', qsDb]], () => Promise.reject(new Error('no server in this section')));
  const graph = await (await fetch(`${qsUrl}/api/upgrades_info/graph?channel=stable-4.9&arch=arm64`, { headers: { accept: 'application/json' } })).json() as { nodes: Array<{ version: string }> };
  t.ok(graph.nodes.some((n) => n.version === '4.9.22-kylinsec.1'), 'the published release is served in stable-4.9');

  // The signing walkthrough: a registry holding 1.2.0 and 1.2.1, a second server with --require-signatures.
  const registry = await startRegistry(t);
  const d120 = await registry.push('kylin/release', '1.2.0', await releaseImage({ version: '1.2.0' }, 'arm64'));
  const d121 = await registry.push('kylin/release', '1.2.1', await releaseImage({ version: '1.2.1', previous: ['1.2.0'] }, 'arm64'));
  const signDb = path.join(work, 'kus.db');
  const passFile = path.join(work, 'kus-signing');
  writeFileSync(passFile, 'a long signing passphrase\n');
  // Step 3's offline signer: its public key and signatures of 1.2.0's and 1.2.1's claims, as gpg would make them.
  const offline = await jsKey({ name: 'offline' });
  writeFileSync(path.join(work, 'offline.asc'), offline.publicKey.armor());
  for (const [version, digest] of [['1.2.0', d120], ['1.2.1', d121]] as const) {
    const claimText = JSON.stringify({
      critical: { type: 'atomic container signature', image: { 'docker-manifest-digest': digest }, identity: { 'docker-reference': `${registry.host}/kylin/release` } },
      optional: { creator: 'offline signer' },
    });
    writeFileSync(path.join(work, `offline-${version}.sig`), await jsSign(claimText, offline.privateKey));
  }
  // The server's URL is known once the walkthrough's `kus serve` line started it.
  const signingSubst: Array<[string, string]> = [
    ['https://kus.kylin.example', '@SIGN_URL@'], ['/var/lib/kus/kus.db', signDb], ['/run/secrets/kus-signing', passFile], ['registry.kylin.example', registry.host],
    ['<digest-1.2.0>', d120.replace(/^sha256:/, '')], ['<digest-1.2.1>', d121.replace(/^sha256:/, '')],
  ];
  const signing = await run('Upgrading a custom release without --force', signingSubst, async (line) => {
    const args = line.split(/\s+/).slice(2);
    // The registry is plain HTTP on 127.0.0.1: the server's registry setting, not part of the README's command.
    const server = await serveChild(t, args, { KUS_REGISTRY_INSECURE: 'true' });
    signingSubst.push(['@SIGN_URL@', server.url]);
  });
  t.ok(signing.has('kus release verify 1.2.0+arm64      # exit 0: 1.2.0 and every target reachable from it are signed'), 'kus release verify 1.2.0+arm64 ran and exited 0');
  t.ok(existsSync(path.join(work, 'kylin-2026.asc')), 'the public key went where --out said');
  t.match(readFileSync(path.join(work, '0000_90_kus_release-verification.yaml'), 'utf8'), /verifier-public-key-kylin-2026/);

  // Disconnected sites: the upstream graph from a local stand-in for api.openshift.com; vendor.db is the store above.
  // A separate process: the README's lines run with spawnSync, which would block a server in this one.
  const nodes = ['4.14.1', '4.14.2'].map((version, i) => ({
    version, payload: `quay.io/openshift-release-dev/ocp-release@sha256:${String(i + 1).repeat(64)}`,
    metadata: { 'io.openshift.upgrades.graph.release.channels': 'stable-4.14' },
  }));
  const upstreamScript = path.join(work, '.upstream.cjs');
  writeFileSync(upstreamScript, `const body = ${JSON.stringify(JSON.stringify({ version: 1, nodes, edges: [[0, 1]], conditionalEdges: [] }))};
require('node:http').createServer((req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(/channel=stable-4\\.14&arch=amd64/.test(req.url) ? body : '{}');
}).listen(0, '127.0.0.1', function () { console.log(this.address().port); });
`);
  const upstream = spawn(process.execPath, [upstreamScript], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => upstream.kill());
  const upstreamPort = await new Promise<string>((resolve) => upstream.stdout!.once('data', (c: Buffer) => resolve(c.toString().trim())));
  const siteDb = path.join(work, 'site.db');
  await run('Disconnected sites', [
    ['https://api.openshift.com', `http://127.0.0.1:${upstreamPort}`],
    ['/var/lib/kus/kus.db', siteDb], ['vendor.db', signDb], ['/run/secrets/kus-signing', passFile],
  ], () => Promise.reject(new Error('no server in this section')));
  t.ok(existsSync(path.join(work, 'configmaps', 'verifier.yaml')), 'the bundle\'s ConfigMaps were unpacked');
});
