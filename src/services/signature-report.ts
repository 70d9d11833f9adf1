// Pre-publish checks: whether releases, and every update target reachable from them in each channel, are signed.
import { KusError, quote } from '../errors/index.js';
import { buildGraph, DEFAULT_ARCH, GraphViews, payloadDigest, type Release, type ServedGraph } from '../graph/index.js';
import type { KeyRing } from '../signatures/index.js';
import type { Store, StoredKey } from '../store/index.js';

/** One active key and the valid signature it made for a digest (null: none). */
export interface KeyCoverage {
  name: string;
  fingerprint: string;
  signature: number | null;
}

export interface SignatureCheck {
  index: number;
  valid: boolean;
  key: string | null;
  reason: string | null;
}

export interface DigestStatus {
  digest: string;
  /**
   * True when every active key made a valid signature: the verifier ConfigMap KUS generates has one entry per active
   * key, and the cluster requires every entry to be satisfied (signatures.md §4).
   */
  signed: boolean;
  keys: KeyCoverage[];
  signatures: SignatureCheck[];
}

export interface TargetStatus {
  /** As served to clusters (without +arch). */
  version: string;
  payload: string;
  digest: string | null;
  /** Reached only through a conditional edge (a risk) somewhere on the way. */
  conditional: boolean;
  signed: boolean;
  /** Active keys without a valid signature for it. */
  missing: string[];
}

export interface ChannelReach {
  channel: string;
  arch: string;
  from: string;
  targets: TargetStatus[];
}

export interface ReleaseReport {
  version: string;
  activeKeys: string[];
  releases: Array<{ version: string; arch: string | null; payload: string; status: DigestStatus }>;
  channels: ChannelReach[];
  /** Node versions (`version+arch`) of releases and reachable targets that are not signed by every active key. */
  unsigned: string[];
  ok: boolean;
}

export interface ChannelReport {
  activeKeys: string[];
  channels: Array<{ channel: string; arch: string; nodes: TargetStatus[] }>;
  unsigned: string[];
  ok: boolean;
}

/** Checks signatures of digests against the trusted keys, each digest once per report. */
export class DigestChecker {
  private readonly cache = new Map<string, Promise<DigestStatus>>();
  private readonly active: StoredKey[];

  constructor(private readonly store: Store, private readonly ring: KeyRing, private readonly now: Date) {
    this.active = store.signingKeys.active();
  }

  get activeKeys(): string[] {
    return this.active.map((k) => k.name);
  }

  status(digest: string): Promise<DigestStatus> {
    let found = this.cache.get(digest);
    if (!found) {
      found = this.check(digest);
      this.cache.set(digest, found);
    }
    return found;
  }

  private async check(digest: string): Promise<DigestStatus> {
    const signatures: SignatureCheck[] = [];
    const validBy = new Map<string, number>();
    for (const s of this.store.signatures.ofDigest(digest)) {
      const v = await this.ring.verify(s.bytes, digest, this.now);
      if (v.valid) {
        if (!validBy.has(v.fingerprint)) validBy.set(v.fingerprint, s.index);
        signatures.push({ index: s.index, valid: true, key: v.key, reason: null });
      } else {
        const key = v.fingerprint ? this.store.signingKeys.byFingerprint(v.fingerprint)?.name ?? null : null;
        signatures.push({ index: s.index, valid: false, key, reason: v.reason });
      }
    }
    const keys = this.active.map((k) => ({ name: k.name, fingerprint: k.fingerprint, signature: validBy.get(k.fingerprint) ?? null }));
    return { digest, signed: keys.length > 0 && keys.every((k) => k.signature !== null), keys, signatures };
  }
}

const nodeName = (version: string, arch: string | null): string => (arch ? `${version}+${arch}` : version);

async function targetStatus(checker: DigestChecker, node: { version: string; payload: string }, conditional: boolean): Promise<TargetStatus> {
  const digest = payloadDigest(node.payload);
  const status = digest ? await checker.status(digest) : null;
  return {
    version: node.version,
    payload: node.payload,
    digest,
    conditional,
    signed: status?.signed ?? false,
    missing: status ? status.keys.filter((k) => k.signature === null).map((k) => k.name) : checker.activeKeys,
  };
}

