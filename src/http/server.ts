import { randomBytes } from 'node:crypto';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import { KeyService } from '../services/keys/keyService.js';
import { SignatureVerifier } from '../services/keys/signature.js';
import type { MnpManager } from '../services/mnpManager.js';
import type { NumberService } from '../services/numberService.js';
import { BlacklistService } from '../services/reputation/blacklistService.js';
import { CheckService } from '../services/reputation/checkService.js';
import { ReputationService } from '../services/reputation/reputationService.js';
import { Router } from '../services/routing/router.js';
import type { RoutingManager } from '../services/routing/routingManager.js';
import { openStore } from '../store/openStore.js';
import type { Store } from '../store/types.js';
import { ahunterPlugin } from './ahunter/plugin.js';
import { HttpAuth } from './auth.js';
import { dadataPlugin } from './dadata/plugin.js';
import { mapError } from './errorMapping.js';
import { registerRateLimit } from './rateLimit.js';
import { gilraenPlugin } from './gilraen/plugin.js';
import { blacklistPlugin } from './native/blacklists.js';
import { checkPlugin } from './native/check.js';
import { keysPlugin } from './native/keys.js';
import { mnpPlugin } from './native/mnp.js';
import { nativePlugin } from './native/plugin.js';
import { reputationPlugin } from './native/reputation.js';
import { routePlugin } from './native/route.js';
import { voxlinkPlugin } from './voxlink/plugin.js';

/** Everything that lives in the store, built once per process over one open Store. */
export interface StoreServices {
  readonly store: Store;
  readonly keys: KeyService;
  readonly auth: HttpAuth;
  readonly reputation: ReputationService;
  readonly blacklists: BlacklistService;
  readonly checker: CheckService;
  /** Closes the services and then the store. */
  close(): Promise<void>;
}

export type StoreServicesConfig = Pick<
  Config,
  'dataDir' | 'masterKey' | 'apiKeys' | 'trustThreshold' | 'blockUnwanted' | 'signatureWindow' | 'signNative'
>;

/**
 * The services over an open (migrated) store, with the default tag dictionary seeded where it is
 * missing. `now` is for tests that control the clock.
 */
export async function createStoreServices(
  store: Store,
  config: StoreServicesConfig,
  opts: { now?: () => number } = {},
): Promise<StoreServices> {
  const keys = await KeyService.open(store, {
    dataDir: config.dataDir,
    masterKey: config.masterKey,
    legacyKeys: config.apiKeys,
    ...(opts.now ? { now: opts.now } : {}),
  });
  const verifier = new SignatureVerifier({
    windowSeconds: config.signatureWindow,
    ...(opts.now ? { now: opts.now } : {}),
    // Instances sharing PostgreSQL refuse each other's replays; a lone SQLite instance's memory is enough.
    ...(store.driver === 'postgres'
      ? { shared: (sig: string, expiresAt: number, now: number) => store.claimNonce(sig, expiresAt, now) }
      : {}),
  });
  const auth = new HttpAuth(keys, verifier, { signNative: config.signNative });
  // Instances sharing PostgreSQL read through, so one sees another's write at once; a lone
  // SQLite instance hears every write synchronously and can cache.
  const cache = store.driver === 'sqlite';
  const reputation = new ReputationService(store, { cache, ...(opts.now ? { now: opts.now } : {}) });
  const blacklists = new BlacklistService(store, { cache, ...(opts.now ? { now: opts.now } : {}) });
  const checker = new CheckService(reputation, blacklists, {
    trustThreshold: config.trustThreshold,
    blockUnwanted: config.blockUnwanted,
  });
  await reputation.seedDefaultTags();
  return {
    store,
    keys,
    auth,
    reputation,
    blacklists,
    checker,
    close: async () => {
      reputation.close();
      blacklists.close();
      keys.close();
      await store.close();
    },
  };
}

/** `openStore` + `createStoreServices`: what `numinfo serve` and the tests start from. */
export async function openStoreServices(
  config: StoreServicesConfig & Pick<Config, 'store'>,
  opts: { now?: () => number } = {},
): Promise<StoreServices> {
  const store = await openStore(config.store, config.dataDir);
  try {
    return await createStoreServices(store, config, opts);
  } catch (e) {
    await store.close().catch(() => undefined);
    throw e;
  }
}

