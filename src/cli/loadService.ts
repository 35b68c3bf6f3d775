import { existsSync } from 'node:fs';
import { RegistryIndex } from '../data/registryIndex.js';
import { snapshotPath } from '../data/registryUpdate.js';
import { readSnapshotFile } from '../data/snapshot.js';
import { MnpManager } from '../services/mnpManager.js';
import { NumberService } from '../services/numberService.js';
import type { Config } from '../config.js';
import { storeWithOverrides } from './storedOverrides.js';

/**
 * A NumberService over the snapshot in the data directory (warns on stderr when there is none), with
 * the MNP data and the overrides: from the store when it holds them (where `numinfo serve` keeps
 * them), else from the overrides file.
 */
export async function loadService(config: Config): Promise<NumberService> {
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
  const store = await storeWithOverrides(config, 'numinfo', 'MNP overrides are not applied');
  if (store) {
    try {
      service.setOverrides(await store.listMnpOverrides());
    } finally {
      await store.close();
    }
  }
  return service;
}
