/**
 * The ahunter dialect end to end: a real server on a real port over a real registry snapshot,
 * driven with fetch. The registry is built from ../shared/registry/combined when it is there, and
 * from the generated rows of test/helpers/registryData.ts otherwise (which copy the rows used here).
 */
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryIndex } from '../src/data/registryIndex.js';
import { updateRegistry } from '../src/data/registryUpdate.js';
import { readSnapshotFile } from '../src/data/snapshot.js';
import { buildServer } from '../src/http/server.js';
import { NumberService } from '../src/services/numberService.js';
import { removeTempDirs, SHARED_COMBINED, tempDir } from './helpers/proc.js';
import { writeRegistryDir } from './helpers/registryData.js';

const REAL = existsSync(SHARED_COMBINED);
const PATH = '/site/cleanse/phone';

let service: NumberService;
const servers: FastifyInstance[] = [];
let base: string;

interface Answer {
  status: number;
  type: string;
  bytes: Buffer;
  text: string;
  json: unknown;
}

async function get(query: string, at = base): Promise<Answer> {
  const res = await fetch(`${at}${PATH}?${query}`);
  const bytes = Buffer.from(await res.arrayBuffer());
  const text = bytes.toString('utf8');
  let json: unknown = undefined;
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, type: res.headers.get('content-type') ?? '', bytes, text, json };
}

async function listen(svc: NumberService, apiKeys = ''): Promise<string> {
  const app = buildServer({ service: svc, config: { batchLimit: 1000, logLevel: 'silent', apiKeys } });
  await app.listen({ port: 0, host: '127.0.0.1' });
  servers.push(app);
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  let source = SHARED_COMBINED;
  if (!REAL) {
    console.warn(
      `\n[ahunter.test] ${SHARED_COMBINED} is missing: using a small generated registry instead; ` +
        'assertions that need the real data are skipped.\n',
    );
    source = writeRegistryDir(tempDir('ahunter-src'));
  }
  const result = await updateRegistry({ source, dataDir: tempDir('ahunter-data') });
  service = new NumberService(new RegistryIndex(readSnapshotFile(result.path)));
  base = await listen(service);
});

afterAll(async () => {
  for (const s of servers) await s.close();
  removeTempDirs();
});

interface Field {
  c?: string;
  level: string;
  name: string;
  type?: string;
}
interface Phone {
  canon_phone_number: string;
  first_in_range?: string;
  geo_items: { address: { fields: Field[] }; rel: number }[];
  is_mobile: boolean;
  last_in_range?: string;
  operator_name?: string;
  restored_zone?: boolean;
  zone_of_range?: string;
  time_zone?: { msk_zone: string; name: string; utc_zone: string };
}
interface Body {
  check_info: { alts: number; query: string; time: number };
  phones: Phone[];
  request_process_time: number;
}

const body = (a: Answer): Body => a.json as Body;

/** 301-304-99-01 as ahunter's own example has it, less the KLADR codes of district and place and the Zip. */
const NOVY_UOYAN: Phone = {
  canon_phone_number: '3049901',
  first_in_range: '3049000',
  geo_items: [
    {
      address: {
        fields: [
          { c: '3', level: 'Region', name: 'Бурятия', type: 'Респ' },
          { level: 'District', name: 'Северо-Байкальский', type: 'р-н' },
          { level: 'Place', name: 'Новый Уоян', type: 'пгт' },
        ],
      },
      rel: 100,
    },
  ],
  is_mobile: false,
  last_in_range: '3049999',
  operator_name: 'ООО Байкал Диалог',
  zone_of_range: '301',
  time_zone: { msk_zone: 'MSK+5', name: 'Иркутское время', utc_zone: 'UTC+8' },
};

