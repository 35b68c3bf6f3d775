import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { PoolClient, QueryConfig } from 'pg';

const { escapeLiteral } = pg;
import { NuminfoError, isNuminfoError } from '../../errors.js';
import { ChangeHub, listChanges, numberChanges } from '../schema/changeHub.js';
import { dedupeEntries, sortTagCounts, sortTags } from '../schema/order.js';
import { periodStart } from '../schema/quotaPeriod.js';
import {
  COMMENT_REPLACE_MS,
  applyStance,
  distinctTags,
  emptyAggregate,
  type AggregateState,
  type VoteState,
} from '../schema/stance.js';
import {
  duplicateKey,
  validateNewKey,
  validateQuota,
  validateMnpOverride,
  validateReport,
  validateUnits,
} from '../schema/validate.js';
import type {
  ApiKeyRecord,
  Comment,
  ListEntry,
  ListHit,
  ListSummary,
  MnpOverrideRow,
  NewApiKey,
  NumberAggregate,
  Page,
  QuotaPeriod,
  QuotaSpend,
  ReportInput,
  ReportOutcome,
  Store,
  StoreChange,
  Tag,
  TagType,
} from '../types.js';
import { CHANNEL, ChangeListener, changePayloads } from './changeListener.js';
import { POSTGRES_MIGRATIONS } from './migrations.js';
import { parsePgSpec } from './pgSpec.js';

type Row = Record<string, unknown>;

/** Named statements: pg prepares each once per connection. */
const Q = {
  logAndRead: `WITH logged AS (
      INSERT INTO reports (number, reporter, kind, unwanted, comment, tags, created_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id)
    SELECT logged.id AS report_id, a.*, v.kind AS v_kind, v.kind_at AS v_kind_at, v.unwanted AS v_unwanted,
      v.unwanted_at AS v_unwanted_at, lc.id AS lc_id, lc.created_at AS lc_created_at
    FROM logged
    LEFT JOIN aggregates a ON a.number = $1
    LEFT JOIN votes v ON v.number = $1 AND v.reporter = $2
    LEFT JOIN LATERAL (SELECT id, created_at FROM comments WHERE $8::boolean AND number = $1 AND reporter = $2
      ORDER BY created_at DESC, id DESC LIMIT 1) lc ON true`,
  // Data-modifying CTEs all run, referenced or not; each is a no-op when its condition is false.
  writeAll: `WITH
    vote AS (
      INSERT INTO votes (number, reporter, kind, kind_at, unwanted, unwanted_at)
      SELECT $1, $2, $4::text, $5::bigint, $6::boolean, $7::bigint WHERE $3::boolean
      ON CONFLICT (number, reporter) DO UPDATE SET kind = excluded.kind, kind_at = excluded.kind_at,
        unwanted = excluded.unwanted, unwanted_at = excluded.unwanted_at),
    fresh_tags AS (
      INSERT INTO tag_votes (number, type, tag_id, reporter)
      SELECT $1, t.type, t.id, $2 FROM unnest($8::text[], $9::int[]) AS t(type, id)
      ON CONFLICT DO NOTHING RETURNING type, tag_id),
    counted_tags AS (
      INSERT INTO number_tags (number, type, tag_id, count) SELECT $1, type, tag_id, 1 FROM fresh_tags
      ON CONFLICT (number, type, tag_id) DO UPDATE SET count = number_tags.count + 1),
    replaced AS (UPDATE comments SET text = $10::text, updated_at = $11::bigint WHERE id = $12::bigint),
    added AS (
      INSERT INTO comments (number, reporter, text, created_at, updated_at, hidden)
      SELECT $1, $2, $10::text, $11::bigint, $11::bigint, false WHERE $13::boolean RETURNING id),
    agg AS (
      INSERT INTO aggregates (number, bans, complaints, not_spam, unwanted_yes, unwanted_no, comments_count,
        ban_w, complaint_w, not_spam_w, first_at, last_at)
      VALUES ($1, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)
      ON CONFLICT (number) DO UPDATE SET bans = excluded.bans, complaints = excluded.complaints,
        not_spam = excluded.not_spam, unwanted_yes = excluded.unwanted_yes, unwanted_no = excluded.unwanted_no,
        comments_count = excluded.comments_count, ban_w = excluded.ban_w, complaint_w = excluded.complaint_w,
        not_spam_w = excluded.not_spam_w, first_at = excluded.first_at, last_at = excluded.last_at)
    SELECT (SELECT id FROM added) AS comment_id`,
  getAggregate: 'SELECT * FROM aggregates WHERE number = $1',
  getNumberTags: 'SELECT type, tag_id AS id, count FROM number_tags WHERE number = $1',
  keyById: 'SELECT * FROM api_keys WHERE id = $1',
  keyByHash: 'SELECT * FROM api_keys WHERE token_hash = $1',
  spend: `UPDATE api_keys SET
      quota_window_start = CASE WHEN quota_period = 'day' AND $3 > quota_window_start THEN $3
        WHEN quota_period = 'month' AND $4 > quota_window_start THEN $4 ELSE quota_window_start END,
      quota_used = CASE WHEN (quota_period = 'day' AND $3 > quota_window_start)
        OR (quota_period = 'month' AND $4 > quota_window_start) THEN 0 ELSE quota_used END + $2
    WHERE id = $1 AND revoked_at IS NULL AND (quota IS NULL OR CASE WHEN (quota_period = 'day' AND $3 > quota_window_start)
        OR (quota_period = 'month' AND $4 > quota_window_start) THEN 0 ELSE quota_used END + $2 <= quota)
    RETURNING quota, quota_used`,
  claimNonce: `INSERT INTO used_nonces (nonce, expires_at) VALUES ($1, $2)
    ON CONFLICT (nonce) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE used_nonces.expires_at <= $3
    RETURNING 1 AS claimed`,
  pruneNonces: 'DELETE FROM used_nonces WHERE expires_at <= $1',
  refund: `UPDATE api_keys SET quota_used = GREATEST(quota_used - $2, 0)
    WHERE id = $1 AND quota IS NOT NULL AND quota_window_start <= $3`,
  findListings: `SELECT list, owner FROM list_entries
    WHERE number = $1 AND owner = ANY($2::text[]) AND ($3::text[] IS NULL OR list = ANY($3::text[]))
    ORDER BY owner, list`,
} as const;

