/**
 * MNP overrides kept in the store: what `numinfo serve` does when several instances share one store.
 * Real stores (an SQLite file, PostgreSQL when NUMINFO_TEST_PG_URL is set), real servers driven with
 * app.inject, the CLI as a child process. The registry is the small hand-written one
 * (test/helpers/registryData.ts): 900-0100000…0199999 is held by МТС, so an override to МегаФон
 * makes 9000112233 ported.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type Config } from '../src/config.js';
import type { Operator } from '../src/core/types.js';
import { RegistryIndex } from '../src/data/registryIndex.js';
import { updateRegistry } from '../src/data/registryUpdate.js';
import { readSnapshotFile } from '../src/data/snapshot.js';
import { buildServer, openStoreServices, type StoreServices } from '../src/http/server.js';
import type { MnpOverride } from '../src/services/mnpData.js';
import { IMPORTED_OVERRIDES_FILE, MnpManager, OVERRIDES_FILE } from '../src/services/mnpManager.js';
import { NumberService } from '../src/services/numberService.js';
import type { Logger } from '../src/services/registryManager.js';
import { dropFreshSchemas, freshSchemaUrl, pgSkipReason, pgTestUrl } from './helpers/pg.js';
import { assertBuilt, removeTempDirs, runCli, tempDir, waitFor } from './helpers/proc.js';
import { writeRegistryDir } from './helpers/registryData.js';

const PG = await pgTestUrl();

const MTS: Operator = { name: 'ПАО "МТС"', inn: '7740000076' };
const MEGAFON: Operator = { name: 'ПАО "МегаФон"', inn: '7812014560' };
/** Held by МТС in the small registry, ported nowhere. */
const N = '9000112233';
const N2 = '9000112244';

let registry: RegistryIndex;

beforeAll(async () => {
  const dir = tempDir('mnpstore-reg');
  const reg = await updateRegistry({ source: writeRegistryDir(tempDir('mnpstore-src')), dataDir: dir });
  registry = new RegistryIndex(readSnapshotFile(reg.path));
});

afterAll(async () => {
  removeTempDirs();
  await dropFreshSchemas();
});

interface Instance {
  readonly dataDir: string;
  readonly service: NumberService;
  readonly stores: StoreServices;
  readonly mnp: MnpManager;
  readonly app: FastifyInstance;
  readonly logged: string[];
  close(): Promise<void>;
}

/** What `numinfo serve` builds: one store, the MnpManager on it, the server over both. */
async function startInstance(dataDir: string, store: string): Promise<Instance> {
  const config: Config = { ...DEFAULT_CONFIG, dataDir, store, logLevel: 'silent' };
  const service = new NumberService(registry);
  const stores = await openStoreServices(config);
  const logged: string[] = [];
  const log: Logger = {
    info: (m) => logged.push(`info: ${m}`),
    warn: (m) => logged.push(`warn: ${m}`),
    error: (m) => logged.push(`error: ${m}`),
  };
  const mnp = new MnpManager(service, dataDir, log, { store: stores.store });
  await mnp.start();
  const app = buildServer({ service, config, stores, mnp });
  await app.ready();
  return {
    dataDir,
    service,
    stores,
    mnp,
    app,
    logged,
    close: async () => {
      mnp.close();
      await app.close();
      await stores.close();
    },
  };
}

async function put(i: Instance, number: string, body: unknown) {
  const res = await i.app.inject({ method: 'PUT', url: `/v1/mnp/${number}`, payload: body as object });
  return { status: res.statusCode, json: res.json() as Record<string, unknown> };
}

async function getMnp(i: Instance, number: string) {
  const res = await i.app.inject({ method: 'GET', url: `/v1/mnp/${number}` });
  return res.json() as { operator: Operator; ported: boolean; override: MnpOverride | null };
}

/** The lookup's current operator over HTTP, as a client sees it. */
async function operatorOf(i: Instance, number: string): Promise<Operator> {
  const res = await i.app.inject({ method: 'GET', url: `/v1/lookup?number=7${number}` });
  expect(res.statusCode).toBe(200);
  return (res.json() as { operator: Operator }).operator;
}

/**
 * The two-instance case on any store: A's write shows on B after the store's change event (SQLite:
 * the data_version watch polls every 250 ms; PostgreSQL: NOTIFY), within `withinMs`.
 */
