// Runs every benchmark scenario, each in its own process, and prints one summary table.
//   npm run bench                 (builds first, then runs this)
//   node bench/run.js [snapshot] [lookup] [clean] [http] [agi] [mnp] [reputation]
// The registry snapshot is built once (by the snapshot scenario, or the first scenario needing it)
// into a temp data directory shared through NUMINFO_BENCH_DATA_DIR. Exit code 1 means a scenario
// failed to run; a MISS is reported, not an error.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  benchTempDir,
  BENCH_DIR,
  machine,
  machineBusy,
  printTable,
  REGISTRY_DIR,
  registryFiles,
} from './lib/common.js';

const ALL = ['snapshot', 'lookup', 'clean', 'http', 'agi', 'mnp', 'reputation'];
const chosen = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = chosen.filter((s) => !ALL.includes(s));
if (unknown.length > 0) {
  console.error(`bench: unknown scenario ${unknown.join(', ')}; known: ${ALL.join(', ')}`);
  process.exit(2);
}
const scenarios = chosen.length > 0 ? ALL.filter((s) => chosen.includes(s)) : ALL;

function runScenario(name, env) {
  return new Promise((resolve) => {
    const reports = [];
    const child = spawn(process.execPath, [join(BENCH_DIR, `${name}.js`)], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env,
    });
    child.on('message', (m) => reports.push(m));
    child.on('exit', (code, signal) => resolve({ name, code: code ?? signal, reports }));
  });
}

const started = performance.now();
console.log(`numinfo benchmarks: ${machine()}`);
console.log(
  registryFiles().length > 0
    ? `registry: ${REGISTRY_DIR} (${registryFiles().length} CSV files)`
    : `registry: none at ${REGISTRY_DIR}; registry scenarios will be skipped`,
);
const busyBefore = await machineBusy();
const busyText = (b) => (b === null ? 'unknown' : `${(b * 100).toFixed(0)}% of all cores`);
console.log(`other load before the run (1 s sample, while idle): ${busyText(busyBefore)}`);
const dataDir = join(benchTempDir(), 'data');
mkdirSync(dataDir, { recursive: true });
const env = { ...process.env, NUMINFO_BENCH_DATA_DIR: dataDir };

const rows = [];
const notes = [];
const failed = [];
for (const name of scenarios) {
  console.log(`\n=== ${name} ===`);
  const r = await runScenario(name, env);
  for (const rep of r.reports) {
    rows.push(...rep.rows);
    notes.push(...rep.notes.map((n) => `${rep.scenario}: ${n}`));
  }
  if (r.code !== 0) failed.push(`${name} (exit ${r.code})`);
}

const busyAfter = await machineBusy();
console.log(`\n=== summary (${((performance.now() - started) / 1000).toFixed(0)} s) ===`);
console.log(machine());
console.log(
  `other load on the machine, sampled idle before / after the run: ${busyText(busyBefore)} / ${busyText(busyAfter)}`,
);
if (Math.max(busyBefore ?? 0, busyAfter ?? 0) > 0.2) {
  notes.push(
    'other processes were using the CPU around this run: throughput numbers are lower and noisier than on an idle machine',
  );
}
printTable(rows);
for (const n of notes) console.log(`  note: ${n}`);
const misses = rows.filter((r) => r.pass === false).length;
const passes = rows.filter((r) => r.pass === true).length;
console.log(
  `\n${passes} PASS, ${misses} MISS${failed.length > 0 ? `; failed to run: ${failed.join(', ')}` : ''}`,
);
process.exitCode = failed.length > 0 ? 1 : 0;
