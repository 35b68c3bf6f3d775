import { buildServer } from '../http/server.js';
import { NumberService } from '../services/numberService.js';
import { MnpManager } from '../services/mnpManager.js';
import { RegistryManager, type Logger } from '../services/registryManager.js';
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
  const app = buildServer({
    service,
    config,
    mnp,
    // Data loaded later (by `numinfo update` in another process) settles a failed first start.
    health: () =>
      firstStartError && !service.registry
        ? { firstStart: { state: firstStart, error: firstStartError } }
        : { firstStart: { state: firstStart === 'failed' ? 'done' : firstStart } },
  });
  const manager = new RegistryManager(service, config.dataDir, log);
  const loaded = manager.loadSnapshot();
  manager.watch();
  mnp.load();
  mnp.watch();
  await app.listen({ port: config.port, host: config.host });

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
    void app.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return 0;
}
