import { createHash, timingSafeEqual } from 'node:crypto';
import { ReplayGuard } from './replayGuard.js';

/** RFC 3986 percent-encoding: encodeURIComponent leaves `!'()*` alone, RFC 3986 reserves them. */
export function rfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

/**
 * The string a request signature hashes (the Gilraen rule): METHOD + host + path + params + secret,
 * where params are every query and body parameter except `signature`, each name and value
 * RFC 3986-encoded, sorted by name (then value; UTF-8 byte order), joined as `name=value` with `&`.
 */
export function canonicalString(
  method: string,
  host: string,
  path: string,
  params: readonly (readonly [string, string])[],
  secret: string,
): string {
  return method.toUpperCase() + host + path + canonicalParams(params) + secret;
}

const PLAIN = /^[A-Za-z0-9\-._~]*$/;

/** One name or value, RFC 3986-encoded; most need no escaping and skip the encoder. */
function encodePart(s: string): string {
  return PLAIN.test(s) ? s : rfc3986(s);
}

/** The params part of the canonical string: the same for every host and path a request is tried with. */
export function canonicalParams(params: readonly (readonly [string, string])[]): string {
  const sorted = params
    .filter(([name]) => name !== 'signature')
    .map(([name, value]) => [Buffer.from(name, 'utf8'), Buffer.from(value, 'utf8'), name, value] as const);
  // By UTF-8 bytes of the raw names (then values), as PHP's ksort and most clients sort them.
  sorted.sort((a, b) => Buffer.compare(a[0], b[0]) || Buffer.compare(a[1], b[1]));
  return sorted.map(([, , name, value]) => `${encodePart(name)}=${encodePart(value)}`).join('&');
}

/** sha256 hex of the canonical string: the value of the `signature` parameter. */
export function signRequest(
  method: string,
  host: string,
  path: string,
  params: readonly (readonly [string, string])[],
  secret: string,
): string {
  return createHash('sha256')
    .update(canonicalString(method, host, path, params, secret), 'utf8')
    .digest('hex');
}

export type SignatureVerdict = 'ok' | 'missing' | 'stale' | 'replayed' | 'mismatch';

/** What each verdict tells the client, for error messages. */
export const SIGNATURE_VERDICT_MESSAGES: Readonly<Record<Exclude<SignatureVerdict, 'ok'>, string>> = {
  missing: 'the request needs the parameters timestamp (Unix seconds) and signature',
  stale: 'timestamp is not Unix seconds within the allowed window of the server clock',
  replayed: 'this signature was already used: sign every request with a fresh timestamp',
  mismatch: 'signature does not match the request',
};

const HEX64 = /^[0-9a-fA-F]{64}$/;
const UNIX_SECONDS = /^\d{1,12}$/;

function first(params: readonly (readonly [string, string])[], name: string): string | undefined {
  for (const [n, v] of params) if (n === name) return v;
  return undefined;
}

/**
 * Checks signed requests: timestamp within `windowSeconds` of the clock, signature equal (in
 * constant time) to one computed for any of the accepted hosts and paths, and not seen before
 * within the window (see ReplayGuard). One verifier per process: the replay memory is local, so
 * instances behind a load balancer each refuse replays only of what they accepted themselves.
 */
export class SignatureVerifier {
  private readonly windowSeconds: number;
  private readonly now: () => number;
  private readonly guard: ReplayGuard;

  /**
   * Claims an accepted signature in a store shared with other instances (until `expiresAt`, ms);
   * false when another instance (or this one) already accepted it. Without it, replays are refused
   * only per process.
   */
  private readonly shared: ((signature: string, expiresAt: number, now: number) => Promise<boolean>) | null;

  constructor(opts: {
    windowSeconds: number;
    now?: () => number;
    shared?: (signature: string, expiresAt: number, now: number) => Promise<boolean>;
  }) {
    this.windowSeconds = opts.windowSeconds;
    this.now = opts.now ?? Date.now;
    this.shared = opts.shared ?? null;
    this.guard = new ReplayGuard(opts.windowSeconds);
  }

  /** Signatures held by the replay guard now. */
  get remembered(): number {
    return this.guard.size;
  }

  verify(req: {
    method: string;
    hosts: readonly string[];
    paths: readonly string[];
    params: readonly (readonly [string, string])[];
    secret: string;
  }): SignatureVerdict {
    const signature = first(req.params, 'signature');
    const timestamp = first(req.params, 'timestamp');
    if (signature === undefined || timestamp === undefined || signature === '' || timestamp === '')
      return 'missing';
    if (!UNIX_SECONDS.test(timestamp)) return 'stale';
    const ts = Number(timestamp);
    const nowSeconds = Math.floor(this.now() / 1000);
    if (Math.abs(nowSeconds - ts) > this.windowSeconds) return 'stale';
    // A key without a secret (a legacy config key given as TOKEN alone) can never sign.
    if (req.secret === '' || !HEX64.test(signature)) return 'mismatch';
    const given = Buffer.from(signature, 'hex');
    const method = req.method.toUpperCase();
    const tail = canonicalParams(req.params) + req.secret;
    let match = false;
    for (const host of new Set(req.hosts)) {
      for (const path of new Set(req.paths)) {
        const expected = createHash('sha256')
          .update(method + host + path + tail, 'utf8')
          .digest();
        // Every combination is computed and compared, so timing does not tell which one matched.
        match = timingSafeEqual(expected, given) || match;
      }
    }
    if (!match) return 'mismatch';
    return this.guard.add(signature, ts, nowSeconds) ? 'ok' : 'replayed';
  }

  /** As `verify`, then claims the signature in the shared store, so no other instance accepts it again. */
  async verifyShared(req: Parameters<SignatureVerifier['verify']>[0]): Promise<SignatureVerdict> {
    const verdict = this.verify(req);
    if (verdict !== 'ok' || this.shared === null) return verdict;
    const signature = first(req.params, 'signature')!.toLowerCase();
    // Valid while its timestamp is within the window of the clock: remember it that long, and a second more.
    const expiresAt = (Number(first(req.params, 'timestamp')) + this.windowSeconds + 1) * 1000;
    return (await this.shared(signature, expiresAt, this.now())) ? 'ok' : 'replayed';
  }
}
