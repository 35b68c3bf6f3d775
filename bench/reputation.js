// Reputation on the real server (buildServer over an SQLite store in a temp dir, the registry
// snapshot loaded): report ingestion (`POST /v1/reports`, one report per request and batches),
// reputation reads (`GET /v1/reputation/{number}` over a warm set) and the Gilraen combined method
// (`GET /gilraen/v1/number`, signed, with a quota key). The server runs in a child process (this
// file with --serve); autocannon runs here. The baseline is the voxlink lookup route
// `GET /get/?num=` on the same server in the same run (an in-memory lookup on the most optimized
// route: what this HTTP stack answers per second when a request does next to nothing), or
// `GET /healthz` without a registry. ReputationService is also measured inside the server process.
// Targets: >= 5,000 single reports/s; >= 50,000 reputation reads/s.
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clearTimeout, setTimeout } from 'node:timers';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import {
  dist,
  ensureSnapshot,
  fmtInt,
  machineBusy,
  measureCannon,
  median,
  registryFiles,
  report,
  runMain,
  sampleNationals,
  stopChild,
} from './lib/common.js';
import { argValue, serveControl } from './servers/ipc.js';

const CONNECTIONS = Number(process.env.BENCH_REP_CONNECTIONS ?? 100);
const ROUNDS = Number(process.env.BENCH_REP_ROUNDS ?? 3);
const ROUND_S = Number(process.env.BENCH_REP_ROUND_S ?? 3);
const WARMUP_S = Number(process.env.BENCH_REP_WARMUP_S ?? 1);
/** Reports per request in the batched runs. */
const BATCH = Number(process.env.BENCH_REP_BATCH ?? 100);
/** Distinct reporters (API keys) the reports come from, in turn. */
const REPORTERS = Number(process.env.BENCH_REP_REPORTERS ?? 200);
/** Numbers read in the read runs; all reported before, all in the service's cache after the warm-up. */
const WARM_SET = Number(process.env.BENCH_REP_WARM_SET ?? 10_000);
const INPROC_MS = Number(process.env.BENCH_REP_INPROC_MS ?? 2000);
const TARGET_REPORTS = 5000;
const TARGET_READS = 50_000;
const GILRAEN_PREFIX = '/gilraen';
const GILRAEN_FIELDS = 'bans,index,unwanted';

/**
 * The i-th distinct mobile number: 7 9xx xxx-xx-xx walked with a step coprime to 10^9 − 1, so
 * consecutive reports hit numbers far apart in the index, as real traffic does.
 */
function numberAt(i) {
  return '79' + String((i * 7919) % 999_999_999).padStart(9, '0');
}

// ---------------------------------------------------------------------------------------------
// The server (child process)

async function serve(snapshot, dir) {
  const { readSnapshotFile } = await dist('data/snapshot.js');
  const { RegistryIndex } = await dist('data/registryIndex.js');
  const { NumberService } = await dist('services/numberService.js');
  const { buildServer, openStoreServices } = await dist('http/server.js');

  const service = new NumberService(snapshot ? new RegistryIndex(readSnapshotFile(snapshot)) : null);
  // As `numinfo serve` opens it: SQLite in the data directory, default tags seeded.
  const stores = await openStoreServices({
    store: '',
    dataDir: dir,
    masterKey: '',
    apiKeys: '',
    trustThreshold: 3,
    blockUnwanted: true,
    signatureWindow: 300,
    signNative: false,
  });
  const reporters = [];
  for (let i = 0; i < REPORTERS; i++) {
    const k = await stores.keys.create({
      name: `reporter ${i}`,
      role: 'client',
      quota: null,
      period: 'none',
    });
    reporters.push(k.token);
  }
  const quotaKey = await stores.keys.create({ name: 'gilraen', role: 'client', quota: 1e12, period: 'none' });
  const app = buildServer({
    service,
    config: { batchLimit: 1000, logLevel: 'silent', gilraenPrefix: GILRAEN_PREFIX },
    stores,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });

  process.on('message', async (m) => {
    if (typeof m !== 'object' || m === null || m.cmd !== 'inproc') return;
    process.send({ inproc: await inProcess(stores.reputation, m) });
  });
  serveControl(app.server.address().port, {
    reporters,
    quotaKey: { token: quotaKey.token, secret: quotaKey.secret },
    driver: stores.store.driver,
  });
}

/**
 * ReputationService in the server process, no HTTP: `get` over the warm set (cached, as the HTTP
 * read runs see it), `get` of numbers never read before (a store read and the index computed), and
 * `report` of one report per call, each awaited (one store transaction each).
 */