function twoInstances(store: () => string, withinMs: number): void {
  it("an override PUT on A applies on A at once and on B after the store's change; DELETE on B clears both", async () => {
    const spec = store();
    const a = await startInstance(tempDir('mnpstore-a'), spec);
    const b = await startInstance(tempDir('mnpstore-b'), spec);
    try {
      expect(await operatorOf(b, N)).toEqual(MTS);

      const res = await put(a, '7' + N, { operator: 'MEGAFON', mnc: '02' });
      expect(res.status).toBe(200);
      const override = res.json.override as MnpOverride;
      expect(override).toEqual({ number: N, operator: 'MEGAFON', mnc: '02', at: expect.any(String) });
      expect(res.json).toEqual({ override, operator: MEGAFON, range_operator: MTS, ported: true });
      // Applied on A before the answer: no waiting for its own change event.
      expect(await operatorOf(a, N)).toEqual(MEGAFON);
      // In the store, not in a file.
      expect(await a.stores.store.listMnpOverrides()).toEqual([override]);
      expect(existsSync(join(a.dataDir, OVERRIDES_FILE))).toBe(false);

      await waitFor(
        'B applies A’s override',
        async () => ((await operatorOf(b, N)).inn === MEGAFON.inn ? true : undefined),
        withinMs,
      );
      expect(await getMnp(b, N)).toMatchObject({ operator: MEGAFON, ported: true, override });
      expect(b.mnp.overrideList).toEqual([override]);

      // A restart of B (a new manager on the same store) loads it from the store.
      const restarted = await startInstance(tempDir('mnpstore-c'), spec);
      expect(restarted.service.mnpOverrides).toEqual([override]);
      expect(await operatorOf(restarted, N)).toEqual(MEGAFON);
      await restarted.close();

      const del = await b.app.inject({ method: 'DELETE', url: `/v1/mnp/${N}` });
      expect(del.statusCode).toBe(204);
      expect(await operatorOf(b, N)).toEqual(MTS);
      expect(await b.stores.store.listMnpOverrides()).toEqual([]);
      await waitFor(
        'A drops the override B deleted',
        async () => ((await operatorOf(a, N)).inn === MTS.inn ? true : undefined),
        withinMs,
      );
      expect(await getMnp(a, N)).toMatchObject({ operator: MTS, ported: false, override: null });
      const again = await a.app.inject({ method: 'DELETE', url: `/v1/mnp/${N}` });
      expect(again.statusCode).toBe(404);
      expect(again.json()).toEqual({ error: { code: 'NOT_FOUND', message: `no override for +7${N}` } });
    } finally {
      await a.close();
      await b.close();
    }
  });
}

