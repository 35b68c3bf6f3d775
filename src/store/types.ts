/**
 * The storage port: everything numinfo keeps that users write (reports, comments, tags, keys,
 * blacklists). Two drivers implement it — SQLite (embedded default) and PostgreSQL (several
 * instances) — and one conformance suite (`test/store/conformance.ts`) holds both to the same
 * behaviour. All methods are async because the PostgreSQL driver is; the SQLite driver resolves
 * at once.
 *
 * Numbers are E.164 digits without `+` (`79991234567`). Times are milliseconds since the epoch,
 * always passed in by the caller so tests and replays control the clock.
 */

export type ReportKind = 'ban' | 'complaint' | 'not_spam';

export const TAG_TYPES = ['CALLER_TYPE', 'CATEGORY', 'SUBCATEGORY', 'CALL_REASON', 'EMOTAG'] as const;
export type TagType = (typeof TAG_TYPES)[number];

export interface TagRef {
  readonly type: TagType;
  readonly id: number;
}

export interface Tag extends TagRef {
  readonly name_ru: string;
  readonly name_en: string;
}

export interface ReportInput {
  readonly number: string;
  /** Key id of the reporter (or `ip:<address>` in open mode). */
  readonly reporter: string;
  /** The reporter's stance on the number; null when the report carries only tags/comment/vote. */
  readonly kind: ReportKind | null;
  readonly tags: readonly TagRef[];
  readonly comment: string | null;
  /** The reporter's "unwanted calls" vote; null: no vote in this report. */
  readonly unwanted: boolean | null;
  readonly at: number;
}

export interface ReportOutcome {
  /** Id of the stored raw report. */
  readonly id: number;
  /** Whether the stance changed the aggregates (false when the reporter repeated the same kind). */
  readonly counted: boolean;
  /** Id of the stored or updated comment, when the report had one. */
  readonly commentId: number | null;
}

/**
 * Per-number aggregates. Counters count distinct reporters by their latest stance: a reporter
 * holds at most one of ban/complaint/not_spam and one unwanted vote per number, so repeating a
 * report cannot inflate a number. The `*_w` fields are the same signals with time decay:
 * Σ 2^((at − DECAY_EPOCH)/half-life) over the votes, see `reputationMath.ts`.
 */
export interface NumberAggregate {
  readonly number: string;
  readonly bans: number;
  readonly complaints: number;
  readonly not_spam: number;
  readonly unwanted_yes: number;
  readonly unwanted_no: number;
  /** Visible (not hidden) comments. */
  readonly comments_count: number;
  readonly ban_w: number;
  readonly complaint_w: number;
  readonly not_spam_w: number;
  readonly first_at: number;
  readonly last_at: number;
  /** Count of distinct reporters per tag, every tag the number has (the service picks the top 5). */
  readonly tags: readonly (TagRef & { readonly count: number })[];
}

export interface Comment {
  readonly id: number;
  readonly number: string;
  readonly reporter: string;
  readonly text: string;
  readonly created_at: number;
  readonly updated_at: number;
  readonly hidden: boolean;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly total: number;
}

export type KeyRole = 'admin' | 'client';
export type QuotaPeriod = 'none' | 'day' | 'month';

export interface ApiKeyRecord {
  /** Short public id (also the reporter id and blacklist owner). */
  readonly id: string;
  /** sha256 (hex) of the full key token; the token itself is never stored. */
  readonly token_hash: string;
  readonly name: string;
  readonly role: KeyRole;
  readonly created_at: number;
  readonly revoked_at: number | null;
  /** Units per period; null: unlimited. */
  readonly quota: number | null;
  readonly quota_period: QuotaPeriod;
  readonly quota_used: number;
  /** Start of the current quota period (ms). */
  readonly quota_window_start: number;
}

export interface NewApiKey {
  readonly id: string;
  readonly token_hash: string;
  readonly name: string;
  readonly role: KeyRole;
  readonly quota: number | null;
  readonly quota_period: QuotaPeriod;
  readonly at: number;
}

export interface QuotaSpend {
  /** Whether the units were spent (false: not enough left, nothing spent). */
  readonly ok: boolean;
  /** Units left after this call; null for an unlimited key. */
  readonly remaining: number | null;
}

/** Owner of a blacklist: an API key id, or GLOBAL_OWNER for the deployment-wide lists. */
export const GLOBAL_OWNER = '';

export interface ListEntry {
  readonly list: string;
  readonly owner: string;
  readonly number: string;
  readonly comment: string;
  readonly added_at: number;
  readonly added_by: string;
}

export interface ListHit {
  readonly list: string;
  readonly owner: string;
}

export interface ListSummary {
  readonly list: string;
  readonly owner: string;
  readonly count: number;
}

/**
 * A hand-set MNP override (`PUT /v1/mnp/{number}`), stored as the service keeps it. Unlike the
 * rest of the store its number is the 10-digit Russian national number (`9161234567`), and `at`
 * is ISO 8601 text, exactly as the overrides file held them.
 */
