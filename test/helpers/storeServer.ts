/**
 * A real server with a real store for the HTTP tests of reputation, blacklists and checks: SQLite
 * in a temp dir (or the store spec given), keys created through the KeyService, listening on a
 * free port, driven with fetch.
 */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { DEFAULT_CONFIG, type Config } from '../../src/config.js';
import {
  buildServer,
  openStoreServices,
  type ServerOptions,
  type StoreServices,
} from '../../src/http/server.js';
import { NumberService } from '../../src/services/numberService.js';
import type { KeyRole } from '../../src/store/types.js';
import { tempDir } from './proc.js';

export interface Answer {
  readonly status: number;
  readonly type: string;
  readonly text: string;
  readonly json: unknown;
}

export interface Served {
  readonly app: FastifyInstance;
  readonly base: string;
  readonly stores: StoreServices;
  readonly config: Config;
  close(): Promise<void>;
}

export async function startStoreServer(
  overrides: Partial<Config> = {},
  service: NumberService = new NumberService(),
  extra: Pick<ServerOptions, 'routing' | 'mnp'> = {},
): Promise<Served> {
  const config: Config = {
    ...DEFAULT_CONFIG,
    dataDir: tempDir('store-http'),
    logLevel: 'silent',
    ...overrides,
  };
  const stores = await openStoreServices(config);
  const app = buildServer({ service, config, stores, ...extra });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return {
    app,
    base,
    stores,
    config,
    close: async () => {
      await app.close();
      await stores.close();
    },
  };
}

/** A new key's bearer token. */
export async function newKey(s: Served, name: string, role: KeyRole = 'client'): Promise<string> {
  return (await s.stores.keys.create({ name, role, quota: null, period: 'none' })).token;
}

export interface CallOptions {
  readonly method?: string;
  /** An object is sent as JSON; a string as it is (with `contentType`). */
  readonly body?: unknown;
  readonly contentType?: string;
  readonly token?: string | null;
  readonly headers?: Record<string, string>;
}

export async function call(base: string, path: string, opts: CallOptions = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.body !== undefined) {
    body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    headers['content-type'] = opts.contentType ?? 'application/json';
  }
  const res = await fetch(base + path, {
    method: opts.method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
    body,
  });
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, type: res.headers.get('content-type') ?? '', text, json };
}

/** The trust index as docs/reputation.md defines it, for fresh votes (decay below 0.005 is invisible). */
export function expectedIndex(bans: number, complaints = 0, notSpam = 0): number {
  // index = (m·5 + 10·P) / (m + P + N), m = 2, P = not_spam, N = bans + 0.5·complaints
  const m = 2;
  const p = notSpam;
  const n = bans + 0.5 * complaints;
  return Math.round(((m * 5 + 10 * p) / (m + p + n)) * 100) / 100;
}
