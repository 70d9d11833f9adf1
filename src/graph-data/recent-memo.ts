// A memo for work repeated from one round to the next (a replica's syncs, a primary's archives), holding what the last
// two rounds used and nothing older: its size is bounded by what two rounds touch, whatever the input.

export class RecentMemo<V> {
  private previous = new Map<string, V>();
  private current = new Map<string, V>();

  /** Called as a round starts: what the round before did not use is forgotten. */
  startRound(): void {
    this.previous = this.current;
    this.current = new Map();
  }

  get(key: string, make: () => V): V {
    const value = this.current.get(key) ?? this.previous.get(key) ?? make();
    this.current.set(key, value);
    return value;
  }

  /** What the last two rounds held for `key`, if `accept` takes it; it is then held for this round too. */
  reuse(key: string, accept: (value: V) => boolean): V | undefined {
    const value = this.current.get(key) ?? this.previous.get(key);
    if (value === undefined || !accept(value)) return undefined;
    this.current.set(key, value);
    return value;
  }

  set(key: string, value: V): void {
    this.current.set(key, value);
  }
}
