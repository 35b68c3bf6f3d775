// FastAGI `agi://host/lookup` sessions on the real server (startAgiServer over a registry snapshot)
// against a bare node:net FastAGI server doing the same exchange with no lookup: it reads the header
// block, then sends the same 8 constant SET VARIABLE lines one at a time, each after the reply to the
// one before, and closes. Each server runs in its own child process (this file with --serve); the
// client here plays Asterisk against both the same way: one TCP connection per session, the header
// block of a real call, `200 result=1` to every command line, session time from connect() until
// the server closes.
// Targets: >= 5,000 lookup sessions/s on loopback; p99 session time < 5 ms at 1,000 sessions/s.
import { Buffer } from 'node:buffer';
import { execFileSync, spawn } from 'node:child_process';
import os from 'node:os';
import { connect, createServer } from 'node:net';
import { setTimeout } from 'node:timers';
import { fileURLToPath } from 'node:url';
import {
  ask,
  dist,
  ensureSnapshot,
  fmtInt,
  machineBusy,
  median,
  registryAvailable,
  report,
  runMain,
  sampleNationals,
  stopChild,
} from './lib/common.js';
import { argValue, serveControl } from './servers/ipc.js';

const SESSIONS = Number(process.env.BENCH_AGI_SESSIONS ?? 20_000);
const ROUNDS = Number(process.env.BENCH_AGI_ROUNDS ?? 4);
const CONNECTIONS = Number(process.env.BENCH_AGI_CONNECTIONS ?? 50);
const RATE = Number(process.env.BENCH_AGI_RATE ?? 1000);
const RATE_S = Number(process.env.BENCH_AGI_RATE_S ?? 5);
/** Fixed-rate runs per server, alternating; the median p99 is reported. */
const RATE_ROUNDS = Number(process.env.BENCH_AGI_RATE_ROUNDS ?? 3);
const WARMUP = 3000;
const NUMBERS = 300;
const TARGET_RATE = 5000;
/**
 * Servers on core 0, this client on core 1 (taskset), so they stop preempting each other, as a PBX on
 * its own machine would not. On by default where taskset and two cores exist; BENCH_AGI_PIN=0 turns it off.
 */
