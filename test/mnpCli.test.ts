/**
 * `numinfo mnp` and the MNP fields of `numinfo lookup` as child processes: generate a dump, import
 * it, inspect it, look a ported number up, and refuse broken input with the catalogue's exit codes.
 * The registry comes from ../shared/registry/combined (or, without it, generated files); what a
 * number must show is worked out from the generator's samples (the same options and seed write the
 * same bytes in-process) and the registry snapshot.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LookupResult, Operator } from '../src/core/types.js';
import {
  generateMnp,
  homeOperator,
  mnpGenerateOptions,
  type GeneratedMnp,
  type MnpSample,
} from '../src/data/mnp/generate.js';
import { mnpDeltaPath, mnpPath } from '../src/data/mnp/mnpImport.js';
import { KNOWN_MNP_OPERATORS } from '../src/data/mnp/operators.js';
import { RegistryIndex } from '../src/data/registryIndex.js';
import { snapshotPath } from '../src/data/registryUpdate.js';
import { readSnapshotFile } from '../src/data/snapshot.js';
import { csvText, row, writeRegistryDir } from './helpers/registryData.js';
import { assertBuilt, removeTempDirs, runCli, SHARED_COMBINED, tempDir } from './helpers/proc.js';

const REAL = existsSync(SHARED_COMBINED);

let dataDir: string;
let dumpDir: string;
let registry: RegistryIndex;
/** What `mnp generate --count 5000 --days 1` writes, generated again in-process for its samples. */
let gen: GeneratedMnp;

const innOf = (code: string): string => KNOWN_MNP_OPERATORS.find((k) => k.code === code)!.inn;

function holderOf(number: string): Operator | null {
  const i = registry.find(+number.slice(0, 3), +number.slice(3));
  if (i < 0) return null;
  const o = registry.operatorOf(i);
  return { name: o.name, inn: o.inn };
}

/** A sample of `kind` that the registry holds and that really moved away from its range holder. */
function portedSample(kind: MnpSample['kind']): MnpSample {
  const s = gen.samples.find((x) => {
    const holder = x.owner === null ? null : holderOf(x.number);
    return x.kind === kind && holder !== null && holder.inn !== innOf(x.owner!);
  });
  if (!s) throw new Error(`no ported ${kind} sample in the registry`);
  return s;
}

function mnp(...args: string[]) {
  return runCli(['mnp', ...args, '--data-dir', dataDir]);
}

beforeAll(async () => {
  assertBuilt();
  let source = SHARED_COMBINED;
  if (!REAL) {
    console.warn(
      `\n[mnpCli.test] ${SHARED_COMBINED} is missing: using a generated registry whose DEF ranges are ` +
        'held by the generator model’s home operators.\n',
    );
    const def: string[] = [];
    for (let code = 900; code <= 999; code++) {
      const home = homeOperator(code);
      const k = KNOWN_MNP_OPERATORS.find((o) => o.code === home);
      if (k) def.push(row(code, 0, 9_999_999, k.name, '-', 'Город Москва', k.inn));
    }
    source = writeRegistryDir(tempDir('mnpcli-src'), { 'DEF-9xx.csv': csvText(def) });
  }
  dataDir = tempDir('mnpcli-data');
  dumpDir = join(tempDir('mnpcli-dump'), 'dump');
  const [update, again] = await Promise.all([
    runCli(['update', '--source', source, '--data-dir', dataDir, '--quiet']),
    generateMnp(mnpGenerateOptions({ out: tempDir('mnpcli-same'), count: '5000', days: '1' })),
  ]);
  if (update.code !== 0) throw new Error(`numinfo update failed (${update.code}): ${update.stderr}`);
  gen = again;
  registry = new RegistryIndex(readSnapshotFile(snapshotPath(dataDir)));
});

afterAll(() => removeTempDirs());

