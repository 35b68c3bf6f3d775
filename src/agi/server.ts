/**
 * The FastAGI server: Asterisk connects for `AGI(agi://host[:port]/lookup|route|check,…)`, one TCP
 * connection per call. Each connection is an independent AgiSession with its own time limits, so a
 * slow or silent PBX connection never holds up the others.
 */
import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import type { LookupResult } from '../core/types.js';
import { NuminfoError } from '../errors.js';
import { SILENT_LOGGER, type Logger } from '../services/registryManager.js';
import type { CallChecker, RouteSource } from '../services/routing/types.js';
import { runScript, type ScriptDeps, type ScriptRun } from './scripts.js';
import { AgiSession, type SessionEnd } from './session.js';

/** The FastAGI port Asterisk assumes when an `agi://` URL names none. */
export const DEFAULT_AGI_PORT = 4573;

export interface AgiServerOptions {
  readonly host?: string;
  /** 0: any free port (see `AgiServer.port`). */
  readonly port: number;
  readonly service: { lookup(input: string): LookupResult };
  /** The current routing rules, asked on every `route` call so a reload is seen at once. */
  readonly router: () => RouteSource;
  /** Allow/block decisions for `check`; without one every number is allowed with trust 5.00. */
  readonly checker?: CallChecker | null | (() => CallChecker | null);
  readonly log?: Logger;
  /** Time for a call's header block, and for each reply to a command. Default 5000 ms. */
  readonly timeoutMs?: number;
  /** Largest header block accepted. Default 16 KiB (Asterisk's is well under 2 KiB). */
  readonly maxHeaderBytes?: number;
  /** Transliterate every value (older Asterisk); a call's `latin=0` / `latin=1` overrides it. */
  readonly latin?: boolean;
}

export interface AgiServerStats {
  /** Connections open now. */
  readonly active: number;
  /** Sessions ended since the start, by why they ended. */
  readonly ended: Readonly<Record<SessionEnd, number>>;
}

export interface AgiServer {
  readonly host: string;
  readonly port: number;
  stats(): AgiServerStats;
  /** Stops accepting calls; sessions under way get up to `graceMs` to finish, then are cut. */
  close(graceMs?: number): Promise<void>;
}

export async function startAgiServer(opts: AgiServerOptions): Promise<AgiServer> {
  const log = opts.log ?? SILENT_LOGGER;
  const host = opts.host ?? '0.0.0.0';
  const timeoutMs = opts.timeoutMs ?? 5000;
  const maxHeaderBytes = opts.maxHeaderBytes ?? 16 * 1024;
  const checker = opts.checker;
  const deps: ScriptDeps = {
    lookup: (input) => opts.service.lookup(input),
    router: opts.router,
    checker: typeof checker === 'function' ? checker : () => checker ?? null,
    latin: opts.latin ?? false,
  };
  const ended: Record<SessionEnd, number> = {
    done: 0,
    hangup: 0,
    dead_channel: 0,
    peer_closed: 0,
    timeout: 0,
    bad_header: 0,
    bad_reply: 0,
    shutdown: 0,
  };
  const logged = (r: ScriptRun): ScriptRun => {
    if (r.problem !== null) log.warn(`agi: ${r.problem}`);
    return r;
  };
  const sessions = new Set<AgiSession>();
  const sessionOptions = {
    timeoutMs,
    maxHeaderBytes,
    log,
    run: (header: ReadonlyMap<string, string>) => {
      const r = runScript(header, deps);
      // Only `check` (and `route` with `decision` rules) waits for the checker; the rest stays synchronous.
      if (r instanceof Promise) return r.then(logged);
      return logged(r);
    },
    onEnd: (why: SessionEnd) => {
      ended[why]++;
    },
  };

  const server = createServer({ noDelay: true }, (socket: Socket) => {
    const session = new AgiSession(socket, sessionOptions);
    sessions.add(session);
    socket.once('close', () => sessions.delete(session));
  });
  const listening = once(server, 'listening');
  server.listen({ host, port: opts.port });
  try {
    await listening;
  } catch (e) {
    throw new NuminfoError(
      'CONFIG_INVALID',
      `FastAGI server cannot listen on ${host}:${opts.port}: ${(e as Error).message}`,
      { cause: e },
    );
  }
  server.on('error', (e) => log.error(`agi: server error: ${e.message}`));
  const port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | null = null;
  return {
    host,
    port,
    stats: () => ({ active: sessions.size, ended: { ...ended } }),
    close(graceMs = 1000) {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        const deadline = Date.now() + graceMs;
        while (sessions.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
        for (const s of sessions) s.shutdown(true);
        await closed;
      })();
      return closing;
    },
  };
}
