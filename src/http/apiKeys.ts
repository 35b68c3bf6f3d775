import { createHash, timingSafeEqual } from 'node:crypto';
import { parseApiKeys } from '../config.js';

/**
 * The keys the dialects accept, from `apiKeys` in the config. With no keys configured the set is
 * open: every request passes, which suits a server on a private network.
 */
export class ApiKeySet {
  private readonly keys: ReadonlyMap<string, string | null>;

  constructor(spec: string) {
    this.keys = parseApiKeys(spec);
  }

  get open(): boolean {
    return this.keys.size === 0;
  }

  /** Whether `token` is known, and `secret` matches its secret when one is required. */
  check(token: string | undefined, secret?: string | undefined, requireSecret = false): boolean {
    if (this.open) return true;
    if (!token) return false;
    let ok = false;
    // Compare against every key in constant time, so timing tells nothing about which part failed.
    for (const [t, s] of this.keys) {
      const tokenOk = equal(t, token);
      // A key without a secret is checked by token alone; with one, a secret sent must match, and
      // DaData-style callers (requireSecret) must send it.
      const secretOk =
        s === null
          ? !requireSecret || secret !== undefined
          : secret === undefined
            ? !requireSecret
            : equal(s, secret);
      ok = (tokenOk && secretOk) || ok;
    }
    return ok;
  }
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

function equal(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}
