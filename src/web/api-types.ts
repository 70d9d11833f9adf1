// The shapes the console reads from the server's HTTP API (documented in /openapi.json). The console talks to the
// server only over HTTP, so these are declared here rather than imported from the server's code.

export interface MatchingRule {
  type: string;
  promql?: { promql: string };
}

export interface Risk {
  url: string;
  name: string;
  message: string;
  matchingRules: MatchingRule[];
}

export interface ServedGraph {
  version: number;
  nodes: Array<{ version: string; payload: string; metadata: Record<string, string> }>;
  edges: Array<[number, number]>;
  conditionalEdges: Array<{ edges: Array<{ from: string; to: string }>; risks: Risk[] }>;
}

export interface ChannelSummary {
  channel: string;
  arches: string[];
}

export interface EdgeDeclarations {
  blocked: Array<{ file: string; to: string; from: string }>;
  conditional: Array<{ file: string; to: string; from: string; risk: Risk }>;
}

export interface PathHop {
  from: string;
  to: string;
  risks: string[];
}

export interface PathAnswer {
  channel: string;
  arch: string;
  from: string;
  to: string;
  recommended: PathHop[][];
  withConditional: PathHop[][];
  problems: Array<{ code: string; message: string; file?: string; edge?: { from: string; to: string } }>;
}

export interface ClusterUpdate {
  version: string;
  payload: string;
}

export interface ExplainAnswer {
  cluster: { version: string; channel: string; arch: string; id?: string };
  query: string | null;
  retrievedUpdates: { status: 'True' | 'False'; reason: string; message: string };
  current: ClusterUpdate | null;
  updates: ClusterUpdate[];
  conditionalUpdates: Array<ClusterUpdate & { risks: Risk[] }>;
  warnings: string[];
  hints: string[];
}

export interface DigestStatus {
  digest: string;
  signed: boolean;
  keys: Array<{ name: string; fingerprint: string; signature: number | null }>;
  signatures: Array<{ index: number; valid: boolean; key: string | null; reason: string | null }>;
}

export interface ReleaseEdge {
  version: string;
  risks: Risk[];
}

export interface ReleaseView {
  version: string;
  arch: string;
  payload: string;
  digest: string | null;
  metadata: Record<string, string>;
  channels: Array<{ channel: string; incoming: ReleaseEdge[]; outgoing: ReleaseEdge[] }>;
  signatures: DigestStatus | null;
}

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  before: unknown;
  after: unknown;
  outcome: 'ok' | 'refused';
  error: { code: string; message: string } | null;
}

export interface AdminAnswer<T> {
  value: T;
  warnings: string[];
  changed: boolean;
}

// The fleet inventory (admin API /fleet/*; src/server/schemas/fleet.ts).
export interface FleetVersionsEntry { channel: string; arch: string; version: string | null; clusters: number }
export interface FleetProblem {
  id: string; version: string | null; channel: string; arch: string; userAgent: string | null; firstSeen: string; lastSeen: string;
  reason: 'VersionNotFound' | 'ChannelNotFound' | 'ArchNotServed' | 'Unseen';
  hint: string;
}
export interface FleetHistory { days: string[]; series: Array<{ version: string; clusters: number[] }> }
export interface FleetReleaseCounts { version: string; arch: string; running: number; updatedTo: number }

// Phased rollouts (admin API /rollouts; src/server/schemas/admin.ts rolloutSchema, docs/rollouts.md).
export type RolloutState = 'active' | 'paused' | 'completed' | 'aborted';
export type RolloutAction = 'pause' | 'resume' | 'complete' | 'abort';
/** What the fleet says about a rollout (issue 13, "halting on evidence"); null when the server records no fleet. */
export interface RolloutEvidence { eligible: number; sawEdge: number; updated: number; stalled: number; stalledIds: string[] }
export interface Rollout {
  channel: string;
  version: string;
  state: RolloutState;
  start: string;
  startPercentage: number;
  durationSeconds: number;
  /** Share of clusters (by wariness) offered the release now, 0–1, by the server's clock. */
  fraction: number;
  pausedFraction: number | null;
  // Newer servers add these; older ones omit them, so they are optional and nothing depends on them.
  evidence?: RolloutEvidence | null;
  haltOnStalled?: number | null;
}
export interface FleetAdoption { channel: string; version: string; samples: Array<{ at: string; clusters: number; running: number }> }
