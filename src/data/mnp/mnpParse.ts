import { orgCode } from './operators.js';
import type { MnpBuilder } from './mnpBuild.js';
import { portDay } from './mnpBuild.js';

/**
 * The file layouts of the central ported-number database, told apart by their header rows (not
 * their names), plus a simple `number;operator` CSV. Dumps are comma-separated with a header; numbers
 * are 10 digits without the leading 7; `RowCount` is filled on the first data row only.
 */
export type MnpFileKind = 'full' | 'increment' | 'return' | 'operators' | 'simple';

export interface MnpRejected {
  readonly line: number;
  readonly reason: string;
  readonly text: string;
}

export interface MnpFileReport {
  readonly file: string;
  readonly kind: MnpFileKind;
  readonly rows: number;
  readonly rejectedCount: number;
  readonly rejected: readonly MnpRejected[];
  /** `RowCount` as the file states it, when it does. */
  readonly declaredRows: number | null;
}

const MAX_SAMPLES = 100;

type Columns = Readonly<Record<string, number>>;

function columnsOf(header: readonly string[]): Columns {
  const out: Record<string, number> = {};
  header.forEach((h, i) => {
    out[h.trim().toLowerCase()] = i;
  });
  return out;
}

/**
 * Splits a CSV line on commas, or on semicolons when one comes before any comma (simple files, whose
 * operator text may hold a comma: `9161234567;ПАО "ВымпелКом", Москва`).
 */
function fields(line: string): string[] {
  const comma = line.indexOf(',');
  const semi = comma < 0 ? line.indexOf(';') : line.lastIndexOf(';', comma);
  return line.split(semi >= 0 ? ';' : ',');
}

/** Classifies a file by its first line; null when it is none of the known layouts. */
export function classify(firstLine: string): { kind: MnpFileKind; header: boolean } | null {
  const f = fields(firstLine).map((x) => x.trim().toLowerCase());
  const has = (n: string): boolean => f.includes(n);
  if (has('recipientid') && has('number')) return { kind: 'increment', header: true };
  if (has('rangeholdermnc') && has('number')) return { kind: 'return', header: true };
  if (has('orgcode') && has('tin')) return { kind: 'operators', header: true };
  if (has('number') && has('ownerid')) return { kind: 'full', header: true };
  if (f.length >= 2 && /^(?:\+7\d{10}|\d{10,11})$/.test(f[0] ?? '')) return { kind: 'simple', header: false };
  if (f.length >= 2 && /^(number|номер|phone|телефон|msisdn)$/.test(f[0] ?? ''))
    return { kind: 'simple', header: true };
  return null;
}

/** 10 digits (or 11 with a leading 7/8) of a Russian number → code and subscriber; null if not one. */
export function splitNumber(text: string): { code: number; sub: number } | null {
  let t = text.trim();
  if (t.length === 12 && t.startsWith('+7')) t = t.slice(2);
  if (t.length === 11 && (t.charCodeAt(0) === 55 || t.charCodeAt(0) === 56)) t = t.slice(1);
  if (t.length !== 10) return null;
  for (let i = 0; i < 10; i++) {
    const c = t.charCodeAt(i);
    if (c < 48 || c > 57) return null;
  }
  const first = t.charCodeAt(0) - 48;
  if (first !== 3 && first !== 4 && first !== 8 && first !== 9) return null;
  return { code: +t.slice(0, 3), sub: +t.slice(3) };
}

/**
 * Reads one file's lines into the builder. Returns a line handler and a finisher that reports. A
 * bad row is counted (with its line number) and skipped, never fatal.
 */
export function fileReader(
  file: string,
  kind: MnpFileKind,
  hasHeader: boolean,
  builder: MnpBuilder,
): { onLine: (line: string, no: number) => void; finish: () => MnpFileReport } {
  let cols: Columns | null = null;
  let rows = 0;
  let rejectedCount = 0;
  let declaredRows: number | null = null;
  let firstData = true;
  const rejected: MnpRejected[] = [];
  const reject = (no: number, reason: string, line: string): void => {
    rejectedCount++;
    if (rejected.length < MAX_SAMPLES) rejected.push({ line: no, reason, text: line.slice(0, 200) });
  };

  const col = (f: readonly string[], name: string): string =>
    cols && cols[name] !== undefined ? (f[cols[name]!] ?? '') : '';

  const onLine = (line: string, no: number): void => {
    if (line.trim() === '') return;
    const f = fields(line);
    if (hasHeader && cols === null) {
      cols = columnsOf(f);
      return;
    }
    if (firstData) {
      firstData = false;
      const rc = col(f, 'rowcount').trim();
      if (rc !== '' && /^\d+$/.test(rc)) declaredRows = +rc;
    }
    if (kind === 'operators') {
      const code = orgCode(col(f, 'orgcode'));
      const mnc = col(f, 'mnc').trim();
      const inn = col(f, 'tin').trim();
      const name = col(f, 'orgname').trim();
      if (!code || !/^\d{10}(\d{2})?$/.test(inn))
        return reject(no, 'OrgCode empty or TIN not 10/12 digits', line);
      builder.directory.set(code, { code, mnc, inn, name });
      rows++;
      return;
    }
    if (kind === 'simple') {
      const n = splitNumber(f[0] ?? '');
      const op = (f[1] ?? '').trim().replace(/^"(.*)"$/, '$1');
      if (!n) return reject(no, 'not a 10-digit Russian number', line);
      if (!op) return reject(no, 'operator is empty', line);
      const id = builder.operatorId({ code: null, mnc: null, route: null, region: null, text: op });
      builder.port(n.code, n.sub, id, 0);
      rows++;
      return;
    }
    const n = splitNumber(col(f, 'number'));
    if (!n) return reject(no, 'Number is not 10 digits of a Russian number', line);
    if (kind === 'return') {
      builder.unport(n.code, n.sub);
      rows++;
      return;
    }
    const owner = orgCode(kind === 'increment' ? col(f, 'recipientid') : col(f, 'ownerid'));
    if (!owner) return reject(no, kind === 'increment' ? 'RecipientId is empty' : 'OwnerId is empty', line);
    const dateText = col(f, 'portdate').trim();
    const day = dateText === '' ? 0 : portDay(dateText);
    if (day < 0) return reject(no, `PortDate "${dateText}" is not a date`, line);
    const mnc = (kind === 'increment' ? col(f, 'newmnc') : col(f, 'mnc')).trim() || null;
    const route = (kind === 'increment' ? col(f, 'newroute') : col(f, 'route')).trim() || null;
    const region = col(f, 'regioncode').trim() || null;
    const id = builder.operatorId({ code: owner, mnc, route, region, text: null });
    builder.port(n.code, n.sub, id, day);
    rows++;
  };

  const finish = (): MnpFileReport => ({ file, kind, rows, rejectedCount, rejected, declaredRows });
  return { onLine, finish };
}
