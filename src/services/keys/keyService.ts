import { createHash, timingSafeEqual } from 'node:crypto';
import { parseApiKeys } from '../../config.js';
import { NuminfoError } from '../../errors.js';
import {
  GLOBAL_OWNER,
  type ApiKeyRecord,
  type KeyRole,
  type QuotaPeriod,
  type QuotaSpend,
  type Store,
} from '../../store/types.js';
import { hashToken, isKeyId, MAX_TOKEN_LENGTH, newKeyId, newToken } from './keyToken.js';
import { deriveSecret, loadMasterKey } from './masterKey.js';

/** Who made a request: a stored key, a key from the `apiKeys` config, or anyone (open mode). */
export interface Principal {
  /** null in open mode. */
  readonly keyId: string | null;
  /** Key id, or `ip:<address>` in open mode. */
  readonly reporter: string;
  /** Blacklist owner: key id, or GLOBAL_OWNER ('') in open mode. */
  readonly owner: string;
  /** Open mode: 'admin'. */
  readonly role: KeyRole;
  readonly name: string;
  readonly open: boolean;
}

export const KEY_ROLES: readonly KeyRole[] = ['admin', 'client'];
export const QUOTA_PERIODS: readonly QuotaPeriod[] = ['none', 'day', 'month'];
export const MAX_KEY_NAME_LENGTH = 100;
/** Prefix of the ids of keys from the `apiKeys` config, which are not in the store. */
export const CONFIG_KEY_PREFIX = 'cfg:';

export interface KeyServiceOptions {
  readonly dataDir: string;
  /** Empty: `<dataDir>/master.key`. */
  readonly masterKey: string;
  /** The legacy `apiKeys` config, `TOKEN[:SECRET],…`. */
  readonly legacyKeys: string;
  readonly now?: () => number;
  /**
   * How long a key read from the store is trusted without asking again. Changes this process makes,
   * and (PostgreSQL) other instances announce, apply at once; this bounds how long a change made by
   * another process on a shared SQLite file (`numinfo keys revoke` while `numinfo serve` runs) waits.
   */
  readonly cacheTtlMs?: number;
  /** Tokens (known and unknown) remembered. */
  readonly cacheSize?: number;
}

interface Entry {
  /** null: no such token, or revoked. */
  readonly principal: Principal | null;
  /** Signing secret; null for a config key given without one. */
  readonly secret: string | null;
  /** null: unlimited. */
  readonly quota: number | null;
  readonly gen: number;
  readonly at: number;
}

/** Stands in for a secret that is not there, so a missing secret costs the same comparison. */
const NO_SECRET = createHash('sha256').update('numinfo: no secret').digest();

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

function sameSecret(expected: string | null, given: string): boolean {
  return (
    timingSafeEqual(expected === null ? NO_SECRET : digest(expected), digest(given)) && expected !== null
  );
}

/** Validation shared by the CLI and HTTP faces; messages name the field. */
export function checkKeyName(name: unknown): string {
  if (typeof name !== 'string' || name.trim() === '')
    throw new NuminfoError('BAD_REQUEST', 'name: give the key a name (who or what uses it)');
  const n = name.trim();
  if ([...n].length > MAX_KEY_NAME_LENGTH)
    throw new NuminfoError('BAD_REQUEST', `name: at most ${MAX_KEY_NAME_LENGTH} characters`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(n)) throw new NuminfoError('BAD_REQUEST', 'name: no control characters');
  return n;
}

export function checkRole(role: unknown): KeyRole {
  if (typeof role !== 'string' || !(KEY_ROLES as readonly string[]).includes(role))
    throw new NuminfoError('BAD_REQUEST', `role: expected admin or client, got ${JSON.stringify(role)}`);
  return role as KeyRole;
}

export function checkPeriod(period: unknown): QuotaPeriod {
  if (typeof period !== 'string' || !(QUOTA_PERIODS as readonly string[]).includes(period))
    throw new NuminfoError(
      'BAD_REQUEST',
      `period: expected none, day or month, got ${JSON.stringify(period)}`,
    );
  return period as QuotaPeriod;
}

export function checkQuota(quota: unknown): number | null {
  if (quota === null) return null;
  if (typeof quota !== 'number' || !Number.isSafeInteger(quota) || quota < 0)
    throw new NuminfoError(
      'BAD_REQUEST',
      `quota: expected a whole number ≥ 0, or null for unlimited, got ${JSON.stringify(quota)}`,
    );
  return quota;
}

/**
 * API keys: creation, revocation and quotas over the store, authentication with a cache, and each
 * key's signing secret. The store keeps only sha256 of a token; a key's secret is derived from that
 * hash with the master key, so neither tokens nor secrets can be read back from the database.
 *
 * With no key in the store and none in the `apiKeys` config the service is open: every request
 * passes as an admin (`openPrincipal`). The first key created closes it.
 */
