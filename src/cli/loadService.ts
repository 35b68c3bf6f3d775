import { existsSync } from 'node:fs';
import { RegistryIndex } from '../data/registryIndex.js';
import { snapshotPath } from '../data/registryUpdate.js';
import { readSnapshotFile } from '../data/snapshot.js';
import { MnpManager } from '../services/mnpManager.js';
import { NumberService } from '../services/numberService.js';
import type { Config } from '../config.js';

/** A NumberService over the snapshot in the data directory; warns on stderr when there is none. */
export function loadService(config: Config): NumberService {
  const path = snapshotPath(config.dataDir);
  const service = new NumberService();
  if (existsSync(path)) {
    service.setRegistry(new RegistryIndex(readSnapshotFile(path)));
  } else {
    process.stderr.write(
      `numinfo: no registry snapshot at ${path}; Russian numbers cannot be resolved (run \`numinfo update\`)\n`,
    );
  }
  new MnpManager(service, config.dataDir).load();
  return service;
}
