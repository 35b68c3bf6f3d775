// HTTP `GET /get/?num=` (voxlink v1) on the real server against a bare node:http server answering a
// constant JSON body of the same size. Each server runs in its own child process
// (bench/servers/*.js); autocannon runs here, in the parent, against both the same way.
// Target: numinfo >= 75% of the bare server's requests/s.
import autocannon from 'autocannon';
import {
  dist,
  ensureSnapshot,
  fmtInt,
  httpGet,
  measureCannon,
  median,
  registryAvailable,
  report,
  runMain,
  sampleNationals,
  startServer,
  stopChild,
} from './lib/common.js';

const CONNECTIONS = Number(process.env.BENCH_HTTP_CONNECTIONS ?? 100);
const WARMUP_S = Number(process.env.BENCH_HTTP_WARMUP_S ?? 1);
/** Each server is measured in ROUNDS runs of ROUND_S seconds, alternating with the other one. */
const ROUNDS = Number(process.env.BENCH_HTTP_ROUNDS ?? 5);
const ROUND_S = Number(process.env.BENCH_HTTP_ROUND_S ?? 2);
const PIPELINING = (process.env.BENCH_HTTP_PIPELINING ?? '1,10').split(',').map(Number);
const NUMBERS = 300;
const TARGET = 0.75;
/**
 * The target is judged at pipelining 1, how voxlink clients (Asterisk CURL(), scripts) call; the
 * pipelined run is reported alongside, as information.
 */
const TARGET_PIPELINING = 1;

/** The ways clients put a number in `num=`: `79161234567`, `89161234567`, `+79161234567` (encoded). */
function numParam(national, k) {
  return ['7', '8', '%2B7'][k % 3] + national;
}

function cannon(port, paths, pipelining, duration) {
  return autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: CONNECTIONS,
    pipelining,
    duration,
    timeout: 10,
    sampleInt: 100, // checks for the end of the run every 100 ms, not every second
    requests: paths.map((path) => ({ method: 'GET', path })),
  });
}

/** One measured run, with the server's and this process's CPU use over it. */
function measure(server, paths, pipelining) {
  return measureCannon(server, () => cannon(server.port, paths, pipelining, ROUND_S));
}

/** Median run by req/s, with errors summed over all runs. */
function summarize(runs) {
  const m = median(runs.map((r) => r.rps));
  const pick = runs.reduce((a, b) => (Math.abs(b.rps - m) < Math.abs(a.rps - m) ? b : a));
  return {
    ...pick,
    rps: m,
    errors: runs.reduce((n, r) => n + r.errors, 0),
    runs: runs.map((r) => r.rps),
    serverUsPerReq: median(runs.map((r) => r.serverUsPerReq)),
  };
}

function line(name, m) {
  return (
    `  ${name.padEnd(8)} ${fmtInt(m.rps).padStart(8)} req/s median of ${m.runs.map(fmtInt).join(', ')} ` +
    `(latency avg ${m.latencyAvg.toFixed(2)} ms p99 ${m.latencyP99} ms, errors/non-2xx ${m.errors}; ` +
    `CPU: server ${(m.serverCpu * 100).toFixed(0)}%, autocannon ${(m.clientCpu * 100).toFixed(0)}% of a core; ` +
    `server CPU per request ${m.serverUsPerReq.toFixed(1)} µs)`
  );
}

async function main() {
  const scenario = 'http';
  if (!registryAvailable(scenario)) {
    report(scenario, [
      {
        scenario,
        metric: 'http: GET /get/?num= req/s',
        measured: 'skipped (no registry)',
        baseline: '-',
        ratio: '-',
        target: '>= 75% of bare',
        pass: null,
      },
    ]);
    return;
  }
  const { readSnapshotFile } = await dist('data/snapshot.js');
  const snapshot = await ensureSnapshot();
  const nums = sampleNationals(readSnapshotFile(snapshot), NUMBERS, 777).map(numParam);
  const paths = nums.map((n) => `/get/?num=${n}`);

  const bare = await startServer('bare');
  const numinfo = await startServer('numinfo', ['--snapshot', snapshot]);
  const rows = [];
  const notes = [];
  try {
    // Every number must be a real, found one: a 404 is cheaper than an answer and would flatter us.
    for (let i = 0; i < paths.length; i += 50) {
      await Promise.all(
        paths.slice(i, i + 50).map(async (p) => {
          const r = await httpGet(numinfo.port, p);
          if (r.status !== 200)
            throw new Error(`numinfo answered ${r.status} to ${p}: ${r.body.slice(0, 200)}`);
        }),
      );
    }
    console.log(
      `http: ${NUMBERS} real numbers (e.g. ${paths.slice(0, 3).join(', ')}), all answered 200; ` +
        `autocannon ${CONNECTIONS} connections; per pipelining setting: ${WARMUP_S} s warm-up each, then ` +
        `${ROUNDS} alternating ${ROUND_S} s runs per server, medians compared; servers in child processes, ` +
        'autocannon in this one',
    );
    for (const pipelining of PIPELINING) {
      console.log(`  pipelining ${pipelining}:`);
      await cannon(bare.port, paths, pipelining, WARMUP_S);
      await cannon(numinfo.port, paths, pipelining, WARMUP_S);
      const bareRuns = [];
      const ourRuns = [];
      for (let r = 0; r < ROUNDS; r++) {
        // Alternate who goes first, so a drift in machine load hits both alike.
        if (r % 2 === 0) {
          bareRuns.push(await measure(bare, paths, pipelining));
          ourRuns.push(await measure(numinfo, paths, pipelining));
        } else {
          ourRuns.push(await measure(numinfo, paths, pipelining));
          bareRuns.push(await measure(bare, paths, pipelining));
        }
      }
      const b = summarize(bareRuns);
      const n = summarize(ourRuns);
      console.log(line('bare', b));
      console.log(line('numinfo', n));
      const ratio = n.rps / b.rps;
      rows.push({
        scenario,
        metric: `http: GET /get/?num= req/s (${CONNECTIONS} conn, pipelining ${pipelining})`,
        measured: `${fmtInt(n.rps)} req/s`,
        baseline: `${fmtInt(b.rps)} req/s (bare node:http)`,
        ratio: `${(ratio * 100).toFixed(0)}%`,
        target: pipelining === TARGET_PIPELINING ? `>= ${TARGET * 100}% of bare` : `(info; ${TARGET * 100}%)`,
        pass: pipelining === TARGET_PIPELINING ? n.errors === 0 && ratio >= TARGET : null,
        raw: { pipelining, numinfo: n, bare: b, ratio },
      });
      notes.push(
        `pipelining ${pipelining}: server CPU per request (median) numinfo ${n.serverUsPerReq.toFixed(1)} µs, bare ` +
          `${b.serverUsPerReq.toFixed(1)} µs: numinfo costs ${(n.serverUsPerReq / b.serverUsPerReq).toFixed(2)}x ` +
          'the CPU of a constant answer per request',
      );
      if (n.errors > 0)
        notes.push(`pipelining ${pipelining}: numinfo had ${n.errors} errors/non-2xx answers`);
      if (b.clientCpu > 0.9) {
        notes.push(
          `pipelining ${pipelining}: autocannon used ${(b.clientCpu * 100).toFixed(0)}% of a core against the bare ` +
            `server (which used ${(b.serverCpu * 100).toFixed(0)}%): the load generator, not the bare server, ` +
            'may be the limit there, which flatters the ratio',
        );
      }
    }
  } finally {
    await stopChild(bare.child);
    await stopChild(numinfo.child);
  }
  report(scenario, rows, notes);
}

runMain(main);
