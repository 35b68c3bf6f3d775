import { readFileSync } from 'node:fs';
import {
  bytesOf,
  decodeContainer,
  decodeOrInvalid,
  encodeContainer,
  stringSections,
  writeFileAtomic,
  type ContainerFormat,
} from './container.js';
import type { CompiledRegistry, SnapshotMeta } from './registryBuild.js';

/**
 * The registry snapshot: the only module that knows which sections it holds and what they mean;
 * `docs/snapshot-format.md` describes them. The container (header, directory, checksum) is
 * `container.ts`.
 */
export const SNAPSHOT_MAGIC = 'NUMINFO\u0000';
export const SNAPSHOT_FORMAT_VERSION = 1;

const FORMAT: ContainerFormat = { magic: SNAPSHOT_MAGIC, version: SNAPSHOT_FORMAT_VERSION, what: 'snapshot' };

/** Serializes a compiled registry into snapshot bytes. */
export function encodeSnapshot(reg: CompiledRegistry): Buffer {
  const u32 = (tag: string, a: Uint32Array) => ({ tag, bytes: bytesOf(a), count: a.length });
  return encodeContainer(FORMAT, [
    { tag: 'META', bytes: new TextEncoder().encode(JSON.stringify(reg.meta)), count: 1 },
    ...stringSections('STRO', 'STRB', reg.strings),
    u32('OPER', reg.operators),
    u32('TERR', reg.territories),
    u32('CIDX', reg.codeIndex),
    u32('RFRM', reg.from),
    u32('RTO_', reg.to),
    u32('ROPR', reg.operator),
    u32('RTER', reg.territory),
  ]);
}

/** Writes the snapshot next to its final path, flushes it to disk, then renames it into place. */
export function writeSnapshotFile(path: string, reg: CompiledRegistry): void {
  writeFileAtomic(path, encodeSnapshot(reg));
}

/**
 * Parses snapshot bytes back into the compiled form, verifying magic, version, checksum and
 * directory (see `decodeContainer`), and that the sections' lengths agree with each other. Any
 * damage is reported as `SNAPSHOT_INVALID`.
 */
export function decodeSnapshot(input: Uint8Array): CompiledRegistry {
  return decodeOrInvalid('snapshot', () => {
    const c = decodeContainer(input, FORMAT);
    const reg: CompiledRegistry = {
      meta: c.json<SnapshotMeta>('META'),
      strings: c.strings('STRO', 'STRB'),
      operators: c.u32('OPER'),
      territories: c.u32('TERR'),
      codeIndex: c.u32('CIDX'),
      from: c.u32('RFRM'),
      to: c.u32('RTO_'),
      operator: c.u32('ROPR'),
      territory: c.u32('RTER'),
    };
    const rows = reg.from.length;
    if (
      reg.operators.length % 2 !== 0 ||
      reg.territories.length % 2 !== 0 ||
      reg.codeIndex.length !== 1001 ||
      reg.codeIndex[1000] !== rows ||
      reg.to.length !== rows ||
      reg.operator.length !== rows ||
      reg.territory.length !== rows
    ) {
      throw c.invalid('section lengths do not agree with each other');
    }
    return reg;
  });
}

export function readSnapshotFile(path: string): CompiledRegistry {
  return decodeSnapshot(readFileSync(path));
}
