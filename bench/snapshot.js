// Registry snapshot build, server cold start and resident memory.
//  1. build: read the four CSVs, importRegistry (parse + compile), writeSnapshotFile (encode, fsync,
//     rename). Target < 5 s. Baseline: reading the same files and splitting them into lines and fields.
//  2. cold start: `numinfo serve` (dist/cli/main.js) in a child process over that snapshot, from spawn
//     to the first successful /healthz answer with the registry loaded. Target < 1 s. Baseline: the
//     same for a bare node:http server (bench/servers/bare.js).
//  3. memory: RSS of that server after some lookups over HTTP. Target < 200 MB. Baseline: the bare
//     server's RSS after the same requests.
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  benchTempDir,
  BENCH_DIR,
  dist,
  DIST,
  fmtMB,
  fmtMs,
  freePort,
  httpGet,
  procRss,
  registryAvailable,
  registryFiles,
  REGISTRY_DIR,
  report,
  runMain,
  sampleNationals,
  stopChild,
} from './lib/common.js';

const COLD_STARTS = Number(process.env.BENCH_COLD_STARTS ?? 3);
const RSS_REQUESTS = Number(process.env.BENCH_RSS_REQUESTS ?? 20_000);
const BUILD_TARGET_MS = 5000;
const COLD_TARGET_MS = 1000;
const RSS_TARGET = 200 * 1024 * 1024;

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
}

/** The least any importer has to do: read each file and split it into lines and `;` fields. */
function baselineTokenize(paths) {
  let fields = 0;
  for (const p of paths) {
    const text = readFileSync(p).toString('latin1');
    for (const line of text.split('\n')) fields += line.split(';').length;
  }
  return fields;
}

async function buildSnapshot(dataDir) {
  const { fetchRegistryFiles } = await dist('data/registrySource.js');
  const { importRegistry } = await dist('data/registryImport.js');
  const { writeSnapshotFile } = await dist('data/snapshot.js');
  const { snapshotPath } = await dist('data/registryUpdate.js');
  const path = snapshotPath(dataDir);
  const t0 = performance.now();
  const files = await fetchRegistryFiles(REGISTRY_DIR);
  const t1 = performance.now();
  const { registry } = importRegistry(files);
  const t2 = performance.now();
  writeSnapshotFile(path, registry);
  const t3 = performance.now();
  return {
    path,
    meta: registry.meta,
    readMs: t1 - t0,
    importMs: t2 - t1,
    writeMs: t3 - t2,
    totalMs: t3 - t0,
  };
}

/** A child environment without the caller's NUMINFO_* settings, so only our flags count. */
function cleanEnv(extra) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('NUMINFO_')) env[k] = v;
  return { ...env, ...extra };
}

/** Spawns a server and polls /healthz until it answers 200 (and, for numinfo, the registry is loaded). */
async function coldStart(kind, dataDir) {
  const port = await freePort();
  const args =
    kind === 'numinfo'
      ? [
          join(DIST, 'cli', 'main.js'),
          'serve',
          '--data-dir',
          dataDir,
          '--host',
          '127.0.0.1',
          '--port',
          String(port),
          '--no-auto-update',
        ]
      : [join(BENCH_DIR, 'servers', 'bare.js'), '--port', String(port)];
  const t0 = performance.now();
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: cleanEnv({ NUMINFO_LOG_LEVEL: 'silent' }),
  });
  let exited = null;
  child.once('exit', (code, signal) => (exited = code ?? signal));
  for (;;) {
    if (exited !== null) throw new Error(`${kind} server exited (${exited}) before answering /healthz`);
    if (performance.now() - t0 > 30_000) {
      await stopChild(child);
      throw new Error(`${kind} server did not answer /healthz within 30 s`);
    }
    try {
      const r = await httpGet(port, '/healthz', 1000);
      if (r.status === 200 && (kind !== 'numinfo' || JSON.parse(r.body).registry?.loaded === true)) {
        return { child, port, ms: performance.now() - t0, body: r.body };
      }
    } catch {
      /* not listening yet */
    }
    await sleep(2);
  }
}

async function exercise(port, paths) {
  const r = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: 10,
    amount: RSS_REQUESTS,
    requests: paths.map((path) => ({ method: 'GET', path })),
  });
  return r.non2xx + r.errors + r.timeouts;
}

