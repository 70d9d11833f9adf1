// The coded error every KUS layer throws; renderers (HTTP, CLI) turn it into status codes and messages.
import { errorCodes, type ErrorCode } from './codes.js';

export class KusError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** Structured context for machine output (the offending value, file, line...). */
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KusError';
    this.code = code;
    this.status = errorCodes[code].status;
    this.details = details;
  }
}

export function isKusError(err: unknown): err is KusError {
  return err instanceof KusError;
}

/** Quote a user-supplied value for an error message, shortened so one bad value cannot flood a log. */
export function quote(value: unknown, max = 200): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return JSON.stringify(cut);
}
