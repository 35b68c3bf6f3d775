/**
 * The FastAGI scripts: what `agi://host/lookup`, `/route` and `/check` answer for one call, as the
 * command lines to send. Which number, which options, which variables: docs/asterisk.md.
 */
import type { LookupResult } from '../core/types.js';
import { callVariables, latinSafe, lookupStatus } from '../services/callVariables.js';
import { ALLOW_ALL } from '../services/routing/router.js';
import type {
  CallCheck,
  CallChecker,
  Direction,
  RouteDecision,
  RouteSource,
} from '../services/routing/types.js';
import { headerArgs, setVariable, verbose, type AgiHeader } from './protocol.js';

export const SCRIPTS = ['lookup', 'route', 'check'] as const;
export type ScriptName = (typeof SCRIPTS)[number];

/** What the scripts need from the rest of numinfo. */
export interface ScriptDeps {
  lookup(input: string): LookupResult;
  /** The current routing rules (asked per call: they may be reloaded). */
  router(): RouteSource;
  /** The current allow/block checker (asynchronous); null: every number is allowed with trust 5.00. */
  checker(): CallChecker | null;
  /** Transliterate every value unless the call says `latin=0`. */
  readonly latin: boolean;
}

/** One call's request, read from its header block. */
export interface AgiRequest {
  /** `lookup`, `route`, `check`, or whatever else the dialplan asked for (lower case); '' when none. */
  readonly script: string;
  /** The number to look up, trimmed; '' when there is none. */
  readonly number: string;
  readonly numberFrom: 'arg' | 'callerid' | 'extension' | 'none';
  readonly direction: Direction;
  /** `latin=1` / `latin=0` in the URL query or the arguments; null: the server's default. */
  readonly latin: boolean | null;
}

/** What a script produced: the commands in order, and a line for the server log when something is off. */
export interface ScriptRun {
  readonly script: string;
  readonly commands: readonly string[];
  readonly problem: string | null;
}

function flag(value: string): boolean | null {
  const v = value.trim().toLowerCase();
  if (v === '' || v === '1' || v === 'yes' || v === 'true' || v === 'on') return true;
  if (v === '0' || v === 'no' || v === 'false' || v === 'off') return false;
  return null;
}

/** Caller ID and extension values that mean "no number". */
function present(value: string | undefined): string {
  const v = value?.trim() ?? '';
  return v === 'unknown' || v === 'anonymous' ? '' : v;
}

/** `value` without leading and trailing `/` (what `.replace(/^\/+|\/+$/g, '')` gives, without a regex). */
function trimSlashes(value: string): string {
  let from = 0;
  let to = value.length;
  while (from < to && value.charCodeAt(from) === 47) from++;
  while (to > from && value.charCodeAt(to - 1) === 47) to--;
  return from === 0 && to === value.length ? value : value.slice(from, to);
}

/** Whether `arg.slice(0, end)` is a non-empty run of A-Z, a-z and `_` (an option name). */
function isOptionName(arg: string, end: number): boolean {
  for (let i = 0; i < end; i++) {
    const c = arg.charCodeAt(i) | 32;
    if (!((c >= 97 && c <= 122) || arg.charCodeAt(i) === 95)) return false;
  }
  return end > 0;
}

/**
 * The script and its inputs. The script is the last path segment of `agi_network_script`
 * (`lookup?latin=1` → `lookup`), or of `agi_request` when the former is missing. Arguments of the form
 * `name=value` (and the URL query) are options (`latin`, `direction`); the others are positional: the
 * number, then for `route` the direction (`in` / `out`, default `out`). Without a number argument,
 * `route` takes `agi_extension` (the dialled number of an outgoing call) and `lookup` / `check` take
 * `agi_callerid` (the caller of an incoming call).
 */