const PIN =
  process.env.BENCH_AGI_PIN !== '0' &&
  os.availableParallelism() >= 2 &&
  (() => {
    try {
      execFileSync('taskset', ['-V'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
const TARGET_P99_MS = 5;
const COMMANDS = 8;
const LAST = 'SET VARIABLE "NUMINFO_STATUS" "OK"';

// ---------------------------------------------------------------------------------------------
// Servers (child processes)

async function serveNuminfo(snapshot) {
  const { readSnapshotFile } = await dist('data/snapshot.js');
  const { RegistryIndex } = await dist('data/registryIndex.js');
  const { NumberService } = await dist('services/numberService.js');
  const { startAgiServer } = await dist('agi/server.js');
  const service = new NumberService(new RegistryIndex(readSnapshotFile(snapshot)));
  const router = { route: () => ({ route: 'default', rule: null }) };
  const agi = await startAgiServer({ host: '127.0.0.1', port: 0, service, router: () => router });
  serveControl(agi.port);
}

function serveBare() {
  const lines = [
    'SET VARIABLE "NUMINFO_OPERATOR" "ООО \\"Т2 Мобайл\\""\n',
    'SET VARIABLE "NUMINFO_OPERATOR_LAT" "OOO \\"T2 Mobayl\\""\n',
    'SET VARIABLE "NUMINFO_REGION" "Краснодарский край"\n',
    'SET VARIABLE "NUMINFO_REGION_CODE" "23"\n',
    'SET VARIABLE "NUMINFO_TYPE" "mobile"\n',
    'SET VARIABLE "NUMINFO_PORTED" "0"\n',
    'SET VARIABLE "NUMINFO_MNC" ""\n',
    LAST + '\n',
  ];
  const server = createServer({ noDelay: true }, (s) => {
    let rest = '';
    let header = true;
    let next = 0;
    s.setEncoding('utf8');
    s.on('error', () => {});
    s.on('data', (text) => {
      rest += text;
      let nl;
      while ((nl = rest.indexOf('\n')) >= 0) {
        const line = rest.slice(0, nl);
        rest = rest.slice(nl + 1);
        if (header) {
          if (line !== '') continue;
          header = false;
        }
        if (next < lines.length) s.write(lines[next++]);
        else s.end();
      }
    });
  });
  server.listen(0, '127.0.0.1', () => serveControl(server.address().port));
}

function startChild(kind, snapshot) {
  // BENCH_AGI_SERVER_FLAGS: node flags for the servers only (e.g. --trace-gc), not for the client.
  const flags = (process.env.BENCH_AGI_SERVER_FLAGS ?? '').split(' ').filter(Boolean);
  const args = [...flags, fileURLToPath(import.meta.url), '--serve', kind, '--snapshot', snapshot];
  const pin = PIN;
  const child = pin
    ? spawn('taskset', ['-c', '0', process.execPath, ...args], {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      })
    : spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve({ child, port: m.port }));
    child.once('exit', (code) => reject(new Error(`${kind} AGI server exited with code ${code}`)));
  });
}

// ---------------------------------------------------------------------------------------------
// The Asterisk side

function headerOf(national, k) {
  return (
    'agi_network: yes\nagi_network_script: lookup\nagi_request: agi://127.0.0.1/lookup\n' +
    `agi_channel: PJSIP/trunk-${String(k).padStart(8, '0')}\nagi_language: ru\nagi_type: PJSIP\n` +
    `agi_uniqueid: 1763900000.${k}\nagi_version: 20.5.0\nagi_callerid: 7${national}\n` +
    'agi_calleridname: unknown\nagi_callingpres: 0\nagi_callingani2: 0\nagi_callington: 0\n' +
    'agi_callingtns: 0\nagi_dnid: 4951000000\nagi_rdnis: unknown\nagi_context: from-trunk\n' +
    'agi_extension: 4951000000\nagi_priority: 2\nagi_enhanced: 0.0\nagi_accountcode: \n' +
    `agi_threadid: 140245120014080\nagi_arg_1: 7${national}\n\n`
  );
}

const LAST_BYTES = Buffer.from(LAST);
const REPLY = Buffer.from('200 result=1\n');

/** One call; `done(ms, ok)` when the server has closed. Works on bytes: the client must stay cheap. */
function session(port, header, done) {
  const t0 = performance.now();
  const s = connect({ port, host: '127.0.0.1', noDelay: true });
  let commands = 0;
  let lastOk = false;
  let failed = false;
  s.on('connect', () => s.write(header));
  s.on('data', (chunk) => {
    // Each command arrives alone (the server waits for the reply), so a chunk is one whole line.
    let start = 0;
    let nl;
    while ((nl = chunk.indexOf(10, start)) >= 0) {
      commands++;
      lastOk = LAST_BYTES.equals(chunk.subarray(start, nl));
      start = nl + 1;
      s.write(REPLY);
    }
    if (start !== chunk.length) failed = true;
  });
  s.on('error', () => {
    failed = true;
  });
  s.on('close', () => done(performance.now() - t0, !failed && commands === COMMANDS && lastOk));
}

/** `total` sessions, `connections` at a time: sessions/s. */
function closedLoop(port, headers, total, connections) {
  return new Promise((resolve) => {
    let started = 0;
    let finished = 0;
    let errors = 0;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const next = () => {
      const k = started++;
      session(port, headers[k % headers.length], (_ms, ok) => {
        if (!ok) errors++;
        finished++;
        if (started < total) next();
        else if (finished === total) {
          const seconds = (performance.now() - t0) / 1000;
          const cpu = process.cpuUsage(c0);
          resolve({
            rate: total / seconds,
            seconds,
            errors,
            clientCpu: (cpu.user + cpu.system) / 1e6 / seconds,
          });
        }
      });
    };
    for (let i = 0; i < Math.min(connections, total); i++) next();
  });
}

/** Sessions started at a fixed `rate` for `seconds` (open loop): session time percentiles. */
function fixedRate(port, headers, rate, seconds) {
  return new Promise((resolve) => {
    const total = Math.round(rate * seconds);
    const times = [];
    let started = 0;
    let errors = 0;
    const t0 = performance.now();
    const finish = () => {
      times.sort((a, b) => a - b);
      const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
      resolve({ p50: at(0.5), p99: at(0.99), max: times[times.length - 1], errors, total });
    };
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * rate) + 1);
      while (started < due) {
        const k = started++;
        session(port, headers[k % headers.length], (ms, ok) => {
          times.push(ms);
          if (!ok) errors++;
          if (times.length === total) finish();
        });
      }
      if (started < total) setTimeout(tick, 1);
    };
    tick();
  });
}

