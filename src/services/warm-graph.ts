// The build worker's memory between requests. Its last build, which the next one reuses by architecture
// (graph/partitioned-build.ts compares releases and graph-data by content, so any earlier build is a safe base: a
// write's, a rebuild's, a replica's sync). And the graph input of its last write, trusted while the store's change
// counter (store.graphInputChanges, moved by triggers on every write from any process) says nothing else wrote
// since: a write then does not read the whole input back (~60 ms at upstream scale). A publish of one release
// builds one architecture of four, and reads nothing.
import { buildByArch, deferredBuild, type PartitionedBuild, type PartSeed, type ReleasesGraph } from '../graph/index.js';
import type { GraphInput, Store } from '../store/index.js';

interface Held {
  changes: number;
  input: GraphInput;
}

/**
 * What the server says of the graph it serves: the store's change count of the input it was built from, and what each
 * architecture's part gave. Sent with every request; read only by a worker that has no build of its own yet.
 */
export interface ServedInput {
  changes: number;
  parts: ReadonlyArray<readonly [arch: string, seed: PartSeed]>;
}

export class WarmGraph {
  private readonly store: Store;
  private last: PartitionedBuild | undefined;
  /** The store's change count of the input `last` was built from, when that input is what the store held or holds. */
  private lastChanges: number | undefined;
  /** The input `last` was built from (compared by identity only). */
  private lastInput: unknown;
  private held: Held | undefined;
  /** Noted inside a write's transaction; held only once that transaction committed. */
  private pending: Held | undefined;
  private served: ServedInput | undefined;
  /** Step A of each architecture's part of the last build, kept through a compaction (see compact()). */
  private stepAs: ReadonlyMap<string, ReleasesGraph> | undefined;
  /**
   * Reads of the input that the held copy answered, those that went to the store, and the deferred builds a fresh
   * worker made from what the server serves (tests read them).
   */
  readonly counts = { held: 0, read: 0, deferred: 0 };

  /** `deferred` is told of a deferred build as it is made (the worker seeds its renderer with the server's bodies). */
  constructor(store: Store, private readonly deferred?: (built: PartitionedBuild) => void) {
    this.store = store;
  }

  /** What the server serves, as its request says; used only while this worker has built nothing. */
  serving(served: ServedInput | undefined): void {
    this.served = served;
  }

  /** What the store holds now. Called inside a transaction, so that the counter and the input agree. */
  current(): GraphInput {
    this.pending = undefined;
    const changes = this.store.graphInputChanges();
    let input: GraphInput;
    if (this.held !== undefined && this.held.changes === changes) {
      this.counts.held++;
      input = this.held.input;
    } else {
      this.counts.read++;
      this.held = undefined;
      input = this.store.loadGraphInput();
    }
    // A worker with no build (started afresh, or compacted) whose server serves a graph of exactly this input: the
    // parts stand deferred, so that the write builds only what it changes (a first write after an idle period built
    // every architecture).
    if (this.last === undefined && this.served?.changes === changes) {
      const built = deferredBuild(input, new Map(this.served.parts), this.stepAs);
      if (built !== undefined) {
        this.remember(built, input, changes);
        this.held = { changes, input };
        this.counts.deferred++;
        this.deferred?.(built);
      }
    }
    return input;
  }

  /**
   * Lets go of the last build, keeping the input it was built from while the store still holds that: what an idle
   * worker keeps (a build is ~10 MB of heap per architecture at upstream scale, the input less than all of them).
   * The next current() then stands the server's parts in deferred, as for a worker started afresh. Each part's step A
   * is kept too (5.9 MB of heap for four architectures at upstream scale, its edges held as arrays): the first publish
   * after a pause then extends it instead of making it whole in a worker gone cold, which took 50–120 ms
   * (docs/architecture.md, "Step A from the last build").
   */
  compact(): void {
    const stepAs = new Map<string, ReleasesGraph>();
    for (const [arch, part] of this.last?.basis?.parts ?? []) if (part.stepA !== undefined) stepAs.set(arch, part.stepA);
    if (this.last !== undefined) this.stepAs = stepAs;
    this.last = undefined;
    this.lastInput = undefined;
    this.lastChanges = undefined;
    this.pending = undefined;
  }

  /**
   * The graph of `input`, reusing what it shares with the last build. `keepStepA` false for input read anew each time
   * (a replica's sync), whose step A the next build could not extend (ByArchOptions).
   */
  build(input: Parameters<typeof buildByArch>[0], keepStepA = true): PartitionedBuild {
    return this.remember(buildByArch(input, this.last, { keepStepA }), input, undefined);
  }

  /** Inside the write's transaction, after `input` was written: what the store will hold once it commits. */
  written(input: GraphInput): void {
    this.pending = { changes: this.store.graphInputChanges(), input };
  }

  /** The write's transaction committed: its input is what the store holds. */
  committed(): void {
    if (this.pending !== undefined) {
      this.held = this.pending;
      if (this.lastInput === this.pending.input) this.lastChanges = this.pending.changes;
    }
    this.pending = undefined;
  }

  /** The last build and the input it was made from, while that input is the one held (a server's write or rebuild). */
  lastBuilt(): { built: PartitionedBuild; input: GraphInput } | undefined {
    if (this.last === undefined || this.held === undefined || this.held.input !== this.lastInput) return undefined;
    return { built: this.last, input: this.held.input };
  }

  /** Reads and builds what the store holds now (a rebuild), and holds it. */
  rebuild(): PartitionedBuild {
    const [changes, input] = this.store.transaction(() => [this.store.graphInputChanges(), this.store.loadGraphInput()] as const);
    const built = this.remember(buildByArch(input, this.last), input, changes);
    this.held = { changes, input };
    return built;
  }

  /**
   * What the server should keep of `built` once it serves it, for a worker started afresh (ServedInput): only for the
   * last build, of an input the store holds or held, that split by architecture.
   */
  servedInput(built: unknown): ServedInput | undefined {
    const basis = this.last?.basis;
    if (built !== this.last || this.lastChanges === undefined || basis === undefined) return undefined;
    return { changes: this.lastChanges, parts: [...basis.parts].map(([arch, part]) => [arch, { warnings: part.warnings, concrete: part.concrete }] as const) };
  }

  private remember(built: PartitionedBuild, input: unknown, changes: number | undefined): PartitionedBuild {
    // A build's parts hold what they need of the kept step A.
    this.stepAs = undefined;
    this.last = built;
    this.lastInput = input;
    this.lastChanges = changes;
    return built;
  }
}