export function parseRequest(header: AgiHeader): AgiRequest {
  let target = header.get('agi_network_script');
  if (target === undefined) {
    const req = header.get('agi_request') ?? '';
    const scheme = req.indexOf('://');
    const slash = scheme < 0 ? -1 : req.indexOf('/', scheme + 3);
    target = slash < 0 ? '' : req.slice(slash + 1);
  }
  const q = target.indexOf('?');
  const path = trimSlashes(q < 0 ? target : target.slice(0, q));
  const script = path.slice(path.lastIndexOf('/') + 1).toLowerCase();

  let latin: boolean | null = null;
  let direction: Direction | null = null;
  const option = (name: string, value: string): void => {
    const key = name.trim().toLowerCase();
    if (key === 'latin') latin = flag(value) ?? latin;
    else if (key === 'direction') {
      const d = value.trim().toLowerCase();
      if (d === 'in' || d === 'out') direction = d;
    }
  };
  if (q >= 0) {
    for (const pair of target.slice(q + 1).split('&')) {
      const eq = pair.indexOf('=');
      option(eq < 0 ? pair : pair.slice(0, eq), eq < 0 ? '' : pair.slice(eq + 1));
    }
  }
  const positional: string[] = [];
  for (const arg of headerArgs(header)) {
    const eq = arg.indexOf('=');
    if (eq > 0 && isOptionName(arg, eq)) option(arg.slice(0, eq), arg.slice(eq + 1));
    else positional.push(arg);
  }
  if (direction === null) {
    const d = positional[1]?.trim().toLowerCase();
    direction = d === 'in' ? 'in' : 'out';
  }

  let number = positional[0]?.trim() ?? '';
  let numberFrom: AgiRequest['numberFrom'] = 'arg';
  if (number === '') {
    if (script === 'route') {
      number = present(header.get('agi_extension'));
      numberFrom = 'extension';
    } else {
      number = present(header.get('agi_callerid'));
      numberFrom = 'callerid';
    }
    if (number === '') numberFrom = 'none';
  }
  return { script, number, numberFrom, direction, latin };
}

type Vars = [name: string, value: string][];

function lookupVars(r: LookupResult): Vars {
  const vars = callVariables(r);
  vars.push(['NUMINFO_STATUS', lookupStatus(r)]);
  return vars;
}

function commands(vars: Vars, latin: boolean): string[] {
  return vars.map(([name, value]) => setVariable(name, latin ? latinSafe(value) : value));
}

/** Runs the script a call asked for. Never throws: a failing lookup or router gives NUMINFO_STATUS=ERROR. */
export function runScript(header: AgiHeader, deps: ScriptDeps): ScriptRun | Promise<ScriptRun> {
  let req: AgiRequest | null = null;
  try {
    req = parseRequest(header);
    const latin = req.latin ?? deps.latin;
    switch (req.script) {
      case 'lookup': {
        const r = deps.lookup(req.number);
        return { script: req.script, commands: commands(lookupVars(r), latin), problem: null };
      }
      case 'route': {
        const r = deps.lookup(req.number);
        const routes = deps.router();
        // The checker is asked only when a rule has a `decision` condition; otherwise no promise at all.
        const checker = routes.needsCheck === true ? deps.checker() : null;
        if (checker === null) return routeRun(req.script, routes.route(r, req.direction), r, latin);
        const { script, direction } = req;
        return settle(
          script,
          checker.check(r).then((c) => routeRun(script, routes.route(r, direction, c), r, latin)),
        );
      }
      case 'check': {
        const r = deps.lookup(req.number);
        const checker = deps.checker();
        if (checker === null) return checkRun(req.script, ALLOW_ALL, r, latin);
        const script = req.script;
        return settle(
          script,
          checker.check(r).then((c) => checkRun(script, c, r, latin)),
        );
      }
      default: {
        const name = latinSafe(req.script);
        const message = `numinfo: unknown FastAGI script "${name}" (known: ${SCRIPTS.join(', ')})`;
        return {
          script: req.script,
          commands: [verbose(message, 1), setVariable('NUMINFO_STATUS', 'UNKNOWN_SCRIPT')],
          problem: message,
        };
      }
    }
  } catch (e) {
    return failed(req?.script ?? '', e);
  }
}

function routeRun(script: string, decision: RouteDecision, r: LookupResult, latin: boolean): ScriptRun {
  const vars: Vars = [
    ['NUMINFO_ROUTE', decision.route],
    ['NUMINFO_ROUTE_RULE', decision.rule ?? ''],
    ['NUMINFO_STATUS', lookupStatus(r)],
  ];
  return { script, commands: commands(vars, latin), problem: null };
}

function checkRun(script: string, c: CallCheck, r: LookupResult, latin: boolean): ScriptRun {
  const vars: Vars = [
    ['NUMINFO_DECISION', c.decision],
    ['NUMINFO_TRUST', c.trust.toFixed(2)],
    ['NUMINFO_REASONS', c.reasons.join(',')],
    ['NUMINFO_STATUS', lookupStatus(r)],
  ];
  return { script, commands: commands(vars, latin), problem: null };
}

function failed(script: string, e: unknown): ScriptRun {
  return {
    script,
    commands: [setVariable('NUMINFO_STATUS', 'ERROR')],
    problem: `numinfo: FastAGI script "${script}" failed: ${(e as Error)?.message ?? String(e)}`,
  };
}

/** A script run that waited for the checker: a rejection (store down) ends as NUMINFO_STATUS=ERROR. */
function settle(script: string, run: Promise<ScriptRun>): Promise<ScriptRun> {
  return run.catch((e: unknown) => failed(script, e));
}
