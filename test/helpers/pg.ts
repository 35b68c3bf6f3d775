/**
 * A real PostgreSQL for tests. NUMINFO_TEST_PG_URL (e.g. postgres://numinfo:numinfo@127.0.0.1:5432/numinfo_test,
 * set by .ci/run) names the server; without it, or when it does not answer, PostgreSQL tests skip visibly.
 *
 *   const PG = await pgTestUrl();
 *   if (!PG) { console.warn(`PostgreSQL tests skipped: ${pgSkipReason()}`); describe.skip(...) }
 *   const url = freshSchemaUrl(PG);          // an empty schema of its own, created by openStore
 *   afterAll(dropFreshSchemas);              // drops every schema this process made
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

let probe: Promise<string | null> | null = null;
let skipReason = '';
const made = new Set<string>();

/** The test server's URL when it answers within 3 s, else null (see `pgSkipReason`). Probed once per process. */
export function pgTestUrl(): Promise<string | null> {
  probe ??= (async () => {
    const url = process.env.NUMINFO_TEST_PG_URL ?? '';
    if (url === '') {
      skipReason = 'NUMINFO_TEST_PG_URL is not set (.ci/run sets it after installing PostgreSQL)';
      return null;
    }
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      return url;
    } catch (e) {
      skipReason = `PostgreSQL at ${redacted(url)} did not answer: ${(e as Error).message}`;
      return null;
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return probe;
}

/** Why `pgTestUrl` gave null. */
export function pgSkipReason(): string {
  return skipReason;
}

/** `base` with `?schema=` set to a new unique name; the store creates the schema when it migrates. */
export function freshSchemaUrl(base: string): string {
  const schema = `numinfo_t_${process.pid}_${randomBytes(4).toString('hex')}`;
  made.add(schema);
  const url = new URL(base);
  url.searchParams.set('schema', schema);
  return url.toString();
}

/** Drops every schema `freshSchemaUrl` named in this process. */
export async function dropFreshSchemas(): Promise<void> {
  const base = await pgTestUrl();
  if (!base || made.size === 0) return;
  const client = new pg.Client({ connectionString: base });
  client.on('error', () => undefined);
  try {
    await client.connect();
    for (const s of made) await client.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
    made.clear();
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A plain client on the test server (for inspecting or breaking things); the caller ends it. */
export async function pgClient(url: string): Promise<pg.Client> {
  const u = new URL(url);
  u.searchParams.delete('schema');
  const client = new pg.Client({ connectionString: u.toString() });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

function redacted(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, '$1:***@');
}
