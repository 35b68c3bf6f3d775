import { ERRORS, isNuminfoError, type ErrorCode } from '../errors.js';

export interface MappedError {
  readonly status: number;
  readonly code: ErrorCode;
  readonly message: string;
}

/**
 * Any thrown value to a catalogue code: our own errors as they are, Fastify's client errors (bad
 * JSON, body too large, wrong content type) by their status, everything else as INTERNAL.
 */
export function mapError(e: unknown): MappedError {
  if (isNuminfoError(e)) return { status: e.status, code: e.code, message: e.message };
  const err = e as { statusCode?: number; message?: string; code?: string };
  const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
  if (status === 413) return { status, code: 'BATCH_TOO_LARGE', message: 'request body is too large' };
  if (status === 405)
    return { status, code: 'METHOD_NOT_ALLOWED', message: ERRORS.METHOD_NOT_ALLOWED.message };
  if (status === 404) return { status, code: 'NOT_FOUND', message: ERRORS.NOT_FOUND.message };
  if (status >= 400 && status < 500) {
    return { status, code: 'BAD_REQUEST', message: err.message ?? ERRORS.BAD_REQUEST.message };
  }
  return { status: 500, code: 'INTERNAL', message: ERRORS.INTERNAL.message };
}