function named(name: keyof typeof Q, values: unknown[]): QueryConfig {
  return { name: `numinfo_${name}`, text: Q[name], values };
}

interface KeyRow {
  id: string;
  token_hash: string;
  name: string;
  role: ApiKeyRecord['role'];
  created_at: number;
  revoked_at: number | null;
  quota: number | null;
  quota_period: QuotaPeriod;
  quota_used: number;
  quota_window_start: number;
}

function toKey(r: KeyRow): ApiKeyRecord {
  return {
    id: r.id,
    token_hash: r.token_hash,
    name: r.name,
    role: r.role,
    created_at: r.created_at,
    revoked_at: r.revoked_at,
    quota: r.quota,
    quota_period: r.quota_period,
    quota_used: r.quota_used,
    quota_window_start: r.quota_window_start,
  };
}

function toAggregate(r: Row): AggregateState & { number: string } {
  return {
    number: r.number as string,
    bans: r.bans as number,
    complaints: r.complaints as number,
    not_spam: r.not_spam as number,
    unwanted_yes: r.unwanted_yes as number,
    unwanted_no: r.unwanted_no as number,
    comments_count: r.comments_count as number,
    ban_w: r.ban_w as number,
    complaint_w: r.complaint_w as number,
    not_spam_w: r.not_spam_w as number,
    first_at: r.first_at as number,
    last_at: r.last_at as number,
  };
}

function toComment(r: Row): Comment {
  return {
    id: r.id as number,
    number: r.number as string,
    reporter: r.reporter as string,
    text: r.text as string,
    created_at: r.created_at as number,
    updated_at: r.updated_at as number,
    hidden: r.hidden as boolean,
  };
}

function toEntry(r: Row): ListEntry {
  return {
    list: r.list as string,
    owner: r.owner as string,
    number: r.number as string,
    comment: r.comment as string,
    added_at: r.added_at as number,
    added_by: r.added_by as string,
  };
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EPIPE',
]);

