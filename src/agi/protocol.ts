/**
 * The FastAGI wire format as Asterisk speaks it (res_agi.c), as pure functions: the `agi_*: value`
 * header block, command lines with Asterisk's quoting, and the numbered replies, including the
 * multi-line `520-` usage reply and the unsolicited `HANGUP` line. No I/O here.
 */

/** The header block: `agi_network_script` → `lookup`, `agi_arg_1` → `79161234567`, … */
export type AgiHeader = ReadonlyMap<string, string>;

/**
 * One header line, `agi_callerid: 79161234567`, as [key, value]; null when the line is not a header
 * line. Keys are `agi_` and then lower-case letters, digits and `_`, as Asterisk writes them; the
 * value is everything after `: ` (possibly empty).
 */
export function parseHeaderLine(line: string): readonly [key: string, value: string] | null {
  if (!line.startsWith('agi_')) return null;
  let i = 4;
  for (; i < line.length; i++) {
    const c = line.charCodeAt(i);
    // a-z, 0-9, _
    if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95)) break;
  }
  if (i === 4 || line.charCodeAt(i) !== 58 /* : */) return null;
  const key = line.slice(0, i);
  const value = line.charCodeAt(i + 1) === 32 ? line.slice(i + 2) : line.slice(i + 1);
  return [key, value];
}

/**
 * `parseHeaderLine` on the bytes of a line (`buf[start..end)`, without its line end), with no string
 * made for the whole line: the index of the `:` after the key when it is a header line, else -1.
 * The key is ASCII, so its bytes are its characters.
 */
export function headerKeyEnd(buf: Uint8Array, start: number, end: number): number {
  if (
    end - start < 5 ||
    buf[start] !== 97 /* a */ ||
    buf[start + 1] !== 103 /* g */ ||
    buf[start + 2] !== 105 /* i */ ||
    buf[start + 3] !== 95 /* _ */
  ) {
    return -1;
  }
  let i = start + 4;
  for (; i < end; i++) {
    const c = buf[i]!;
    if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95)) break;
  }
  return i === start + 4 || i === end || buf[i] !== 58 /* : */ ? -1 : i;
}

/** `agi_arg_1`, `agi_arg_2`, … in order, up to the first one missing. */
export function headerArgs(header: AgiHeader): string[] {
  const out: string[] = [];
  for (let n = 1; ; n++) {
    const v = header.get(`agi_arg_${n}`);
    if (v === undefined) return out;
    out.push(v);
  }
}

/**
 * A double-quoted command argument as Asterisk's parse_args reads it: `\` and `"` escaped with a
 * backslash. A line break would end the command, so CR and LF become spaces.
 */
export function quote(value: string): string {
  let out = '"';
  let from = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 34 /* " */ || c === 92 /* \ */ || c === 10 || c === 13) {
      out += value.slice(from, i) + (c === 10 || c === 13 ? ' ' : c === 34 ? '\\"' : '\\\\');
      from = i + 1;
    }
  }
  return out + value.slice(from) + '"';
}

/** `SET VARIABLE "NAME" ` for the few variable names in use, built once per name. */
const setVariablePrefixes = new Map<string, string>();

/** `SET VARIABLE "NAME" "value"` with its line end. */
export function setVariable(name: string, value: string): string {
  let prefix = setVariablePrefixes.get(name);
  if (prefix === undefined) {
    prefix = `SET VARIABLE ${quote(name)} `;
    // The names are constants of the scripts; the cap only guards against a caller passing data.
    if (setVariablePrefixes.size < 256) setVariablePrefixes.set(name, prefix);
  }
  return prefix + quote(value) + '\n';
}

/** `VERBOSE "message" level` with its line end: a line on the Asterisk console at that verbosity. */
export function verbose(message: string, level = 1): string {
  return `VERBOSE ${quote(message)} ${level}\n`;
}

/**
 * Splits a command line the way Asterisk's parse_args does: words separated by spaces or tabs,
 * `"…"` groups a word, `\` takes the next character literally. The inverse of `quote`.
 */
