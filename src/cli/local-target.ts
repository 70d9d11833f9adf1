// The Target of `--db FILE`: the services called in-process on the local store, as the user `local:<os user>`.
import os from 'node:os';
import { openContext } from '../compose/index.js';
import { quote } from '../errors/index.js';
import { Publisher, type Actor } from '../services/publisher.js';
import { Tokens } from '../services/tokens.js';
import type { StoreOptions } from './command.js';
import type { Outcome, Target } from './target.js';

/** The audit log's name for whoever runs the CLI on this machine. */
export function localActor(): Actor {
  let user: string;
  try {
    user = os.userInfo().username;
  } catch {
    // Containers run with an arbitrary uid that has no passwd entry (OpenShift does); the uid still names someone.
    user = `uid-${process.getuid?.() ?? 'unknown'}`;
  }
  return { name: `local:${user}` };
}

const read = <T>(value: T): Promise<Outcome<T>> => Promise.resolve({ value, warnings: [] });
const written = <T>(r: { value: T; warnings: string[]; changed: boolean }): Promise<Outcome<T>> =>
  Promise.resolve({ value: r.value, warnings: r.warnings, changed: r.changed });

/** Runs a synchronous service call as a promise, so a thrown KusError becomes a rejection like a server's answer. */
const call = <T>(fn: () => Promise<Outcome<T>>): Promise<Outcome<T>> => {
  try {
    return fn();
  } catch (err) {
    return Promise.reject(err);
  }
};

export function localTarget(options: StoreOptions): Target {
  const context = openContext(options);
  // No server runs in this process, so there is no served graph to rebuild; `kus serve` reads the store at start.
  const publisher = new Publisher({ store: context.store, rebuild: () => undefined });
  const tokens = new Tokens({ store: context.store });
  const actor = localActor();
  return {
    where: `store ${quote(context.file)}`,
    local: { publisher, tokens, actor },
    client: undefined,

    addRelease: (input) => call(() => written(publisher.addRelease(actor, input))),
    listReleases: (filter) => call(() => read(publisher.listReleases(filter))),
    showRelease: (version, arch) => call(() => read(publisher.getRelease(version, arch))),
    removeRelease: (version, arch, force) => call(() => written(publisher.removeRelease(actor, version, arch, { force }))),

    listChannels: () => call(() => read(publisher.listChannels())),
    createChannel: (name) => call(() => written(publisher.createChannel(actor, name))),
    deleteChannel: (name) => call(() => written(publisher.deleteChannel(actor, name))),
    addToChannel: (channel, version) => call(() => written(publisher.addToChannel(actor, channel, version))),
    removeFromChannel: (channel, version) => call(() => written(publisher.removeFromChannel(actor, channel, version))),

    blockEdge: (edge) => call(() => written(publisher.blockEdge(actor, edge))),
    addRisk: (risk) => call(() => written(publisher.addRisk(actor, risk))),
    listEdges: () => call(() => read(publisher.listEdges())),
    removeEdge: (file) => call(() => written(publisher.removeEdge(actor, file))),

    createToken: (name, scope) => call(() => read(tokens.create(actor, name, scope))),
    listTokens: () => call(() => read(tokens.list())),
    revokeToken: (name) =>
      call(() => {
        tokens.revoke(actor, name);
        return read({ name });
      }),

    audit: (limit) => call(() => read(publisher.auditLog(limit === undefined ? {} : { limit }))),

    close: (failed) => (failed ? context.discard() : context.close()),
  };
}
