/**
 * The server's one catalogue of error codes. Every 4xx/5xx answer is
 * `{ "error": { "code", "message", "details"? } }` with a code from here; MQTT rejections are
 * counted by the same codes. Codes are stable: clients may branch on them.
 */
export const ERROR_CODES = {
  bad_request: 400,
  invalid_json: 400,
  invalid_detection: 422,
  batch_too_large: 413,
  payload_too_large: 413,
  unsupported_media_type: 415,
  length_required: 411,
  not_implemented: 501,
  uri_too_long: 414,
  request_timeout: 408,
  headers_too_large: 431,
  unauthenticated: 401,
  bad_credentials: 401,
  forbidden: 403,
  sensor_mismatch: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  range_not_satisfiable: 416,
  duplicate: 200,
  too_old: 422,
  in_future: 422,
  unavailable: 503,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** An error meant for the client: a catalogue code, a message naming what is wrong, optional details. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details?: unknown;
  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.code = code;
    this.status = ERROR_CODES[code];
    this.details = details;
  }
}

export function errorBody(code: ErrorCode, message: string, details?: unknown): { error: { code: string; message: string; details?: unknown } } {
  return details === undefined ? { error: { code, message } } : { error: { code, message, details } };
}

export class ConfigError extends Error {}
