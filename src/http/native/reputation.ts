import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { NuminfoError } from '../../errors.js';
import type { NumberService } from '../../services/numberService.js';
import {
  MAX_REPORTS,
  type ReportRequest,
  type ReputationService,
} from '../../services/reputation/reputationService.js';
import { TAG_TYPES, type Comment, type TagRef, type TagType } from '../../store/types.js';
import type { HttpAuth } from '../auth.js';
import {
  booleanValue,
  intValue,
  iso,
  needStore,
  numberValue,
  queryOf,
  registerBodyParsers,
} from './storeParams.js';

export interface ReputationRoutesOptions {
  readonly service: NumberService;
  /** Most reports in one `POST /v1/reports`. */
  readonly batchLimit: number;
  /** Null on a server without a store: the routes exist and answer 503 STORE_UNAVAILABLE. */
  readonly deps: { readonly reputation: ReputationService; readonly auth: HttpAuth } | null;
}

const REPORT_FIELDS = new Set(['number', 'kind', 'tags', 'comment', 'unwanted']);
const MAX_COMMENTS_PAGE = 100;
/** Tag ids are small positive integers in every known dictionary; the bound keeps them in 32 bits. */
const MAX_TAG_ID = 2_147_483_647;

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function tagType(value: unknown, field: string): TagType {
  if (typeof value !== 'string' || !(TAG_TYPES as readonly string[]).includes(value)) {
    throw new NuminfoError(
      'BAD_REQUEST',
      `${field}: unknown tag type ${JSON.stringify(value)}; one of ${TAG_TYPES.join(', ')}`,
    );
  }
  return value as TagType;
}

function tagId(value: unknown, field: string): number {
  const n = typeof value === 'string' && /^\d{1,10}$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_TAG_ID) {
    throw new NuminfoError(
      'BAD_REQUEST',
      `${field} must be a positive integer, got ${JSON.stringify(value)}`,
    );
  }
  return n;
}

/** The JSON shape of one report; what the values mean (kind, known tags, comment length) the service checks. */
function reportOf(service: NumberService, item: unknown, at: string): ReportRequest {
  if (!isObject(item)) throw new NuminfoError('BAD_REQUEST', `${at} must be an object`);
  for (const k of Object.keys(item)) {
    if (!REPORT_FIELDS.has(k)) {
      throw new NuminfoError(
        'BAD_REQUEST',
        `${at}: unknown field ${JSON.stringify(k)}; fields are ${[...REPORT_FIELDS].join(', ')}`,
      );
    }
  }
  const number = numberValue(service, item.number, `${at}.number`);
  const { kind, comment, unwanted } = item;
  if (kind !== undefined && kind !== null && typeof kind !== 'string') {
    throw new NuminfoError('BAD_REQUEST', `${at}.kind must be ban, complaint, not_spam or null`);
  }
  if (comment !== undefined && comment !== null && typeof comment !== 'string') {
    throw new NuminfoError('BAD_REQUEST', `${at}.comment must be a string`);
  }
  if (unwanted !== undefined && unwanted !== null && typeof unwanted !== 'boolean') {
    throw new NuminfoError('BAD_REQUEST', `${at}.unwanted must be true, false or null`);
  }
  let tags: TagRef[] | undefined;
  if (item.tags !== undefined && item.tags !== null) {
    if (!Array.isArray(item.tags)) throw new NuminfoError('BAD_REQUEST', `${at}.tags must be an array`);
    tags = item.tags.map((t: unknown, j) => {
      const f = `${at}.tags[${j}]`;
      if (!isObject(t)) throw new NuminfoError('BAD_REQUEST', `${f} must be an object {"type", "id"}`);
      return { type: tagType(t.type, `${f}.type`), id: tagId(t.id, `${f}.id`) };
    });
  }
  return {
    number,
    kind: (kind ?? null) as ReportRequest['kind'],
    tags: tags ?? [],
    comment: (comment as string | null | undefined) ?? null,
    unwanted: (unwanted as boolean | null | undefined) ?? null,
  };
}

function commentView(c: Comment): Record<string, unknown> {
  return {
    id: c.id,
    text: c.text,
    created_at: iso(c.created_at),
    updated_at: iso(c.updated_at),
    hidden: c.hidden,
  };
}

/**
 * Reputation in the native API: reports in, the trust index and its explanation out, comments with
 * moderation, and the tag dictionary. Reads and reports are open to every key; moderation and
 * dictionary edits need an admin key. Admin routes check the key first; the others validate the
 * request first, so a malformed one spends no quota.
 */
