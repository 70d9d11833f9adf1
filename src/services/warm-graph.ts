// The build worker's memory between requests. Its last build, which the next one reuses by architecture
// (graph/partitioned-build.ts compares releases and graph-data by content, so any earlier build is a safe base: a
// write's, a rebuild's, a replica's sync). And the graph input of its last write, trusted while the store's change
// counter (store.graphInputChanges, moved by triggers on every write from any process) says nothing else wrote
// since: a write then does not read the whole input back (~60 ms at upstream scale). A publish of one release
// builds one architecture of four, and reads nothing.
import { buildByArch, type PartitionedBuild } from '../graph/index.js';
import type { GraphInput, Store } from '../store/index.js';

interface Held {
  changes: number;
  input: GraphInput;
}

export class WarmGraph {
  private readonly store: Store;
  private last: PartitionedBuild | undefined;
  private held: Held | undefined;
  /** Noted inside a write's transaction; held only once that transaction committed. */
  private pending: Held | undefined;
  /** Reads of the input that the held copy answered, and those that went to the store (tests read them). */
  readonly counts = { held: 0, read: 0 };

  constructor(store: Store) {
    this.store = store;
  }

  /** What the store holds now. Called inside a transaction, so that the counter and the input agree. */
  current(): GraphInput {
    this.pending = undefined;
    if (this.held !== undefined && this.held.changes === this.store.graphInputChanges()) {
      this.counts.held++;
      return this.held.input;
    }
    this.counts.read++;
    this.held = undefined;
    return this.store.loadGraphInput();
  }

  /** The graph of `input`, reusing what it shares with the last build. */
  build(input: Parameters<typeof buildByArch>[0]): PartitionedBuild {
    this.last = buildByArch(input, this.last);
    return this.last;
  }

  /** Inside the write's transaction, after `input` was written: what the store will hold once it commits. */
  written(input: GraphInput): void {
    this.pending = { changes: this.store.graphInputChanges(), input };
  }

  /** The write's transaction committed: its input is what the store holds. */
  committed(): void {
    if (this.pending !== undefined) this.held = this.pending;
    this.pending = undefined;
  }

  /** Reads and builds what the store holds now (a rebuild), and holds it. */
  rebuild(): PartitionedBuild {
    const [changes, input] = this.store.transaction(() => [this.store.graphInputChanges(), this.store.loadGraphInput()] as const);
    const built = this.build(input);
    this.held = { changes, input };
    return built;
  }
}
