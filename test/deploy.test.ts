// Reviews deploy/ (OpenShift manifests), the Dockerfile and .dockerignore: every manifest parses, and the references
// between them (labels, ports, Secret keys, volumes, probe paths, the replicas' --follow URL) agree with each other
// and with what `kus serve` actually listens on and serves.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { command as serveCommand } from '../src/cli/commands/serve.js';
import { DEFAULTS } from '../src/config/index.js';
import { buildApp } from '../src/server/app.js';
import { GraphCache } from '../src/services/graph-cache.js';
import { serveChild } from './helpers/serve-child.js';
import { repoRoot } from './helpers/shared.js';

type Obj = Record<string, unknown>;

const deployDir = path.join(repoRoot, 'deploy');

/** The node flags of the `kus` bin, from its shebang (`#!/usr/bin/env -S node FLAGS`); every launch of kus passes them. */
const SERVE_NODE_FLAGS = (/^#!\/usr\/bin\/env -S node((?: --[\w-]+=\S+)*)\n/.exec(readFileSync(path.join(repoRoot, 'src/cli/main.ts'), 'utf8'))?.[1] ?? '')
  .split(' ').filter((f) => f !== '');
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const obj = (v: unknown): Obj => (isObj(v) ? v : {});
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

interface Manifest {
  file: string;
  kind: string;
  name: string;
  doc: Obj;
}

function loadManifests(): { manifests: Manifest[]; kustomization: Obj; errors: string[] } {
  const manifests: Manifest[] = [];
  const errors: string[] = [];
  let kustomization: Obj = {};
  for (const file of readdirSync(deployDir).filter((f) => /\.ya?ml$/.test(f)).sort()) {
    for (const parsed of parseAllDocuments(readFileSync(path.join(deployDir, file), 'utf8'))) {
      if (parsed.errors.length > 0) {
        errors.push(`${file}: ${parsed.errors.map((e) => e.message).join('; ')}`);
        continue;
      }
      const doc = obj(parsed.toJS());
      if (Object.keys(doc).length === 0) continue;
      const kind = str(doc.kind) ?? '';
      if (kind === 'Kustomization') {
        kustomization = doc;
        continue;
      }
      manifests.push({ file, kind, name: str(obj(doc.metadata).name) ?? '', doc });
    }
  }
  return { manifests, kustomization, errors };
}

const { manifests, kustomization, errors } = loadManifests();
const ofKind = (kind: string): Manifest[] => manifests.filter((m) => m.kind === kind);
const find = (kind: string, name: string): Manifest | undefined => manifests.find((m) => m.kind === kind && m.name === name);
const workloads = (): Manifest[] => [...ofKind('StatefulSet'), ...ofKind('Deployment')];
const podTemplate = (m: Manifest): Obj => obj(obj(m.doc.spec).template);
const podLabels = (m: Manifest): Obj => obj(obj(podTemplate(m).metadata).labels);
const podSpec = (m: Manifest): Obj => obj(podTemplate(m).spec);
const containers = (m: Manifest): Obj[] => list(podSpec(m).containers);
/** Every label of the selector is on the pods (a Service's plain map or a matchLabels map). */
const selects = (selector: Obj, labels: Obj): boolean => Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);
const selectedWorkloads = (selector: Obj): Manifest[] => workloads().filter((w) => selects(selector, podLabels(w)));
const secretKeys = (name: string): string[] => {
  const s = find('Secret', name);
  return s ? [...Object.keys(obj(s.doc.stringData)), ...Object.keys(obj(s.doc.data))] : [];
};

/** The port `kus serve` listens on for these args: --port when given, else the default. */
function listenPort(args: string[]): number {
  const i = args.indexOf('--port');
  return i >= 0 ? Number(args[i + 1]) : DEFAULTS.port;
}

const containerPortNamed = (m: Manifest, name: string): number | undefined => {
  for (const c of containers(m)) for (const p of list(c.ports)) if (p.name === name) return Number(p.containerPort);
  return undefined;
};

/** The container port a Service port or probe refers to (by name or number). */
function resolvePort(m: Manifest, ref: unknown): number | undefined {
  return typeof ref === 'number' ? ref : typeof ref === 'string' ? containerPortNamed(m, ref) : undefined;
}

