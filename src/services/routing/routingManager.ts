import { readFileSync, stat, statSync } from 'node:fs';
import type { LookupResult } from '../../core/types.js';
import { isNuminfoError, NuminfoError } from '../../errors.js';
import { SILENT_LOGGER, type Logger } from '../registryManager.js';
import { DEFAULT_ROUTE, Router } from './router.js';
import { formatProblems, parseRules } from './rules.js';
import type { CallCheck, Direction, RouteDecision, RouteSource } from './types.js';

export interface RoutingInfo {
  /** The rules file, or null when none is configured (every call takes the route `default`). */
  readonly file: string | null;
  readonly rules: number;
  readonly defaultRoute: string;
  /** When the rules in use were loaded, ISO 8601; null before `load()`. */
  readonly loadedAt: string | null;
  /** Why the last (re)load failed, while the previous rules stay in use; null after a good load. */
  readonly error: string | null;
  readonly errorAt: string | null;
}

/**
 * Keeps the routing rules in step with their file: `load()` at start (a bad file stops the start),
 * `reload()` on SIGHUP or when the file changes (a bad file keeps the rules in use and records the
 * error). Each load builds a new Router and swaps it in with one assignment, so a call being routed
 * finishes on the rules it started with and no call sees half a file.
 *
 * The manager is itself a RouteSource that routes with the current rules: hold the manager (or read
 * `router` per call), not a Router taken from it once.
 */
export class RoutingManager implements RouteSource {
  private current: Router;
  private loadedAt: Date | null = null;
  private lastError: string | null = null;
  private lastErrorAt: Date | null = null;
  /** mtime and size of the file version last read, good or bad, so a poll reloads only on change. */
  private seen: { mtimeMs: number; size: number } | null = null;
  private timer: NodeJS.Timeout | null = null;
  private polling = false;

  constructor(
    readonly path: string | null,
    private readonly log: Logger = SILENT_LOGGER,
  ) {
    this.current = Router.empty(DEFAULT_ROUTE);
  }

  /** The rules in use now. */
  get router(): Router {
    return this.current;
  }

  /** Whether the rules in use have a `decision` condition. */
  get needsCheck(): boolean {
    return this.current.needsCheck;
  }

  route(number: LookupResult, direction: Direction, check?: CallCheck): RouteDecision {
    return this.current.route(number, direction, check);
  }

  get info(): RoutingInfo {
    return {
      file: this.path,
      rules: this.current.size,
      defaultRoute: this.current.defaultRoute,
      loadedAt: this.loadedAt?.toISOString() ?? null,
      error: this.lastError,
      errorAt: this.lastErrorAt?.toISOString() ?? null,
    };
  }

  /**
   * Loads the rules at start. Without a file: no rules, route `default`. A missing, unreadable or
   * invalid file throws a NuminfoError CONFIG_INVALID whose message names each problem's line.
   */
  load(): void {
    if (this.path === null) {
      this.current = Router.empty(DEFAULT_ROUTE);
      this.loadedAt = new Date();
      this.log.info('routing: no rules file (routesFile); every call takes the route "default"');
      return;
    }
    this.current = this.read(this.path);
    this.loadedAt = new Date();
    this.lastError = null;
    this.lastErrorAt = null;
  }

  /**
   * Reads the file again. True when the new rules are in use; false when the file is missing or
   * invalid: the previous rules stay, the error is logged and kept in `info.error`.
   */
  reload(): boolean {
    if (this.path === null) return true;
    try {
      this.current = this.read(this.path);
      this.loadedAt = new Date();
      this.lastError = null;
      this.lastErrorAt = null;
      return true;
    } catch (e) {
      this.lastError = (e as Error).message;
      this.lastErrorAt = new Date();
      this.log.error(
        `routing: cannot reload ${this.path}; keeping the ${this.current.size} rules loaded ` +
          `${this.loadedAt?.toISOString() ?? 'before'}:\n${this.lastError}`,
      );
      return false;
    }
  }

  /**
   * Polls the file (editors' atomic renames and `cp`/`mv` deployments defeat inotify-style watches) and
   * reloads when its mtime or size differs from the version last read. Compared with that version, not
   * with the previous poll, so a change made between `load()` and the first poll is not missed.
   */
  watch(intervalMs = 2000): void {
    if (this.path === null || this.timer !== null) return;
    this.timer = setInterval(() => this.poll(), intervalMs);
    this.timer.unref();
  }

  close(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  private poll(): void {
    const path = this.path;
    if (path === null || this.polling) return;
    this.polling = true;
    stat(path, (err, st) => {
      this.polling = false;
      if (this.timer === null) return;
      if (err) {
        if (this.seen !== null) {
          this.seen = null;
          this.lastError = `cannot read ${path}: ${err.message}`;
          this.lastErrorAt = new Date();
          this.log.warn(`routing: ${this.lastError}; keeping the ${this.current.size} rules in use`);
        }
        return;
      }
      if (this.seen && st.mtimeMs === this.seen.mtimeMs && st.size === this.seen.size) return;
      this.reload();
    });
  }

  private read(path: string): Router {
    let text: string;
    try {
      const st = statSync(path);
      this.seen = { mtimeMs: st.mtimeMs, size: st.size };
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new NuminfoError(
        'CONFIG_INVALID',
        `cannot read the routing rules ${path}: ${(e as Error).message}`,
      );
    }
    try {
      const rules = parseRules(text, path);
      for (const w of rules.warnings) this.log.warn(`routing: ${formatProblems(path, [w])}`);
      const router = new Router(rules);
      this.log.info(
        `routing: ${router.size} rules loaded from ${path}; default route "${router.defaultRoute}"`,
      );
      return router;
    } catch (e) {
      if (isNuminfoError(e)) throw e;
      throw new NuminfoError('CONFIG_INVALID', `${path}: ${(e as Error).message}`, { cause: e });
    }
  }
}