async function inProcess(reputation, { warm, cold, fresh }) {
  const timed = async (numbers) => {
    let n = 0;
    const t0 = performance.now();
    const end = t0 + INPROC_MS;
    while (performance.now() < end) {
      for (let k = 0; k < 1000; k++) await reputation.get(numbers[n++ % numbers.length]);
    }
    return (n / (performance.now() - t0)) * 1000;
  };
  await timed(warm);
  const warmRate = await timed(warm);
  let i = 0;
  let t0 = performance.now();
  while (performance.now() - t0 < INPROC_MS && i < cold.length) await reputation.get(cold[i++]);
  const coldRate = (i / (performance.now() - t0)) * 1000;
  let j = 0;
  t0 = performance.now();
  while (performance.now() - t0 < INPROC_MS && j < fresh.length) {
    await reputation.report(`inproc-${j % REPORTERS}`, [
      { number: fresh[j++], kind: 'ban', tags: [{ type: 'CALL_REASON', id: 100009 }], unwanted: true },
    ]);
  }
  const reportRate = (j / (performance.now() - t0)) * 1000;
  return { warm: warmRate, cold: coldRate, report: reportRate };
}

// ---------------------------------------------------------------------------------------------
// The client (this process)

async function startServerChild(snapshot, dir) {
  const args = [fileURLToPath(import.meta.url), '--serve', dir];
  if (snapshot) args.push('--snapshot', snapshot);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = await new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error('reputation server did not start in 60 s')), 60_000);
    child.once('message', (m) => {
      clearTimeout(timer);
      res(m);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      rej(new Error(`reputation server exited with code ${code} before it was ready`));
    });
  });
  return { child, ...ready };
}

function cannon(port, request, duration, pipelining = 1) {
  return autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: CONNECTIONS,
    pipelining,
    duration,
    timeout: 10,
    sampleInt: 100,
    requests: [request],
  });
}

/** One run: requests/s from autocannon's start event (after it built its clients), CPU of both sides. */
function measure(server, request, pipelining = 1) {
  return measureCannon(server, () => cannon(server.port, request, ROUND_S, pipelining));
}

/** The median run by requests/s, errors summed. */
function summarize(runs) {
  const m = median(runs.map((x) => x.rps));
  const pick = runs.reduce((a, b) => (Math.abs(b.rps - m) < Math.abs(a.rps - m) ? b : a));
  return {
    ...pick,
    rps: m,
    runs: runs.map((x) => x.rps),
    errors: runs.reduce((n, x) => n + x.errors, 0),
    serverUsPerReq: median(runs.map((x) => x.serverUsPerReq)),
  };
}

/**
 * Each request kind gets a warm-up, then ROUNDS runs each, alternating between the kinds (who goes
 * first alternates too), so a drift in the machine's load hits all of them alike.
 */
async function paired(server, requests) {
  for (const req of requests) await cannon(server.port, req, WARMUP_S);
  const runs = requests.map(() => []);
  for (let r = 0; r < ROUNDS; r++) {
    const order = requests.map((_, i) => i);
    if (r % 2 === 1) order.reverse();
    for (const i of order) runs[i].push(await measure(server, requests[i]));
  }
  return runs.map(summarize);
}

function line(name, m, unit = 'req/s') {
  return (
    `  ${name.padEnd(26)} ${fmtInt(m.rps).padStart(8)} ${unit} median of ${m.runs.map(fmtInt).join(', ')} ` +
    `(latency avg ${m.latencyAvg.toFixed(2)} ms p99 ${m.latencyP99} ms, errors/non-2xx ${m.errors}; CPU: server ` +
    `${(m.serverCpu * 100).toFixed(0)}%, autocannon ${(m.clientCpu * 100).toFixed(0)}%; server CPU/request ` +
    `${m.serverUsPerReq.toFixed(1)} µs)`
  );
}

