/** Child processes, ports and temp dirs for the integration tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const CLI = join(ROOT, 'dist', 'cli', 'main.js');
/**
 * The real registry files (not part of the repository); tests fall back to generated files without them.
 * NUMINFO_TEST_SHARED_COMBINED points elsewhere (a missing path exercises the fallback).
 */
export const SHARED_COMBINED = process.env.NUMINFO_TEST_SHARED_COMBINED
  ? resolve(process.env.NUMINFO_TEST_SHARED_COMBINED)
  : resolve(ROOT, '../shared/registry/combined');
/** Fixture set kept by the unit tests' author; used when present. */
export const FIXTURE_CURRENT = join(ROOT, 'test', 'fixtures', 'registry', 'current');

export function assertBuilt(): void {
  if (!existsSync(CLI))
    throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does it via pretest)`);
}

const tempDirs: string[] = [];

export function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), `numinfo-${prefix}-`));
  tempDirs.push(d);
  return d;
}

export function removeTempDirs(): void {
  for (const d of tempDirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** The environment of this process without any NUMINFO_* or PORT setting, plus `extra`. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('NUMINFO_') && k !== 'PORT') env[k] = v;
  return { ...env, ...extra };
}

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node dist/cli/main.js ARGS` to completion. */
export function runCli(
  args: readonly string[],
  opts: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      env: cleanEnv(opts.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 25_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
}

/** A port that was free a moment ago: listen on 0, note the port, close. */
export function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolvePromise(port));
    });
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 10_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`,
      );
    }
    await sleep(intervalMs);
  }
}

/** Ends a child process: SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
export async function stopChild(child: ChildProcess | undefined, graceMs = 3000): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export interface ServeChild {
  readonly child: ChildProcess;
  readonly base: string;
  readonly port: number;
  /** What the server wrote to stderr so far (its warnings and errors). */
  readonly stderr: string[];
}

/**
 * `numinfo serve` as a real child process on a free loopback port, resolved once /healthz answers.
 * `env` adds to (or overrides) a quiet, offline base environment; the data directory is a fresh one
 * unless `NUMINFO_DATA_DIR` is given. Stop it with stopChild.
 */
export async function startServe(env: Record<string, string> = {}): Promise<ServeChild> {
  const port = await freePort();
  const stderr: string[] = [];
  const child = spawn(process.execPath, [CLI, 'serve'], {
    cwd: ROOT,
    env: cleanEnv({
      NUMINFO_PORT: String(port),
      NUMINFO_HOST: '127.0.0.1',
      NUMINFO_DATA_DIR: tempDir('serve'),
      NUMINFO_AUTO_UPDATE: 'false',
      NUMINFO_LOG_LEVEL: 'warn',
      ...env,
    }),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr!.setEncoding('utf8').on('data', (s: string) => stderr.push(s));
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      'the server to listen',
      async () => {
        if (child.exitCode !== null)
          throw new Error(`serve exited with ${child.exitCode}: ${stderr.join('')}`);
        return (await fetch(base + '/healthz')).ok ? true : undefined;
      },
      15_000,
      50,
    );
  } catch (e) {
    await stopChild(child);
    throw e;
  }
  return { child, base, port, stderr };
}
