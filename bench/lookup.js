// In-process lookups/s of Russian numbers: `lookup(registry, input)` (parse, registry range, operator,
// territory, time zone) on one thread, against libphonenumber-js/max
// `parsePhoneNumberFromString(s, 'RU').isValid()` on the same inputs, in the same process.
// Target: >= 1,000,000 lookups/s and >= 8x the baseline.
// A second row does the same for mobile numbers with MNP data loaded (generated ported numbers, as
// no public dump exists), when the build has the MNP modules.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  benchTempDir,
  DIST,
  dist,
  ensureSnapshot,
  fmtInt,
  formatRussian,
  median,
  registryAvailable,
  report,
  runMain,
  sampleNationals,
} from './lib/common.js';

const INPUTS = 100_000;
const WARMUP_MS = Number(process.env.BENCH_LOOKUP_WARMUP_MS ?? 1000);
/** Each side is measured in WINDOWS windows of WINDOW_MS, alternating with the other side. */
const WINDOWS = Number(process.env.BENCH_LOOKUP_WINDOWS ?? 3);
const WINDOW_MS = Number(process.env.BENCH_LOOKUP_WINDOW_MS ?? 800);
const CHUNK = 5000;
/** Ported numbers generated for the MNP row, and the share of its inputs that are ported ones. */
const MNP_COUNT = Number(process.env.BENCH_MNP_COUNT ?? 1_000_000);
const MNP_PORTED_SHARE = 0.1;
const TARGET_RATE = 1_000_000;
const TARGET_RATIO = 8;

// Results are kept in a small ring so they escape: the work can't be optimized away, as in real use.
const sink = new Array(1024);

function chunkNuminfo(lookup, index, mnp, inputs, from, to) {
  let valid = 0;
  for (let i = from; i < to; i++) {
    const r = lookup(index, inputs[i], mnp);
    sink[i & 1023] = r;
    if (r.valid) valid++;
  }
  return valid;
}

function chunkLibphonenumber(parse, inputs, from, to) {
  let valid = 0;
  for (let i = from; i < to; i++) {
    const p = parse(inputs[i], 'RU');
    sink[i & 1023] = p;
    if (p !== undefined && p.isValid()) valid++;
  }
  return valid;
}

/** Runs `chunk` over the inputs round and round, CHUNK at a time, for at least `ms` per call. */
function runner(chunk) {
  let pos = 0;
  const totals = { done: 0, valid: 0 };
  return {
    totals,
    run(ms) {
      let done = 0;
      const t0 = performance.now();
      let t1;
      do {
        totals.valid += chunk(pos, pos + CHUNK);
        pos = (pos + CHUNK) % INPUTS;
        done += CHUNK;
        t1 = performance.now();
      } while (t1 - t0 < ms);
      totals.done += done;
      return done / ((t1 - t0) / 1000);
    },
  };
}

async function main() {
  const scenario = 'lookup';
  if (!registryAvailable(scenario)) {
    report(scenario, [skipRow()]);
    return;
  }
  const { readSnapshotFile } = await dist('data/snapshot.js');
  const { RegistryIndex } = await dist('data/registryIndex.js');
  const { lookup } = await dist('services/lookup.js');
  const { parsePhoneNumberFromString } = await import('libphonenumber-js/max');

  const compiled = readSnapshotFile(await ensureSnapshot());
  const index = new RegistryIndex(compiled);
  const inputs = sampleNationals(compiled, INPUTS).map(formatRussian);
  console.log(
    `lookup: ${fmtInt(inputs.length)} inputs from ${fmtInt(index.rangeCount)} real ranges (a range picked ` +
      `uniformly, then a number in it), e.g. ${inputs.slice(0, 3).join(', ')}; single thread, warm-up ` +
      `${WARMUP_MS} ms each, then ${WINDOWS} alternating windows of ${WINDOW_MS} ms per side`,
  );
  const notes = [];
  const rows = [];
  const all = compare(lookup, index, null, parsePhoneNumberFromString, inputs);
  rows.push(
    row(scenario, 'lookup: in-process lookups/s (Russian numbers, registry + time zone)', all, notes),
  );

  let mnpRow = null;
  try {
    mnpRow = await mnpScenario(scenario, lookup, index, compiled, parsePhoneNumberFromString, notes);
  } catch (e) {
    notes.push(`MNP row not measured: ${e?.message ?? e}`);
  }
  if (mnpRow) rows.push(mnpRow);
  notes.push(
    'baseline is libphonenumber-js/max (full metadata, validates against number patterns, as the ' +
      'product uses for international numbers); /min would only check lengths',
  );
  report(scenario, rows, notes);
}

