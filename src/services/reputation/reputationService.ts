/**
 * Reports in, reputations out: validates reports before anything is stored, turns a number's
 * aggregate into its Reputation (trust index, unwanted flag, top tags, explanation), and keeps the
 * answers in an LRU cache that the store's change events (this process, or other instances through
 * PostgreSQL NOTIFY) keep true. Rules and formula: docs/reputation.md.
 */
import { NuminfoError } from '../../errors.js';
import {
  TAG_TYPES,
  type Comment,
  type NumberAggregate,
  type Page,
  type ReportInput,
  type ReportKind,
  type ReportOutcome,
  type Store,
  type StoreChange,
  type Tag,
  type TagRef,
  type TagType,
} from '../../store/types.js';
import { DEFAULT_TAGS } from './defaultTags.js';
import { LruCache } from './lruCache.js';
import { ReportBatcher } from './reportBatcher.js';
import { explainTrust, isUnwanted, trustIndex, type TrustExplanation } from './trustIndex.js';

export type { TrustExplanation, TrustSignal } from './trustIndex.js';

export interface ReportRequest {
  /** E.164 digits (already normalized by the caller). */
  number: string;
  kind?: ReportKind | null;
  tags?: readonly TagRef[];
  comment?: string | null;
  unwanted?: boolean | null;
}

export interface TagCount {
  id: number;
  count: number;
}

export interface ReputationTags {
  /** The top CALLER_TYPE tag. */
  callerType: TagCount | null;
  /** Top 5 by count desc, then id asc (so for each list). */
  categories: TagCount[];
  subcategories: TagCount[];
  callReasons: TagCount[];
  emotags: TagCount[];
}

export interface Reputation {
  number: string;
  /** 0.00..10.00, two decimals, 5.00 when unknown. */
  index: number;
  bans: number;
  complaints: number;
  not_spam: number;
  comments_count: number;
  is_unwanted: boolean;
  unwanted_votes: { yes: number; no: number };
  tags: ReputationTags;
  /** ISO 8601. */
  first_reported_at: string | null;
  last_reported_at: string | null;
  explanation: TrustExplanation;
}

/** Reports per call. */
export const MAX_REPORTS = 1000;
export const MAX_TAGS_PER_REPORT = 20;
/** Characters (code points) of a comment, after trimming. */
export const MAX_COMMENT_CHARS = 1000;
export const TOP_TAGS = 5;
export const DEFAULT_CACHE_SIZE = 100_000;
/**
 * A cached reputation is recomputed from its cached aggregate (no store call) when older than this:
 * at a 180-day half-life the index moves by far less than 0.01 in a minute.
 */
export const RECOMPUTE_MS = 60_000;
export const MAX_COMMENTS_PAGE = 1000;

const KINDS: ReadonlySet<string> = new Set(['ban', 'complaint', 'not_spam']);
// Clients coming from blocking apps say "block"; a hyphen is an easy slip for not_spam.
const KIND_ALIASES: Readonly<Record<string, ReportKind>> = { block: 'ban', 'not-spam': 'not_spam' };

/** A report's `kind` as given → the stored kind (null: none), or undefined when it is not a kind. */
export function reportKindOf(given: unknown): ReportKind | null | undefined {
  if (given === null || given === undefined) return null;
  if (typeof given !== 'string') return undefined;
  if (Object.hasOwn(KIND_ALIASES, given)) return KIND_ALIASES[given];
  return KINDS.has(given) ? (given as ReportKind) : undefined;
}
const TYPES: ReadonlySet<string> = new Set(TAG_TYPES);
/** E.164 digits: no leading zero, at most 15; 7 is the shortest valid number anywhere (e.g. +290 1234). */
const E164_DIGITS = /^[1-9]\d{6,14}$/;
const MAX_TAG_ID = 2_147_483_647;
const MAX_TAG_NAME = 200;

export function isE164Digits(s: unknown): s is string {
  return typeof s === 'string' && E164_DIGITS.test(s);
}

interface Cached {
  readonly agg: NumberAggregate | null;
  rep: Reputation;
  at: number;
}

interface TagDictionary {
  readonly list: Tag[];
  readonly keys: ReadonlySet<string>;
}

const tagKey = (type: string, id: number): string => `${type}/${id}`;

