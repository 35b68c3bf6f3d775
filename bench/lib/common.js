// Shared helpers for the benchmark scenarios: paths, the registry snapshot, deterministic inputs,
// child-process servers and result reporting. Plain ESM over the built dist/.
import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { clearTimeout, setTimeout } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const BENCH_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const ROOT = resolve(BENCH_DIR, '..');
export const DIST = join(ROOT, 'dist');
/** The real registry: three ABC files in the 6-column layout and the current DEF file. */
export const REGISTRY_DIR = process.env.NUMINFO_BENCH_REGISTRY
  ? resolve(process.env.NUMINFO_BENCH_REGISTRY)
  : resolve(ROOT, '../shared/registry/combined');

/** Imports a module of the built package; fails with a clear message when dist/ is missing. */
export async function dist(relPath) {
  const file = join(DIST, relPath);
  if (!existsSync(file)) {
    console.error(`bench: ${file} is missing; build first (npm run build, or npm run bench which builds).`);
    process.exit(2);
  }
  return import(pathToFileURL(file).href);
}

export function registryFiles() {
  if (!existsSync(REGISTRY_DIR)) return [];
  return readdirSync(REGISTRY_DIR)
    .filter((n) => n.toLowerCase().endsWith('.csv'))
    .sort()
    .map((n) => join(REGISTRY_DIR, n));
}

/** True when the real registry is there; otherwise prints why the scenario is skipped. */
export function registryAvailable(scenario) {
  if (registryFiles().length > 0) return true;
  console.log(
    `${scenario}: SKIPPED: no registry CSV files in ${REGISTRY_DIR} ` +
      '(expected ../shared/registry/combined relative to the repo root, or set NUMINFO_BENCH_REGISTRY=DIR).',
  );
  return false;
}

let tempDir = null;
/** A temp directory removed when the process exits. */
export function benchTempDir() {
  if (!tempDir) {
    tempDir = mkdtempSync(join(tmpdir(), 'numinfo-bench-'));
    process.once('exit', () => rmSync(tempDir, { recursive: true, force: true }));
  }
  return tempDir;
}

/**
 * Path of a snapshot of the real registry. bench/run.js passes one data directory to every scenario
 * (NUMINFO_BENCH_DATA_DIR) so the snapshot is built once per run; a scenario run alone builds its own.
 */
export async function ensureSnapshot() {
  const { snapshotPath } = await dist('data/registryUpdate.js');
  const dataDir = process.env.NUMINFO_BENCH_DATA_DIR || benchTempDir();
  const path = snapshotPath(dataDir);
  if (existsSync(path)) return path;
  const { fetchRegistryFiles } = await dist('data/registrySource.js');
  const { importRegistry } = await dist('data/registryImport.js');
  const { writeSnapshotFile } = await dist('data/snapshot.js');
  const { registry } = importRegistry(await fetchRegistryFiles(REGISTRY_DIR));
  writeSnapshotFile(path, registry);
  return path;
}

/** mulberry32: small, fast, deterministic. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `count` national numbers (10 digits) drawn from real ranges of a compiled registry: a range picked
 * uniformly among all ranges (of codes >= `minCode`: 900 for mobile numbers only), then a subscriber
 * number uniformly inside it. Same seed, same list.
 */
export function sampleNationals(compiled, count, seed = 20260401, { minCode = 0 } = {}) {
  const rnd = prng(seed);
  const { codeIndex, from, to } = compiled;
  const codeOf = new Uint16Array(from.length);
  for (let c = 0; c < 1000; c++) for (let i = codeIndex[c]; i < codeIndex[c + 1]; i++) codeOf[i] = c;
  // Ranges are sorted by code, so the ranges of codes >= minCode are one block.
  const lo = codeIndex[minCode];
  const n = from.length - lo;
  const out = new Array(count);
  for (let k = 0; k < count; k++) {
    const i = lo + Math.floor(rnd() * n);
    const sub = from[i] + Math.floor(rnd() * (to[i] - from[i] + 1));
    out[k] = String(codeOf[i]).padStart(3, '0') + String(sub).padStart(7, '0');
  }
  return out;
}

/** The ways people write a Russian number, in turn: `+79161234567`, `89161234567`, `+7 (916) 123-45-67`. */
export function formatRussian(national, k) {
  switch (k % 3) {
    case 0:
      return '+7' + national;
    case 1:
      return '8' + national;
    default:
      return `+7 (${national.slice(0, 3)}) ${national.slice(3, 6)}-${national.slice(6, 8)}-${national.slice(8)}`;
  }
}

/** A free TCP port on 127.0.0.1 (released before it is returned, so a child can bind it). */
export function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

