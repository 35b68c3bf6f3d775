// MNP at scale (issue #4 targets), on generated dumps:
//   full import of BENCH_MNP_BIG (default 50,000,000) ported numbers < 90 s,
//   snapshot load < 3 s, added memory <= 400 MB (<= 8 bytes per number),
//   lookups/s with MNP within 10% of lookups/s without it (same inputs, same process),
//   a daily increment of 100,000 ports (+ 20,000 returns) applied < 2 s.
// Run alone: node bench/mnp.js   (needs dist/: npm run build)
import { fork } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import {
  benchTempDir,
  dist,
  ensureSnapshot,
  registryAvailable,
  report,
  sampleNationals,
} from './lib/common.js';

const COUNT = Number(process.env.BENCH_MNP_BIG ?? 50_000_000);
const INCREMENT = Number(process.env.BENCH_MNP_INCREMENT ?? 100_000);
const LOOKUPS = 200_000;
const WINDOW_MS = 1500;
const WINDOWS = 5;

const fmt = (n) => Math.round(n).toLocaleString('en-US');
const secs = (ms) => `${(ms / 1000).toFixed(1)} s`;

/** Child: loads registry and MNP snapshots, measures memory and lookups/s with and without MNP. */
async function child(registryPath, dataDir) {
  const { RegistryIndex } = await dist('data/registryIndex.js');
  const { readSnapshotFile } = await dist('data/snapshot.js');
  const { readMnpData } = await dist('data/mnp/mnpSnapshot.js');
  const { MnpIndex } = await dist('data/mnp/mnpIndex.js');
  const { MnpData } = await dist('services/mnpData.js');
  const { lookup } = await dist('services/lookup.js');
  const compiled = readSnapshotFile(registryPath);
  const registry = new RegistryIndex(compiled);
  // Mobile numbers only (the ones MNP concerns and the ones that pay for its search), and the same
  // mix of all ranges as bench/lookup.js.
  const inputs = sampleNationals(compiled, LOOKUPS, 20261123, { minCode: 900 }).map((n) => '+7' + n);
  const mixed = sampleNationals(compiled, LOOKUPS, 20261124).map((n) => '+7' + n);
  globalThis.gc?.();
  const before = process.memoryUsage().rss;
  const t0 = performance.now();
  // mnp.snap with mnp-delta.snap applied, as the server loads it.
  const index = new MnpIndex(readMnpData(dataDir));
  const mnp = new MnpData(index, registry, []);
  const loadMs = performance.now() - t0;
  // Loading merges the delta into new arrays; V8 frees the base file's 400 MB backing store on a
  // background thread after a GC, so let it finish before measuring the steady state.
  globalThis.gc?.();
  await sleep(500);
  globalThis.gc?.();
  const added = process.memoryUsage().rss - before;
  let ported = 0;
  for (const s of inputs) if (lookup(registry, s, mnp).ported) ported++;
  const rate = (m, list = inputs) => {
    let best = 0;
    for (let w = 0; w < WINDOWS; w++) {
      let n = 0;
      const start = performance.now();
      while (performance.now() - start < WINDOW_MS) {
        for (let i = 0; i < list.length; i++) lookup(registry, list[i], m);
        n += list.length;
      }
      best = Math.max(best, n / ((performance.now() - start) / 1000));
    }
    return best;
  };
  rate(mnp); // warm up both paths
  const without = rate(null);
  const withMnp = rate(mnp);
  const mixedWithout = rate(null, mixed);
  const mixedWith = rate(mnp, mixed);
  process.send({
    loadMs,
    added,
    numbers: index.size,
    ported,
    inputs: inputs.length,
    without,
    withMnp,
    mixedWithout,
    mixedWith,
  });
}