export interface ServerOptions {
  readonly service: NumberService;
  readonly config: Pick<Config, 'batchLimit' | 'logLevel'> &
    Partial<Pick<Config, 'apiKeys' | 'gilraenPrefix' | 'rateLimit' | 'maxConnections'>>;
  /** Manages MNP overrides; without it `PUT/DELETE /v1/mnp/{number}` are unavailable. */
  readonly mnp?: MnpManager | null;
  /** Routing rules for `/v1/route`; without it every call takes the route `default`. */
  readonly routing?: RoutingManager | null;
  /**
   * Keys, reputation, blacklists and checks. Without them the server still answers every lookup
   * dialect (keys from the `apiKeys` config only), the reputation, blacklist and check routes answer
   * 503 STORE_UNAVAILABLE, and the key administration and Gilraen routes do not exist.
   */
  readonly stores?: StoreServices | null;
  /** Extra fields for /healthz (snapshot path, first-start state). */
  readonly health?: () => Record<string, unknown>;
}

/**
 * Without a store the dialects still need their keys checked: an in-memory store that holds no key,
 * so the `apiKeys` config (or open mode) decides, as it did before keys lived in a store.
 */
async function configKeysOnly(apiKeys: string): Promise<{ auth: HttpAuth; store: Store }> {
  const store = await openStore('sqlite::memory:', '');
  const keys = await KeyService.open(store, {
    dataDir: '',
    // No stored key can exist here, so no secret is ever derived from it; it only must be valid.
    masterKey: randomBytes(32).toString('hex'),
    legacyKeys: apiKeys,
  });
  return {
    auth: new HttpAuth(keys, new SignatureVerifier({ windowSeconds: 300 }), { signNative: false }),
    store,
  };
}

/**
 * The composition root of the HTTP face: one shared NumberService, each API dialect an
 * encapsulated plugin with its own routes and error envelope.
 */
export function buildServer(opts: ServerOptions): FastifyInstance {
  const app = Fastify({
    logger: opts.config.logLevel === 'silent' ? false : { level: opts.config.logLevel },
    // Per-request log lines cost more than a lookup; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    // voxlink-style clients send `?num=…&field=…`; ahunter-style ones separate with `;`.
    routerOptions: { ignoreTrailingSlash: true },
    bodyLimit: 1024 * 1024,
  });
  app.setErrorHandler((error, request, reply) => {
    const m = mapError(error);
    // A missing registry is announced once at start; its 503 on every request is not an error to log.
    if (m.status >= 500 && m.code !== 'REGISTRY_NOT_LOADED') request.log.error(error);
    void reply.status(m.status).send({ error: { code: m.code, message: m.message } });
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({
      error: {
        code: 'NOT_FOUND',
        message: `no such endpoint: ${request.method} ${request.url.split('?')[0]}`,
      },
    });
  });
  const { service } = opts;
  const stores = opts.stores ?? null;
  if (opts.config.rateLimit) registerRateLimit(app, opts.config.rateLimit);
  // Past this many open connections the server refuses new ones (the kernel's backlog holds them).
  if (opts.config.maxConnections) app.server.maxConnections = opts.config.maxConnections;
  void app.register(nativePlugin, {
    service,
    batchLimit: opts.config.batchLimit,
    store: stores?.store ?? null,
    health: opts.health,
  });
  void app.register(routePlugin, {
    service,
    routes: opts.routing ?? Router.empty(),
    checker: stores?.checker ?? null,
  });
  void app.register(voxlinkPlugin, { service });
  void app.register(reputationPlugin, {
    service,
    batchLimit: opts.config.batchLimit,
    deps: stores && { reputation: stores.reputation, auth: stores.auth },
  });
  void app.register(blacklistPlugin, {
    service,
    deps: stores && { blacklists: stores.blacklists, auth: stores.auth },
  });
  void app.register(checkPlugin, { service, deps: stores && { checker: stores.checker, auth: stores.auth } });
  // The dialects take their auth once it exists: the store's, or one over the `apiKeys` config alone.
  void app.register(async (scope) => {
    let auth: HttpAuth;
    if (stores) {
      auth = stores.auth;
    } else {
      const fallback = await configKeysOnly(opts.config.apiKeys ?? '');
      auth = fallback.auth;
      scope.addHook('onClose', () => fallback.store.close());
    }
    void scope.register(mnpPlugin, { service, manager: opts.mnp ?? null, auth });
    void scope.register(dadataPlugin, { service, auth });
    void scope.register(ahunterPlugin, { service, auth });
    if (stores) {
      void scope.register(keysPlugin, { auth });
      void scope.register(gilraenPlugin, {
        prefix: opts.config.gilraenPrefix ?? '/gilraen',
        service,
        reputation: stores.reputation,
        auth,
      });
    }
  });
  return app;
}
