/**
 * `numinfo serve` as a child process: starting offline without Russian data, picking up a snapshot
 * that `numinfo update` writes from another process, and the first-start download.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshotPath } from '../src/data/registryUpdate.js';
import {
  csvText,
  DEF_ROWS,
  FILE_NAMES,
  GOOD_COUNTS,
  GOOD_DATE,
  GOOD_FILES,
  row,
  writeRegistryDir,
} from './helpers/registryData.js';
import {
  assertBuilt,
  CLI,
  cleanEnv,
  freePort,
  removeTempDirs,
  ROOT,
  runCli,
  stopChild,
  tempDir,
  waitFor,
} from './helpers/proc.js';

interface Served {
  readonly child: ChildProcess;
  readonly base: string;
  /** stdout lines (pino JSON) and stderr lines, as they arrive. */
  readonly lines: string[];
  readonly stderr: string[];
}

const children: ChildProcess[] = [];

async function serve(env: Record<string, string>): Promise<Served> {
  const port = await freePort();
  const child = spawn(process.execPath, [CLI, 'serve'], {
    cwd: ROOT,
    env: cleanEnv({ NUMINFO_PORT: String(port), NUMINFO_HOST: '127.0.0.1', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const lines: string[] = [];
  const stderr: string[] = [];
  const collect = (into: string[]) => {
    let rest = '';
    return (s: string): void => {
      const parts = (rest + s).split('\n');
      rest = parts.pop() ?? '';
      into.push(...parts);
    };
  };
  child.stdout!.setEncoding('utf8').on('data', collect(lines));
  child.stderr!.setEncoding('utf8').on('data', collect(stderr));
  const base = `http://127.0.0.1:${port}`;
  await waitFor(
    'the server to listen',
    async () => {
      if (child.exitCode !== null)
        throw new Error(`serve exited with ${child.exitCode}: ${stderr.join('\n')}`);
      return (await fetch(base + '/healthz')).ok ? true : undefined;
    },
    10_000,
    50,
  );
  return { child, base, lines, stderr };
}

interface Health {
  status: 'ok' | 'degraded';
  registry: { loaded: boolean; version: string | null; rows: number; message?: string };
  firstStart: { state: string; error?: string };
}

async function health(s: Served): Promise<Health> {
  return (await (await fetch(s.base + '/healthz')).json()) as Health;
}

async function getJson(s: Served, path: string): Promise<{ status: number; json: unknown }> {
  const res = await fetch(s.base + path);
  return { status: res.status, json: await res.json() };
}

function logMessages(s: Served): { level: number; msg: string }[] {
  return s.lines.flatMap((l) => {
    try {
      const j = JSON.parse(l) as { level?: number; msg?: string };
      return typeof j.msg === 'string' ? [{ level: j.level ?? 0, msg: j.msg }] : [];
    } catch {
      return [];
    }
  });
}

const V1_T2 = {
  code: '900',
  num: '0000000',
  full_num: '9000000000',
  operator: 'ООО "Т2 Мобайл"',
  old_operator: null,
  region: 'Краснодарский край',
};

let closedPort: number;

beforeAll(async () => {
  assertBuilt();
  closedPort = await freePort();
});

afterAll(async () => {
  await Promise.all(children.map((c) => stopChild(c)));
  removeTempDirs();
});

describe('serve offline with an empty data dir', () => {
  const dataDir = tempDir('serve-offline');
  let s: Served;

  beforeAll(async () => {
    s = await serve({
      NUMINFO_DATA_DIR: dataDir,
      NUMINFO_REGISTRY_SOURCE: `http://127.0.0.1:${closedPort}/`,
    });
  });

  it('starts, fails the first-start download, and says so once, with how to load the data', async () => {
    const h = await waitFor('the first start to fail', async () => {
      const x = await health(s);
      return x.firstStart.state === 'failed' ? x : undefined;
    });
    expect(h).toMatchObject({
      status: 'degraded',
      registry: { loaded: false, version: null, rows: 0, message: expect.stringContaining('numinfo update') },
      firstStart: {
        state: 'failed',
        error: expect.stringContaining(`cannot download http://127.0.0.1:${closedPort}/ABC-3xx.csv`),
      },
    });
    const missing = logMessages(s).filter((m) => /Russian registry data is missing/.test(m.msg));
    expect(missing, s.lines.join('\n')).toHaveLength(1);
    expect(missing[0]!.level).toBe(40); // warn
    expect(missing[0]!.msg).toContain('Load it with: numinfo update --source');
    expect(missing[0]!.msg).not.toContain('\n');
    expect(s.stderr.join('')).toBe('');
  });

  it('answers international numbers, and Russian ones with 503', async () => {
    const v2 = await getJson(s, '/get/v2/?num=442079460958');
    expect(v2.status).toBe(200);
    expect(v2.json).toMatchObject({ cns: '442079460958', flag_iso: 'GB', location: 'London' });
    const ru = await getJson(s, '/get/?num=79000000000');
    expect(ru.status).toBe(503);
    expect(ru.json).toMatchObject({ code: 'REGISTRY_NOT_LOADED' });
    const native = await getJson(s, '/v1/lookup?number=79000000000');
    expect(native.status).toBe(503);
    // The missing data was announced once at start; a 503 per request is expected, not an error to log.
    await new Promise((r) => setTimeout(r, 100));
    const errors = logMessages(s).filter((m) => m.level >= 50);
    expect(errors, JSON.stringify(errors)).toEqual([]);
  });

  it('picks up the snapshot that `numinfo update` writes from another process', async () => {
    const src = writeRegistryDir(tempDir('serve-src'));
    const u = await runCli(['update', '--source', src, '--data-dir', dataDir, '--quiet']);
    expect(u.code, u.stderr).toBe(0);
    const version = /^Registry (\S+):/.exec(u.stdout)![1]!;
    const answer = await waitFor(
      'the server to load the new snapshot',
      async () => {
        const r = await getJson(s, '/get/?num=79000000000');
        return r.status === 200 ? r : undefined;
      },
      8000,
      100,
    );
    expect(answer.json).toStrictEqual(V1_T2);
    const h = await health(s);
    expect(h.status).toBe('ok');
    expect(h.registry).toMatchObject({ loaded: true, version, rows: GOOD_COUNTS.rows });
    expect(logMessages(s).some((m) => m.msg.startsWith(`registry ${version} loaded: 32 ranges`))).toBe(true);
  });

  it('and a later update again, without a restart', async () => {
    const src = writeRegistryDir(tempDir('serve-src2'), {
      'DEF-9xx.csv': csvText([
        row(900, 0, 99_999, 'ООО "Другой Оператор"', '-', 'Тверская область', '7700000002'),
        ...DEF_ROWS.slice(1),
      ]),
    });
    const u = await runCli(['update', '--source', src, '--data-dir', dataDir, '--quiet']);
    expect(u.code, u.stderr).toBe(0);
    await waitFor(
      'the server to load the second snapshot',
      async () => {
        const r = await getJson(s, '/get/?num=79000000000');
        return (r.json as { operator?: string }).operator === 'ООО "Другой Оператор"' ? r : undefined;
      },
      8000,
      100,
    );
  });

  it('stops cleanly on SIGTERM', async () => {
    const exited = new Promise<number | null>((r) => s.child.once('exit', (code) => r(code)));
    s.child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});

describe('serve with a reachable registry source', () => {
  let http: Server;
  let source: string;
  const requests: string[] = [];

  beforeAll(async () => {
    http = createServer((req, res) => {
      requests.push(req.url ?? '');
      const name = (req.url ?? '').replace(/^\/downloads\//, '');
      const text = (GOOD_FILES as Record<string, string | undefined>)[name];
      if (text === undefined) {
        res.writeHead(404);
        res.end();
        return;
      }
      const bytes = Buffer.from(text);
      res.writeHead(200, {
        'content-type': 'text/csv',
        'content-length': String(bytes.length),
        'last-modified': GOOD_DATE.toUTCString(),
      });
      res.end(bytes);
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    source = `http://127.0.0.1:${(http.address() as AddressInfo).port}/downloads/`;
  });

  afterAll(async () => {
    http.closeAllConnections();
    await new Promise((r) => http.close(r));
  });

  it('downloads on first start, then reports ok and answers Russian numbers', async () => {
    const dataDir = tempDir('serve-online');
    const s = await serve({ NUMINFO_DATA_DIR: dataDir, NUMINFO_REGISTRY_SOURCE: source });
    const h = await waitFor('the first-start download', async () => {
      const x = await health(s);
      return x.firstStart.state === 'done' ? x : undefined;
    });
    expect(h).toMatchObject({
      status: 'ok',
      registry: { loaded: true, rows: GOOD_COUNTS.rows },
      firstStart: { state: 'done' },
    });
    expect(requests).toEqual(FILE_NAMES.map((n) => `/downloads/${n}`));
    expect(existsSync(snapshotPath(dataDir))).toBe(true);
    const r = await getJson(s, '/get/?num=79000000000');
    expect(r.status).toBe(200);
    expect(r.json).toStrictEqual(V1_T2);
    const msgs = logMessages(s).map((m) => m.msg);
    expect(msgs.some((m) => m.includes(`downloading from ${source}`))).toBe(true);
    expect(msgs.some((m) => /Russian registry data is missing/.test(m))).toBe(false);
    await stopChild(s.child);
  });

  it('with a snapshot already there: no download, ok at once', async () => {
    const dataDir = tempDir('serve-existing');
    const u = await runCli(['update', '--source', source, '--data-dir', dataDir, '--quiet']);
    expect(u.code).toBe(0);
    requests.length = 0;
    const s = await serve({
      NUMINFO_DATA_DIR: dataDir,
      NUMINFO_REGISTRY_SOURCE: `http://127.0.0.1:${closedPort}/`,
    });
    const h = await health(s);
    expect(h).toMatchObject({
      status: 'ok',
      registry: { loaded: true, rows: GOOD_COUNTS.rows },
      firstStart: { state: 'not-needed' },
    });
    expect(requests).toEqual([]);
    await stopChild(s.child);
  });
});

describe('serve with NUMINFO_AUTO_UPDATE=0 and no snapshot', () => {
  it('does not download, and logs one line on how to load the data', async () => {
    const s = await serve({
      NUMINFO_DATA_DIR: tempDir('serve-noauto'),
      NUMINFO_AUTO_UPDATE: '0',
      NUMINFO_REGISTRY_SOURCE: `http://127.0.0.1:${closedPort}/`,
    });
    const h = await health(s);
    expect(h).toMatchObject({ status: 'degraded', registry: { loaded: false } });
    const missing = logMessages(s).filter((m) => /Russian registry data is missing/.test(m.msg));
    expect(missing).toHaveLength(1);
    expect(missing[0]!.msg).toContain('numinfo update --source');
    expect(logMessages(s).some((m) => m.msg.includes('downloading'))).toBe(false);
    await stopChild(s.child);
  });
});