export class KeyService {
  private readonly legacy = new Map<string, Entry>();
  private readonly cache = new Map<string, Entry>();
  private readonly entries = new WeakMap<Principal, Entry>();
  private readonly now: () => number;
  private readonly ttl: number;
  private readonly cacheSize: number;
  private readonly unsubscribe: () => void;
  private masterKeyText: string | null = null;
  /** Bumped on every key change: anything read before is stale. */
  private gen = 0;
  private openCache: { value: boolean; gen: number; at: number } | null = null;

  private constructor(
    private readonly store: Store,
    private readonly opts: KeyServiceOptions,
  ) {
    this.now = opts.now ?? Date.now;
    this.ttl = opts.cacheTtlMs ?? 5000;
    this.cacheSize = opts.cacheSize ?? 10_000;
    for (const [token, secret] of parseApiKeys(opts.legacyKeys)) {
      const hash = hashToken(token);
      const id = CONFIG_KEY_PREFIX + hash.slice(0, 8);
      const principal: Principal = {
        keyId: id,
        reporter: id,
        owner: id,
        role: 'admin',
        name: 'apiKeys config',
        open: false,
      };
      const entry: Entry = { principal, secret, quota: null, gen: -1, at: 0 };
      this.legacy.set(hash, entry);
      this.entries.set(principal, entry);
    }
    this.unsubscribe = store.onChange((change) => {
      if (change.kind === 'key' || change.kind === 'all') this.invalidate();
    });
  }

  static async open(store: Store, opts: KeyServiceOptions): Promise<KeyService> {
    return new KeyService(store, opts);
  }

  /** Keys from the `apiKeys` config (admins, not in the store). */
  get configKeyCount(): number {
    return this.legacy.size;
  }

  async create(opts: {
    name: string;
    role: KeyRole;
    quota: number | null;
    period: QuotaPeriod;
  }): Promise<{ id: string; token: string; secret: string; record: ApiKeyRecord }> {
    const name = checkKeyName(opts.name);
    const role = checkRole(opts.role);
    const quota = checkQuota(opts.quota);
    const period = checkPeriod(opts.period);
    const masterKey = this.masterKey();
    const id = newKeyId();
    const token = newToken(id);
    const tokenHash = hashToken(token);
    const record = await this.store.createKey({
      id,
      token_hash: tokenHash,
      name,
      role,
      quota,
      quota_period: period,
      at: this.now(),
    });
    this.invalidate();
    return { id, token, secret: deriveSecret(masterKey, tokenHash), record };
  }

  list(): Promise<ApiKeyRecord[]> {
    return this.store.listKeys();
  }

  async get(id: string): Promise<ApiKeyRecord> {
    this.refuseConfigKey(id);
    const record = isKeyId(id) ? await this.store.getKey(id) : null;
    if (!record) throw new NuminfoError('ITEM_NOT_FOUND', `no API key with id ${JSON.stringify(id)}`);
    return record;
  }

  async revoke(id: string): Promise<void> {
    const record = await this.get(id);
    if (record.revoked_at !== null)
      throw new NuminfoError(
        'ITEM_NOT_FOUND',
        `API key ${id} was already revoked at ${new Date(record.revoked_at).toISOString()}`,
      );
    if (!(await this.store.revokeKey(id, this.now())))
      throw new NuminfoError('ITEM_NOT_FOUND', `no API key with id ${JSON.stringify(id)}`);
    this.invalidate();
  }

  async setQuota(id: string, quota: number | null, period: QuotaPeriod): Promise<void> {
    const q = checkQuota(quota);
    const p = checkPeriod(period);
    this.refuseConfigKey(id);
    if (!isKeyId(id) || !(await this.store.setQuota(id, q, p, this.now())))
      throw new NuminfoError('ITEM_NOT_FOUND', `no API key with id ${JSON.stringify(id)}`);
    this.invalidate();
  }

  /** No key in the store (revoked ones count) and none in the config. */
  async isOpen(): Promise<boolean> {
    if (this.legacy.size > 0) return false;
    const c = this.openCache;
    // Keys are never deleted, so "closed" stays true; "open" is asked again after the TTL.
    if (c && (c.value === false || (c.gen === this.gen && this.now() - c.at < this.ttl))) return c.value;
    const gen = this.gen;
    const value = !(await this.store.hasKeys());
    if (gen === this.gen) this.openCache = { value, gen, at: this.now() };
    return value;
  }

