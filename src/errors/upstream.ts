// The error shape the Cincinnati graph API speaks ({kind, value}), with upstream's kinds and status codes.
export const upstreamKinds = {
  missing_params: { status: 400, prefix: 'mandatory client parameters missing: ' },
  invalid_params: { status: 400, prefix: 'invalid client parameters: ' },
  invalid_content_type: { status: 406, prefix: 'invalid Content-Type requested' },
  does_not_exist: { status: 404, prefix: 'does not exist: ' },
  failed_json_out: { status: 500, prefix: 'failed to serialize JSON: ' },
  failed_plugin_execution: { status: 500, prefix: 'failed to execute plugins: ' },
  arch_version_error: { status: 500, prefix: 'failed to process version: ' },
  file_open_err: { status: 500, prefix: 'failed to open file: ' },
} as const;

export type UpstreamKind = keyof typeof upstreamKinds;

export interface UpstreamErrorBody {
  kind: UpstreamKind;
  value: string;
}

export class UpstreamError extends Error {
  readonly kind: UpstreamKind;
  readonly status: number;

  constructor(kind: UpstreamKind, detail = '') {
    super(`${upstreamKinds[kind].prefix}${detail}`);
    this.name = 'UpstreamError';
    this.kind = kind;
    this.status = upstreamKinds[kind].status;
  }

  toBody(): UpstreamErrorBody {
    return { kind: this.kind, value: this.message };
  }
}

export function isUpstreamError(err: unknown): err is UpstreamError {
  return err instanceof UpstreamError;
}
