// The pure rollout model: fraction over time and states, who passes, the nested sets and the bodies they need.
import t from 'tap';
import {
  hiddenVersions, parseRolloutDuration, passedMask, passes, paused, reachableMasks, resumed, rolloutFraction, type Rollout,
} from '../src/graph/index.js';
import { canonicalClusterId, warinessOf } from '../src/services/wariness.js';

const H = 3_600_000;
const base: Rollout = { channel: 'stable-4.9', version: '4.9.22', start: 100 * H, startPercentage: 10, durationMs: 10 * H, state: 'active', pausedFraction: null };

t.test('fraction: 0 before start, linear from startPercentage, capped at 1', async (t) => {
  t.equal(rolloutFraction(base, 99 * H), 0);
  t.equal(rolloutFraction(base, 100 * H), 0.1);
  t.equal(rolloutFraction(base, 105 * H), 0.55);
  t.equal(rolloutFraction(base, 110 * H), 1);
  t.equal(rolloutFraction(base, 500 * H), 1);
  t.equal(rolloutFraction({ ...base, state: 'completed' }, 0), 1);
  t.equal(rolloutFraction({ ...base, state: 'aborted' }, 105 * H), 0);
  t.equal(rolloutFraction({ ...base, startPercentage: 0 }, 102.5 * H), 0.25);
});

t.test('pause freezes the fraction, resume continues from it', async (t) => {
  const p = paused(base, 105 * H);
  t.equal(p.pausedFraction, 0.55);
  t.equal(rolloutFraction(p, 200 * H), 0.55, 'paused stays put');
  const r = resumed(p, 300 * H);
  t.equal(r.state, 'active');
  t.equal(rolloutFraction(r, 300 * H), 0.55, 'resumes where it was');
  t.equal(rolloutFraction(r, 302.5 * H), 0.775);
  const early = paused(base, 50 * H);
  t.equal(early.pausedFraction, 0);
  t.equal(resumed(early, 60 * H).start, base.start, 'paused before its start: keeps its start');
  t.equal(resumed(early, 120 * H).start, 120 * H, 'resumed after its start passed: starts now');
});

t.test('who passes: wariness at most the fraction; canaries at once; no id only at 1; aborted nobody', async (t) => {
  t.ok(passes(base, 0.3, 105 * H));
  t.notOk(passes(base, 0.6, 105 * H));
  t.ok(passes(base, 0, 50 * H), 'a canary (0) passes before the start');
  t.notOk(passes(base, 1, 109.9 * H), 'no id: not before the fraction reaches 1');
  t.ok(passes(base, 1, 110 * H));
  t.ok(passes({ ...base, state: 'completed' }, 1, 0));
  t.notOk(passes({ ...base, state: 'aborted' }, 0, 200 * H), 'abort hides it from canaries too');
});

t.test('masks are nested prefixes; reachable masks cover every instant until the next state change', async (t) => {
  const a = { ...base, version: 'a', startPercentage: 50, durationMs: 100 * H }; // slow, starts high
  const b = { ...base, version: 'b', startPercentage: 0, durationMs: 2 * H }; // fast, overtakes a
  const c = { ...base, version: 'c', state: 'paused' as const, pausedFraction: 0.3 };
  const varying = [a, b, c];
  const now = 99 * H;
  const reachable = new Set(reachableMasks(varying, now));
  for (let step = 0; step <= 2000; step++) {
    const at = now + step * 0.01 * H;
    const seen: number[] = [];
    for (let w = 0; w <= 1; w += 0.0125) seen.push(passedMask(varying, w, at));
    for (const m of seen) if (!reachable.has(m)) t.fail(`mask ${m} at ${at} is not pre-rendered`);
    // nested: as wariness grows the set only shrinks
    for (let i = 1; i < seen.length; i++) if ((seen[i]! & ~seen[i - 1]!) !== 0) t.fail('not nested');
  }
  t.ok(reachable.size <= 8, `${reachable.size} bodies`);
  t.same(reachableMasks([base], 105 * H), [0, 1], 'one rollout: two bodies');
  t.same(reachableMasks([], 0), [0]);
});

t.test('hidden versions: outside the mask and every aborted rollout', async (t) => {
  const aborted = { ...base, version: 'x', state: 'aborted' as const };
  const varying = [base, { ...base, version: 'y' }];
  t.same([...hiddenVersions([...varying, aborted], varying, 0b01)].sort(), ['x', 'y']);
});

t.test('durations', async (t) => {
  t.equal(parseRolloutDuration('48h'), 48 * H);
  t.equal(parseRolloutDuration('90m'), 90 * 60_000);
  t.equal(parseRolloutDuration('7d'), 7 * 24 * H);
  for (const bad of ['0h', '48', 'h', '1.5h', '-1h', '48H', ' 48h']) t.equal(parseRolloutDuration(bad), null, bad);
});

t.test('wariness: SHA-256 of the lower-case UUID, first 6 bytes, (n + 1) / 2^48', async (t) => {
  const id = '0B6F1C2E-7D3A-4F5E-9C8B-1A2B3C4D5E6F';
  t.equal(canonicalClusterId(id), id.toLowerCase());
  t.equal(warinessOf(id), warinessOf(id.toLowerCase()));
  // Worked example in docs/rollouts.md: sha256("00000000-0000-0000-0000-000000000000") starts 12b9377cbe7e.
  t.equal(warinessOf('00000000-0000-0000-0000-000000000000'), (0x12b9377cbe7e + 1) / 2 ** 48);
  t.equal(warinessOf(undefined), 1);
  t.equal(warinessOf('not-a-uuid'), 1);
  let sum = 0;
  for (let i = 0; i < 10_000; i++) {
    const w = warinessOf(`${i.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`);
    if (!(w > 0 && w <= 1)) t.fail(`out of range: ${w}`);
    sum += w;
  }
  t.ok(Math.abs(sum / 10_000 - 0.5) < 0.01, 'uniform enough: mean near 1/2');
});
