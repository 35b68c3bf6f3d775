/**
 * The one catalogue of errors. Every face maps these codes to its own envelope: HTTP status for the
 * servers, exit code for the CLI. `docs/errors.md` lists them; a test keeps the two in step.
 */
export interface ErrorSpec {
  readonly status: number;
  readonly exitCode: number;
  readonly message: string;
}

export const ERRORS = {
  MISSING_PARAMETER: { status: 400, exitCode: 2, message: 'required parameter is missing' },
  INPUT_EMPTY: { status: 400, exitCode: 2, message: 'the number is empty' },
  INPUT_TOO_LONG: { status: 400, exitCode: 2, message: 'the input is longer than the allowed maximum' },
  NOT_A_NUMBER: { status: 400, exitCode: 2, message: 'the input is not a phone number' },
  TOO_SHORT: { status: 400, exitCode: 2, message: 'too few digits for a phone number' },
  TOO_LONG: { status: 400, exitCode: 2, message: 'too many digits for a phone number' },
  INVALID_COUNTRY_CODE: { status: 400, exitCode: 2, message: 'no country has this calling code' },
  NOT_RUSSIAN: {
    status: 400,
    exitCode: 2,
    message: 'only Russian numbers (+7, ABC/DEF codes) are supported here',
  },
  NOT_IN_PLAN: { status: 404, exitCode: 3, message: 'the number is not in the numbering plan' },
  INVALID_NUMBER: { status: 404, exitCode: 3, message: 'the number is not valid for its country' },
  BATCH_TOO_LARGE: { status: 413, exitCode: 2, message: 'too many numbers in one request' },
  BAD_REQUEST: { status: 400, exitCode: 2, message: 'the request is malformed' },
  UNAUTHORIZED: { status: 401, exitCode: 2, message: 'the API key is missing or unknown' },
  FORBIDDEN: { status: 403, exitCode: 2, message: "the API key's role does not allow this" },
  BAD_SIGNATURE: {
    status: 401,
    exitCode: 2,
    message: 'the request signature is missing, stale, replayed or wrong',
  },
  QUOTA_EXCEEDED: { status: 429, exitCode: 2, message: "the API key's quota is used up" },
  RATE_LIMITED: { status: 429, exitCode: 2, message: 'too many requests from this client' },
  NOT_FOUND: { status: 404, exitCode: 2, message: 'no such endpoint' },
  ITEM_NOT_FOUND: { status: 404, exitCode: 3, message: 'no such item' },
  METHOD_NOT_ALLOWED: { status: 405, exitCode: 2, message: 'method not allowed' },
  REGISTRY_NOT_LOADED: {
    status: 503,
    exitCode: 4,
    message: 'Russian numbering-plan data is not loaded; run `numinfo update`',
  },
  SOURCE_UNAVAILABLE: { status: 502, exitCode: 5, message: 'the registry source could not be read' },
  UPDATE_REJECTED: { status: 422, exitCode: 6, message: 'the new registry data failed validation' },
  SNAPSHOT_INVALID: {
    status: 500,
    exitCode: 7,
    message: 'the snapshot file is damaged or of an unknown format',
  },
  STORE_UNAVAILABLE: { status: 503, exitCode: 4, message: 'the database is unavailable' },
  CONFIG_INVALID: { status: 500, exitCode: 2, message: 'the configuration is invalid' },
  INTERNAL: { status: 500, exitCode: 1, message: 'internal error' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

export class NuminfoError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly exitCode: number;

  constructor(code: ErrorCode, message?: string, options?: { cause?: unknown }) {
    super(message ?? ERRORS[code].message, options);
    this.name = 'NuminfoError';
    this.code = code;
    this.status = ERRORS[code].status;
    this.exitCode = ERRORS[code].exitCode;
  }
}

export function isNuminfoError(e: unknown): e is NuminfoError {
  return e instanceof NuminfoError;
}
