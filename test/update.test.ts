/**
 * `updateRegistry` and `numinfo update` against a real local HTTP server, a directory and file://
 * URLs: good data is installed with exact counts; every kind of broken source is refused and leaves
 * the previous snapshot byte for byte as it was.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RegistryIndex } from '../src/data/registryIndex.js';
import type { FetchProgress } from '../src/data/registrySource.js';
import { snapshotPath, updateRegistry, type UpdateResult } from '../src/data/registryUpdate.js';
import { readSnapshotFile } from '../src/data/snapshot.js';
import { NuminfoError } from '../src/errors.js';
import { lookup } from '../src/services/lookup.js';
import {
  BOM,
  csvText,
  DEF_ROWS,
  FILE_NAMES,
  GOOD_COUNTS,
  GOOD_DATA_DATE,
  GOOD_DATE,
  GOOD_FILES,
  HEADER,
  writeRegistryDir,
} from './helpers/registryData.js';
import { assertBuilt, FIXTURE_CURRENT, freePort, removeTempDirs, runCli, tempDir } from './helpers/proc.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** Files the server serves under /downloads/NAME; a handler in `overrides` replaces a file's answer. */
let files = new Map<string, { bytes: Buffer; modified: Date }>();
const overrides = new Map<string, Handler>();
const requests: string[] = [];
let server: Server;
let base: string;
let closedPort: number;

function serveGood(): void {
  files = new Map(FILE_NAMES.map((n) => [n, { bytes: Buffer.from(GOOD_FILES[n]), modified: GOOD_DATE }]));
}

function sendFile(res: ServerResponse, bytes: Buffer, modified: Date): void {
  res.writeHead(200, {
    'content-type': 'text/csv; charset=utf-8',
    'content-length': String(bytes.length),
    'last-modified': modified.toUTCString(),
  });
  res.end(bytes);
}

