// `kus channel policies`: the promotion policies and what each will do with the versions of its source channel.
import { targetFlags, type Command } from '../command.js';
import { emit, formatTable } from '../output.js';
import { withPolicyTarget } from '../policy-target.js';
import type { PolicyStatus } from '../../services/policies/index.js';

const days = (s: number): string => (s % 86400 === 0 ? `${s / 86400}d` : s % 3600 === 0 ? `${s / 3600}h` : `${s}s`);

function human(policies: PolicyStatus[]): string {
  if (policies.length === 0) return 'no promotion policy; set one with "kus channel policy TARGET --from SOURCE --after 7d"\n';
  return policies.map((p) => {
    const head = `${p.source} -> ${p.target}: after ${days(p.afterSeconds)}${p.rolloutSeconds === null ? '' : `, rollout ${days(p.rolloutSeconds)}`}\n`;
    if (p.candidates.length === 0) return `${head}  nothing to promote: ${p.target} lists every version of ${p.source}\n`;
    const rows = p.candidates.map((c) => [c.version, c.status, c.listedSince, c.dueAt, c.reason ?? '']);
    return head + formatTable(['VERSION', 'STATUS', 'LISTED SINCE', 'DUE', 'REASON'], rows).replace(/^/gm, '  ');
  }).join('\n');
}

export const command: Command = {
  path: ['channel', 'policies'],
  summary: 'list promotion policies and what each will promote, when',
  description: [
    'For each policy SOURCE -> TARGET, the versions SOURCE lists and TARGET does not, oldest listing first,',
    'with a status: due (promoted on the next run), waiting (not listed long enough: DUE says when), held (a',
    'blocked edge or a risk names it; REASON says which), refused (the last try was refused: DUE is the next',
    'try), promoted (promoted before and taken out of TARGET since: not promoted again).',
  ].join('\n'),
  flags: { ...targetFlags },
  examples: ['kus channel policies', 'kus channel policies --json --server http://kus:8080'],
  async run(ctx) {
    await withPolicyTarget(ctx, false, async (t) => emit(ctx, await t.list(), human));
  },
};
