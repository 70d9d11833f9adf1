// The publishing use cases: every write is validated, its graph built before anything is written, written with its
// audit row in one transaction, then the served graph is rebuilt so the change is visible when the call returns.
import { KusError, quote } from '../errors/index.js';
import { buildGraph, keyIgnoringBuild, releaseNodeVersion, type Rollout, type BlockedEdgeDoc, type BuildResult, type ConditionalEdgeDoc, type Release } from '../graph/index.js';
import type { AuditEntry, GraphInput, Store } from '../store/index.js';
import type { WarmGraph } from './warm-graph.js';
import { auditedWrite, recordRefusal, type WriteRequest } from './publish/audited-write.js';
import { channelInfo, planAddToChannel, planCreateChannel, planDeleteChannel, planRemoveFromChannel } from './publish/channels.js';
import { edgeList, planAddRisk, planBlockEdge, planRemoveEdge } from './publish/edges.js';
import { requireChannel } from './publish/lookup.js';
import type { Plan } from './publish/plan.js';
import { planSetRawMetadata } from './publish/raw-metadata.js';
import { planPromotion, type PromotionInput, type PromotionValue } from './publish/promotion.js';
import {
  canaryList, planCanaries, planHaltRollout, planRolloutAction, planStartRollout, type RolloutAction, type RolloutHaltInput, type RolloutInfo,
  type RolloutStartInput,
} from './publish/rollouts.js';
import { planAddRelease, planRemoveRelease } from './publish/releases.js';
import type {
  Actor, ChannelInfo, EdgeList, EdgeSelector, RawMetadataEntry, ReleaseInput, RiskInput, WriteResult,
} from './publish/types.js';
import { entryCovers, releaseVersion, requireArch, requireChannelName, requireVersion } from './publish/validate.js';

export type { Actor, ChannelInfo, EdgeList, EdgeSelector, RawMetadataEntry, ReleaseInput, RiskInput, WriteResult } from './publish/types.js';
export type { AuditEntry, WriteRequest };

export interface PublisherDeps {
  store: Store;
  /**
   * Swaps in the served graph after a write that changed something, given the graph the write built before it was
   * stored (so the build worker serves that one instead of building again); a no-op when no server runs here.
   */
  rebuild: (built: BuildResult) => unknown;
  /**
   * Runs inside every write that changes something, after its trial build and before it is stored, with the input
   * before and after; throwing a KusError refuses the write (e.g. `kus serve --require-signatures`).
   */
  checkWrite?: (before: GraphInput, after: GraphInput) => void;
  /**
   * Where writes read the current input and build their candidate (the build worker's WarmGraph); by default the
   * store and a whole build.
   */
  inputs?: WarmGraph;
}

export const AUDIT_LIMIT = { default: 100, max: 1000 } as const;

/** The Publisher methods that change the store (and so the served graph). */
export const WRITE_METHODS = [
  'addRelease', 'removeRelease', 'createChannel', 'deleteChannel', 'addToChannel', 'removeFromChannel', 'blockEdge', 'addRisk',
  'removeEdge', 'setRawMetadata', 'startRollout', 'changeRollout', 'haltRollout', 'changeCanaries', 'promote',
] as const;
export type WriteMethod = (typeof WRITE_METHODS)[number];

/** The Publisher reads that a server answers in its build worker (their answers are large to make). */
export const WORKER_READS = ['listReleasesJson'] as const;
export type WorkerRead = (typeof WORKER_READS)[number];

type MaybeAsync<F> = F extends (...args: infer A) => infer R ? (...args: A) => R | Promise<R> : never;

/**
 * What the HTTP layer and ingest call: a Publisher, or one whose writes (and WORKER_READS) run elsewhere and answer
 * later (the server runs them in the build worker: services/graph-builder.ts).
 */
export type PublisherApi = Omit<Publisher, WriteMethod | WorkerRead> & { [K in WriteMethod | WorkerRead]: MaybeAsync<Publisher[K]> };

/** True when a rebuild reported failure in GraphCache's `{ ok: false }` shape. */
const rebuildFailed = (result: unknown): boolean =>
  typeof result === 'object' && result !== null && 'ok' in result && (result as { ok: unknown }).ok === false;

const text = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value) ?? String(value));

export class Publisher {
  private readonly store: Store;
  private readonly rebuild: (built: BuildResult) => unknown;
  private readonly checkWrite: PublisherDeps['checkWrite'];
  private readonly inputs: WarmGraph | undefined;

  constructor(deps: PublisherDeps) {
    this.store = deps.store;
    this.rebuild = deps.rebuild;
    this.checkWrite = deps.checkWrite;
    this.inputs = deps.inputs;
  }

  // ---- releases

  addRelease(actor: Actor, input: ReleaseInput): WriteResult<Release> {
    const target = `${text(input.version)}+${text(input.arch)}`;
    return this.write(actor, { action: 'release.add', target, request: input }, (current) => planAddRelease(current, input));
  }

