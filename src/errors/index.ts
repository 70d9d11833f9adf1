// Public surface of src/errors.
export { errorCodes, type ErrorCode } from './codes.js';
export { KusError, isKusError, quote } from './kus-error.js';
export { UpstreamError, isUpstreamError, upstreamKinds, type UpstreamKind, type UpstreamErrorBody } from './upstream.js';
