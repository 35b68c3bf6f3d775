import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { NuminfoError } from '../../errors.js';
import { nationalOf, type MnpManager } from '../../services/mnpManager.js';
import type { NumberService } from '../../services/numberService.js';
import type { HttpAuth } from '../auth.js';

export interface MnpRoutesOptions {
  readonly service: NumberService;
  /** Without a manager (a server with no data directory) the override routes answer 503. */
  readonly manager: MnpManager | null;
  readonly auth: HttpAuth;
}

/**
 * `/v1/mnp`: the state of the ported-number data, one number's port, and hand-set overrides
 * (`PUT`/`DELETE /v1/mnp/{number}`, e.g. learned from HLR lookups or SIP responses). Writes need an
 * admin key (`Authorization: Bearer KEY`, see docs/keys.md) unless the server runs in open mode.
 */
export const mnpPlugin: FastifyPluginAsync<MnpRoutesOptions> = async (app, { service, manager, auth }) => {
  const requireAdmin = async (request: FastifyRequest): Promise<void> => {
    await auth.require(request, { role: 'admin' });
  };
  const needManager = (): MnpManager => {
    if (!manager) throw new NuminfoError('INTERNAL', 'MNP overrides are not available on this server');
    return manager;
  };
  const numberParam = (request: FastifyRequest): string => {
    const raw = (request.params as { number: string }).number;
    const national = nationalOf(raw);
    if (!national) throw new NuminfoError('NOT_A_NUMBER', `"${raw.slice(0, 40)}" is not a Russian number`);
    return national;
  };

  app.get('/v1/mnp', async () => ({ ...service.mnpStatus(), overrides: service.mnpOverrides.length }));

  app.get('/v1/mnp/:number', async (request) => {
    const national = numberParam(request);
    const r = service.lookup(national);
    const override = service.mnpOverrides.find((o) => o.number === national) ?? null;
    return {
      number: '+7' + national,
      ported: r.ported,
      operator: r.operator,
      range_operator: r.range_operator,
      ported_at: r.ported_at,
      mnc: r.mnc,
      route: r.route,
      override,
    };
  });

  app.put('/v1/mnp/:number', async (request, reply) => {
    await requireAdmin(request);
    const m = needManager();
    const national = numberParam(request);
    const body = request.body as { operator?: unknown; mnc?: unknown } | null;
    if (!body || typeof body !== 'object' || typeof body.operator !== 'string') {
      throw new NuminfoError(
        'BAD_REQUEST',
        'body must be {"operator": "<OrgCode, INN or name>", "mnc": "<optional>"}',
      );
    }
    if (body.mnc !== undefined && body.mnc !== null && typeof body.mnc !== 'string') {
      throw new NuminfoError('BAD_REQUEST', 'mnc must be a string of 2–3 digits');
    }
    const override = await m.setOverride(
      national,
      body.operator,
      (body.mnc as string | null | undefined) ?? null,
    );
    const r = service.lookup(national);
    return reply
      .status(200)
      .send({ override, operator: r.operator, range_operator: r.range_operator, ported: r.ported });
  });

  app.delete('/v1/mnp/:number', async (request, reply) => {
    await requireAdmin(request);
    const m = needManager();
    const national = numberParam(request);
    if (!(await m.deleteOverride(national)))
      throw new NuminfoError('NOT_FOUND', `no override for +7${national}`);
    return reply.status(204).send();
  });
};
