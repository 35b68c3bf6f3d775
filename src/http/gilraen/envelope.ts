import { STATUS_CODES } from 'node:http';

/**
 * Gilraen's answer envelope. Success has a numeric `status_code` 0; errors have the HTTP status as a
 * string and `data` an empty string, exactly as the original documents them (clients written for
 * Gilraen compare these values, types included).
 */
export interface GilraenSuccess<T> {
  readonly status_code: 0;
  readonly status: 'success';
  readonly message: '';
  readonly data: T;
}

export interface GilraenError {
  readonly status_code: string;
  readonly status: string;
  readonly message: string;
  readonly data: '';
}

export function success<T>(data: T): GilraenSuccess<T> {
  return { status_code: 0, status: 'success', message: '', data };
}

/** The original's one answer for a missing, unknown or revoked key and for a used-up quota. */
export const UNAUTHORIZED: GilraenError = Object.freeze({
  status_code: '401',
  status: 'Unauthorized',
  message: 'Unauthorized or limit used up',
  data: '',
});

/** The original's answer for any signature problem: missing, wrong, stale or replayed. */
export const SIGNATURE_ERROR: GilraenError = Object.freeze({
  status_code: '419',
  status: 'signature error',
  message: 'signature failed verification',
  data: '',
});

/**
 * Statuses the original does not document (400, 404, 503, 500) in its error shape: the status as a
 * string, the HTTP reason phrase, and what was wrong as the message.
 */
export function errorBody(status: number, message: string): GilraenError {
  return { status_code: String(status), status: STATUS_CODES[status] ?? 'Error', message, data: '' };
}

/** Response header carrying why a 401 or 419 was answered: the body stays the original's fixed text. */
export const REASON_HEADER = 'x-numinfo-reason';