export const reputationPlugin: FastifyPluginAsync<ReputationRoutesOptions> = async (app, opts) => {
  const { service } = opts;
  const batchLimit = Math.min(opts.batchLimit, MAX_REPORTS);
  registerBodyParsers(app, { csv: false });
  const deps = (): { reputation: ReputationService; auth: HttpAuth } => needStore(opts.deps);
  const numberParam = (request: FastifyRequest): string =>
    numberValue(service, (request.params as { number: string }).number, 'number');

  app.post('/v1/reports', async (request, reply) => {
    const { reputation, auth } = deps();
    const body = request.body;
    if (body === undefined || body === null) {
      throw new NuminfoError(
        'BAD_REQUEST',
        'body is empty: send {"reports": [{"number", "kind", "tags", "comment", "unwanted"}, …]} or one report',
      );
    }
    if (!isObject(body)) throw new NuminfoError('BAD_REQUEST', 'body must be a JSON object');
    // One report may come bare; a batch comes as {"reports": […]}.
    const batch = 'reports' in body;
    const extra = batch ? Object.keys(body).find((k) => k !== 'reports') : undefined;
    if (extra !== undefined) {
      throw new NuminfoError(
        'BAD_REQUEST',
        `unknown field ${JSON.stringify(extra)}; a batch is {"reports": [...]}`,
      );
    }
    const items: unknown[] = batch ? (body.reports as unknown[]) : [body];
    if (!Array.isArray(items)) throw new NuminfoError('BAD_REQUEST', 'reports must be an array');
    if (items.length === 0) throw new NuminfoError('BAD_REQUEST', 'reports is empty');
    if (items.length > batchLimit) {
      throw new NuminfoError(
        'BATCH_TOO_LARGE',
        `reports: at most ${batchLimit} reports per request, got ${items.length}`,
      );
    }
    const reports = items.map((item, i) => reportOf(service, item, `reports[${i}]`));
    // Validated before any quota is spent: a malformed request costs nothing.
    const prepared = await reputation.prepare(reports);
    const principal = await auth.require(request, { units: reports.length });
    let outcomes: Awaited<ReturnType<ReputationService['submit']>>;
    try {
      outcomes = await reputation.submit(principal.reporter, prepared);
    } catch (e) {
      // Nothing was stored (the batch is all or nothing): the client keeps its units.
      await auth.refund(principal, reports.length);
      throw e;
    }
    return reply.status(201).send({
      count: outcomes.length,
      results: outcomes.map((o, i) => ({
        number: reports[i]!.number,
        id: o.id,
        counted: o.counted,
        comment_id: o.commentId,
      })),
    });
  });

  const serialized = new WeakMap<object, string>();
  app.get('/v1/reputation/:number', async (request, reply) => {
    const { reputation, auth } = deps();
    const number = numberParam(request);
    await auth.require(request, { units: 1 });
    const rep = await reputation.get(number);
    // A cached reputation is the same object until it changes: serialize it once, not per read.
    let body = serialized.get(rep);
    if (body === undefined) {
      body = JSON.stringify(rep);
      serialized.set(rep, body);
    }
    return reply.type('application/json; charset=utf-8').send(body);
  });

  app.get('/v1/comments/:number', async (request) => {
    const { reputation, auth } = deps();
    const number = numberParam(request);
    const q = queryOf(request);
    const offset = intValue(q.offset, 'offset', { min: 0, max: 1_000_000_000, fallback: 0 });
    const limit = intValue(q.limit, 'limit', { min: 1, max: MAX_COMMENTS_PAGE, fallback: 20 });
    const includeHidden = booleanValue(q.include_hidden, 'include_hidden', false);
    // Hidden comments are moderation material: only an admin sees them.
    await auth.require(request, includeHidden ? { role: 'admin', units: 1 } : { units: 1 });
    const page = await reputation.comments(number, { offset, limit, includeHidden });
    return { number, total: page.total, offset, limit, items: page.items.map(commentView) };
  });

  for (const [action, hidden] of [
    ['hide', true],
    ['unhide', false],
  ] as const) {
    app.post(`/v1/comments/:id/${action}`, async (request) => {
      const { reputation, auth } = deps();
      await auth.require(request, { role: 'admin' });
      const id = intValue((request.params as { id: string }).id, 'id', {
        min: 1,
        max: Number.MAX_SAFE_INTEGER,
      });
      await reputation.hideComment(id, hidden);
      return { id, hidden };
    });
  }

  app.get('/v1/tags', async (request) => {
    const { reputation, auth } = deps();
    const type = queryOf(request).type;
    const only = type === undefined ? null : tagType(type, 'type');
    await auth.require(request, {});
    const tags = (await reputation.tags()).filter((t) => only === null || t.type === only);
    return { count: tags.length, tags };
  });

  const tagParams = (request: FastifyRequest): { type: TagType; id: number } => {
    const p = request.params as { type: string; id: string };
    return { type: tagType(p.type, 'type'), id: tagId(p.id, 'id') };
  };

  app.put('/v1/tags/:type/:id', async (request) => {
    const { reputation, auth } = deps();
    await auth.require(request, { role: 'admin' });
    const { type, id } = tagParams(request);
    const body = request.body;
    if (body === undefined || body === null) {
      throw new NuminfoError('BAD_REQUEST', 'body is empty: send {"name_ru": "…", "name_en": "…"}');
    }
    if (!isObject(body)) throw new NuminfoError('BAD_REQUEST', 'body must be a JSON object');
    for (const f of ['name_ru', 'name_en'] as const) {
      if (typeof body[f] !== 'string' || (body[f] as string).trim() === '') {
        throw new NuminfoError('BAD_REQUEST', `${f} must be a non-empty string`);
      }
    }
    // The service stores the names trimmed; answer with what was stored.
    const tag = {
      type,
      id,
      name_ru: (body.name_ru as string).trim(),
      name_en: (body.name_en as string).trim(),
    };
    await reputation.putTag(tag);
    return tag;
  });

  app.delete('/v1/tags/:type/:id', async (request, reply) => {
    const { reputation, auth } = deps();
    await auth.require(request, { role: 'admin' });
    const { type, id } = tagParams(request);
    await reputation.deleteTag(type, id);
    return reply.status(204).send();
  });
};
