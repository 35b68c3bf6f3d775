import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { NuminfoError } from '../../errors.js';
import type { NumberService } from '../../services/numberService.js';
import { MAX_LIST_COMMENT, type BlacklistService } from '../../services/reputation/blacklistService.js';
import { normalizeNumber } from '../../services/reputation/normalizeNumber.js';
import { GLOBAL_OWNER, type ListEntry } from '../../store/types.js';
import type { HttpAuth } from '../auth.js';
import {
  intValue,
  iso,
  needStore,
  numberValue,
  optionalString,
  queryOf,
  registerBodyParsers,
} from './storeParams.js';

export interface BlacklistRoutesOptions {
  readonly service: NumberService;
  /** Null on a server without a store: the routes exist and answer 503 STORE_UNAVAILABLE. */
  readonly deps: { readonly blacklists: BlacklistService; readonly auth: HttpAuth } | null;
}

type Scope = 'key' | 'global';

/** Below the service's page limit: a page asks for one entry more to learn whether another follows. */
const MAX_PAGE = 500;
/** A blacklist import is the bulk path: a million numbers is about 13 MB of CSV. */
const IMPORT_BODY_LIMIT = 64 * 1024 * 1024;

function scopeParam(request: FastifyRequest): Scope {
  const s = optionalString(queryOf(request).scope, 'scope');
  if (s === undefined || s === '' || s === 'key') return 'key';
  if (s === 'global') return 'global';
  throw new NuminfoError('BAD_REQUEST', `scope must be key or global, got ${JSON.stringify(s.slice(0, 40))}`);
}

const scopeOfOwner = (owner: string): Scope => (owner === GLOBAL_OWNER ? 'global' : 'key');

function entryView(e: ListEntry): Record<string, unknown> {
  return { number: e.number, comment: e.comment, added_at: iso(e.added_at), added_by: e.added_by };
}

function listName(request: FastifyRequest): string {
  return (request.params as { list: string }).list;
}

function wantsCsv(request: FastifyRequest): boolean {
  const format = optionalString(queryOf(request).format, 'format');
  if (format !== undefined && format !== 'csv' && format !== 'json') {
    throw new NuminfoError(
      'BAD_REQUEST',
      `format must be json or csv, got ${JSON.stringify(format.slice(0, 40))}`,
    );
  }
  if (format !== undefined) return format === 'csv';
  return /\btext\/csv\b/i.test(request.headers.accept ?? '');
}

/**
 * Named blacklists. Each API key has its own lists (`scope=key`, the default), invisible to other
 * keys; the deployment-wide lists (`scope=global`) are read by every key and written by admins. In
 * open mode (no keys) every list is global. `/v1/check` searches the global lists plus the caller's.
 */
