import pg from 'pg';
import type { PoolConfig } from 'pg';
import { NuminfoError } from '../../errors.js';

export interface PgSpec {
  readonly config: PoolConfig;
  /** The `?schema=` of the URL; null: the role's default search_path. */
  readonly schema: string | null;
  /** The URL for messages: password replaced by `***`. */
  readonly display: string;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** PostgreSQL's 64-bit integers come back as JS numbers: every bigint we store is a ms time or a count. */
const INT8_OID = 20;
const parseInt8 = (v: string): number => Number(v);
function typeParser(oid: number, format?: 'text' | 'binary'): unknown {
  return oid === INT8_OID && format !== 'binary' ? parseInt8 : pg.types.getTypeParser(oid, format ?? 'text');
}

/**
 * `postgres://user:pass@host:port/db?schema=name&…`. `schema` is ours (stripped before pg sees the
 * URL): the store's tables live in that schema, created when missing. Other parameters (sslmode,
 * application_name, …) are pg's.
 */
export function parsePgSpec(spec: string): PgSpec {
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    throw new NuminfoError('CONFIG_INVALID', `store: not a valid PostgreSQL URL: ${redact(spec)}`);
  }
  const schema = url.searchParams.get('schema');
  url.searchParams.delete('schema');
  if (schema !== null && !SCHEMA_NAME.test(schema))
    throw new NuminfoError(
      'CONFIG_INVALID',
      `store: schema ${JSON.stringify(schema)} must be 1..63 of a-z, 0-9, _ (not starting with a digit)`,
    );
  const extra = url.searchParams.get('options');
  url.searchParams.delete('options');
  const options = [extra, schema === null ? null : `-c search_path=${schema}`].filter(Boolean).join(' ');
  const display = redact(url.toString());
  return {
    schema,
    display,
    config: {
      connectionString: url.toString(),
      ...(options ? { options } : {}),
      connectionTimeoutMillis: 10_000,
      types: { getTypeParser: typeParser } as PoolConfig['types'],
    },
  };
}

/** The spec with any password (`user:pass@` or a `password=` parameter) replaced by `***`. */
export function redact(spec: string): string {
  return spec
    .replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, '$1:***@')
    .replace(/([?&]password=)[^&#]*/gi, '$1***');
}
