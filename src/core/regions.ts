/**
 * Subjects of the Russian Federation: official 2-digit code (as in KLADR/FIAS), names, and the
 * IANA time zone that holds for the whole subject. Sakha (Yakutia) spans three zones and is split by
 * district in `timezones.ts`. Russia has had no daylight saving time since 2014, so one offset each.
 */
export interface Subject {
  /** KLADR/FIAS region code, two digits. */
  readonly code: string;
  /** Full name as people write it: `Самарская область`, `Республика Бурятия`. */
  readonly name: string;
  /** FIAS short name and type: `Самарская` + `обл`, `Бурятия` + `Респ`. */
  readonly shortName: string;
  readonly typeAbbr: string;
  readonly timezone: string;
  /** Word prefixes that identify the subject in free text (lower case, ё → е). */
  readonly stems: readonly string[];
}

type Row = [code: string, name: string, shortName: string, typeAbbr: string, tz: string, stems: string];

// Order matters where one subject's words contain another's: Yamalo-Nenets before Nenets,
// Moscow oblast before the city of Moscow, Leningrad oblast before St Petersburg.
const ROWS: readonly Row[] = [
  ['89', 'Ямало-Ненецкий автономный округ', 'Ямало-Ненецкий', 'АО', 'Asia/Yekaterinburg', 'ямало,янао'],
  ['83', 'Ненецкий автономный округ', 'Ненецкий', 'АО', 'Europe/Moscow', 'ненецк,нао'],
  [
    '86',
    'Ханты-Мансийский автономный округ — Югра',
    'Ханты-Мансийский Автономный округ - Югра',
    'АО',
    'Asia/Yekaterinburg',
    'ханты,югра,хмао',
  ],
  ['87', 'Чукотский автономный округ', 'Чукотский', 'АО', 'Asia/Anadyr', 'чукот'],
  ['79', 'Еврейская автономная область', 'Еврейская', 'Аобл', 'Asia/Vladivostok', 'еврейск'],
  ['50', 'Московская область', 'Московская', 'обл', 'Europe/Moscow', 'московск'],
  ['77', 'Москва', 'Москва', 'г', 'Europe/Moscow', '=москва,=мск'],
  ['47', 'Ленинградская область', 'Ленинградская', 'обл', 'Europe/Moscow', 'ленинградск'],
  ['78', 'Санкт-Петербург', 'Санкт-Петербург', 'г', 'Europe/Moscow', 'петербург,=спб'],
  ['92', 'Севастополь', 'Севастополь', 'г', 'Europe/Simferopol', 'севастопол'],
  ['91', 'Республика Крым', 'Крым', 'Респ', 'Europe/Simferopol', 'крым'],
  ['01', 'Республика Адыгея', 'Адыгея', 'Респ', 'Europe/Moscow', 'адыге'],
  ['02', 'Республика Башкортостан', 'Башкортостан', 'Респ', 'Asia/Yekaterinburg', 'башк'],
  ['03', 'Республика Бурятия', 'Бурятия', 'Респ', 'Asia/Irkutsk', 'бурят'],
  ['04', 'Республика Алтай', 'Алтай', 'Респ', 'Asia/Barnaul', '=алтай'],
  ['22', 'Алтайский край', 'Алтайский', 'край', 'Asia/Barnaul', 'алтайск'],
  ['05', 'Республика Дагестан', 'Дагестан', 'Респ', 'Europe/Moscow', 'дагест'],
  ['06', 'Республика Ингушетия', 'Ингушетия', 'Респ', 'Europe/Moscow', 'ингуш'],
  ['07', 'Кабардино-Балкарская Республика', 'Кабардино-Балкарская', 'Респ', 'Europe/Moscow', 'кабардин'],
  ['08', 'Республика Калмыкия', 'Калмыкия', 'Респ', 'Europe/Moscow', 'калмык'],
  ['09', 'Карачаево-Черкесская Республика', 'Карачаево-Черкесская', 'Респ', 'Europe/Moscow', 'карачаев'],
  ['10', 'Республика Карелия', 'Карелия', 'Респ', 'Europe/Moscow', 'карел'],
  ['11', 'Республика Коми', 'Коми', 'Респ', 'Europe/Moscow', '=коми'],
  ['12', 'Республика Марий Эл', 'Марий Эл', 'Респ', 'Europe/Moscow', 'марий'],
  ['13', 'Республика Мордовия', 'Мордовия', 'Респ', 'Europe/Moscow', 'мордов'],
  ['14', 'Республика Саха (Якутия)', 'Саха /Якутия/', 'Респ', 'Asia/Yakutsk', '=саха,якути'],
  [
    '15',
    'Республика Северная Осетия — Алания',
    'Северная Осетия - Алания',
    'Респ',
    'Europe/Moscow',
    'осети,алани',
  ],
  ['16', 'Республика Татарстан', 'Татарстан', 'Респ', 'Europe/Moscow', 'татарст'],
  ['17', 'Республика Тыва', 'Тыва', 'Респ', 'Asia/Krasnoyarsk', '=тыва,=тува'],
  ['18', 'Удмуртская Республика', 'Удмуртская', 'Респ', 'Europe/Samara', 'удмурт'],
  ['19', 'Республика Хакасия', 'Хакасия', 'Респ', 'Asia/Krasnoyarsk', 'хакас'],
  ['20', 'Чеченская Республика', 'Чеченская', 'Респ', 'Europe/Moscow', 'чечен,чечн'],
  ['21', 'Чувашская Республика — Чувашия', 'Чувашская', 'Респ', 'Europe/Moscow', 'чуваш'],
  ['23', 'Краснодарский край', 'Краснодарский', 'край', 'Europe/Moscow', 'краснодар'],
  ['24', 'Красноярский край', 'Красноярский', 'край', 'Asia/Krasnoyarsk', 'красноярск'],
  ['25', 'Приморский край', 'Приморский', 'край', 'Asia/Vladivostok', 'приморск'],
  ['26', 'Ставропольский край', 'Ставропольский', 'край', 'Europe/Moscow', 'ставропол'],
  ['27', 'Хабаровский край', 'Хабаровский', 'край', 'Asia/Vladivostok', 'хабаровск'],
  ['28', 'Амурская область', 'Амурская', 'обл', 'Asia/Yakutsk', 'амурск'],
  ['29', 'Архангельская область', 'Архангельская', 'обл', 'Europe/Moscow', 'архангельск'],
  ['30', 'Астраханская область', 'Астраханская', 'обл', 'Europe/Astrakhan', 'астрахан'],
  ['31', 'Белгородская область', 'Белгородская', 'обл', 'Europe/Moscow', 'белгород'],
  ['32', 'Брянская область', 'Брянская', 'обл', 'Europe/Moscow', 'брянск'],
  ['33', 'Владимирская область', 'Владимирская', 'обл', 'Europe/Moscow', 'владимирск'],
  ['34', 'Волгоградская область', 'Волгоградская', 'обл', 'Europe/Volgograd', 'волгоград'],
  ['35', 'Вологодская область', 'Вологодская', 'обл', 'Europe/Moscow', 'вологод'],
  ['36', 'Воронежская область', 'Воронежская', 'обл', 'Europe/Moscow', 'воронеж'],
  ['37', 'Ивановская область', 'Ивановская', 'обл', 'Europe/Moscow', 'ивановск'],
  ['38', 'Иркутская область', 'Иркутская', 'обл', 'Asia/Irkutsk', 'иркутск'],
  ['39', 'Калининградская область', 'Калининградская', 'обл', 'Europe/Kaliningrad', 'калининград'],
  ['40', 'Калужская область', 'Калужская', 'обл', 'Europe/Moscow', 'калуж'],
  ['41', 'Камчатский край', 'Камчатский', 'край', 'Asia/Kamchatka', 'камчат'],
  [
    '42',
    'Кемеровская область — Кузбасс',
    'Кемеровская область - Кузбасс',
    'обл',
    'Asia/Novokuznetsk',
    'кемеров,кузбас',
  ],
  ['43', 'Кировская область', 'Кировская', 'обл', 'Europe/Kirov', 'кировск'],
  ['44', 'Костромская область', 'Костромская', 'обл', 'Europe/Moscow', 'костром'],
  ['45', 'Курганская область', 'Курганская', 'обл', 'Asia/Yekaterinburg', 'курганск'],
  ['46', 'Курская область', 'Курская', 'обл', 'Europe/Moscow', 'курская,курской'],
  ['48', 'Липецкая область', 'Липецкая', 'обл', 'Europe/Moscow', 'липецк'],
  ['49', 'Магаданская область', 'Магаданская', 'обл', 'Asia/Magadan', 'магадан'],
  ['51', 'Мурманская область', 'Мурманская', 'обл', 'Europe/Moscow', 'мурманск'],
  ['52', 'Нижегородская область', 'Нижегородская', 'обл', 'Europe/Moscow', 'нижегород'],
  ['53', 'Новгородская область', 'Новгородская', 'обл', 'Europe/Moscow', 'новгородск'],
  ['54', 'Новосибирская область', 'Новосибирская', 'обл', 'Asia/Novosibirsk', 'новосибирск'],
  ['55', 'Омская область', 'Омская', 'обл', 'Asia/Omsk', 'омская,омской'],
  ['56', 'Оренбургская область', 'Оренбургская', 'обл', 'Asia/Yekaterinburg', 'оренбург'],
  ['57', 'Орловская область', 'Орловская', 'обл', 'Europe/Moscow', 'орловск'],
  ['58', 'Пензенская область', 'Пензенская', 'обл', 'Europe/Moscow', 'пензен'],
  ['59', 'Пермский край', 'Пермский', 'край', 'Asia/Yekaterinburg', 'пермск'],
  ['60', 'Псковская область', 'Псковская', 'обл', 'Europe/Moscow', 'псковск'],
  ['61', 'Ростовская область', 'Ростовская', 'обл', 'Europe/Moscow', 'ростовск'],
  ['62', 'Рязанская область', 'Рязанская', 'обл', 'Europe/Moscow', 'рязан'],
  ['63', 'Самарская область', 'Самарская', 'обл', 'Europe/Samara', 'самарск'],
  ['64', 'Саратовская область', 'Саратовская', 'обл', 'Europe/Saratov', 'саратов'],
  ['65', 'Сахалинская область', 'Сахалинская', 'обл', 'Asia/Sakhalin', 'сахалин'],
  ['66', 'Свердловская область', 'Свердловская', 'обл', 'Asia/Yekaterinburg', 'свердловск'],
  ['67', 'Смоленская область', 'Смоленская', 'обл', 'Europe/Moscow', 'смоленск'],
  ['68', 'Тамбовская область', 'Тамбовская', 'обл', 'Europe/Moscow', 'тамбов'],
  ['69', 'Тверская область', 'Тверская', 'обл', 'Europe/Moscow', 'тверск'],
  ['70', 'Томская область', 'Томская', 'обл', 'Asia/Tomsk', 'томская,томской'],
  ['71', 'Тульская область', 'Тульская', 'обл', 'Europe/Moscow', 'тульск'],
  ['72', 'Тюменская область', 'Тюменская', 'обл', 'Asia/Yekaterinburg', 'тюмен'],
  ['73', 'Ульяновская область', 'Ульяновская', 'обл', 'Europe/Ulyanovsk', 'ульяновск'],
  ['74', 'Челябинская область', 'Челябинская', 'обл', 'Asia/Yekaterinburg', 'челябинск'],
  // Chita oblast merged into Zabaykalsky krai in 2008; files of 2014 still name it.
  ['75', 'Забайкальский край', 'Забайкальский', 'край', 'Asia/Chita', 'забайкал,читинск'],
  ['76', 'Ярославская область', 'Ярославская', 'обл', 'Europe/Moscow', 'ярославск'],
  ['90', 'Запорожская область', 'Запорожская', 'обл', 'Europe/Moscow', 'запорож'],
  ['93', 'Донецкая Народная Республика', 'Донецкая Народная', 'Респ', 'Europe/Moscow', 'донецк,днр'],
  ['94', 'Луганская Народная Республика', 'Луганская Народная', 'Респ', 'Europe/Moscow', 'луганск,лнр'],
  ['95', 'Херсонская область', 'Херсонская', 'обл', 'Europe/Moscow', 'херсон'],
  ['99', 'Байконур', 'Байконур', 'г', 'Asia/Qyzylorda', 'байконур'],
];

