import { readFileSync } from 'node:fs';
import type { FastifyPluginAsync } from 'fastify';
import { ERRORS, NuminfoError, type ErrorCode } from '../../errors.js';
import { MAX_CLEAN_INPUT } from '../../core/recognize.js';
import { cleanView, tooLongView, type CleanView } from '../../services/cleanView.js';
import type { NumberService } from '../../services/numberService.js';
import type { Store } from '../../store/types.js';

export interface NativeOptions {
  readonly service: NumberService;
  readonly batchLimit: number;
  readonly health?: () => Record<string, unknown>;
  /** The reputation store, pinged by /healthz; null or absent: the server runs without one. */
  readonly store?: Pick<Store, 'driver' | 'ping'> | null;
}

/** A store that does not answer a ping within this is reported down, rather than hanging /healthz. */
const STORE_PING_TIMEOUT_MS = 2000;

async function storeHealth(
  store: Pick<Store, 'driver' | 'ping'>,
): Promise<{ driver: string; ok: boolean; error?: string }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      store.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${STORE_PING_TIMEOUT_MS} ms`)),
          STORE_PING_TIMEOUT_MS,
        );
      }),
    ]);
    return { driver: store.driver, ok: true };
  } catch (e) {
    return { driver: store.driver, ok: false, error: (e as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

/** Lookup errors that mean the request was wrong, as opposed to a number that is not assigned. */
const INPUT_ERRORS = new Set<string>([
  'INPUT_EMPTY',
  'INPUT_TOO_LONG',
  'NOT_A_NUMBER',
  'TOO_SHORT',
  'TOO_LONG',
  'INVALID_COUNTRY_CODE',
]);

const OPENAPI = readFileSync(new URL('../../../docs/openapi.json', import.meta.url), 'utf8');

function single(value: unknown, name: string): string {
  if (value === undefined)
    throw new NuminfoError('MISSING_PARAMETER', `query parameter "${name}" is required`);
  if (typeof value !== 'string')
    throw new NuminfoError('BAD_REQUEST', `query parameter "${name}" must be given once`);
  return value;
}

/** The native API: `/v1/lookup`, `/healthz`, `/openapi.json`. */
export const nativePlugin: FastifyPluginAsync<NativeOptions> = async (app, opts) => {
  const { service, batchLimit } = opts;

  // `curl -d '[…]'` sends JSON labelled as a form; accept JSON bodies whatever their label says.
  for (const type of ['application/x-www-form-urlencoded', 'text/plain']) {
    app.addContentTypeParser(type, { parseAs: 'string' }, (_request, body, done) => {
      try {
        done(null, JSON.parse(body as string));
      } catch {
        done(new NuminfoError('BAD_REQUEST', 'body must be JSON'), undefined);
      }
    });
  }

  app.get('/v1/lookup', async (request, reply) => {
    const number = single((request.query as Record<string, unknown>).number, 'number');
    const result = await service.lookupDetailed(number);
    if (result.error !== null && INPUT_ERRORS.has(result.error)) {
      throw new NuminfoError(
        result.error as ErrorCode,
        `${ERRORS[result.error as ErrorCode].message}: ${JSON.stringify(number.slice(0, 80))}`,
      );
    }
    if (result.error === 'REGISTRY_NOT_LOADED') throw new NuminfoError('REGISTRY_NOT_LOADED');
    return reply.send(result);
  });

  app.post('/v1/lookup', async (request) => {
    const body = request.body;
    if (!Array.isArray(body)) {
      throw new NuminfoError('BAD_REQUEST', 'body must be a JSON array of phone-number strings');
    }
    if (body.length > batchLimit) {
      throw new NuminfoError(
        'BATCH_TOO_LARGE',
        `at most ${batchLimit} numbers per request, got ${body.length}`,
      );
    }
    const bad = body.findIndex((x) => typeof x !== 'string');
    if (bad >= 0) throw new NuminfoError('BAD_REQUEST', `item ${bad} is not a string`);
    const results = await Promise.all((body as string[]).map((n) => service.lookupDetailed(n)));
    return { count: results.length, results };
  });

  const cleanOne = async (source: string, hint: string | undefined): Promise<CleanView> =>
    source.length > MAX_CLEAN_INPUT
      ? tooLongView(source)
      : cleanView(await service.cleanDetailed(source, { hint }));

  const hintParam = (query: unknown): string | undefined => {
    const hint = (query as Record<string, unknown>).hint;
    if (hint === undefined) return undefined;
    if (typeof hint !== 'string')
      throw new NuminfoError('BAD_REQUEST', 'query parameter "hint" must be given once');
    return hint;
  };

  app.get('/v1/clean', async (request) => {
    const q = single((request.query as Record<string, unknown>).q, 'q');
    if (q.length > MAX_CLEAN_INPUT) {
      throw new NuminfoError('INPUT_TOO_LONG', `q is longer than ${MAX_CLEAN_INPUT} characters`);
    }
    return cleanOne(q, hintParam(request.query));
  });

  app.post('/v1/clean', async (request) => {
    const body = request.body;
    if (!Array.isArray(body)) {
      throw new NuminfoError('BAD_REQUEST', 'body must be a JSON array of strings');
    }
    if (body.length > batchLimit) {
      throw new NuminfoError(
        'BATCH_TOO_LARGE',
        `at most ${batchLimit} strings per request, got ${body.length}`,
      );
    }
    const bad = body.findIndex((x) => typeof x !== 'string');
    if (bad >= 0) throw new NuminfoError('BAD_REQUEST', `item ${bad} is not a string`);
    const hint = hintParam(request.query);
    const results = await Promise.all((body as string[]).map((s) => cleanOne(s, hint)));
    return { count: results.length, results };
  });

  app.get('/healthz', async () => {
    const registry = service.status();
    const store = opts.store ? await storeHealth(opts.store) : null;
    return {
      status: registry.loaded && (store === null || store.ok) ? 'ok' : 'degraded',
      registry: registry.loaded
        ? registry
        : {
            ...registry,
            message:
              'Russian numbering-plan data is not loaded; international lookups work. ' +
              'Load it with `numinfo update` (or `numinfo update --source DIR` offline).',
          },
      mnp: service.mnpStatus(),
      store,
      ...opts.health?.(),
    };
  });

  app.get('/openapi.json', async (_request, reply) =>
    reply.type('application/json; charset=utf-8').send(OPENAPI),
  );
};
