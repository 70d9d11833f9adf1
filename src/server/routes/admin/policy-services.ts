// The promotion policies an admin route needs, or a clear 500 when the server was composed without them.
import { KusError } from '../../../errors/index.js';
import type { PromotionPolicies } from '../../../services/policies/index.js';
import type { AdminServices } from './route.js';

export function policiesOf(services: AdminServices): PromotionPolicies {
  if (!services.policies) throw new KusError('KUS_ERR_INTERNAL', 'this server was composed without promotion policies');
  return services.policies;
}
