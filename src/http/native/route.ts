import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { NuminfoError } from '../../errors.js';
import type { NumberService } from '../../services/numberService.js';
import { parseDirection, routeNumber, type RouteAnswer } from '../../services/routing/routeNumber.js';
import type { CallChecker, RouteSource } from '../../services/routing/types.js';
import { mapError } from '../errorMapping.js';

export interface RouteOptions {
  readonly service: NumberService;
  /** The routing rules; a RoutingManager, so reloads reach every request. */
  readonly routes: RouteSource;
  /** Allow/block decisions for `decision` rules (the CheckService); absent or null: every number is allowed. */
  readonly checker?: CallChecker | null;
}

interface Query {
  number?: unknown;
  direction?: unknown;
  format?: unknown;
}

const isText = (q: Query | undefined): boolean => q?.format === 'text';

function send(reply: FastifyReply, answer: RouteAnswer, text: boolean): void {
  if (text) void reply.type('text/plain; charset=utf-8').send(answer.route);
  else void reply.send(answer);
}

/**
 * `GET /v1/route?number=&direction=in|out[&format=text]`: the route (trunk) the routing rules give a
 * call (`docs/routing.md`). JSON `{route, rule, direction, number}`, or with `format=text` the route
 * name alone as plain text for Asterisk `CURL()`; a failed `format=text` request answers an empty
 * plain-text body with the error status, so the dialplan variable ends up empty.
 */
export const routePlugin: FastifyPluginAsync<RouteOptions> = async (
  app,
  { service, routes, checker = null },
) => {
  app.setErrorHandler((error, request, reply) => {
    const m = mapError(error);
    if (m.status >= 500) request.log.error(error);
    if (isText(request.query as Query | undefined)) {
      return reply.status(m.status).type('text/plain; charset=utf-8').send('');
    }
    return reply.status(m.status).send({ error: { code: m.code, message: m.message } });
  });

  // Synchronous like voxlink's `/get/` (this runs once per call a PBX places), unless a rule has a
  // `decision` condition: then the checker is awaited and the call routed again with its answer.
  app.get('/v1/route', (request, reply: FastifyReply): void | Promise<void> => {
    const q = request.query as Query;
    if (q.format !== undefined && q.format !== 'text' && q.format !== 'json') {
      throw new NuminfoError('BAD_REQUEST', 'format must be json or text');
    }
    if (q.number === undefined)
      throw new NuminfoError('MISSING_PARAMETER', 'query parameter "number" is required');
    if (typeof q.number !== 'string') {
      throw new NuminfoError('BAD_REQUEST', 'query parameter "number" must be given once');
    }
    const direction = parseDirection(q.direction);
    const answer = routeNumber(service, routes, q.number, direction);
    if (checker === null || routes.needsCheck !== true) {
      send(reply, answer, q.format === 'text');
      return;
    }
    const text = q.format === 'text';
    return checker.check(answer.number).then((check) => {
      const d = routes.route(answer.number, direction, check);
      send(reply, { ...answer, route: d.route, rule: d.rule }, text);
    });
  });
};