/** Every node reachable from `start` over edges and conditional edges; conditional when every path needs a risk edge. */
function reachable(view: ServedGraph, start: number): Map<number, boolean> {
  const index = new Map(view.nodes.map((n, i) => [n.version, i]));
  const next = new Map<number, Array<{ to: number; conditional: boolean }>>();
  const add = (from: number, to: number, conditional: boolean): void => {
    const list = next.get(from) ?? [];
    list.push({ to, conditional });
    next.set(from, list);
  };
  for (const [from, to] of view.edges) add(from, to, false);
  for (const group of view.conditionalEdges) {
    for (const e of group.edges) {
      const from = index.get(e.from);
      const to = index.get(e.to);
      if (from !== undefined && to !== undefined) add(from, to, true);
    }
  }
  // Plain reachability first, then what only risk edges add.
  const reached = new Map<number, boolean>();
  for (const allowConditional of [false, true]) {
    const queue = [start];
    const seen = new Set([start]);
    while (queue.length > 0) {
      const at = queue.shift()!;
      for (const { to, conditional } of next.get(at) ?? []) {
        if ((conditional && !allowConditional) || seen.has(to)) continue;
        seen.add(to);
        queue.push(to);
        if (!reached.has(to)) reached.set(to, allowConditional);
      }
    }
  }
  reached.delete(start);
  return reached;
}

function views(store: Store): GraphViews {
  return new GraphViews(buildGraph(store.loadGraphInput()).graph);
}

/** The releases of a version and, per channel listing them, every update target reachable from them. */
export async function releaseReport(store: Store, checker: DigestChecker, releases: Release[], version: string): Promise<ReleaseReport> {
  const graph = views(store);
  const report: ReleaseReport = { version, activeKeys: checker.activeKeys, releases: [], channels: [], unsigned: [], ok: true };
  const unsigned = new Set<string>();
  for (const r of releases) {
    const digest = payloadDigest(r.payload);
    if (!digest) throw new KusError('KUS_ERR_INVALID_PAYLOAD', `${nodeName(r.version, r.arch)} has payload ${quote(r.payload)}, which is not by digest`);
    const status = await checker.status(digest);
    report.releases.push({ version: nodeName(r.version, r.arch), arch: r.arch, payload: r.payload, status });
    if (!status.signed) unsigned.add(nodeName(r.version, r.arch));
    for (const channel of graph.channels()) {
      const arch = r.arch ?? DEFAULT_ARCH;
      const view = graph.render(channel, arch);
      const start = view.nodes.findIndex((n) => n.payload === r.payload);
      if (start < 0) continue;
      const targets: TargetStatus[] = [];
      for (const [i, conditional] of reachable(view, start)) {
        const t = await targetStatus(checker, view.nodes[i]!, conditional);
        targets.push(t);
        if (!t.signed) unsigned.add(nodeName(t.version, r.arch));
      }
      report.channels.push({ channel, arch, from: view.nodes[start]!.version, targets });
    }
  }
  report.unsigned = [...unsigned].sort();
  report.ok = unsigned.size === 0 && checker.activeKeys.length > 0;
  return report;
}

/** Every node of every channel (or of one) and architecture. */
export async function channelReport(store: Store, checker: DigestChecker, channel?: string): Promise<ChannelReport> {
  const graph = views(store);
  const names = graph.channels();
  if (channel !== undefined && !names.includes(channel)) {
    throw new KusError('KUS_ERR_NOT_FOUND', `no release is listed in channel ${quote(channel)} (channels with releases: ${names.join(', ') || 'none'})`, { channel });
  }
  const report: ChannelReport = { activeKeys: checker.activeKeys, channels: [], unsigned: [], ok: true };
  const unsigned = new Set<string>();
  for (const c of channel === undefined ? names : [channel]) {
    for (const arch of graph.arches()) {
      const view = graph.render(c, arch);
      if (view.nodes.length === 0) continue;
      const nodes: TargetStatus[] = [];
      for (const n of view.nodes) {
        const t = await targetStatus(checker, n, false);
        nodes.push(t);
        if (!t.signed) unsigned.add(nodeName(t.version, arch));
      }
      report.channels.push({ channel: c, arch, nodes });
    }
  }
  report.unsigned = [...unsigned].sort();
  report.ok = unsigned.size === 0 && checker.activeKeys.length > 0;
  return report;
}
