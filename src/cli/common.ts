import { loadConfig, type Config } from '../config.js';
import type { CliValues } from './main.js';

/** Config from file and environment, with the command line on top. */
export function configFrom(values: CliValues): Config {
  return loadConfig(
    {
      port: values.port,
      host: values.host,
      dataDir: values['data-dir'],
      registrySource: values.source,
      autoUpdate: values['no-auto-update'] ? false : undefined,
    },
    process.env,
    values.config ?? process.env.NUMINFO_CONFIG,
  );
}
