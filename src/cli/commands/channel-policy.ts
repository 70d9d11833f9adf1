// `kus channel policy`: promote versions from one channel to another automatically, after a delay (or stop doing so).
import { KusError } from '../../errors/index.js';
import { stringFlag, targetFlags, type Command } from '../command.js';
import { emit } from '../output.js';
import { withPolicyTarget } from '../policy-target.js';

const seconds = (s: number): string => {
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60]] as const) if (s % size === 0) return `${s / size}${unit}`;
  return `${s}s`;
};

export const command: Command = {
  path: ['channel', 'policy'],
  summary: 'promote versions from --from to this channel automatically after a delay',
  description: [
    'Sets a promotion policy: a version listed in the channel --from for at least --after is added to the channel',
    'TARGET by the server, as "kus channel add TARGET VERSION" would (so a build or --require-signatures that',
    'refuses the write refuses the promotion; it is tried again an hour later). "kus serve" runs the policies',
    'once at start and then every --policy-interval (1 minute).',
    '',
    'A version is not promoted while a blocked edge or a risk ("kus edge block|risk", or blocked-edges/ in',
    'graph-data) names it as its "to": clusters are told not to go there, so it is not ready for a wider',
    'channel. Remove the declaration and the next run promotes it. A version a policy promoted is never',
    'promoted again by it: take it out of TARGET by hand and it stays out.',
    '',
    'The delay counts from when the version was added to --from (recorded since migration 007; versions',
    'listed before count from the upgrade). Setting a policy whose delay has already passed for versions in',
    '--from promotes them on the next run: the answer warns and names them; "kus channel policies" shows',
    'every candidate with its status. Each promotion is audited twice: channel.add and policy.promote, both by',
    'the actor "policy:SOURCE->TARGET". --rollout starts a phased rollout of that length with each promotion.',
    '',
    'Setting the same pair again changes its delays; --remove deletes the policy (what it promoted stays).',
    'Without --server the policy is stored in the local store (--db); a "kus serve" on that file runs it.',
  ].join('\n'),
  positionals: [{ name: 'TARGET', required: true, description: 'channel to promote to, e.g. fast-4.9' }],
  flags: {
    from: { type: 'string', valueName: 'SOURCE', required: true, description: 'channel to promote from, e.g. candidate-4.9' },
    after: { type: 'string', valueName: 'DURATION', description: 'how long a version is listed in SOURCE first: a number and one unit of s, m, h, d, w (e.g. 7d)' },
    rollout: { type: 'string', valueName: 'DURATION', description: 'start a phased rollout of this length in TARGET with each promotion (e.g. 48h)' },
    remove: { type: 'boolean', description: 'delete the policy SOURCE -> TARGET instead' },
    ...targetFlags,
  },
  examples: [
    'kus channel policy fast-4.9 --from candidate-4.9 --after 7d',
    'kus channel policy stable-4.9 --from fast-4.9 --after 14d --rollout 48h',
    'kus channel policy fast-4.9 --from candidate-4.9 --remove',
    'kus channel policies                       # every policy and what it will do',
  ],
  async run(ctx) {
    const [target] = ctx.positionals as [string];
    const source = stringFlag(ctx.flags, 'from')!;
    const after = stringFlag(ctx.flags, 'after');
    const rollout = stringFlag(ctx.flags, 'rollout');
    if (ctx.flags.remove === true) {
      if (after !== undefined || rollout !== undefined) throw new KusError('KUS_ERR_USAGE', '--remove takes no --after or --rollout: it deletes the policy');
      await withPolicyTarget(ctx, false, async (t) => {
        const outcome = await t.remove(target, source);
        emit(ctx, outcome, (p) => `removed the policy ${p.source} -> ${p.target} in ${t.where}; what it promoted stays\n`);
      });
      return;
    }
    if (after === undefined) throw new KusError('KUS_ERR_USAGE', `--after DURATION is required (e.g. --after 7d), or --remove to delete the policy ${source} -> ${target}`);
    await withPolicyTarget(ctx, false, async (t) => {
      const outcome = await t.set({ target, source, after, ...(rollout !== undefined ? { rollout } : {}) });
      emit(ctx, outcome, (p) =>
        outcome.changed === false
          ? `the policy ${p.source} -> ${p.target} is already so; nothing changed\n`
          : `${p.source} -> ${p.target}: versions listed in ${p.source} for ${seconds(p.afterSeconds)} are added to ${p.target}` +
            `${p.rolloutSeconds === null ? '' : ` with a ${seconds(p.rolloutSeconds)} rollout`} (${t.where})\n`);
    });
  },
};