  // These reads take only the releases table (and channels for a channel filter), as the reads further down do:
  // the whole graph input is ~45 ms at upstream scale. A server lists releases in its build worker (listReleasesJson).
  listReleases(filter: { arch?: string; channel?: string } = {}): Release[] {
    const arch = filter.arch === undefined ? undefined : requireArch(filter.arch);
    const [all, channels] = this.store.transaction(() =>
      [this.store.releases.list(), filter.channel === undefined ? [] : this.store.channels.list()] as const);
    let releases = arch === undefined ? all : all.filter((r) => r.arch === arch);
    if (filter.channel !== undefined) {
      const docs = requireChannel({ graphData: { channels } }, requireChannelName(filter.channel));
      releases = releases.filter((r) => docs.some((c) => c.versions.some((e) => entryCovers(e, r.version, r.arch))));
    }
    return releases;
  }

  /**
   * listReleases as JSON text: what `GET /releases` sends. The server makes it in its build worker, since listing,
   * and serializing, every release took ~420 ms at upstream scale (3.6 MB), which graph requests would wait behind.
   */
  listReleasesJson(filter: { arch?: string; channel?: string } = {}): string {
    return JSON.stringify(this.listReleases(filter));
  }

  /** Every architecture of a version, or one (`arch`, or a `+arch` in the version). */
  getRelease(version: string, arch?: string): Release[] {
    const v = requireVersion(version, 'version');
    const archOf = arch ?? (v.build.length > 0 ? v.build.join('.') : undefined);
    const key = keyIgnoringBuild(v);
    const stored = this.store.releases.withBase(key);
    if (archOf === undefined) {
      if (stored.length === 0) throw new KusError('KUS_ERR_NOT_FOUND', `no release ${quote(version)} is stored, for any architecture`, { version });
      return stored;
    }
    const node = `${releaseVersion(version, requireArch(archOf))}+${archOf}`;
    const found = stored.filter((r) => r.arch === archOf && releaseNodeVersion(r) === node);
    if (found.length === 0) {
      const others = stored.map((r) => r.arch ?? '(none)');
      throw new KusError('KUS_ERR_NOT_FOUND',
        `no release ${node} is stored${others.length > 0 ? ` (stored for ${[...new Set(others)].sort().join(', ')})` : ''}`, { version, arch: archOf });
    }
    return found;
  }

  removeRelease(actor: Actor, version: string, arch: string, opts: { force?: boolean } = {}): WriteResult<Release> {
    const force = opts.force === true;
    return this.write(actor, { action: 'release.remove', target: `${text(version)}+${text(arch)}`, request: { version, arch, force } },
      (current) => planRemoveRelease(current, version, arch, force));
  }

  // ---- channels

  // The reads below are admin GETs and the halting rule's check, every minute on the thread that answers clusters: each
  // reads its own tables. The whole graph input took ~55 ms plus a collection of its garbage at upstream scale, and
  // every graph request waited (measured: 106–267 ms once a minute on a server recording its fleet).
  listChannels(): ChannelInfo[] {
    return this.store.channels.list().map(channelInfo);
  }

  createChannel(actor: Actor, name: string): WriteResult<ChannelInfo> {
    return this.write(actor, { action: 'channel.create', target: text(name), request: { name } }, (current) => planCreateChannel(current, name));
  }

  deleteChannel(actor: Actor, name: string): WriteResult<ChannelInfo[]> {
    return this.write(actor, { action: 'channel.delete', target: text(name), request: { name } }, (current) => planDeleteChannel(current, name));
  }

  addToChannel(actor: Actor, channel: string, version: string): WriteResult<ChannelInfo> {
    return this.write(actor, { action: 'channel.add', target: `${text(channel)} ${text(version)}`, request: { channel, version } },
      (current) => planAddToChannel(current, channel, version));
  }

  removeFromChannel(actor: Actor, channel: string, version: string): WriteResult<ChannelInfo> {
    return this.write(actor, { action: 'channel.remove', target: `${text(channel)} ${text(version)}`, request: { channel, version } },
      (current) => planRemoveFromChannel(current, channel, version));
  }

  // ---- edges

  blockEdge(actor: Actor, input: EdgeSelector): WriteResult<BlockedEdgeDoc> {
    return this.write(actor, { action: 'edge.block', target: text(input.to), request: input }, (current) => planBlockEdge(current, input));
  }

  addRisk(actor: Actor, input: RiskInput): WriteResult<ConditionalEdgeDoc> {
    return this.write(actor, { action: 'edge.risk', target: `${text(input.to)} ${text(input.name)}`, request: input }, (current) => planAddRisk(current, input));
  }

  listEdges(): EdgeList {
    return this.store.transaction(() => edgeList({ graphData: { blockedEdges: this.store.edges.listBlocked(), conditionalEdges: this.store.edges.listConditional() } }));
  }

