import { createHash, randomBytes } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Length of the public key id (lowercase hex: easy to read aloud and to type after `keys revoke`). */
export const KEY_ID_LENGTH = 12;
/** Random base62 characters after the id: 32 of them are ~190 bits, beyond any guessing. */
export const TOKEN_RANDOM_LENGTH = 32;
/** Longer inputs are not hashed at all: no token we issue or accept from the config comes close. */
export const MAX_TOKEN_LENGTH = 512;

const KEY_ID = /^[0-9a-f]{12}$/;

export function newKeyId(): string {
  return randomBytes(KEY_ID_LENGTH / 2).toString('hex');
}

/** Uniform base62: bytes of 248 and above are dropped, so no character is likelier than another. */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      if (b >= 248) continue;
      out += BASE62[b % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

/** `ni_<id>_<32 base62>`: the id inside lets logs and people tell keys apart without the secret part. */
export function newToken(id: string): string {
  return `ni_${id}_${randomBase62(TOKEN_RANDOM_LENGTH)}`;
}

/** The only form of a token the store keeps. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function isKeyId(s: string): boolean {
  return KEY_ID.test(s);
}
