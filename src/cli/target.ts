// What a publishing command acts on: a local store (--db) or a running server (--server/--token), behind one interface.
import type { BlockedEdgeDoc, ConditionalEdgeDoc, Release } from '../graph/index.js';
import type { Actor, AuditEntry, ChannelInfo, EdgeList, EdgeSelector, Publisher, ReleaseInput, RiskInput } from '../services/publisher.js';
import type { CreatedToken, TokenInfo, Tokens, TokenScope } from '../services/tokens.js';
import type { AdminClient } from './admin-client.js';

/** What `release ingest` and other commands beyond the Target interface need to act locally. */
export interface LocalServices {
  publisher: Publisher;
  tokens: Tokens;
  actor: Actor;
}

/** The answer to every operation: the value, plus warnings a person should read (printed on stderr). */
export interface Outcome<T> {
  value: T;
  warnings: string[];
  /** False when a write was a no-op (the same release and digest again); absent when unknown. */
  changed?: boolean;
}

export interface Target {
  /** Where the command acts, for messages: `store "./data/kus.db"` or `server "http://…"`. */
  readonly where: string;
  /** Set when acting on a local store: the services, for commands that need more than this interface. */
  readonly local: LocalServices | undefined;
  /** Set when acting on a server. */
  readonly client: AdminClient | undefined;

  addRelease(input: ReleaseInput): Promise<Outcome<Release>>;
  listReleases(filter: { arch?: string; channel?: string }): Promise<Outcome<Release[]>>;
  showRelease(version: string, arch?: string): Promise<Outcome<Release[]>>;
  removeRelease(version: string, arch: string, force: boolean): Promise<Outcome<Release>>;

  listChannels(): Promise<Outcome<ChannelInfo[]>>;
  createChannel(name: string): Promise<Outcome<ChannelInfo>>;
  deleteChannel(name: string): Promise<Outcome<ChannelInfo[]>>;
  addToChannel(channel: string, version: string): Promise<Outcome<ChannelInfo>>;
  removeFromChannel(channel: string, version: string): Promise<Outcome<ChannelInfo>>;

  blockEdge(edge: EdgeSelector): Promise<Outcome<BlockedEdgeDoc>>;
  addRisk(risk: RiskInput): Promise<Outcome<ConditionalEdgeDoc>>;
  listEdges(): Promise<Outcome<EdgeList>>;
  removeEdge(file: string): Promise<Outcome<BlockedEdgeDoc | ConditionalEdgeDoc>>;

  createToken(name: string, scope?: TokenScope): Promise<Outcome<CreatedToken>>;
  listTokens(): Promise<Outcome<TokenInfo[]>>;
  revokeToken(name: string): Promise<Outcome<{ name: string }>>;

  audit(limit: number | undefined): Promise<Outcome<AuditEntry[]>>;

  /** Closes the local store (removing it again when the command failed on a store it created); a no-op for a server. */
  close(failed?: boolean): void;
}

/** Said in the --help of every command that writes. */
export const LOCAL_WRITE_NOTE = [
  'Without --server the command writes the local store (--db, default ./data/kus.db) as the user',
  '"local:<os user>". A "kus serve" running on the same file keeps serving the graph it built until it',
  'restarts (or rebuilds after a write made through it), so to publish to a running server use',
  '--server URL --token TOKEN (or KUS_SERVER / KUS_TOKEN): the server rebuilds before it answers, and',
  'the change is in the served graph when the command returns.',
].join('\n');

/** Runs fn on an opened target, then closes it: as failed when fn threw (a store the command created goes again). */
export async function closeAfter<C extends { close(failed?: boolean): void }, T>(target: C, fn: (target: C) => Promise<T>): Promise<T> {
  let result: T;
  try {
    result = await fn(target);
  } catch (err) {
    target.close(true);
    throw err;
  }
  target.close();
  return result;
}