async function main() {
  const scenario = 'mnp';
  if (!registryAvailable(scenario)) {
    report(scenario, [
      {
        scenario,
        metric: 'MNP at scale',
        measured: 'skipped (no registry)',
        baseline: '-',
        ratio: '-',
        target: '-',
        pass: null,
      },
    ]);
    return;
  }
  const { generateMnp } = await dist('data/mnp/generate.js');
  const { importMnp } = await dist('data/mnp/mnpImport.js');
  const registryPath = await ensureSnapshot();
  const dir = join(benchTempDir(), 'mnp-big');
  const dataDir = join(dir, 'data');
  console.log(`generating ${fmt(COUNT)} ported numbers and one day of ${fmt(INCREMENT)} ports …`);
  let t = performance.now();
  const gen = await generateMnp({
    dir: join(dir, 'dumps'),
    count: COUNT,
    seed: 11,
    increments: [{ ports: INCREMENT, returns: Math.round(INCREMENT / 5) }],
    samples: 0,
  });
  const genMs = performance.now() - t;
  const fullFiles = gen.parts.filter((p) => p.kind === 'operators' || p.kind === 'full').map((p) => p.file);
  const dayFiles = gen.parts.filter((p) => p.kind === 'increment' || p.kind === 'return').map((p) => p.file);
  const dayRows = gen.parts
    .filter((p) => p.kind === 'increment' || p.kind === 'return')
    .reduce((a, p) => a + p.rows, 0);
  console.log(`generated in ${secs(genMs)}; importing the full list …`);
  t = performance.now();
  const full = await importMnp({ files: fullFiles, dataDir });
  const importMs = performance.now() - t;
  const bytesPerNumber = statSync(full.path).size / full.meta.numbers;
  const { mnpDeltaPath } = await dist('data/mnp/mnpSnapshot.js');
  console.log(`imported ${fmt(full.meta.numbers)} in ${secs(importMs)}; applying the increment …`);
  t = performance.now();
  const inc = await importMnp({ files: dayFiles, dataDir });
  const incMs = performance.now() - t;
  const deltaBytes = inc.path === mnpDeltaPath(dataDir) ? statSync(inc.path).size : 0;
  console.log(
    `increment of ${fmt(dayRows)} rows applied in ${secs(incMs)}; measuring load, memory, lookups …`,
  );
  const m = await new Promise((resolve, reject) => {
    const c = fork(fileURLToPath(import.meta.url), ['--child', registryPath, dataDir], {
      execArgv: ['--expose-gc', '--max-old-space-size=4096'],
    });
    c.on('message', resolve);
    c.on('exit', (code) => code !== 0 && reject(new Error(`child exited ${code}`)));
  });
  const ratio = m.withMnp / m.without;
  report(
    scenario,
    [
      {
        scenario,
        metric: `full import, ${fmt(full.meta.numbers)} ported numbers`,
        measured: secs(importMs),
        baseline: `generating them: ${secs(genMs)}`,
        ratio: `${(importMs / genMs).toFixed(1)}×`,
        target: '< 90 s',
        pass: importMs < 90_000,
      },
      {
        scenario,
        metric: 'MNP snapshot load (base + delta merged)',
        measured: `${fmt(m.loadMs)} ms`,
        baseline: '-',
        ratio: '-',
        target: '< 3 s',
        pass: m.loadMs < 3000,
      },
      {
        scenario,
        metric: 'memory added by the MNP data (RSS)',
        measured: `${fmt(m.added / 1048576)} MB`,
        baseline: `snapshot file: ${bytesPerNumber.toFixed(2)} B/number`,
        ratio: `${(m.added / m.numbers).toFixed(2)} B/number`,
        target: '<= 400 MB, <= 8 B/number',
        pass: m.added <= 400 * 1048576,
      },
      {
        scenario,
        metric: `lookups/s of mobile numbers with MNP (${((m.ported / m.inputs) * 100).toFixed(0)}% ported)`,
        measured: `${fmt(m.withMnp)} /s`,
        baseline: `${fmt(m.without)} /s without MNP`,
        ratio: `${(ratio * 100).toFixed(0)}%`,
        target: '>= 90% of without',
        pass: ratio >= 0.9,
      },
      {
        scenario,
        metric: "lookups/s with MNP, all ranges (the lookup scenario's mix)",
        measured: `${fmt(m.mixedWith)} /s`,
        baseline: `${fmt(m.mixedWithout)} /s without MNP`,
        ratio: `${((m.mixedWith / m.mixedWithout) * 100).toFixed(0)}%`,
        target: '>= 90% of without',
        pass: m.mixedWith / m.mixedWithout >= 0.9,
      },
      {
        scenario,
        metric: `daily increment, ${fmt(dayRows)} rows onto ${fmt(full.meta.numbers)}`,
        measured: secs(incMs),
        baseline: deltaBytes
          ? `delta file: ${(deltaBytes / 1048576).toFixed(1)} MB`
          : 'compacted into the base',
        ratio: '-',
        target: '< 2 s',
        pass: incMs < 2000,
      },
    ],
    [
      `generated dumps: ${gen.parts.length} files; the increment ran as a separate import onto the full snapshot, as \`numinfo mnp import\` does while the server runs`,
    ],
  );
}

if (process.argv[2] === '--child') await child(process.argv[3], process.argv[4]);
else await main();