/** One GET; resolves with status and body, rejects on a connection error. */
export function httpGet(port, path, timeoutMs = 2000) {
  return new Promise((res, rej) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, timeout: timeoutMs }, (r) => {
      const chunks = [];
      r.on('data', (c) => chunks.push(c));
      r.on('end', () => res({ status: r.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
      r.on('error', rej);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', rej);
    req.end();
  });
}

/**
 * Starts a server child process (`node bench/servers/NAME.js ...args`) with an IPC channel and
 * waits for its `{ready: true, port}` message.
 */
export async function startServer(name, args = [], timeoutMs = 30_000) {
  const child = spawn(process.execPath, [join(BENCH_DIR, 'servers', `${name}.js`), ...args], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await new Promise((res, rej) => {
    const timer = setTimeout(
      () => rej(new Error(`${name} server did not start in ${timeoutMs} ms`)),
      timeoutMs,
    );
    child.once('message', (m) => {
      clearTimeout(timer);
      res(m);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      rej(new Error(`${name} server exited with code ${code} before it was ready`));
    });
  });
  return { child, port: ready.port, info: ready };
}

/** Asks a server child for `{cpu, memory}` over IPC. */
export function ask(child, what) {
  return new Promise((res) => {
    child.once('message', res);
    child.send(what);
  });
}

export async function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((res) => child.once('exit', res));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(3000)]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** Resident set size and its peak, in bytes, from /proc (Linux); null elsewhere. */
export function procRss(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]) * 1024;
    return { rss: kb('VmRSS'), peak: kb('VmHWM') };
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Formatting and reporting

export function fmtInt(n) {
  return Math.round(n).toLocaleString('en-US');
}

export function fmtMs(ms) {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}

export function fmtMB(bytes) {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

export function machine() {
  const c = cpus();
  return `${c.length} cores (${c[0]?.model?.trim() ?? 'unknown CPU'}), node ${process.version}, ${process.platform}/${process.arch}`;
}

/**
 * Prints a scenario's rows and hands them to bench/run.js when it is the parent.
 * Row: {scenario, metric, measured, baseline, ratio, target, pass (true|false|null), note?}.
 */
export function report(scenario, rows, notes = []) {
  console.log('');
  printTable(rows);
  for (const n of notes) console.log(`  note: ${n}`);
  console.log('');
  if (process.send) process.send({ scenario, rows, notes });
}

export function verdict(pass) {
  return pass === null ? 'info' : pass ? 'PASS' : 'MISS';
}

export function printTable(rows) {
  const head = ['scenario', 'measured', 'baseline', 'ratio', 'target', 'result'];
  const result = (r) => (String(r.measured).startsWith('skipped') ? 'SKIP' : verdict(r.pass));
  const body = rows.map((r) => [r.metric, r.measured, r.baseline, r.ratio, r.target, result(r)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => String(b[i]).length)));
  const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const b of body) console.log(line(b));
}

/** Runs `main` and exits non-zero on an exception (a MISS is not an error). */
export function runMain(main) {
  main().then(
    () => {
      process.exitCode = process.exitCode ?? 0;
    },
    (e) => {
      console.error(e?.stack ?? String(e));
      process.exitCode = 1;
    },
  );
}

/**
 * Share of the machine's CPUs busy over `ms` (from /proc/stat; null elsewhere). Sampled while we do
 * nothing, it tells how much other work competes with the benchmark.
 */
export async function machineBusy(ms = 1000) {
  const read = () => {
    try {
      const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
      const idle = f[3] + (f[4] ?? 0);
      return { idle, total: f.reduce((a, b) => a + b, 0) };
    } catch {
      return null;
    }
  };
  const a = read();
  await sleep(ms);
  const b = read();
  if (!a || !b || b.total === a.total) return null;
  return 1 - (b.idle - a.idle) / (b.total - a.total);
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/**
 * One measured autocannon run against a server child process, with the CPU both sides used.
 * `startRun` starts autocannon; it builds its clients (and every request of each) before it sends,
 * so time runs from its 'start' event, after that setup, to the end.
 */
export async function measureCannon(server, startRun) {
  const s0 = await ask(server.child, 'stats');
  let c0 = process.cpuUsage();
  let t0 = performance.now();
  const run = startRun();
  run.once('start', () => {
    c0 = process.cpuUsage();
    t0 = performance.now();
  });
  const r = await run;
  const wallS = (performance.now() - t0) / 1000;
  const c1 = process.cpuUsage(c0);
  const s1 = await ask(server.child, 'stats');
  const serverCpuS = (s1.cpu.user - s0.cpu.user + s1.cpu.system - s0.cpu.system) / 1e6;
  return {
    rps: r.requests.total / wallS,
    total: r.requests.total,
    seconds: wallS,
    latencyAvg: r.latency.average,
    latencyP99: r.latency.p99,
    errors: r.errors + r.timeouts + r.non2xx,
    serverCpu: serverCpuS / wallS,
    clientCpu: (c1.user + c1.system) / 1e6 / wallS,
    /** Server CPU time per answered request, in microseconds: what a request costs the server. */
    serverUsPerReq: (serverCpuS * 1e6) / Math.max(1, r.requests.total),
  };
}