describe('MNP overrides in an SQLite store', () => {
  // One file, two instances (two connections): what two processes on one data directory share.
  let shared = '';
  beforeAll(() => {
    shared = `sqlite:${join(tempDir('mnpstore-db'), 'numinfo.db')}`;
  });
  // The watch polls every 250 ms; 2 s leaves room on a busy machine.
  twoInstances(() => shared, 2000);

  it('the first start with a store moves mnp-overrides.json into an empty store, once', async () => {
    const dataDir = tempDir('mnpstore-migrate');
    // The file as a server without a store wrote it (MnpManager.saveOverrides): insertion order.
    const fromFile: MnpOverride[] = [
      { number: N2, operator: '7812014560', mnc: null, at: '2026-05-02T08:00:00.000Z' },
      { number: N, operator: 'MEGAFON', mnc: '02', at: '2026-05-01T08:00:00.000Z' },
    ];
    const text = JSON.stringify(fromFile, null, 1) + '\n';
    writeFileSync(join(dataDir, OVERRIDES_FILE), text);

    const first = await startInstance(dataDir, '');
    try {
      // The store lists by number.
      expect(await first.stores.store.listMnpOverrides()).toEqual([fromFile[1], fromFile[0]]);
      expect(first.service.mnpOverrides).toEqual([fromFile[1], fromFile[0]]);
      expect(await operatorOf(first, N)).toEqual(MEGAFON);
      expect(await operatorOf(first, N2)).toEqual(MEGAFON);
      expect(existsSync(join(dataDir, OVERRIDES_FILE))).toBe(false);
      expect(readFileSync(join(dataDir, IMPORTED_OVERRIDES_FILE), 'utf8')).toBe(text);
      expect(first.logged).toEqual([
        `info: MNP overrides: copied 2 from ${join(dataDir, OVERRIDES_FILE)} into the store; ` +
          `file renamed to ${join(dataDir, IMPORTED_OVERRIDES_FILE)}`,
      ]);
    } finally {
      await first.close();
    }

    // A file that turns up later is not merged into a store that has overrides: it is named, and left.
    const later: MnpOverride[] = [{ number: N, operator: 'MTS', mnc: null, at: '2026-06-01T00:00:00.000Z' }];
    writeFileSync(join(dataDir, OVERRIDES_FILE), JSON.stringify(later));
    const second = await startInstance(dataDir, '');
    try {
      expect(await second.stores.store.listMnpOverrides()).toEqual([fromFile[1], fromFile[0]]);
      expect(second.logged).toEqual([
        `warn: ${join(dataDir, OVERRIDES_FILE)} is not used: the store already holds MNP overrides ` +
          '(remove or rename the file)',
      ]);
      expect(existsSync(join(dataDir, OVERRIDES_FILE))).toBe(true);
    } finally {
      await second.close();
    }
  });

  it('`numinfo mnp import` prunes a superseded override from the store, and the running server follows', async () => {
    assertBuilt();
    const dataDir = tempDir('mnpstore-cli');
    const server = await startInstance(dataDir, '');
    try {
      // N will be ported in 2030, after its override was set: superseded. N2's port is older: kept.
      expect((await put(server, N, { operator: 'MEGAFON' })).status).toBe(200);
      expect((await put(server, N2, { operator: 'MEGAFON' })).status).toBe(200);
      const kept = (await server.stores.store.listMnpOverrides()).find((o) => o.number === N2);
      const dump = join(tempDir('mnpstore-dump'), 'Port_All_203001011200_1.csv');
      writeFileSync(
        dump,
        [
          'Number,OwnerId,MNC,Route,RegionCode,PortDate,RowCount',
          `${N},mBEELINE,99,D7799,77,2030-01-01T12:30:00+03:00,2`,
          `${N2},mBEELINE,99,D7799,77,2020-01-01T12:30:00+03:00,`,
        ].join('\n') + '\n',
      );

      const cli = await runCli(['mnp', 'import', dump, '--data-dir', dataDir, '--quiet']);
      expect(cli.stderr).toBe('');
      expect(cli.code).toBe(0);
      expect(await server.stores.store.listMnpOverrides()).toEqual([kept]);
      // The server has no MNP watch running here; the store's change (data_version) alone reloads it.
      await waitFor(
        'the server drops the pruned override',
        () => (server.mnp.overrideList.length === 1 ? true : undefined),
        2000,
      );
      expect(server.mnp.overrideList).toEqual([kept]);
      expect(await operatorOf(server, N2)).toEqual(MEGAFON);

      // `numinfo lookup` without the server applies the overrides the store holds.
      await updateRegistry({ source: writeRegistryDir(tempDir('mnpstore-cli-src')), dataDir });
      const look = await runCli(['lookup', `+7${N2}`, '--json', '--data-dir', dataDir]);
      expect(look.code, look.stderr).toBe(0);
      const [found] = JSON.parse(look.stdout) as { operator: Operator; ported: boolean }[];
      expect(found).toMatchObject({ operator: MEGAFON, ported: true });
    } finally {
      await server.close();
    }
  });

  it('`numinfo mnp import` without a store file creates none (overrides stay in the file)', async () => {
    assertBuilt();
    const dataDir = tempDir('mnpstore-nostore');
    const dump = join(tempDir('mnpstore-dump'), 'Port_All_203001011200_1.csv');
    writeFileSync(
      dump,
      'Number,OwnerId,MNC,Route,RegionCode,PortDate,RowCount\n' +
        `${N},mBEELINE,99,D7799,77,2030-01-01T12:30:00+03:00,1\n`,
    );
    const cli = await runCli(['mnp', 'import', dump, '--data-dir', dataDir, '--quiet']);
    expect(cli.code).toBe(0);
    expect(existsSync(join(dataDir, 'numinfo.db'))).toBe(false);
  });
});

if (!PG) {
  console.warn(`PostgreSQL MNP override tests skipped: ${pgSkipReason()}`);
  describe.skip(`MNP overrides in a PostgreSQL store (skipped: ${pgSkipReason()})`, () => {
    it('needs a PostgreSQL server', () => undefined);
  });
} else {
  const base = PG;
  describe('MNP overrides in a PostgreSQL store', () => {
    let url = '';
    beforeAll(() => {
      url = freshSchemaUrl(base);
    });
    // NOTIFY arrives within milliseconds; 2 s is the same bound as SQLite's.
    twoInstances(() => url, 2000);
  });
}