export const blacklistPlugin: FastifyPluginAsync<BlacklistRoutesOptions> = async (app, opts) => {
  const { service } = opts;
  registerBodyParsers(app, { csv: true });
  const deps = (): { blacklists: BlacklistService; auth: HttpAuth } => needStore(opts.deps);

  /** The owner a request addresses; writes to the global lists need an admin key. */
  const ownerFor = async (
    request: FastifyRequest,
    write: boolean,
  ): Promise<{ owner: string; by: string }> => {
    const { auth } = deps();
    const scope = scopeParam(request);
    const principal = await auth.require(request, write && scope === 'global' ? { role: 'admin' } : {});
    return { owner: scope === 'global' ? GLOBAL_OWNER : principal.owner, by: principal.reporter };
  };

  app.get('/v1/blacklists', async (request) => {
    const { blacklists, auth } = deps();
    const s = optionalString(queryOf(request).scope, 'scope');
    if (s !== undefined && s !== 'key' && s !== 'global' && s !== 'all') {
      throw new NuminfoError(
        'BAD_REQUEST',
        `scope must be all, key or global, got ${JSON.stringify(s.slice(0, 40))}`,
      );
    }
    const principal = await auth.require(request, {});
    const owners =
      s === 'global' || principal.owner === GLOBAL_OWNER
        ? [GLOBAL_OWNER]
        : s === 'key'
          ? [principal.owner]
          : [principal.owner, GLOBAL_OWNER];
    const lists = await blacklists.lists(owners);
    return {
      count: lists.length,
      lists: lists.map((l) => ({ name: l.list, scope: scopeOfOwner(l.owner), count: l.count })),
    };
  });

  app.get('/v1/blacklists/:list/numbers', async (request, reply) => {
    const { blacklists } = deps();
    const list = listName(request);
    const csv = wantsCsv(request);
    const q = queryOf(request);
    const limit = intValue(q.limit, 'limit', { min: 1, max: MAX_PAGE, fallback: 100 });
    const afterRaw = optionalString(q.after, 'after');
    const after = afterRaw === undefined || afterRaw === '' ? null : afterRaw.replace(/^\+/, '');
    if (after !== null && !/^\d{1,15}$/.test(after)) {
      throw new NuminfoError(
        'BAD_REQUEST',
        'after must be the E.164 digits of the last number of the previous page',
      );
    }
    const { owner } = await ownerFor(request, false);
    if (csv) {
      const text = await blacklists.exportCsv(owner, list);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${list}.csv"`)
        .send(text);
    }
    // One more than asked says whether another page exists.
    const page = await blacklists.entries(owner, list, { after, limit: limit + 1 });
    const items = page.items.slice(0, limit);
    return {
      list,
      scope: scopeOfOwner(owner),
      total: page.total,
      items: items.map(entryView),
      next_after: page.items.length > limit ? items[items.length - 1]!.number : null,
    };
  });

  app.post('/v1/blacklists/:list/numbers', { bodyLimit: IMPORT_BODY_LIMIT }, async (request) => {
    const { blacklists } = deps();
    const list = listName(request);
    const body = request.body;
    if (body === undefined || body === null || (typeof body === 'string' && body.trim() === '')) {
      throw new NuminfoError(
        'BAD_REQUEST',
        'body is empty: send {"numbers": ["+7…", {"number": "+7…", "comment": "…"}]} or a text/csv body',
      );
    }
    if (typeof body === 'string') {
      const { owner, by } = await ownerFor(request, true);
      const r = await blacklists.importCsv(owner, list, body, by, (input) => normalizeNumber(service, input));
      return { list, scope: scopeOfOwner(owner), added: r.added, updated: r.updated, rejected: r.rejected };
    }
    if (typeof body !== 'object' || Array.isArray(body) || !('numbers' in body)) {
      throw new NuminfoError('BAD_REQUEST', 'body must be {"numbers": [...]} or a text/csv body');
    }
    const numbers = (body as { numbers: unknown }).numbers;
    if (!Array.isArray(numbers)) throw new NuminfoError('BAD_REQUEST', 'numbers must be an array');
    if (numbers.length === 0) throw new NuminfoError('BAD_REQUEST', 'numbers is empty');
    const entries = numbers.map((item: unknown, i) => {
      if (typeof item === 'string' || typeof item === 'number') {
        return { number: numberValue(service, item, `numbers[${i}]`) };
      }
      if (typeof item !== 'object' || item === null || Array.isArray(item)) {
        throw new NuminfoError('BAD_REQUEST', `numbers[${i}] must be a string or {"number", "comment"}`);
      }
      const { number, comment } = item as { number?: unknown; comment?: unknown };
      if (comment !== undefined && comment !== null && typeof comment !== 'string') {
        throw new NuminfoError('BAD_REQUEST', `numbers[${i}].comment must be a string`);
      }
      if (typeof comment === 'string' && [...comment.trim()].length > MAX_LIST_COMMENT) {
        throw new NuminfoError(
          'BAD_REQUEST',
          `numbers[${i}].comment is longer than ${MAX_LIST_COMMENT} characters`,
        );
      }
      return {
        number: numberValue(service, number, `numbers[${i}].number`),
        ...(typeof comment === 'string' ? { comment } : {}),
      };
    });
    const { owner, by } = await ownerFor(request, true);
    const r = await blacklists.add(owner, list, entries, by);
    return { list, scope: scopeOfOwner(owner), added: r.added, updated: r.updated, rejected: [] };
  });

  app.delete('/v1/blacklists/:list/numbers/:number', async (request, reply) => {
    const { blacklists } = deps();
    const list = listName(request);
    const number = numberValue(service, (request.params as { number: string }).number, 'number');
    const { owner } = await ownerFor(request, true);
    await blacklists.remove(owner, list, number);
    return reply.status(204).send();
  });
};