beforeAll(async () => {
  assertBuilt();
  serveGood();
  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    requests.push(path);
    const m = /^\/downloads\/([^/]+)$/.exec(path);
    const name = m ? decodeURIComponent(m[1]!) : '';
    const override = overrides.get(name);
    if (override) return override(req, res);
    const file = files.get(name);
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end('<html><body><h1>404 Not Found</h1></body></html>');
      return;
    }
    sendFile(res, file.bytes, file.modified);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/downloads/`;
  closedPort = await freePort();
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  removeTempDirs();
});

beforeEach(() => {
  overrides.clear();
  requests.length = 0;
  serveGood();
});

async function rejection(p: Promise<unknown>): Promise<NuminfoError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(NuminfoError);
    return e as NuminfoError;
  }
  throw new Error('expected the update to be refused, but it succeeded');
}

function expectGoodMeta(r: UpdateResult): void {
  expect(r.meta.rows).toBe(GOOD_COUNTS.rows);
  expect(r.meta.groups).toStrictEqual(GOOD_COUNTS.groups);
  expect(r.meta.operators).toBe(GOOD_COUNTS.operators);
  expect(r.meta.overlapsDropped).toBe(0);
  expect(r.meta.dataDate).toBe(GOOD_DATA_DATE);
  expect(r.meta.version).toMatch(new RegExp(`^${GOOD_DATA_DATE}\\.[0-9a-f]{8}$`));
  expect(r.meta.sources).toStrictEqual(
    FILE_NAMES.map((file) => ({
      file,
      layout: '8 columns, header',
      encoding: 'utf-8-bom',
      rows: GOOD_COUNTS.groups[file.startsWith('DEF') ? '9' : (file[4] as '3' | '4' | '8')],
      rejected: 0,
    })),
  );
}

describe('updateRegistry from an HTTP source', () => {
  const dataDir = tempDir('update-http');
  const snap = snapshotPath(dataDir);
  let good: UpdateResult;
  let before: Buffer;

  it('downloads the four files, writes the snapshot, reports exact counts', async () => {
    const progress: FetchProgress[] = [];
    good = await updateRegistry({ source: base, dataDir, onProgress: (p) => progress.push(p) });
    expect(requests).toEqual(FILE_NAMES.map((n) => `/downloads/${n}`));
    expect(good.path).toBe(snap);
    expect(good.previous).toBeNull();
    expectGoodMeta(good);
    expect(good.reports.map((r) => [r.file, r.accepted, r.rejectedCount])).toEqual([
      ['ABC-3xx.csv', 5, 0],
      ['ABC-4xx.csv', 4, 0],
      ['ABC-8xx.csv', 3, 0],
      ['DEF-9xx.csv', 20, 0],
    ]);
    const done = progress.filter((p) => p.done);
    expect(done.map((p) => [p.file, p.received, p.total])).toEqual(
      FILE_NAMES.map((n) => [n, Buffer.byteLength(GOOD_FILES[n]), Buffer.byteLength(GOOD_FILES[n])]),
    );
    // The file on disk is that registry, and it answers lookups.
    const onDisk = readSnapshotFile(snap);
    expect(onDisk.meta).toStrictEqual(good.meta);
    const r = lookup(new RegistryIndex(onDisk), '+7 900 000-00-00');
    expect(r.operator?.name).toBe('ООО "Т2 Мобайл"');
    expect(r.region?.name).toBe('Краснодарский край');
    expect(readdirSync(dataDir)).toEqual(['registry.snap']);
  });

  it('a second update of the same data is accepted and names the previous version', async () => {
    const again = await updateRegistry({
      source: base.slice(0, -1) /* without the trailing slash */,
      dataDir,
    });
    expect(again.previous).toStrictEqual(good.meta);
    expect(again.meta.version).toBe(good.meta.version);
    expectGoodMeta(again);
    good = again;
  });

  describe('broken sources are refused and the snapshot stays byte-identical', () => {
    beforeEach(() => {
      before = readFileSync(snap);
    });

    function expectKept(): void {
      expect(readFileSync(snap).equals(before)).toBe(true);
      expect(readdirSync(dataDir)).toEqual(['registry.snap']);
    }

    const html = Buffer.from(
      '<!DOCTYPE html>\n<html><head><title>Ошибка</title></head>\n<body><h1>Сервис временно недоступен</h1></body></html>\n',
    );

    const cases: [
      name: string,
      handler: Handler,
      code: 'UPDATE_REJECTED' | 'SOURCE_UNAVAILABLE',
      message: RegExp,
    ][] = [
      [
        'an empty file',
        (_q, res) => sendFile(res, Buffer.alloc(0), GOOD_DATE),
        'UPDATE_REJECTED',
        /DEF-9xx\.csv: no valid rows/,
      ],
      [
        'a file with only BOM and header',
        (_q, res) => sendFile(res, Buffer.from(BOM + HEADER + '\n'), GOOD_DATE),
        'UPDATE_REJECTED',
        /DEF-9xx\.csv: no valid rows/,
      ],
      [
        'an HTML error page with status 200',
        (_q, res) => sendFile(res, html, GOOD_DATE),
        'UPDATE_REJECTED',
        /DEF-9xx\.csv: no valid rows/,
      ],
      [
        'binary junk',
        (_q, res) =>
          sendFile(res, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)), GOOD_DATE),
        'UPDATE_REJECTED',
        /DEF-9xx\.csv/,
      ],
      [
        'a file where a quarter of the rows are damaged',
        (_q, res) =>
          sendFile(
            res,
            Buffer.from(
              csvText([
                ...DEF_ROWS,
                '900;2000000;20x0999;1000;ООО "Т2 Мобайл";-;Тверская область;7743895280',
                '901;',
                '901;;;;;;;',
                '9',
                'мусор',
              ]),
            ),
            GOOD_DATE,
          ),
        'UPDATE_REJECTED',
        /DEF-9xx\.csv: 5 of 25 rows rejected/,
      ],
      [
        'a truncated body (Content-Length larger than what arrives, then the connection drops)',
        (_q, res) => {
          const bytes = Buffer.from(GOOD_FILES['DEF-9xx.csv']);
          res.writeHead(200, {
            'content-length': String(bytes.length),
            'last-modified': GOOD_DATE.toUTCString(),
          });
          res.write(bytes.subarray(0, bytes.length >> 1), () => setTimeout(() => res.socket?.destroy(), 20));
        },
        'SOURCE_UNAVAILABLE',
        /DEF-9xx\.csv/,
      ],
      [
        'a chunked body that breaks off',
        (_q, res) => {
          const bytes = Buffer.from(GOOD_FILES['DEF-9xx.csv']);
          res.writeHead(200, { 'content-type': 'text/csv' });
          res.write(bytes.subarray(0, bytes.length >> 1), () => setTimeout(() => res.socket?.destroy(), 20));
        },
        'SOURCE_UNAVAILABLE',
        /DEF-9xx\.csv/,
      ],
      [
        'HTTP 404',
        (_q, res) => {
          res.writeHead(404, { 'content-type': 'text/html' });
          res.end('<h1>Not Found</h1>');
        },
        'SOURCE_UNAVAILABLE',
        /DEF-9xx\.csv: HTTP 404/,
      ],
      [
        'HTTP 500',
        (_q, res) => {
          res.writeHead(500);
          res.end('Internal Server Error');
        },
        'SOURCE_UNAVAILABLE',
        /DEF-9xx\.csv: HTTP 500/,
      ],
      [
        'far fewer rows than the current data (DEF-9xx: 1 row against 20)',
        (_q, res) => sendFile(res, Buffer.from(csvText(DEF_ROWS.slice(0, 1))), GOOD_DATE),
        'UPDATE_REJECTED',
        /DEF-9xx: 1 rows against 20 in the current data; use --force/,
      ],
    ];

    for (const [name, handler, code, message] of cases) {
      it(name, async () => {
        overrides.set('DEF-9xx.csv', handler);
        const e = await rejection(updateRegistry({ source: base, dataDir }));
        expect(e.code).toBe(code);
        expect(e.message).toMatch(message);
        expectKept();
      });
    }

    it('a failure in the first file stops before the others are fetched', async () => {
      overrides.set('ABC-3xx.csv', (_q, res) => {
        res.writeHead(503);
        res.end();
      });
      const e = await rejection(updateRegistry({ source: base, dataDir }));
      expect(e.code).toBe('SOURCE_UNAVAILABLE');
      expect(requests).toEqual(['/downloads/ABC-3xx.csv']);
      expectKept();
    });

    it('a server that does not answer in time (timeoutMs)', async () => {
      overrides.set('ABC-4xx.csv', () => {
        /* never answers */
      });
      const e = await rejection(updateRegistry({ source: base, dataDir, timeoutMs: 300 }));
      expect(e.code).toBe('SOURCE_UNAVAILABLE');
      expect(e.message).toMatch(/ABC-4xx\.csv/);
      expectKept();
    });

    it('connection refused (nothing listens on the port)', async () => {
      const e = await rejection(
        updateRegistry({ source: `http://127.0.0.1:${closedPort}/downloads/`, dataDir }),
      );
      expect(e.code).toBe('SOURCE_UNAVAILABLE');
      expect(e.message).toMatch(/cannot download http:\/\/127\.0\.0\.1:\d+\/downloads\/ABC-3xx\.csv/);
      expectKept();
    });

    it('a missing local directory, and one without .csv files', async () => {
      const missing = await rejection(updateRegistry({ source: join(dataDir, 'no-such-dir'), dataDir }));
      expect(missing.code).toBe('SOURCE_UNAVAILABLE');
      const emptyDir = tempDir('update-emptysrc');
      writeFileSync(join(emptyDir, 'README.txt'), 'not a registry');
      const none = await rejection(updateRegistry({ source: emptyDir, dataDir }));
      expect(none.code).toBe('SOURCE_UNAVAILABLE');
      expect(none.message).toMatch(/no \.csv files/);
      expectKept();
    });
  });

  it('the intended shrink is accepted with force: true, and good data is accepted again after it', async () => {
    files.set('DEF-9xx.csv', { bytes: Buffer.from(csvText(DEF_ROWS.slice(0, 1))), modified: GOOD_DATE });
    const shrunk = await updateRegistry({ source: base, dataDir, force: true });
    expect(shrunk.meta.rows).toBe(GOOD_COUNTS.rows - 19);
    expect(shrunk.meta.groups).toStrictEqual({ ...GOOD_COUNTS.groups, '9': 1 });
    expect(shrunk.previous?.version).toBe(good.meta.version);
    expect(readSnapshotFile(snap).meta.rows).toBe(13);

    serveGood();
    const grown = await updateRegistry({ source: base, dataDir });
    expectGoodMeta(grown);
    expect(grown.meta.version).toBe(good.meta.version);
    expect(grown.previous?.rows).toBe(13);
  });

  it('a single-file URL reads just that file', async () => {
    const dir = tempDir('update-onefile');
    const r = await updateRegistry({ source: base + 'DEF-9xx.csv', dataDir: dir });
    expect(requests).toEqual(['/downloads/DEF-9xx.csv']);
    expect(r.meta.rows).toBe(20);
    expect(r.meta.groups).toStrictEqual({ '3': 0, '4': 0, '8': 0, '9': 20 });
    expect(r.meta.dataDate).toBe(GOOD_DATA_DATE);
  });
});

