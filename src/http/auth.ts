import type { FastifyRequest } from 'fastify';
import { NuminfoError } from '../errors.js';
import type { KeyService, Principal } from '../services/keys/keyService.js';
import {
  SIGNATURE_VERDICT_MESSAGES,
  type SignatureVerdict,
  type SignatureVerifier,
} from '../services/keys/signature.js';

/** What a route asks of the caller. */
export interface AuthNeeds {
  /** Only admin keys (client keys get FORBIDDEN). */
  readonly role?: 'admin';
  /** Quota units the request costs (QUOTA_EXCEEDED when not enough are left). */
  readonly units?: number;
  /** Demand a signature; unset: the `signNative` setting decides (for `require`). */
  readonly signed?: boolean;
}

/** For dialects that carry the key their own way (ahunter's `user=`, DaData's Token + X-Secret). */
export interface TokenNeeds extends AuthNeeds {
  /** A secret the client sent (DaData's X-Secret); checked against the key's. */
  readonly secret?: string | undefined;
  /** The client must send a secret. */
  readonly secretRequired?: boolean;
}

export type GilraenAuth =
  | { readonly ok: true; readonly principal: Principal }
  | { readonly ok: false; readonly status: 401 | 419; readonly reason: string };

const BEARER = /^\s*(?:Bearer|Token)\s+(\S+)\s*$/i;

function header(request: FastifyRequest, name: string): string | undefined {
  const v = request.headers[name];
  return typeof v === 'string' ? v : undefined;
}

