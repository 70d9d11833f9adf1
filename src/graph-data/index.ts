// Public surface of src/graph-data: the OpenShift graph-data tree (+ KUS's releases/ extension) on disk.
export { readGraphData, type ReadOptions, type ReadResult } from './read.js';
export { directoryTree, memoryTree, OutsideTreeError, type GraphDataTree } from './tree.js';
export { YamlMemo } from './yaml-file.js';
export { YamlTextMemo, type YamlText } from './format.js';
export { GRAPH_DATA_DIRS, graphDataFiles, writeGraphData, type GraphDataContent, type GraphDataFile } from './write.js';
export { formatProblems, type Problem, type Severity } from './problem.js';
export { releaseFileName, RELEASES_DIR } from './releases.js';
export { isYamlFileName } from './scan.js';
export { SUPPORTED_SCHEMA, schemaVersionProblem } from './schema-version.js';
export {
  BUNDLE_KIND, BUNDLE_VERSION, BUNDLE_MANIFEST, BUNDLE_SIGNATURE, BUNDLE_GRAPH_DATA, BUNDLE_CONFIGMAPS, bundleManifestText, checkBundle, type BundleManifest,
} from './bundle.js';
