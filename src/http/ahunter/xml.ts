import iconv from 'iconv-lite';
import { formatAhunter } from '../../core/format.js';
import type { AhunterAnswer, AhunterField, AhunterPhone } from './shapes.js';

/** Characters Windows-1251 can hold (byte 0x98 is unassigned and decodes to U+FFFD). */
const CP1251_CHARS: ReadonlySet<number> = new Set(
  [...iconv.decode(Buffer.from(Array.from({ length: 256 }, (_, i) => i)), 'win1251')]
    .map((ch) => ch.codePointAt(0)!)
    .filter((cp) => cp !== 0xfffd),
);

/** XML 1.0 allows tab, LF, CR and everything from U+0020 except surrogates, U+FFFE and U+FFFF. */
function xmlChar(cp: number): boolean {
  return (
    cp === 9 ||
    cp === 10 ||
    cp === 13 ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

/**
 * Writes text safely for one output charset: characters XML forbids become U+FFFD, and characters
 * the charset cannot hold become character references (`&#128512;`), so nothing is lost or breaks.
 */
class XmlText {
  constructor(private readonly cp1251: boolean) {}

  private encodable(cp: number): boolean {
    return !this.cp1251 || cp < 0x80 || CP1251_CHARS.has(cp);
  }

  attr(s: string): string {
    let out = '';
    for (const ch of s) {
      let cp = ch.codePointAt(0)!;
      if (!xmlChar(cp)) cp = 0xfffd;
      if (cp === 38) out += '&amp;';
      else if (cp === 60) out += '&lt;';
      else if (cp === 62) out += '&gt;';
      else if (cp === 34) out += '&quot;';
      else if (cp === 39) out += '&apos;';
      // Attribute-value normalization would turn these into spaces.
      else if (cp === 9 || cp === 10 || cp === 13) out += `&#${cp};`;
      else if (!this.encodable(cp)) out += `&#${cp};`;
      else out += String.fromCodePoint(cp);
    }
    return out;
  }

  /** Element text: like an attribute, but quotes and line ends stay as they are. */
  text(s: string): string {
    return this.attr(s)
      .replace(/&quot;/g, '"')
      .replace(/&apos;/g, "'")
      .replace(/&#(9|10|13);/g, (_, n: string) => String.fromCharCode(Number(n)));
  }

  /** A CDATA section; `]]>` and characters the charset lacks are written between sections. */
  cdata(s: string): string {
    let out = '<![CDATA[';
    let run = '';
    for (const ch of s) {
      let cp = ch.codePointAt(0)!;
      if (!xmlChar(cp)) cp = 0xfffd;
      if (!this.encodable(cp)) {
        out += run.replaceAll(']]>', ']]]]><![CDATA[>') + `]]>&#${cp};<![CDATA[`;
        run = '';
      } else {
        run += String.fromCodePoint(cp);
      }
    }
    return out + run.replaceAll(']]>', ']]]]><![CDATA[>') + ']]>';
  }
}

function fieldXml(t: XmlText, f: AhunterField): string {
  const type = f.type !== undefined ? ` type="${t.attr(f.type)}"` : '';
  const c = f.c !== undefined ? ` c="${t.attr(f.c)}"` : '';
  return `<Field level="${f.level}" name="${t.attr(f.name)}"${type}${c}/>`;
}

function phoneXml(t: XmlText, p: AhunterPhone): string[] {
  const lines: string[] = [];
  const restored = p.restored_zone ? ' restored_zone="true"' : '';
  lines.push(`  <Phone type="${p.is_mobile ? 'mobile' : 'fixed'}"${restored}>`);
  lines.push(`    <Number value="${t.attr(formatAhunter(p.zone_of_range ?? null, p.canon_phone_number))}"/>`);
  if (p.zone_of_range !== undefined) {
    const attrs = [`zone="${t.attr(p.zone_of_range)}"`];
    if (p.first_in_range !== undefined) attrs.push(`first="${t.attr(p.first_in_range)}"`);
    if (p.last_in_range !== undefined) attrs.push(`last="${t.attr(p.last_in_range)}"`);
    if (p.operator_name !== undefined) attrs.push(`oper="${t.attr(p.operator_name)}"`);
    lines.push(`    <Range ${attrs.join(' ')}/>`);
  }
  for (const g of p.geo_items) {
    lines.push(`    <GeoItem rel="${g.rel}">`, '      <Address>');
    for (const f of g.address.fields) lines.push(`        ${fieldXml(t, f)}`);
    lines.push('      </Address>', '    </GeoItem>');
  }
  const z = p.time_zone;
  if (z) {
    const name = z.name !== undefined ? ` name="${t.attr(z.name)}"` : '';
    lines.push(`    <TimeZone utc_zone="${t.attr(z.utc_zone)}" msk_zone="${t.attr(z.msk_zone)}"${name}/>`);
  }
  lines.push('  </Phone>');
  return lines;
}

/** The `output=xml` answer as text, for the charset it will be encoded in. */
export function ahunterXml(a: AhunterAnswer, cp1251: boolean): string {
  const t = new XmlText(cp1251);
  const lines = [
    `<?xml version="1.0" encoding="${cp1251 ? 'windows-1251' : 'utf-8'}"?>`,
    '<ProcessCheckResult>',
  ];
  for (const p of a.phones) lines.push(...phoneXml(t, p));
  lines.push(
    '  <CheckInfo>',
    `    <String>${t.cdata(a.check_info.query)}</String>`,
    `    <Time>${a.check_info.time}</Time>`,
    `    <Alts>${a.check_info.alts}</Alts>`,
    '  </CheckInfo>',
    '</ProcessCheckResult>',
  );
  return lines.join('\n') + '\n';
}

/** An error in XML: `<Error code="…">message</Error>`. */
export function ahunterXmlError(code: string, message: string, cp1251: boolean): string {
  const t = new XmlText(cp1251);
  return (
    `<?xml version="1.0" encoding="${cp1251 ? 'windows-1251' : 'utf-8'}"?>\n` +
    `<Error code="${t.attr(code)}">${t.text(message)}</Error>\n`
  );
}

/** The bytes to send: UTF-8, or Windows-1251 (every character is encodable by construction). */
export function xmlBytes(xml: string, cp1251: boolean): Buffer {
  return cp1251 ? iconv.encode(xml, 'win1251') : Buffer.from(xml, 'utf8');
}
