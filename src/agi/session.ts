/**
 * One FastAGI connection: read the header block (size cap, deadline), run the script, send its
 * commands one at a time, each after the reply to the one before, then close. Stops at `HANGUP` or
 * `511` (the channel is gone), logs `510` / `520` and goes on. Never throws: whatever the peer sends,
 * the connection ends with a clean close, and with a log line when the peer broke the protocol.
 */
import type { Socket } from 'node:net';
import type { Logger } from '../services/registryManager.js';
import { headerKeyEnd, isResult1, ReplyReader, RESULT_1, type AgiHeader, type AgiReply } from './protocol.js';

/** Why a session ended. */
export type SessionEnd =
  /** Every command sent and answered. */
  | 'done'
  /** Asterisk sent `HANGUP`. */
  | 'hangup'
  /** Asterisk answered `511`: the channel is gone. */
  | 'dead_channel'
  /** The peer closed the connection before the end (or reset it). */
  | 'peer_closed'
  /** No header block, or no reply, within the time limit. */
  | 'timeout'
  /** The header block broke the protocol or the size cap. */
  | 'bad_header'
  /** A reply broke the protocol. */
  | 'bad_reply'
  /** The server shut the session down. */
  | 'shutdown';

export interface ScriptCommands {
  readonly script: string;
  readonly commands: readonly string[];
}

export interface SessionOptions {
  /** Time for the whole header block, and for each reply. */
  readonly timeoutMs: number;
  /** Largest header block accepted, in bytes. */
  readonly maxHeaderBytes: number;
  readonly log: Logger;
  /**
   * The commands for a complete header block, in order (each with its `\n`); a promise when the
   * script has to wait (the allow/block check). It must not reject.
   */
  run(header: AgiHeader): ScriptCommands | Promise<ScriptCommands>;
  onEnd(why: SessionEnd): void;
}

/** Longest reply line (or unfinished line) kept; Asterisk's replies are far shorter. */
const MAX_REPLY_LINE = 64 * 1024;
/** Lines of a multi-line 520 usage text kept for the log. */
const MAX_USAGE_LINES = 200;

const EMPTY_HEADER: Map<string, string> = new Map();

const HEADER = 0;
/** Header read, waiting for an asynchronous script: what the peer sends meanwhile is kept for later. */
const RUNNING = 1;
const COMMANDS = 2;
const CLOSING = 3;
const CLOSED = 4;

export class AgiSession {
  private state = HEADER;
  /** The header block while it is read; emptied once the script has run (only the channel is kept). */
  private header = new Map<string, string>();
  private channel: string | undefined = undefined;
  private headerBytes = 0;
  private rest: Buffer | null = null;
  private reader: ReplyReader | null = null;
  private script = '';
  private commands: readonly string[] = [];
  /** Index of the command awaiting its reply. */
  private next = 0;
  private readonly timer: NodeJS.Timeout;
  private peer: string | null = null;

  constructor(
    private readonly socket: Socket,
    private readonly opts: SessionOptions,
  ) {
    this.timer = setTimeout(this.onTimeout, opts.timeoutMs);
    this.timer.unref();
    socket.on('data', this.onData);
    socket.on('end', this.onPeerEnd);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
  }

