// What an admin action will change in the served graph, worked out from the graphs the server serves now, so the
// confirmation says it before anything is written.
import { api } from '../api.js';

export type Action =
  | { kind: 'ingest'; pullSpec: string; channels: string }
  | { kind: 'promote'; channel: string; version: string }
  | { kind: 'block'; to: string; fromVersion: string }
  | { kind: 'risk'; to: string; fromVersion: string; name: string; url: string; message: string; promql: string }
  | { kind: 'sign'; version: string }
  | { kind: 'remove'; version: string; arch: string };

/** Served (channel, arch) pairs with an edge from → to. */
async function servedEdges(from: string, to: string): Promise<Array<{ channel: string; arch: string; conditional: boolean }>> {
  const found: Array<{ channel: string; arch: string; conditional: boolean }> = [];
  for (const { channel, arches } of await api.channels()) {
    for (const arch of arches) {
      const g = await api.graph(channel, arch);
      const a = g.nodes.findIndex((n) => n.version === from);
      const b = g.nodes.findIndex((n) => n.version === to);
      if (a < 0 || b < 0) continue;
      const conditional = g.conditionalEdges.some((c) => c.edges.some((e) => e.from === from && e.to === to));
      if (conditional || g.edges.some(([x, y]) => x === a && y === b)) found.push({ channel, arch, conditional });
    }
  }
  return found;
}

export async function preview(action: Action): Promise<string[]> {
  switch (action.kind) {
    case 'ingest': {
      const channels = action.channels.split(',').map((c) => c.trim()).filter(Boolean);
      return [
        `The server resolves ${action.pullSpec} in its registry and adds the release it names, by digest.`,
        channels.length ? `Channels ${channels.join(', ')} will list it: clusters on them are offered updates into it.` : 'No channel lists it yet: clusters see no change.',
      ];
    }
    case 'promote': {
      const channels = await api.channels();
      const arches = channels.find((c) => c.channel === action.channel)?.arches ?? [];
      const already: string[] = [];
      for (const arch of arches) if ((await api.graph(action.channel, arch)).nodes.some((n) => n.version === action.version)) already.push(arch);
      if (already.length > 0 && already.length === arches.length) return [`${action.channel} already lists ${action.version}: nothing changes.`];
      return [`${action.channel} will list ${action.version}: clusters polling ${action.channel} will see the node and the updates into and out of it.`];
    }
    case 'block': {
      const edges = await servedEdges(action.fromVersion, action.to);
      if (edges.length === 0) return [`No channel serves ${action.fromVersion} → ${action.to} now: the block takes effect if the edge appears later.`];
      return edges.map((e) => `${e.channel} (${e.arch}) stops offering ${action.fromVersion} → ${action.to}${e.conditional ? ' (now conditional)' : ''}.`);
    }
    case 'risk': {
      const edges = await servedEdges(action.fromVersion, action.to);
      if (edges.length === 0) return [`No channel serves ${action.fromVersion} → ${action.to} now: the risk applies when both are listed.`];
      return edges.map((e) => `${e.channel} (${e.arch}): ${action.fromVersion} → ${action.to} becomes conditional on risk ${action.name}.`);
    }
    case 'sign':
      return [`Every active key signs the payload digests of ${action.version}. The served graph does not change; clusters can verify it.`];
    case 'remove': {
      try {
        const release = await api.release(action.version, action.arch);
        const listed = release.channels.map((c) => c.channel);
        return [`${action.version} (${action.arch}) is removed.`, listed.length ? `Channels listing it: ${listed.join(', ')}. The server refuses while they do.` : 'No channel lists it.'];
      } catch {
        return [`${action.version} (${action.arch}) is removed; no channel serves it now.`];
      }
    }
  }
}