describe('GET /site/cleanse/phone: JSON', () => {
  it('301-304-99-01: the example of the ahunter document', async () => {
    const a = await get('user=demotoken;output=json;query=301-304-99-01');
    expect(a.status).toBe(200);
    expect(a.type).toBe('application/json; charset=utf-8');
    const b = body(a);
    expect(b.check_info).toEqual({ alts: 1, query: '301-304-99-01', time: expect.any(Number) });
    expect(b.phones).toEqual([NOVY_UOYAN]);
    expect(Number.isInteger(b.request_process_time)).toBe(true);
    expect(Number.isInteger(b.check_info.time)).toBe(true);
  });

  it('keys come in the order of the ahunter example; restored_zone is absent for a full number', async () => {
    const b = body(await get('output=json;query=301-304-99-01'));
    expect(Object.keys(b)).toEqual(['check_info', 'phones', 'request_process_time']);
    expect(Object.keys(b.check_info)).toEqual(['alts', 'query', 'time']);
    expect(Object.keys(b.phones[0]!)).toEqual([
      'canon_phone_number',
      'first_in_range',
      'geo_items',
      'is_mobile',
      'last_in_range',
      'operator_name',
      'zone_of_range',
      'time_zone',
    ]);
    expect(Object.keys(b.phones[0]!.time_zone!)).toEqual(['msk_zone', 'name', 'utc_zone']);
    expect(Object.keys(b.phones[0]!.geo_items[0]!)).toEqual(['address', 'rel']);
    expect(Object.keys(b.phones[0]!.geo_items[0]!.address.fields[0]!)).toEqual([
      'c',
      'level',
      'name',
      'type',
    ]);
  });

  it('4991663050: a full Moscow number, one phone', async () => {
    const b = body(await get('user=demotoken;output=json;query=4991663050'));
    expect(b.check_info.alts).toBe(1);
    const [p] = b.phones;
    expect(p).toMatchObject({
      canon_phone_number: '1663050',
      zone_of_range: '499',
      first_in_range: '1660022',
      last_in_range: '1673188',
      operator_name: 'ПАО МГТС',
      is_mobile: false,
      geo_items: [
        { address: { fields: [{ c: '77', level: 'Region', name: 'Москва', type: 'г' }] }, rel: 100 },
      ],
      time_zone: { msk_zone: 'MSK+0', name: 'Московское время', utc_zone: 'UTC+3' },
    });
    expect(p).not.toHaveProperty('restored_zone');
  });

  it('1663050 with phonelim=3: ranked variants with restored zones, (499) first', async () => {
    const b = body(await get('user=demotoken;output=json;phonelim=3;query=1663050'));
    const expected = REAL ? 3 : 2; // the generated registry holds 1663050 under 499 and 900 only
    expect(b.phones).toHaveLength(expected);
    expect(b.check_info.alts).toBe(expected);
    expect(b.phones[0]).toMatchObject({ zone_of_range: '499', canon_phone_number: '1663050' });
    for (const p of b.phones) {
      expect(p.restored_zone).toBe(true);
      expect(p.canon_phone_number).toBe('1663050');
      // The variants share the certainty: rel is lower than 100.
      for (const g of p.geo_items) expect(g.rel).toBeLessThan(100);
    }
    expect(new Set(b.phones.map((p) => p.zone_of_range)).size).toBe(expected);
  });

  it('phonelim=1 returns the best variant alone; no phonelim returns at most 5', async () => {
    const one = body(await get('output=json;phonelim=1;query=1663050'));
    expect(one.phones.map((p) => p.zone_of_range)).toEqual(['499']);
    expect(one.phones[0]!.restored_zone).toBe(true);
    const all = body(await get('output=json;query=1663050'));
    expect(all.phones.length).toBeGreaterThanOrEqual(2);
    expect(all.phones.length).toBeLessThanOrEqual(5);
  });

  it('991663050: a partial zone restored to (499) 166-30-50 first', async () => {
    const b = body(await get('output=json;query=991663050'));
    expect(b.phones[0]).toMatchObject({
      canon_phone_number: '1663050',
      zone_of_range: '499',
      restored_zone: true,
    });
    for (const p of b.phones) expect(p.zone_of_range!.endsWith('99')).toBe(true);
  });

  it('a mobile (DEF) number is is_mobile', async () => {
    const b = body(await get('output=json;query=%2B7%20900%20000-00-00'));
    expect(b.phones).toHaveLength(1);
    expect(b.phones[0]).toMatchObject({
      canon_phone_number: '0000000',
      zone_of_range: '900',
      is_mobile: true,
    });
  });

  it('; and & separate parameters alike, mixed too', async () => {
    const semi = await get('user=demotoken;output=json;query=301-304-99-01');
    const amp = await get('user=demotoken&output=json&query=301-304-99-01');
    const mixed = await get('user=demotoken&output=json;query=301-304-99-01');
    for (const a of [semi, amp, mixed]) {
      expect(a.status).toBe(200);
      expect(body(a).phones).toEqual([NOVY_UOYAN]);
    }
  });

  it('+ in the query is a space, %2B a plus; an = inside a value is kept', async () => {
    const b = body(await get('output=json;query=+7+301+304-99-01'));
    expect(b.check_info.query).toBe(' 7 301 304-99-01');
    expect(b.phones).toEqual([NOVY_UOYAN]);
    expect(body(await get('output=json;query=%2B73013049901')).check_info.query).toBe('+73013049901');
    expect(body(await get('output=json;query=a=b')).check_info.query).toBe('a=b');
  });

  it('a number amid words; 5-digit runs before it are passed over', async () => {
    const q = encodeURIComponent('дом 12345, тел. 8 (301) 304-99-01 доб. 7');
    const b = body(await get(`output=json;query=${q}`));
    expect(b.check_info.query).toBe('дом 12345, тел. 8 (301) 304-99-01 доб. 7');
    expect(b.phones).toEqual([NOVY_UOYAN]);
  });

  it('output=json|pretty: indented like the ahunter example, `"key" : value`', async () => {
    const a = await get('user=demotoken;output=json|pretty;query=301-304-99-01');
    expect(a.status).toBe(200);
    expect(body(a).phones).toEqual([NOVY_UOYAN]);
    const lines = a.text.split('\n');
    expect(lines[0]).toBe('{');
    expect(lines[1]).toBe('  "check_info" : {');
    expect(lines[2]).toBe('    "alts" : 1,');
    expect(lines[3]).toBe('    "query" : "301-304-99-01",');
    expect(a.text).toContain(
      [
        '  "phones" : [',
        '    {',
        '      "canon_phone_number" : "3049901",',
        '      "first_in_range" : "3049000",',
        '      "geo_items" : [',
        '        {',
        '          "address" : {',
        '            "fields" : [',
        '              {',
        '                "c" : "3",',
        '                "level" : "Region",',
        '                "name" : "Бурятия",',
        '                "type" : "Респ"',
        '              },',
      ].join('\n'),
    );
    expect(a.text).toContain(
      [
        '      "is_mobile" : false,',
        '      "last_in_range" : "3049999",',
        '      "operator_name" : "ООО Байкал Диалог",',
        '      "zone_of_range" : "301",',
        '      "time_zone" : {',
        '        "msk_zone" : "MSK+5",',
        '        "name" : "Иркутское время",',
        '        "utc_zone" : "UTC+8"',
        '      }',
        '    }',
        '  ],',
      ].join('\n'),
    );
    expect(a.text).toMatch(/\n {2}"request_process_time" : \d+\n\}\n$/);
    // output=pretty may also come as its own parameter.
    const split = await get('output=json;output=pretty;query=301-304-99-01');
    expect(split.text.startsWith('{\n  "check_info" : {')).toBe(true);
    // Without pretty: compact.
    expect((await get('output=json;query=301-304-99-01')).text).not.toContain('\n');
  });

  it('output=json|pretty: an empty phones array stays on one line', async () => {
    const a = await get('output=json|pretty;query=abc');
    expect(a.text).toContain('  "phones" : [],\n');
  });

  it('output=timezone is accepted; time_zone is there with or without it', async () => {
    const b = body(await get('output=json|timezone;query=301-304-99-01'));
    expect(b.phones[0]!.time_zone).toEqual(NOVY_UOYAN.time_zone);
  });

  it('no output parameter: JSON', async () => {
    const a = await get('query=301-304-99-01');
    expect(a.type).toBe('application/json; charset=utf-8');
    expect(body(a).phones).toEqual([NOVY_UOYAN]);
  });

  it('garbage, empty and blank queries: 200 with no phones', async () => {
    for (const q of ['abc', '', '%20%20', 'hello%20world', '12', '%ZZ%', '%', '%E0%A4', '%00']) {
      const a = await get(`output=json;query=${q}`);
      expect(a.status, q).toBe(200);
      expect(body(a).phones, q).toEqual([]);
      expect(body(a).check_info.alts, q).toBe(0);
    }
    expect(body(await get('output=json;query=%ZZ%')).check_info.query).toBe('%ZZ%');
  });

  it('a foreign number: no phones (ahunter is about Russian numbers)', async () => {
    const b = body(await get('output=json;query=%2B44%2020%207946%200958'));
    expect(b.phones).toEqual([]);
    expect(b.check_info).toMatchObject({ alts: 0, query: '+44 20 7946 0958' });
  });

  it('a Russian number in no range: its zone, no range, no geo items', async () => {
    const b = body(await get('output=json;query=3019999999'));
    expect(b.phones).toEqual([
      { canon_phone_number: '9999999', geo_items: [], is_mobile: false, zone_of_range: '301' },
    ]);
  });

  it('a local number no zone completes: one phone without a zone', async () => {
    const b = body(await get('output=json;query=071234567'));
    expect(b.phones).toEqual([{ canon_phone_number: '1234567', geo_items: [], is_mobile: false }]);
  });

  it('region=… (numinfo extension) ranks restored zones', async () => {
    const q = encodeURIComponent(REAL ? 'Амурская область' : 'Ростовская область');
    const b = body(await get(`output=json;phonelim=2;query=1663050;region=${q}`));
    expect(b.phones[0]!.zone_of_range).toBe(REAL ? '999' : '900');
    expect(b.phones[1]!.zone_of_range).toBe('499');
    const without = body(await get('output=json;phonelim=2;query=1663050'));
    expect(without.phones[0]!.zone_of_range).toBe('499');
  });

  it.skipIf(!REAL)('a range in two subjects: one geo item each, rel shared', async () => {
    const b = body(await get('output=json;query=9161234567'));
    expect(b.phones[0]!.geo_items).toEqual([
      { address: { fields: [{ c: '77', level: 'Region', name: 'Москва', type: 'г' }] }, rel: 50 },
      { address: { fields: [{ c: '50', level: 'Region', name: 'Московская', type: 'обл' }] }, rel: 50 },
    ]);
  });
});

