// The fleet inventory an admin route needs, or a clear 500 when the server runs without it (`kus serve --no-fleet`).
import { KusError } from '../../../errors/index.js';
import type { FleetInventory } from '../../../services/fleet/index.js';
import type { AdminServices } from './route.js';

export function fleetOf(services: AdminServices): FleetInventory {
  if (!services.fleet) throw new KusError('KUS_ERR_INTERNAL', 'this server was started without the fleet inventory (kus serve --no-fleet)');
  return services.fleet;
}