/** The path as the client sent it, without the query. */
export function pathOf(request: FastifyRequest): string {
  const url = request.raw.url ?? request.url;
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

/** Query parameters in order, decoded (`+` is a space, as in any form encoding). */
export function queryPairs(request: FastifyRequest): [string, string][] {
  const url = request.raw.url ?? request.url;
  const q = url.indexOf('?');
  return q < 0 ? [] : [...new URLSearchParams(url.slice(q + 1))];
}

/**
 * The parameters a signature covers: the query, then the fields of an object body (JSON or form).
 * Strings are taken as they are, numbers and booleans as JSON writes them, null as '', nested
 * values as their JSON text.
 */
export function signedParams(request: FastifyRequest): [string, string][] {
  const pairs = queryPairs(request);
  const body = request.body;
  if (body !== null && typeof body === 'object' && !Array.isArray(body) && !Buffer.isBuffer(body)) {
    for (const [name, value] of Object.entries(body as Record<string, unknown>)) {
      if (value === undefined) continue;
      pairs.push([name, typeof value === 'string' ? value : value === null ? '' : JSON.stringify(value)]);
    }
  }
  return pairs;
}

/** The request's host as sent, and without its port: clients sign either. */
export function hostsOf(request: FastifyRequest): string[] {
  const host = request.host;
  const colon = host.lastIndexOf(':');
  // `[::1]:8080` → `[::1]`; a bare IPv6 address in brackets has no port to drop.
  const bare = colon > host.lastIndexOf(']') ? host.slice(0, colon) : host;
  return bare === host ? [host] : [host, bare];
}

/**
 * The API key a request carries: `Authorization: Bearer KEY` or `Authorization: Token KEY`, then
 * `X-Api-Key: KEY`, then the `key` query parameter.
 */
export function tokenOf(request: FastifyRequest): string | undefined {
  const auth = header(request, 'authorization');
  if (auth !== undefined) {
    const m = BEARER.exec(auth);
    if (m) return m[1];
  }
  const x = header(request, 'x-api-key');
  if (x !== undefined && x.trim() !== '') return x.trim();
  for (const [name, value] of queryPairs(request)) if (name === 'key' && value !== '') return value;
  return undefined;
}

/**
 * The one place HTTP routes authenticate. In open mode (no keys at all) every request passes as an
 * admin identified by its address, and nothing else is checked.
 */
export class HttpAuth {
  constructor(
    readonly keys: KeyService,
    readonly verifier: SignatureVerifier,
    private readonly opts: { signNative: boolean },
  ) {}

  isOpen(): Promise<boolean> {
    return this.keys.isOpen();
  }

  /**
   * The key of a native request, with the role, signature and quota the route needs. Throws
   * NuminfoError UNAUTHORIZED, FORBIDDEN, BAD_SIGNATURE or QUOTA_EXCEEDED.
   */
  async require(request: FastifyRequest, needs: AuthNeeds = {}): Promise<Principal> {
    return this.requireToken(request, tokenOf(request), {
      ...needs,
      signed: needs.signed ?? this.opts.signNative,
    });
  }

  /**
   * As `require`, with the token found by the caller. Signatures are checked only when
   * `needs.signed` is true (`signNative` is for the native API).
   */
  async requireToken(
    request: FastifyRequest,
    token: string | undefined,
    needs: TokenNeeds = {},
  ): Promise<Principal> {
    if (await this.keys.isOpen()) return this.keys.openPrincipal(request.ip);
    if (token === undefined || token === '')
      throw new NuminfoError(
        'UNAUTHORIZED',
        'API key missing: send Authorization: Bearer KEY, X-Api-Key: KEY or the query parameter key=KEY',
      );
    const principal = await this.keys.authenticate(token);
    if (principal === null) throw new NuminfoError('UNAUTHORIZED', 'unknown or revoked API key');
    if (
      (needs.secret !== undefined || needs.secretRequired) &&
      !this.keys.checkSecret(principal, needs.secret, needs.secretRequired ?? false)
    )
      throw new NuminfoError('UNAUTHORIZED', 'the secret does not match the API key');
    if (needs.role === 'admin' && principal.role !== 'admin')
      throw new NuminfoError(
        'FORBIDDEN',
        `API key ${principal.keyId} has the role ${principal.role}; this needs admin`,
      );
    if (needs.signed) {
      const verdict = await this.verify(request, principal, [pathOf(request)]);
      if (verdict !== 'ok')
        throw new NuminfoError('BAD_SIGNATURE', `signature: ${SIGNATURE_VERDICT_MESSAGES[verdict]}`);
    }
    if (needs.units) await this.spend(principal, needs.units);
    return principal;
  }

  /** Gives back units spent on a request whose work then failed; a failing refund is not the client's error. */
  async refund(principal: Principal, units: number): Promise<void> {
    await this.keys.refund(principal, units).catch(() => undefined);
  }

  /** Spends quota units; QUOTA_EXCEEDED (nothing spent) when not enough are left. */
  async spend(principal: Principal, units: number): Promise<void> {
    const r = await this.keys.spend(principal, units);
    if (!r.ok)
      throw new NuminfoError(
        'QUOTA_EXCEEDED',
        `the quota of API key ${principal.keyId} is used up: ${r.remaining ?? 0} units left in this period, ${units} needed`,
      );
  }

  /**
   * The Gilraen dialect's check, as outcomes rather than exceptions: 401 for a missing, unknown or
   * revoked key or a used-up limit (Gilraen answers both "Unauthorized or limit used up"), 419 for
   * a missing, stale, replayed or wrong signature. The key comes from `key=` (or a header); the
   * signature may cover the path with or without `prefix`. Open mode passes everything.
   */
  async authenticateGilraen(
    request: FastifyRequest,
    opts: { units: number; prefix: string },
  ): Promise<GilraenAuth> {
    if (await this.keys.isOpen()) return { ok: true, principal: this.keys.openPrincipal(request.ip) };
    const token = tokenOf(request);
    if (token === undefined) return { ok: false, status: 401, reason: 'API key missing: send key=KEY' };
    const principal = await this.keys.authenticate(token);
    if (principal === null) return { ok: false, status: 401, reason: 'unknown or revoked API key' };
    const path = pathOf(request);
    const prefix = opts.prefix.replace(/\/+$/, '');
    const paths = prefix !== '' && path.startsWith(prefix + '/') ? [path, path.slice(prefix.length)] : [path];
    const verdict = await this.verify(request, principal, paths);
    if (verdict !== 'ok') return { ok: false, status: 419, reason: SIGNATURE_VERDICT_MESSAGES[verdict] };
    if (opts.units > 0) {
      const r = await this.keys.spend(principal, opts.units);
      if (!r.ok) return { ok: false, status: 401, reason: 'limit used up' };
    }
    return { ok: true, principal };
  }

  private verify(
    request: FastifyRequest,
    principal: Principal,
    paths: readonly string[],
  ): Promise<SignatureVerdict> {
    return this.verifier.verifyShared({
      method: request.method,
      hosts: hostsOf(request),
      paths,
      params: signedParams(request),
      secret: this.keys.secretFor(principal),
    });
  }
}

/** `auth.authenticateGilraen(request, opts)` as a function, for the Gilraen plugin. */
export function authenticateGilraen(
  auth: HttpAuth,
  request: FastifyRequest,
  opts: { units: number; prefix: string },
): Promise<GilraenAuth> {
  return auth.authenticateGilraen(request, opts);
}
