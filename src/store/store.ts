// The Store: one SQLite file, composed of one repository per aggregate, plus whole-graph load and replace.
import type { Database } from 'better-sqlite3';
import { graphDataOf, type GraphData, type Release } from '../graph/index.js';
import { AuditRepository } from './audit-repository.js';
import { ChannelsRepository } from './channels-repository.js';
import { openDatabase } from './db.js';
import { guardFailures } from './store-failure.js';
import { EdgesRepository } from './edges-repository.js';
import { FleetRepository } from './fleet-repository.js';
import { META_KEYS, MetaRepository } from './meta-repository.js';
import { PoliciesRepository } from './policies-repository.js';
import { RawMetadataRepository } from './raw-metadata-repository.js';
import { RolloutsRepository } from './rollouts-repository.js';
import { ReleasesRepository } from './releases-repository.js';
import { prepareSignaturesSnapshot } from './signatures-snapshot.js';
import { SignaturesRepository, type NewSignature } from './signatures-repository.js';
import { SigningKeysRepository, type StoredKey } from './signing-keys-repository.js';
import { TokensRepository } from './tokens-repository.js';

/** Everything the graph is built from. */
export interface GraphInput {
  releases: Release[];
  graphData: GraphData;
}

export interface Store {
  /** The SQLite file this store was opened on. */
  readonly file: string;
  readonly releases: ReleasesRepository;
  readonly channels: ChannelsRepository;
  readonly edges: EdgesRepository;
  readonly rawMetadata: RawMetadataRepository;
  readonly meta: MetaRepository;
  readonly audit: AuditRepository;
  readonly tokens: TokensRepository;
  readonly signingKeys: SigningKeysRepository;
  readonly signatures: SignaturesRepository;
  readonly fleet: FleetRepository;
  readonly rollouts: RolloutsRepository;
  readonly policies: PoliciesRepository;
  close(): void;
  /** True when no release and no graph-data has ever been stored (audit and meta rows aside). */
  isEmpty(): boolean;
  /** Lists in file-name order, raw metadata in stored order. */
  loadGraphInput(): GraphInput;
  /**
   * A number that every change to the graph input moves (releases, graph-data, rollouts), from any connection: equal
   * readings mean the input read between them is still what the store holds.
   */
  graphInputChanges(): number;
  /** Replaces releases and graph-data in one transaction, writing only the rows that differ. */
  replaceAll(input: GraphInput): void;
  /**
   * Replaces releases, graph-data and every signature (numbered from 1 per digest, in the given order) in one
   * transaction: a follower swapping in its primary's snapshot. With `keys`, the signing keys are replaced too.
   */
  replaceSnapshot(input: GraphInput, signatures: readonly NewSignature[], keys?: readonly StoredKey[]): void;
  /** Runs fn in a transaction (a savepoint when nested); fn must be synchronous. */
  transaction<T>(fn: () => T): T;
  /**
   * Like transaction, but takes the write lock at the start (BEGIN IMMEDIATE): for read-check-write sequences, which
   * must not find at commit that another process wrote in between.
   */
  writeTransaction<T>(fn: () => T): T;
}

export interface StoreOptions {
  /** Clock for created_at and audit times; tests pass a fixed one. */
  now?: () => Date;
  /** Refuse a damaged file at open (`PRAGMA quick_check`), before any migration touches it: what a server's start does. */
  quickCheck?: boolean;
}

/** Schema version reported for a store that never received graph-data (what an empty graph-data tree declares). */
export const DEFAULT_GRAPH_DATA_SCHEMA = '1.0.0';

export function openStore(file: string, options: StoreOptions = {}): Store {
  const db = openDatabase(file, { quickCheck: options.quickCheck ?? false });
  return createStore(db, file, options.now ?? (() => new Date()));
}