t.test('every manifest parses and names itself; the kustomization lists exactly the files', async (t) => {
  t.same(errors, [], 'no YAML errors');
  t.ok(manifests.length >= 9, `deploy/ holds the manifests (${manifests.length})`);
  for (const m of manifests) {
    t.ok(str(m.doc.apiVersion), `${m.file}: apiVersion`);
    t.match(m.name, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, `${m.file}: ${m.kind} has a DNS-1123 name`);
    t.notOk(obj(m.doc.metadata).namespace, `${m.file}: no namespace (oc apply -n chooses it)`);
  }
  const files = readdirSync(deployDir).filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml').sort();
  t.same([...(kustomization.resources as string[])].sort(), files, 'kustomization resources = the manifest files');
  const kinds = new Set(manifests.map((m) => m.kind));
  for (const kind of ['StatefulSet', 'Deployment', 'Service', 'Route', 'Secret', 'PodDisruptionBudget', 'ServiceMonitor', 'HorizontalPodAutoscaler']) {
    t.ok(kinds.has(kind), `has a ${kind}`);
  }
  const names = manifests.map((m) => `${m.kind}/${m.name}`);
  t.equal(new Set(names).size, names.length, 'no two manifests of a kind share a name');
});

t.test('workloads: selectors match their pods, containers run `kus serve` on the port it listens on', async (t) => {
  const images = new Set(list(kustomization.images).map((i) => i.name));
  for (const w of workloads()) {
    const spec = obj(w.doc.spec);
    t.ok(selects(obj(obj(spec.selector).matchLabels), podLabels(w)), `${w.name}: selector.matchLabels are on the pod template`);
    const sc = obj(podSpec(w).securityContext);
    t.equal(sc.runAsNonRoot, true, `${w.name}: runAsNonRoot`);
    t.notOk('runAsUser' in sc, `${w.name}: no fixed runAsUser (OpenShift's restricted SCC assigns one)`);
    for (const c of containers(w)) {
      const args = (c.args as unknown[]).map(String);
      t.notOk('command' in c, `${w.name}: the image ENTRYPOINT (node dist/cli/main.js) is kept`);
      t.equal(args[0], 'serve', `${w.name}: runs kus serve`);
      t.ok(images.has(str(c.image)), `${w.name}: image ${str(c.image)} is set by the kustomization`);
      const http = list(c.ports).find((p) => p.name === 'http');
      t.equal(Number(http?.containerPort), listenPort(args), `${w.name}: containerPort http = the port kus serve listens on`);
      t.equal(listenPort(args), 8080, `${w.name}: 8080 as documented`);
      const csc = obj(c.securityContext);
      t.equal(csc.allowPrivilegeEscalation, false, `${w.name}: no privilege escalation`);
      t.same(obj(csc.capabilities).drop, ['ALL'], `${w.name}: drops all capabilities`);
      const requests = obj(obj(c.resources).requests);
      t.ok(requests.cpu && requests.memory, `${w.name}: cpu and memory requests`);
    }
  }
});

t.test('every flag in the containers\' args is a flag of kus serve', async (t) => {
  const known = new Set(Object.keys(serveCommand.flags));
  for (const w of workloads()) {
    for (const c of containers(w)) {
      for (const arg of (c.args as unknown[]).map(String).filter((a) => a.startsWith('--'))) {
        t.ok(known.has(arg.slice(2)), `${w.name}: ${arg} is a kus serve flag`);
      }
    }
  }
});

