import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { NuminfoError } from '../../errors.js';
import type { Principal } from '../../services/keys/keyService.js';
import type { NumberService } from '../../services/numberService.js';
import { normalizeNumber } from '../../services/reputation/normalizeNumber.js';
import type { Reputation, ReputationService } from '../../services/reputation/reputationService.js';
import { authenticateGilraen, type HttpAuth } from '../auth.js';
import { mapError } from '../errorMapping.js';
import { errorBody, REASON_HEADER, SIGNATURE_ERROR, success, UNAUTHORIZED } from './envelope.js';
import {
  carrierRegion,
  parseLang,
  parseOptFields,
  tagsList,
  tagsTop,
  UNLIMITED,
  unitsFor,
  type OptField,
} from './fields.js';

/**
 * What `server.ts` registers the plugin with:
 * `app.register(gilraenPlugin, { prefix: config.gilraenPrefix, service, reputation, auth })`.
 * The prefix is Fastify's own register option (default in config: `/gilraen`); the plugin reads it
 * back to accept signatures computed over the path with or without it.
 */
export interface GilraenOptions {
  readonly service: NumberService;
  readonly reputation: ReputationService;
  /** Keys, signatures and quota (`auth.keys`). */
  readonly auth: HttpAuth;
}

type Query = Record<string, unknown>;

function numberParam(service: NumberService, q: Query): string {
  const raw = q.number;
  if (raw === undefined || raw === '')
    throw new NuminfoError('MISSING_PARAMETER', 'query parameter "number" is required');
  if (typeof raw !== 'string')
    throw new NuminfoError('BAD_REQUEST', 'query parameter "number" must be given once');
  return normalizeNumber(service, raw);
}

function optFieldsParam(q: Query): OptField[] {
  const raw = q.opt_fields;
  if (raw === undefined || raw === '')
    throw new NuminfoError('MISSING_PARAMETER', 'query parameter "opt_fields" is required');
  if (typeof raw !== 'string')
    throw new NuminfoError('BAD_REQUEST', 'query parameter "opt_fields" must be given once');
  return parseOptFields(raw);
}

/** Every field but `limits` is about a number, which `/v1/number` then requires. */
function need(number: string | null): string {
  if (number === null) throw new NuminfoError('MISSING_PARAMETER', 'query parameter "number" is required');
  return number;
}

/** No automatic HEAD routes: a HEAD would run the method and spend units for an answer nobody reads. */
const GET_ONLY = { exposeHeadRoute: false } as const;

