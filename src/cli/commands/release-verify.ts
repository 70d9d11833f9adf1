// `kus release verify`: the pre-publish check; exit 1 when a release or a target reachable from it is unsigned.
import { KusError } from '../../errors/index.js';
import { stringFlag, targetFlags, type Command } from '../command.js';
import { emit } from '../output.js';
import { channelReportText, releaseReportText } from '../signing-output.js';
import { withSigningTarget } from '../signing-target.js';

export const command: Command = {
  path: ['release', 'verify'],
  summary: 'check that a release and every update target reachable from it in each channel are signed',
  description: [
    'For VERSION (every architecture) or VERSION+ARCH: verifies each stored signature of the release\'s payload',
    'digest as the cluster would (binary signed message, trusted and unexpired key, claim naming the digest, no',
    'unknown field), then, in every channel listing the release, every target reachable from it (through',
    'conditional edges too). A digest counts as signed when every active key made a valid signature: the',
    'verifier ConfigMap from "kus verifier-configmap" has one entry per active key and a cluster needs them all.',
    '',
    'Without VERSION, checks every node of every channel (or of --channel). Exits 1 when anything is unsigned,',
    'so it can gate a release pipeline; --json prints the full report either way.',
  ].join('\n'),
  positionals: [{ name: 'VERSION', description: 'VERSION or VERSION+ARCH; absent: every node of every channel' }],
  flags: {
    channel: { type: 'string', valueName: 'CHANNEL', description: 'without VERSION: check this channel only' },
    ...targetFlags,
  },
  examples: ['kus release verify 4.9.15', 'kus release verify --channel stable-4.9 --json'],
  async run(ctx) {
    const version = ctx.positionals[0];
    const channel = stringFlag(ctx.flags, 'channel');
    if (version !== undefined && channel !== undefined) throw new KusError('KUS_ERR_USAGE', 'give VERSION or --channel, not both');
    return withSigningTarget(ctx, { create: false }, async (target) => {
      if (version !== undefined) {
        const outcome = await target.verifyRelease(version);
        emit(ctx, outcome, releaseReportText);
        return outcome.value.ok ? 0 : 1;
      }
      const outcome = await target.verifyChannels(channel);
      emit(ctx, outcome, channelReportText);
      return outcome.value.ok ? 0 : 1;
    });
  },
};