/** numinfo and libphonenumber-js on the same inputs, in alternating windows. */
function compare(lookup, index, mnp, parse, inputs) {
  let withZone = 0;
  for (const s of inputs) if (lookup(index, s, mnp).timezone !== null) withZone++;
  const ours = runner((a, b) => chunkNuminfo(lookup, index, mnp, inputs, a, b));
  const base = runner((a, b) => chunkLibphonenumber(parse, inputs, a, b));
  ours.run(WARMUP_MS);
  base.run(WARMUP_MS);
  ours.totals.done = ours.totals.valid = base.totals.done = base.totals.valid = 0;
  const oursRates = [];
  const baseRates = [];
  for (let w = 0; w < WINDOWS; w++) {
    oursRates.push(ours.run(WINDOW_MS));
    baseRates.push(base.run(WINDOW_MS));
  }
  const oursRate = median(oursRates);
  const baseRate = median(baseRates);
  const pct = (t) => `${((100 * t.valid) / t.done).toFixed(2)}%`;
  console.log(
    `  numinfo lookup():            ${fmtInt(oursRate)} lookups/s, median of ${oursRates.map(fmtInt).join(', ')} ` +
      `(${pct(ours.totals)} found in the plan; ${fmtInt(withZone)}/${fmtInt(inputs.length)} inputs have a time zone)`,
  );
  console.log(
    `  libphonenumber-js/max valid: ${fmtInt(baseRate)} checks/s, median of ${baseRates.map(fmtInt).join(', ')} ` +
      `(${pct(base.totals)} valid by its metadata)`,
  );
  return { oursRate, baseRate, ratio: oursRate / baseRate, oursRates, baseRates };
}

function row(scenario, metric, m, notes) {
  const pass = m.oursRate >= TARGET_RATE && m.ratio >= TARGET_RATIO;
  if (m.oursRate < TARGET_RATE) notes.push(`${metric}: below ${fmtInt(TARGET_RATE)} lookups/s`);
  if (m.ratio < TARGET_RATIO) notes.push(`${metric}: below ${TARGET_RATIO}x libphonenumber-js`);
  return {
    scenario,
    metric,
    measured: `${fmtInt(m.oursRate)}/s`,
    baseline: `${fmtInt(m.baseRate)}/s (libphonenumber-js/max isValid)`,
    ratio: `${m.ratio.toFixed(1)}x`,
    target: `>= ${fmtInt(TARGET_RATE)}/s and >= ${TARGET_RATIO}x`,
    pass,
    raw: m,
  };
}

/**
 * Mobile numbers (DEF ranges) with MNP data loaded: MNP_COUNT generated ported numbers imported
 * into a snapshot as `numinfo mnp import` does; a tenth of the inputs are ported numbers.
 */
async function mnpScenario(scenario, lookup, index, compiled, parse, notes) {
  if (!existsSync(join(DIST, 'data', 'mnp', 'generate.js'))) return null;
  const { generateMnp } = await dist('data/mnp/generate.js');
  const { importMnp } = await dist('data/mnp/mnpImport.js');
  const { readMnpFile } = await dist('data/mnp/mnpSnapshot.js');
  const { MnpIndex } = await dist('data/mnp/mnpIndex.js');
  const { MnpData } = await dist('services/mnpData.js');
  const dir = join(benchTempDir(), 'mnp');
  mkdirSync(dir, { recursive: true });
  const t0 = performance.now();
  const generated = await generateMnp({ dir, count: MNP_COUNT, seed: 7, samples: 20_000 });
  const imported = await importMnp({ files: generated.files, dataDir: dir });
  const mnp = new MnpData(new MnpIndex(readMnpFile(imported.path)), index, []);
  const ported = generated.samples.filter((x) => x.kind !== 'returned').map((x) => x.number.slice(-10));
  if (ported.length === 0) throw new Error('the generator described no ported numbers');
  const nationals = sampleNationals(compiled, INPUTS, 99, { minCode: 900 });
  const step = Math.round(1 / MNP_PORTED_SHARE);
  for (let k = 0; k < nationals.length; k += step) nationals[k] = ported[(k / step) % ported.length];
  const inputs = nationals.map(formatRussian);
  let portedHits = 0;
  for (const s of inputs) if (lookup(index, s, mnp).ported === true) portedHits++;
  console.log(
    `lookup with MNP: ${fmtInt(mnp.size)} generated ported numbers (generate + import ` +
      `${Math.round(performance.now() - t0)} ms); ${fmtInt(INPUTS)} mobile inputs from DEF ranges, every ` +
      `${step}th a ported number (${fmtInt(portedHits)} answered as ported), e.g. ${inputs.slice(1, 3).join(', ')}`,
  );
  const m = compare(lookup, index, mnp, parse, inputs);
  notes.push(
    `MNP row: ported numbers are generated (src/data/mnp/generate.ts: no public dump exists); ` +
      `${fmtInt(MNP_COUNT)} is a test size, the real database is tens of millions, which adds a few ` +
      'binary-search steps per mobile lookup',
  );
  return row(scenario, 'lookup: mobile numbers with MNP loaded (registry + MNP + time zone)', m, notes);
}

function skipRow() {
  return {
    scenario: 'lookup',
    metric: 'lookup: in-process lookups/s',
    measured: 'skipped (no registry)',
    baseline: '-',
    ratio: '-',
    target: `>= ${fmtInt(TARGET_RATE)}/s and >= ${TARGET_RATIO}x`,
    pass: null,
  };
}

runMain(main);