  /** The key a token belongs to; null when unknown or revoked. */
  async authenticate(token: string): Promise<Principal | null> {
    if (token === '' || token.length > MAX_TOKEN_LENGTH) return null;
    const hash = hashToken(token);
    const legacy = this.legacy.get(hash);
    if (legacy) return legacy.principal;
    const cached = this.cache.get(hash);
    if (cached && this.fresh(cached)) {
      // Least recently used goes first: re-insert to move it to the end.
      this.cache.delete(hash);
      this.cache.set(hash, cached);
      return cached.principal;
    }
    const gen = this.gen;
    const record = await this.store.getKeyByHash(hash);
    const entry = this.entryOf(record, gen);
    if (gen === this.gen) {
      this.cache.delete(hash);
      this.cache.set(hash, entry);
      if (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value as string);
    }
    return entry.principal;
  }

  openPrincipal(ip: string): Principal {
    return {
      keyId: null,
      reporter: `ip:${ip}`,
      owner: GLOBAL_OWNER,
      role: 'admin',
      name: 'open mode',
      open: true,
    };
  }

  /**
   * The key's signing secret (also DaData's X-Secret). Empty for open mode and for a config key
   * given without a secret: an empty secret never verifies a signature.
   */
  secretFor(principal: Principal): string {
    if (principal.open) return '';
    return this.entryFor(principal).secret ?? '';
  }

  /**
   * DaData-style secret check, as the `apiKeys` config always worked: a secret sent must match the
   * key's; `required` callers must send one. A config key without a secret takes any secret sent.
   */
  checkSecret(principal: Principal, secret: string | undefined, required: boolean): boolean {
    if (principal.open) return true;
    const expected = this.entryFor(principal).secret;
    if (secret === undefined) return !required;
    if (expected === null && this.isConfigKey(principal)) return true;
    return sameSecret(expected, secret);
  }

  /** Spends quota units; unlimited keys (and config keys, and open mode) never touch the store. */
  async spend(principal: Principal, units: number): Promise<QuotaSpend> {
    if (principal.open || principal.keyId === null || this.isConfigKey(principal))
      return { ok: true, remaining: null };
    const entry = this.entries.get(principal);
    if (entry && this.fresh(entry) && entry.quota === null) return { ok: true, remaining: null };
    return this.store.spendQuota(principal.keyId, units, this.now());
  }

  /**
   * Gives back units spent on work that then failed (the store was down, a tag vanished). The work
   * started moments ago, so "now" stands for the spend's time; only a failure exactly across a period
   * boundary could credit the new period, and never beyond zero used.
   */
  async refund(principal: Principal, units: number): Promise<void> {
    if (units <= 0 || principal.open || principal.keyId === null || this.isConfigKey(principal)) return;
    const entry = this.entries.get(principal);
    if (entry && this.fresh(entry) && entry.quota === null) return;
    await this.store.refundQuota(principal.keyId, units, this.now());
  }

  /** Units left in the current period; null: unlimited. */
  async remaining(principal: Principal): Promise<number | null> {
    if (principal.open || principal.keyId === null || this.isConfigKey(principal)) return null;
    const entry = this.entries.get(principal);
    if (entry && this.fresh(entry) && entry.quota === null) return null;
    // Spending nothing applies the period roll-over exactly as a real spend would.
    return (await this.store.spendQuota(principal.keyId, 0, this.now())).remaining;
  }

  close(): void {
    this.unsubscribe();
    this.cache.clear();
  }

  private invalidate(): void {
    this.gen++;
    this.cache.clear();
    if (this.openCache?.value === true) this.openCache = null;
  }

  private fresh(entry: Entry): boolean {
    return entry.gen === this.gen && this.now() - entry.at < this.ttl;
  }

  private entryOf(record: ApiKeyRecord | null, gen: number): Entry {
    const at = this.now();
    if (!record || record.revoked_at !== null) return { principal: null, secret: null, quota: null, gen, at };
    const principal: Principal = {
      keyId: record.id,
      reporter: record.id,
      owner: record.id,
      role: record.role,
      name: record.name,
      open: false,
    };
    const entry: Entry = {
      principal,
      secret: deriveSecret(this.masterKey(), record.token_hash),
      quota: record.quota,
      gen,
      at,
    };
    this.entries.set(principal, entry);
    return entry;
  }

  private entryFor(principal: Principal): Entry {
    const entry = this.entries.get(principal);
    if (!entry) throw new NuminfoError('INTERNAL', 'principal was not made by this KeyService');
    return entry;
  }

  private isConfigKey(principal: Principal): boolean {
    return principal.keyId !== null && principal.keyId.startsWith(CONFIG_KEY_PREFIX);
  }

  private refuseConfigKey(id: string): void {
    if (id.startsWith(CONFIG_KEY_PREFIX))
      throw new NuminfoError(
        'ITEM_NOT_FOUND',
        `API key ${id} comes from the apiKeys config (NUMINFO_API_KEYS): change it there`,
      );
  }

  private masterKey(): string {
    this.masterKeyText ??= loadMasterKey(this.opts.dataDir, this.opts.masterKey);
    return this.masterKeyText;
  }
}
