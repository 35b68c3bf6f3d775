import { readFileSync } from 'node:fs';
import { NuminfoError } from './errors.js';
import { OFFICIAL_BASE_URL } from './data/registrySource.js';

export interface Config {
  readonly port: number;
  readonly host: string;
  /** Directory for the snapshot and other state. */
  readonly dataDir: string;
  /** Where `numinfo update` and the first start read registry files from: URL or local path. */
  readonly registrySource: string;
  /** Download the registry on start when no snapshot exists. */
  readonly autoUpdate: boolean;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Largest number of entries in one batch request. */
  readonly batchLimit: number;
  /**
   * Keys the DaData and ahunter dialects accept: `TOKEN:SECRET` pairs separated by commas (ahunter
   * checks the token only). Empty: open mode, no key is checked — for local use.
   */
  readonly apiKeys: string;
  /** Routing rules file (YAML or JSON); empty: no rules, every call takes the default route. */
  readonly routesFile: string;
  /** FastAGI server port; 0: off (`numinfo serve --agi` turns it on at 4573). */
  readonly agiPort: number;
  readonly agiHost: string;
  /** Asterisk manager interface to connect to for the non-blocking mode; empty host: off. */
  readonly amiHost: string;
  readonly amiPort: number;
  readonly amiUser: string;
  readonly amiSecret: string;
  /** Dialplan contexts whose new channels are looked up, comma-separated; empty: every context. */
  readonly amiContexts: string;
  /**
   * Where reports, keys, tags and blacklists live: empty for the embedded SQLite file
   * `<dataDir>/numinfo.db`, `sqlite:<path>`, or `postgres://user:pass@host/db` for several instances.
   */
  readonly store: string;
  /**
   * Server key from which each API key's signing secret is derived (the store keeps only hashes).
   * Empty: `<dataDir>/master.key`, created on first use. Instances sharing a PostgreSQL store must
   * share this value.
   */
  readonly masterKey: string;
  /** `/v1/check` and the `decision` routing condition block numbers whose trust index is below this. */
  readonly trustThreshold: number;
  /** Whether a number flagged unwanted is blocked by `/v1/check`. */
  readonly blockUnwanted: boolean;
  /** Seconds a signed request's `timestamp` may differ from the server's clock. */
  readonly signatureWindow: number;
  /** Path prefix of the Gilraen dialect. */
  readonly gilraenPrefix: string;
  /** Require Gilraen-style signatures on the native API too (keys must exist). */
  readonly signNative: boolean;
  /** Requests per second one client (its API key, else its address) may send; 0: no limit. */
  readonly rateLimit: number;
  /** Open HTTP connections the server accepts at once; 0: no limit. */
  readonly maxConnections: number;
}

export const DEFAULT_CONFIG: Config = Object.freeze({
  port: 8080,
  host: '0.0.0.0',
  dataDir: './data',
  registrySource: OFFICIAL_BASE_URL,
  autoUpdate: true,
  logLevel: 'info',
  batchLimit: 1000,
  apiKeys: '',
  routesFile: '',
  agiPort: 0,
  agiHost: '0.0.0.0',
  amiHost: '',
  amiPort: 5038,
  amiUser: '',
  amiSecret: '',
  amiContexts: '',
  store: '',
  masterKey: '',
  trustThreshold: 3,
  blockUnwanted: true,
  signatureWindow: 300,
  gilraenPrefix: '/gilraen',
  signNative: false,
  rateLimit: 0,
  maxConnections: 0,
});

const LOG_LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/** Environment variable for each key; `PORT` is honoured too, as platforms set it. */
const ENV_NAMES: Readonly<Record<keyof Config, string>> = {
  port: 'NUMINFO_PORT',
  host: 'NUMINFO_HOST',
  dataDir: 'NUMINFO_DATA_DIR',
  registrySource: 'NUMINFO_REGISTRY_SOURCE',
  autoUpdate: 'NUMINFO_AUTO_UPDATE',
  logLevel: 'NUMINFO_LOG_LEVEL',
  batchLimit: 'NUMINFO_BATCH_LIMIT',
  apiKeys: 'NUMINFO_API_KEYS',
  routesFile: 'NUMINFO_ROUTES',
  agiPort: 'NUMINFO_AGI_PORT',
  agiHost: 'NUMINFO_AGI_HOST',
  amiHost: 'NUMINFO_AMI_HOST',
  amiPort: 'NUMINFO_AMI_PORT',
  amiUser: 'NUMINFO_AMI_USER',
  amiSecret: 'NUMINFO_AMI_SECRET',
  amiContexts: 'NUMINFO_AMI_CONTEXTS',
  store: 'NUMINFO_STORE',
  masterKey: 'NUMINFO_MASTER_KEY',
  trustThreshold: 'NUMINFO_TRUST_THRESHOLD',
  blockUnwanted: 'NUMINFO_BLOCK_UNWANTED',
  signatureWindow: 'NUMINFO_SIGNATURE_WINDOW',
  gilraenPrefix: 'NUMINFO_GILRAEN_PREFIX',
  signNative: 'NUMINFO_SIGN_NATIVE',
  rateLimit: 'NUMINFO_RATE_LIMIT',
  maxConnections: 'NUMINFO_MAX_CONNECTIONS',
};