/** `<Tag a="1" b="2"/>` → {a: '1', b: '2'}; the first such tag in `xml`. */
function attrs(xml: string, tag: string): Record<string, string> | null {
  const m = new RegExp(`<${tag}((?:\\s+\\w+="[^"]*")*)\\s*/?>`).exec(xml);
  if (!m) return null;
  const out: Record<string, string> = {};
  for (const a of m[1]!.matchAll(/(\w+)="([^"]*)"/g)) out[a[1]!] = a[2]!;
  return out;
}

function allAttrs(xml: string, tag: string): Record<string, string>[] {
  return [...xml.matchAll(new RegExp(`<${tag}(?:\\s[^>]*)?/?>`, 'g'))].map((m) => attrs(m[0], tag)!);
}

describe('GET /site/cleanse/phone: XML', () => {
  it('301-304-99-01: the form of the ahunter XML example', async () => {
    const a = await get('user=demotoken;output=xml;query=301-304-99-01');
    expect(a.status).toBe(200);
    expect(a.type).toBe('text/xml; charset=utf-8');
    expect(a.text).toBe(
      [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<ProcessCheckResult>',
        '  <Phone type="fixed">',
        '    <Number value="(301) 3049901"/>',
        '    <Range zone="301" first="3049000" last="3049999" oper="ООО Байкал Диалог"/>',
        '    <GeoItem rel="100">',
        '      <Address>',
        '        <Field level="Region" name="Бурятия" type="Респ" c="3"/>',
        '        <Field level="District" name="Северо-Байкальский" type="р-н"/>',
        '        <Field level="Place" name="Новый Уоян" type="пгт"/>',
        '      </Address>',
        '    </GeoItem>',
        '    <TimeZone utc_zone="UTC+8" msk_zone="MSK+5" name="Иркутское время"/>',
        '  </Phone>',
        '  <CheckInfo>',
        '    <String><![CDATA[301-304-99-01]]></String>',
        '    <Time>0</Time>',
        '    <Alts>1</Alts>',
        '  </CheckInfo>',
        '</ProcessCheckResult>',
        '',
      ]
        .join('\n')
        .replace('<Time>0</Time>', /<Time>(\d+)<\/Time>/.exec(a.text)![0]),
    );
  });

  it.skipIf(!REAL)('382-493-21-01: the number of the ahunter XML example', async () => {
    const a = await get('output=xml;query=382-493-21-01');
    expect(attrs(a.text, 'Number')).toEqual({ value: '(382) 4932101' });
    expect(attrs(a.text, 'Range')).toEqual({
      zone: '382',
      first: '4932100',
      last: '4932199',
      oper: 'ООО Т2 Мобайл',
    });
    expect(allAttrs(a.text, 'Field')).toEqual([
      { level: 'Region', name: 'Томская', type: 'обл', c: '70' },
      { level: 'District', name: 'Бакчарский', type: 'р-н' },
      { level: 'Place', name: 'Бакчар', type: 'с' },
    ]);
    // ahunter's example says Иркутское время; Tomsk keeps UTC+7.
    expect(attrs(a.text, 'TimeZone')).toEqual({
      utc_zone: 'UTC+7',
      msk_zone: 'MSK+4',
      name: 'Красноярское время',
    });
  });

  it('restored variants: several Phone elements, restored_zone="true", (499) first', async () => {
    const a = await get('output=xml;phonelim=3;query=1663050');
    const phones = allAttrs(a.text, 'Phone');
    expect(phones.length).toBe(REAL ? 3 : 2);
    for (const p of phones) expect(p.restored_zone).toBe('true');
    expect(allAttrs(a.text, 'Number')[0]).toEqual({ value: '(499) 1663050' });
    expect(a.text).toContain(`<Alts>${phones.length}</Alts>`);
  });

  it('a mobile number is type="mobile"', async () => {
    const a = await get('output=xml;query=9000000000');
    expect(attrs(a.text, 'Phone')).toEqual({ type: 'mobile' });
  });

  it('a zone nothing completes is (***)', async () => {
    const a = await get('output=xml;query=071234567');
    expect(attrs(a.text, 'Number')).toEqual({ value: '(***) 1234567' });
    expect(a.text).not.toContain('<Range');
    expect(a.text).toContain('<Alts>1</Alts>');
  });

  it('no phones: CheckInfo alone', async () => {
    const a = await get('output=xml;query=abc');
    expect(a.text).toMatch(
      /^<\?xml version="1.0" encoding="utf-8"\?>\n<ProcessCheckResult>\n {2}<CheckInfo>\n {4}<String><!\[CDATA\[abc\]\]><\/String>\n {4}<Time>\d+<\/Time>\n {4}<Alts>0<\/Alts>\n {2}<\/CheckInfo>\n<\/ProcessCheckResult>\n$/,
    );
  });

  it('the query is CDATA; ]]> and characters XML forbids do not break it', async () => {
    const a = await get(`output=xml;query=${encodeURIComponent('a]]>b<c>&"\'\u0001 3013049901')}`);
    expect(a.status).toBe(200);
    expect(a.text).toContain('<String><![CDATA[a]]]]><![CDATA[>b<c>&"\'\uFFFD 3013049901]]></String>');
    expect(a.text).not.toContain('\u0001');
    expect(attrs(a.text, 'Number')).toEqual({ value: '(301) 3049901' });
  });

  it('output=xml|cp1251: the same XML in Windows-1251', async () => {
    const utf = await get('output=xml;query=301-304-99-01');
    const a = await get('output=xml|cp1251;query=301-304-99-01');
    expect(a.status).toBe(200);
    expect(a.type).toBe('text/xml; charset=windows-1251');
    const text = iconv.decode(a.bytes, 'win1251');
    const normalize = (s: string): string => s.replace(/<Time>\d+<\/Time>/, '<Time/>');
    expect(normalize(text)).toBe(normalize(utf.text).replace('encoding="utf-8"', 'encoding="windows-1251"'));
    expect(text.startsWith('<?xml version="1.0" encoding="windows-1251"?>\n')).toBe(true);
    // Б of Бурятия is 0xC1 in Windows-1251; no UTF-8 sequence (Б is D0 91 there) is left.
    expect(a.bytes.includes(Buffer.from([0xc1, 0xf3, 0xf0, 0xff, 0xf2, 0xe8, 0xff]))).toBe(true);
    expect(a.bytes.includes(Buffer.from('Б', 'utf8'))).toBe(false);
  });

  it('output=xml|cp1251: characters Windows-1251 lacks become character references', async () => {
    const a = await get(`output=xml|cp1251;query=${encodeURIComponent('😀 ]]> 中 3013049901')}`);
    expect(a.status).toBe(200);
    const text = iconv.decode(a.bytes, 'win1251');
    expect(text).toContain(
      '<String><![CDATA[]]>&#128512;<![CDATA[ ]]]]><![CDATA[> ]]>&#20013;<![CDATA[ 3013049901]]></String>',
    );
    // Nothing was replaced by iconv-lite's `?`.
    expect(text.slice(text.indexOf('?>') + 2)).not.toContain('?');
  });

  it('cp1251 without xml is ignored: JSON stays UTF-8', async () => {
    const a = await get('output=json|cp1251;query=301-304-99-01');
    expect(a.type).toBe('application/json; charset=utf-8');
    expect(body(a).phones).toEqual([NOVY_UOYAN]);
  });
});

