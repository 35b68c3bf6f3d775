/**
 * A committed report survives kill -9: a child process writes reports one at a time and acks each
 * one after addReports resolved; it is killed with SIGKILL mid-stream, and every acked report must
 * be in the store afterwards, with aggregates that agree with the raw log.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/openStore.js';
import { dropFreshSchemas, freshSchemaUrl, pgClient, pgSkipReason, pgTestUrl } from '../helpers/pg.js';
import { ROOT, cleanEnv, removeTempDirs, tempDir } from '../helpers/proc.js';

const CHILD = join(ROOT, 'test', 'store', 'durabilityChild.ts');
const ACKS = 400;

interface Ack {
  readonly seq: number;
  readonly id: number;
  readonly number: string;
}

/** Runs the child until it has acked `acks` reports, then SIGKILLs it at once; returns every ack it wrote. */
function writeThenKill(spec: string, dataDir: string, acks: number): Promise<Ack[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, spec, dataDir], {
      cwd: ROOT,
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const got: Ack[] = [];
    let buf = '';
    let stderr = '';
    let killed = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      buf += s;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const m = /^ack (\d+) (\d+) (\d+)$/.exec(line);
        if (!m) continue;
        // Acks the child wrote before the kill but we read after it count too: they are still in the pipe.
        got.push({ seq: Number(m[1]), id: Number(m[2]), number: m[3]! });
        if (got.length === acks && !killed) {
          killed = true;
          child.kill('SIGKILL');
        }
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL' && killed) resolve(got);
      else reject(new Error(`child ended with ${code ?? signal} after ${got.length} acks: ${stderr}`));
    });
  });
}

/** Checks the reopened store against the acks and the raw report ids found in the database. */
async function expectAllAcked(
  spec: string,
  dataDir: string,
  acks: readonly Ack[],
  rawIds: number[],
): Promise<void> {
  const ids = new Set(rawIds);
  const missing = acks.filter((a) => !ids.has(a.id));
  expect(missing).toEqual([]);
  // At most the one report in flight when the kill came is there beyond the acked ones.
  expect(rawIds.length - acks.length).toBeGreaterThanOrEqual(0);
  expect(rawIds.length - acks.length).toBeLessThanOrEqual(1);
  const store = await openStore(spec, dataDir);
  try {
    let bans = 0;
    let comments = 0;
    for (let n = 0; n < 10; n++) {
      const number = String(79990000000 + n);
      const agg = await store.getAggregate(number);
      const ackedHere = acks.filter((a) => a.number === number).length;
      expect(agg!.bans).toBeGreaterThanOrEqual(ackedHere);
      expect(agg!.tags.reduce((s, t) => s + t.count, 0)).toBe(agg!.bans);
      bans += agg!.bans;
      comments += agg!.comments_count;
    }
    // Every report was a new reporter's ban with a comment: the aggregates agree with the raw log.
    expect(bans).toBe(rawIds.length);
    expect(comments).toBe(rawIds.length);
    // And the store takes writes again.
    const [next] = await store.addReports([
      {
        number: '79990000000',
        reporter: 'after',
        kind: 'ban',
        tags: [],
        comment: null,
        unwanted: null,
        at: 1,
      },
    ]);
    // (Greater, not max + 1: a PostgreSQL sequence value taken by the killed transaction stays used.)
    expect(next!.id).toBeGreaterThan(Math.max(...rawIds));
  } finally {
    await store.close();
  }
}

afterAll(removeTempDirs);

describe('durability against kill -9', () => {
  it('SQLite (WAL, synchronous=NORMAL) keeps every acknowledged report', async () => {
    const dir = tempDir('durable');
    const file = join(dir, 'kill.db');
    const acks = await writeThenKill(`sqlite:${file}`, dir, ACKS);
    expect(acks.length).toBeGreaterThanOrEqual(ACKS);
    expect(acks.map((a) => a.seq)).toEqual(Array.from({ length: acks.length }, (_, i) => i));
    // Read the raw log before any store opens the file, as it was left by the killed process.
    const db = new Database(file);
    const rawIds = db
      .prepare<[], { id: number }>('SELECT id FROM reports ORDER BY id')
      .all()
      .map((r) => r.id);
    db.close();
    await expectAllAcked(`sqlite:${file}`, dir, acks, rawIds);
  });
});

const PG = await pgTestUrl();
if (!PG) {
  console.warn(`PostgreSQL durability test skipped: ${pgSkipReason()}`);
  describe.skip(`durability against kill -9 on PostgreSQL (skipped: ${pgSkipReason()})`, () => {
    it('needs a PostgreSQL server', () => undefined);
  });
} else {
  const base = PG;
  afterAll(dropFreshSchemas);
  describe('durability against kill -9 on PostgreSQL', () => {
    it('keeps every acknowledged report', async () => {
      const url = freshSchemaUrl(base);
      const schema = new URL(url).searchParams.get('schema')!;
      const acks = await writeThenKill(url, '/x', 200);
      const c = await pgClient(base);
      let rawIds: number[];
      try {
        rawIds = (await c.query<{ id: string }>(`SELECT id FROM ${schema}.reports ORDER BY id`)).rows.map(
          (r) => Number(r.id),
        );
      } finally {
        await c.end();
      }
      await expectAllAcked(url, '/x', acks, rawIds);
    });
  });
}