function rfc3986(s) {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

/** A Gilraen client's signature: sha256(METHOD + host + path + sorted encoded params + secret). */
function gilraenSign(host, path, params, secret) {
  const text = params
    .map(([k, v]) => [rfc3986(k), rfc3986(v)])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  return createHash('sha256')
    .update('GET' + host + path + text + secret)
    .digest('hex');
}

/** Asks the server child to measure ReputationService in its own process. */
function inProcessOf(server, what) {
  return new Promise((res) => {
    const onMessage = (m) => {
      if (m && m.inproc) {
        server.child.off('message', onMessage);
        res(m.inproc);
      }
    };
    server.child.on('message', onMessage);
    server.child.send({ cmd: 'inproc', ...what });
  });
}

/**
 * The HTTP stack's own ceiling on this server: voxlink `GET /get/?num=` over real numbers (an
 * in-memory lookup answered by the most optimized route), or `GET /healthz` without a registry.
 */
async function baselineRequest(snapshot) {
  if (!snapshot) return { label: 'GET /healthz', request: { method: 'GET', path: '/healthz' } };
  const { readSnapshotFile } = await dist('data/snapshot.js');
  const paths = sampleNationals(readSnapshotFile(snapshot), 300, 777).map((n) => `/get/?num=7${n}`);
  let i = 0;
  return {
    label: 'GET /get/?num= (voxlink lookup)',
    request: {
      method: 'GET',
      path: paths[0],
      setupRequest: (req) => {
        req.path = paths[i++ % paths.length];
        return req;
      },
    },
  };
}

async function main() {
  const scenario = 'reputation';
  const snapshot = registryFiles().length > 0 ? await ensureSnapshot() : null;
  const dir = mkdtempSync(join(tmpdir(), 'numinfo-bench-rep-'));
  const busy = await machineBusy();
  const server = await startServerChild(snapshot, dir);
  const base = await baselineRequest(snapshot);
  const rows = [];
  const notes = [];
  if (!snapshot) notes.push('no registry snapshot: numbers were normalized without registry data');
  try {
    const { port, reporters, quotaKey } = server;
    const auth = (i) => ({ authorization: `Bearer ${reporters[i % reporters.length]}` });
    let next = 0;
    console.log(
      `reputation: ${server.driver} store in ${dir}; ${REPORTERS} reporter keys (no quota); autocannon ` +
        `${CONNECTIONS} connections, pipelining 1, ${WARMUP_S} s warm-up then ${ROUNDS} x ${ROUND_S} s per ` +
        'measurement, alternating with the baseline, medians; server in a child process, autocannon in this one',
    );

    // (1) Ingestion: every report a new number, from the next reporter in turn.
    const single = {
      method: 'POST',
      path: '/v1/reports',
      setupRequest: (req) => {
        const i = next++;
        req.headers = { 'content-type': 'application/json', ...auth(i) };
        req.body = JSON.stringify({
          number: '+' + numberAt(i),
          kind: 'ban',
          tags: [{ type: 'CALL_REASON', id: 100009 }],
          unwanted: true,
        });
        return req;
      },
    };
    const batched = {
      method: 'POST',
      path: '/v1/reports',
      setupRequest: (req) => {
        const reports = [];
        for (let k = 0; k < BATCH; k++) {
          reports.push({
            number: '+' + numberAt(next++),
            kind: 'complaint',
            tags: [{ type: 'CALL_REASON', id: 100009 }],
          });
        }
        req.headers = { 'content-type': 'application/json', ...auth(next) };
        req.body = JSON.stringify({ reports });
        return req;
      },
    };
    const [base1, s, b] = await paired(server, [base.request, single, batched]);
    console.log(line(`${base.label} (baseline)`, base1));
    console.log(line('POST /v1/reports (1 report)', s, 'rep/s'));
    console.log(line(`POST /v1/reports (${BATCH} reports)`, b));
    const bReports = b.rps * BATCH;
    const reported = next;

    // (2) Reads over a warm set of reported numbers, in the three ways clients write them. One pass
    // over the whole set first, so every number is in the service's cache before the timed runs.
    const warm = Array.from({ length: Math.min(WARM_SET, reported) }, (_, i) => numberAt(i));
    let r = 0;
    const forms = [(n) => n, (n) => '%2B' + n, (n) => '8' + n.slice(1)];
    const read = {
      method: 'GET',
      path: '/v1/reputation/0',
      setupRequest: (req) => {
        const i = r++;
        req.path = `/v1/reputation/${forms[i % 3](warm[i % warm.length])}`;
        req.headers = auth(i);
        return req;
      },
    };
    await autocannon({
      url: `http://127.0.0.1:${port}`,
      connections: 10,
      amount: warm.length,
      requests: [read],
    });
    const [base2, reads] = await paired(server, [base.request, read]);
    console.log(line(`${base.label} (baseline)`, base2));
    console.log(line('GET /v1/reputation/{number}', reads));

    // (3) Gilraen /v1/number, signed, spending units of a quota key. A signature is good once, so
    // each request asks about another number (two equal requests in one second are a replay).
    const host = `127.0.0.1:${port}`;
    const gPath = `${GILRAEN_PREFIX}/v1/number`;
    let g = 0;
    const gilraen = {
      method: 'GET',
      path: gPath,
      setupRequest: (req) => {
        const params = [
          ['key', quotaKey.token],
          ['number', numberAt(g++ % reported)],
          ['opt_fields', GILRAEN_FIELDS],
          ['timestamp', String(Math.floor(Date.now() / 1000))],
        ];
        params.push(['signature', gilraenSign(host, gPath, params, quotaKey.secret)]);
        req.path = `${gPath}?${params.map(([k, v]) => `${k}=${rfc3986(v)}`).join('&')}`;
        return req;
      },
    };
    const [gr] = await paired(server, [gilraen]);
    console.log(line(`GET ${gPath} (signed, quota)`, gr));

    const inproc = await inProcessOf(server, {
      warm,
      cold: Array.from({ length: 300_000 }, (_, i) => numberAt(reported + 1_000_000 + i)),
      fresh: Array.from({ length: 300_000 }, (_, i) => numberAt(reported + 2_000_000 + i)),
    });
    console.log(
      `  in-process ReputationService: get ${fmtInt(inproc.warm)} /s cached, ${fmtInt(inproc.cold)} /s first ` +
        `reads (store + index); report ${fmtInt(inproc.report)} /s one per call`,
    );

    const pct = (a, bb) => `${((a / bb) * 100).toFixed(0)}%`;
    rows.push(
      {
        scenario,
        metric: 'reputation: POST /v1/reports, 1 report per request, distinct numbers and reporters',
        measured: `${fmtInt(s.rps)} reports/s`,
        baseline: `${fmtInt(base1.rps)} req/s (${base.label})`,
        ratio: pct(s.rps, base1.rps),
        target: `>= ${fmtInt(TARGET_REPORTS)}/s`,
        pass: s.errors === 0 && s.rps >= TARGET_REPORTS,
      },
      {
        scenario,
        metric: `reputation: POST /v1/reports, ${BATCH} reports per request`,
        measured: `${fmtInt(bReports)} reports/s`,
        baseline: `${fmtInt(s.rps)} reports/s (1 per request)`,
        ratio: `${(bReports / s.rps).toFixed(1)}x`,
        target: `>= ${fmtInt(TARGET_REPORTS)}/s`,
        pass: b.errors === 0 && bReports >= TARGET_REPORTS,
      },
      {
        scenario,
        metric: 'reputation: in-process ReputationService.report, 1 report per call (information)',
        measured: `${fmtInt(inproc.report)} reports/s`,
        baseline: `${fmtInt(s.rps)} reports/s (over HTTP)`,
        ratio: `${(inproc.report / s.rps).toFixed(1)}x`,
        target: '(info)',
        pass: null,
      },
      {
        scenario,
        metric: `reputation: GET /v1/reputation/{number}, ${fmtInt(warm.length)} warm numbers`,
        measured: `${fmtInt(reads.rps)} reads/s`,
        baseline: `${fmtInt(base2.rps)} req/s (${base.label})`,
        ratio: pct(reads.rps, base2.rps),
        target: `>= ${fmtInt(TARGET_READS)}/s`,
        pass: reads.errors === 0 && reads.rps >= TARGET_READS,
      },
      {
        scenario,
        metric: 'reputation: in-process ReputationService.get, warm (cached) numbers',
        measured: `${fmtInt(inproc.warm)} reads/s`,
        baseline: `${fmtInt(inproc.cold)} /s first reads (store + index)`,
        ratio: `${(inproc.warm / inproc.cold).toFixed(1)}x`,
        target: `>= ${fmtInt(TARGET_READS)}/s`,
        pass: inproc.warm >= TARGET_READS,
      },
      {
        scenario,
        metric: `reputation: Gilraen GET ${gPath}?opt_fields=${GILRAEN_FIELDS}, signed, quota key (3 units)`,
        measured: `${fmtInt(gr.rps)} req/s`,
        baseline: `${fmtInt(base2.rps)} req/s (${base.label})`,
        ratio: pct(gr.rps, base2.rps),
        target: '(info)',
        pass: gr.errors === 0 ? null : false,
      },
    );
    notes.push(
      `server CPU per request: baseline ${base1.serverUsPerReq.toFixed(1)} / ${base2.serverUsPerReq.toFixed(1)} µs, ` +
        `1 report ${s.serverUsPerReq.toFixed(1)} µs, ${BATCH} reports ${b.serverUsPerReq.toFixed(1)} µs, read ` +
        `${reads.serverUsPerReq.toFixed(1)} µs, Gilraen ${gr.serverUsPerReq.toFixed(1)} µs`,
    );
    if (busy !== null && busy > 0.2) {
      notes.push(
        `other processes used ${(busy * 100).toFixed(0)}% of the machine just before this scenario: rates are ` +
          'lower than on an idle machine',
      );
    }
    for (const [name, m] of [
      ['baseline', base1],
      ['reports', s],
      ['batches', b],
      ['reads', reads],
      ['gilraen', gr],
    ]) {
      if (m.errors > 0) notes.push(`${name}: ${m.errors} errors/non-2xx answers`);
    }
  } finally {
    await stopChild(server.child);
    rmSync(dir, { recursive: true, force: true });
  }
  report(scenario, rows, notes);
}

const serveDir = argValue('serve');
if (serveDir) await serve(argValue('snapshot'), serveDir);
else runMain(main);
