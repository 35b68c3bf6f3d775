/**
 * `numinfo lookup` and `numinfo info` as child processes over a snapshot made by `numinfo update`
 * from ../shared/registry/combined (or, without it, from generated files).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LookupResult } from '../src/core/types.js';
import { snapshotPath } from '../src/data/registryUpdate.js';
import { GOOD_COUNTS, writeRegistryDir } from './helpers/registryData.js';
import { assertBuilt, removeTempDirs, runCli, SHARED_COMBINED, tempDir } from './helpers/proc.js';

// Every test only reads the shared snapshot or uses its own temp dir, so the child processes run concurrently.
const REAL = existsSync(SHARED_COMBINED);
const ROWS = REAL ? 394864 : GOOD_COUNTS.rows;

let dataDir: string;
let version: string;

beforeAll(async () => {
  assertBuilt();
  let source = SHARED_COMBINED;
  if (!REAL) {
    console.warn(`\n[cli.test] ${SHARED_COMBINED} is missing: using a small generated registry instead.\n`);
    source = writeRegistryDir(tempDir('cli-src'));
  }
  dataDir = tempDir('cli-data');
  const r = await runCli(['update', '--source', source, '--data-dir', dataDir, '--quiet']);
  if (r.code !== 0) throw new Error(`numinfo update failed (${r.code}): ${r.stderr}`);
  version = /^Registry (\S+):/.exec(r.stdout)![1]!;
});

afterAll(() => removeTempDirs());

const RU = { iso: 'RU', calling_code: '7', name_ru: 'Россия', name_en: 'Russia', flag: '🇷🇺' };
const GB = {
  iso: 'GB',
  calling_code: '44',
  name_ru: 'Великобритания',
  name_en: 'United Kingdom',
  flag: '🇬🇧',
};

describe.concurrent('numinfo lookup', () => {
  it('--json answers every number with exact operator and country fields', async () => {
    const r = await runCli(['lookup', '89001234567', '+442079460958', '--json', '--data-dir', dataDir]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [ru, gb] = JSON.parse(r.stdout) as LookupResult[];
    expect(ru).toMatchObject({
      input: '89001234567',
      valid: true,
      error: null,
      e164: '+79001234567',
      national: '9001234567',
      type: 'mobile',
      code: '900',
      code_kind: 'DEF',
      subscriber: '1234567',
      operator: { name: 'ООО "Т2 Мобайл"', inn: '7743895280' },
      region: { name: REAL ? 'Ростовская область' : 'Краснодарский край' },
      carrier: null,
      timezone: { iana: 'Europe/Moscow', utc: 'UTC+3', msk: 'MSK+0' },
      data: { version },
    });
    expect(ru!.country).toStrictEqual(RU);
    expect(gb).toMatchObject({
      input: '+442079460958',
      valid: true,
      error: null,
      e164: '+442079460958',
      national: '2079460958',
      type: 'fixed',
      operator: null,
      code: null,
      location: 'London',
      timezone: { iana: 'Europe/London', utc: 'UTC+0' },
      data: { version },
    });
    expect(gb!.country).toStrictEqual(GB);
  });

  it('the table has a header and the operator, place and zone of each number', async () => {
    const r = await runCli(['lookup', '89001234567', '+442079460958', '--data-dir', dataDir]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^INPUT\s+E164\s+COUNTRY\s+TYPE\s+OPERATOR\s+REGION\s+TIME ZONE$/);
    expect(lines[1]).toMatch(/^89001234567\s+\+79001234567\s+🇷🇺 RU\s+mobile\s+ООО "Т2 Мобайл"\s+/);
    expect(lines[1]).toContain('UTC+3 Europe/Moscow');
    expect(lines[2]).toMatch(
      /^\+442079460958\s+\+442079460958\s+🇬🇧 GB\s+fixed\s+London\s+UTC\+0 Europe\/London$/,
    );
  });

  it('the Moscow and Samara numbers in the table', async () => {
    const r = await runCli(['lookup', '+7 (499) 166-30-50', '+7 846 231-60-14', '--data-dir', dataDir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ПАО "МГТС"');
    expect(r.stdout).toContain('ООО "СИПАУТНЭТ"');
    expect(r.stdout).toContain('г. Самара, Самарская область');
    expect(r.stdout).toContain('UTC+4 Europe/Samara');
  });

  it('`lookup abc` → exit 2, the row says NOT_A_NUMBER', async () => {
    const r = await runCli(['lookup', 'abc', '--data-dir', dataDir]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('NOT_A_NUMBER');
    const j = await runCli(['lookup', 'abc', '--json', '--data-dir', dataDir]);
    expect(j.code).toBe(2);
    expect((JSON.parse(j.stdout) as LookupResult[])[0]).toMatchObject({
      input: 'abc',
      valid: false,
      error: 'NOT_A_NUMBER',
    });
  });

  it('a number not in the plan → exit 3; the worst answer decides the exit code', async () => {
    const r = await runCli(['lookup', '73400000000', '--json', '--data-dir', dataDir]);
    expect(r.code).toBe(3);
    expect((JSON.parse(r.stdout) as LookupResult[])[0]?.error).toBe('NOT_IN_PLAN');
    const mixed = await runCli(['lookup', '89001234567', 'abc', '--data-dir', dataDir]);
    expect(mixed.code).toBe(2);
  });

  it('no number at all → exit 2 with a hint', async () => {
    const r = await runCli(['lookup', '--data-dir', dataDir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('numinfo: give at least one number');
  });

  it('NUMINFO_DATA_DIR is honoured', async () => {
    const r = await runCli(['lookup', '89001234567', '--json'], { env: { NUMINFO_DATA_DIR: dataDir } });
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as LookupResult[])[0]?.data?.version).toBe(version);
  });

  it('without a snapshot: a warning naming `numinfo update`, Russian numbers exit 4, international ones still work', async () => {
    const empty = tempDir('cli-empty');
    const ru = await runCli(['lookup', '89001234567', '--json', '--data-dir', empty]);
    expect(ru.code).toBe(4);
    expect(ru.stderr).toContain(`numinfo: no registry snapshot at ${snapshotPath(empty)}`);
    expect(ru.stderr).toContain('numinfo update');
    expect((JSON.parse(ru.stdout) as LookupResult[])[0]?.error).toBe('REGISTRY_NOT_LOADED');
    const gb = await runCli(['lookup', '+442079460958', '--json', '--data-dir', empty]);
    expect(gb.code).toBe(0);
    expect((JSON.parse(gb.stdout) as LookupResult[])[0]).toMatchObject({
      country: { iso: 'GB' },
      location: 'London',
    });
  });
});

describe.concurrent('numinfo info', () => {
  it('prints the snapshot summary', async () => {
    const r = await runCli(['info', '--data-dir', dataDir]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`snapshot:   ${snapshotPath(dataDir)}\n`);
    expect(r.stdout).toContain(`version:    ${version}\n`);
    expect(r.stdout).toMatch(
      new RegExp(`^ranges: {5}${ROWS} \\(ABC-3xx \\d+, ABC-4xx \\d+, ABC-8xx \\d+, DEF-9xx \\d+\\)$`, 'm'),
    );
    expect(r.stdout).toMatch(/^operators: {2}\d+$/m);
    expect(r.stdout).toMatch(/^sources:\n( {2}\S+\.csv: .+ rows, \d+ rejected\n){4}$/m);
    if (REAL) {
      expect(r.stdout).toContain(
        'ranges:     394864 (ABC-3xx 57581, ABC-4xx 244598, ABC-8xx 75626, DEF-9xx 17059)\n',
      );
      expect(r.stdout).toContain('  DEF-9xx.csv: 8 columns, header, utf-8-bom, 17059 rows, 0 rejected\n');
      expect(r.stdout).toContain(
        '  Kody_ABC-4kh.csv: 6 columns, no header, utf-8, 244598 rows, 0 rejected\n',
      );
    }
  });

  it('--json prints the snapshot meta', async () => {
    const r = await runCli(['info', '--json', '--data-dir', dataDir]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(j).toMatchObject({ snapshot: snapshotPath(dataDir), version, rows: ROWS, overlapsDropped: 0 });
    expect(Object.keys(j).sort()).toEqual(
      [
        'builtAt',
        'dataDate',
        'groups',
        'operators',
        'overlapsDropped',
        'rows',
        'snapshot',
        'sources',
        'territories',
        'version',
      ].sort(),
    );
    if (REAL) {
      expect(j.groups).toStrictEqual({ '3': 57581, '4': 244598, '8': 75626, '9': 17059 });
      expect(j.operators).toBe(1853);
    }
  });

  it('with an empty data dir → exit 4 and a message mentioning `numinfo update`', async () => {
    const empty = tempDir('cli-info-empty');
    const r = await runCli(['info', '--data-dir', empty]);
    expect(r.code).toBe(4);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `numinfo: no snapshot at ${snapshotPath(empty)}; run \`numinfo update\` to create it\n`,
    );
  });

  it('a damaged snapshot → exit 7 (SNAPSHOT_INVALID) for info and lookup', async () => {
    const dir = tempDir('cli-damaged');
    writeFileSync(join(dir, 'registry.snap'), 'NUMINFO\u0000 this is not a snapshot at all');
    const info = await runCli(['info', '--data-dir', dir]);
    expect(info.code).toBe(7);
    expect(info.stderr).toMatch(/^numinfo: snapshot is not usable: /);
    const lookup = await runCli(['lookup', '89001234567', '--data-dir', dir]);
    expect(lookup.code).toBe(7);
  });
});

describe.concurrent('usage errors', () => {
  it('an unknown command → exit 2 with the usage', async () => {
    const r = await runCli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('numinfo: unknown command "frobnicate"');
    expect(r.stderr).toContain('Usage:');
    expect(r.stderr).toContain('numinfo lookup NUMBER...');
  });

  it('no command → exit 2 with the usage; --help → exit 0', async () => {
    const none = await runCli([]);
    expect(none.code).toBe(2);
    expect(none.stdout).toContain('Usage:');
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage:');
  });

  it('an unknown option → exit 2', async () => {
    const r = await runCli(['info', '--frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^numinfo: Unknown option '--frobnicate'/);
    expect(r.stderr).toContain('Usage:');
  });

  it('a bad setting → exit 2 (CONFIG_INVALID) naming it', async () => {
    const r = await runCli(['info', '--data-dir', dataDir], { env: { NUMINFO_BATCH_LIMIT: 'lots' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('numinfo: config batchLimit="lots": must be a non-negative integer');
  });
});
