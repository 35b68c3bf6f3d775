import iconv from 'iconv-lite';

/** One accepted row of a numbering-plan file, as the file states it (names not yet normalized). */
export interface RegistryRow {
  readonly code: number;
  readonly from: number;
  readonly to: number;
  readonly operator: string;
  readonly inn: string | null;
  readonly region: string;
  readonly gar: string | null;
}

export interface RejectedRow {
  readonly line: number;
  readonly reason: string;
  readonly text: string;
}

export interface FileReport {
  readonly file: string;
  readonly encoding: 'utf-8' | 'utf-8-bom' | 'windows-1251';
  /** `8 columns, header`, `6 columns, no header`. */
  readonly layout: string;
  readonly accepted: number;
  readonly rejectedCount: number;
  /** The first rejected rows (at most `MAX_REJECT_SAMPLES`), with 1-based line numbers. */
  readonly rejected: readonly RejectedRow[];
}

export interface ParsedFile {
  readonly rows: RegistryRow[];
  readonly report: FileReport;
}

const MAX_REJECT_SAMPLES = 100;

type Column = 'code' | 'from' | 'to' | 'capacity' | 'operator' | 'region' | 'gar' | 'inn';

const HEADER_NAMES: readonly [prefix: string, column: Column][] = [
  ['авс', 'code'],
  ['abc', 'code'],
  ['def', 'code'],
  ['от', 'from'],
  ['до', 'to'],
  ['емкость', 'capacity'],
  ['ёмкость', 'capacity'],
  ['оператор', 'operator'],
  ['регион', 'region'],
  ['территория', 'gar'],
  ['инн', 'inn'],
];

function headerColumn(name: string): Column | null {
  const n = name.trim().toLowerCase();
  for (const [prefix, column] of HEADER_NAMES) if (n.startsWith(prefix)) return column;
  return null;
}

/** Decodes by looking at the bytes: a BOM or valid UTF-8 is UTF-8; anything else is Windows-1251. */
export function decodeRegistryBytes(bytes: Uint8Array): { text: string; encoding: FileReport['encoding'] } {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { text: new TextDecoder('utf-8').decode(bytes.subarray(3)), encoding: 'utf-8-bom' };
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    return {
      text: iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), 'win1251'),
      encoding: 'windows-1251',
    };
  }
}

const INN_RE = /^(\d{10}|\d{12})$/;

/** Column order when the file has no header, decided by the number of fields. */
function columnsWithoutHeader(fields: readonly string[]): Column[] | null {
  const base: Column[] = ['code', 'from', 'to', 'capacity', 'operator', 'region'];
  if (fields.length === 6) return base;
  if (fields.length === 8) return [...base, 'gar', 'inn'];
  if (fields.length === 7) return [...base, INN_RE.test((fields[6] ?? '').trim()) ? 'inn' : 'gar'];
  return null;
}

function isAllDigits(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/**
 * Parses one numbering-plan CSV in any known layout: the current one (UTF-8 with BOM, 8 columns
 * `АВС/ DEF;От;До;Емкость;Оператор;Регион;Территория ГАР;ИНН`) and the older ones (6 or 7 columns,
 * with or without a header, Windows-1251, CRLF, numbers not padded to 7 digits). Fields are split on
 * `;` only, because operator names contain quotes that are not CSV quoting. A bad row is counted and
 * skipped, never fatal.
 */
export function parseRegistryCsv(bytes: Uint8Array, file: string): ParsedFile {
  const { text, encoding } = decodeRegistryBytes(bytes);
  const lines = text.split('\n');
  const rows: RegistryRow[] = [];
  const rejected: RejectedRow[] = [];
  let rejectedCount = 0;
  let columns: Column[] | null = null;
  let hasHeader = false;
  let layout = 'unknown';

  const reject = (line: number, reason: string, raw: string): void => {
    rejectedCount++;
    if (rejected.length < MAX_REJECT_SAMPLES) rejected.push({ line, reason, text: raw.slice(0, 200) });
  };

  for (let i = 0; i < lines.length; i++) {
    let line = lines[i] ?? '';
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.trim() === '') continue;
    const fields = line.split(';');
    if (columns === null) {
      const first = (fields[0] ?? '').trim();
      if (!isAllDigits(first)) {
        const mapped = fields.map(headerColumn);
        if (
          mapped.includes('code') &&
          mapped.includes('from') &&
          mapped.includes('to') &&
          mapped.includes('operator')
        ) {
          columns = mapped.map((c, k) => c ?? (`x${k}` as Column));
          hasHeader = true;
          layout = `${fields.length} columns, header`;
          continue;
        }
        reject(i + 1, 'unrecognized header or row', line);
        continue;
      }
      columns = columnsWithoutHeader(fields);
      if (columns === null) {
        reject(i + 1, `expected 6, 7 or 8 fields, found ${fields.length}`, line);
        continue;
      }
      layout = `${fields.length} columns, no header`;
    }
    if (fields.length !== columns.length) {
      reject(i + 1, `expected ${columns.length} fields, found ${fields.length}`, line);
      continue;
    }
    let codeS = '';
    let fromS = '';
    let toS = '';
    let capS = '';
    let operator = '';
    let region = '';
    let gar: string | null = null;
    let inn: string | null = null;
    for (let k = 0; k < columns.length; k++) {
      const v = fields[k] ?? '';
      switch (columns[k]) {
        case 'code':
          codeS = v.trim();
          break;
        case 'from':
          fromS = v.trim();
          break;
        case 'to':
          toS = v.trim();
          break;
        case 'capacity':
          capS = v.trim();
          break;
        case 'operator':
          operator = v.trim();
          break;
        case 'region':
          region = v.trim();
          break;
        case 'gar':
          gar = v.trim();
          break;
        case 'inn':
          inn = v.trim() || null;
          break;
      }
    }
    if (codeS.length !== 3 || !isAllDigits(codeS)) {
      reject(i + 1, `code "${codeS}" is not 3 digits`, line);
      continue;
    }
    if (!isAllDigits(fromS) || !isAllDigits(toS) || fromS.length > 7 || toS.length > 7) {
      reject(i + 1, 'From/To are not numbers of up to 7 digits', line);
      continue;
    }
    const from = +fromS;
    const to = +toS;
    if (from > to) {
      reject(i + 1, `From ${fromS} is greater than To ${toS}`, line);
      continue;
    }
    if (capS !== '' && (!isAllDigits(capS) || +capS !== to - from + 1)) {
      reject(i + 1, `capacity ${capS} does not match the range size ${to - from + 1}`, line);
      continue;
    }
    if (operator === '') {
      reject(i + 1, 'operator is empty', line);
      continue;
    }
    if (inn !== null && !INN_RE.test(inn)) inn = null;
    rows.push({ code: +codeS, from, to, operator, inn, region, gar: gar === '' ? null : gar });
  }
  if (!hasHeader && layout === 'unknown') layout = 'empty';
  return {
    rows,
    report: { file, encoding, layout, accepted: rows.length, rejectedCount, rejected },
  };
}