function bad(key: string, value: unknown, why: string): NuminfoError {
  return new NuminfoError('CONFIG_INVALID', `config ${key}=${JSON.stringify(value)}: ${why}`);
}

function coerce(key: keyof Config, value: unknown): unknown {
  const def = DEFAULT_CONFIG[key];
  if (key === 'trustThreshold') {
    const n = typeof value === 'number' ? value : Number(String(value).trim());
    if (!Number.isFinite(n) || n < 0 || n > 10) throw bad(key, value, 'must be a number 0..10');
    return n;
  }
  if (typeof def === 'number') {
    const n = typeof value === 'number' ? value : Number(String(value).trim());
    if (!Number.isInteger(n) || n < 0) throw bad(key, value, 'must be a non-negative integer');
    if ((key === 'port' || key === 'agiPort' || key === 'amiPort') && n > 65535) {
      throw bad(key, value, 'must be a port number 0..65535');
    }
    return n;
  }
  if (typeof def === 'boolean') {
    if (typeof value === 'boolean') return value;
    const s = String(value).trim().toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(s)) return true;
    if (['0', 'false', 'no', 'off'].includes(s)) return false;
    throw bad(key, value, 'must be true or false');
  }
  const s = String(value);
  if (key === 'apiKeys') {
    parseApiKeys(s, (why) => bad(key, '…', why));
    return s;
  }
  if (key === 'gilraenPrefix' && !/^\/[A-Za-z0-9._~/-]*[A-Za-z0-9._~-]$/.test(s))
    throw bad(key, value, 'must be a path like /gilraen');
  if (key === 'logLevel' && !LOG_LEVELS.has(s))
    throw bad(key, value, `must be one of ${[...LOG_LEVELS].join(', ')}`);
  // Keys whose default is empty mean "off" when empty; the others need a value.
  if (s.trim() === '' && def !== '') throw bad(key, value, 'must not be empty');
  return s;
}

/**
 * Configuration from defaults, then a JSON file (`NUMINFO_CONFIG` or `--config`), then environment
 * variables, then explicit overrides (CLI flags). Validated once and frozen.
 */
export function loadConfig(
  overrides: Partial<Record<keyof Config, unknown>> = {},
  env: NodeJS.ProcessEnv = process.env,
  configFile: string | undefined = env.NUMINFO_CONFIG,
): Config {
  const merged: Record<string, unknown> = { ...DEFAULT_CONFIG };
  if (configFile) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(configFile, 'utf8'));
    } catch (e) {
      throw new NuminfoError(
        'CONFIG_INVALID',
        `cannot read config file ${configFile}: ${(e as Error).message}`,
      );
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new NuminfoError('CONFIG_INVALID', `config file ${configFile} must hold a JSON object`);
    }
    for (const [k, v] of Object.entries(parsed)) {
      if (!(k in DEFAULT_CONFIG)) throw bad(k, v, `unknown key in ${configFile}`);
      merged[k] = v;
    }
  }
  if (env.PORT !== undefined && env.NUMINFO_PORT === undefined) merged.port = env.PORT;
  for (const [k, name] of Object.entries(ENV_NAMES)) {
    const v = env[name];
    if (v !== undefined && v !== '') merged[k] = v;
  }
  for (const [k, v] of Object.entries(overrides)) if (v !== undefined) merged[k] = v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(DEFAULT_CONFIG) as (keyof Config)[]) out[k] = coerce(k, merged[k]);
  return Object.freeze(out) as unknown as Config;
}

/** `TOKEN:SECRET,TOKEN2:SECRET2` → token → secret (null when only a token is given). */
export function parseApiKeys(
  text: string,
  fail: (why: string) => Error = (why) => new NuminfoError('CONFIG_INVALID', `apiKeys: ${why}`),
): ReadonlyMap<string, string | null> {
  const keys = new Map<string, string | null>();
  for (const item of text.split(',')) {
    const entry = item.trim();
    if (entry === '') continue;
    const colon = entry.indexOf(':');
    const token = colon < 0 ? entry : entry.slice(0, colon);
    const secret = colon < 0 ? null : entry.slice(colon + 1);
    if (token === '' || secret === '')
      throw fail('each key is TOKEN or TOKEN:SECRET, with neither part empty');
    keys.set(token, secret);
  }
  return keys;
}
