/**
 * The FastAGI face end to end: the real server on a real port, driven over TCP by a peer that
 * behaves as Asterisk does (res_agi.c): it sends the `agi_*` header block and an empty line, reads
 * one command per line, parses it with Asterisk's quoting rules, answers `200 result=1` (or 510, 511,
 * a multi-line 520) and may send `HANGUP` in the middle. No mocks: the registry is built from
 * ../shared/registry/combined when it is there, else from the small generated one.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgiServer, type AgiServer } from '../src/agi/server.js';
import type { LookupResult } from '../src/core/types.js';
import { RegistryIndex } from '../src/data/registryIndex.js';
import { updateRegistry } from '../src/data/registryUpdate.js';
import { readSnapshotFile } from '../src/data/snapshot.js';
import { NumberService } from '../src/services/numberService.js';
import type { Logger } from '../src/services/registryManager.js';
import { BlacklistService } from '../src/services/reputation/blacklistService.js';
import { CheckService } from '../src/services/reputation/checkService.js';
import { ReputationService } from '../src/services/reputation/reputationService.js';
import { Router } from '../src/services/routing/router.js';
import type { CallChecker, Direction, RouteDecision, RouteSource } from '../src/services/routing/types.js';
import { openStore } from '../src/store/openStore.js';
import type { Store } from '../src/store/types.js';
import {
  assertBuilt,
  CLI,
  cleanEnv,
  freePort,
  removeTempDirs,
  ROOT,
  runCli,
  SHARED_COMBINED,
  sleep,
  stopChild,
  tempDir,
  waitFor,
} from './helpers/proc.js';
import { writeRegistryDir } from './helpers/registryData.js';

const REAL = existsSync(SHARED_COMBINED);

// ---------------------------------------------------------------------------------------------
// The Asterisk-like peer

/** Splits a command line as Asterisk's parse_args does (res_agi.c): spaces, `"…"`, `\` escapes. */
function asteriskArgs(line: string): string[] {
  const argv: string[] = [];
  let cur: string | null = null;
  let quoted = false;
  let escaped = false;
  for (const ch of line) {
    if (ch === '"' && !escaped) {
      quoted = !quoted;
      if (quoted && cur === null) cur = '';
    } else if ((ch === ' ' || ch === '\t') && !quoted && !escaped) {
      if (cur !== null) argv.push(cur);
      cur = null;
    } else if (ch === '\\' && !escaped) {
      escaped = true;
      continue;
    } else {
      cur = (cur ?? '') + ch;
    }
    escaped = false;
  }
  if (cur !== null) argv.push(cur);
  return argv;
}

const USAGE_520 =
  '520-Invalid command syntax.  Proper usage follows:\n' +
  ' Usage: SET VARIABLE <variablename> <value>\n' +
  'Sets a variable to the current channel.\n' +
  '520 End of proper usage.\n';

interface Call {
  /** What follows `agi://127.0.0.1/`: `lookup`, `lookup?latin=1`. */
  readonly script?: string;
  readonly args?: readonly string[];
  readonly callerid?: string;
  readonly extension?: string;
  /** Sent instead of a header block. */
  readonly raw?: string | Buffer;
  /** Sends the header block (or `raw`) in pieces of this many bytes, one per event-loop turn. */
  readonly pieces?: number;
  /** Ends our side after sending `raw` (no empty line, then close). */
  readonly endAfterRaw?: boolean;
  /**
   * The answer to command `i` as Asterisk would write it; null: no answer at all (a silent PBX).
   * Default: what Asterisk answers (200 result=1, 510 for unknown commands, 520 for bad syntax).
   */
  readonly reply?: (argv: string[], i: number, line: string) => string | null | undefined;
  /** When command `i` arrives, the channel hangs up: `HANGUP`, then the reply, then 511 for the rest. */
  readonly hangupAt?: number;
}

interface CallResult {
  /** Command lines as received. */
  readonly lines: string[];
  readonly vars: Record<string, string>;
  readonly verbose: string[];
  /** The server closed the connection (rather than us). */
  readonly closedByServer: boolean;
  readonly ms: number;
}

function asteriskReply(argv: string[]): string {
  const cmd = argv.slice(0, 2).join(' ').toUpperCase();
  if (cmd === 'SET VARIABLE') return argv.length === 4 ? '200 result=1\n' : USAGE_520;
  if (argv[0]?.toUpperCase() === 'VERBOSE')
    return argv.length >= 2 && argv.length <= 3
      ? '200 result=1\n'
      : '520 Invalid command syntax.  Proper usage not available.\n';
  return '510 Invalid or unknown command\n';
}

