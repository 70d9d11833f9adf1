// Public surface of src/graph-data: the OpenShift graph-data tree (+ KUS's releases/ extension) on disk.
export { readGraphData, type ReadOptions, type ReadResult } from './read.js';
export { writeGraphData, type GraphDataContent } from './write.js';
export { formatProblems, type Problem, type Severity } from './problem.js';
export { releaseFileName } from './releases.js';
export { isYamlFileName } from './scan.js';
export { SUPPORTED_SCHEMA, schemaVersionProblem } from './schema-version.js';
