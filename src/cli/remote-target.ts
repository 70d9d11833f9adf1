// The Target of `--server URL --token T`: each operation is one admin API request.
import { AdminClient, segment as s, type AdminClientOptions } from './admin-client.js';
import type { Target } from './target.js';

export function remoteTarget(options: AdminClientOptions): Target {
  const api = new AdminClient(options);
  return {
    where: `server ${JSON.stringify(api.server)}`,
    local: undefined,
    client: api,

    addRelease: (input) => api.post('/releases', input),
    listReleases: (filter) => api.get('/releases', filter),
    showRelease: (version, arch) => api.get(`/releases/${s(version)}`, { arch }),
    removeRelease: (version, arch, force) => api.delete(`/releases/${s(version)}`, { arch, ...(force ? { force } : {}) }),

    listChannels: () => api.get('/channels'),
    createChannel: (name) => api.post('/channels', { name }),
    deleteChannel: (name) => api.delete(`/channels/${s(name)}`),
    addToChannel: (channel, version) => api.post(`/channels/${s(channel)}/versions`, { version }),
    removeFromChannel: (channel, version) => api.delete(`/channels/${s(channel)}/versions/${s(version)}`),

    blockEdge: (edge) => api.post('/edges/blocked', edge),
    addRisk: (risk) => api.post('/edges/conditional', risk),
    listEdges: () => api.get('/edges'),
    removeEdge: (file) => api.delete(`/edges/${s(file)}`),

    createToken: (name, scope) => api.post('/tokens', scope === undefined ? { name } : { name, scope }),
    listTokens: () => api.get('/tokens'),
    revokeToken: (name) => api.delete(`/tokens/${s(name)}`),

    audit: (limit) => api.get('/audit', { limit }),

    close: () => undefined,
  };
}