/** Whether a pg error means the server is gone (not that our statement was wrong). */
function isUnavailable(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string')
    return (
      NETWORK_CODES.has(code) ||
      code.startsWith('08') ||
      code.startsWith('57P') ||
      code === '53300' ||
      code === '28P01' ||
      code === '3D000'
    );
  const msg = e instanceof Error ? e.message : '';
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Cannot use a pool after calling end/.test(
    msg,
  );
}

/** 40001 serialization failure, 40P01 deadlock: the transaction can simply run again. */
function isRetryable(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  return code === '40001' || code === '40P01';
}

/**
 * The driver for several instances: a pg Pool for queries plus one LISTEN connection. Writes that
 * change cached data NOTIFY inside their transaction, so other instances hear of them exactly when
 * they commit; this instance's own listeners hear right after commit, in-process.
 */
/** Nonce claims between two sweeps of expired ones. */
const NONCE_PRUNE_EVERY = 1000;

export class PostgresStore implements Store {
  readonly driver = 'postgres' as const;
  private readonly hub = new ChangeHub();
  private readonly instance = randomUUID();
  private readonly listener: ChangeListener;
  private closed = false;
  private claims = 0;

  private constructor(
    private readonly pool: pg.Pool,
    config: pg.PoolConfig,
    private readonly schema: string | null,
    private readonly display: string,
  ) {
    this.listener = new ChangeListener(config, schema ?? '', this.instance, (changes) =>
      this.hub.emit(changes),
    );
  }

  static async open(spec: string): Promise<PostgresStore> {
    const { config, schema, display } = parsePgSpec(spec);
    const pool = new pg.Pool({ ...config, max: 10 });
    // An idle connection dropped by the server: the pool discards it and the next query reconnects.
    pool.on('error', () => undefined);
    const store = new PostgresStore(pool, config, schema, display);
    try {
      const c = await pool.connect();
      c.release();
      await store.listener.start();
    } catch (e) {
      await store.listener.stop();
      await pool.end().catch(() => undefined);
      throw new NuminfoError(
        'STORE_UNAVAILABLE',
        `cannot connect to PostgreSQL at ${display}: ${reason(e)}`,
        {
          cause: e,
        },
      );
    }
    return store;
  }

  private fail(e: unknown): never {
    if (isNuminfoError(e)) throw e;
    if (this.closed)
      throw new NuminfoError('STORE_UNAVAILABLE', 'PostgreSQL: the store is closed', { cause: e });
    if (isUnavailable(e))
      throw new NuminfoError('STORE_UNAVAILABLE', `PostgreSQL at ${this.display}: ${reason(e)}`, {
        cause: e,
      });
    throw e;
  }

  private async query(q: QueryConfig | string, values?: unknown[]): Promise<Row[]> {
    try {
      return (typeof q === 'string' ? await this.pool.query<Row>(q, values) : await this.pool.query<Row>(q))
        .rows;
    } catch (e) {
      this.fail(e);
    }
  }

