import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { pipeline, Transform, type Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import yauzl from 'yauzl';

/** A file to import, or one member of a zip archive. */
export interface TextSource {
  readonly name: string;
  open(): Promise<Readable>;
}

/** Calls `onLine` for every line of the stream (1-based numbers), without a BOM or a CR. */
export async function forEachLine(
  stream: Readable,
  onLine: (line: string, no: number) => void,
): Promise<void> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let no = 0;
  let first = true;
  for await (const chunk of stream) {
    let text = rest + decoder.write(chunk as Buffer);
    if (first && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      onLine(text.slice(start, end), ++no);
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  rest += decoder.end();
  if (rest.endsWith('\r')) rest = rest.slice(0, -1);
  if (rest.length > 0) onLine(rest, ++no);
}

function isZip(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createReadStream(path, { start: 0, end: 3 });
    const parts: Buffer[] = [];
    s.on('data', (c) => parts.push(c as Buffer));
    s.on('error', () => resolve(false));
    s.on('end', () => {
      const b = Buffer.concat(parts);
      resolve(b.length === 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04);
    });
  });
}

export interface OpenedSources {
  readonly sources: readonly TextSource[];
  /** Releases the archive's file handle, if any. */
  close(): void;
}

/**
 * yauzl checks a member's size but not its CRC-32: a damaged byte in a stored member, or one that
 * still inflates, would pass as wrong rows. This checks it and fails the stream at its end.
 */
function checkCrc(stream: Readable, entry: yauzl.Entry): Readable {
  let crc = 0;
  const check = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      crc = crc32(chunk, crc);
      done(null, chunk);
    },
    flush(done) {
      done(crc === entry.crc32 ? null : new Error(`${entry.fileName}: CRC-32 mismatch (damaged archive)`));
    },
  });
  // pipeline passes the member stream's errors on and closes it when the reader stops early.
  return pipeline(stream, check, () => {});
}

function zipMembers(path: string): Promise<OpenedSources> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: false }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error('cannot open zip'));
      const members: TextSource[] = [];
      zip.on('entry', (entry: yauzl.Entry) => {
        if (!entry.fileName.endsWith('/')) {
          members.push({
            name: entry.fileName,
            open: () =>
              new Promise((res, rej) =>
                zip.openReadStream(entry, (e, s) =>
                  e || !s ? rej(e ?? new Error('cannot read zip entry')) : res(checkCrc(s, entry)),
                ),
              ),
          });
        }
        zip.readEntry();
      });
      zip.on('end', () => resolve({ sources: members, close: () => zip.close() }));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

/** The text sources in a path: the file itself, or each member when it is a zip archive (by its bytes). */
export async function textSources(path: string): Promise<OpenedSources> {
  if (await isZip(path)) return zipMembers(path);
  const name = path.split(/[\\/]/).pop() ?? path;
  return {
    sources: [{ name, open: async () => createReadStream(path, { highWaterMark: 1 << 20 }) }],
    close: () => {},
  };
}
