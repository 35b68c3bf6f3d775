/**
 * Operator names in the registry come with CSV-style quoting (`"ООО ""Рога"""`), doubled spaces,
 * an INN pasted into the name (`ООО "ПТФ" (ИНН 7802594898)`) and Russian nested quotes whose outer
 * closing quote is omitted (`АО "ТК "КОНВЕЙ ПЛЮС"`), which is the normal written form and is kept.
 */
export interface CleanOperatorName {
  readonly name: string;
  /** An INN found inside the name, if any. */
  readonly inn: string | null;
}

const INN_IN_NAME = /\s*\(\s*ИНН\s*(\d{10}|\d{12})\s*\)\s*/u;

export function cleanOperatorName(raw: string): CleanOperatorName {
  let name = raw.replace(/\s+/g, ' ').trim();
  if (name.length >= 2 && name.startsWith('"') && name.endsWith('"') && name.includes('""')) {
    name = name.slice(1, -1);
  }
  name = name.replace(/""/g, '"').trim();
  let inn: string | null = null;
  const m = INN_IN_NAME.exec(name);
  if (m) {
    inn = m[1] ?? null;
    name = (name.slice(0, m.index) + ' ' + name.slice(m.index + m[0].length)).trim();
  }
  return { name, inn };
}

/** Key under which spellings of one name group: `ПАО "Ростелеком"` and `ПАО "РОСТЕЛЕКОМ"` are one. */
export function operatorNameKey(name: string): string {
  return name
    .toUpperCase()
    .replace(/Ё/g, 'Е')
    .replace(/[\s"«»']+/g, ' ')
    .trim();
}
