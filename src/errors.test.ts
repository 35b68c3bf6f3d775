import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERRORS, NuminfoError, type ErrorCode } from './errors.js';

/**
 * The catalogue and its documentation stay in step, as fastify's test of `docs/Reference/Errors.md`
 * does: every code in `ERRORS` has a row in `docs/errors.md` with its HTTP status and exit code, and
 * the page names no code that does not exist.
 */
const DOC = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
const OPENAPI = JSON.parse(readFileSync(new URL('../docs/openapi.json', import.meta.url), 'utf8')) as {
  components: { schemas: { ErrorCode: { enum: string[] } } };
};

interface Row {
  readonly code: string;
  readonly status: string;
  readonly exitCode: string;
}

function cells(line: string): string[] {
  return line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split('|')
    .map((c) => c.trim());
}

/** Rows of the Markdown table whose header has `Code`, `HTTP status` and `Exit code` columns. */
function catalogueRows(markdown: string): Row[] {
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.trim().startsWith('|')) continue;
    const header = cells(line).map((c) => c.toLowerCase());
    const codeAt = header.indexOf('code');
    const statusAt = header.indexOf('http status');
    const exitAt = header.indexOf('exit code');
    if (codeAt < 0 || statusAt < 0 || exitAt < 0) continue;
    const rows: Row[] = [];
    // Skip the header and its `| --- |` separator; the table ends at the first non-table line.
    for (let j = i + 2; j < lines.length && lines[j]!.trim().startsWith('|'); j++) {
      const row = cells(lines[j]!);
      rows.push({
        code: (row[codeAt] ?? '').replace(/`/g, ''),
        status: row[statusAt] ?? '',
        exitCode: row[exitAt] ?? '',
      });
    }
    return rows;
  }
  return [];
}

const rows = catalogueRows(DOC);
const codes = Object.keys(ERRORS) as ErrorCode[];

describe('docs/errors.md', () => {
  it('has the catalogue table', () => {
    expect(rows.length).toBeGreaterThan(0);
  });

  it.each(codes)('documents %s with its HTTP status and exit code', (code) => {
    const matching = rows.filter((r) => r.code === code);
    expect(matching, `${code} must have exactly one row`).toHaveLength(1);
    expect(matching[0]!.status).toBe(String(ERRORS[code].status));
    expect(matching[0]!.exitCode).toBe(String(ERRORS[code].exitCode));
  });

  it('has no row for a code that does not exist', () => {
    const unknown = rows.map((r) => r.code).filter((c) => !(c in ERRORS));
    expect(unknown).toEqual([]);
  });

  it('names no code that does not exist anywhere in the text', () => {
    // Codes are written in backticks; every backticked UPPER_SNAKE_CASE word must be one of them.
    const named = [...DOC.matchAll(/`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)`/g)].map((m) => m[1]!);
    expect(named.length).toBeGreaterThan(0);
    expect([...new Set(named.filter((c) => !(c in ERRORS)))]).toEqual([]);
  });
});

describe('docs/openapi.json', () => {
  it('lists exactly the catalogue codes in ErrorCode', () => {
    expect([...OPENAPI.components.schemas.ErrorCode.enum].sort()).toEqual([...codes].sort());
  });
});

describe('NuminfoError', () => {
  it.each(codes)('%s carries the catalogue status, exit code and message', (code) => {
    const e = new NuminfoError(code);
    expect(e.code).toBe(code);
    expect(e.status).toBe(ERRORS[code].status);
    expect(e.exitCode).toBe(ERRORS[code].exitCode);
    expect(e.message).toBe(ERRORS[code].message);
  });

  it('keeps a specific message and the cause', () => {
    const cause = new Error('disk on fire');
    const e = new NuminfoError('SOURCE_UNAVAILABLE', 'cannot read /nowhere', { cause });
    expect(e.message).toBe('cannot read /nowhere');
    expect(e.cause).toBe(cause);
    expect(e).toBeInstanceOf(Error);
  });
});