/** A failed check answered with the original's fixed body; the reason goes into a header only. */
class Refusal extends Error {
  constructor(
    readonly status: 401 | 419,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/**
 * The Gilraen Data API dialect (`docs/dialects/gilraen.md`): `GET /v1/limits`, `/v1/index`,
 * `/v1/bans`, `/v1/tags_top`, `/v1/unwanted`, `/v1/carrier_region`, `/v1/comments`, `/v1/tags_list`
 * and the combined `/v1/number?opt_fields=…`, under the configured prefix. Requests carry `key`,
 * `timestamp` and `signature` as the original's clients send them; every method but `limits` spends
 * units of the key's quota, and only once the request is known to be well-formed.
 */
export const gilraenPlugin: FastifyPluginAsync<GilraenOptions> = async (app, opts) => {
  const { service, reputation, auth } = opts;
  const keys = auth.keys;
  const prefix = app.prefix;

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof Refusal) {
      // Node knows no reason phrase for 419 and would write `419 unknown`.
      if (error.status === 419) reply.raw.statusMessage = 'Signature Error';
      return reply
        .status(error.status)
        .header(REASON_HEADER, error.reason)
        .send(error.status === 419 ? SIGNATURE_ERROR : UNAUTHORIZED);
    }
    const m = mapError(error);
    // A missing registry is announced once at start; its 503 on every request is not an error to log.
    if (m.status >= 500 && m.code !== 'REGISTRY_NOT_LOADED') request.log.error(error);
    return reply.status(m.status).send(errorBody(m.status, m.message));
  });

  app.setNotFoundHandler((request, reply) => {
    void reply
      .status(404)
      .send(errorBody(404, `no such method: ${request.method} ${request.url.split('?')[0]}`));
  });

  /** Key and signature; throws a Refusal. Spends nothing: the caller spends once the request is valid. */
  async function principalOf(request: FastifyRequest): Promise<Principal> {
    const r = await authenticateGilraen(auth, request, { units: 0, prefix });
    if (!r.ok) throw new Refusal(r.status, r.reason);
    return r.principal;
  }

  async function spend(principal: Principal, units: number): Promise<void> {
    if (units === 0 || principal.open) return;
    const s = await keys.spend(principal, units);
    if (!s.ok) {
      throw new Refusal(401, `limit used up: ${units} unit(s) asked, ${s.remaining ?? 0} left`);
    }
  }

  /** Spends, then works; units come back when the work fails (no registry, the store gone). */
  async function charged<T>(principal: Principal, units: number, work: () => Promise<T>): Promise<T> {
    await spend(principal, units);
    try {
      return await work();
    } catch (e) {
      if (!principal.open) await auth.refund(principal, units);
      throw e;
    }
  }

  async function limitsOf(principal: Principal): Promise<number> {
    if (principal.open) return UNLIMITED;
    const left = await keys.remaining(principal);
    return left === null ? UNLIMITED : Math.min(left, UNLIMITED);
  }

  app.get('/v1/limits', GET_ONLY, async (request) => {
    const principal = await principalOf(request);
    return success({ limits: await limitsOf(principal) });
  });

  /** A one-unit method about one number: authenticate, validate, spend, answer. */
  function numberMethod<T>(url: string, answer: (number: string) => Promise<T>): void {
    app.get(url, GET_ONLY, async (request) => {
      const principal = await principalOf(request);
      const number = numberParam(service, request.query as Query);
      return success(await charged(principal, 1, () => answer(number)));
    });
  }

  numberMethod('/v1/index', async (n) => ({ index: (await reputation.get(n)).index }));
  numberMethod('/v1/bans', async (n) => ({ bans: (await reputation.get(n)).bans }));
  numberMethod('/v1/tags_top', async (n) => ({ tags: tagsTop(await reputation.get(n)) }));
  numberMethod('/v1/unwanted', async (n) => ({ is_unwanted: (await reputation.get(n)).is_unwanted }));
  numberMethod('/v1/comments', async (n) => ({ comments_count: (await reputation.get(n)).comments_count }));
  numberMethod('/v1/carrier_region', (n) => lookupCarrierRegion(n));

  async function lookupCarrierRegion(number: string): Promise<ReturnType<typeof carrierRegion>> {
    const r = await service.lookupDetailed('+' + number);
    if (r.error === 'REGISTRY_NOT_LOADED') throw new NuminfoError('REGISTRY_NOT_LOADED');
    return carrierRegion(r);
  }

  app.get('/v1/tags_list', GET_ONLY, async (request) => {
    const principal = await principalOf(request);
    const lang = parseLang((request.query as Query).lang);
    return success({
      tagsList: await charged(principal, 1, async () => tagsList(await reputation.tags(), lang)),
    });
  });

  app.get('/v1/number', GET_ONLY, async (request, reply: FastifyReply) => {
    const principal = await principalOf(request);
    const q = request.query as Query;
    const fields = optFieldsParam(q);
    const needsNumber = fields.some((f) => f !== 'limits');
    const number = needsNumber ? numberParam(service, q) : null;
    const data = await charged(principal, unitsFor(fields), async () => {
      let rep: Reputation | null = null;
      const repOf = async (): Promise<Reputation> => (rep ??= await reputation.get(need(number)));
      const out: Record<string, unknown> = {};
      for (const f of fields) {
        switch (f) {
          case 'bans':
            out.bans = (await repOf()).bans;
            break;
          case 'index':
            out.index = (await repOf()).index;
            break;
          case 'tags_top':
            out.tags = tagsTop(await repOf());
            break;
          case 'unwanted':
            out.is_unwanted = (await repOf()).is_unwanted;
            break;
          case 'comments':
            out.comments_count = (await repOf()).comments_count;
            break;
          case 'carrier_region':
            Object.assign(out, await lookupCarrierRegion(need(number)));
            break;
          case 'limits':
            // Left after this request's own units: what the client can still spend.
            out.limits = await limitsOf(principal);
            break;
        }
      }
      return out;
    });
    return reply.send(success(data));
  });
};