function createStore(db: Database, file: string, now: () => Date): Store {
  // A damaged page can turn up in any statement, long after the start: every entry point names the file then.
  const guard = <T extends object>(repo: T): T => guardFailures(repo, file);
  const releases = guard(new ReleasesRepository(db, now));
  const channels = guard(new ChannelsRepository(db, now));
  const edges = guard(new EdgesRepository(db));
  const rawMetadata = guard(new RawMetadataRepository(db));
  const meta = guard(new MetaRepository(db));
  const audit = guard(new AuditRepository(db, now));
  const tokens = guard(new TokensRepository(db));
  const signingKeys = guard(new SigningKeysRepository(db));
  const signatures = guard(new SignaturesRepository(db, now));
  const fleet = guard(new FleetRepository(db));
  const rollouts = guard(new RolloutsRepository(db));
  const policies = guard(new PoliciesRepository(db));
  // What the last replaceAll through this connection wrote, when all of it was frozen: while the change counter says
  // nothing wrote graph input since, it is what the tables hold, and the next replaceAll compares with it instead of
  // reading them (a replica's sync stores the primary's whole snapshot, and its unchanged files are the very objects
  // it stored the time before: graph-data/yaml-file.ts). Every rollback is a throw through a transaction below, and
  // forgets it.
  let written: { changes: number; input: GraphInput } | undefined;
  const forgetOnThrow = <T>(run: () => T): T => {
    try {
      return run();
    } catch (err) {
      written = undefined;
      throw err;
    }
  };
  const transaction = <T>(fn: () => T): T => forgetOnThrow(() => db.transaction(fn)());
  const writeTransaction = <T>(fn: () => T): T => forgetOnThrow(() => db.transaction(fn).immediate());
  const replaceSignatures = prepareSignaturesSnapshot(db, now);
  const changesStmt = db.prepare<[], { n: number }>('SELECT n FROM graph_input_changes WHERE id = 1');

  const store: Store = guard({
    file,
    releases,
    channels,
    edges,
    rawMetadata,
    meta,
    audit,
    tokens,
    signingKeys,
    signatures,
    fleet,
    rollouts,
    policies,
    close: () => db.close(),
    isEmpty: () =>
      releases.count() === 0 && channels.count() === 0 && edges.count() === 0 && rawMetadata.count() === 0 &&
      meta.get(META_KEYS.graphDataSchema) === undefined,
    loadGraphInput: () =>
      transaction(() => {
        // Present only when there are some, so graph-data without the rollouts/ extension reads back as it was written.
        const rolloutList = rollouts.list();
        const canaryLists = rollouts.listCanaries();
        return {
          releases: releases.list(),
          graphData: graphDataOf({
            schemaVersion: meta.get(META_KEYS.graphDataSchema) ?? DEFAULT_GRAPH_DATA_SCHEMA,
            rawMetadata: rawMetadata.list(),
            blockedEdges: edges.listBlocked(),
            conditionalEdges: edges.listConditional(),
            channels: channels.list(),
            ...(rolloutList.length > 0 ? { rollouts: rolloutList } : {}),
            ...(canaryLists.length > 0 ? { canaries: canaryLists } : {}),
          }),
        };
      }),
    graphInputChanges: () => changesStmt.get()?.n ?? 0,
    replaceAll: (input) =>
      transaction(() => {
        const known = written?.changes === changesStmt.get()?.n ? written?.input : undefined;
        written = undefined;
        const data = input.graphData;
        releases.replaceAll(input.releases, known?.releases);
        channels.replaceAll(data.channels, known?.graphData.channels);
        edges.replaceAll(data.blockedEdges, data.conditionalEdges,
          known && { blocked: known.graphData.blockedEdges, conditional: known.graphData.conditionalEdges });
        rawMetadata.replaceAll(input.graphData.rawMetadata);
        rollouts.replaceAll(input.graphData.rollouts ?? [], input.graphData.canaries ?? []);
        if (meta.get(META_KEYS.graphDataSchema) !== input.graphData.schemaVersion) meta.set(META_KEYS.graphDataSchema, input.graphData.schemaVersion);
        const frozen = [input.releases, data.channels, data.blockedEdges, data.conditionalEdges].every((list) => list.every(Object.isFrozen));
        if (frozen) written = { changes: changesStmt.get()?.n ?? 0, input };
      }),
    replaceSnapshot: (input, list, keys) =>
      writeTransaction(() => {
        store.replaceAll(input);
        if (keys) signingKeys.replaceAll(keys);
        replaceSignatures(list);
      }),
    transaction,
    writeTransaction,
  });
  return store;
}
