/**
 * Cyrillic to Latin for answers that must be ASCII-safe (voxlink `translit=1`, older Asterisk).
 * A simple passport-style table (ГОСТ Р 52535.1-2006 without diacritics): ж → zh, х → kh, ц → ts,
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

export function transliterate(text: string): string {
  const hit = cache.get(text);
  if (hit !== undefined) return hit;
  let out = '';
  for (const ch of text) {
    const lower = ch.toLowerCase();
    const t = TABLE[lower];
    if (t === undefined) {
      out += ch;
    } else if (lower !== ch && t.length > 0) {
      // Upper case: capitalize the first letter only, unless the next letter is upper case too.
      out += t.charAt(0).toUpperCase() + t.slice(1);
    } else {
      out += t;
    }
  }
  // Words written in capitals stay in capitals: `ООО "ВЫМПЕЛКОМ"` → `OOO "VYMPELKOM"`.
  out = out.replace(/\b([A-Z][a-z]+)(?=[A-Z]{2}|[A-Z]\b)/g, (m) => m.toUpperCase());
  if (cache.size < 10_000) cache.set(text, out);
  return out;
}
