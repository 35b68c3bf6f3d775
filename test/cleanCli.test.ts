/**
 * `numinfo clean` as a child process (the built dist/cli/main.js) over a snapshot made by
 * `numinfo update` from ../shared/registry/combined, or, without it, from generated files that hold
 * the same МГТС range 499-1660022…1673188. Arguments or one string per line on stdin; `--json` or
 * a table; exit code 0 when every string held a number recognized with confidence (qc 0 or 7), 3
 * otherwise.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CleanView } from '../src/services/cleanView.js';
import { writeRegistryDir } from './helpers/registryData.js';
import {
  assertBuilt,
  CLI,
  cleanEnv,
  removeTempDirs,
  ROOT,
  runCli,
  SHARED_COMBINED,
  tempDir,
  type CliResult,
} from './helpers/proc.js';

const REAL = existsSync(SHARED_COMBINED);

let dataDir: string;

beforeAll(async () => {
  assertBuilt();
  let source = SHARED_COMBINED;
  if (!REAL) {
    console.warn(
      `\n[cleanCli.test] ${SHARED_COMBINED} is missing: using a small generated registry; ` +
        'the answers that need real data are skipped.\n',
    );
    source = writeRegistryDir(tempDir('clean-cli-src'));
  }
  dataDir = tempDir('clean-cli-data');
  const r = await runCli(['update', '--source', source, '--data-dir', dataDir, '--quiet']);
  if (r.code !== 0) throw new Error(`numinfo update failed (${r.code}): ${r.stderr}`);
});

afterAll(() => removeTempDirs());

/** `numinfo clean ARGS` with `stdin` written to its standard input. */
function cleanWithStdin(args: readonly string[], stdin: string): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, 'clean', ...args, '--data-dir', dataDir], {
      cwd: ROOT,
      env: cleanEnv(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
    child.stdin.end(stdin);
  });
}

const clean = (...args: string[]): Promise<CliResult> => runCli(['clean', ...args, '--data-dir', dataDir]);

describe.concurrent('numinfo clean', () => {
  it('"тел. 8(499)166-30-50" --json: the standardized phone and the operator, exit 0', async () => {
    const r = await clean('тел. 8(499)166-30-50', '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const views = JSON.parse(r.stdout) as CleanView[];
    expect(views).toHaveLength(1);
    expect(views[0]).toMatchObject({
      source: 'тел. 8(499)166-30-50',
      qc: 0,
      qc_conflict: 0,
      e164: '+74991663050',
      phone: '+7 499 166-30-50',
      extension: null,
      restored_zone: false,
      kind: 'Стационарный',
      code: '499',
      subscriber: '1663050',
      operator: { name: 'ПАО "МГТС"', inn: '7710016640' },
      region: { name: 'Москва', code: '77' },
      timezone: { utc: 'UTC+3' },
    });
    expect(views[0]!.numbers).toHaveLength(1);
  });

  it('the table shows the phone, type, operator and qc of every string, one row each', async () => {
    const r = await clean('тел. 8(499)166-30-50', 'раб. 8 (499) 166-30-50 доб. 12');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^SOURCE\s+QC\s+PHONE\s+TYPE\s+OPERATOR\s+REGION\s+TIME ZONE\s+NOTE$/);
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain('+7 499 166-30-50');
    expect(lines[1]).toContain('Стационарный');
    expect(lines[1]).toContain('ПАО "МГТС"');
    expect(lines[1]).toContain('UTC+3');
    expect(lines[2]).toContain('+7 499 166-30-50 доб. 12');
  });

  it('stdin: one string per line, answered in order; CRLF line ends are not part of the strings', async () => {
    const r = await cleanWithStdin(['--json'], 'тел. 8(499)166-30-50\r\n+44 20 7946 0958\r\n');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const views = JSON.parse(r.stdout) as CleanView[];
    expect(views.map((v) => [v.source, v.qc, v.phone])).toEqual([
      ['тел. 8(499)166-30-50', 0, '+7 499 166-30-50'],
      ['+44 20 7946 0958', 7, '+44 20 7946 0958'],
    ]);
    expect(views[1]!.country?.iso).toBe('GB');
  });

  it('stdin with a table: every line gets a row; a garbage line makes the exit code 3', async () => {
    const r = await cleanWithStdin([], '8 (499) 166-30-50\nqwerty\n');
    expect(r.code).toBe(3);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain('+7 499 166-30-50');
    expect(lines[2]).toMatch(/^qwerty\s+2\b/);
  });

  it('exit code 3 when any string is not confident: garbage (2), restored zone (1), several numbers (3)', async () => {
    for (const [input, qc] of [
      ['qwerty', 2],
      ['1663050', 1],
      ['8 (499) 166-30-50, 8 (499) 166-30-51', 3],
    ] as const) {
      const r = await clean('8 (499) 166-30-50', input, '--json');
      expect(r.code, input).toBe(3);
      const views = JSON.parse(r.stdout) as CleanView[];
      expect(
        views.map((v) => v.qc),
        input,
      ).toEqual([0, qc]);
    }
  });

  it('a string over 1000 characters is answered as INPUT_TOO_LONG, exit 3', async () => {
    const r = await clean('1'.repeat(1001), '--json');
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout)).toMatchObject([{ error: 'INPUT_TOO_LONG', qc: 2, phone: null }]);
  });
});

describe.skipIf(!REAL).concurrent('numinfo clean over the real registry', () => {
  it('a foreign number alone is confident too: exit 0, qc 7', async () => {
    const r = await clean('+44 20 7946 0958', '8 (912) 345-67-89 доб. 12', '--json');
    expect(r.code).toBe(0);
    const views = JSON.parse(r.stdout) as CleanView[];
    expect(views.map((v) => [v.qc, v.phone])).toEqual([
      [7, '+44 20 7946 0958'],
      [0, '+7 912 345-67-89 доб. 12'],
    ]);
  });

  it('--hint ranks a restored zone: 2316014 with --hint Самара is Самара, the table notes the restoration', async () => {
    const r = await clean('2316014', '--hint', 'Самара');
    expect(r.code).toBe(3);
    const row = r.stdout.trimEnd().split('\n')[1]!;
    expect(row).toContain('+7 846 231-60-14');
    expect(row).toContain('ООО "СИПАУТНЭТ"');
    expect(row).toContain('UTC+4');
    expect(row).toMatch(/zone restored, \d+ variants/);
    const plain = await clean('2316014', '--json');
    expect((JSON.parse(plain.stdout) as CleanView[])[0]!.phone).toBe('+7 475 231-60-14');
  });
});