function headerBlock(call: Call): string {
  const script = call.script ?? 'lookup';
  const lines = [
    'agi_network: yes',
    `agi_network_script: ${script}`,
    `agi_request: agi://127.0.0.1/${script}`,
    'agi_channel: PJSIP/trunk-0000002a',
    'agi_language: ru',
    'agi_type: PJSIP',
    'agi_uniqueid: 1763900000.42',
    'agi_version: 20.5.0',
    `agi_callerid: ${call.callerid ?? 'unknown'}`,
    'agi_calleridname: Иван Петров',
    'agi_callingpres: 0',
    'agi_callingani2: 0',
    'agi_callington: 0',
    'agi_callingtns: 0',
    `agi_dnid: ${call.extension ?? 'unknown'}`,
    'agi_rdnis: unknown',
    'agi_context: from-trunk',
    `agi_extension: ${call.extension ?? 's'}`,
    'agi_priority: 2',
    'agi_enhanced: 0.0',
    'agi_accountcode: ',
    'agi_threadid: 140245120014080',
    ...(call.args ?? []).map((a, i) => `agi_arg_${i + 1}: ${a}`),
  ];
  return lines.join('\n') + '\n\n';
}

function agiCall(port: number, call: Call, guardMs = 10_000): Promise<CallResult> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const lines: string[] = [];
    const vars: Record<string, string> = {};
    const verboseLines: string[] = [];
    let closedByServer = false;
    let hungUp = false;
    let rest = '';
    const socket = connect({ port, host: '127.0.0.1', noDelay: true });
    const guard = setTimeout(() => {
      socket.destroy();
      reject(new Error(`agi call did not end within ${guardMs} ms; got ${JSON.stringify(lines)}`));
    }, guardMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => {
      const bytes = Buffer.from(call.raw ?? headerBlock(call));
      const size = call.pieces ?? bytes.length;
      const writeFrom = (at: number): void => {
        if (socket.destroyed) return;
        socket.write(bytes.subarray(at, at + size));
        if (at + size < bytes.length) setImmediate(() => writeFrom(at + size));
        else if (call.endAfterRaw) socket.end();
      };
      writeFrom(0);
    });
    socket.on('data', (text: string) => {
      rest += text;
      let nl: number;
      while ((nl = rest.indexOf('\n')) >= 0) {
        const line = rest.slice(0, nl);
        rest = rest.slice(nl + 1);
        const i = lines.length;
        lines.push(line);
        const argv = asteriskArgs(line);
        if (hungUp) {
          socket.write('511 Command Not Permitted on a dead channel or intercept routine\n');
          continue;
        }
        const normal = asteriskReply(argv);
        let answer = call.reply ? call.reply(argv, i, line) : undefined;
        if (answer === undefined) answer = normal;
        if (answer?.startsWith('200 ') && normal === '200 result=1\n') {
          if (argv[0] === 'SET') vars[argv[2]!] = argv[3]!;
          else verboseLines.push(argv[1]!);
        }
        if (call.hangupAt === i) {
          hungUp = true;
          socket.write('HANGUP\n');
        }
        if (answer !== null) socket.write(answer);
      }
    });
    socket.on('end', () => {
      closedByServer = true;
    });
    socket.on('error', () => {
      /* a reset counts as a close */
    });
    socket.on('close', () => {
      clearTimeout(guard);
      resolve({ lines, vars, verbose: verboseLines, closedByServer, ms: performance.now() - t0 });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Server under test

class ListLogger implements Logger {
  readonly lines: string[] = [];
  info(m: string): void {
    this.lines.push(`info ${m}`);
  }
  warn(m: string): void {
    this.lines.push(`warn ${m}`);
  }
  error(m: string): void {
    this.lines.push(`error ${m}`);
  }
  take(): string[] {
    return this.lines.splice(0);
  }
}

/** Routing rules as a test double: by operator name, remembering what it was asked. */
class OperatorRouter implements RouteSource {
  readonly asked: { number: string | null; direction: Direction }[] = [];
  constructor(private readonly suffix = '') {}
  route(number: LookupResult, direction: Direction): RouteDecision {
    this.asked.push({ number: number.national, direction });
    if (number.operator?.name.includes('Т2')) return { route: `t2-trunk${this.suffix}`, rule: 'tele2' };
    return { route: `default${this.suffix}`, rule: null };
  }
}

const blacklist: CallChecker = {
  check: (r) =>
    Promise.resolve(
      r.national === '9000000000'
        ? { decision: 'block', reasons: ['blacklist', 'spam'], trust: 0.5 }
        : { decision: 'allow', reasons: [], trust: 7.25 },
    ),
};

let service: NumberService;
let router: RouteSource;
const log = new ListLogger();
let agi: AgiServer;
let checked: AgiServer;
let dataDir: string;

const T2 = '79000000000';
const PORTED = '79000000001';

beforeAll(async () => {
  let source = SHARED_COMBINED;
  if (!REAL) {
    console.warn(`\n[agi.test] ${SHARED_COMBINED} is missing: using a small generated registry instead.\n`);
    source = writeRegistryDir(tempDir('agi-src'));
  }
  dataDir = tempDir('agi-data');
  const result = await updateRegistry({ source, dataDir });
  service = new NumberService(new RegistryIndex(readSnapshotFile(result.path)));
  service.setOverrides([
    { number: PORTED.slice(1), operator: 'MEGAFON', mnc: null, at: '2026-10-01T12:00:00Z' },
  ]);
  router = new OperatorRouter();
  agi = await startAgiServer({
    host: '127.0.0.1',
    port: 0,
    service,
    router: () => router,
    log,
    timeoutMs: 400,
  });
  checked = await startAgiServer({
    host: '127.0.0.1',
    port: 0,
    service,
    router: () => router,
    checker: blacklist,
    log,
    timeoutMs: 400,
  });
});

afterAll(async () => {
  await agi?.close();
  await checked?.close();
  removeTempDirs();
});

const T2_VARS = {
  NUMINFO_OPERATOR: 'ООО "Т2 Мобайл"',
  NUMINFO_OPERATOR_LAT: 'OOO "T2 Mobayl"',
  NUMINFO_REGION: 'Краснодарский край',
  NUMINFO_REGION_CODE: '23',
  NUMINFO_TYPE: 'mobile',
  NUMINFO_PORTED: '0',
  NUMINFO_MNC: '20',
  NUMINFO_STATUS: 'OK',
};

const EMPTY_LOOKUP = {
  NUMINFO_OPERATOR: '',
  NUMINFO_OPERATOR_LAT: '',
  NUMINFO_REGION: '',
  NUMINFO_REGION_CODE: '',
  NUMINFO_TYPE: 'unknown',
  NUMINFO_PORTED: '0',
  NUMINFO_MNC: '',
};

describe('agi://host/lookup', () => {
  it('sets the exact variables for a known number, one quoted SET VARIABLE per line, status last', async () => {
    const r = await agiCall(agi.port, { script: 'lookup', args: [T2] });
    expect(r.vars).toStrictEqual(T2_VARS);
    expect(r.lines).toEqual([
      'SET VARIABLE "NUMINFO_OPERATOR" "ООО \\"Т2 Мобайл\\""',
      'SET VARIABLE "NUMINFO_OPERATOR_LAT" "OOO \\"T2 Mobayl\\""',
      'SET VARIABLE "NUMINFO_REGION" "Краснодарский край"',
      'SET VARIABLE "NUMINFO_REGION_CODE" "23"',
      'SET VARIABLE "NUMINFO_TYPE" "mobile"',
      'SET VARIABLE "NUMINFO_PORTED" "0"',
      'SET VARIABLE "NUMINFO_MNC" "20"',
      'SET VARIABLE "NUMINFO_STATUS" "OK"',
    ]);
    expect(r.closedByServer).toBe(true);
  });

  it('a ported number: the current operator, PORTED=1 and its MNC', async () => {
    const r = await agiCall(agi.port, { script: 'lookup', args: [PORTED] });
    expect(r.vars).toStrictEqual({
      ...T2_VARS,
      NUMINFO_OPERATOR: 'ПАО "МегаФон"',
      NUMINFO_OPERATOR_LAT: 'PAO "MegaFon"',
      NUMINFO_PORTED: '1',
      NUMINFO_MNC: '02',
    });
  });

  it('without agi_arg_1 takes the caller ID, in any usual spelling', async () => {
    for (const callerid of ['79000000000', '+79000000000', '89000000000', '9000000000']) {
      const r = await agiCall(agi.port, { script: 'lookup', callerid, extension: '4951000000' });
      expect(r.vars, callerid).toStrictEqual(T2_VARS);
    }
    // An empty first argument (`${CALLERID(num)}` of an anonymous call) falls back the same way.
    const r = await agiCall(agi.port, { script: 'lookup', args: [''], callerid: T2 });
    expect(r.vars).toStrictEqual(T2_VARS);
  });

  it('latin=1 (argument or URL query) makes every value ASCII', async () => {
    const latin = {
      ...T2_VARS,
      NUMINFO_OPERATOR: 'OOO "T2 Mobayl"',
      NUMINFO_REGION: 'Krasnodarskiy kray',
    };
    expect((await agiCall(agi.port, { script: 'lookup', args: [T2, 'latin=1'] })).vars).toStrictEqual(latin);
    expect((await agiCall(agi.port, { script: 'lookup?latin=1', args: [T2] })).vars).toStrictEqual(latin);
    const both = await agiCall(agi.port, { script: 'lookup?latin=1', args: [T2, 'latin=0'] });
    expect(both.vars).toStrictEqual(T2_VARS);
  });

  it('statuses: NOT_FOUND, BAD_NUMBER, NO_NUMBER, with every other variable emptied', async () => {
    const cases: [Call, Record<string, string>][] = [
      [{ args: ['79400000000'] }, { ...EMPTY_LOOKUP, NUMINFO_STATUS: 'NOT_FOUND' }],
      [{ args: ['123'] }, { ...EMPTY_LOOKUP, NUMINFO_STATUS: 'BAD_NUMBER' }],
      [{ args: ['hello'] }, { ...EMPTY_LOOKUP, NUMINFO_STATUS: 'BAD_NUMBER' }],
      [{ callerid: 'unknown' }, { ...EMPTY_LOOKUP, NUMINFO_STATUS: 'NO_NUMBER' }],
      [{ callerid: 'anonymous' }, { ...EMPTY_LOOKUP, NUMINFO_STATUS: 'NO_NUMBER' }],
    ];
    for (const [call, vars] of cases) {
      const r = await agiCall(agi.port, { script: 'lookup', ...call });
      expect(r.vars, JSON.stringify(call)).toStrictEqual(vars);
    }
  });

  it('no registry loaded: NO_DATA', async () => {
    const bare = await startAgiServer({
      host: '127.0.0.1',
      port: 0,
      service: new NumberService(),
      router: () => router,
    });
    try {
      const r = await agiCall(bare.port, { args: [T2] });
      expect(r.vars.NUMINFO_STATUS).toBe('NO_DATA');
      expect(r.vars.NUMINFO_TYPE).toBe('mobile');
    } finally {
      await bare.close();
    }
  });

  it.runIf(REAL)('a Moscow fixed line (real registry)', async () => {
    const r = await agiCall(agi.port, { args: ['+7 495 100-00-00'] });
    expect(r.vars).toMatchObject({
      NUMINFO_OPERATOR: 'ПАО "МГТС"',
      NUMINFO_OPERATOR_LAT: 'PAO "MGTS"',
      NUMINFO_TYPE: 'fixed',
      NUMINFO_REGION_CODE: '77',
      NUMINFO_STATUS: 'OK',
    });
  });
});

describe('agi://host/route and agi://host/check', () => {
  it('route: the number from agi_arg_1 and the direction from agi_arg_2', async () => {
    const asked = (router as OperatorRouter).asked;
    asked.length = 0;
    const r = await agiCall(agi.port, { script: 'route', args: [T2, 'in'] });
    expect(r.vars).toStrictEqual({
      NUMINFO_ROUTE: 't2-trunk',
      NUMINFO_ROUTE_RULE: 'tele2',
      NUMINFO_STATUS: 'OK',
    });
    expect(asked).toEqual([{ number: '9000000000', direction: 'in' }]);
  });

  it('route: without arguments, the dialled extension, outgoing', async () => {
    const asked = (router as OperatorRouter).asked;
    asked.length = 0;
    const r = await agiCall(agi.port, { script: 'route', callerid: '74951000000', extension: '89000000000' });
    expect(r.vars).toStrictEqual({
      NUMINFO_ROUTE: 't2-trunk',
      NUMINFO_ROUTE_RULE: 'tele2',
      NUMINFO_STATUS: 'OK',
    });
    expect(asked).toEqual([{ number: '9000000000', direction: 'out' }]);
    const other = await agiCall(agi.port, { script: 'route', args: ['74951000000', 'direction=out'] });
    expect(other.vars).toStrictEqual({
      NUMINFO_ROUTE: 'default',
      NUMINFO_ROUTE_RULE: '',
      NUMINFO_STATUS: 'OK',
    });
  });

  it('route: a reloaded router is used from the next call on', async () => {
    const before = router;
    router = new OperatorRouter('-v2');
    try {
      const r = await agiCall(agi.port, { script: 'route', args: [T2] });
      expect(r.vars.NUMINFO_ROUTE).toBe('t2-trunk-v2');
    } finally {
      router = before;
    }
  });

  it('route: a failing router gives NUMINFO_STATUS=ERROR and a log line', async () => {
    const before = router;
    router = {
      route: () => {
        throw new Error('rules broken');
      },
    };
    log.take();
    try {
      const r = await agiCall(agi.port, { script: 'route', args: [T2] });
      expect(r.vars).toStrictEqual({ NUMINFO_STATUS: 'ERROR' });
      expect(log.take().join('\n')).toMatch(/route.*failed: rules broken/);
    } finally {
      router = before;
    }
  });

  it('check without a checker: allow, trust 5.00', async () => {
    const r = await agiCall(agi.port, { script: 'check', callerid: T2 });
    expect(r.vars).toStrictEqual({
      NUMINFO_DECISION: 'allow',
      NUMINFO_TRUST: '5.00',
      NUMINFO_REASONS: '',
      NUMINFO_STATUS: 'OK',
    });
  });

  it('check with a checker: its decision, trust and reasons', async () => {
    const blocked = await agiCall(checked.port, { script: 'check', callerid: T2 });
    expect(blocked.vars).toStrictEqual({
      NUMINFO_DECISION: 'block',
      NUMINFO_TRUST: '0.50',
      NUMINFO_REASONS: 'blacklist,spam',
      NUMINFO_STATUS: 'OK',
    });
    const allowed = await agiCall(checked.port, { script: 'check', args: [PORTED] });
    expect(allowed.vars.NUMINFO_DECISION).toBe('allow');
    expect(allowed.vars.NUMINFO_TRUST).toBe('7.25');
  });

  it('an unknown script: a VERBOSE line and NUMINFO_STATUS=UNKNOWN_SCRIPT', async () => {
    log.take();
    const r = await agiCall(agi.port, { script: 'numinfo/whois?x=1', args: [T2] });
    expect(r.verbose).toEqual(['numinfo: unknown FastAGI script "whois" (known: lookup, route, check)']);
    expect(r.lines[0]).toBe(
      'VERBOSE "numinfo: unknown FastAGI script \\"whois\\" (known: lookup, route, check)" 1',
    );
    expect(r.vars).toStrictEqual({ NUMINFO_STATUS: 'UNKNOWN_SCRIPT' });
    expect(log.take().join('\n')).toMatch(/unknown FastAGI script "whois"/);
  });

  it('a path with a leading directory and the script taken from agi_request when agi_network_script is missing', async () => {
    const header =
      'agi_network: yes\nagi_request: agi://127.0.0.1:4573/numinfo/lookup?latin=1\nagi_channel: SIP/x-1\n' +
      `agi_callerid: ${T2}\nagi_extension: s\n\n`;
    const r = await agiCall(agi.port, { raw: header });
    expect(r.vars.NUMINFO_OPERATOR).toBe('OOO "T2 Mobayl"');
    expect(r.vars.NUMINFO_STATUS).toBe('OK');
  });
});

describe('replies other than 200', () => {
  it('510 and a multi-line 520 are logged and the session goes on', async () => {
    log.take();
    const r = await agiCall(agi.port, {
      args: [T2],
      reply: (_argv, i) => (i === 1 ? '510 Invalid or unknown command\n' : i === 3 ? USAGE_520 : undefined),
    });
    expect(r.lines).toHaveLength(8);
    expect(r.vars.NUMINFO_STATUS).toBe('OK');
    const logged = log.take();
    expect(logged).toHaveLength(2);
    expect(logged[0]).toMatch(
      /^warn agi 127\.0\.0\.1:\d+ \(PJSIP\/trunk-0000002a\): .*510 Invalid or unknown command.*NUMINFO_OPERATOR_LAT/,
    );
    expect(logged[1]).toMatch(
      /"520 Invalid command syntax\. {2}Proper usage follows:" \(Usage: SET VARIABLE .*\) to SET VARIABLE "NUMINFO_REGION_CODE" "23"; going on$/,
    );
  });

  it('Asterisk 1.4 style single-line 520 and 200 result=0 are accepted too', async () => {
    const r = await agiCall(agi.port, {
      args: [T2],
      reply: (_argv, i) =>
        i === 0
          ? '520 Invalid command syntax.  Proper usage not available.\n'
          : i === 2
            ? '200 result=0 (x)\n'
            : undefined,
    });
    expect(r.lines).toHaveLength(8);
  });

  it('511 (dead channel) stops the session: no further commands', async () => {
    const r = await agiCall(agi.port, {
      args: [T2],
      reply: (_argv, i) =>
        i === 2 ? '511 Command Not Permitted on a dead channel or intercept routine\n' : undefined,
    });
    expect(r.lines).toHaveLength(3);
    expect(r.closedByServer).toBe(true);
  });

  it('HANGUP mid-session stops sending commands and closes', async () => {
    const before = agi.stats().ended.hangup;
    const r = await agiCall(agi.port, { args: [T2], hangupAt: 2 });
    expect(r.lines).toHaveLength(3);
    expect(r.closedByServer).toBe(true);
    expect(agi.stats().ended.hangup).toBe(before + 1);
  });

  it('HANGUP without a reply to the command in flight', async () => {
    const r = await agiCall(agi.port, { args: [T2], hangupAt: 0, reply: () => null });
    expect(r.lines).toHaveLength(1);
    expect(r.closedByServer).toBe(true);
  });

  it('HANGUP right after the header block (the caller hung up before the AGI started)', async () => {
    const r = await agiCall(agi.port, { raw: headerBlock({ args: [T2] }) + 'HANGUP\n' });
    expect(r.lines.length).toBeLessThanOrEqual(1);
    expect(r.closedByServer).toBe(true);
  });

  it('a reply that is not the protocol closes the session with a log line', async () => {
    log.take();
    const r = await agiCall(agi.port, {
      args: [T2],
      reply: (_a, i) => (i === 1 ? 'hello there\n' : undefined),
    });
    expect(r.lines).toHaveLength(2);
    expect(r.closedByServer).toBe(true);
    expect(log.take().join('\n')).toMatch(/not an AGI reply: "hello there"; closing/);
  });
});

describe('load and misbehaving peers', () => {
  it('200 concurrent calls, every one with its own exact variables', async () => {
    const numbers = [T2, PORTED, '79400000000', '123'];
    const expected = await Promise.all(
      numbers.map((n) => agiCall(agi.port, { args: [n] }).then((r) => r.vars)),
    );
    const calls = Array.from({ length: 200 }, (_, i) => ({
      n: i % numbers.length,
      script: i % 5 === 0 ? 'route' : 'lookup',
    }));
    const results = await Promise.all(
      calls.map((c) => agiCall(agi.port, { script: c.script, args: [numbers[c.n]!] })),
    );
    for (const [i, r] of results.entries()) {
      const c = calls[i]!;
      if (c.script === 'lookup') expect(r.vars, `call ${i}`).toStrictEqual(expected[c.n]);
      else expect(r.vars.NUMINFO_ROUTE, `call ${i}`).toBe(c.n === 0 ? 't2-trunk' : 'default');
      expect(r.closedByServer).toBe(true);
    }
    expect(expected[0]).toStrictEqual(T2_VARS);
    await waitFor('sessions to close', () => (agi.stats().active === 0 ? true : undefined), 2000, 10);
  });

  it('malformed header blocks get a clean close and a log line; the server keeps serving', async () => {
    log.take();
    const before = agi.stats().ended.bad_header;
    const garbage = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256));
    const long =
      Array.from({ length: 2000 }, (_, i) => `agi_arg_${i + 1}: ${'x'.repeat(40)}`).join('\n') + '\n\n';
    const cases: Call[] = [
      // Header lines, then the peer closes without the empty line.
      { raw: 'agi_network: yes\nagi_network_script: lookup\n', endAfterRaw: true },
      // Binary garbage.
      { raw: garbage },
      // A 100 KB header block, of well-formed lines.
      { raw: long },
      // 100 KB without a single line end.
      { raw: 'a'.repeat(100_000) },
      // A line that is not agi_*.
      { raw: 'GET / HTTP/1.1\nHost: x\n\n' },
      // An empty line first.
      { raw: '\n' },
    ];
    for (const call of cases) {
      const r = await agiCall(agi.port, call);
      expect(r.lines, String(call.raw).slice(0, 40)).toEqual([]);
    }
    expect(agi.stats().ended.bad_header).toBe(before + cases.length);
    const logged = log.take();
    expect(logged).toHaveLength(cases.length);
    for (const l of logged)
      expect(l).toMatch(/^warn agi 127\.0\.0\.1:\d+: malformed FastAGI header: .*; closing$/);
    expect(logged.join('\n')).toMatch(/longer than 16384 bytes/);
    expect(logged.join('\n')).toMatch(/closed before the empty line/);
    const after = await agiCall(agi.port, { args: [T2] });
    expect(after.vars).toStrictEqual(T2_VARS);
  });

  it('a silent peer times out without holding up the others', async () => {
    log.take();
    const silent = agiCall(agi.port, { raw: '' });
    const halfHeader = agiCall(agi.port, { raw: 'agi_network: yes\nagi_network_script: lookup\n' });
    const noReplies = agiCall(agi.port, { args: [T2], reply: () => null });
    await sleep(20);
    const t0 = performance.now();
    const others = await Promise.all(Array.from({ length: 50 }, () => agiCall(agi.port, { args: [T2] })));
    const othersMs = performance.now() - t0;
    for (const r of others) expect(r.vars).toStrictEqual(T2_VARS);
    expect(othersMs).toBeLessThan(300);
    const [s, h, n] = await Promise.all([silent, halfHeader, noReplies]);
    for (const r of [s, h, n]) {
      expect(r.closedByServer).toBe(true);
      expect(r.ms).toBeGreaterThanOrEqual(350);
      expect(r.ms).toBeLessThan(2000);
    }
    expect(n.lines).toHaveLength(1);
    const logged = log.take().join('\n');
    expect(logged).toMatch(/no complete header block within 400 ms; closing/);
    expect(logged).toMatch(/no reply to SET VARIABLE "NUMINFO_OPERATOR" .* within 400 ms; closing/);
  });

  it('a peer that resets mid-session does no harm', async () => {
    await new Promise<void>((resolve) => {
      const s = connect({ port: agi.port, host: '127.0.0.1' }, () => s.write(headerBlock({ args: [T2] })));
      s.once('data', () => {
        s.resetAndDestroy();
        resolve();
      });
    });
    await sleep(20);
    expect((await agiCall(agi.port, { args: [T2] })).vars).toStrictEqual(T2_VARS);
  });

  it('a header block in small pieces, split inside UTF-8 characters', async () => {
    const r = await agiCall(agi.port, { args: [T2], pieces: 5, callerid: '79000000000' });
    expect(r.vars).toStrictEqual(T2_VARS);
    const cyr = await agiCall(agi.port, {
      raw: headerBlock({ args: [T2] }).replace(
        'agi_calleridname: Иван Петров',
        'agi_calleridname: ' + 'Ж'.repeat(30),
      ),
      pieces: 3,
    });
    expect(cyr.vars).toStrictEqual(T2_VARS);
  });

  it('CRLF line ends are read too', async () => {
    const r = await agiCall(agi.port, { raw: headerBlock({ args: [T2] }).replace(/\n/g, '\r\n') });
    expect(r.vars).toStrictEqual(T2_VARS);
  });

  it('close() ends sessions under way and stops listening', async () => {
    const srv = await startAgiServer({
      host: '127.0.0.1',
      port: 0,
      service,
      router: () => router,
      timeoutMs: 5000,
    });
    const hanging = agiCall(srv.port, { raw: 'agi_network: yes\n' });
    await sleep(20);
    await srv.close(50);
    const r = await hanging;
    expect(r.closedByServer).toBe(true);
    await expect(agiCall(srv.port, { args: [T2] }, 2000)).resolves.toMatchObject({
      lines: [],
      closedByServer: false,
    });
  });
});