t.test('volumes: every mount names a volume or claim template; Secret volumes name existing keys', async (t) => {
  for (const w of workloads()) {
    const volumes = new Map(list(podSpec(w).volumes).map((v) => [str(v.name), v]));
    const claims = new Set(list(obj(w.doc.spec).volumeClaimTemplates).map((v) => str(obj(v.metadata).name)));
    for (const c of containers(w)) {
      for (const mount of list(c.volumeMounts)) {
        const name = str(mount.name);
        t.ok(volumes.has(name) || claims.has(name), `${w.name}: mount ${name} has a volume`);
      }
      for (const env of list(c.env)) {
        const ref = obj(obj(env.valueFrom).secretKeyRef);
        if (ref.name) t.ok(secretKeys(String(ref.name)).includes(String(ref.key)), `${w.name}: env ${env.name} names key ${ref.key} of Secret ${ref.name}`);
      }
      // A file flag pointing into a Secret mount must name one of the items projected there.
      const args = (c.args as unknown[]).map(String);
      for (const mount of list(c.volumeMounts)) {
        const secret = obj(obj(volumes.get(str(mount.name))).secret);
        if (!secret.secretName) continue;
        const items = list(secret.items).map((i) => str(i.path));
        for (const arg of args.filter((a) => a.startsWith(`${String(mount.mountPath)}/`))) {
          t.ok(items.includes(path.posix.basename(arg)), `${w.name}: ${arg} is an item of the Secret volume`);
        }
      }
    }
    for (const v of volumes.values()) {
      const secret = obj(v.secret);
      if (!secret.secretName) continue;
      const keys = secretKeys(String(secret.secretName));
      t.ok(find('Secret', String(secret.secretName)), `${w.name}: Secret ${secret.secretName} exists`);
      for (const item of list(secret.items)) t.ok(keys.includes(String(item.key)), `${w.name}: Secret key ${item.key} exists`);
    }
  }
  const primary = ofKind('StatefulSet')[0]!;
  const dataMount = list(containers(primary)[0]!.volumeMounts).find((m) => m.name === 'data');
  const args = (containers(primary)[0]!.args as unknown[]).map(String);
  const db = args[args.indexOf('--db') + 1]!;
  t.ok(list(obj(primary.doc.spec).volumeClaimTemplates).some((v) => obj(v.metadata).name === 'data'), 'the primary\'s store is on a PVC (claim template "data")');
  t.equal(path.posix.dirname(db), dataMount?.mountPath, `the primary's --db ${db} is on the PVC`);
  t.equal(obj(primary.doc.spec).replicas, 1, 'one primary: SQLite has one writer');
});

t.test('probes are /livez and /readyz on the http port, and the server serves them', async (t) => {
  const app = buildApp({ graphs: new GraphCache({ load: () => ({ releases: [] }), logger: { info() {}, warn() {}, error() {} } }), logLevel: 'silent' });
  t.teardown(() => app.close());
  await app.ready();
  for (const w of workloads()) {
    for (const c of containers(w)) {
      const probes = { livenessProbe: '/livez', readinessProbe: '/readyz', startupProbe: undefined } as const;
      for (const [kind, expected] of Object.entries(probes)) {
        const get = obj(obj(c[kind]).httpGet);
        if (expected) t.equal(get.path, expected, `${w.name}: ${kind} on ${expected}`);
        if (!get.path) continue;
        t.ok(app.hasRoute({ method: 'GET', url: String(get.path) }), `${w.name}: ${kind} path ${get.path} is a route of buildApp`);
        t.equal(resolvePort(w, get.port), containerPortNamed(w, 'http'), `${w.name}: ${kind} port is the http port`);
      }
    }
  }
  const sm = ofKind('ServiceMonitor')[0]!;
  for (const e of list(obj(sm.doc.spec).endpoints)) {
    t.equal(e.path, '/metrics', 'ServiceMonitor scrapes /metrics');
    t.ok(app.hasRoute({ method: 'GET', url: String(e.path) }), '/metrics is a route of buildApp');
  }
});

t.test('Services select a workload and target its http port; the StatefulSet\'s governing Service is headless', async (t) => {
  for (const s of ofKind('Service')) {
    const spec = obj(s.doc.spec);
    const selected = selectedWorkloads(obj(spec.selector));
    t.equal(selected.length, 1, `Service ${s.name} selects one workload`);
    for (const p of list(spec.ports)) {
      t.equal(p.port, DEFAULTS.port, `Service ${s.name}: port ${p.port}`);
      for (const w of selected) t.equal(resolvePort(w, p.targetPort), listenPort((containers(w)[0]!.args as unknown[]).map(String)), `Service ${s.name}: targetPort reaches kus serve`);
    }
  }
  const sts = ofKind('StatefulSet')[0]!;
  const governing = find('Service', String(obj(sts.doc.spec).serviceName));
  t.ok(governing, 'serviceName names a Service');
  t.equal(obj(governing?.doc.spec).clusterIP, 'None', 'governing Service is headless');
  t.same(selectedWorkloads(obj(obj(governing?.doc.spec).selector)).map((w) => w.name), [sts.name], 'it selects the primary');
});

