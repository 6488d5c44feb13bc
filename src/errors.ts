/**
 * One error type with a stable code. The HTTP plugin maps code → status through ERROR_STATUS;
 * the CLI maps it to an exit code. Messages are safe to show to users.
 */
export const ERROR_STATUS = {
  bad_request: 400,
  invalid_parameter: 400,
  invalid_cvss_vector: 400,
  invalid_input: 400,
  weak_password: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  /** A CVE JSON 5 record was asked of a vulnerability that has no CVE id. */
  no_cve_id: 409,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;
export type ErrorCode = keyof typeof ERROR_STATUS;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;
  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }
  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}
