// Public surface of the fleet inventory: recording graph polls, and the questions asked of what was recorded.
export { FleetAggregator, drainedEntries, FLEET_LIMITS, FLEET_REFRESH_MS, type FleetPoll, type FleetAggregatorStats, type FleetDrain } from './aggregator.js';
export { FleetRecorder, DEFAULT_FLEET_FLUSH_MS, DEFAULT_FLEET_RETENTION_MS, type FleetRecorderOptions } from './recorder.js';
export {
  FleetInventory, FLEET_PROBLEM_REASONS, DEFAULT_FLEET_UNSEEN_MS, type FleetCluster, type FleetProblem, type FleetProblemReason, type FleetUpdate, type FleetVersionsEntry,
  type FleetHistory, type FleetReleaseCounts, type FleetAdoption, type FleetLive, FLEET_HISTORY_SERIES,
} from './inventory.js';
export { adoptionSeries, sampleTimes, type AdoptionCluster, type AdoptionUpdate, type AdoptionSample } from './adoption.js';
export { parseFleetDuration, FLEET_DURATION_PATTERN } from './duration.js';
export { WorkerFleetWriter, directFleetWriter, type FleetWriter } from './writer.js';
export { FleetReporter, FLEET_REPORTS_PATH, FLEET_REPORT_CHUNK, DEFAULT_FLEET_REPORT_BUFFER, type FleetReporterOptions, type FleetReporterStats } from './reporter.js';
export { mergeFleetEntries, MAX_REPORT_CHANGES } from './report-merge.js';
export type { FleetPollBatchEntry } from '../../store/index.js';
