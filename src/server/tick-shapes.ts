// Keeps a few of Node's own `process.nextTick` queue entries alive for the life of the serving thread.
//
// Why: every request goes through `process.nextTick` several times (streams, http). Node builds each queue entry with
// an object literal whose first keys are computed (`{ [async_id_symbol]: …, [trigger_async_id_symbol]: …, callback,
// args }`). V8 records, per such key, the one object shape (map) it saw, and marks the key MEGAMORPHIC for good the
// first time it sees another. The shapes after the first key are held only weakly, so a full GC that runs while no
// entry is alive frees them; the next entry gets new shapes, and from then on every entry is built through V8's slow
// path. Whether that happens depends on when full GCs fall, so it differed from one server process to the next.
//
// Measured on the upstream-scale store, `kus serve` pinned to one CPU, wrk on the other, 100,000 cluster ids:
// processes that lost the shapes spent 6–10 % of their CPU in `nextTick` (0.6–0.9 % in the others) and answered
// 12,100–14,300 req/s against 15,000–17,300. Without this hold, 14 of 16 processes with fleet recording on lost them
// (its full GCs are more frequent), 2 of 3 with it off, and 3 of 3 with a full GC forced every 0.7 s; with it, none of
// 6 did, forced GCs included (checked with %DebugPrint of nextTick's feedback; test/tick-shapes.test.ts).
//
// Holding entries that are already queued needs Node's async-hooks `init` event, the only place they are handed out:
// the hook is enabled for two `nextTick` calls at start and disabled at once, so requests never run a hook.
import { createHook } from 'node:async_hooks';

let held: readonly object[] | undefined;

/** Idempotent; call on the thread that answers requests, before it serves. */
export function holdTickObjectShapes(): void {
  if (held !== undefined) return;
  const entries: object[] = [];
  const hook = createHook({
    init(_asyncId, type, _triggerAsyncId, resource) {
      if (type === 'TickObject') entries.push(resource);
    },
  });
  hook.enable();
  try {
    // Both kinds of call Node's streams and http make: without arguments, and with them (`args` an array).
    const noop = (): void => undefined;
    process.nextTick(noop);
    process.nextTick(noop, 1);
  } finally {
    hook.disable();
  }
  held = entries;
}

/** How many queue entries are held (0 before holdTickObjectShapes ran). */
export function heldTickObjects(): number {
  return held?.length ?? 0;
}
