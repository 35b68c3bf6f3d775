import { readFileSync } from 'node:fs';
import {
  bytesOf,
  decodeContainer,
  decodeOrInvalid,
  encodeContainer,
  writeFileAtomic,
  type ContainerFormat,
} from '../container.js';
import type { CompiledMnp, MnpMeta, MnpOperatorEntry } from './mnpBuild.js';

/**
 * The MNP snapshot: the same container as the registry's (`../container.ts`) with its own magic.
 * Sections: META, OPER and DIRC (JSON), CIDX (u32 × 1001: where each code's numbers start),
 * SUBS (u32 subscriber numbers, sorted per code), OPID (u16 operator entry), DAYS (u16 port date,
 * days since 2000-01-01, 0 unknown). See docs/snapshot-format.md.
 */
export const MNP_MAGIC = 'NUMINFOM';
export const MNP_FORMAT_VERSION = 1;
const FORMAT: ContainerFormat = { magic: MNP_MAGIC, version: MNP_FORMAT_VERSION, what: 'MNP snapshot' };

export function encodeMnp(m: CompiledMnp): Buffer {
  const json = (tag: string, v: unknown) => ({
    tag,
    bytes: new TextEncoder().encode(JSON.stringify(v)),
    count: 1,
  });
  return encodeContainer(FORMAT, [
    json('META', m.meta),
    json('OPER', m.operators),
    json('DIRC', m.directory),
    { tag: 'CIDX', bytes: bytesOf(m.codeIndex), count: m.codeIndex.length },
    { tag: 'SUBS', bytes: bytesOf(m.subs), count: m.subs.length },
    { tag: 'OPID', bytes: bytesOf(m.ops), count: m.ops.length },
    { tag: 'DAYS', bytes: bytesOf(m.days), count: m.days.length },
  ]);
}

export function writeMnpFile(path: string, m: CompiledMnp): void {
  writeFileAtomic(path, encodeMnp(m));
}

export function decodeMnp(input: Uint8Array): CompiledMnp {
  return decodeOrInvalid('MNP snapshot', () => {
    const c = decodeContainer(input, FORMAT);
    const m: CompiledMnp = {
      meta: c.json<MnpMeta>('META'),
      operators: c.json<MnpOperatorEntry[]>('OPER'),
      directory: c.json<CompiledMnp['directory']>('DIRC'),
      codeIndex: c.u32('CIDX'),
      subs: c.u32('SUBS'),
      ops: c.u16('OPID'),
      days: c.u16('DAYS'),
    };
    const n = m.subs.length;
    if (m.codeIndex.length !== 1001 || m.codeIndex[1000] !== n || m.ops.length !== n || m.days.length !== n) {
      throw c.invalid('section lengths do not agree with each other');
    }
    return m;
  });
}

export function readMnpFile(path: string): CompiledMnp {
  return decodeMnp(readFileSync(path));
}
