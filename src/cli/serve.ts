import { AmiClient } from '../ami/client.js';
import { DEFAULT_AGI_PORT, startAgiServer, type AgiServer } from '../agi/server.js';
import { buildServer } from '../http/server.js';
import { NumberService } from '../services/numberService.js';
import { MnpManager } from '../services/mnpManager.js';
import { RegistryManager, type Logger } from '../services/registryManager.js';
import { RoutingManager } from '../services/routing/routingManager.js';
import { configFrom } from './common.js';
import type { CliValues } from './main.js';

type FirstStart = 'not-needed' | 'downloading' | 'failed' | 'done';

export async function runServe(values: CliValues): Promise<number> {
  const config = configFrom(values);
  const service = new NumberService();
  let firstStart: FirstStart = 'not-needed';
  let firstStartError: string | null = null;
  // The managers log through the server's logger; the closures run only once it exists.
  const log: Logger = {
    info: (m) => app.log.info(m),
    warn: (m) => app.log.warn(m),
    error: (m) => app.log.error(m),
  };
  const mnp = new MnpManager(service, config.dataDir, log);
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
        log,
      })
    : null;
  const app = buildServer({
    service,
    config,
    mnp,
    routing,
    // Data loaded later (by `numinfo update` in another process) settles a failed first start.
    health: () => ({
      ...(firstStartError && !service.registry
        ? { firstStart: { state: firstStart, error: firstStartError } }
        : { firstStart: { state: firstStart === 'failed' ? 'done' : firstStart } }),
      routing: routing.info,
      ami: ami ? ami.state : null,
    }),
  });
  // A bad rules file stops the start (CONFIG_INVALID, exit 2); later it only keeps the rules in use.
  routing.load();
  const manager = new RegistryManager(service, config.dataDir, log);
  const loaded = manager.loadSnapshot();
  manager.watch();
  mnp.load();
  mnp.watch();
  routing.watch();
  const reloadRoutes = (): void => {
    log.info('SIGHUP: reloading the routing rules');
    routing.reload();
  };
  process.on('SIGHUP', reloadRoutes);
  await app.listen({ port: config.port, host: config.host });
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
        log,
      });
    } catch (e) {
      await app.close();
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
    void Promise.all([app.close(), ami?.stop(), agi?.close()]).then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return 0;
}