describe('GET /site/cleanse/phone: input encoding', () => {
  // `тел. 3013049901` in Windows-1251: т е л = F2 E5 EB.
  const CP1251_QUERY = '%F2%E5%EB.%203013049901';

  it('input=cp1251 decodes a Windows-1251 query', async () => {
    const b = body(await get(`input=cp1251;output=json;query=${CP1251_QUERY}`));
    expect(b.check_info.query).toBe('тел. 3013049901');
    expect(b.phones).toEqual([NOVY_UOYAN]);
    expect(iconv.encode('тел. 3013049901', 'win1251').toString('hex')).toBe('f2e5eb2e2033303133303439393031');
  });

  it('input=cp1251 applies to region too; given after the query, it still applies', async () => {
    // Амурская область in Windows-1251.
    const region = [...iconv.encode('Амурская область', 'win1251')]
      .map((b) => '%' + b.toString(16).toUpperCase().padStart(2, '0'))
      .join('');
    const b = body(await get(`output=json;phonelim=2;query=1663050;region=${region};input=cp1251`));
    if (REAL) expect(b.phones[0]!.zone_of_range).toBe('999');
    expect(b.phones).toHaveLength(2);
  });

  it('input=utf8 (the default) decodes UTF-8', async () => {
    const q = encodeURIComponent('тел. 3013049901');
    for (const p of [`input=utf8;query=${q}`, `query=${q}`]) {
      const b = body(await get(p));
      expect(b.check_info.query).toBe('тел. 3013049901');
      expect(b.phones).toEqual([NOVY_UOYAN]);
    }
  });

  it('no input= and bytes that are not UTF-8: read as Windows-1251', async () => {
    const b = body(await get(`query=${CP1251_QUERY}`));
    expect(b.check_info.query).toBe('тел. 3013049901');
  });

  it('input=utf8 with bytes that are not UTF-8: replacement characters, no error', async () => {
    const a = await get(`input=utf8;query=${CP1251_QUERY}`);
    expect(a.status).toBe(200);
    expect(body(a).check_info.query).toBe('\uFFFD\uFFFD\uFFFD. 3013049901');
    expect(body(a).phones).toEqual([NOVY_UOYAN]);
  });
});

