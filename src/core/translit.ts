/**
 * Cyrillic to Latin for answers that must be ASCII-safe (voxlink `translit=1`, older Asterisk).
 * The passport table used in Russia until 2010 (й → y, ц → ts, ю → yu, я → ya): ж → zh, х → kh,
 * щ → shch, hard and soft signs dropped.
 */
const TABLE: Readonly<Record<string, string>> = {
  а: 'a',
  б: 'b',
  в: 'v',
  г: 'g',
  д: 'd',
  е: 'e',
  ё: 'e',
  ж: 'zh',
  з: 'z',
  и: 'i',
  й: 'y',
  к: 'k',
  л: 'l',
  м: 'm',
  н: 'n',
  о: 'o',
  п: 'p',
  р: 'r',
  с: 's',
  т: 't',
  у: 'u',
  ф: 'f',
  х: 'kh',
  ц: 'ts',
  ч: 'ch',
  ш: 'sh',
  щ: 'shch',
  ъ: '',
  ы: 'y',
  ь: '',
  э: 'e',
  ю: 'yu',
  я: 'ya',
  '«': '"',
  '»': '"',
  '—': '-',
  '–': '-',
  '№': 'N',
};

const cache = new Map<string, string>();

/** One word: all-capitals words stay in capitals (`СВЯЗЬ` → `SVYAZ`), others keep each letter's case. */
function word(w: string): string {
  const chars = [...w];
  const allCaps = chars.length > 1 && w === w.toUpperCase();
  let out = '';
  for (const ch of chars) {
    const lower = ch.toLowerCase();
    const t = TABLE[lower];
    if (t === undefined) out += ch;
    else if (allCaps) out += t.toUpperCase();
    else if (lower !== ch) out += t.charAt(0).toUpperCase() + t.slice(1);
    else out += t;
  }
  return out;
}

export function transliterate(text: string): string {
  const hit = cache.get(text);
  if (hit !== undefined) return hit;
  const out = text.replace(/[\p{L}]+/gu, word);
  if (cache.size < 10_000) cache.set(text, out);
  return out;
}