describe('numinfo serve', () => {
  it('starts the FastAGI server with NUMINFO_AGI_PORT and stops it on SIGTERM', async () => {
    assertBuilt();
    const [port, agiPort] = [await freePort(), await freePort()];
    const child = spawn(process.execPath, [CLI, 'serve'], {
      cwd: ROOT,
      env: cleanEnv({
        NUMINFO_PORT: String(port),
        NUMINFO_HOST: '127.0.0.1',
        NUMINFO_AGI_PORT: String(agiPort),
        NUMINFO_AGI_HOST: '127.0.0.1',
        NUMINFO_DATA_DIR: dataDir,
        NUMINFO_AUTO_UPDATE: '0',
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (t: string) => (out += t));
    child.stderr!.setEncoding('utf8').on('data', (t: string) => (out += t));
    try {
      await waitFor('the FastAGI server', () =>
        out.includes('FastAGI server listening') ? true : undefined,
      );
      expect(out).toContain(`FastAGI server listening on 127.0.0.1:${agiPort}`);
      const r = await agiCall(agiPort, { args: [T2] });
      expect(r.vars).toStrictEqual({ ...T2_VARS, NUMINFO_MNC: '' });
      const route = await agiCall(agiPort, { script: 'route', args: [T2] });
      expect(route.vars.NUMINFO_STATUS).toBe('OK');
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      const after = await agiCall(agiPort, { args: [T2] });
      expect(after.lines).toEqual([]);
    } finally {
      await stopChild(child);
    }
  });

  it('a FastAGI port in use stops the start with a clear message', async () => {
    assertBuilt();
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const agiPort = (busy.address() as { port: number }).port;
    try {
      const r = await runCli(['serve', '--port', String(await freePort()), '--host', '127.0.0.1'], {
        env: {
          NUMINFO_AGI_PORT: String(agiPort),
          NUMINFO_AGI_HOST: '127.0.0.1',
          NUMINFO_DATA_DIR: dataDir,
          NUMINFO_AUTO_UPDATE: '0',
        },
        timeoutMs: 15_000,
      });
      expect(r.signal).toBeNull();
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/FastAGI server cannot listen on 127\.0\.0\.1:\d+: .*EADDRINUSE/);
    } finally {
      busy.close();
    }
  });
});

describe('check and route with a real CheckService (SQLite store)', () => {
  let store: Store;
  let reputation: ReputationService;
  let blacklists: BlacklistService;
  let real: AgiServer;
  let failing: AgiServer;
  const rules = Router.fromText(
    [
      'default: trunk',
      'rules:',
      '  - { name: spam, direction: in, when: { decision: block }, route: reject }',
      '  - { name: t2, when: { type: mobile }, route: mobile-trunk }',
    ].join('\n'),
  );

  beforeAll(async () => {
    store = await openStore('', tempDir('agi-store'));
    reputation = new ReputationService(store);
    blacklists = new BlacklistService(store);
    await blacklists.add('', 'spam', [{ number: T2 }], 'admin');
    const check = new CheckService(reputation, blacklists, { trustThreshold: 3, blockUnwanted: true });
    real = await startAgiServer({
      host: '127.0.0.1',
      port: 0,
      service,
      router: () => rules,
      checker: check,
      log,
      timeoutMs: 400,
    });
    const broken: CallChecker = { check: () => Promise.reject(new Error('database is locked')) };
    failing = await startAgiServer({
      host: '127.0.0.1',
      port: 0,
      service,
      router: () => rules,
      checker: broken,
      log,
      timeoutMs: 400,
    });
  });

  afterAll(async () => {
    await real?.close();
    await failing?.close();
    reputation?.close();
    blacklists?.close();
    await store?.close();
  });

  it('check: a blacklisted caller is blocked, another allowed', async () => {
    expect((await agiCall(real.port, { script: 'check', callerid: T2 })).vars).toStrictEqual({
      NUMINFO_DECISION: 'block',
      NUMINFO_TRUST: '5.00',
      NUMINFO_REASONS: 'blacklist:spam',
      NUMINFO_STATUS: 'OK',
    });
    expect((await agiCall(real.port, { script: 'check', args: [PORTED] })).vars).toStrictEqual({
      NUMINFO_DECISION: 'allow',
      NUMINFO_TRUST: '5.00',
      NUMINFO_REASONS: '',
      NUMINFO_STATUS: 'OK',
    });
  });

  it('check: reports lower the trust until it blocks', async () => {
    const n = '79000000002';
    await reputation.report('a', [{ number: n, kind: 'ban' }]);
    await reputation.report('b', [{ number: n, kind: 'ban' }]);
    expect((await agiCall(real.port, { script: 'check', args: [n] })).vars).toMatchObject({
      NUMINFO_DECISION: 'block',
      NUMINFO_TRUST: '2.50',
      NUMINFO_REASONS: 'trust 2.50 < 3.00',
    });
  });

  it('route: a `decision: block` rule matches the blacklisted number', async () => {
    expect((await agiCall(real.port, { script: 'route', args: [T2, 'in'] })).vars).toStrictEqual({
      NUMINFO_ROUTE: 'reject',
      NUMINFO_ROUTE_RULE: 'spam',
      NUMINFO_STATUS: 'OK',
    });
    expect((await agiCall(real.port, { script: 'route', args: [PORTED, 'in'] })).vars).toMatchObject({
      NUMINFO_ROUTE: 'mobile-trunk',
      NUMINFO_ROUTE_RULE: 't2',
    });
  });

  it('HANGUP while the check runs ends the session cleanly', async () => {
    const before = real.stats().ended.hangup;
    const r = await agiCall(real.port, { raw: headerBlock({ script: 'check', args: [T2] }) + 'HANGUP\n' });
    expect(r.lines.length).toBeLessThanOrEqual(1);
    expect(r.closedByServer).toBe(true);
    expect(real.stats().ended.hangup).toBe(before + 1);
  });

  it('a failing checker: NUMINFO_STATUS=ERROR and a log line; lookup does not ask it', async () => {
    log.take();
    expect((await agiCall(failing.port, { script: 'check', args: [T2] })).vars).toStrictEqual({
      NUMINFO_STATUS: 'ERROR',
    });
    expect(log.take().join('\n')).toMatch(/FastAGI script "check" failed: database is locked/);
    expect((await agiCall(failing.port, { script: 'lookup', args: [T2] })).vars.NUMINFO_STATUS).toBe('OK');
  });
});
