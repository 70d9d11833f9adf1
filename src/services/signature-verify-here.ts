// The signature reports (`GET /signatures/verify`, `kus release verify`), run in the build worker
// (services/graph-worker.ts). A report builds the whole graph and checks every signature it reaches: on the thread
// that answers clusters, one report at upstream scale took 1.4–2.0 s, and graph requests waited up to 2.0 s behind it.
import type { Store } from '../store/index.js';
import { SigningKeys } from './keys.js';
import { Publisher } from './publisher.js';
import type { ChannelReport, ReleaseReport } from './signature-report.js';
import { Signing, type VerifyQuery } from './signing.js';

/** The report of `query` on `store`; verifying needs the public keys only, so no passphrase is asked. */
export function verifyHere(store: Store, query: VerifyQuery): Promise<ReleaseReport | ChannelReport> {
  const publisher = new Publisher({ store, rebuild: () => undefined });
  const none = (): undefined => undefined;
  const signing = new Signing({ store, keys: new SigningKeys({ store, passphrase: none }), releases: (v) => publisher.getRelease(v), passphrase: none });
  return query.version !== undefined ? signing.verifyRelease(query.version) : signing.verifyChannels(query.channel);
}
