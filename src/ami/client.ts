import { createConnection, type Socket } from 'node:net';
import type { LookupResult } from '../core/types.js';
import type { NumberService } from '../services/numberService.js';
import { SILENT_LOGGER, type Logger } from '../services/registryManager.js';
import type { CallCheck, CallChecker, RouteDecision, RouteSource } from '../services/routing/types.js';
import { AmiParser, BANNER_PREFIX, buildAction, field, type AmiFrame, type AmiMessage } from './protocol.js';
import { numinfoVariables } from './variables.js';

export interface AmiClientOptions {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly secret: string;
  /** Dialplan contexts whose new channels are looked up; empty: every context. */
  readonly contexts?: readonly string[];
  readonly service: Pick<NumberService, 'lookup'>;
  /** The current routing rules, asked on every call (they may be reloaded); adds NUMINFO_ROUTE. */
  readonly router?: () => RouteSource | null;
  /**
   * The allow/block checker (reputation, blacklists), asked on every call when given: adds
   * NUMINFO_DECISION, NUMINFO_TRUST and NUMINFO_REASONS, and feeds `decision` routing rules.
   */
  readonly checker?: () => CallChecker | null;
  readonly log?: Logger;
  /** Delay before reconnecting: `initialMs`, doubled after each failed attempt, at most `maxMs`. */
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  /** Send `Action: Ping` this often once logged in, to find a half-dead connection; 0: never. */
  readonly pingIntervalMs?: number;
  /** How long to wait for the banner, the answer to Login and each answer to Ping. */
  readonly responseTimeoutMs?: number;
}

/** What /healthz shows. Counters run from the client's start, across reconnections. */
export interface AmiState {
  readonly host: string;
  readonly port: number;
  readonly connected: boolean;
  readonly loggedIn: boolean;
  /** The banner of the current or last connection: `Asterisk Call Manager/7.0.3`. */
  readonly banner: string | null;
  readonly lastError: string | null;
  readonly lastErrorAt: string | null;
  readonly loginFailures: number;
  /** Connections opened after the first one. */
  readonly reconnects: number;
  /** Newchannel / NewCallerid events looked up, and those passed over (other context, no caller ID, seen). */
  readonly eventsHandled: number;
  readonly eventsSkipped: number;
  readonly setvarSent: number;
  readonly setvarFailed: number;
  /** Setvar actions not answered yet. */
  readonly setvarPending: number;
  /** Message of the last Setvar that failed (`No such channel` when the call ended first). */
  readonly lastSetvarError: string | null;
}

const DEFAULT_BACKOFF = { initialMs: 1000, maxMs: 30_000 };
const DEFAULT_PING_MS = 20_000;
const DEFAULT_RESPONSE_MS = 10_000;
/** Channels whose caller ID was looked up, kept to skip NewCallerid repeating it; forgotten on Hangup. */
const SEEN_LIMIT = 10_000;

type Pending = 'login' | 'ping' | 'setvar' | 'logoff';

/** A caller ID worth a lookup has a digit: skips ``, `<unknown>`, `anonymous`, `Restricted`. */
function hasDigit(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) return true;
  }
  return false;
}

/**
 * The non-blocking Asterisk mode: a manager (AMI) client that watches new channels, looks each
 * caller up and writes the answer onto the channel with Setvar. The dialplan never waits for numinfo;
 * it reads `${NUMINFO_OPERATOR}` & co. when it needs them.
 *
 * One connection at a time: connect, read the banner, log in, then handle events. When the connection
 * breaks (Asterisk restarts, the network drops, a Ping goes unanswered) it connects again after a
 * delay that doubles up to `backoff.maxMs`, and logs in again; a successful login resets the delay.
 * A refused login is retried the same way, so a wrong secret never floods Asterisk.
 */
export class AmiClient {
  private readonly contexts: ReadonlySet<string>;
  private readonly log: Logger;
  private readonly backoff: { readonly initialMs: number; readonly maxMs: number };
  private readonly pingMs: number;
  private readonly responseMs: number;