export const SUBJECTS: readonly Subject[] = ROWS.map(
  ([code, name, shortName, typeAbbr, timezone, stems]) => ({
    code,
    name,
    shortName,
    typeAbbr,
    timezone,
    stems: stems.split(','),
  }),
);

const byCode = new Map(SUBJECTS.map((s) => [s.code, s]));

export function subjectByCode(code: string): Subject | undefined {
  return byCode.get(code);
}

/** Lower case, ё → е, punctuation to spaces: the form the stems are written in. */
export function normalizeWords(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/ё/g, 'е')
    .split(/[^a-zа-я0-9]+/u)
    .filter((w) => w.length > 0);
}

function matches(words: readonly string[], stem: string): boolean {
  if (stem.startsWith('=')) {
    const exact = stem.slice(1);
    return words.includes(exact);
  }
  return words.some((w) => w.startsWith(stem));
}

/** Words that start a list of areas left out: `кроме`, `за исключением`. */
const EXCLUSION_WORDS = new Set(['кроме', 'исключением']);

/**
 * Every subject named in a free-text region string, in the order they appear in the text:
 * `г. Москва и Московская область` → [Москва, Московская область].
 */
export function findSubjects(text: string): Subject[] {
  const all = normalizeWords(text);
  // `Российская Федерация, кроме Чеченской Республики`: subjects after the exclusion are not covered.
  const cut = all.findIndex((w) => EXCLUSION_WORDS.has(w));
  const words = cut === -1 ? all : all.slice(0, cut);
  if (words.length === 0) return [];
  const found: { subject: Subject; at: number }[] = [];
  for (const subject of SUBJECTS) {
    for (const stem of subject.stems) {
      if (!matches(words, stem)) continue;
      const exact = stem.startsWith('=') ? stem.slice(1) : null;
      const at = words.findIndex((w) => (exact ? w === exact : w.startsWith(stem)));
      // `Ямало-Ненецкий` splits into two words; its second word is not the Nenets okrug.
      if (subject.code === '83' && words[at - 1] === 'ямало') continue;
      found.push({ subject, at });
      break;
    }
  }
  return found.sort((a, b) => a.at - b.at).map((f) => f.subject);
}
