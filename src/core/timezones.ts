/**
 * Russian time zones as tzdata has them since 2020 (Volgograd back to MSK). No zone in Russia
 * observes daylight saving time, so a fixed offset per zone is exact.
 */
export interface TimeZoneInfo {
  readonly iana: string;
  /** Minutes east of UTC. */
  readonly offsetMinutes: number;
  /** `UTC+4` */
  readonly utc: string;
  /** `MSK+1`, `MSK-1`, `MSK+0` for Moscow time itself. */
  readonly msk: string;
  /** Russian name of the zone, `Самарское время`; null outside Russia's 11 zones. */
  readonly name: string | null;
}

const MSK_OFFSET_HOURS = 3;

/** Offset in hours and the zone's Russian name, keyed by IANA name. */
const RUSSIAN_ZONES: Readonly<Record<string, [hours: number, name: string]>> = {
  'Europe/Kaliningrad': [2, 'Калининградское время'],
  'Europe/Moscow': [3, 'Московское время'],
  'Europe/Simferopol': [3, 'Московское время'],
  'Europe/Kirov': [3, 'Московское время'],
  'Europe/Volgograd': [3, 'Московское время'],
  'Europe/Samara': [4, 'Самарское время'],
  'Europe/Astrakhan': [4, 'Самарское время'],
  'Europe/Saratov': [4, 'Самарское время'],
  'Europe/Ulyanovsk': [4, 'Самарское время'],
  'Asia/Yekaterinburg': [5, 'Екатеринбургское время'],
  'Asia/Omsk': [6, 'Омское время'],
  'Asia/Novosibirsk': [7, 'Красноярское время'],
  'Asia/Barnaul': [7, 'Красноярское время'],
  'Asia/Tomsk': [7, 'Красноярское время'],
  'Asia/Novokuznetsk': [7, 'Красноярское время'],
  'Asia/Krasnoyarsk': [7, 'Красноярское время'],
  'Asia/Irkutsk': [8, 'Иркутское время'],
  'Asia/Chita': [9, 'Якутское время'],
  'Asia/Yakutsk': [9, 'Якутское время'],
  'Asia/Khandyga': [9, 'Якутское время'],
  'Asia/Vladivostok': [10, 'Владивостокское время'],
  'Asia/Ust-Nera': [10, 'Владивостокское время'],
  'Asia/Magadan': [11, 'Магаданское время'],
  'Asia/Sakhalin': [11, 'Магаданское время'],
  'Asia/Srednekolymsk': [11, 'Магаданское время'],
  'Asia/Kamchatka': [12, 'Камчатское время'],
  'Asia/Anadyr': [12, 'Камчатское время'],
  // Baikonur is leased from Kazakhstan and keeps its time.
  'Asia/Qyzylorda': [5, 'Время Байконура'],
};

function formatOffset(prefix: string, minutes: number): string {
  if (minutes === 0) return `${prefix}+0`;
  const sign = minutes > 0 ? '+' : '-';
  const abs = Math.abs(minutes);
  const h = Math.floor(abs / 60);
  const m = abs % 60;
  return `${prefix}${sign}${h}${m ? ':' + String(m).padStart(2, '0') : ''}`;
}

const cache = new Map<string, TimeZoneInfo>();

/** Current UTC offset of any IANA zone, from the runtime's tzdata. */
function currentOffsetMinutes(iana: string): number | null {
  try {
    const parts = new Intl.DateTimeFormat('en-US', {
      timeZone: iana,
      timeZoneName: 'longOffset',
    }).formatToParts(new Date());
    const tz = parts.find((p) => p.type === 'timeZoneName')?.value ?? '';
    const m = /GMT([+-])(\d{2}):(\d{2})/.exec(tz);
    if (!m) return tz === 'GMT' ? 0 : null;
    const minutes = Number(m[2]) * 60 + Number(m[3]);
    return m[1] === '-' ? -minutes : minutes;
  } catch {
    return null;
  }
}

/**
 * Facts about a zone. Russian zones come from the table above; others from the runtime's tzdata,
 * which applies their daylight saving rules as of now.
 */
export function timeZoneInfo(iana: string): TimeZoneInfo | null {
  const hit = cache.get(iana);
  if (hit) return hit;
  const russian = RUSSIAN_ZONES[iana];
  const offsetMinutes = russian ? russian[0] * 60 : currentOffsetMinutes(iana);
  if (offsetMinutes === null) return null;
  const info: TimeZoneInfo = {
    iana,
    offsetMinutes,
    utc: formatOffset('UTC', offsetMinutes),
    msk: formatOffset('MSK', offsetMinutes - MSK_OFFSET_HOURS * 60),
    name: russian ? russian[1] : null,
  };
  // Non-Russian zones change with DST; cache only the fixed ones.
  if (russian) cache.set(iana, info);
  return info;
}

/**
 * Sakha (Yakutia) is the one subject split between zones: by federal law its eastern uluses keep
 * MSK+7 and MSK+8. Keys are district-name stems as they appear in the registry (`Оймяконский`).
 */
const SAKHA_DISTRICT_ZONES: readonly [stem: string, iana: string][] = [
  ['оймякон', 'Asia/Ust-Nera'],
  ['верхоянск', 'Asia/Ust-Nera'],
  ['усть-янск', 'Asia/Ust-Nera'],
  ['абыйск', 'Asia/Srednekolymsk'],
  ['аллаиховск', 'Asia/Srednekolymsk'],
  ['верхнеколымск', 'Asia/Srednekolymsk'],
  ['момск', 'Asia/Srednekolymsk'],
  ['нижнеколымск', 'Asia/Srednekolymsk'],
  ['среднеколымск', 'Asia/Srednekolymsk'],
  ['томпонск', 'Asia/Khandyga'],
  ['усть-майск', 'Asia/Khandyga'],
];

/** The zone for a place in a subject, refining Sakha by district or town. */
export function zoneForTerritory(
  subjectCode: string,
  subjectZone: string,
  localParts: readonly string[],
): string {
  if (subjectCode !== '14') return subjectZone;
  for (const part of localParts) {
    const lower = part.toLowerCase();
    for (const [stem, iana] of SAKHA_DISTRICT_ZONES) {
      if (lower.includes(stem)) return iana;
    }
  }
  return subjectZone;
}