  private running = false;
  private socket: Socket | null = null;
  /** Failed attempts since the last successful login; sets the next delay. */
  private attempts = 0;
  private opened = 0;
  private seq = 0;
  private readonly pending = new Map<string, Pending>();
  private readonly seen = new Map<string, string>();
  private reconnectTimer: NodeJS.Timeout | null = null;
  private deadlineTimer: NodeJS.Timeout | null = null;
  private pingTimer: NodeJS.Timeout | null = null;
  /** Why the current connection is being closed, for the log line when it is gone. */
  private closing: string | null = null;

  private readonly st = {
    connected: false,
    loggedIn: false,
    banner: null as string | null,
    lastError: null as string | null,
    lastErrorAt: null as string | null,
    loginFailures: 0,
    reconnects: 0,
    eventsHandled: 0,
    eventsSkipped: 0,
    setvarSent: 0,
    setvarFailed: 0,
    lastSetvarError: null as string | null,
  };

  constructor(private readonly opts: AmiClientOptions) {
    this.contexts = new Set((opts.contexts ?? []).map((c) => c.trim()).filter((c) => c !== ''));
    this.log = opts.log ?? SILENT_LOGGER;
    this.backoff = opts.backoff ?? DEFAULT_BACKOFF;
    this.pingMs = opts.pingIntervalMs ?? DEFAULT_PING_MS;
    this.responseMs = opts.responseTimeoutMs ?? DEFAULT_RESPONSE_MS;
  }

  get state(): AmiState {
    let setvarPending = 0;
    for (const kind of this.pending.values()) if (kind === 'setvar') setvarPending++;
    return { host: this.opts.host, port: this.opts.port, ...this.st, setvarPending };
  }

  private get where(): string {
    return `${this.opts.host}:${this.opts.port}`;
  }

