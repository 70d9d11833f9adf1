// The console's only way to the server: same-origin fetch of the public explorer API, the graph API and the admin
// API. The admin token lives in sessionStorage (this tab only) and travels in the Authorization header, never a URL.
import type {
  AdminAnswer, AuditEntry, ChannelSummary, EdgeDeclarations, ExplainAnswer, FleetHistory, FleetProblem, FleetReleaseCounts,
  FleetAdoption, FleetVersionsEntry, PathAnswer, ReleaseView, Rollout, RolloutAction, ServedGraph,
} from './api-types.js';

const TOKEN_KEY = 'kus.adminToken';
const SCOPE_KEY = 'kus.adminScope';

/** admin may write; viewer only reads (the server answers its writes 403 KUS_ERR_FORBIDDEN). */
export type TokenScope = 'admin' | 'viewer' | 'fleet-report';

/** An answer other than 2xx, with the server's own message (KUS_ERR_* code and text, or Cincinnati's kind/value). */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

async function request<T>(path: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(path, { ...init, headers: { accept: 'application/json', ...init.headers }, credentials: 'omit' });
  const text = await response.text();
  if (!response.ok) {
    let code = `HTTP ${response.status}`;
    let message = text || response.statusText;
    try {
      const body = JSON.parse(text) as { code?: string; message?: string; kind?: string; value?: string };
      code = body.code ?? body.kind ?? code;
      message = body.message ?? body.value ?? message;
    } catch {
      // not JSON: keep the text
    }
    throw new ApiError(response.status, code, message);
  }
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

const query = (params: Record<string, string | undefined>): string => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, v);
  return q.toString();
};

export const api = {
  channels: () => request<ChannelSummary[]>('/api/kus/v1/channels'),
  blockedEdges: () => request<EdgeDeclarations>('/api/kus/v1/edges?kind=blocked'),
  graph: (channel: string, arch: string) => request<ServedGraph>(`/api/upgrades_info/graph?${query({ channel, arch })}`),
  path: (p: { from: string; to: string; channel: string; arch: string }) => request<PathAnswer>(`/api/kus/v1/path?${query(p)}`),
  explain: (p: { version: string; channel: string; arch: string; id?: string }) => request<ExplainAnswer>(`/api/kus/v1/explain?${query(p)}`),
  release: (version: string, arch: string) =>
    request<ReleaseView>(`/api/kus/v1/releases/${encodeURIComponent(version)}?${query({ arch })}`),
  signatureConfigMapUrl: (digest: string) => `/api/kus/v1/signature-configmaps/${encodeURIComponent(digest)}`,
};

export const session = {
  token: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  signIn: (token: string): void => sessionStorage.setItem(TOKEN_KEY, token),
  signOut: (): void => {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(SCOPE_KEY);
  },
  /** The signed-in token's scope, as the server told at sign-in. */
  scope: (): TokenScope | null => sessionStorage.getItem(SCOPE_KEY) as TokenScope | null,
  setScope: (scope: TokenScope): void => sessionStorage.setItem(SCOPE_KEY, scope),
};

function admin<T>(method: string, path: string, body?: unknown): Promise<AdminAnswer<T>> {
  const token = session.token();
  if (!token) return Promise.reject(new ApiError(401, 'KUS_ERR_UNAUTHORIZED', 'sign in with an admin token first'));
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  return request<AdminAnswer<T>>(`/api/admin/v1${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
}

export const adminApi = {
  /** The token's name and scope: proves the token works (a fleet-report token is refused: it cannot sign in). */
  check: () => admin<{ name: string; scope: TokenScope }>('GET', '/token'),
  audit: (limit = 200) => admin<AuditEntry[]>('GET', `/audit?limit=${limit}`),
  ingest: (pullSpec: string, channels: string[]) => admin<unknown>('POST', '/releases/ingest', { pullSpec, ...(channels.length ? { channels } : {}) }),
  promote: (channel: string, version: string) => admin<unknown>('POST', `/channels/${encodeURIComponent(channel)}/versions`, { version }),
  block: (to: string, fromVersion: string) => admin<unknown>('POST', '/edges/blocked', { to, fromVersion }),
  risk: (input: { to: string; fromVersion: string; name: string; url: string; message: string; promql: string }) =>
    admin<unknown>('POST', '/edges/conditional', {
      to: input.to,
      fromVersion: input.fromVersion,
      name: input.name,
      url: input.url,
      message: input.message,
      matchingRules: input.promql.trim() === '' ? [{ type: 'Always' }] : [{ type: 'PromQL', promql: { promql: input.promql } }],
    }),
  sign: (version: string) => admin<unknown>('POST', '/signatures/sign', { version }),
  remove: (version: string, arch: string) => admin<unknown>('DELETE', `/releases/${encodeURIComponent(version)}?${query({ arch })}`),
  fleetHistory: (days = 30) => admin<FleetHistory>('GET', `/fleet/history?days=${days}`),
  fleetVersions: () => admin<FleetVersionsEntry[]>('GET', '/fleet/versions'),
  fleetProblems: () => admin<FleetProblem[]>('GET', '/fleet/problems'),
  fleetRelease: (version: string, arch: string) => admin<FleetReleaseCounts>('GET', `/fleet/releases/${encodeURIComponent(version)}?${query({ arch })}`),
  fleetAdoption: (channel: string, version: string, from: string, points = 60) =>
    admin<FleetAdoption>('GET', `/fleet/adoption?${query({ channel, version, from, points: String(points) })}`),
  rollouts: () => admin<Rollout[]>('GET', '/rollouts'),
  rollout: (channel: string, version: string, action: RolloutAction) =>
    admin<Rollout>('POST', `/rollouts/${encodeURIComponent(channel)}/${encodeURIComponent(version)}/${action}`),
};