export function parseCommandLine(line: string): string[] {
  const out: string[] = [];
  let cur: string | null = null;
  let quoted = false;
  let escaped = false;
  for (const ch of line) {
    if (escaped) {
      cur = (cur ?? '') + ch;
      escaped = false;
    } else if (ch === '\\') {
      escaped = true;
    } else if (ch === '"') {
      quoted = !quoted;
      if (cur === null) cur = '';
    } else if ((ch === ' ' || ch === '\t') && !quoted) {
      if (cur !== null) out.push(cur);
      cur = null;
    } else {
      cur = (cur ?? '') + ch;
    }
  }
  if (cur !== null) out.push(cur);
  return out;
}

/** What one command got back, or the unsolicited news that the channel hung up. */
export type AgiReply =
  /** `200 result=1`, `200 result=0 (timeout)`: `data` is the text after the result, or ''. */
  | { readonly kind: 'result'; readonly code: 200; readonly result: string; readonly data: string }
  /**
   * `510 Invalid or unknown command`, `511 Command Not Permitted on a dead channel…`, `520 …` (with
   * the usage text of a multi-line 520 in `usage`), or any other numbered line.
   */
  | {
      readonly kind: 'error';
      readonly code: number;
      readonly message: string;
      readonly usage: readonly string[];
    }
  /** A bare `HANGUP` line: Asterisk sends it once when the channel hangs up, between replies. */
  | { readonly kind: 'hangup' }
  /** Anything else: not the protocol. */
  | { readonly kind: 'invalid'; readonly line: string };

const HANGUP: AgiReply = Object.freeze({ kind: 'hangup' });
/** `200 result=1`, the usual reply, as it is read (`ReplyReader.push` returns it for that line). */
export const RESULT_1: AgiReply = Object.freeze({ kind: 'result', code: 200, result: '1', data: '' });
const NO_USAGE: readonly string[] = Object.freeze([]);

const RESULT_1_BYTES = Buffer.from('200 result=1', 'latin1');

/** Whether `buf[start..end)` is the line `200 result=1`, read without making a string of it. */
export function isResult1(buf: Buffer, start: number, end: number): boolean {
  return (
    end - start === RESULT_1_BYTES.length &&
    buf.compare(RESULT_1_BYTES, 0, RESULT_1_BYTES.length, start, end) === 0
  );
}

/** `NNN` at the start of a line, or -1. */
function statusCode(line: string): number {
  if (line.length < 3) return -1;
  let n = 0;
  for (let i = 0; i < 3; i++) {
    const c = line.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/**
 * Reads reply lines one at a time. Most replies are one line; a `520-…` line opens a usage block that
 * ends with a `520 …` line (`520 End of proper usage.`), and `push` returns null until then.
 */
export class ReplyReader {
  private usage: string[] | null = null;
  private usageHead = '';

  /** Whether a multi-line 520 reply is under way (its lines are usage text, not replies). */
  get inUsage(): boolean {
    return this.usage !== null;
  }

  /** Usage lines read so far of an unfinished multi-line 520 reply; 0 outside one. */
  get usageLines(): number {
    return this.usage?.length ?? 0;
  }

  push(line: string): AgiReply | null {
    if (this.usage !== null) {
      if (statusCode(line) === 520 && line.charCodeAt(3) !== 45 /* - */) {
        const usage = this.usage;
        this.usage = null;
        return { kind: 'error', code: 520, message: this.usageHead, usage };
      }
      this.usage.push(line);
      return null;
    }
    if (line === '200 result=1') return RESULT_1;
    if (line === 'HANGUP') return HANGUP;
    const code = statusCode(line);
    if (code < 0 || (line.length > 3 && line.charCodeAt(3) !== 32 && line.charCodeAt(3) !== 45)) {
      return { kind: 'invalid', line };
    }
    if (code === 520 && line.charCodeAt(3) === 45) {
      this.usage = [];
      this.usageHead = line.slice(4);
      return null;
    }
    const text = line.slice(4);
    if (code === 200) {
      if (!text.startsWith('result=')) return { kind: 'invalid', line };
      const space = text.indexOf(' ');
      return space < 0
        ? { kind: 'result', code: 200, result: text.slice(7), data: '' }
        : { kind: 'result', code: 200, result: text.slice(7, space), data: text.slice(space + 1) };
    }
    return { kind: 'error', code, message: text, usage: NO_USAGE };
  }
}
