// Opens the Target the flags name: --server (or KUS_SERVER) selects the admin API, else the local store at --db.
import { storeOptions, type CommandContext } from './command.js';
import { localTarget } from './local-target.js';
import { remoteTarget } from './remote-target.js';
import type { Target } from './target.js';
import { chooseTarget } from './target-choice.js';

export interface TargetOptions {
  /** Commands that only read refuse a --db file that does not exist instead of creating an empty store. */
  create: boolean;
}

/** `--server` (or KUS_SERVER) selects the admin API; otherwise the local store at `--db` (see target-choice.ts). */
export function openTarget(ctx: Pick<CommandContext, 'flags' | 'fromEnv' | 'stderr'>, options: TargetOptions): Target {
  const choice = chooseTarget(ctx);
  return choice.kind === 'server' ? remoteTarget(choice.options) : localTarget(storeOptions(ctx, options.create));
}
