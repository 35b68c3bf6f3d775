import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import type { MnpManager } from '../services/mnpManager.js';
import type { NumberService } from '../services/numberService.js';
import { Router } from '../services/routing/router.js';
import type { RoutingManager } from '../services/routing/routingManager.js';
import { ApiKeySet } from './apiKeys.js';
import { ahunterPlugin } from './ahunter/plugin.js';
import { dadataPlugin } from './dadata/plugin.js';
import { mapError } from './errorMapping.js';
import { mnpPlugin } from './native/mnp.js';
import { nativePlugin } from './native/plugin.js';
import { routePlugin } from './native/route.js';
import { voxlinkPlugin } from './voxlink/plugin.js';

export interface ServerOptions {
  readonly service: NumberService;
  readonly config: Pick<Config, 'batchLimit' | 'logLevel'> & Partial<Pick<Config, 'apiKeys'>>;
  /** Manages MNP overrides; without it `PUT/DELETE /v1/mnp/{number}` are unavailable. */
  readonly mnp?: MnpManager | null;
  /** Routing rules for `/v1/route`; without it every call takes the route `default`. */
  readonly routing?: RoutingManager | null;
  /** Extra fields for /healthz (snapshot path, first-start state). */
  readonly health?: () => Record<string, unknown>;
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
  void app.register(nativePlugin, {
    service: opts.service,
    batchLimit: opts.config.batchLimit,
    health: opts.health,
  });
  void app.register(routePlugin, { service: opts.service, routes: opts.routing ?? Router.empty() });
  void app.register(voxlinkPlugin, { service: opts.service });
  const keys = new ApiKeySet(opts.config.apiKeys ?? '');
  void app.register(mnpPlugin, { service: opts.service, manager: opts.mnp ?? null, keys });
  void app.register(dadataPlugin, { service: opts.service, keys });
  void app.register(ahunterPlugin, { service: opts.service, keys });
  return app;
}
