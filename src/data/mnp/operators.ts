/**
 * Operators of the central ported-number database as its dumps name them: `OrgCode` (written with
 * an `m` prefix in the dumps: `mMEGAFON`), MNC and INN. The dumps' own `Operators_…` file is the
 * authority; this table names the big networks so that dumps without it, and the generator, still
 * resolve to the registry's operator names (matched by INN).
 */
export interface MnpOperatorInfo {
  readonly code: string;
  readonly mnc: string;
  readonly inn: string;
  readonly name: string;
}

export const KNOWN_MNP_OPERATORS: readonly MnpOperatorInfo[] = [
  { code: 'MTS', mnc: '01', inn: '7740000076', name: 'ПАО "Мобильные ТелеСистемы"' },
  { code: 'MEGAFON', mnc: '02', inn: '7812014560', name: 'ПАО "МегаФон"' },
  { code: 'BEELINE', mnc: '99', inn: '7713076301', name: 'ПАО "ВымпелКом"' },
  { code: 'TELE2', mnc: '20', inn: '7743895280', name: 'ООО "Т2 Мобайл"' },
  { code: 'YOTA', mnc: '11', inn: '7701725181', name: 'ООО "Скартел"' },
  { code: 'TMOB', mnc: '62', inn: '7743200179', name: 'ООО "Т-МОБ"' },
  { code: 'SBERTEL', mnc: '50', inn: '7736264044', name: 'ООО "Сбербанк-Телеком"' },
  { code: 'MOTIV', mnc: '35', inn: '6661079603', name: 'ООО "Екатеринбург-2000"' },
  { code: 'RTK', mnc: '39', inn: '7707049388', name: 'ПАО "Ростелеком"' },
];

/**
 * `mMEGAFON` → `MEGAFON`: the `m` prefix of the dumps is not part of the code. Codes are upper
 * case, so a lower-case `m` before an upper-case letter is the prefix; `mts` typed by a person is not.
 */
export function orgCode(ownerId: string): string {
  const t = ownerId.trim();
  const second = t.charCodeAt(1);
  return t.length > 1 && t.charCodeAt(0) === 109 /* m */ && second >= 65 && second <= 90 ? t.slice(1) : t;
}
