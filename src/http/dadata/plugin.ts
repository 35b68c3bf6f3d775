import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { NuminfoError } from '../../errors.js';
import type { CleanResult } from '../../services/clean.js';
import type { NumberService } from '../../services/numberService.js';
import type { Principal } from '../../services/keys/keyService.js';
import type { HttpAuth } from '../auth.js';
import { mapError } from '../errorMapping.js';
import { toDadataPhone } from './shapes.js';

export interface DadataOptions {
  readonly service: NumberService;
  readonly auth: HttpAuth;
}

export const DADATA_PATH = '/api/v1/clean/phone';

/** Largest request body: one phone (DaData's `source` is at most 100 characters) needs far less. */
export const DADATA_BODY_LIMIT = 16 * 1024;

/** Every method Fastify routes except POST: each answers 405, as DaData does. */
const OTHER_METHODS = ['GET', 'HEAD', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];

/** `Authorization: Token KEY` → `KEY`; anything else → undefined. */
function tokenOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^\s*Token\s+(\S+)\s*$/i.exec(header);
  return m?.[1];
}

function headerValue(request: FastifyRequest, name: string): string | undefined {
  const v = request.headers[name];
  return typeof v === 'string' ? v : undefined;
}

/** The body DaData takes: a JSON array holding exactly one string. */
function sourceOf(body: unknown): string {
  // A text/plain body arrives as a string (the client forgot the content type), a JSON scalar as itself.
  if (!Array.isArray(body)) {
    throw new NuminfoError(
      'BAD_REQUEST',
      'Request body must be a JSON array with one phone string, sent as Content-Type: application/json: ["phone"].',
    );
  }
  if (body.length !== 1) {
    throw new NuminfoError(
      'BAD_REQUEST',
      `Request body must hold exactly one phone, got ${body.length}: only one phone per request is allowed.`,
    );
  }
  const item: unknown = body[0];
  if (typeof item !== 'string') throw new NuminfoError('BAD_REQUEST', 'The phone must be a JSON string.');
  return item;
}

/** Digits in a string, to tell whether a number without interpretations needed the registry. */
function digitCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) n++;
  }
  return n;
}

/**
 * Whether the answer would depend on Russian registry data that is not loaded: a Russian number, or
 * a local number (7–9 digits) whose zone can only be restored from the registry.
 */
function needsRegistry(c: CleanResult, registryLoaded: boolean): boolean {
  if (c.qc === 2 || registryLoaded) return false;
  const first = c.numbers[0];
  if (!first) return false;
  const best = first.variants[0];
  if (best) return best.error === 'REGISTRY_NOT_LOADED';
  const digits = digitCount(first.text);
  return digits >= 7 && digits <= 9;
}

/** Fastify's client errors, in DaData's words. */
function clientErrorDetail(error: unknown, status: number, message: string): string {
  const code = (error as { code?: unknown }).code;
  if (status === 413) return `Request body is too large: at most ${DADATA_BODY_LIMIT} bytes.`;
  if (status === 415 || code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
    return 'Unsupported media type: send the body as Content-Type: application/json.';
  if (code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return 'Request body is empty: send ["phone"].';
  if (error instanceof SyntaxError || code === 'FST_ERR_CTP_INVALID_JSON_BODY')
    return `JSON parse error - ${message}`;
  return message;
}

/**
 * The DaData dialect: `POST /api/v1/clean/phone` with `["раб 846)231.60.14 *139"]` answers DaData's
 * standardized phone object (see `shapes.ts` and `docs/dialects/dadata.md`). Authorization as DaData
 * asks for it, `Authorization: Token KEY` and `X-Secret: SECRET` (the key's signing secret, see
 * docs/keys.md); in open mode (no keys) every request passes. Each answered request costs one quota
 * unit. Errors are DaData's (Django REST framework's) `{"detail": message}`; a wrong content type or
 * a body that is not one string is 400, never 415 or 5xx.
 */
export const dadataPlugin: FastifyPluginAsync<DadataOptions> = async (app, { service, auth }) => {
  const principals = new WeakMap<FastifyRequest, Principal>();

  app.setErrorHandler((error, request, reply) => {
    const m = mapError(error);
    // A missing registry is announced once at start; its 503 on every request is not an error to log.
    if (m.status >= 500 && m.code !== 'REGISTRY_NOT_LOADED') request.log.error(error);
    // DaData answers every malformed request 400; only a too-large body keeps its own status.
    const status = m.status === 415 ? 400 : m.status;
    const detail =
      m.status >= 400 && m.status < 500 && !(error instanceof NuminfoError)
        ? clientErrorDetail(error, m.status, m.message)
        : m.message;
    if (status === 405) void reply.header('allow', 'POST');
    return reply.status(status).send({ detail });
  });

  async function authorize(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (await auth.isOpen()) return;
    const token = tokenOf(headerValue(request, 'authorization'));
    if (token === undefined) {
      return reply
        .status(401)
        .header('www-authenticate', 'Token')
        .send({ detail: 'Authentication credentials were not provided: send Authorization: Token KEY.' });
    }
    try {
      const secret = headerValue(request, 'x-secret');
      principals.set(request, await auth.requireToken(request, token, { secret, secretRequired: true }));
    } catch (e) {
      if (!(e instanceof NuminfoError) || e.code !== 'UNAUTHORIZED') throw e;
      return reply
        .status(401)
        .header('www-authenticate', 'Token')
        .send({ detail: 'Invalid API key or secret key (Authorization: Token KEY, X-Secret: SECRET).' });
    }
  }

  app.route({
    method: 'POST',
    url: DADATA_PATH,
    bodyLimit: DADATA_BODY_LIMIT,
    // Before the body is read: an unauthorized client gets 401 whatever it sent.
    onRequest: authorize,
    handler: async (request) => {
      const source = sourceOf(request.body);
      const cleaned = await service.cleanDetailed(source);
      if (needsRegistry(cleaned, service.registry !== null)) throw new NuminfoError('REGISTRY_NOT_LOADED');
      // Spent once the request is known to be answerable: malformed ones and 503s cost nothing.
      const principal = principals.get(request);
      if (principal) await auth.spend(principal, 1);
      return [toDadataPhone(cleaned)];
    },
  });

  app.route({
    method: OTHER_METHODS,
    url: DADATA_PATH,
    // Answer before any body is parsed, so a PUT with broken JSON is still 405.
    onRequest: async (request) => {
      throw new NuminfoError('METHOD_NOT_ALLOWED', `Method "${request.method}" not allowed.`);
    },
    handler: async () => {
      throw new NuminfoError('METHOD_NOT_ALLOWED');
    },
  });
};