describe('GET /site/cleanse/phone: errors', () => {
  it('missing query: 400 MISSING_PARAMETER, in JSON or XML as output asks', async () => {
    const a = await get('user=demotoken;output=json');
    expect(a.status).toBe(400);
    expect(a.json).toEqual({ error: 'parameter "query" is required', code: 'MISSING_PARAMETER' });
    const x = await get('user=demotoken;output=xml');
    expect(x.status).toBe(400);
    expect(x.type).toBe('text/xml; charset=utf-8');
    expect(x.text).toBe(
      '<?xml version="1.0" encoding="utf-8"?>\n<Error code="MISSING_PARAMETER">parameter "query" is required</Error>\n',
    );
    expect((await get('')).status).toBe(400);
  });

  it('bad phonelim: 400 BAD_REQUEST', async () => {
    for (const v of ['0', '-1', 'abc', '1.5', '', '1e3', '99999999999']) {
      const a = await get(`output=json;phonelim=${v};query=1663050`);
      expect(a.status, v).toBe(400);
      expect(a.json, v).toEqual({ error: 'phonelim must be a positive integer', code: 'BAD_REQUEST' });
    }
    expect((await get('output=json;phonelim=007;query=1663050')).status).toBe(200);
  });

  it('bad input, contradictory output, a parameter twice: 400 BAD_REQUEST', async () => {
    for (const q of [
      'input=koi8;query=1',
      'output=json|xml;query=1',
      'query=1;query=2',
      'phonelim=1;phonelim=2;query=1',
    ]) {
      const a = await get(q);
      expect(a.status, q).toBe(400);
      expect((a.json as { code: string }).code, q).toBe('BAD_REQUEST');
    }
  });

  it('output=xml|cp1251 errors are Windows-1251 XML', async () => {
    const a = await get('output=xml|cp1251;phonelim=x;query=1');
    expect(a.status).toBe(400);
    expect(a.type).toBe('text/xml; charset=windows-1251');
    expect(iconv.decode(a.bytes, 'win1251')).toContain('<Error code="BAD_REQUEST">');
  });

  it('a long or hostile query never answers 5xx', async () => {
    const queries = [
      '9'.repeat(3000),
      encodeURIComponent('тел. ' + '8 (301) 304-99-01, '.repeat(100)),
      '%FF%FE%FD',
      encodeURIComponent('\u0000\u001f\uFFFF'),
      '%D8%00',
      encodeURIComponent('+7 (999) 999-99-99 доб. 999999999999'),
    ];
    for (const q of queries) {
      for (const out of ['json', 'json|pretty', 'xml', 'xml|cp1251']) {
        const a = await get(`output=${out};query=${q}`);
        expect(a.status, `${out} ${q.slice(0, 40)}`).toBe(200);
      }
    }
  });

  it('unknown parameters and output flags are ignored', async () => {
    const a = await get('output=json|address;foo=bar;query=301-304-99-01');
    expect(a.status).toBe(200);
    expect(body(a).phones).toEqual([NOVY_UOYAN]);
  });

  it('no registry loaded: 503 REGISTRY_NOT_LOADED in the dialect envelope', async () => {
    const at = await listen(new NumberService(null));
    const a = await get('output=json;query=301-304-99-01', at);
    expect(a.status).toBe(503);
    expect((a.json as { code: string }).code).toBe('REGISTRY_NOT_LOADED');
  });
});