t.test('replicas follow the primary Service on the port the primary listens on', async (t) => {
  const deployment = ofKind('Deployment')[0]!;
  const args = (containers(deployment)[0]!.args as unknown[]).map(String);
  const url = new URL(args[args.indexOf('--follow') + 1]!);
  t.equal(url.protocol, 'http:', 'plain HTTP inside the cluster');
  t.equal(url.pathname, '/', 'the primary\'s base URL');
  const service = find('Service', url.hostname);
  t.ok(service, `--follow host ${url.hostname} is a Service`);
  const selected = selectedWorkloads(obj(obj(service?.doc.spec).selector));
  t.same(selected.map((w) => w.kind), ['StatefulSet'], 'that Service selects the primary');
  t.ok(list(obj(service?.doc.spec).ports).some((p) => Number(p.port) === Number(url.port)), `the Service exposes port ${url.port}`);
  t.equal(Number(url.port), listenPort((containers(selected[0]!)[0]!.args as unknown[]).map(String)), 'the primary listens there');
  t.notOk(list(podSpec(deployment).volumes).some((v) => 'persistentVolumeClaim' in v), 'replicas keep no PVC (they re-sync at start)');
});

t.test('Route, PodDisruptionBudget, HPA and ServiceMonitor point at what exists', async (t) => {
  const route = ofKind('Route')[0]!;
  const rspec = obj(route.doc.spec);
  const to = obj(rspec.to);
  t.equal(to.kind, 'Service');
  const target = find('Service', String(to.name));
  t.ok(target, `Route targets Service ${String(to.name)}`);
  t.ok(list(obj(target?.doc.spec).ports).some((p) => p.name === obj(rspec.port).targetPort), 'Route port is a named port of the Service');
  t.equal(obj(rspec.tls).termination, 'edge', 'edge TLS');
  t.same(selectedWorkloads(obj(obj(target?.doc.spec).selector)).map((w) => w.kind), ['Deployment'], 'clusters reach the replicas');

  for (const pdb of ofKind('PodDisruptionBudget')) {
    const selected = selectedWorkloads(obj(obj(obj(pdb.doc.spec).selector).matchLabels));
    t.equal(selected.length, 1, `PDB ${pdb.name} selects one workload`);
    const min = Number(obj(pdb.doc.spec).minAvailable);
    const hpa = ofKind('HorizontalPodAutoscaler').find((h) => obj(obj(h.doc.spec).scaleTargetRef).name === selected[0]?.name);
    const floor = Math.min(Number(obj(selected[0]?.doc.spec).replicas), Number(obj(hpa?.doc.spec).minReplicas ?? Infinity));
    t.ok(min < floor, `PDB minAvailable ${min} leaves room to drain (workload runs at least ${floor})`);
  }
  for (const hpa of ofKind('HorizontalPodAutoscaler')) {
    const ref = obj(obj(hpa.doc.spec).scaleTargetRef);
    const w = find(String(ref.kind), String(ref.name));
    t.ok(w, `HPA targets ${String(ref.kind)}/${String(ref.name)}`);
    t.equal(w?.kind, 'Deployment', 'only the stateless replicas are scaled');
    t.ok(w && containers(w).every((c) => obj(obj(c.resources).requests).cpu), 'the target requests CPU (utilisation is measured against it)');
  }
  const sm = ofKind('ServiceMonitor')[0]!;
  const spec = obj(sm.doc.spec);
  const services = ofKind('Service').filter((s) => selects(obj(obj(spec.selector).matchLabels), obj(obj(s.doc.metadata).labels)));
  t.same(services.map((s) => s.name).sort(), ofKind('Service').map((s) => s.name).sort(), 'ServiceMonitor selects the primary and replica Services');
  for (const e of list(spec.endpoints)) {
    for (const s of services) t.ok(list(obj(s.doc.spec).ports).some((p) => p.name === e.port), `Service ${s.name} has port ${String(e.port)}`);
  }
});

/** The Dockerfile as instructions (continuation lines joined), per stage. */
function dockerStages(text: string): Array<{ from: string; lines: string[] }> {
  const joined = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  const stages: Array<{ from: string; lines: string[] }> = [];
  for (const line of joined) {
    if (/^FROM\s/i.test(line)) stages.push({ from: line, lines: [] });
    else stages.at(-1)?.lines.push(line);
  }
  return stages;
}

