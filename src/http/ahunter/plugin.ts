import { performance } from 'node:perf_hooks';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { NuminfoError } from '../../errors.js';
import type { NumberService } from '../../services/numberService.js';
import { tokenOf, type HttpAuth } from '../auth.js';
import { mapError } from '../errorMapping.js';
import { outputOf, parseAhunterQuery, splitQuery, userOf, type OutputOptions } from './params.js';
import { ahunterAnswer, ahunterPhones, prettyJson } from './shapes.js';
import { ahunterXml, ahunterXmlError, xmlBytes } from './xml.js';

export interface AhunterOptions {
  readonly service: NumberService;
  readonly auth: HttpAuth;
}

/** ahunter's own words for a missing or unknown key (the catalogue's UNAUTHORIZED code). */
const UNAUTHORIZED = { status: 401, code: 'UNAUTHORIZED', message: 'unknown or missing API token (user)' };

function rawQueryOf(url: string | undefined): string {
  const u = url ?? '';
  const q = u.indexOf('?');
  return q < 0 ? '' : u.slice(q + 1);
}

function sendError(reply: FastifyReply, out: OutputOptions, status: number, code: string, message: string) {
  if (out.format === 'xml') {
    return reply
      .status(status)
      .type(`text/xml; charset=${out.cp1251 ? 'windows-1251' : 'utf-8'}`)
      .send(xmlBytes(ahunterXmlError(code, message, out.cp1251), out.cp1251));
  }
  return reply
    .status(status)
    .type('application/json; charset=utf-8')
    .send(JSON.stringify({ error: message, code }));
}

/**
 * The ahunter.ru dialect: `GET /site/cleanse/phone?user=TOKEN;output=json|pretty;query=…`.
 * Parameters are separated by `;` or `&`; the query is UTF-8 or, with `input=cp1251`, Windows-1251.
 * The answer is ahunter's JSON (`phones`, `check_info`) or XML (`ProcessCheckResult`, optionally
 * in Windows-1251). Errors are `{"error": message, "code": CODE}` or `<Error code="CODE">message</Error>`.
 */
export const ahunterPlugin: FastifyPluginAsync<AhunterOptions> = async (app, { service, auth }) => {
  app.setErrorHandler((error, request, reply) => {
    const m = mapError(error);
    if (m.status >= 500 && m.code !== 'REGISTRY_NOT_LOADED') request.log.error(error);
    return sendError(reply, outputOf(rawQueryOf(request.raw.url)), m.status, m.code, m.message);
  });

  app.get('/site/cleanse/phone', async (request, reply) => {
    const started = performance.now();
    const raw = rawQueryOf(request.raw.url);
    const out = outputOf(raw);
    let principal;
    try {
      // ahunter clients send the key as `user=`; the native ways (headers, key=) work too.
      principal = await auth.requireToken(request, userOf(splitQuery(raw)) ?? tokenOf(request));
    } catch (e) {
      if (!(e instanceof NuminfoError) || e.code !== 'UNAUTHORIZED') throw e;
      return sendError(reply, out, UNAUTHORIZED.status, UNAUTHORIZED.code, UNAUTHORIZED.message);
    }
    const req = parseAhunterQuery(raw);
    if (req.query === undefined) throw new NuminfoError('MISSING_PARAMETER', 'parameter "query" is required');
    if (service.registry === null) throw new NuminfoError('REGISTRY_NOT_LOADED');
    // Spent once the request is known to be well formed: a malformed one costs nothing.
    await auth.spend(principal, 1);

    const cleanStarted = performance.now();
    const cleaned = service.clean(req.query, { hint: req.region ?? null, variantLimit: req.phonelim });
    const phones = ahunterPhones(cleaned);
    const time = Math.round(performance.now() - cleanStarted);
    const answer = ahunterAnswer(phones, req.query, time, Math.round(performance.now() - started));

    if (req.output.format === 'xml') {
      const cp1251 = req.output.cp1251;
      return reply
        .type(`text/xml; charset=${cp1251 ? 'windows-1251' : 'utf-8'}`)
        .send(xmlBytes(ahunterXml(answer, cp1251), cp1251));
    }
    const body = req.output.pretty ? prettyJson(answer) + '\n' : JSON.stringify(answer);
    return reply.type('application/json; charset=utf-8').send(body);
  });
};