describe('GET /site/cleanse/phone: API keys', () => {
  it('open mode (no keys configured): any user, or none, passes', async () => {
    expect((await get('user=anything;query=301-304-99-01')).status).toBe(200);
    expect((await get('query=301-304-99-01')).status).toBe(200);
  });

  it('with keys: a known token passes; unknown or missing is 401', async () => {
    const at = await listen(service, 'KEY,OTHER:SECRET');
    const ok = await get('user=KEY;output=json;query=301-304-99-01', at);
    expect(ok.status).toBe(200);
    expect(body(ok).phones).toEqual([NOVY_UOYAN]);
    for (const q of ['user=BAD;query=1', 'query=1', 'user=;query=1', 'user=key;query=1']) {
      const a = await get(q, at);
      expect(a.status, q).toBe(401);
      expect(a.json, q).toEqual({ error: 'unknown or missing API token (user)', code: 'UNAUTHORIZED' });
    }
    const x = await get('user=BAD;output=xml;query=1', at);
    expect(x.status).toBe(401);
    expect(x.text).toContain('<Error code="UNAUTHORIZED">');
    // The token is checked before anything else is validated.
    expect((await get('user=BAD;phonelim=0', at)).status).toBe(401);
  });

  it('with keys and input=cp1251: the token is decoded as Windows-1251 too', async () => {
    const at = await listen(service, 'КЛЮЧ');
    const user = [...iconv.encode('КЛЮЧ', 'win1251')].map((b) => '%' + b.toString(16)).join('');
    expect((await get(`user=${user};input=cp1251;query=301-304-99-01`, at)).status).toBe(200);
    expect((await get(`user=${encodeURIComponent('КЛЮЧ')};query=301-304-99-01`, at)).status).toBe(200);
  });

  // ahunter clients send no secret: a TOKEN:SECRET key is accepted by its token alone.
  it('with keys: a token configured with a secret passes on its own (user=KEY)', async () => {
    const at = await listen(service, 'KEY:SECRET');
    expect((await get('user=KEY;output=json;query=301-304-99-01', at)).status).toBe(200);
    expect((await get('user=BAD;output=json;query=301-304-99-01', at)).status).toBe(401);
  });
});

describe('/openapi.json', () => {
  it('describes /site/cleanse/phone', async () => {
    const res = await fetch(`${base}/openapi.json`);
    const doc = (await res.json()) as {
      paths: Record<string, unknown>;
      components: { schemas: Record<string, unknown> };
    };
    expect(doc.paths['/site/cleanse/phone']).toMatchObject({ get: { operationId: 'ahunterCleansePhone' } });
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining([
        'AhunterAnswer',
        'AhunterPhone',
        'AhunterGeoItem',
        'AhunterField',
        'AhunterError',
      ]),
    );
  });
});
