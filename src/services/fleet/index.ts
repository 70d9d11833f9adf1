// Public surface of the fleet inventory: recording graph polls, and the questions asked of what was recorded.
export { FleetAggregator, FLEET_LIMITS, type FleetPoll, type FleetAggregatorStats } from './aggregator.js';
export { FleetRecorder, DEFAULT_FLEET_FLUSH_MS, DEFAULT_FLEET_RETENTION_MS, type FleetRecorderOptions } from './recorder.js';
export {
  FleetInventory, FLEET_PROBLEM_REASONS, type FleetCluster, type FleetProblem, type FleetProblemReason, type FleetUpdate, type FleetVersionsEntry,
} from './inventory.js';
export { parseFleetDuration, FLEET_DURATION_PATTERN } from './duration.js';
export { WorkerFleetWriter, directFleetWriter, type FleetWriter } from './writer.js';
