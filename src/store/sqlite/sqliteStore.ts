import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { NuminfoError, isNuminfoError } from '../../errors.js';
import { ChangeHub, listChanges, numberChanges } from '../schema/changeHub.js';
import { dedupeEntries, sortTagCounts, sortTags } from '../schema/order.js';
import { periodStart, rolledOver } from '../schema/quotaPeriod.js';
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
import { SQLITE_MIGRATIONS } from './migrations.js';

export interface SqliteOptions {
  /**
   * `normal` (default): with WAL, a committed write survives a crash or kill -9 of the process;
   * the last commits may be lost on power loss or an OS crash. `full`: fsync on every commit,
   * survives power loss, several times slower writes.
   */
  readonly sync?: 'normal' | 'full';
  /** Milliseconds to wait for another process's write lock. */
  readonly busyTimeoutMs?: number;
}

type Row = Record<string, unknown>;
type Stmt = Database.Statement<unknown[], Row>;

interface AggregateRow extends AggregateState {
  number: string;
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
interface CommentRow {
  id: number;
  number: string;
  reporter: string;
  text: string;
  created_at: number;
  updated_at: number;
  hidden: number;
}

const SQL = {
  insertReport:
    'INSERT INTO reports (number, reporter, kind, unwanted, comment, tags, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  getAggregate: 'SELECT * FROM aggregates WHERE number = ?',
  putAggregate: `INSERT INTO aggregates (number, bans, complaints, not_spam, unwanted_yes, unwanted_no, comments_count,
      ban_w, complaint_w, not_spam_w, first_at, last_at)
    VALUES (@number, @bans, @complaints, @not_spam, @unwanted_yes, @unwanted_no, @comments_count,
      @ban_w, @complaint_w, @not_spam_w, @first_at, @last_at)
    ON CONFLICT (number) DO UPDATE SET bans = excluded.bans, complaints = excluded.complaints,
      not_spam = excluded.not_spam, unwanted_yes = excluded.unwanted_yes, unwanted_no = excluded.unwanted_no,
      comments_count = excluded.comments_count, ban_w = excluded.ban_w, complaint_w = excluded.complaint_w,
      not_spam_w = excluded.not_spam_w, first_at = excluded.first_at, last_at = excluded.last_at`,
  getVote: 'SELECT kind, kind_at, unwanted, unwanted_at FROM votes WHERE number = ? AND reporter = ?',
  putVote: `INSERT INTO votes (number, reporter, kind, kind_at, unwanted, unwanted_at) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (number, reporter) DO UPDATE SET kind = excluded.kind, kind_at = excluded.kind_at,
      unwanted = excluded.unwanted, unwanted_at = excluded.unwanted_at`,
  addTagVote: 'INSERT OR IGNORE INTO tag_votes (number, type, tag_id, reporter) VALUES (?, ?, ?, ?)',
  bumpNumberTag: `INSERT INTO number_tags (number, type, tag_id, count) VALUES (?, ?, ?, 1)
    ON CONFLICT (number, type, tag_id) DO UPDATE SET count = count + 1`,
  getNumberTags: 'SELECT type, tag_id AS id, count FROM number_tags WHERE number = ?',
  lastComment:
    'SELECT id, created_at FROM comments WHERE number = ? AND reporter = ? ORDER BY created_at DESC, id DESC LIMIT 1',
  replaceComment: 'UPDATE comments SET text = ?, updated_at = ? WHERE id = ?',
  insertComment:
    'INSERT INTO comments (number, reporter, text, created_at, updated_at, hidden) VALUES (?, ?, ?, ?, ?, 0)',
  commentsPage: 'SELECT * FROM comments WHERE number = ? ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?',
  visibleCommentsPage:
    'SELECT * FROM comments WHERE number = ? AND hidden = 0 ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?',
  commentsTotal: 'SELECT count(*) AS n FROM comments WHERE number = ?',
  visibleCommentsTotal: 'SELECT count(*) AS n FROM comments WHERE number = ? AND hidden = 0',
  getComment: 'SELECT number, hidden FROM comments WHERE id = ?',
  setHidden: 'UPDATE comments SET hidden = ? WHERE id = ?',
  bumpCommentsCount: 'UPDATE aggregates SET comments_count = comments_count + ? WHERE number = ?',
  listTags: 'SELECT type, id, name_ru, name_en FROM tags',
  upsertTag: `INSERT INTO tags (type, id, name_ru, name_en) VALUES (?, ?, ?, ?)
    ON CONFLICT (type, id) DO UPDATE SET name_ru = excluded.name_ru, name_en = excluded.name_en`,
  seedTag: 'INSERT OR IGNORE INTO tags (type, id, name_ru, name_en) VALUES (?, ?, ?, ?)',
  deleteTag: 'DELETE FROM tags WHERE type = ? AND id = ?',
  createKey: `INSERT INTO api_keys (id, token_hash, name, role, created_at, revoked_at, quota, quota_period,
      quota_used, quota_window_start) VALUES (?, ?, ?, ?, ?, NULL, ?, ?, 0, ?) RETURNING *`,
  keyByHash: 'SELECT * FROM api_keys WHERE token_hash = ?',
  keyById: 'SELECT * FROM api_keys WHERE id = ?',
  listKeys: 'SELECT * FROM api_keys ORDER BY created_at, id',
  revokeKey: 'UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL',
  setQuota:
    'UPDATE api_keys SET quota = ?, quota_period = ?, quota_used = 0, quota_window_start = ? WHERE id = ?',
  saveSpend: 'UPDATE api_keys SET quota_used = ?, quota_window_start = ? WHERE id = ?',
  claimNonce: `INSERT INTO used_nonces (nonce, expires_at) VALUES (?, ?)
    ON CONFLICT (nonce) DO UPDATE SET expires_at = excluded.expires_at WHERE used_nonces.expires_at <= ?`,
  pruneNonces: 'DELETE FROM used_nonces WHERE expires_at <= ?',
  refund:
    'UPDATE api_keys SET quota_used = MAX(quota_used - ?, 0) WHERE id = ? AND quota IS NOT NULL AND quota_window_start <= ?',
  hasKeys: 'SELECT EXISTS (SELECT 1 FROM api_keys) AS any',
  insertEntry: `INSERT OR IGNORE INTO list_entries (owner, list, number, comment, added_at, added_by)
    VALUES (?, ?, ?, ?, ?, ?)`,
  updateEntryComment: 'UPDATE list_entries SET comment = ? WHERE owner = ? AND list = ? AND number = ?',
  removeEntry: 'DELETE FROM list_entries WHERE owner = ? AND list = ? AND number = ?',
  entriesFirst: 'SELECT * FROM list_entries WHERE owner = ? AND list = ? ORDER BY number LIMIT ?',
  entriesAfter:
    'SELECT * FROM list_entries WHERE owner = ? AND list = ? AND number > ? ORDER BY number LIMIT ?',
  entriesTotal: 'SELECT count(*) AS n FROM list_entries WHERE owner = ? AND list = ?',
  listsOfOwner:
    'SELECT list, owner, count(*) AS count FROM list_entries WHERE owner = ? GROUP BY owner, list ORDER BY list',
  listingsOfNumber: 'SELECT list, owner FROM list_entries WHERE number = ? ORDER BY owner, list',
  listMnp: 'SELECT number, operator, mnc, at FROM mnp_overrides ORDER BY number',
  putMnp: `INSERT INTO mnp_overrides (number, operator, mnc, at) VALUES (?, ?, ?, ?)
    ON CONFLICT (number) DO UPDATE SET operator = excluded.operator, mnc = excluded.mnc, at = excluded.at`,
  deleteMnp: 'DELETE FROM mnp_overrides WHERE number = ?',
} as const;

type Statements = { -readonly [K in keyof typeof SQL]: Stmt };

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

function toComment(r: CommentRow): Comment {
  return {
    id: r.id,
    number: r.number,
    reporter: r.reporter,
    text: r.text,
    created_at: r.created_at,
    updated_at: r.updated_at,
    hidden: r.hidden !== 0,
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

const UNAVAILABLE_CODES = new Set([
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_FULL',
  'SQLITE_READONLY',
  'SQLITE_CANTOPEN',
  'SQLITE_IOERR',
  'SQLITE_CORRUPT',
  'SQLITE_NOTADB',
]);

/** Database trouble (locked, disk full, closed) is STORE_UNAVAILABLE; our own errors pass through. */
function mapError(e: unknown): unknown {
  if (isNuminfoError(e)) return e;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string' && [...UNAVAILABLE_CODES].some((c) => code.startsWith(c)))
    return new NuminfoError('STORE_UNAVAILABLE', `SQLite: ${(e as Error).message}`, { cause: e });
  if (e instanceof TypeError && /database connection is not open/.test(e.message))
    return new NuminfoError('STORE_UNAVAILABLE', 'SQLite: the store is closed', { cause: e });
  return e;
}

/**
 * The embedded driver: one better-sqlite3 connection in WAL mode. Calls run synchronously inside
 * the returned promise, so each write is committed (and its changes emitted) before it resolves.
 */
/** Nonce claims between two sweeps of expired ones. */
const NONCE_PRUNE_EVERY = 1000;

/** How often a listened-to store checks for commits by other processes. */
const WATCH_MS = 250;

export class SqliteStore implements Store {
  readonly driver = 'sqlite' as const;
  private readonly db: Database.Database;
  private stmts: Statements | null = null;
  private readonly hub = new ChangeHub();
  /** Polls PRAGMA data_version while anyone listens: see watchOtherWriters. */
  private watcher: NodeJS.Timeout | null = null;
  private dataVersion = 0;
  private claims = 0;
  private readonly applyReportsTx: Database.Transaction<(reports: readonly ReportInput[]) => ReportOutcome[]>;

  private constructor(
    readonly path: string,
    opts: SqliteOptions,
  ) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path, { timeout: opts.busyTimeoutMs ?? 5000 });
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${opts.sync === 'full' ? 'FULL' : 'NORMAL'}`);
    this.db.pragma('foreign_keys = ON');
    this.applyReportsTx = this.db.transaction((reports: readonly ReportInput[]) =>
      reports.map((r, i) => this.applyReport(r, i)),
    );
  }

  static open(path: string, opts: SqliteOptions = {}): SqliteStore {
    try {
      return new SqliteStore(path, opts);
    } catch (e) {
      throw new NuminfoError(
        'STORE_UNAVAILABLE',
        `cannot open SQLite store ${path}: ${(e as Error).message}`,
        {
          cause: e,
        },
      );
    }
  }

  /** Statements are prepared once, after migrate() has made the tables. */
  private get st(): Statements {
    if (this.stmts) return this.stmts;
    const s = {} as Statements;
    for (const k of Object.keys(SQL) as (keyof typeof SQL)[]) s[k] = this.db.prepare<unknown[], Row>(SQL[k]);
    return (this.stmts = s);
  }

  private run<T>(fn: () => T): Promise<T> {
    try {
      return Promise.resolve(fn());
    } catch (e) {
      return Promise.reject(mapError(e));
    }
  }

  private write<T>(fn: () => { result: T; changes: readonly StoreChange[] }): Promise<T> {
    return this.run(() => {
      const { result, changes } = this.db.transaction(fn).immediate();
      this.hub.emit(changes);
      return result;
    });
  }

  migrate(): Promise<void> {
    return this.run(() => {
      this.db.exec(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
      );
      const applied = this.db
        .transaction(() => {
          const have = new Set(
            this.db
              .prepare<[], { version: number }>('SELECT version FROM schema_migrations')
              .all()
              .map((r) => r.version),
          );
          let n = 0;
          for (const m of SQLITE_MIGRATIONS) {
            if (have.has(m.version)) continue;
            this.db.exec(m.sql);
            this.db
              .prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
              .run(m.version, m.name, Date.now());
            n++;
          }
          return n;
        })
        .immediate();
      if (applied > 0) this.stmts = null;
    });
  }

  /**
   * Another process may write the same file (`numinfo blacklist add` while `numinfo serve` runs).
   * SQLite tells no one, but PRAGMA data_version changes when another connection commits: on a
   * change, listeners get `{kind: 'all'}` and drop their caches. Polled every WATCH_MS, so such
   * writes show within that time; this process's own writes are announced at once.
   */
  private watchOtherWriters(): void {
    if (this.watcher || this.path === ':memory:' || !this.db.open) return;
    this.dataVersion = this.db.pragma('data_version', { simple: true }) as number;
    this.watcher = setInterval(() => {
      if (!this.db.open) return;
      const v = this.db.pragma('data_version', { simple: true }) as number;
      if (v === this.dataVersion) return;
      this.dataVersion = v;
      this.hub.emit([{ kind: 'all' }]);
    }, WATCH_MS);
    this.watcher.unref();
  }

  close(): Promise<void> {
    return this.run(() => {
      if (this.watcher) clearInterval(this.watcher);
      this.watcher = null;
      this.hub.clear();
      if (!this.db.open) return;
      this.stmts = null;
      this.db.pragma('optimize');
      this.db.close();
    });
  }

  ping(): Promise<void> {
    return this.run(() => {
      this.db.prepare('SELECT 1').get();
    });
  }

  private applyReport(r: ReportInput, i: number): ReportOutcome {
    validateReport(r, i);
    const st = this.st;
    const id = Number(
      st.insertReport.run(
        r.number,
        r.reporter,
        r.kind,
        r.unwanted === null ? null : r.unwanted ? 1 : 0,
        r.comment,
        JSON.stringify(r.tags.map((t) => ({ type: t.type, id: t.id }))),
        r.at,
      ).lastInsertRowid,
    );
    const agg = (st.getAggregate.get(r.number) as AggregateRow | undefined) ?? {
      number: r.number,
      ...emptyAggregate(r.at),
    };
    let counted = false;
    if (r.kind !== null || r.unwanted !== null) {
      const row = st.getVote.get(r.number, r.reporter) as
        | { kind: VoteState['kind']; kind_at: number; unwanted: number | null; unwanted_at: number }
        | undefined;
      const prev: VoteState | null = row
        ? { ...row, unwanted: row.unwanted === null ? null : row.unwanted !== 0 }
        : null;
      const out = applyStance(agg, prev, r);
      counted = out.counted;
      const v = out.vote!;
      st.putVote.run(
        r.number,
        r.reporter,
        v.kind,
        v.kind_at,
        v.unwanted === null ? null : v.unwanted ? 1 : 0,
        v.unwanted_at,
      );
    } else applyStance(agg, null, r);
    for (const t of distinctTags(r.tags))
      if (st.addTagVote.run(r.number, t.type, t.id, r.reporter).changes > 0)
        st.bumpNumberTag.run(r.number, t.type, t.id);
    let commentId: number | null = null;
    if (r.comment !== null && r.comment !== '') {
      const last = st.lastComment.get(r.number, r.reporter) as { id: number; created_at: number } | undefined;
      if (last && r.at - last.created_at < COMMENT_REPLACE_MS && r.at >= last.created_at) {
        st.replaceComment.run(r.comment, r.at, last.id);
        commentId = last.id;
      } else {
        commentId = Number(st.insertComment.run(r.number, r.reporter, r.comment, r.at, r.at).lastInsertRowid);
        agg.comments_count++;
      }
    }
    st.putAggregate.run(agg);
    return { id, counted, commentId };
  }

  addReports(reports: readonly ReportInput[]): Promise<ReportOutcome[]> {
    return this.run(() => {
      if (reports.length === 0) return [];
      const out = this.applyReportsTx.immediate(reports);
      this.hub.emit(numberChanges(reports.map((r) => r.number)));
      return out;
    });
  }

  getAggregate(number: string): Promise<NumberAggregate | null> {
    return this.run(() => {
      const st = this.st;
      const a = st.getAggregate.get(number) as AggregateRow | undefined;
      if (!a) return null;
      const tags = sortTagCounts(
        st.getNumberTags.all(number) as { type: TagType; id: number; count: number }[],
      );
      return { ...a, tags };
    });
  }

  listComments(
    number: string,
    opts: { offset: number; limit: number; includeHidden: boolean },
  ): Promise<Page<Comment>> {
    return this.run(() => {
      const st = this.st;
      const page = opts.includeHidden ? st.commentsPage : st.visibleCommentsPage;
      const total = opts.includeHidden ? st.commentsTotal : st.visibleCommentsTotal;
      const items = (page.all(number, opts.limit, opts.offset) as unknown as CommentRow[]).map(toComment);
      return { items, total: (total.get(number) as { n: number }).n };
    });
  }

  setCommentHidden(id: number, hidden: boolean): Promise<boolean> {
    return this.write(() => {
      const st = this.st;
      const c = st.getComment.get(id) as { number: string; hidden: number } | undefined;
      if (!c) return { result: false, changes: [] };
      if ((c.hidden !== 0) === hidden) return { result: true, changes: [] };
      st.setHidden.run(hidden ? 1 : 0, id);
      st.bumpCommentsCount.run(hidden ? -1 : 1, c.number);
      return { result: true, changes: [{ kind: 'number', number: c.number }] };
    });
  }

  listTags(): Promise<Tag[]> {
    return this.run(() => sortTags(this.st.listTags.all() as unknown as Tag[]));
  }

  upsertTag(tag: Tag): Promise<void> {
    return this.write(() => {
      this.st.upsertTag.run(tag.type, tag.id, tag.name_ru, tag.name_en);
      return { result: undefined, changes: [{ kind: 'tags' }] };
    });
  }

  deleteTag(type: TagType, id: number): Promise<boolean> {
    return this.write(() => {
      const gone = this.st.deleteTag.run(type, id).changes > 0;
      return { result: gone, changes: gone ? [{ kind: 'tags' }] : [] };
    });
  }

  seedTags(tags: readonly Tag[]): Promise<number> {
    return this.write(() => {
      let n = 0;
      for (const t of tags) n += this.st.seedTag.run(t.type, t.id, t.name_ru, t.name_en).changes;
      return { result: n, changes: n > 0 ? [{ kind: 'tags' }] : [] };
    });
  }

  createKey(key: NewApiKey): Promise<ApiKeyRecord> {
    return this.write(() => {
      validateNewKey(key);
      const clash = this.st.keyById.get(key.id) ?? this.st.keyByHash.get(key.token_hash);
      if (clash) throw duplicateKey(key);
      const row = this.st.createKey.get(
        key.id,
        key.token_hash,
        key.name,
        key.role,
        key.at,
        key.quota,
        key.quota_period,
        periodStart(key.quota_period, key.at),
      ) as unknown as KeyRow;
      return { result: toKey(row), changes: [{ kind: 'key', id: key.id }] };
    });
  }

  getKeyByHash(tokenHash: string): Promise<ApiKeyRecord | null> {
    return this.run(() => {
      const r = this.st.keyByHash.get(tokenHash) as KeyRow | undefined;
      return r ? toKey(r) : null;
    });
  }

  getKey(id: string): Promise<ApiKeyRecord | null> {
    return this.run(() => {
      const r = this.st.keyById.get(id) as KeyRow | undefined;
      return r ? toKey(r) : null;
    });
  }

  listKeys(): Promise<ApiKeyRecord[]> {
    return this.run(() => (this.st.listKeys.all() as unknown as KeyRow[]).map(toKey));
  }

  revokeKey(id: string, at: number): Promise<boolean> {
    return this.write(() => {
      const done = this.st.revokeKey.run(at, id).changes > 0;
      return { result: done, changes: done ? [{ kind: 'key', id }] : [] };
    });
  }

  setQuota(id: string, quota: number | null, period: QuotaPeriod, at: number): Promise<boolean> {
    return this.write(() => {
      validateQuota(quota, period);
      const done = this.st.setQuota.run(quota, period, periodStart(period, at), id).changes > 0;
      return { result: done, changes: done ? [{ kind: 'key', id }] : [] };
    });
  }

  spendQuota(id: string, units: number, at: number): Promise<QuotaSpend> {
    return this.write(() => {
      validateUnits(units);
      const k = this.st.keyById.get(id) as KeyRow | undefined;
      if (!k || k.revoked_at !== null) return { result: { ok: false, remaining: 0 }, changes: [] };
      let used = k.quota_used;
      let start = k.quota_window_start;
      if (rolledOver(k.quota_period, start, at)) {
        used = 0;
        start = periodStart(k.quota_period, at);
      }
      const ok = k.quota === null || used + units <= k.quota;
      if (ok) used += units;
      // A refused spend changes nothing, the rollover included (PostgreSQL does it in one UPDATE).
      if (ok && (used !== k.quota_used || start !== k.quota_window_start))
        this.st.saveSpend.run(used, start, id);
      return { result: { ok, remaining: k.quota === null ? null : k.quota - used }, changes: [] };
    });
  }

  claimNonce(nonce: string, expiresAt: number, now: number): Promise<boolean> {
    return this.write(() => {
      // Expired rows are reused by the upsert; the rest go now and then, not on every claim.
      if (++this.claims % NONCE_PRUNE_EVERY === 0) this.st.pruneNonces.run(now);
      const claimed = this.st.claimNonce.run(nonce, expiresAt, now).changes > 0;
      return { result: claimed, changes: [] };
    });
  }

  refundQuota(id: string, units: number, spentAt: number): Promise<void> {
    return this.write(() => {
      validateUnits(units);
      this.st.refund.run(units, id, spentAt);
      return { result: undefined, changes: [] };
    });
  }

  hasKeys(): Promise<boolean> {
    return this.run(() => (this.st.hasKeys.get() as { any: number }).any === 1);
  }

  addListEntries(entries: readonly Omit<ListEntry, 'added_at'>[], at: number): Promise<number> {
    return this.write(() => {
      const st = this.st;
      let added = 0;
      const unique = dedupeEntries(entries);
      for (const e of unique) {
        if (st.insertEntry.run(e.owner, e.list, e.number, e.comment, at, e.added_by).changes > 0) added++;
        else st.updateEntryComment.run(e.comment, e.owner, e.list, e.number);
      }
      return { result: added, changes: listChanges(unique) };
    });
  }

  removeListEntry(list: string, owner: string, number: string): Promise<boolean> {
    return this.write(() => {
      const gone = this.st.removeEntry.run(owner, list, number).changes > 0;
      return { result: gone, changes: gone ? [{ kind: 'list', list, owner, number }] : [] };
    });
  }

  listEntries(
    list: string,
    owner: string,
    opts: { after: string | null; limit: number },
  ): Promise<Page<ListEntry>> {
    return this.run(() => {
      const st = this.st;
      const rows =
        opts.after === null
          ? st.entriesFirst.all(owner, list, opts.limit)
          : st.entriesAfter.all(owner, list, opts.after, opts.limit);
      return { items: rows.map(toEntry), total: (st.entriesTotal.get(owner, list) as { n: number }).n };
    });
  }

  listLists(owners: readonly string[]): Promise<ListSummary[]> {
    return this.run(() => {
      const out: ListSummary[] = [];
      for (const owner of [...new Set(owners)].sort())
        for (const r of this.st.listsOfOwner.all(owner)) out.push(r as unknown as ListSummary);
      return out;
    });
  }

  findListings(
    number: string,
    owners: readonly string[],
    lists: readonly string[] | null,
  ): Promise<ListHit[]> {
    return this.run(() => {
      const ownerSet = new Set(owners);
      const listSet = lists === null ? null : new Set(lists);
      return (this.st.listingsOfNumber.all(number) as unknown as ListHit[])
        .filter((h) => ownerSet.has(h.owner) && (listSet === null || listSet.has(h.list)))
        .map((h) => ({ list: h.list, owner: h.owner }));
    });
  }

  listMnpOverrides(): Promise<MnpOverrideRow[]> {
    return this.run(() =>
      (this.st.listMnp.all() as unknown as MnpOverrideRow[]).map((r) => ({
        number: r.number,
        operator: r.operator,
        mnc: r.mnc,
        at: r.at,
      })),
    );
  }

  putMnpOverride(row: MnpOverrideRow): Promise<void> {
    return this.write(() => {
      validateMnpOverride(row);
      this.st.putMnp.run(row.number, row.operator, row.mnc, row.at);
      return { result: undefined, changes: [{ kind: 'mnp' }] };
    });
  }

  deleteMnpOverrides(numbers: readonly string[]): Promise<number> {
    return this.write(() => {
      let n = 0;
      for (const number of new Set(numbers)) n += this.st.deleteMnp.run(number).changes;
      return { result: n, changes: n > 0 ? [{ kind: 'mnp' }] : [] };
    });
  }

  onChange(listener: (change: StoreChange) => void): () => void {
    this.watchOtherWriters();
    return this.hub.subscribe(listener);
  }
}