const cpuSeconds = (a, b) => (b.user - a.user + b.system - a.system) / 1e6;

async function measure(server, headers, total) {
  const s0 = await ask(server.child, 'stats');
  const r = await closedLoop(server.port, headers, total, CONNECTIONS);
  const s1 = await ask(server.child, 'stats');
  return { ...r, serverUsPerSession: (cpuSeconds(s0.cpu, s1.cpu) * 1e6) / total };
}

async function main() {
  const scenario = 'agi';
  if (PIN) execFileSync('taskset', ['-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });
  if (!registryAvailable(scenario)) {
    report(scenario, [
      {
        scenario,
        metric: 'agi: lookup sessions/s',
        measured: 'skipped (no registry)',
        baseline: '-',
        ratio: '-',
        target: `>= ${fmtInt(TARGET_RATE)}/s`,
        pass: null,
      },
    ]);
    return;
  }
  const busy = await machineBusy();
  const { readSnapshotFile } = await dist('data/snapshot.js');
  const snapshot = await ensureSnapshot();
  const headers = sampleNationals(readSnapshotFile(snapshot), NUMBERS, 4573).map((n, k) =>
    Buffer.from(headerOf(n, k)),
  );
  const numinfo = await startChild('numinfo', snapshot);
  const bare = await startChild('bare', snapshot);
  const rows = [];
  const notes = [];
  try {
    // Warm-up, and a check that every answer is complete and OK (a real lookup of a real number).
    for (const server of [numinfo, bare]) {
      const w = await closedLoop(server.port, headers, WARMUP, CONNECTIONS);
      if (w.errors > 0)
        throw new Error(`warm-up: ${w.errors} of ${WARMUP} sessions were incomplete or not OK`);
    }
    const perRound = Math.ceil(SESSIONS / ROUNDS);
    console.log(
      `agi: ${NUMBERS} real numbers as agi_arg_1 of agi://127.0.0.1/lookup; ${fmtInt(perRound * ROUNDS)} ` +
        `sessions per server in ${ROUNDS} alternating rounds, ${CONNECTIONS} at a time; then ${fmtInt(RATE)} ` +
        `sessions/s for ${RATE_S} s each; servers in child processes, the Asterisk-like client in this one` +
        (PIN ? '; servers pinned to core 0, client to core 1' : ''),
    );
    const ours = [];
    const theirs = [];
    for (let r = 0; r < ROUNDS; r++) {
      const pair = r % 2 === 0 ? [bare, numinfo] : [numinfo, bare];
      for (const server of pair)
        (server === numinfo ? ours : theirs).push(await measure(server, headers, perRound));
    }
    const line = (name, runs) =>
      `  ${name.padEnd(8)} ${fmtInt(median(runs.map((x) => x.rate)))} sessions/s median of ` +
      `${runs.map((x) => fmtInt(x.rate)).join(', ')} (errors ${runs.reduce((n, x) => n + x.errors, 0)}; server ` +
      `CPU ${median(runs.map((x) => x.serverUsPerSession)).toFixed(0)} µs/session; client CPU ` +
      `${(median(runs.map((x) => x.clientCpu)) * 100).toFixed(0)}% of a core)`;
    console.log(line('bare', theirs));
    console.log(line('numinfo', ours));
    const n = median(ours.map((x) => x.rate));
    const b = median(theirs.map((x) => x.rate));
    const errors = ours.reduce((k, x) => k + x.errors, 0);
    rows.push({
      scenario,
      metric: `agi: lookup sessions/s (${CONNECTIONS} at a time, ${COMMANDS} commands each)`,
      measured: `${fmtInt(n)}/s`,
      baseline: `${fmtInt(b)}/s (bare node:net)`,
      ratio: `${((n / b) * 100).toFixed(0)}%`,
      target: `>= ${fmtInt(TARGET_RATE)}/s`,
      pass: errors === 0 && n >= TARGET_RATE,
    });
    const usN = median(ours.map((x) => x.serverUsPerSession));
    const usB = median(theirs.map((x) => x.serverUsPerSession));
    notes.push(
      `server CPU per session (median): numinfo ${usN.toFixed(0)} µs, bare ${usB.toFixed(0)} µs; at that cost one ` +
        `core of this machine serves about ${fmtInt(1e6 / usN)} sessions/s when the PBX runs elsewhere (here the ` +
        'client shares the cores)',
    );
    if (median(theirs.map((x) => x.clientCpu)) > 0.9) {
      notes.push(
        'the client used most of a core against the bare server: the load generator may be the limit there, ' +
          'which flatters the ratio and understates both rates',
      );
    }

    const fixed = { numinfo: [], bare: [] };
    for (let r = 0; r < RATE_ROUNDS; r++) {
      for (const name of r % 2 === 0 ? ['numinfo', 'bare'] : ['bare', 'numinfo']) {
        fixed[name].push(await fixedRate((name === 'numinfo' ? numinfo : bare).port, headers, RATE, RATE_S));
      }
    }
    const ms = (x) => `${x.toFixed(2)} ms`;
    const pick = (runs) => {
      const m = median(runs.map((x) => x.p99));
      return { ...runs.reduce((a, b) => (Math.abs(b.p99 - m) < Math.abs(a.p99 - m) ? b : a)), p99: m, runs };
    };
    const fn = pick(fixed.numinfo);
    const fb = pick(fixed.bare);
    fn.errors = fixed.numinfo.reduce((k, x) => k + x.errors, 0);
    for (const [name, f] of [
      ['bare', fb],
      ['numinfo', fn],
    ]) {
      console.log(
        `  at ${fmtInt(RATE)}/s: ${name.padEnd(8)} p99 ${ms(f.p99)} median of ${f.runs.map((x) => ms(x.p99)).join(', ')} ` +
          `(p50 ${ms(f.p50)}, max ${ms(f.max)})`,
      );
    }
    rows.push({
      scenario,
      metric: `agi: p99 session time at ${fmtInt(RATE)} sessions/s (${RATE_ROUNDS} x ${RATE_S} s)`,
      measured: ms(fn.p99),
      baseline: `${ms(fb.p99)} (bare node:net)`,
      ratio: `${(fn.p99 / fb.p99).toFixed(2)}x`,
      target: `< ${TARGET_P99_MS} ms`,
      pass: fn.errors === 0 && fn.p99 < TARGET_P99_MS,
    });
    if (busy !== null && busy > 0.2) {
      notes.push(
        `other processes used ${(busy * 100).toFixed(0)}% of the machine just before this scenario: rates are lower ` +
          'and tail latencies longer than on an idle machine',
      );
    }
    notes.push(
      'session time: from connect() to the server closing, a full lookup session (header block, 8 SET VARIABLE ' +
        'round trips, close)',
    );
  } finally {
    await stopChild(numinfo.child);
    await stopChild(bare.child);
  }
  report(scenario, rows, notes);
}

const serve = argValue('serve');
if (serve === 'numinfo') await serveNuminfo(argValue('snapshot'));
else if (serve === 'bare') serveBare();
else runMain(main);