// The tests build on each other: generate, import, inspect, look up, then try to break it.
describe('numinfo mnp', () => {
  let version = '';
  let files: string[] = [];
  let infoJson: unknown;

  it('mnp info before any import: exit 4, says how to import', async () => {
    const r = await mnp('info');
    expect(r.code).toBe(4);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `numinfo: no MNP data at ${mnpPath(dataDir)}; run \`numinfo mnp import FILE...\`\n`,
    );
  });

  it('mnp generate --out DIR --count 5000 --days 1: exit 0, every file listed, the same bytes as in-process', async () => {
    const r = await runCli(['mnp', 'generate', '--out', dumpDir, '--count', '5000', '--days', '1']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    const names = gen.parts.map((p) => p.file.split('/').pop()!);
    expect(names.map((n) => n.replace(/\d{12}/, 'TS'))).toEqual([
      'Operators_TS.csv',
      'Port_All_TS_001.csv',
      'Port_Increment_TS.csv',
      'Return_Increment_TS.csv',
    ]);
    expect(lines.slice(0, -1)).toEqual(
      gen.parts.map((p, i) => `${join(dumpDir, names[i]!)}\t${p.kind}\t${p.rows} rows`),
    );
    const c = gen.counts;
    expect(c.full).toBe(5000);
    expect(c.ports + c.reports).toBe(10);
    expect(c.returns).toBe(2);
    expect(lines.at(-1)).toMatch(
      new RegExp(
        `^5000 ported numbers in the full list; over 1 days ${c.ports} ported, ${c.reports} ported again, ` +
          `2 returned: ${c.final} at the end \\(\\d+\\.\\d s\\)$`,
      ),
    );
    expect(readdirSync(dumpDir).sort()).toEqual([...names].sort());
    for (const [i, name] of names.entries()) {
      expect(readFileSync(join(dumpDir, name)).equals(readFileSync(gen.parts[i]!.file)), name).toBe(true);
    }
    files = readdirSync(dumpDir)
      .sort()
      .map((n) => join(dumpDir, n));
  });

  it('mnp import DIR/*: exit 0, one line with the count; a line per file on stderr', async () => {
    const r = await mnp('import', ...files);
    expect(r.code).toBe(0);
    const m = /^MNP (\S+): (\d+) ported numbers, written to (.+) in \d+\.\d s\n$/.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    version = m![1]!;
    expect(+m![2]!).toBe(gen.counts.final);
    expect(m![3]).toBe(mnpPath(dataDir));
    expect(r.stderr).toBe(
      gen.parts.map((p) => `  ${p.file.split('/').pop()}: ${p.kind}, ${p.rows} rows, 0 rejected\n`).join(''),
    );
  });

  it('mnp info and mnp info --json: the exact counts and sources', async () => {
    const [text, json] = await Promise.all([mnp('info'), mnp('info', '--json')]);
    expect(text.code).toBe(0);
    expect(json.code).toBe(0);
    infoJson = JSON.parse(json.stdout);
    const sources = gen.parts.map((p) => ({
      file: p.file.split('/').pop(),
      kind: p.kind,
      rows: p.rows,
      rejected: 0,
    }));
    expect(infoJson).toEqual({
      path: mnpPath(dataDir),
      version,
      builtAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      // The increment's day: the day the full list was taken (the generator's default, 2025-06-02).
      dataDate: '2025-06-02',
      numbers: gen.counts.final,
      sources,
    });
    const builtAt = (infoJson as { builtAt: string }).builtAt;
    expect(text.stdout).toBe(
      [
        `snapshot:  ${mnpPath(dataDir)}`,
        `version:   ${version}`,
        'data date: 2025-06-02',
        `built at:  ${builtAt}`,
        `numbers:   ${gen.counts.final}`,
        'sources:',
        ...sources.map((s) => `  ${s.file}: ${s.kind}, ${s.rows} rows, 0 rejected`),
      ].join('\n') + '\n',
    );
  });

  it('lookup --json of ported numbers: current operator, range holder, date, MNC, route', async () => {
    const samples = [portedSample('full'), portedSample('ported')];
    const r = await runCli([
      'lookup',
      ...samples.map((s) => '8' + s.number),
      '--json',
      '--data-dir',
      dataDir,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const results = JSON.parse(r.stdout) as LookupResult[];
    expect(results).toHaveLength(2);
    for (const [i, s] of samples.entries()) {
      const inn = innOf(s.owner!);
      const current = registry.operatorByInn(inn);
      expect(results[i], s.number).toMatchObject({
        national: s.number,
        valid: true,
        operator: { name: current!.name, inn },
        range_operator: holderOf(s.number),
        ported: true,
        ported_at: s.day,
        mnc: s.mnc,
        route: s.route,
      });
    }
  });

  it('lookup shows a PORTED FROM column with the range holder and date, only when something was ported', async () => {
    const s = portedSample('full');
    const holder = holderOf(s.number)!;
    const current = registry.operatorByInn(innOf(s.owner!))!;
    const returned = gen.samples.find((x) => x.kind === 'returned' && holderOf(x.number) !== null);
    expect(returned).toBeDefined();
    const [r, plain] = await Promise.all([
      runCli(['lookup', '+7' + s.number, '--data-dir', dataDir]),
      runCli(['lookup', returned!.number, '--data-dir', dataDir]),
    ]);
    expect(r.code).toBe(0);
    const [header, line] = r.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^INPUT\s+E164\s+COUNTRY\s+TYPE\s+OPERATOR\s+PORTED FROM\s+REGION\s+TIME ZONE$/);
    const at = header!.indexOf('PORTED FROM');
    expect([...line!].slice([...header!.slice(0, at)].length).join('')).toMatch(
      new RegExp(`^${escape(`${holder.name} (${s.day})`)}\\s`),
    );
    expect(line).toContain(current.name);

    // A number back at its range holder: no porting column at all.
    expect(plain.code).toBe(0);
    expect(plain.stdout).not.toContain('PORTED FROM');
    expect(plain.stdout).toContain(holderOf(returned!.number)!.name);
  });

  it('mnp import of a truncated file: exit 6, says why, the data is kept', async () => {
    const bad = join(tempDir('mnpcli-bad'), 'Port_Increment_203001011200.csv');
    const s = portedSample('full');
    writeFileSync(
      bad,
      'NPId,Number,RecipientId,DonorId,RangeHolderId,OldRoute,NewRoute,OldMNC,NewMNC,RegionCode,PortDate,RowCount\n' +
        `900000001,${s.number},mMTS,mRTK,mRTK,D7739,D7701,39,01,77,2030-01-01T12:00:00+03:00,3\n`,
    );
    const garbage = join(tempDir('mnpcli-bad'), 'numbers.csv');
    writeFileSync(garbage, 'hello,world\n');
    const [r, g] = await Promise.all([mnp('import', bad), mnp('import', garbage)]);
    expect(r.code).toBe(6);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      '  Port_Increment_203001011200.csv: increment, 1 rows, 0 rejected\n' +
        'numinfo: MNP import rejected, current data kept:\n' +
        '  - Port_Increment_203001011200.csv: RowCount says 3 rows, the file has 1 (truncated or damaged)\n',
    );
    expect(g.code).toBe(6);
    expect(g.stderr).toBe(
      'numinfo: numbers.csv: not a known MNP layout (Port_All, Port_All_Full, Port_Increment, ' +
        'Return_Increment, Operators, or number;operator)\n',
    );
    const info = await mnp('info', '--json');
    expect(info.code).toBe(0);
    expect(JSON.parse(info.stdout)).toEqual(infoJson);
  });

  it('mnp import of an increment writes mnp-delta.snap; mnp info shows the merged data, base and delta', async () => {
    const day = gen.parts.filter((p) => p.kind === 'increment' || p.kind === 'return').map((p) => p.file);
    const r = await mnp('import', '--quiet', ...day);
    expect(r.code).toBe(0);
    const m = /^MNP (\S+): (\d+) ported numbers \(was (\d+)\), written to (.+) in \d+\.\d s\n$/.exec(
      r.stdout,
    );
    expect(m, r.stdout).not.toBeNull();
    // The same day again: the same numbers.
    expect(+m![2]!).toBe(gen.counts.final);
    expect(+m![3]!).toBe(gen.counts.final);
    expect(m![4]).toBe(mnpDeltaPath(dataDir));
    const [text, json] = await Promise.all([mnp('info'), mnp('info', '--json')]);
    const info = JSON.parse(json.stdout) as Record<string, unknown>;
    expect(info).toMatchObject({
      path: mnpPath(dataDir),
      version: m![1],
      numbers: gen.counts.final,
      base: { version, numbers: gen.counts.final },
      delta: { path: mnpDeltaPath(dataDir), applied: true, base: version },
    });
    expect(text.stdout).toContain(`numbers:   ${gen.counts.final}\n`);
    expect(text.stdout).toMatch(
      new RegExp(`\\nbase: +${escape(version)}, ${gen.counts.final} numbers, built at `),
    );
    expect(text.stdout).toContain(`\ndelta:     ${mnpDeltaPath(dataDir)}: `);
  });
});

