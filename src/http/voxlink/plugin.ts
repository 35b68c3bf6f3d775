import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { transliterate } from '../../core/translit.js';
import type { LookupResult } from '../../core/types.js';
import { NuminfoError } from '../../errors.js';
import type { NumberService } from '../../services/numberService.js';
import { mapError } from '../errorMapping.js';
import { toVoxlinkV1, toVoxlinkV2, V1_FIELDS, type VoxlinkV1 } from './shapes.js';

export interface VoxlinkOptions {
  readonly service: NumberService;
}

interface Query {
  num?: unknown;
  field?: unknown;
  translit?: unknown;
}

function numParam(q: Query): string {
  if (q.num === undefined) throw new NuminfoError('MISSING_PARAMETER', 'query parameter "num" is required');
  if (typeof q.num !== 'string')
    throw new NuminfoError('BAD_REQUEST', 'query parameter "num" must be given once');
  return q.num;
}

function failIfError(r: LookupResult, russianOnly: boolean): void {
  if (r.error === null) return;
  if (r.error === 'INVALID_NUMBER' || r.error === 'NOT_IN_PLAN') {
    throw new NuminfoError(r.error as 'NOT_IN_PLAN');
  }
  if (russianOnly && r.country && r.country.iso !== 'RU') throw new NuminfoError('NOT_RUSSIAN');
  throw new NuminfoError(r.error as 'NOT_A_NUMBER');
}

/**
 * The num.voxlink.ru dialect: `GET /get/?num=` (v1, Russian numbers, Cyrillic or `translit=1`,
 * `field=NAME` answering that field as plain text for Asterisk `CURL()`) and `GET /get/v2/?num=`
 * (Russian and international, Latin script). Errors are `{"error": message, "code": CODE}`; a
 * `field=` request that fails answers an empty plain-text body with the error status, so a dialplan
 * variable ends up empty rather than holding an error message.
 */
export const voxlinkPlugin: FastifyPluginAsync<VoxlinkOptions> = async (app, { service }) => {
  app.setErrorHandler((error, request, reply) => {
    const m = mapError(error);
    // A missing registry is announced once at start; its 503 on every request is not an error to log.
    if (m.status >= 500 && m.code !== 'REGISTRY_NOT_LOADED') request.log.error(error);
    const q = (request.query ?? {}) as Query;
    // By route, not raw URL: `/get?num=…&field=…` reaches the same route (ignoreTrailingSlash).
    if (typeof q.field === 'string' && request.routeOptions.url === '/get/') {
      return reply.status(m.status).type('text/plain; charset=utf-8').send('');
    }
    return reply.status(m.status).send({ error: m.message, code: m.code });
  });

  app.get('/get/', async (request, reply: FastifyReply) => {
    const q = request.query as Query;
    const translit = q.translit === '1' || q.translit === 'true';
    const field = q.field;
    if (field !== undefined && (typeof field !== 'string' || !V1_FIELDS.has(field))) {
      throw new NuminfoError('BAD_REQUEST', `field must be one of ${[...V1_FIELDS].join(', ')}`);
    }
    const r = service.lookup(numParam(q));
    if (r.country && r.country.iso !== 'RU' && r.error !== 'NOT_A_NUMBER')
      throw new NuminfoError('NOT_RUSSIAN');
    if (r.error === 'REGISTRY_NOT_LOADED') throw new NuminfoError('REGISTRY_NOT_LOADED');
    failIfError(r, true);
    const body: VoxlinkV1 = toVoxlinkV1(r, translit ? transliterate : null);
    if (typeof field === 'string') {
      const v = body[field as keyof VoxlinkV1];
      return reply.type('text/plain; charset=utf-8').send(v === null ? '' : String(v));
    }
    return reply.send(body);
  });

  app.get('/get/v2/', async (request) => {
    const q = request.query as Query;
    const r = await service.lookupDetailed(numParam(q));
    if (r.error === 'REGISTRY_NOT_LOADED') throw new NuminfoError('REGISTRY_NOT_LOADED');
    failIfError(r, false);
    return toVoxlinkV2(r);
  });
};
