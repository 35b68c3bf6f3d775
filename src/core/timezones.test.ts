import { describe, expect, it } from 'vitest';
import { SUBJECTS } from './regions.js';
import { timeZoneInfo, zoneForTerritory, type TimeZoneInfo } from './timezones.js';

describe('timeZoneInfo: Russian zones', () => {
  it.each<[string, number, string, string, string]>([
    ['Europe/Kaliningrad', 120, 'UTC+2', 'MSK-1', 'Калининградское время'],
    ['Europe/Moscow', 180, 'UTC+3', 'MSK+0', 'Московское время'],
    ['Europe/Simferopol', 180, 'UTC+3', 'MSK+0', 'Московское время'],
    ['Europe/Kirov', 180, 'UTC+3', 'MSK+0', 'Московское время'],
    ['Europe/Volgograd', 180, 'UTC+3', 'MSK+0', 'Московское время'],
    ['Europe/Samara', 240, 'UTC+4', 'MSK+1', 'Самарское время'],
    ['Europe/Astrakhan', 240, 'UTC+4', 'MSK+1', 'Самарское время'],
    ['Europe/Saratov', 240, 'UTC+4', 'MSK+1', 'Самарское время'],
    ['Europe/Ulyanovsk', 240, 'UTC+4', 'MSK+1', 'Самарское время'],
    ['Asia/Yekaterinburg', 300, 'UTC+5', 'MSK+2', 'Екатеринбургское время'],
    ['Asia/Omsk', 360, 'UTC+6', 'MSK+3', 'Омское время'],
    ['Asia/Novosibirsk', 420, 'UTC+7', 'MSK+4', 'Красноярское время'],
    ['Asia/Barnaul', 420, 'UTC+7', 'MSK+4', 'Красноярское время'],
    ['Asia/Tomsk', 420, 'UTC+7', 'MSK+4', 'Красноярское время'],
    ['Asia/Novokuznetsk', 420, 'UTC+7', 'MSK+4', 'Красноярское время'],
    ['Asia/Krasnoyarsk', 420, 'UTC+7', 'MSK+4', 'Красноярское время'],
    ['Asia/Irkutsk', 480, 'UTC+8', 'MSK+5', 'Иркутское время'],
    ['Asia/Chita', 540, 'UTC+9', 'MSK+6', 'Якутское время'],
    ['Asia/Yakutsk', 540, 'UTC+9', 'MSK+6', 'Якутское время'],
    ['Asia/Khandyga', 540, 'UTC+9', 'MSK+6', 'Якутское время'],
    ['Asia/Vladivostok', 600, 'UTC+10', 'MSK+7', 'Владивостокское время'],
    ['Asia/Ust-Nera', 600, 'UTC+10', 'MSK+7', 'Владивостокское время'],
    ['Asia/Magadan', 660, 'UTC+11', 'MSK+8', 'Магаданское время'],
    ['Asia/Sakhalin', 660, 'UTC+11', 'MSK+8', 'Магаданское время'],
    ['Asia/Srednekolymsk', 660, 'UTC+11', 'MSK+8', 'Магаданское время'],
    ['Asia/Kamchatka', 720, 'UTC+12', 'MSK+9', 'Камчатское время'],
    ['Asia/Anadyr', 720, 'UTC+12', 'MSK+9', 'Камчатское время'],
    ['Asia/Qyzylorda', 300, 'UTC+5', 'MSK+2', 'Время Байконура'],
  ])('%s → %i min, %s, %s, %s', (iana, offsetMinutes, utc, msk, name) => {
    expect(timeZoneInfo(iana)).toEqual<TimeZoneInfo>({ iana, offsetMinutes, utc, msk, name });
  });

  it('agrees with the runtime tzdata for every Russian zone', () => {
    const zones = new Set(SUBJECTS.map((s) => s.timezone));
    for (const z of ['Asia/Ust-Nera', 'Asia/Srednekolymsk', 'Asia/Khandyga']) zones.add(z);
    for (const iana of zones) {
      const parts = new Intl.DateTimeFormat('en-US', {
        timeZone: iana,
        timeZoneName: 'longOffset',
      }).formatToParts(new Date());
      const runtime = parts.find((p) => p.type === 'timeZoneName')?.value;
      const info = timeZoneInfo(iana);
      expect(info, iana).not.toBeNull();
      const h = (info?.offsetMinutes ?? 0) / 60;
      expect(runtime, iana).toBe(`GMT+${String(h).padStart(2, '0')}:00`);
    }
  });

  it('every subject has a zone with a Russian name', () => {
    for (const s of SUBJECTS) expect(timeZoneInfo(s.timezone)?.name, s.name).toMatch(/время/i);
  });
});

