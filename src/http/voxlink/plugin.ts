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

/** JSON text of a string exactly as `JSON.stringify` writes it, without its cost when nothing needs escaping. */
function jsonString(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // Control characters, `"`, `\` and surrogates are all JSON.stringify may escape.
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return JSON.stringify(s);
  }
  return '"' + s + '"';
}

/**
 * JSON text of operator and region names, each escaped once: a few thousand distinct names answer
 * every request, and half of them hold quotes (`ООО "…"`). Bounded, for transliterated variants.
 */
const nameJson = new Map<string, string>();
const NAME_JSON_MAX = 20_000;

function jsonName(s: string): string {
  let j = nameJson.get(s);
  if (j === undefined) {
    j = jsonString(s);
    if (nameJson.size < NAME_JSON_MAX) nameJson.set(s, j);
  }
  return j;
}

type V1Written = 'code' | 'num' | 'full_num' | 'operator' | 'old_operator' | 'region';

/**
 * `JSON.stringify(b)` byte for byte, fields in the order `toVoxlinkV1` builds them, at a fraction of
 * its cost (it was the largest part of a `/get/` request after Fastify itself). The parameter type
 * turns to `never`, and the call stops compiling, if VoxlinkV1 gains a field not written here.
 */
function v1Json(b: [Exclude<keyof VoxlinkV1, V1Written>] extends [never] ? VoxlinkV1 : never): string {
  return (
    '{"code":' +
    jsonString(b.code) +
    ',"num":' +
    jsonString(b.num) +
    ',"full_num":' +
    jsonString(b.full_num) +
    ',"operator":' +
    jsonName(b.operator) +
    ',"old_operator":' +
    (b.old_operator === null ? 'null' : jsonName(b.old_operator)) +
    ',"region":' +
    jsonName(b.region) +
    '}'
  );
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

  // Synchronous on purpose: an async handler costs a promise and a thenable round trip per request, a
  // measurable share of this route's time; a thrown error reaches the error handler just the same.
  app.get('/get/', (request, reply: FastifyReply): void => {
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
      void reply.type('text/plain; charset=utf-8').send(v === null ? '' : String(v));
      return;
    }
    // The same answer as `reply.send(body)`: Fastify's content type for objects, the JSON text it would
    // serialize (no preSerialization hooks exist on this route to skip).
    void reply.type('application/json; charset=utf-8').send(v1Json(body));
  });

  app.get('/get/v2/', async (request) => {
    const q = request.query as Query;
    const r = await service.lookupDetailed(numParam(q));
    if (r.error === 'REGISTRY_NOT_LOADED') throw new NuminfoError('REGISTRY_NOT_LOADED');
    failIfError(r, false);
    return toVoxlinkV2(r);
  });
};