describe('updateRegistry from local sources', () => {
  let srcDir: string;
  let httpVersion: string;

  beforeAll(async () => {
    srcDir = writeRegistryDir(tempDir('update-src'));
    httpVersion = (await updateRegistry({ source: base, dataDir: tempDir('update-ref') })).meta.version;
  });

  it('a directory: same counts, date from the file times, same version as over HTTP', async () => {
    const r = await updateRegistry({ source: srcDir, dataDir: tempDir('update-dir') });
    expectGoodMeta(r);
    expect(r.meta.version).toBe(httpVersion);
  });

  it('a file:// URL of the directory', async () => {
    const url = pathToFileURL(srcDir).href;
    expect(url).toMatch(/^file:\/\//);
    const r = await updateRegistry({ source: url, dataDir: tempDir('update-fileurl') });
    expectGoodMeta(r);
    expect(r.meta.version).toBe(httpVersion);
  });

  it('one local file, by path and by file:// URL', async () => {
    const file = join(srcDir, 'ABC-4xx.csv');
    for (const source of [file, pathToFileURL(file).href]) {
      const r = await updateRegistry({ source, dataDir: tempDir('update-localfile') });
      expect(r.meta.rows).toBe(4);
      expect(r.meta.groups).toStrictEqual({ '3': 0, '4': 4, '8': 0, '9': 0 });
    }
  });

  it('a shrinking local directory is refused the same way', async () => {
    const dataDir = tempDir('update-dir-shrink');
    await updateRegistry({ source: srcDir, dataDir });
    const before = readFileSync(snapshotPath(dataDir));
    const small = writeRegistryDir(tempDir('update-src-small'), {
      'DEF-9xx.csv': csvText(DEF_ROWS.slice(0, 3)),
    });
    const e = await rejection(updateRegistry({ source: small, dataDir }));
    expect(e.code).toBe('UPDATE_REJECTED');
    expect(readFileSync(snapshotPath(dataDir)).equals(before)).toBe(true);
  });

  // The fixture set's README documents 11 + 15 + 14 + 15 accepted rows and 5 deliberately bad rows in ABC-8xx.csv.
  it.skipIf(!existsSync(FIXTURE_CURRENT))(
    'the fixture set current/ is refused for its bad rows, and imports with a looser reject share, by directory and over HTTP',
    async () => {
      const e = await rejection(
        updateRegistry({ source: FIXTURE_CURRENT, dataDir: tempDir('update-fixture') }),
      );
      expect(e.code).toBe('UPDATE_REJECTED');
      expect(e.message).toMatch(/ABC-8xx\.csv: 5 of 19 rows rejected, more than 5%/);

      const viaDir = await updateRegistry({
        source: FIXTURE_CURRENT,
        dataDir: tempDir('update-fixture'),
        maxRejectShare: 0.3,
      });
      expect(viaDir.reports.map((r) => [r.file, r.accepted, r.rejectedCount])).toEqual([
        ['ABC-3xx.csv', 11, 0],
        ['ABC-4xx.csv', 15, 0],
        ['ABC-8xx.csv', 14, 5],
        ['DEF-9xx.csv', 15, 0],
      ]);
      expect(viaDir.meta.rows).toBe(55);
      expect(viaDir.meta.overlapsDropped).toBe(0);

      files = new Map(
        FILE_NAMES.map((n) => {
          const p = join(FIXTURE_CURRENT, n);
          return [n, { bytes: readFileSync(p), modified: statSync(p).mtime }];
        }),
      );
      const viaHttp = await updateRegistry({
        source: base,
        dataDir: tempDir('update-fixture'),
        maxRejectShare: 0.3,
      });
      expect(viaHttp.meta.rows).toBe(55);
      // Last-Modified has whole seconds, file times do not: the date, and so the version, agree unless
      // a file was written in the last second of a day.
      expect(viaHttp.meta.version).toBe(viaDir.meta.version);
    },
  );
});

describe('numinfo update (the CLI as a child process)', () => {
  const dataDir = tempDir('update-cli');
  const snap = snapshotPath(dataDir);
  let version = '';

  it('installs the data: exit 0, a summary line on stdout, progress on stderr', async () => {
    const r = await runCli(['update', '--source', base, '--data-dir', dataDir]);
    expect(r.stderr).toContain(`Reading registry from ${base}`);
    expect(r.code).toBe(0);
    const m = /^Registry (\S+): 32 ranges, 8 operators, written to (.+)\n$/.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    version = m![1]!;
    expect(version).toMatch(new RegExp(`^${GOOD_DATA_DATE}\\.[0-9a-f]{8}$`));
    expect(m![2]).toBe(snap);
    for (const n of FILE_NAMES) expect(r.stderr).toContain(`  ${n}: 8 columns, header, utf-8-bom,`);
    expect(r.stderr).toContain('  DEF-9xx.csv: 8 columns, header, utf-8-bom, 20 rows, 0 rejected');
    expect(readSnapshotFile(snap).meta.version).toBe(version);
  });

  it('a repeated update names the previous data; --quiet keeps stderr empty', async () => {
    const r = await runCli(['update', '--source', base, '--data-dir', dataDir, '--quiet']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      `Registry ${version}: 32 ranges, 8 operators, written to ${snap} (was ${version}, 32 ranges)\n`,
    );
  });

  it('takes the source and data dir from the environment too', async () => {
    const dir = tempDir('update-cli-env');
    const r = await runCli(['update', '--quiet'], {
      env: { NUMINFO_REGISTRY_SOURCE: base, NUMINFO_DATA_DIR: dir },
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`written to ${snapshotPath(dir)}`);
  });

  it('HTTP 500 on one file → exit 5 (SOURCE_UNAVAILABLE), a clear message, old snapshot kept', async () => {
    const before = readFileSync(snap);
    overrides.set('ABC-8xx.csv', (_q, res) => {
      res.writeHead(500);
      res.end();
    });
    const r = await runCli(['update', '--source', base, '--data-dir', dataDir]);
    expect(r.code).toBe(5);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`numinfo: cannot download ${base}ABC-8xx.csv: HTTP 500\n`);
    expect(readFileSync(snap).equals(before)).toBe(true);
  });

  it('connection refused → exit 5', async () => {
    const before = readFileSync(snap);
    const r = await runCli(['update', '--source', `http://127.0.0.1:${closedPort}/`, '--data-dir', dataDir]);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/numinfo: cannot download http:\/\/127\.0\.0\.1:\d+\/ABC-3xx\.csv: /);
    expect(readFileSync(snap).equals(before)).toBe(true);
  });

  it('a shrunken DEF file → exit 6 (UPDATE_REJECTED) naming --force; with --force → exit 0', async () => {
    const before = readFileSync(snap);
    files.set('DEF-9xx.csv', { bytes: Buffer.from(csvText(DEF_ROWS.slice(0, 1))), modified: GOOD_DATE });
    const r = await runCli(['update', '--source', base, '--data-dir', dataDir]);
    expect(r.code).toBe(6);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('numinfo: update rejected, current data kept:');
    expect(r.stderr).toContain('DEF-9xx: 1 rows against 20 in the current data; use --force if intended');
    expect(readFileSync(snap).equals(before)).toBe(true);

    const forced = await runCli(['update', '--source', base, '--data-dir', dataDir, '--force', '--quiet']);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toMatch(
      /^Registry \S+: 13 ranges, 6 operators, written to .+ \(was \S+, 32 ranges\)\n$/,
    );
    expect(readSnapshotFile(snap).meta.rows).toBe(13);
  });

  it('an HTML page instead of a file → exit 6', async () => {
    const before = readFileSync(snap);
    overrides.set('ABC-3xx.csv', (_q, res) =>
      sendFile(res, Buffer.from('<html><body>Maintenance</body></html>'), GOOD_DATE),
    );
    const r = await runCli(['update', '--source', base, '--data-dir', dataDir]);
    expect(r.code).toBe(6);
    expect(r.stderr).toContain('ABC-3xx.csv: no valid rows (empty, truncated or not a registry file)');
    expect(readFileSync(snap).equals(before)).toBe(true);
  });
});
