/**
 * A report the server acknowledged (201) survives kill -9: the real `numinfo serve` as a child
 * process takes reports over HTTP, is SIGKILLed the moment the Nth 201 arrives (with more requests
 * still in flight), and after a restart on the same data directory every acknowledged report is
 * counted. Also: a store that cannot be opened stops the start with a clear message.
 */
import { type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assertBuilt,
  freePort,
  removeTempDirs,
  runCli,
  stopChild,
  tempDir,
  startServe,
  type ServeChild,
} from './helpers/proc.js';

const ACKS = 120;
/** Requests in flight at once, so the kill lands while some are being written. */
const WORKERS = 4;

const children: ChildProcess[] = [];

async function serve(dataDir: string, env: Record<string, string> = {}): Promise<ServeChild> {
  const served = await startServe({ NUMINFO_DATA_DIR: dataDir, ...env });
  children.push(served.child);
  return served;
}

const numberOf = (i: number): string => String(79_001_000_000 + i);

beforeAll(() => {
  assertBuilt();
});

afterAll(async () => {
  await Promise.all(children.map((c) => stopChild(c)));
  removeTempDirs();
});

describe('acknowledged reports survive kill -9', () => {
  const dataDir = tempDir('report-durability');
  const acked: string[] = [];

  it(`SIGKILL right after the ${ACKS}th 201`, async () => {
    const s = await serve(dataDir);
    const exited = new Promise<NodeJS.Signals | null>((r) =>
      s.child.once('exit', (_code, signal) => r(signal)),
    );
    let next = 0;
    let killed = false;
    const worker = async (): Promise<void> => {
      while (!killed) {
        const i = next++;
        let res: Response;
        try {
          res = await fetch(s.base + '/v1/reports', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ number: numberOf(i), kind: 'ban', comment: `report ${i}` }),
          });
        } catch {
          return; // the server is gone: this one was never acknowledged
        }
        // A 201 that arrives after the kill was still sent by the server: it counts as acknowledged.
        expect(res.status, await res.text()).toBe(201);
        acked.push(numberOf(i));
        if (acked.length === ACKS && !killed) {
          killed = true;
          s.child.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, worker));
    expect(await exited).toBe('SIGKILL');
    expect(acked.length).toBeGreaterThanOrEqual(ACKS);
  });

  it('after a restart on the same data directory every acknowledged report is counted', async () => {
    const s = await serve(dataDir);
    const health = (await (await fetch(s.base + '/healthz')).json()) as { store: unknown };
    expect(health.store).toEqual({ driver: 'sqlite', ok: true });
    const missing: string[] = [];
    for (const n of acked) {
      const r = await fetch(`${s.base}/v1/reputation/${n}`);
      const rep = (await r.json()) as { bans: number; comments_count: number };
      if (rep.bans !== 1 || rep.comments_count !== 1) missing.push(`${n}: ${JSON.stringify(rep)}`);
    }
    expect(missing).toEqual([]);
    // And it still takes reports, and stops cleanly with its store on SIGTERM.
    const more = await fetch(s.base + '/v1/reports', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ number: numberOf(ACKS * 10), kind: 'complaint' }),
    });
    expect(more.status).toBe(201);
    const code = new Promise<number | null>((r) => s.child.once('exit', (c) => r(c)));
    s.child.kill('SIGTERM');
    expect(await code).toBe(0);
  });
});

describe('a store that cannot be opened stops the start', () => {
  it('PostgreSQL that does not answer: exit 4 (STORE_UNAVAILABLE), one clear line', async () => {
    const port = await freePort();
    const r = await runCli(['serve', '--port', String(await freePort())], {
      env: {
        NUMINFO_DATA_DIR: tempDir('store-down'),
        NUMINFO_AUTO_UPDATE: 'false',
        NUMINFO_STORE: `postgres://numinfo:secret@127.0.0.1:${port}/numinfo`,
      },
    });
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(/^numinfo: cannot connect to PostgreSQL at .*127\.0\.0\.1/);
    expect(r.stderr).not.toContain('secret');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a store setting of an unknown kind: exit 2 (CONFIG_INVALID)', async () => {
    const r = await runCli(['serve', '--port', String(await freePort())], {
      env: {
        NUMINFO_DATA_DIR: tempDir('store-bad'),
        NUMINFO_AUTO_UPDATE: 'false',
        NUMINFO_STORE: 'mysql://x/y',
      },
    });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^numinfo: store "mysql:\/\/x\/y": expected/);
  });

  it('a SQLite path that cannot be a file: exit 4 naming the path', async () => {
    const dir = tempDir('store-dir');
    const r = await runCli(['serve', '--port', String(await freePort())], {
      env: { NUMINFO_DATA_DIR: dir, NUMINFO_AUTO_UPDATE: 'false', NUMINFO_STORE: `sqlite:${dir}` },
    });
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toContain(dir);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
