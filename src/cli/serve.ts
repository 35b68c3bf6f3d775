import { AmiClient } from '../ami/client.js';
import { DEFAULT_AGI_PORT, startAgiServer, type AgiServer } from '../agi/server.js';
import { isNuminfoError, NuminfoError } from '../errors.js';
import { buildServer, openStoreServices, type StoreServices } from '../http/server.js';
import { NumberService } from '../services/numberService.js';
import { MnpManager } from '../services/mnpManager.js';
import { RegistryManager, type Logger } from '../services/registryManager.js';
import { RoutingManager } from '../services/routing/routingManager.js';
import { redactUrl } from '../store/openStore.js';
import type { Config } from '../config.js';
import { configFrom } from './common.js';
import type { CliValues } from './main.js';

type FirstStart = 'not-needed' | 'downloading' | 'failed' | 'done';

/** Where the store is, for messages: the SQLite file or the database URL without its password. */
function storeName(config: Config): string {
  return config.store === '' ? `${config.dataDir}/numinfo.db` : redactUrl(config.store);
}

/**
 * Opens and migrates the store and builds the services on it. A store that cannot be opened stops
 * the start: reports would otherwise be accepted by nothing.
 */
async function openStores(config: Config): Promise<StoreServices> {
  try {
    return await openStoreServices(config);
  } catch (e) {
    // The drivers' own errors already name the store and the cause; anything else gets both here.
    if (isNuminfoError(e)) throw e;
    throw new NuminfoError(
      'STORE_UNAVAILABLE',
      `cannot open the store ${storeName(config)}: ${(e as Error)?.message ?? String(e)}`,
      { cause: e },
    );
  }
}

export async function runServe(values: CliValues): Promise<number> {
  const config = configFrom(values);
  // First, before anything watches files or listens: a store that cannot open stops the start.
  const stores = await openStores(config);
  const service = new NumberService();
  let firstStart: FirstStart = 'not-needed';
  let firstStartError: string | null = null;
  // The managers log through the server's logger; the closures run only once it exists.
  const log: Logger = {
    info: (m) => app.log.info(m),
    warn: (m) => app.log.warn(m),
    error: (m) => app.log.error(m),
  };
  // Overrides live in the store, so every instance sharing it applies the same ones.
  const mnp = new MnpManager(service, config.dataDir, log, { store: stores.store });
  const routing = new RoutingManager(config.routesFile.trim() === '' ? null : config.routesFile, log);
  // The non-blocking Asterisk mode: looks up new channels' callers and sets NUMINFO_* on them.
  const ami = config.amiHost.trim()
    ? new AmiClient({
        host: config.amiHost.trim(),
        port: config.amiPort,
        username: config.amiUser,
        secret: config.amiSecret,
        contexts: config.amiContexts.split(','),
        service,
        router: () => routing,
        checker: () => stores.checker,
        log,
      })
    : null;
  const app = buildServer({
    service,
    config,
    mnp,
    routing,
    stores,
    // Data loaded later (by `numinfo update` in another process) settles a failed first start.
    health: () => ({
      ...(firstStartError && !service.registry
        ? { firstStart: { state: firstStart, error: firstStartError } }
        : { firstStart: { state: firstStart === 'failed' ? 'done' : firstStart } }),
      routing: routing.info,
      ami: ami ? ami.state : null,
    }),
  });
  log.info(`store: ${stores.store.driver} ${storeName(config)}`);
  // A bad rules file stops the start (CONFIG_INVALID, exit 2); later it only keeps the rules in use.
  try {
    routing.load();
  } catch (e) {
    await stores.close();
    throw e;
  }
  const manager = new RegistryManager(service, config.dataDir, log);
  const loaded = manager.loadSnapshot();
  manager.watch();
  await mnp.start();
  mnp.watch();
  routing.watch();
  const reloadRoutes = (): void => {
    log.info('SIGHUP: reloading the routing rules');
    routing.reload();
  };
  process.on('SIGHUP', reloadRoutes);
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (e) {
    await stores.close();
    throw e;
  }
  // FastAGI: on with a port in the config, or with --agi (Asterisk's default port, 4573).
  const agiPort = config.agiPort > 0 ? config.agiPort : values.agi ? DEFAULT_AGI_PORT : 0;
  let agi: AgiServer | null = null;
  if (agiPort > 0) {
    try {
      agi = await startAgiServer({
        host: config.agiHost,
        port: agiPort,
        service,
        router: () => routing.router,
        checker: stores.checker,
        log,
      });
    } catch (e) {
      await app.close();
      await stores.close();
      throw e;
    }
    log.info(`FastAGI server listening on ${agi.host}:${agi.port} (agi://…/lookup, /route, /check)`);
  }
  ami?.start();

  if (!loaded) {
    if (config.autoUpdate) {
      firstStart = 'downloading';
      log.info(`no registry snapshot at ${manager.snapshotPath}; downloading from ${config.registrySource}`);
      manager.update(config.registrySource).then(
        () => {
          firstStart = 'done';
        },
        (e: unknown) => {
          firstStart = 'failed';
          firstStartError = (e as Error).message;
          log.warn(
            `Russian registry data is missing (${(e as Error).message.split('\n')[0]}); serving international ` +
              `numbers only. Load it with: numinfo update --source <dir with ABC-3xx/ABC-4xx/ABC-8xx/DEF-9xx .csv files>`,
          );
        },
      );
    } else {
      log.warn(
        `Russian registry data is missing: no snapshot at ${manager.snapshotPath}; serving international numbers only. ` +
          'Load it with: numinfo update --source <dir or URL>',
      );
    }
  }

  const stop = (): void => {
    manager.close();
    mnp.close();
    routing.close();
    process.off('SIGHUP', reloadRoutes);
    // The store closes last, once no request can reach it any more.
    void Promise.all([app.close(), ami?.stop(), agi?.close()])
      .then(() => stores.close())
      .then(
        () => process.exit(0),
        (e: unknown) => {
          log.error(`closing the store failed: ${(e as Error)?.message ?? String(e)}`);
          process.exit(1);
        },
      );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return 0;
}