  /** `10.0.0.5:41234 (SIP/trunk-00000a3f)`, for log lines. */
  private who(): string {
    if (this.peer === null)
      this.peer = `${this.socket.remoteAddress ?? '?'}:${this.socket.remotePort ?? '?'}`;
    const channel = this.header === EMPTY_HEADER ? this.channel : this.header.get('agi_channel');
    return channel ? `${this.peer} (${channel})` : this.peer;
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.state >= CLOSING) return;
    if (this.state === RUNNING) {
      // Asterisk sends nothing before the first command but `HANGUP`; keep it for after the script.
      const kept = this.rest === null ? chunk.length : this.rest.length + chunk.length;
      if (kept > MAX_REPLY_LINE)
        this.finish('bad_reply', `more than ${MAX_REPLY_LINE} bytes before the first command`);
      else this.rest = this.rest === null ? Buffer.from(chunk) : Buffer.concat([this.rest, chunk]);
      return;
    }
    const buf = this.rest === null ? chunk : Buffer.concat([this.rest, chunk]);
    this.rest = null;
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(10, start);
      if (nl < 0) break;
      const end = nl > start && buf[nl - 1] === 13 ? nl - 1 : nl;
      const from = start;
      start = nl + 1;
      if (this.state === HEADER) {
        this.headerLine(buf, from, end, start - from);
        // headerLine may have started an asynchronous script.
        if ((this.state as number) === RUNNING) {
          if (start < buf.length) this.rest = Buffer.from(buf.subarray(start));
          return;
        }
      }
      // `200 result=1`, nearly every reply, needs no string (outside a 520 usage text, where it
      // would be a usage line): what ReplyReader.push returns for it.
      else if (!this.reader!.inUsage && isResult1(buf, from, end)) this.reply(RESULT_1);
      else this.replyLine(buf.toString('utf8', from, end));
      if (this.state >= CLOSING) return;
    }
    if (start < buf.length) {
      const left = buf.length - start;
      if (this.state === HEADER && this.headerBytes + left > this.opts.maxHeaderBytes) {
        this.badHeader(`header block longer than ${this.opts.maxHeaderBytes} bytes`);
        return;
      }
      if (this.state === COMMANDS && left > MAX_REPLY_LINE) {
        this.finish('bad_reply', `reply line longer than ${MAX_REPLY_LINE} bytes`);
        return;
      }
      // A copy: the rest is small, and a slice would keep the whole chunk alive.
      this.rest = Buffer.from(buf.subarray(start));
    }
  };

  /** The header line `buf[start..end)` (line end not included), `size` bytes with its line end. */
  private headerLine(buf: Buffer, start: number, end: number, size: number): void {
    this.headerBytes += size;
    if (this.headerBytes > this.opts.maxHeaderBytes) {
      this.badHeader(`header block longer than ${this.opts.maxHeaderBytes} bytes`);
      return;
    }
    if (end === start) {
      this.startCommands();
      return;
    }
    // Straight from the bytes, as parseHeaderLine reads the decoded line: the key is ASCII, and the
    // value (after `: ` or `:`) is decoded on its own.
    const colon = headerKeyEnd(buf, start, end);
    if (colon < 0) {
      const line = buf.toString('utf8', start, end);
      this.badHeader(`not an agi_* header line: ${JSON.stringify(line.slice(0, 80))}`);
      return;
    }
    const from = buf[colon + 1] === 32 && colon + 1 < end ? colon + 2 : colon + 1;
    this.header.set(buf.toString('latin1', start, colon), buf.toString('utf8', from, end));
  }

  private startCommands(): void {
    if (this.header.size === 0) {
      this.badHeader('empty header block');
      return;
    }
    const run = this.opts.run(this.header);
    // Only the channel is needed from here on (for log lines): the rest of the header block, two
    // dozen strings, is not carried through the session's round trips.
    this.channel = this.header.get('agi_channel');
    this.header = EMPTY_HEADER;
    if (run instanceof Promise) {
      this.state = RUNNING;
      void run.then((r) => {
        if (this.state !== RUNNING) return; // timed out, shut down or closed meanwhile
        this.begin(r);
        // What the peer sent while the script ran (a HANGUP) is read as the reply to the first command.
        if (this.rest !== null && (this.state as number) === COMMANDS) this.onData(Buffer.alloc(0));
      });
      return;
    }
    this.begin(run);
  }

  private begin(run: ScriptCommands): void {
    this.script = run.script;
    this.commands = run.commands;
    this.state = COMMANDS;
    this.reader = new ReplyReader();
    this.send();
  }

  /** Sends the next command, or ends the session after the last one. */
  private send(): void {
    const cmd = this.commands[this.next];
    if (cmd === undefined) {
      this.finish('done', null);
      return;
    }
    this.timer.refresh();
    this.socket.write(cmd);
  }

  private replyLine(line: string): void {
    const reader = this.reader!;
    const reply = reader.push(line);
    if (reply === null) {
      if (reader.usageLines > MAX_USAGE_LINES) this.finish('bad_reply', '520 usage text too long');
      return;
    }
    this.reply(reply);
  }

  private reply(reply: AgiReply): void {
    switch (reply.kind) {
      case 'result':
        break;
      case 'hangup':
        this.finish('hangup', null);
        return;
      case 'invalid':
        this.finish('bad_reply', `not an AGI reply: ${JSON.stringify(reply.line.slice(0, 80))}`);
        return;
      case 'error':
        if (reply.code === 511) {
          this.finish('dead_channel', null);
          return;
        }
        this.opts.log.warn(
          `agi ${this.who()}: script ${this.script}: Asterisk answered "${reply.code} ${reply.message}"` +
            `${
              reply.usage.length > 0
                ? ` (${reply.usage
                    .map((u) => u.trim())
                    .join(' ')
                    .slice(0, 200)})`
                : ''
            } to ` +
            `${(this.commands[this.next] ?? '').trimEnd()}; going on`,
        );
        break;
    }
    this.next++;
    this.send();
  }

  private badHeader(why: string): void {
    this.finish('bad_header', `malformed FastAGI header: ${why}`);
  }

  /** Ends the session: a log line when `problem` says why, then a graceful close. */
  private finish(why: SessionEnd, problem: string | null): void {
    if (this.state >= CLOSING) return;
    if (problem !== null) this.opts.log.warn(`agi ${this.who()}: ${problem}; closing`);
    this.state = CLOSING;
    this.rest = null;
    this.opts.onEnd(why);
    // A peer that never closes its side is cut off after one more time limit.
    this.timer.refresh();
    this.socket.end();
  }

  /** Server shutdown: ends the session now. */
  shutdown(destroy: boolean): void {
    this.finish('shutdown', null);
    if (destroy) this.socket.destroy();
  }

  private readonly onTimeout = (): void => {
    if (this.state === CLOSED) return;
    if (this.state === CLOSING) {
      this.socket.destroy();
      return;
    }
    const what =
      this.state === HEADER
        ? 'no complete header block'
        : this.state === RUNNING
          ? 'the script did not finish'
          : `no reply to ${(this.commands[this.next] ?? '').trimEnd()}`;
    this.finish('timeout', `${what} within ${this.opts.timeoutMs} ms`);
    this.socket.destroy();
  };

  private readonly onPeerEnd = (): void => {
    if (this.state === HEADER && (this.headerBytes > 0 || this.rest !== null)) {
      this.finish('bad_header', 'malformed FastAGI header: connection closed before the empty line');
    } else {
      // Nothing sent at all (a port probe), or Asterisk went away mid-session: nothing to report.
      this.finish('peer_closed', null);
    }
  };

  private readonly onError = (e: Error): void => {
    const code = (e as NodeJS.ErrnoException).code;
    const quiet = code === 'ECONNRESET' || code === 'EPIPE';
    this.finish(
      this.state === HEADER ? 'bad_header' : 'peer_closed',
      quiet && this.state !== HEADER ? null : `connection error: ${e.message}`,
    );
    this.socket.destroy();
  };

  private readonly onClose = (): void => {
    if (this.state < CLOSING) this.finish('peer_closed', null);
    this.state = CLOSED;
    clearTimeout(this.timer);
  };
}