async function main() {
  const scenario = 'snapshot';
  if (!registryAvailable(scenario)) {
    report(scenario, [
      {
        scenario,
        metric: 'snapshot build',
        measured: 'skipped (no registry)',
        baseline: '-',
        ratio: '-',
        target: '< 5 s',
        pass: null,
      },
      {
        scenario,
        metric: 'cold start',
        measured: 'skipped (no registry)',
        baseline: '-',
        ratio: '-',
        target: '< 1 s',
        pass: null,
      },
      {
        scenario,
        metric: 'RSS',
        measured: 'skipped (no registry)',
        baseline: '-',
        ratio: '-',
        target: '< 200 MB',
        pass: null,
      },
    ]);
    return;
  }
  const rows = [];
  const notes = [];
  const paths = registryFiles();

  // 1. Build. Read the files once first so both sides find them in the page cache.
  baselineTokenize(paths);
  const b0 = performance.now();
  const fieldCount = baselineTokenize(paths);
  const baseMs = performance.now() - b0;
  const dataDir = process.env.NUMINFO_BENCH_DATA_DIR || join(benchTempDir(), 'data');
  if (!existsSync(dataDir)) mkdirSync(dataDir, { recursive: true });
  const build = await buildSnapshot(dataDir);
  console.log(
    `snapshot: ${paths.length} CSV files from ${REGISTRY_DIR}: ${build.meta.rows} ranges, ${build.meta.operators} ` +
      `operators, ${build.meta.territories} territories`,
  );
  console.log(
    `  build ${fmtMs(build.totalMs)} (read ${fmtMs(build.readMs)}, import ${fmtMs(build.importMs)}, ` +
      `encode + write + fsync ${fmtMs(build.writeMs)}); baseline split into ${fieldCount.toLocaleString('en-US')} ` +
      `fields ${fmtMs(baseMs)}`,
  );
  rows.push({
    scenario,
    metric: 'snapshot: build from the four CSVs (read + importRegistry + encode + write)',
    measured: fmtMs(build.totalMs),
    baseline: `${fmtMs(baseMs)} (read + split lines/fields)`,
    ratio: `${(build.totalMs / baseMs).toFixed(1)}x`,
    target: '< 5 s',
    pass: build.totalMs < BUILD_TARGET_MS,
    raw: { ...build, meta: undefined, baselineMs: baseMs },
  });

  // 2. Cold start, numinfo and bare alternately; the last numinfo and bare servers stay up for 3.
  const coldN = [];
  const coldB = [];
  let numinfo = null;
  let bare = null;
  try {
    for (let i = 0; i < COLD_STARTS; i++) {
      const last = i === COLD_STARTS - 1;
      const b = await coldStart('bare', dataDir);
      coldB.push(b.ms);
      if (last) bare = b;
      else await stopChild(b.child);
      const n = await coldStart('numinfo', dataDir);
      coldN.push(n.ms);
      if (last) numinfo = n;
      else await stopChild(n.child);
    }
    const cn = median(coldN);
    const cb = median(coldB);
    console.log(
      `  cold start (spawn to first good /healthz), ${COLD_STARTS} runs: numinfo serve ` +
        `${coldN.map(fmtMs).join(', ')}; bare node:http ${coldB.map(fmtMs).join(', ')}`,
    );
    rows.push({
      scenario,
      metric: 'cold start: `numinfo serve` with the snapshot, spawn to first /healthz (median)',
      measured: fmtMs(cn),
      baseline: `${fmtMs(cb)} (bare node:http)`,
      ratio: `${(cn / cb).toFixed(1)}x`,
      target: '< 1 s',
      pass: cn < COLD_TARGET_MS,
      raw: { numinfo: coldN, bare: coldB },
    });

    // 3. Memory after some lookups.
    const { readSnapshotFile } = await dist('data/snapshot.js');
    const nums = sampleNationals(readSnapshotFile(build.path), 1000, 4242);
    const reqPaths = nums.flatMap((n, k) => [
      `/get/?num=8${n}`,
      `/v1/lookup?number=${k % 2 ? '%2B7' : '8'}${n}`,
    ]);
    const errN = await exercise(numinfo.port, reqPaths);
    await exercise(bare.port, reqPaths);
    await sleep(200);
    const mn = procRss(numinfo.child.pid);
    const mb = procRss(bare.child.pid);
    if (!mn || !mb) {
      notes.push('RSS not measured: /proc/PID/status is not available on this platform');
    } else {
      console.log(
        `  RSS after ${RSS_REQUESTS.toLocaleString('en-US')} requests (/get/ and /v1/lookup): numinfo ${fmtMB(mn.rss)} ` +
          `(peak ${fmtMB(mn.peak)}), bare node:http ${fmtMB(mb.rss)} (peak ${fmtMB(mb.peak)}); ` +
          `difference ${fmtMB(mn.rss - mb.rss)}`,
      );
      if (errN > 0) notes.push(`memory run: numinfo answered ${errN} requests with errors or non-2xx`);
      rows.push({
        scenario,
        metric: 'memory: RSS of `numinfo serve` with the full registry, after lookups',
        measured: `${fmtMB(mn.rss)} (peak ${fmtMB(mn.peak)})`,
        baseline: `${fmtMB(mb.rss)} (bare node:http)`,
        ratio: `+${fmtMB(mn.rss - mb.rss)}`,
        target: '< 200 MB',
        pass: mn.rss < RSS_TARGET,
        raw: { numinfo: mn, bare: mb },
      });
    }
  } finally {
    if (numinfo) await stopChild(numinfo.child);
    if (bare) await stopChild(bare.child);
  }
  report(scenario, rows, notes);
}

runMain(main);
