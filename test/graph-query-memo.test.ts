// The graph query memo: one parse per distinct query string, bounded in entries and key length, refusals never kept
// (anyone can send graph queries without a token, so what they send must not accumulate).
import { warinessOf } from '../src/services/wariness.js';
import t from 'tap';
import { createGraphQueryMemo, QUERY_MEMO_MAX_ENTRIES, QUERY_MEMO_MAX_KEY_LENGTH } from '../src/server/routes/public/graph-query-memo.js';

t.test('a query string asked again gets the same frozen answer', async (t) => {
  const memo = createGraphQueryMemo();
  const query = 'channel=stable-4.9&arch=arm64&version=4.9.15&id=01234567-89ab-cdef-0123-456789abcdef';
  const first = memo.parse(query);
  t.same(first, { channel: 'stable-4.9', arch: 'arm64', version: '4.9.15', id: '01234567-89ab-cdef-0123-456789abcdef', clusterId: '01234567-89ab-cdef-0123-456789abcdef', wariness: warinessOf('01234567-89ab-cdef-0123-456789abcdef') }, 'with what the cluster says of itself (fleet inventory)');
  t.equal(memo.parse(query), first, 'the stored answer');
  t.ok(Object.isFrozen(first), 'frozen, so no caller can change what the next one gets');
  for (let i = 0; i < 2; i++) {
    t.throws(() => memo.parse('channel=stable-4.9&arch=ARM'), { kind: 'invalid_params', message: /arch 'ARM'/ }, `refused again (${i + 1})`);
  }
});

t.test('10,000 distinct 15 KB invalid queries leave nothing behind', async (t) => {
  const memo = createGraphQueryMemo();
  const junk = 'A'.repeat(15 * 1024);
  let refused = 0;
  for (let i = 0; i < 10_000; i++) {
    try {
      memo.parse(`channel=${junk}${i}`);
    } catch {
      refused++;
    }
  }
  t.equal(refused, 10_000, 'each is refused');
  t.equal(memo.size, 0, 'refusals are not kept');
  t.throws(() => memo.parse(`channel=${junk}1`), { kind: 'invalid_params', message: /does not match regex/ }, 'and still refused');
});

t.test('distinct valid queries keep the memo at its bound; long ones are parsed but not kept', async (t) => {
  const memo = createGraphQueryMemo();
  for (let i = 0; i < QUERY_MEMO_MAX_ENTRIES + 5_000; i++) memo.parse(`channel=stable-4.9&id=${i}`);
  t.equal(memo.size, QUERY_MEMO_MAX_ENTRIES, `at most ${QUERY_MEMO_MAX_ENTRIES} entries`);
  t.same(memo.parse('channel=stable-4.9&id=3'), { channel: 'stable-4.9', arch: 'amd64', id: '3', version: undefined, clusterId: undefined, wariness: 1 }, 'an evicted string is parsed again, still right');
  const recent = memo.parse(`channel=stable-4.9&id=${QUERY_MEMO_MAX_ENTRIES + 4_999}`);
  t.equal(memo.parse(`channel=stable-4.9&id=${QUERY_MEMO_MAX_ENTRIES + 4_999}`), recent, 'a recent one is kept');

  const small = createGraphQueryMemo(10);
  const long = `channel=stable-4.9&id=${'x'.repeat(QUERY_MEMO_MAX_KEY_LENGTH)}`;
  t.same(small.parse(long), { channel: 'stable-4.9', arch: 'amd64', id: 'x'.repeat(QUERY_MEMO_MAX_KEY_LENGTH), version: undefined, clusterId: undefined, wariness: 1 });
  t.equal(small.size, 0, `a string over ${QUERY_MEMO_MAX_KEY_LENGTH} characters is not kept`);
  for (let i = 0; i < 50; i++) small.parse(`channel=fast-4.9&id=${i}`);
  t.equal(small.size, 10, 'the bound given is kept');
});