export interface MnpOverrideRow {
  /** 10-digit national number. */
  readonly number: string;
  /** OrgCode (`MEGAFON`), INN, or an operator name as the registry spells it. */
  readonly operator: string;
  readonly mnc: string | null;
  /** When it was set, ISO 8601. */
  readonly at: string;
}

/** What changed, so caches (in this process or, through PostgreSQL NOTIFY, in others) can drop it. */
export type StoreChange =
  | { readonly kind: 'number'; readonly number: string }
  | { readonly kind: 'list'; readonly list: string; readonly owner: string; readonly number: string | null }
  | { readonly kind: 'key'; readonly id: string }
  | { readonly kind: 'tags' }
  /** The MNP overrides changed (any number). */
  | { readonly kind: 'mnp' }
  /** Notifications may have been missed (reconnect): drop every cache. */
  | { readonly kind: 'all' };

export interface Store {
  /** `sqlite` or `postgres`, for /healthz and logs. */
  readonly driver: 'sqlite' | 'postgres';
  /** Creates or upgrades the schema; idempotent, safe to run from several instances at once. */
  migrate(): Promise<void>;
  close(): Promise<void>;
  /** Cheap round trip for /healthz. */
  ping(): Promise<void>;

  /** Applies reports in order in one transaction; durable when the promise resolves. */
  addReports(reports: readonly ReportInput[]): Promise<ReportOutcome[]>;
  /** Null when nobody reported the number. */
  getAggregate(number: string): Promise<NumberAggregate | null>;

  listComments(
    number: string,
    opts: { offset: number; limit: number; includeHidden: boolean },
  ): Promise<Page<Comment>>;
  /** False when no comment has this id. */
  setCommentHidden(id: number, hidden: boolean): Promise<boolean>;

  listTags(): Promise<Tag[]>;
  upsertTag(tag: Tag): Promise<void>;
  /** False when no such tag. Counts already given stay on numbers. */
  deleteTag(type: TagType, id: number): Promise<boolean>;
  /** Inserts tags whose (type, id) is not there yet; returns how many were added. */
  seedTags(tags: readonly Tag[]): Promise<number>;

  createKey(key: NewApiKey): Promise<ApiKeyRecord>;
  getKeyByHash(tokenHash: string): Promise<ApiKeyRecord | null>;
  getKey(id: string): Promise<ApiKeyRecord | null>;
  listKeys(): Promise<ApiKeyRecord[]>;
  /** False when no such key (or already revoked). */
  revokeKey(id: string, at: number): Promise<boolean>;
  /** Sets the quota (null: unlimited) and starts a new period with nothing used. False: no such key. */
  setQuota(id: string, quota: number | null, period: QuotaPeriod, at: number): Promise<boolean>;
  /**
   * Atomically spends `units` when enough are left (resetting `quota_used` first when the period
   * has rolled over at `at`). Unlimited keys always succeed. Unknown/revoked key: ok false.
   */
  spendQuota(id: string, units: number, at: number): Promise<QuotaSpend>;
  /**
   * Gives back units a spend took for work that then failed (never below zero used). Units spent in a
   * period that has since rolled over are not carried into the new one.
   */
  refundQuota(id: string, units: number, spentAt: number): Promise<void>;
  /**
   * Records a one-time value (an accepted request signature) until `expiresAt`; false when it is
   * already recorded and not yet expired. Lets instances sharing a store refuse each other's replays.
   */
  claimNonce(nonce: string, expiresAt: number, now: number): Promise<boolean>;
  /** Whether any key exists (revoked or not): none means open mode. */
  hasKeys(): Promise<boolean>;

  /** Adds or updates (comment) entries; returns how many were new. */
  addListEntries(entries: readonly Omit<ListEntry, 'added_at'>[], at: number): Promise<number>;
  removeListEntry(list: string, owner: string, number: string): Promise<boolean>;
  /** Entries ordered by number, after `after` (keyset paging). */
  listEntries(
    list: string,
    owner: string,
    opts: { after: string | null; limit: number },
  ): Promise<Page<ListEntry>>;
  listLists(owners: readonly string[]): Promise<ListSummary[]>;
  /** Which of the given owners' lists hold the number; `lists` null: any list name. */
  findListings(
    number: string,
    owners: readonly string[],
    lists: readonly string[] | null,
  ): Promise<ListHit[]>;

  /** Every MNP override, ordered by number. */
  listMnpOverrides(): Promise<MnpOverrideRow[]>;
  /** Adds or replaces the override of `row.number`. */
  putMnpOverride(row: MnpOverrideRow): Promise<void>;
  /** Removes the overrides of these numbers; returns how many existed. */
  deleteMnpOverrides(numbers: readonly string[]): Promise<number>;

  /** Subscribes to changes made by this or (PostgreSQL) any instance; returns an unsubscribe. */
  onChange(listener: (change: StoreChange) => void): () => void;
}