  removeEdge(actor: Actor, file: string): WriteResult<BlockedEdgeDoc | ConditionalEdgeDoc> {
    return this.write(actor, { action: 'edge.remove', target: text(file), request: { file } }, (current) => planRemoveEdge(current, file));
  }

  // ---- raw metadata

  /** Sets one key of raw/metadata.json for a version (all its architectures); value null deletes the key. */
  setRawMetadata(actor: Actor, version: string, key: string, value: string | null): WriteResult<RawMetadataEntry> {
    const action = value === null ? 'raw-metadata.delete' : 'raw-metadata.set';
    return this.write(actor, { action, target: `${text(version)} ${text(key)}`, request: { version, key, value } },
      (current) => planSetRawMetadata(current, { version, key, value }));
  }

  // ---- rollouts (docs/rollouts.md); `now` is the caller's clock in Unix ms (services/rollouts.ts passes it)

  listRollouts(): Rollout[] {
    return this.store.rollouts.list();
  }

  startRollout(actor: Actor, input: RolloutStartInput, now: number): WriteResult<RolloutInfo> {
    return this.write(actor, { action: 'rollout.start', target: `${text(input.channel)}/${text(input.version)}`, request: input },
      (current) => planStartRollout(current, input, now));
  }

  changeRollout(actor: Actor, channel: string, version: string, action: RolloutAction, now: number): WriteResult<RolloutInfo> {
    return this.write(actor, { action: `rollout.${action}`, target: `${text(channel)}/${text(version)}`, request: { channel, version } },
      (current) => planRolloutAction(current, channel, version, action, now));
  }

  /** The halting rule's pause (services/rollout-halts.ts): audited as `rollout.halt`, naming the count and the rule. */
  haltRollout(actor: Actor, channel: string, version: string, halt: RolloutHaltInput, now: number): WriteResult<RolloutInfo> {
    return this.write(actor, { action: 'rollout.halt', target: `${text(channel)}/${text(version)}`, request: { channel, version, ...halt } },
      (current) => planHaltRollout(current, channel, version, halt, now));
  }

  listCanaries(channel: string): string[] {
    return this.store.transaction(() => canaryList({ graphData: { channels: this.store.channels.list(), canaries: this.store.rollouts.listCanaries() } }, channel));
  }

  changeCanaries(actor: Actor, channel: string, op: 'add' | 'remove', ids: readonly unknown[]): WriteResult<string[]> {
    return this.write(actor, { action: `channel.canaries.${op}`, target: text(channel), request: { channel, ids } },
      (current) => planCanaries(current, channel, op, ids));
  }

  // ---- promotion policies (services/policies): the channel add, its rollout and the record in one write

  /** Audited as `channel.add`, then `rollout.start` (when asked) and `policy.promote`, all in one transaction. */
  promote(actor: Actor, input: PromotionInput, now: number): WriteResult<PromotionValue> {
    return this.write(actor, { action: 'channel.add', target: `${text(input.target)} ${text(input.version)}`, request: { channel: input.target, version: input.version } },
      (current) => planPromotion(current, input, now));
  }

  // ---- audit

  /** Newest first. */
  auditLog(opts: { limit?: number } = {}): AuditEntry[] {
    const limit = opts.limit ?? AUDIT_LIMIT.default;
    if (!Number.isInteger(limit) || limit < 1 || limit > AUDIT_LIMIT.max) {
      throw new KusError('KUS_ERR_BAD_REQUEST', `limit ${String(limit)} must be an integer from 1 to ${AUDIT_LIMIT.max}`, { value: limit });
    }
    return this.store.audit.list(limit);
  }

  /** Audits a write refused before it reached this service (e.g. a request body the HTTP layer could not accept). */
  recordRefusal(actor: Actor, what: WriteRequest, err: KusError): void {
    recordRefusal(this.store, actor, what, err);
  }

  /**
   * The one write path: plan on the current input, build the candidate graph (a cycle, a bad label, a digest clash
   * throws here, before anything is written), write with the audit row, commit; then serve that same build.
   */
  private write<T>(actor: Actor, what: WriteRequest, plan: (current: GraphInput) => Plan<T>): WriteResult<T> {
    let built: BuildResult | undefined;
    const inputs = this.inputs;
    const result = auditedWrite(this.store, actor, what, () => {
      const current = inputs ? inputs.current() : this.store.loadGraphInput();
      const planned = plan(current);
      if (planned.changed) {
        const byArch = inputs?.build(planned.candidate);
        built = byArch ?? buildGraph(planned.candidate);
        this.checkWrite?.(current, planned.candidate);
        planned.write(this.store);
        inputs?.written(planned.candidate);
      }
      return planned;
    });
    if (result.changed) inputs?.committed();
    if (result.changed && built && rebuildFailed(this.rebuild(built))) {
      result.warnings.push('the change is stored, but rebuilding the served graph failed (see the server log); the previous graph is still served');
    }
    return result;
  }
}
