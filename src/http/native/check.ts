import type { FastifyPluginAsync } from 'fastify';
import { NuminfoError } from '../../errors.js';
import type { NumberService } from '../../services/numberService.js';
import type { CheckService } from '../../services/reputation/checkService.js';
import { GLOBAL_OWNER } from '../../store/types.js';
import type { HttpAuth } from '../auth.js';
import { mapError } from '../errorMapping.js';
import { needStore, numberValue, optionalString, queryOf } from './storeParams.js';

export interface CheckRoutesOptions {
  readonly service: NumberService;
  /** Null on a server without a store: the route exists and answers 503 STORE_UNAVAILABLE. */
  readonly deps: { readonly checker: CheckService; readonly auth: HttpAuth } | null;
}

const isText = (query: unknown): boolean => (query as { format?: unknown } | undefined)?.format === 'text';

/**
 * `GET /v1/check?number=&lists=a,b[&format=text]`: allow or block, with the reasons (blacklists,
 * trust below the threshold, the unwanted flag). The global lists and the caller's own are searched;
 * `lists` limits them by name. `format=text` answers `allow` or `block` alone for dialplans, and an
 * empty body with the error status when the request fails, so a dialplan variable ends up empty.
 */
export const checkPlugin: FastifyPluginAsync<CheckRoutesOptions> = async (app, opts) => {
  const { service } = opts;
  app.setErrorHandler((error, request, reply) => {
    const m = mapError(error);
    if (m.status >= 500 && m.code !== 'STORE_UNAVAILABLE') request.log.error(error);
    if (isText(request.query)) return reply.status(m.status).type('text/plain; charset=utf-8').send('');
    return reply.status(m.status).send({ error: { code: m.code, message: m.message } });
  });

  app.get('/v1/check', async (request, reply) => {
    const { checker, auth } = needStore(opts.deps);
    const q = queryOf(request);
    const format = optionalString(q.format, 'format');
    if (format !== undefined && format !== 'text' && format !== 'json') {
      throw new NuminfoError('BAD_REQUEST', 'format must be json or text');
    }
    const number = numberValue(service, optionalString(q.number, 'number'), 'number');
    const listsRaw = optionalString(q.lists, 'lists');
    const lists =
      listsRaw === undefined || listsRaw.trim() === ''
        ? null
        : listsRaw
            .split(',')
            .map((s) => s.trim())
            .filter((s) => s !== '');
    const principal = await auth.require(request, { units: 1 });
    const r = await checker.check(number, {
      owner: principal.owner === GLOBAL_OWNER ? null : principal.owner,
      lists,
    });
    if (format === 'text') return reply.type('text/plain; charset=utf-8').send(r.decision);
    return {
      number: r.number,
      decision: r.decision,
      reasons: r.reasons,
      trust: r.trust,
      blacklists: r.blacklists.map((h) => ({
        list: h.list,
        scope: h.owner === GLOBAL_OWNER ? 'global' : 'key',
      })),
      is_unwanted: r.is_unwanted,
      threshold: r.threshold,
    };
  });
};