  /**
   * Runs `fn` in a transaction; NOTIFYs its changes before COMMIT and emits them locally after.
   * Deadlocks and serialization failures are retried.
   */
  private async tx<T>(
    fn: (c: PoolClient) => Promise<{ result: T; changes: readonly StoreChange[] }>,
    begin = 'BEGIN',
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let client: PoolClient;
      try {
        client = await this.pool.connect();
      } catch (e) {
        this.fail(e);
      }
      let broken: Error | undefined;
      try {
        await client.query(begin);
        const { result, changes } = await fn(client);
        // NOTIFY and COMMIT in one round trip (a simple query runs its statements in order).
        let commit = '';
        for (const payload of changePayloads(this.schema ?? '', this.instance, changes))
          commit += `SELECT pg_notify('${CHANNEL}', ${client.escapeLiteral(payload)}); `;
        await client.query(`${commit}COMMIT`);
        this.hub.emit(changes);
        return result;
      } catch (e) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackError) {
          broken = rollbackError as Error;
        }
        if (attempt < 5 && isRetryable(e)) continue;
        this.fail(e);
      } finally {
        client.release(broken);
      }
    }
  }

  async migrate(): Promise<void> {
    await this.tx(async (c) => {
      const tag = this.schema ?? '';
      await c.query("SELECT pg_advisory_xact_lock(hashtextextended('numinfo-migrate:' || $1::text, 0))", [
        tag,
      ]);
      if (this.schema !== null) {
        await c.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
        await c.query(`SET LOCAL search_path TO ${this.schema}`);
      }
      await c.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version integer PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)`);
      const have = new Set(
        (await c.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map(
          (r) => r.version,
        ),
      );
      for (const m of POSTGRES_MIGRATIONS) {
        if (have.has(m.version)) continue;
        await c.query(m.sql);
        await c.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
          m.version,
          m.name,
          Date.now(),
        ]);
      }
      return { result: undefined, changes: [] };
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.hub.clear();
    await this.listener.stop();
    await this.pool.end();
  }

  async ping(): Promise<void> {
    await this.query('SELECT 1');
  }

  addReports(reports: readonly ReportInput[]): Promise<ReportOutcome[]> {
    if (reports.length === 0) return Promise.resolve([]);
    // Per-number locks taken in one order, in the same round trip as BEGIN: two instances reporting
    // the same number serialize, and two batches with overlapping numbers cannot deadlock.
    const tag = this.schema ?? '';
    let begin = 'BEGIN';
    for (const n of [...new Set(reports.map((r) => r.number))].sort())
      begin += `; SELECT pg_advisory_xact_lock(hashtextextended(${escapeLiteral(`${tag}:${n}`)}, 0))`;
    return this.tx(async (c) => {
      const out: ReportOutcome[] = [];
      for (let i = 0; i < reports.length; i++) out.push(await this.applyReport(c, reports[i]!, i));
      return { result: out, changes: numberChanges(reports.map((r) => r.number)) };
    }, begin);
  }

  /** Three round trips per report: log it and read the state, then write every change at once. */
  private async applyReport(c: PoolClient, r: ReportInput, i: number): Promise<ReportOutcome> {
    validateReport(r, i);
    const tags = distinctTags(r.tags);
    const hasComment = r.comment !== null && r.comment !== '';
    const [row] = (
      await c.query<Row>(
        named('logAndRead', [
          r.number,
          r.reporter,
          r.kind,
          r.unwanted,
          r.comment,
          JSON.stringify(tags.map((t) => ({ type: t.type, id: t.id }))),
          r.at,
          hasComment,
        ]),
      )
    ).rows;
    const agg = row!.number === null ? emptyAggregate(r.at) : toAggregate(row!);
    const prev: VoteState | null =
      row!.v_kind_at === null
        ? null
        : {
            kind: row!.v_kind as VoteState['kind'],
            kind_at: row!.v_kind_at as number,
            unwanted: row!.v_unwanted as boolean | null,
            unwanted_at: row!.v_unwanted_at as number,
          };
    const { vote, counted } = applyStance(agg, prev, r);
    let replaceId: number | null = null;
    if (hasComment) {
      const lastAt = row!.lc_created_at as number | null;
      if (lastAt !== null && r.at - lastAt < COMMENT_REPLACE_MS && r.at >= lastAt)
        replaceId = row!.lc_id as number;
      else agg.comments_count++;
    }
    const [written] = (
      await c.query<Row>(
        named('writeAll', [
          r.number,
          r.reporter,
          vote !== null,
          vote?.kind ?? null,
          vote?.kind_at ?? 0,
          vote?.unwanted ?? null,
          vote?.unwanted_at ?? 0,
          tags.map((t) => t.type),
          tags.map((t) => t.id),
          hasComment ? r.comment : null,
          r.at,
          replaceId,
          hasComment && replaceId === null,
          agg.bans,
          agg.complaints,
          agg.not_spam,
          agg.unwanted_yes,
          agg.unwanted_no,
          agg.comments_count,
          agg.ban_w,
          agg.complaint_w,
          agg.not_spam_w,
          agg.first_at,
          agg.last_at,
        ]),
      )
    ).rows;
    const commentId = hasComment ? (replaceId ?? (written!.comment_id as number)) : null;
    return { id: row!.report_id as number, counted, commentId };
  }

  async getAggregate(number: string): Promise<NumberAggregate | null> {
    const [a] = await this.query(named('getAggregate', [number]));
    if (!a) return null;
    const tags = sortTagCounts(
      (await this.query(named('getNumberTags', [number]))) as { type: TagType; id: number; count: number }[],
    );
    return { ...toAggregate(a), tags };
  }

  async listComments(
    number: string,
    opts: { offset: number; limit: number; includeHidden: boolean },
  ): Promise<Page<Comment>> {
    const visible = opts.includeHidden ? '' : ' AND NOT hidden';
    const rows = await this.query(
      `SELECT *, count(*) OVER () AS total FROM comments WHERE number = $1${visible}
       ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3`,
      [number, opts.limit, opts.offset],
    );
    const total =
      rows.length > 0
        ? (rows[0]!.total as number)
        : ((await this.query(`SELECT count(*) AS n FROM comments WHERE number = $1${visible}`, [number]))[0]!
            .n as number);
    return { items: rows.map(toComment), total };
  }

  setCommentHidden(id: number, hidden: boolean): Promise<boolean> {
    return this.tx(async (c) => {
      const [row] = (await c.query<Row>('SELECT number, hidden FROM comments WHERE id = $1 FOR UPDATE', [id]))
        .rows;
      if (!row) return { result: false, changes: [] };
      if (row.hidden === hidden) return { result: true, changes: [] };
      const number = row.number as string;
      await c.query('UPDATE comments SET hidden = $1 WHERE id = $2', [hidden, id]);
      await c.query('UPDATE aggregates SET comments_count = comments_count + $1 WHERE number = $2', [
        hidden ? -1 : 1,
        number,
      ]);
      return { result: true, changes: [{ kind: 'number', number }] };
    });
  }

  async listTags(): Promise<Tag[]> {
    return sortTags((await this.query('SELECT type, id, name_ru, name_en FROM tags')) as unknown as Tag[]);
  }

  upsertTag(tag: Tag): Promise<void> {
    return this.tx(async (c) => {
      await c.query(
        `INSERT INTO tags (type, id, name_ru, name_en) VALUES ($1, $2, $3, $4)
         ON CONFLICT (type, id) DO UPDATE SET name_ru = excluded.name_ru, name_en = excluded.name_en`,
        [tag.type, tag.id, tag.name_ru, tag.name_en],
      );
      return { result: undefined, changes: [{ kind: 'tags' }] };
    });
  }

  deleteTag(type: TagType, id: number): Promise<boolean> {
    return this.tx(async (c) => {
      const gone =
        ((await c.query('DELETE FROM tags WHERE type = $1 AND id = $2', [type, id])).rowCount ?? 0) > 0;
      return { result: gone, changes: gone ? [{ kind: 'tags' }] : [] };
    });
  }

  seedTags(tags: readonly Tag[]): Promise<number> {
    return this.tx(async (c) => {
      const r = await c.query(
        `INSERT INTO tags (type, id, name_ru, name_en)
         SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::text[]) ON CONFLICT DO NOTHING`,
        [
          tags.map((t) => t.type),
          tags.map((t) => t.id),
          tags.map((t) => t.name_ru),
          tags.map((t) => t.name_en),
        ],
      );
      const n = r.rowCount ?? 0;
      return { result: n, changes: n > 0 ? [{ kind: 'tags' }] : [] };
    });
  }

  async createKey(key: NewApiKey): Promise<ApiKeyRecord> {
    validateNewKey(key);
    return this.tx(async (c) => {
      const r = await c.query<KeyRow>(
        `INSERT INTO api_keys (id, token_hash, name, role, created_at, revoked_at, quota, quota_period,
           quota_used, quota_window_start) VALUES ($1, $2, $3, $4, $5, NULL, $6, $7, 0, $8)
         ON CONFLICT DO NOTHING RETURNING *`,
        [
          key.id,
          key.token_hash,
          key.name,
          key.role,
          key.at,
          key.quota,
          key.quota_period,
          periodStart(key.quota_period, key.at),
        ],
      );
      const row = r.rows[0];
      if (!row) throw duplicateKey(key);
      return { result: toKey(row), changes: [{ kind: 'key', id: key.id }] };
    });
  }

  async getKeyByHash(tokenHash: string): Promise<ApiKeyRecord | null> {
    const [r] = await this.query(named('keyByHash', [tokenHash]));
    return r ? toKey(r as unknown as KeyRow) : null;
  }

  async getKey(id: string): Promise<ApiKeyRecord | null> {
    const [r] = await this.query(named('keyById', [id]));
    return r ? toKey(r as unknown as KeyRow) : null;
  }

  async listKeys(): Promise<ApiKeyRecord[]> {
    return ((await this.query('SELECT * FROM api_keys ORDER BY created_at, id')) as unknown as KeyRow[]).map(
      toKey,
    );
  }

  revokeKey(id: string, at: number): Promise<boolean> {
    return this.tx(async (c) => {
      const r = await c.query('UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [
        at,
        id,
      ]);
      const done = (r.rowCount ?? 0) > 0;
      return { result: done, changes: done ? [{ kind: 'key', id }] : [] };
    });
  }

  async setQuota(id: string, quota: number | null, period: QuotaPeriod, at: number): Promise<boolean> {
    validateQuota(quota, period);
    return this.tx(async (c) => {
      const r = await c.query(
        'UPDATE api_keys SET quota = $1, quota_period = $2, quota_used = 0, quota_window_start = $3 WHERE id = $4',
        [quota, period, periodStart(period, at), id],
      );
      const done = (r.rowCount ?? 0) > 0;
      return { result: done, changes: done ? [{ kind: 'key', id }] : [] };
    });
  }

  async spendQuota(id: string, units: number, at: number): Promise<QuotaSpend> {
    validateUnits(units);
    const day = periodStart('day', at);
    const month = periodStart('month', at);
    const [spent] = await this.query(named('spend', [id, units, day, month]));
    if (spent)
      return {
        ok: true,
        remaining: spent.quota === null ? null : (spent.quota as number) - (spent.quota_used as number),
      };
    const [k] = (await this.query(named('keyById', [id]))) as unknown as KeyRow[];
    if (!k || k.revoked_at !== null) return { ok: false, remaining: 0 };
    if (k.quota === null) return { ok: false, remaining: null };
    const start = k.quota_period === 'day' ? day : k.quota_period === 'month' ? month : k.quota_window_start;
    const used = start > k.quota_window_start ? 0 : k.quota_used;
    return { ok: false, remaining: k.quota - used };
  }

  async claimNonce(nonce: string, expiresAt: number, now: number): Promise<boolean> {
    // Expired rows are reused by the upsert; the rest go now and then, not on every claim.
    if (++this.claims % NONCE_PRUNE_EVERY === 0) await this.query(named('pruneNonces', [now]));
    const rows = await this.query(named('claimNonce', [nonce, expiresAt, now]));
    return rows.length > 0;
  }

  async refundQuota(id: string, units: number, spentAt: number): Promise<void> {
    validateUnits(units);
    await this.query(named('refund', [id, units, spentAt]));
  }

  async hasKeys(): Promise<boolean> {
    const [r] = await this.query('SELECT EXISTS (SELECT 1 FROM api_keys) AS any');
    return r!.any === true;
  }

  addListEntries(entries: readonly Omit<ListEntry, 'added_at'>[], at: number): Promise<number> {
    const unique = dedupeEntries(entries);
    if (unique.length === 0) return Promise.resolve(0);
    return this.tx(async (c) => {
      let added = 0;
      for (let from = 0; from < unique.length; from += 5000) {
        const chunk = unique.slice(from, from + 5000);
        const r = await c.query<{ inserted: boolean }>(
          `INSERT INTO list_entries (owner, list, number, comment, added_at, added_by)
           SELECT o, l, n, cm, $5, b FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $6::text[])
             AS t(o, l, n, cm, b)
           ON CONFLICT (owner, list, number) DO UPDATE SET comment = excluded.comment
           RETURNING (xmax = 0) AS inserted`,
          [
            chunk.map((e) => e.owner),
            chunk.map((e) => e.list),
            chunk.map((e) => e.number),
            chunk.map((e) => e.comment),
            at,
            chunk.map((e) => e.added_by),
          ],
        );
        for (const row of r.rows) if (row.inserted) added++;
      }
      return { result: added, changes: listChanges(unique) };
    });
  }

  removeListEntry(list: string, owner: string, number: string): Promise<boolean> {
    return this.tx(async (c) => {
      const r = await c.query('DELETE FROM list_entries WHERE owner = $1 AND list = $2 AND number = $3', [
        owner,
        list,
        number,
      ]);
      const gone = (r.rowCount ?? 0) > 0;
      return { result: gone, changes: gone ? [{ kind: 'list', list, owner, number }] : [] };
    });
  }

  async listEntries(
    list: string,
    owner: string,
    opts: { after: string | null; limit: number },
  ): Promise<Page<ListEntry>> {
    const rows = await this.query(
      `SELECT * FROM list_entries WHERE owner = $1 AND list = $2 AND ($3::text IS NULL OR number > $3)
       ORDER BY number LIMIT $4`,
      [owner, list, opts.after, opts.limit],
    );
    const [t] = await this.query('SELECT count(*) AS n FROM list_entries WHERE owner = $1 AND list = $2', [
      owner,
      list,
    ]);
    return { items: rows.map(toEntry), total: t!.n as number };
  }

  async listLists(owners: readonly string[]): Promise<ListSummary[]> {
    if (owners.length === 0) return [];
    const rows = await this.query(
      `SELECT list, owner, count(*) AS count FROM list_entries WHERE owner = ANY($1::text[])
       GROUP BY owner, list ORDER BY owner, list`,
      [[...new Set(owners)]],
    );
    return rows.map((r) => ({ list: r.list as string, owner: r.owner as string, count: r.count as number }));
  }

  async findListings(
    number: string,
    owners: readonly string[],
    lists: readonly string[] | null,
  ): Promise<ListHit[]> {
    if (owners.length === 0 || (lists !== null && lists.length === 0)) return [];
    const rows = await this.query(
      named('findListings', [number, [...owners], lists === null ? null : [...lists]]),
    );
    return rows.map((r) => ({ list: r.list as string, owner: r.owner as string }));
  }

  async listMnpOverrides(): Promise<MnpOverrideRow[]> {
    const rows = await this.query('SELECT number, operator, mnc, at FROM mnp_overrides ORDER BY number');
    return rows.map((r) => ({
      number: r.number as string,
      operator: r.operator as string,
      mnc: r.mnc as string | null,
      at: r.at as string,
    }));
  }

  async putMnpOverride(row: MnpOverrideRow): Promise<void> {
    validateMnpOverride(row);
    await this.tx(async (c) => {
      await c.query(
        `INSERT INTO mnp_overrides (number, operator, mnc, at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (number) DO UPDATE SET operator = excluded.operator, mnc = excluded.mnc, at = excluded.at`,
        [row.number, row.operator, row.mnc, row.at],
      );
      return { result: undefined, changes: [{ kind: 'mnp' }] };
    });
  }

  deleteMnpOverrides(numbers: readonly string[]): Promise<number> {
    if (numbers.length === 0) return Promise.resolve(0);
    return this.tx(async (c) => {
      const r = await c.query('DELETE FROM mnp_overrides WHERE number = ANY($1::text[])', [
        [...new Set(numbers)],
      ]);
      const n = r.rowCount ?? 0;
      return { result: n, changes: n > 0 ? [{ kind: 'mnp' }] : [] };
    });
  }

  onChange(listener: (change: StoreChange) => void): () => void {
    return this.hub.subscribe(listener);
  }
}

/** An error's message for users: pg's messages never contain the password. */
function reason(e: unknown): string {
  if (e instanceof AggregateError && e.errors.length > 0) return reason(e.errors[0]);
  const msg = e instanceof Error ? e.message : String(e);
  const code = (e as { code?: unknown }).code;
  return msg || (typeof code === 'string' ? code : 'unknown error');
}
