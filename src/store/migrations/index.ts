// The ordered list of schema migrations; PRAGMA user_version records how many have been applied.
import { sql as initial } from './001-initial.js';
import { sql as tokensAuditOutcome } from './002-tokens-audit-outcome.js';
import { sql as signatures } from './003-signatures.js';
import { sql as fleet } from './004-fleet.js';
import { sql as tokenScopes } from './005-token-scopes.js';
import { sql as rollouts } from './006-rollouts.js';
import { sql as promotionPolicies } from './007-promotion-policies.js';
import { sql as fleetHistory } from './008-fleet-history.js';
import { sql as fleetOfferBodies } from './009-fleet-offer-bodies.js';
import { sql as rolloutHalts } from './011-rollout-halts.js';
import { sql as fleetOrder } from './012-fleet-order.js';
import { sql as graphInputChanges } from './013-graph-input-changes.js';
import { sql as fleetTargetOffers } from './014-fleet-target-offers.js';

export interface Migration {
  /** 1-based, equal to the user_version after it is applied. */
  version: number;
  name: string;
  sql: string;
  /** It frees much of the file (a table dropped): the store is rewritten (VACUUM) once the migrations are applied. */
  vacuum?: boolean;
}

export const migrations: readonly Migration[] = [
  { version: 1, name: 'initial', sql: initial },
  { version: 2, name: 'tokens-audit-outcome', sql: tokensAuditOutcome },
  { version: 3, name: 'signatures', sql: signatures },
  { version: 4, name: 'fleet', sql: fleet },
  { version: 5, name: 'token-scopes', sql: tokenScopes },
  { version: 6, name: 'rollouts', sql: rollouts },
  { version: 7, name: 'promotion-policies', sql: promotionPolicies },
  { version: 8, name: 'fleet-history', sql: fleetHistory },
  { version: 9, name: 'fleet-offer-bodies', sql: fleetOfferBodies },
  // 010 was reserved for fleet-order, which landed after 011 as 012 (a store already at 11 would have skipped a 010).
  { version: 11, name: 'rollout-halts', sql: rolloutHalts },
  { version: 12, name: 'fleet-order', sql: fleetOrder },
  { version: 13, name: 'graph-input-changes', sql: graphInputChanges },
  { version: 14, name: 'fleet-target-offers', sql: fleetTargetOffers, vacuum: true },
];