  /** Connects and keeps connecting until `stop()`. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.log.info(`AMI: connecting to ${this.where} as ${this.opts.username}`);
    this.connect();
  }

  /** Logs off and closes the connection; no reconnection follows. */
  stop(): Promise<void> {
    this.running = false;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.clearConnectionTimers();
    const socket = this.socket;
    if (!socket || socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      socket.once('close', () => resolve());
      this.closing = 'stopped';
      if (this.st.loggedIn && socket.writable) {
        // Asterisk answers Goodbye and closes; a peer that does not is cut off shortly after.
        socket.end(this.action('Logoff', 'logoff'));
        setTimeout(() => socket.destroy(), 500).unref();
      } else {
        socket.destroy();
      }
    });
  }

  private connect(): void {
    this.reconnectTimer = null;
    if (this.opened++ > 0) this.st.reconnects++;
    this.closing = null;
    const socket = createConnection({ host: this.opts.host, port: this.opts.port });
    this.socket = socket;
    const parser = new AmiParser();
    socket.setEncoding('utf8');
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    this.armDeadline(socket, `no banner from ${this.where} within ${this.responseMs} ms`);
    socket.on('connect', () => {
      this.st.connected = true;
    });
    socket.on('data', (chunk: string) => {
      if (socket !== this.socket) return;
      let frames: AmiFrame[];
      try {
        frames = parser.feed(chunk);
      } catch (e) {
        this.drop(socket, `protocol error: ${(e as Error).message}`);
        return;
      }
      for (const frame of frames) {
        if (socket !== this.socket || socket.destroyed) return;
        try {
          if (frame.kind === 'banner') this.onBanner(socket, frame.text);
          else this.onMessage(socket, frame.message);
        } catch (e) {
          this.log.error(`AMI: cannot handle a message: ${(e as Error).stack ?? String(e)}`);
        }
      }
    });
    socket.on('error', (e) => {
      this.closing ??= e.message;
    });
    socket.on('close', () => this.onClose(socket));
  }

  private onBanner(socket: Socket, banner: string): void {
    this.st.banner = banner;
    if (!banner.startsWith(BANNER_PREFIX))
      this.log.warn(`AMI: unexpected banner from ${this.where}: ${banner}`);
    socket.write(
      this.action('Login', 'login', [
        ['Username', this.opts.username],
        ['Secret', this.opts.secret],
        ['Events', 'call'],
      ]),
    );
    this.armDeadline(socket, `no answer to Login from ${this.where} within ${this.responseMs} ms`);
  }

  private onMessage(socket: Socket, m: AmiMessage): void {
    const response = field(m, 'Response');
    if (response !== undefined) {
      this.onResponse(socket, m, response);
      return;
    }
    const event = field(m, 'Event');
    if (event !== undefined && this.st.loggedIn) this.onEvent(socket, m, event.toLowerCase());
  }

  private onResponse(socket: Socket, m: AmiMessage, response: string): void {
    const id = field(m, 'ActionID') ?? '';
    const kind = this.pending.get(id);
    if (kind === undefined) return;
    this.pending.delete(id);
    const ok = response.toLowerCase() !== 'error';
    const message = field(m, 'Message') ?? '';
    switch (kind) {
      case 'login':
        this.clearDeadline();
        if (!ok) {
          this.st.loginFailures++;
          this.drop(
            socket,
            `authentication failed for ${this.opts.username}${message ? `: ${message}` : ''}`,
          );
          return;
        }
        this.st.loggedIn = true;
        this.attempts = 0;
        this.log.info(
          `AMI: logged in to ${this.where} as ${this.opts.username} (${this.st.banner ?? 'no banner'})`,
        );
        this.schedulePing(socket);
        return;
      case 'ping':
        this.clearDeadline();
        this.schedulePing(socket);
        return;
      case 'setvar':
        if (!ok) {
          this.st.setvarFailed++;
          this.st.lastSetvarError = message || 'Error';
        }
        return;
      case 'logoff':
        return;
    }
  }

  private onEvent(socket: Socket, m: AmiMessage, event: string): void {
    if (event === 'hangup') {
      this.seen.delete(field(m, 'Uniqueid') || (field(m, 'Channel') ?? ''));
      return;
    }
    if (event !== 'newchannel' && event !== 'newcallerid') return;
    const channel = field(m, 'Channel') ?? '';
    const number = field(m, 'CallerIDNum') ?? '';
    if (
      channel === '' ||
      !hasDigit(number) ||
      (this.contexts.size > 0 && !this.contexts.has(field(m, 'Context') ?? ''))
    ) {
      this.st.eventsSkipped++;
      return;
    }
    // NewCallerid also fires when only the name changes: look a number up once per channel.
    const key = field(m, 'Uniqueid') || channel;
    if (this.seen.get(key) === number) {
      this.st.eventsSkipped++;
      return;
    }
    this.remember(key, number);
    const result = this.opts.service.lookup(number);
    const checker = this.opts.checker?.() ?? null;
    if (checker === null) {
      this.setVariables(socket, channel, result, null);
      return;
    }
    // The check may wait for the store: other events go on meanwhile, and a check that fails
    // still gives the lookup variables (without the decision).
    checker
      .check(result)
      .catch((e: unknown) => {
        this.log.warn(`AMI: checking ${result.input} failed: ${(e as Error)?.message ?? String(e)}`);
        return null;
      })
      .then((check) => {
        if (socket !== this.socket || socket.destroyed) return;
        this.setVariables(socket, channel, result, check);
      })
      .catch((e: unknown) =>
        this.log.error(`AMI: cannot set variables: ${(e as Error)?.stack ?? String(e)}`),
      );
  }

  private setVariables(socket: Socket, channel: string, result: LookupResult, check: CallCheck | null): void {
    const vars = numinfoVariables(result, this.route(result, check));
    if (check !== null) {
      // Before NUMINFO_STATUS, which stays last: once the dialplan sees it, every other variable is set.
      vars.splice(
        vars.length - 1,
        0,
        ['NUMINFO_DECISION', check.decision],
        ['NUMINFO_TRUST', check.trust.toFixed(2)],
        ['NUMINFO_REASONS', check.reasons.join(',')],
      );
    }
    let out = '';
    for (const [name, value] of vars) {
      out += this.action('Setvar', 'setvar', [
        ['Channel', channel],
        ['Variable', name],
        ['Value', value],
      ]);
      this.st.setvarSent++;
    }
    // Written at once and not awaited: the next event is handled while Asterisk answers these.
    socket.write(out);
    this.st.eventsHandled++;
  }

  private route(result: LookupResult, check: CallCheck | null): RouteDecision | null {
    if (!this.opts.router) return null;
    try {
      const source = this.opts.router();
      return source ? source.route(result, 'in', check ?? undefined) : null;
    } catch (e) {
      this.log.warn(`AMI: routing ${result.input} failed: ${(e as Error).message}`);
      return null;
    }
  }

  private remember(key: string, number: string): void {
    this.seen.delete(key);
    if (this.seen.size >= SEEN_LIMIT) {
      const oldest = this.seen.keys().next();
      if (!oldest.done) this.seen.delete(oldest.value);
    }
    this.seen.set(key, number);
  }

  /** One action's text, its ActionID registered so the answer is recognised. */
  private action(name: string, kind: Pending, fields: readonly (readonly [string, string])[] = []): string {
    const id = `numinfo-${++this.seq}`;
    this.pending.set(id, kind);
    return buildAction(name, id, fields);
  }

  private schedulePing(socket: Socket): void {
    if (this.pingMs <= 0) return;
    if (this.pingTimer) clearTimeout(this.pingTimer);
    this.pingTimer = setTimeout(() => {
      this.pingTimer = null;
      if (socket !== this.socket || socket.destroyed) return;
      socket.write(this.action('Ping', 'ping'));
      this.armDeadline(socket, `keepalive: no answer to Ping within ${this.responseMs} ms`);
    }, this.pingMs);
  }

  /** Closes the connection unless an answer clears the deadline first. */
  private armDeadline(socket: Socket, why: string): void {
    this.clearDeadline();
    this.deadlineTimer = setTimeout(() => {
      this.deadlineTimer = null;
      this.drop(socket, why);
    }, this.responseMs);
  }

  private clearDeadline(): void {
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
    this.deadlineTimer = null;
  }

  private clearConnectionTimers(): void {
    this.clearDeadline();
    if (this.pingTimer) clearTimeout(this.pingTimer);
    this.pingTimer = null;
  }

  private drop(socket: Socket, why: string): void {
    if (socket !== this.socket || socket.destroyed) return;
    this.closing = why;
    socket.destroy();
  }

  private onClose(socket: Socket): void {
    if (socket !== this.socket) return;
    this.socket = null;
    this.clearConnectionTimers();
    const wasLoggedIn = this.st.loggedIn;
    this.st.connected = false;
    this.st.loggedIn = false;
    for (const kind of this.pending.values()) if (kind === 'setvar') this.st.setvarFailed++;
    this.pending.clear();
    this.seen.clear();
    if (!this.running) {
      this.log.info(`AMI: disconnected from ${this.where}`);
      return;
    }
    const why = this.closing ?? 'connection closed by Asterisk';
    this.st.lastError = why;
    this.st.lastErrorAt = new Date().toISOString();
    const delay = Math.min(this.backoff.maxMs, this.backoff.initialMs * 2 ** Math.min(this.attempts, 30));
    this.attempts++;
    const text = `AMI: ${wasLoggedIn ? 'lost connection to' : 'no session with'} ${this.where} (${why}); retrying in ${delay} ms`;
    if (why.startsWith('authentication failed')) this.log.error(text);
    else this.log.warn(text);
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }
}
