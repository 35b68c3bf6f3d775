/**
 * The Asterisk Manager Interface wire format, without I/O. The server opens with one banner line
 * (`Asterisk Call Manager/7.0.3`); after that every message, in either direction, is a block of
 * `Key: Value` lines ended by CRLF, and a blank line ends the block. Responses carry the ActionID of
 * the action they answer; events carry `Event:`.
 */

/** How the banner of a real Asterisk starts. */
export const BANNER_PREFIX = 'Asterisk Call Manager/';

/** A message's fields, keyed by the lower-cased field name (AMI names are case-insensitive in practice). */
export type AmiMessage = ReadonlyMap<string, string>;

export type AmiFrame =
  | { readonly kind: 'banner'; readonly text: string }
  | { readonly kind: 'message'; readonly message: AmiMessage };

/** The stream is not AMI, or a peer sends lines or messages no manager would. */
export class AmiProtocolError extends Error {}

/** Longest line accepted; real messages are far shorter, so a longer one means a wrong peer. */
const MAX_LINE = 64 * 1024;
/** Most fields in one message (a Hangup or CoreShowChannel event has about 20). */
const MAX_FIELDS = 1000;

/**
 * Cuts a character stream into the banner and messages. Feed it decoded text as it arrives, in
 * chunks of any size; it returns the frames each chunk completes. Lines may end in CRLF or LF.
 */
export class AmiParser {
  private buffer = '';
  private fields = new Map<string, string>();
  private bannerPending: boolean;

  /** `expectBanner`: false to parse the client side of a session, which has no banner. */
  constructor(expectBanner = true) {
    this.bannerPending = expectBanner;
  }

  feed(chunk: string): AmiFrame[] {
    const frames: AmiFrame[] = [];
    let text = this.buffer + chunk;
    let nl: number;
    while ((nl = text.indexOf('\n')) >= 0) {
      const end = nl > 0 && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      const line = text.slice(0, end);
      text = text.slice(nl + 1);
      this.line(line, frames);
    }
    if (text.length > MAX_LINE) throw new AmiProtocolError(`line longer than ${MAX_LINE} characters`);
    this.buffer = text;
    return frames;
  }

  private line(line: string, frames: AmiFrame[]): void {
    if (this.bannerPending) {
      this.bannerPending = false;
      frames.push({ kind: 'banner', text: line.trim() });
      return;
    }
    if (line.trim() === '') {
      if (this.fields.size > 0) {
        frames.push({ kind: 'message', message: this.fields });
        this.fields = new Map();
      }
      return;
    }
    const colon = line.indexOf(':');
    // Lines without a colon occur only in the output of `Action: Command`; numinfo sends none.
    if (colon <= 0) return;
    if (this.fields.size >= MAX_FIELDS)
      throw new AmiProtocolError(`more than ${MAX_FIELDS} fields in a message`);
    const key = line.slice(0, colon).trim().toLowerCase();
    // The first of repeated keys wins (events repeat only `ChanVariable`, which numinfo does not read).
    if (!this.fields.has(key)) this.fields.set(key, line.slice(colon + 1).trim());
  }
}

/** A field of a message by its name in any case: `field(m, 'CallerIDNum')`. */
export function field(message: AmiMessage, name: string): string | undefined {
  return message.get(name.toLowerCase());
}

/** AMI is line-based: a CR or LF inside a value would end the field or the message. */
function clean(text: string): string {
  return /[\r\n]/.test(text) ? text.replace(/[\r\n]+/g, ' ') : text;
}

/** The bytes of one action: `Action`, `ActionID`, the fields in order, a blank line. */
export function buildAction(
  action: string,
  actionId: string,
  fields: readonly (readonly [string, string])[] = [],
): string {
  let out = `Action: ${clean(action)}\r\nActionID: ${clean(actionId)}\r\n`;
  for (const [k, v] of fields) out += `${clean(k)}: ${clean(v)}\r\n`;
  return out + '\r\n';
}
