import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NuminfoError } from '../errors.js';
import type { SourceFile } from './registryImport.js';

/** Where the official files live, and their names there. */
export const OFFICIAL_BASE_URL = 'https://opendata.digital.gov.ru/downloads/';
export const OFFICIAL_FILES = ['ABC-3xx.csv', 'ABC-4xx.csv', 'ABC-8xx.csv', 'DEF-9xx.csv'] as const;

export interface FetchProgress {
  readonly file: string;
  readonly received: number;
  /** Content-Length when the server sent one. */
  readonly total: number | null;
  readonly done: boolean;
}

export interface FetchOptions {
  readonly onProgress?: (p: FetchProgress) => void;
  /** Abort a download that takes longer than this, per file. */
  readonly timeoutMs?: number;
}

function isUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

function readLocal(path: string, onProgress?: (p: FetchProgress) => void): SourceFile[] {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    throw new NuminfoError('SOURCE_UNAVAILABLE', `cannot read ${path}: ${(e as Error).message}`, {
      cause: e,
    });
  }
  const paths = st.isDirectory()
    ? readdirSync(path)
        .filter((n) => n.toLowerCase().endsWith('.csv'))
        .sort()
        .map((n) => join(path, n))
    : [path];
  if (paths.length === 0) throw new NuminfoError('SOURCE_UNAVAILABLE', `no .csv files in ${path}`);
  return paths.map((p) => {
    const bytes = readFileSync(p);
    onProgress?.({ file: basename(p), received: bytes.length, total: bytes.length, done: true });
    return { name: basename(p), bytes, modified: statSync(p).mtime };
  });
}

async function download(url: string, opts: FetchOptions): Promise<SourceFile> {
  const name = decodeURIComponent(new URL(url).pathname.split('/').pop() || url);
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(opts.timeoutMs ?? 300_000) });
  } catch (e) {
    const cause = (e as { cause?: { message?: string } }).cause?.message;
    throw new NuminfoError('SOURCE_UNAVAILABLE', `cannot download ${url}: ${cause ?? (e as Error).message}`, {
      cause: e,
    });
  }
  if (!res.ok || !res.body) {
    throw new NuminfoError('SOURCE_UNAVAILABLE', `cannot download ${url}: HTTP ${res.status}`);
  }
  const lengthHeader = res.headers.get('content-length');
  const total = lengthHeader !== null && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : null;
  const chunks: Uint8Array[] = [];
  let received = 0;
  try {
    for await (const chunk of res.body) {
      chunks.push(chunk);
      received += chunk.length;
      opts.onProgress?.({ file: name, received, total, done: false });
    }
  } catch (e) {
    throw new NuminfoError('SOURCE_UNAVAILABLE', `download of ${url} broke off after ${received} bytes`, {
      cause: e,
    });
  }
  if (total !== null && received !== total) {
    throw new NuminfoError(
      'SOURCE_UNAVAILABLE',
      `download of ${url} is truncated: ${received} of ${total} bytes`,
    );
  }
  opts.onProgress?.({ file: name, received, total, done: true });
  const modifiedHeader = res.headers.get('last-modified');
  const modified = modifiedHeader ? new Date(modifiedHeader) : null;
  return {
    name,
    bytes: Buffer.concat(chunks),
    modified: modified && !Number.isNaN(modified.getTime()) ? modified : null,
  };
}

/**
 * Reads the registry files from a source: an http(s) base URL (the four official file names are
 * appended), a URL of one .csv file, a `file://` URL, a directory (every .csv in it) or one file.
 */
export async function fetchRegistryFiles(source: string, opts: FetchOptions = {}): Promise<SourceFile[]> {
  if (source.startsWith('file://')) return readLocal(fileURLToPath(source), opts.onProgress);
  if (!isUrl(source)) return readLocal(source, opts.onProgress);
  if (/\.csv$/i.test(new URL(source).pathname)) return [await download(source, opts)];
  const base = source.endsWith('/') ? source : source + '/';
  const files: SourceFile[] = [];
  for (const name of OFFICIAL_FILES) files.push(await download(base + name, opts));
  return files;
}