t.test('every launch of kus passes the bin\'s node flags: shebang, npm start, the image, the benchmark', async (t) => {
  t.ok(SERVE_NODE_FLAGS.some((f) => f.startsWith('--max-semi-space-size=')), `the shebang sizes the young generation (${SERVE_NODE_FLAGS.join(' ')})`);
  t.ok(SERVE_NODE_FLAGS.includes('--v8-pool-size=0'), `the shebang sizes V8's helper threads to the CPUs it may use (${SERVE_NODE_FLAGS.join(' ')})`);
  const built = readFileSync(path.join(repoRoot, 'dist/cli/main.js'), 'utf8').split('\n')[0];
  t.equal(built, `#!/usr/bin/env -S node ${SERVE_NODE_FLAGS.join(' ')}`, 'the built bin keeps the shebang');
  const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  t.equal(pkg.scripts.start, `node ${SERVE_NODE_FLAGS.join(' ')} dist/cli/main.js serve --graph-data graph-data`, 'npm start (asks for the example data explicitly)');
  const { binNodeFlags } = (await import(path.join(repoRoot, 'bench/kus.js'))) as { binNodeFlags: (root: string) => string[] };
  t.same(binNodeFlags(repoRoot), SERVE_NODE_FLAGS, 'the benchmark starts KUS as the bin does');
  const run = spawnSync(process.execPath, [...SERVE_NODE_FLAGS, path.join(repoRoot, 'dist/cli/main.js'), 'serve', '--help'], { encoding: 'utf8' });
  t.equal(run.status, 0, `node accepts the flags: ${run.stderr}`);
  t.match(run.stdout, /kus serve/);
});

t.test('Dockerfile: multi-stage node 24 slim, native build in the build stage, non-root, health check, data volume', async (t) => {
  const text = readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8');
  const stages = dockerStages(text);
  t.ok(stages.length >= 2, 'multi-stage');
  for (const s of stages) t.match(s.from, /^FROM node:24[-.\w]*-slim\b/, `${s.from}: node 24 (LTS) slim`);
  const build = stages[0]!;
  const run = stages.at(-1)!;
  t.ok(build.lines.some((l) => /apt-get install.*\bpython3\b.*\bmake\b.*\bg\+\+/.test(l)), 'build stage has the toolchain for better-sqlite3');
  t.ok(build.lines.some((l) => /^RUN npm ci\b/.test(l)), 'npm ci from the lock file');
  t.ok(build.lines.some((l) => /npm run build/.test(l) && /npm prune --omit=dev/.test(l)), 'builds, then drops dev dependencies');
  const installs = run.lines.filter((l) => /apt-get install|npm (ci|install)/.test(l));
  // Every package each install names, up to the next `&&`: reading only the first would let a second one in unseen.
  const packages = installs.flatMap((l) => /apt-get install((?:\s+[^&\s]+)+)/.exec(l)?.[1]!.trim().split(/\s+/).filter((p) => !p.startsWith('-')) ?? [l]);
  t.same(packages, ['libjemalloc2'], 'the runtime stage installs only the allocator (no toolchain, no npm)');
  t.ok(run.lines.some((l) => /^COPY --from=build .*node_modules/.test(l)), 'node_modules (with the built addon) come from the build stage');
  for (const dir of ['graph-data', 'signatures']) t.ok(run.lines.some((l) => new RegExp(`^COPY ${dir} `).test(l)), `example ${dir}/ baked in`);
  const user = run.lines.filter((l) => /^USER\s/.test(l)).at(-1)?.split(/\s+/)[1];
  t.match(user, /^\d+$/, 'USER is numeric (Kubernetes runAsNonRoot can check it)');
  t.not(user?.split(':')[0], '0', 'USER is not root');
  const volume = run.lines.find((l) => /^VOLUME\s/.test(l))?.split(/\s+/)[1];
  t.equal(volume, '/var/lib/kus', 'the DB folder is a volume');
  const cmd = JSON.parse(run.lines.find((l) => /^CMD\s/.test(l))!.slice(4)) as string[];
  t.equal(path.posix.dirname(cmd[cmd.indexOf('--db') + 1]!), volume, 'the default --db is on the volume');
  t.ok(run.lines.some((l) => new RegExp(`chown 1001:0 ${volume}`).test(l) && /chmod 0?775/.test(l)), 'the volume is writable by the user and by group 0 (OpenShift arbitrary UIDs)');
  t.ok(run.lines.some((l) => /^EXPOSE 8080\b/.test(l)) && DEFAULTS.port === 8080, 'EXPOSE matches the default port');
  t.same(JSON.parse(run.lines.find((l) => /^ENTRYPOINT\s/.test(l))!.slice(11)), ['node', ...SERVE_NODE_FLAGS, '/app/dist/cli/main.js'], 'ENTRYPOINT is the kus CLI with its node flags');
  t.ok(run.lines.some((l) => /^HEALTHCHECK .*\/livez/.test(l)), 'HEALTHCHECK asks /livez');
  for (const m of manifests.filter((x) => x.kind === 'StatefulSet')) {
    t.ok(list(containers(m)[0]!.volumeMounts).some((v) => v.mountPath === volume), 'the primary mounts its PVC on the image\'s volume');
  }
});