function badRequest(message: string): never {
  throw new NuminfoError('BAD_REQUEST', message);
}

function codePoints(s: string): number {
  // A string of ≤ MAX code units has ≤ MAX code points: count only when it could matter.
  if (s.length <= MAX_COMMENT_CHARS) return s.length;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // A high surrogate followed by a low one is one character.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

function byCount(a: TagCount, b: TagCount): number {
  return b.count - a.count || a.id - b.id;
}

function topTags(tags: NumberAggregate['tags']): ReputationTags {
  const by: Record<TagType, TagCount[]> = {
    CALLER_TYPE: [],
    CATEGORY: [],
    SUBCATEGORY: [],
    CALL_REASON: [],
    EMOTAG: [],
  };
  for (const t of tags) by[t.type]?.push({ id: t.id, count: t.count });
  const top = (list: TagCount[]): TagCount[] => list.sort(byCount).slice(0, TOP_TAGS);
  return {
    callerType: top(by.CALLER_TYPE)[0] ?? null,
    categories: top(by.CATEGORY),
    subcategories: top(by.SUBCATEGORY),
    callReasons: top(by.CALL_REASON),
    emotags: top(by.EMOTAG),
  };
}

type PreparedReport = Omit<ReportInput, 'reporter' | 'at'>;

/** Reports that passed validation, waiting for their reporter (see ReputationService.prepare). */
export interface PreparedReports {
  readonly items: readonly PreparedReport[];
}

/** The Reputation of an aggregate (null: nobody reported the number) at `now`. */
export function reputationOf(number: string, agg: NumberAggregate | null, now: number): Reputation {
  const yes = agg?.unwanted_yes ?? 0;
  const no = agg?.unwanted_no ?? 0;
  return {
    number,
    index: trustIndex(agg, now),
    bans: agg?.bans ?? 0,
    complaints: agg?.complaints ?? 0,
    not_spam: agg?.not_spam ?? 0,
    comments_count: agg?.comments_count ?? 0,
    is_unwanted: isUnwanted(yes, no),
    unwanted_votes: { yes, no },
    tags: topTags(agg?.tags ?? []),
    first_reported_at: agg ? new Date(agg.first_at).toISOString() : null,
    last_reported_at: agg ? new Date(agg.last_at).toISOString() : null,
    explanation: explainTrust(agg, now),
  };
}

export class ReputationService {
  private readonly now: () => number;
  private readonly cache: LruCache<string, Cached>;
  private readonly batcher: ReportBatcher;
  /**
   * Off for a store shared by several instances: another instance's NOTIFY arrives a moment after
   * its commit, and a read in that moment would be stale. Reading through keeps "visible at once".
   */
  private readonly caching: boolean;
  /** Bumped on every invalidation: a read that started before one must not fill the cache. */
  private generation = 0;
  private dictionary: Promise<TagDictionary> | null = null;
  private tagGeneration = 0;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly store: Store,
    opts: { now?: () => number; cacheSize?: number; cache?: boolean } = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.cache = new LruCache(opts.cacheSize ?? DEFAULT_CACHE_SIZE);
    this.caching = opts.cache ?? true;
    this.unsubscribe = store.onChange((c) => this.onChange(c));
    this.batcher = new ReportBatcher(store);
  }

  private onChange(change: StoreChange): void {
    switch (change.kind) {
      case 'number':
        this.generation++;
        this.cache.delete(change.number);
        return;
      case 'tags':
        this.dropTags();
        return;
      case 'all':
        this.generation++;
        this.cache.clear();
        this.dropTags();
        return;
      default:
        return;
    }
  }

  private dropTags(): void {
    this.tagGeneration++;
    this.dictionary = null;
  }

  /** Validates every item first (BAD_REQUEST naming reports[i]…), then stores all in one call. */
  async report(reporter: string, reports: readonly ReportRequest[]): Promise<ReportOutcome[]> {
    return this.submit(reporter, await this.prepare(reports));
  }

  /**
   * Validates every item (BAD_REQUEST naming reports[i]…) without storing anything, so a caller can
   * refuse a malformed request before it charges for it; `submit` stores the result.
   */
  async prepare(reports: readonly ReportRequest[]): Promise<PreparedReports> {
    if (!Array.isArray(reports) || reports.length === 0 || reports.length > MAX_REPORTS) {
      badRequest(`reports: expected a list of 1..${MAX_REPORTS} reports`);
    }
    const needsTags = reports.some((r) => Array.isArray(r?.tags) && r.tags.length > 0);
    const known = needsTags ? (await this.loadDictionary()).keys : null;
    return { items: reports.map((r, i) => this.validate(r, i, known)) };
  }

  /** Stores prepared reports from `reporter`, all in one transaction (shared with concurrent calls). */
  submit(reporter: string, prepared: PreparedReports): Promise<ReportOutcome[]> {
    if (typeof reporter !== 'string' || reporter === '') badRequest('reporter: empty');
    const at = this.now();
    return this.batcher.add(prepared.items.map((r) => ({ ...r, reporter, at })));
  }

  private validate(r: ReportRequest, i: number, known: ReadonlySet<string> | null): PreparedReport {
    const where = `reports[${i}]`;
    if (typeof r !== 'object' || r === null || Array.isArray(r)) badRequest(`${where}: expected an object`);
    if (!isE164Digits(r.number)) {
      badRequest(`${where}.number: expected E.164 digits (7..15, no +), got ${JSON.stringify(r.number)}`);
    }
    const given: unknown = r.kind ?? null;
    const kind = reportKindOf(given);
    if (kind === undefined) {
      badRequest(
        `${where}.kind: expected ban (or block), complaint, not_spam or null, got ${JSON.stringify(given)}`,
      );
    }
    const unwanted = r.unwanted ?? null;
    if (unwanted !== null && typeof unwanted !== 'boolean') {
      badRequest(`${where}.unwanted: expected true, false or null, got ${JSON.stringify(unwanted)}`);
    }
    let comment = r.comment ?? null;
    if (comment !== null) {
      if (typeof comment !== 'string') badRequest(`${where}.comment: expected text or null`);
      comment = comment.trim();
      if (comment === '') comment = null;
      else if (codePoints(comment) > MAX_COMMENT_CHARS) {
        badRequest(`${where}.comment: longer than ${MAX_COMMENT_CHARS} characters`);
      }
    }
    const tags: TagRef[] = [];
    const rawTags = r.tags ?? [];
    if (!Array.isArray(rawTags)) badRequest(`${where}.tags: expected a list of {type, id}`);
    if (rawTags.length > MAX_TAGS_PER_REPORT) {
      badRequest(`${where}.tags: ${rawTags.length} tags, at most ${MAX_TAGS_PER_REPORT}`);
    }
    const seen = new Set<string>();
    rawTags.forEach((t: unknown, j) => {
      const at = `${where}.tags[${j}]`;
      const { type, id } = (typeof t === 'object' && t !== null ? t : {}) as { type?: unknown; id?: unknown };
      if (typeof type !== 'string' || !TYPES.has(type)) {
        badRequest(`${at}.type: expected one of ${TAG_TYPES.join(', ')}, got ${JSON.stringify(type)}`);
      }
      if (typeof id !== 'number' || !Number.isSafeInteger(id)) {
        badRequest(`${at}.id: expected a whole number, got ${JSON.stringify(id)}`);
      }
      const key = tagKey(type, id);
      if (!known?.has(key)) badRequest(`${at}: unknown tag ${key}`);
      // The store counts a reporter's tag once anyway; a repeat in one report is not an error.
      if (!seen.has(key)) tags.push({ type: type as TagType, id });
      seen.add(key);
    });
    if (kind === null && tags.length === 0 && comment === null && unwanted === null) {
      badRequest(`${where}: empty report; give at least one of kind, tags, comment, unwanted`);
    }
    return { number: r.number, kind, tags, comment, unwanted };
  }

  /** The number's reputation; cached, the cache dropped for a number when the store says it changed. */
  async get(number: string): Promise<Reputation> {
    const hit = this.cache.get(number);
    if (hit !== undefined) {
      const now = this.now();
      if (now - hit.at > RECOMPUTE_MS) {
        hit.rep = reputationOf(number, hit.agg, now);
        hit.at = now;
      }
      return hit.rep;
    }
    if (!isE164Digits(number)) {
      badRequest(`number: expected E.164 digits (7..15, no +), got ${JSON.stringify(number)}`);
    }
    const generation = this.generation;
    const agg = await this.store.getAggregate(number);
    const now = this.now();
    const rep = reputationOf(number, agg, now);
    if (this.caching && generation === this.generation) this.cache.set(number, { agg, rep, at: now });
    return rep;
  }

  async comments(
    number: string,
    page: { offset: number; limit: number; includeHidden: boolean },
  ): Promise<Page<Comment>> {
    if (!isE164Digits(number)) {
      badRequest(`number: expected E.164 digits (7..15, no +), got ${JSON.stringify(number)}`);
    }
    if (!Number.isSafeInteger(page.offset) || page.offset < 0) {
      badRequest(`offset: expected a whole number ≥ 0, got ${String(page.offset)}`);
    }
    if (!Number.isSafeInteger(page.limit) || page.limit < 1 || page.limit > MAX_COMMENTS_PAGE) {
      badRequest(`limit: expected 1..${MAX_COMMENTS_PAGE}, got ${String(page.limit)}`);
    }
    return this.store.listComments(number, { ...page, includeHidden: page.includeHidden === true });
  }

  async hideComment(id: number, hidden: boolean): Promise<void> {
    if (!Number.isSafeInteger(id) || id < 1)
      badRequest(`comment id: expected a whole number ≥ 1, got ${String(id)}`);
    if (!(await this.store.setCommentHidden(id, hidden))) {
      throw new NuminfoError('ITEM_NOT_FOUND', `no comment with id ${id}`);
    }
  }

  /** The tag dictionary, cached until the store reports a tag change. */
  async tags(): Promise<Tag[]> {
    return (await this.loadDictionary()).list;
  }

  private loadDictionary(): Promise<TagDictionary> {
    if (this.dictionary === null) {
      const generation = this.tagGeneration;
      const loading = this.store.listTags().then((list) => ({
        list,
        keys: new Set(list.map((t) => tagKey(t.type, t.id))),
      }));
      this.dictionary = loading;
      // A failed load, or one overtaken by a change, is not kept.
      loading.then(
        () => {
          if (generation !== this.tagGeneration && this.dictionary === loading) this.dictionary = null;
        },
        () => {
          if (this.dictionary === loading) this.dictionary = null;
        },
      );
    }
    return this.dictionary;
  }

  /** Adds or renames a tag (BAD_REQUEST on a bad type, id or empty names). */
  async putTag(tag: Tag): Promise<void> {
    if (typeof tag !== 'object' || tag === null) badRequest('tag: expected {type, id, name_ru, name_en}');
    if (typeof tag.type !== 'string' || !TYPES.has(tag.type)) {
      badRequest(`type: expected one of ${TAG_TYPES.join(', ')}, got ${JSON.stringify(tag.type)}`);
    }
    if (!Number.isSafeInteger(tag.id) || tag.id < 1 || tag.id > MAX_TAG_ID) {
      badRequest(`id: expected a whole number 1..${MAX_TAG_ID}, got ${JSON.stringify(tag.id)}`);
    }
    const names: Record<'name_ru' | 'name_en', string> = { name_ru: '', name_en: '' };
    for (const field of ['name_ru', 'name_en'] as const) {
      const v: unknown = tag[field];
      if (typeof v !== 'string' || v.trim() === '') badRequest(`${field}: must not be empty`);
      if (v.trim().length > MAX_TAG_NAME) badRequest(`${field}: longer than ${MAX_TAG_NAME} characters`);
      names[field] = v.trim();
    }
    await this.store.upsertTag({ type: tag.type, id: tag.id, ...names });
    this.dropTags();
  }

  async deleteTag(type: TagType, id: number): Promise<void> {
    if (!(await this.store.deleteTag(type, id))) {
      throw new NuminfoError('ITEM_NOT_FOUND', `no tag ${tagKey(type, id)}`);
    }
    this.dropTags();
  }

  /** Seeds the default dictionary (defaultTags.ts) where missing; returns how many were added. */
  async seedDefaultTags(): Promise<number> {
    const added = await this.store.seedTags(DEFAULT_TAGS);
    if (added > 0) this.dropTags();
    return added;
  }

  close(): void {
    this.unsubscribe();
    this.cache.clear();
  }
}
