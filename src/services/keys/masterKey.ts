import { createHmac, randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NuminfoError } from '../../errors.js';

export const MASTER_KEY_FILE = 'master.key';
/** A configured master key shorter than this is refused: every signing secret derives from it. */
export const MIN_MASTER_KEY_LENGTH = 16;

export function masterKeyPath(dataDir: string): string {
  return join(dataDir, MASTER_KEY_FILE);
}

/**
 * The server key signing secrets derive from: the configured `masterKey`, else the text of
 * `<dataDir>/master.key`, created (32 random bytes as hex, mode 0600) on first use. Both are used as
 * the same UTF-8 text, so copying the file's content into NUMINFO_MASTER_KEY keeps every secret.
 */
export function loadMasterKey(dataDir: string, configured: string): string {
  const given = configured.trim();
  if (given !== '') {
    if (given.length < MIN_MASTER_KEY_LENGTH) {
      throw new NuminfoError(
        'CONFIG_INVALID',
        `masterKey: must be at least ${MIN_MASTER_KEY_LENGTH} characters (e.g. \`openssl rand -hex 32\`)`,
      );
    }
    return given;
  }
  const path = masterKeyPath(dataDir);
  const fresh = randomBytes(32).toString('hex');
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(tmp, fresh + '\n', { mode: 0o600 });
    // link() is atomic and fails when the file exists: of two processes starting at once, one
    // creates the key and the other reads it, never a half-written file.
    linkSync(tmp, path);
    return fresh;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new NuminfoError('CONFIG_INVALID', `cannot create ${path}: ${(e as Error).message}`, {
        cause: e,
      });
    }
  } finally {
    rmSync(tmp, { force: true });
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch (e) {
    throw new NuminfoError('CONFIG_INVALID', `cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
  if (text.length < MIN_MASTER_KEY_LENGTH) {
    throw new NuminfoError(
      'CONFIG_INVALID',
      `${path} holds no usable master key (fewer than ${MIN_MASTER_KEY_LENGTH} characters)`,
    );
  }
  return text;
}

/**
 * A key's signing secret: HMAC of its token hash under the master key. Never stored, so a copy of
 * the database alone yields neither tokens nor secrets.
 */
export function deriveSecret(masterKey: string, tokenHash: string): string {
  return createHmac('sha256', masterKey)
    .update('numinfo-signing-secret:' + tokenHash)
    .digest('base64url');
}
