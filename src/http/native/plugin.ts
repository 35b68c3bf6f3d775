import { readFileSync } from 'node:fs';
import type { FastifyPluginAsync } from 'fastify';
import { ERRORS, NuminfoError, type ErrorCode } from '../../errors.js';
import type { NumberService } from '../../services/numberService.js';

export interface NativeOptions {
  readonly service: NumberService;
  readonly batchLimit: number;
  readonly health?: () => Record<string, unknown>;
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

  app.get('/healthz', async () => {
    const registry = service.status();
    return {
      status: registry.loaded ? 'ok' : 'degraded',
      registry: registry.loaded
        ? registry
        : {
            ...registry,
            message:
              'Russian numbering-plan data is not loaded; international lookups work. ' +
              'Load it with `numinfo update` (or `numinfo update --source DIR` offline).',
          },
      ...opts.health?.(),
    };
  });

  app.get('/openapi.json', async (_request, reply) =>
    reply.type('application/json; charset=utf-8').send(OPENAPI),
  );
};