describe('timeZoneInfo: other zones', () => {
  it.each<[string, number, string, string]>([
    ['UTC', 0, 'UTC+0', 'MSK-3'],
    ['Asia/Kolkata', 330, 'UTC+5:30', 'MSK+2:30'],
    ['Asia/Kathmandu', 345, 'UTC+5:45', 'MSK+2:45'],
    ['Asia/Tokyo', 540, 'UTC+9', 'MSK+6'],
    ['Asia/Almaty', 300, 'UTC+5', 'MSK+2'],
  ])('%s (no DST) → %i min, %s, %s', (iana, offsetMinutes, utc, msk) => {
    expect(timeZoneInfo(iana)).toEqual<TimeZoneInfo>({ iana, offsetMinutes, utc, msk, name: null });
  });

  it('a zone with DST gets its offset as of now', () => {
    const info = timeZoneInfo('Europe/London');
    expect(info?.name).toBeNull();
    expect([0, 60]).toContain(info?.offsetMinutes);
    expect(info?.utc).toMatch(/^UTC\+[01]$/);
    expect(info?.msk).toMatch(/^MSK-[23]$/);
    const ny = timeZoneInfo('America/New_York');
    expect([-300, -240]).toContain(ny?.offsetMinutes);
    expect(ny?.utc).toMatch(/^UTC-[45]$/);
    expect(ny?.msk).toMatch(/^MSK-[78]$/);
  });

  it('an unknown zone is null', () => {
    expect(timeZoneInfo('Mars/Olympus_Mons')).toBeNull();
    expect(timeZoneInfo('')).toBeNull();
  });
});

describe('zoneForTerritory: the Sakha split', () => {
  it.each<[string, readonly string[], string]>([
    // Sakha (14): eastern uluses keep MSK+7 and MSK+8
    ['14', ['у. Оймяконский'], 'Asia/Ust-Nera'],
    ['14', ['м.р-н Оймяконский'], 'Asia/Ust-Nera'],
    ['14', ['п. Усть-Нера', 'у. Оймяконский'], 'Asia/Ust-Nera'],
    ['14', ['Оймяконский'], 'Asia/Ust-Nera'],
    ['14', ['у. Верхоянский'], 'Asia/Ust-Nera'],
    ['14', ['у. Усть-Янский'], 'Asia/Ust-Nera'],
    ['14', ['у. Абыйский'], 'Asia/Srednekolymsk'],
    ['14', ['у. Аллаиховский'], 'Asia/Srednekolymsk'],
    ['14', ['у. Верхнеколымский'], 'Asia/Srednekolymsk'],
    ['14', ['у. Момский'], 'Asia/Srednekolymsk'],
    ['14', ['у. Нижнеколымский'], 'Asia/Srednekolymsk'],
    ['14', ['у. Среднеколымский'], 'Asia/Srednekolymsk'],
    ['14', ['у. Томпонский'], 'Asia/Khandyga'],
    ['14', ['р-н Томпонский'], 'Asia/Khandyga'],
    ['14', ['у. Усть-Майский'], 'Asia/Khandyga'],
    // the rest of Sakha keeps the subject's zone
    ['14', ['г. Якутск'], 'Asia/Yakutsk'],
    ['14', ['Улус Нерюнгринский'], 'Asia/Yakutsk'],
    ['14', [], 'Asia/Yakutsk'],
    // only Sakha is split: the same words elsewhere change nothing
    ['03', ['у. Оймяконский'], 'Asia/Irkutsk'],
    ['77', [], 'Europe/Moscow'],
  ])('%s %j → %s', (code, parts, expected) => {
    const subjectZone = SUBJECTS.find((s) => s.code === code)?.timezone ?? '';
    expect(zoneForTerritory(code, subjectZone, parts)).toBe(expected);
  });

  it('Оймяконский is UTC+10, MSK+7', () => {
    const zone = zoneForTerritory('14', 'Asia/Yakutsk', ['у. Оймяконский']);
    expect(timeZoneInfo(zone)).toMatchObject({ iana: 'Asia/Ust-Nera', utc: 'UTC+10', msk: 'MSK+7' });
  });
});
