// The one list of KUS error codes: HTTP status for the admin API and CLI exit semantics live here.
export const errorCodes = {
  KUS_ERR_BAD_REQUEST: { status: 400, summary: 'The request is malformed.' },
  KUS_ERR_INVALID_SEMVER: { status: 400, summary: 'A version is not valid SemVer 2.0.' },
  KUS_ERR_INVALID_REGEX: { status: 400, summary: 'A regular expression does not compile, or uses syntax outside what Rust regex and JavaScript share.' },
  KUS_ERR_INVALID_CHANNEL: { status: 400, summary: 'A channel name is not usable by clusters (it must match ^[0-9a-z\\-\\.]+$ and contain a "-").' },
  KUS_ERR_INVALID_ARCH: { status: 400, summary: 'An architecture name does not match ^[0-9a-z]+$.' },
  KUS_ERR_INVALID_PAYLOAD: { status: 400, summary: 'A payload pull spec is not by digest.' },
  KUS_ERR_INVALID_METADATA: { status: 400, summary: 'Release metadata is malformed.' },
  KUS_ERR_INVALID_RISK: { status: 400, summary: 'A conditional-edge risk is not acceptable to the ClusterVersion API.' },
  KUS_ERR_GRAPH_DATA: { status: 400, summary: 'A graph-data file is malformed or invalid.' },
  KUS_ERR_GRAPH_DATA_VERSION: { status: 400, summary: 'The graph-data schema version is not supported.' },
  KUS_ERR_RAW_GRAPH: { status: 400, summary: 'A Cincinnati graph JSON document is malformed.' },
  KUS_ERR_CYCLE: { status: 409, summary: 'The update graph would contain a cycle.' },
  KUS_ERR_DIGEST_MISMATCH: { status: 409, summary: 'A version is already stored with a different digest.' },
  KUS_ERR_CONFLICT: { status: 409, summary: 'The request conflicts with the stored state.' },
  KUS_ERR_NOT_FOUND: { status: 404, summary: 'The named object does not exist.' },
  KUS_ERR_UNAUTHORIZED: { status: 401, summary: 'A valid bearer token is required.' },
  KUS_ERR_READ_ONLY: { status: 409, summary: 'This server is a read-only replica.' },
  KUS_ERR_STORE: { status: 500, summary: 'The SQLite store failed.' },
  KUS_ERR_CONFIG: { status: 500, summary: 'The configuration is invalid.' },
  KUS_ERR_USAGE: { status: 400, summary: 'A command was called with wrong arguments.' },
  KUS_ERR_IO: { status: 500, summary: 'A file could not be read or written.' },
  KUS_ERR_INTERNAL: { status: 500, summary: 'An unexpected internal error.' },
} as const;

export type ErrorCode = keyof typeof errorCodes;
