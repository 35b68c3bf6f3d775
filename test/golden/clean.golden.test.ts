/**
 * The golden table (cleanCases.ts) against `clean()` over the real registry. Each row is one test;
 * rows marked `bug` run with `it.fails`, so the suite stays green while the bug is visible — when
 * the engine is fixed they start failing and the mark must go. NUMINFO_GOLDEN_SHOW_BUGS=1 shows their diffs.
 */
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LookupResult } from '../../src/core/types.js';
import { importRegistry } from '../../src/data/registryImport.js';
import { RegistryIndex } from '../../src/data/registryIndex.js';
import { fetchRegistryFiles } from '../../src/data/registrySource.js';
import { clean, type CleanedNumber } from '../../src/services/clean.js';
import { cleanView } from '../../src/services/cleanView.js';
import { SHARED_COMBINED } from '../helpers/proc.js';
import { CLEAN_CASES, type GoldenCase, type GoldenFirst } from './cleanCases.js';

const REAL = existsSync(SHARED_COMBINED);
if (!REAL) {
  console.warn(
    `\n[clean.golden.test] SKIPPED: the golden table needs the real registry in ${SHARED_COMBINED} ` +
      '(../shared/registry/combined beside the repository), and it does not exist here.\n',
  );
}

let index: RegistryIndex;

beforeAll(async () => {
  if (!REAL) return;
  index = new RegistryIndex(importRegistry(await fetchRegistryFiles(SHARED_COMBINED)).registry);
});

/** The actual answer projected onto the keys the expectation names, so a mismatch shows as one diff. */
function projectFirst(n: CleanedNumber, expected: GoldenFirst): Record<string, unknown> {
  const best: LookupResult | undefined = n.variants[0];
  const all: Record<string, unknown> = {
    e164: best?.e164 ?? null,
    extension: n.extension,
    restored_zone: n.restored_zone,
    kind: n.kind,
    country: best?.country?.iso ?? null,
    operator: best?.operator?.name ?? null,
    region: best?.region?.name ?? null,
    place: best?.place?.name ?? null,
    utc: best?.timezone?.utc ?? null,
    variants: n.variants.slice(0, expected.variants?.length ?? 0).map((v) => v.e164),
  };
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(expected)) out[key] = all[key];
  return out;
}

function check(c: GoldenCase): void {
  const r = clean(index, c.input, { hint: c.hint ?? null });
  expect({ qc: r.qc, qc_conflict: r.qc_conflict, count: r.numbers.length }).toEqual({
    qc: c.qc,
    qc_conflict: c.qc_conflict,
    count: c.count,
  });
  const first = r.numbers[0];
  if (c.first) {
    expect(first, 'first number').toBeDefined();
    expect(projectFirst(first!, c.first)).toEqual(c.first);
  }
  if (c.second) {
    const second = r.numbers[1];
    expect(second, 'second number').toBeDefined();
    expect({
      e164: second!.variants[0]?.e164 ?? null,
      kind: second!.kind,
      ...(c.second.extension !== undefined ? { extension: second!.extension } : {}),
    }).toEqual(c.second);
  }
  if (c.phone !== undefined) expect(cleanView(r).phone).toBe(c.phone);
}

function title(c: GoldenCase, i: number): string {
  const hint = c.hint !== undefined ? ` (hint ${JSON.stringify(c.hint)})` : '';
  const bug = c.bug ? ` [BUG: ${c.bug}]` : '';
  return `#${i + 1} ${JSON.stringify(c.input)}${hint} → qc ${c.qc}${bug}`;
}

/** NUMINFO_GOLDEN_SHOW_BUGS=1 runs the `bug` rows as plain tests, to see their diffs. */
const SHOW_BUGS = process.env.NUMINFO_GOLDEN_SHOW_BUGS === '1';

describe.skipIf(!REAL)('clean() golden table over the real registry', () => {
  CLEAN_CASES.forEach((c, i) => {
    (c.bug && !SHOW_BUGS ? it.fails : it)(title(c, i), () => check(c));
  });
});

describe('the golden table itself', () => {
  it('has at least 150 rows, every qc, and foreign numbers from at least 15 countries', () => {
    expect(CLEAN_CASES.length).toBeGreaterThanOrEqual(150);
    expect(new Set(CLEAN_CASES.map((c) => c.qc))).toEqual(new Set([0, 1, 2, 3, 7]));
    const countries = new Set(CLEAN_CASES.filter((c) => c.qc === 7).map((c) => c.first?.country));
    expect(countries.size).toBeGreaterThanOrEqual(15);
  });

  it('every kind and every qc_conflict occurs', () => {
    const kinds = new Set(CLEAN_CASES.map((c) => c.first?.kind).filter((k) => k !== undefined));
    expect(kinds).toEqual(
      new Set(['Мобильный', 'Стационарный', 'Прямой мобильный', 'Колл-центр', 'Неизвестный']),
    );
    expect(new Set(CLEAN_CASES.map((c) => c.qc_conflict))).toEqual(new Set([0, 2, 3]));
  });
});