// Usage errors and help touch no data: these run at once.
describe.concurrent('numinfo mnp usage', () => {
  it.each([
    {
      what: 'import with no files',
      args: ['import'],
      stderr: 'numinfo: give the files: numinfo mnp import FILE...\n',
    },
    {
      what: 'an unknown subcommand',
      args: ['frobnicate'],
      stderr: 'numinfo mnp: unknown subcommand "frobnicate"\n',
    },
    { what: 'an unknown option', args: ['info', '--bogus'], stderr: "numinfo mnp: Unknown option '--bogus'" },
    { what: 'no subcommand', args: [], stderr: '' },
    { what: 'generate without --out', args: ['generate'], stderr: 'numinfo: --out DIR is required\n' },
  ])('$what: exit 2', async ({ args, stderr }) => {
    const r = await runCli(['mnp', ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr.startsWith(stderr), r.stderr).toBe(true);
    if (args.length === 0) expect(r.stdout).toContain('numinfo mnp import FILE...');
  });

  it('mnp --help: exit 0, the usage on stdout', async () => {
    const r = await runCli(['mnp', '--help']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^numinfo mnp — ported numbers/);
    for (const sub of [
      'numinfo mnp import FILE...',
      'numinfo mnp info [--json]',
      'numinfo mnp generate --out DIR',
    ])
      expect(r.stdout).toContain(sub);
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