const imageAllocator = (await import(path.join(repoRoot, 'bench/kus.js'))) as {
  imageAllocatorEnv: (root: string) => Record<string, string>;
  hasMapped: (pid: number, preload: string) => boolean;
};
const { canPreload } = (await import(path.join(repoRoot, 'bench/tools.js'))) as { canPreload: (preload: string) => boolean };
const imageEnv = imageAllocator.imageAllocatorEnv(repoRoot);
const preloadMissing = !canPreload(imageEnv.LD_PRELOAD!);

t.test('the image runs kus serve on jemalloc, and the benchmark measures it so', {
  skip: preloadMissing ? `SKIP: ${imageEnv.LD_PRELOAD} is not installed here (Debian's libjemalloc2; .ci/run installs it)` : false,
}, async (t) => {
  t.equal(imageEnv.LD_PRELOAD, 'libjemalloc.so.2', 'the image preloads jemalloc by soname, not by one architecture\'s path');
  t.match(imageEnv.MALLOC_CONF, /\bdirty_decay_ms:0\b/, 'and has it give freed pages back at once');
  const server = await serveChild(t, ['--db', path.join(t.testdir({}), 'kus.db')], imageEnv);
  t.ok(imageAllocator.hasMapped(server.child.pid!, imageEnv.LD_PRELOAD!), 'kus serve started with the image\'s environment has jemalloc mapped');
  if (!process.env.LD_PRELOAD) {
    t.notOk(imageAllocator.hasMapped(process.pid, imageEnv.LD_PRELOAD!), 'this test process, started without it, has not: the check tells them apart');
  }
  t.equal((await fetch(`${server.url}/readyz`)).status, 200, 'and is ready');
  // ld.so only warns when a preload is missing, and jemalloc only warns about a MALLOC_CONF it does not understand.
  t.notMatch(server.output(), /cannot be preloaded|<jemalloc>/, `neither ld.so nor jemalloc complained: ${server.output().slice(0, 300)}`);
  t.equal(await server.stop(), 0, 'and stops cleanly');
});

t.test('.dockerignore keeps what the Dockerfile copies and drops local state', async (t) => {
  const ignored = readFileSync(path.join(repoRoot, '.dockerignore'), 'utf8').split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  for (const gone of ['node_modules', 'dist', 'data', '.git']) t.ok(ignored.includes(gone), `${gone} is not sent to the build`);
  const copied = dockerStages(readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8'))
    .flatMap((s) => s.lines).filter((l) => /^COPY (?!--from)/.test(l)).flatMap((l) => l.split(/\s+/).slice(1, -1));
  t.ok(copied.length >= 6, `the Dockerfile copies ${copied.join(', ')}`);
  for (const c of copied) {
    t.notOk(ignored.includes(c), `${c} is in the build context`);
    t.ok(existsSync(path.join(repoRoot, c)), `${c} exists in the repository`);
  }
});

t.test('the Dockerfile HEALTHCHECK command succeeds against kus serve and fails without it', async (t) => {
  const line = dockerStages(readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8')).at(-1)!.lines.find((l) => /^HEALTHCHECK /.test(l))!;
  const argv = JSON.parse(line.slice(line.indexOf('CMD ') + 4)) as string[];
  t.equal(argv[0], 'node');
  const dir = t.testdir({});
  const server = await serveChild(t, ['--db', path.join(dir, 'kus.db')]);
  const port = new URL(server.url).port;
  const check = (env: NodeJS.ProcessEnv): number | null =>
    spawnSync(process.execPath, argv.slice(1), { env: { PATH: process.env.PATH, ...env }, timeout: 20_000 }).status;
  t.equal(check({ KUS_PORT: port }), 0, 'healthy: exit 0');
  await server.stop();
  t.equal(check({ KUS_PORT: port }), 1, 'server gone: exit 1');
});
