import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { NuminfoError } from '../errors.js';
import { checkPeriod, KeyService } from '../services/keys/keyService.js';
import { keyView, type KeyView } from '../services/keys/keyView.js';
import { openStore } from '../store/openStore.js';
import type { QuotaPeriod } from '../store/types.js';
import { renderTable } from './table.js';

export const KEYS_USAGE = `numinfo keys — API keys (docs/keys.md)

  numinfo keys create --name NAME [--role admin|client] [--quota N] [--period none|day|month] [--json]
      Prints the new key's id, token and signing secret: the only time they are shown.
      Default role client, no quota (unlimited); --period is how often the quota starts again.
  numinfo keys list [--json]
  numinfo keys revoke ID
  numinfo keys quota ID N|unlimited [--period none|day|month]   (without --period: the key's own)

  Every command takes [--data-dir DIR] [--store SPEC] [--config FILE] (NUMINFO_STORE, NUMINFO_MASTER_KEY).
`;

const OPTIONS = {
  'data-dir': { type: 'string' },
  store: { type: 'string' },
  config: { type: 'string' },
  name: { type: 'string' },
  role: { type: 'string' },
  quota: { type: 'string' },
  period: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function badUsage(message: string): NuminfoError {
  return new NuminfoError('BAD_REQUEST', `${message}\n\n${KEYS_USAGE}`);
}

function quotaArg(text: string, flag: string): number | null {
  if (text === 'unlimited') return null;
  if (!/^\d{1,15}$/.test(text))
    throw badUsage(`${flag}: expected a whole number ≥ 0 or "unlimited", got "${text}"`);
  return Number(text);
}

function periodArg(text: string | undefined): QuotaPeriod | undefined {
  if (text === undefined) return undefined;
  try {
    return checkPeriod(text);
  } catch {
    throw badUsage(`--period: expected none, day or month, got "${text}"`);
  }
}

const quotaText = (k: KeyView): string => (k.quota === null ? 'unlimited' : String(k.quota));
const quotaLine = (k: KeyView): string =>
  k.quota === null ? 'unlimited' : `${k.quota} ${k.period === 'none' ? 'in total' : `per ${k.period}`}`;

export async function runKeys(argv: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    process.stderr.write(`numinfo keys: ${(e as Error).message}\n\n${KEYS_USAGE}`);
    return 2;
  }
  const [sub, ...args] = parsed.positionals;
  const v = parsed.values;
  if (v.help || sub === undefined) {
    process.stdout.write(KEYS_USAGE);
    return sub === undefined && !v.help ? 2 : 0;
  }
  const expectArgs = (n: number, what: string): void => {
    if (args.length !== n) throw badUsage(`numinfo keys ${sub}: expected ${what}`);
  };
  // Flags that do not belong to the subcommand are mistakes, not silently ignored.
  const allowed: Record<string, readonly string[]> = {
    create: ['name', 'role', 'quota', 'period', 'json'],
    list: ['json'],
    revoke: [],
    quota: ['period'],
  };
  const own = allowed[sub];
  if (!own) {
    process.stderr.write(`numinfo keys: unknown subcommand "${sub}"\n\n${KEYS_USAGE}`);
    return 2;
  }
  for (const flag of ['name', 'role', 'quota', 'period', 'json'] as const)
    if (v[flag] !== undefined && !own.includes(flag))
      throw badUsage(`numinfo keys ${sub} takes no --${flag}`);

  const config = loadConfig(
    { dataDir: v['data-dir'], store: v.store },
    process.env,
    v.config ?? process.env.NUMINFO_CONFIG,
  );
  const store = await openStore(config.store, config.dataDir);
  const keys = await KeyService.open(store, {
    dataDir: config.dataDir,
    masterKey: config.masterKey,
    legacyKeys: config.apiKeys,
  });
  const out = (s: string): boolean => process.stdout.write(s);
  try {
    switch (sub) {
      case 'create': {
        expectArgs(0, 'no arguments, only flags');
        if (v.name === undefined) throw badUsage('numinfo keys create: --name NAME is required');
        const created = await keys.create({
          name: v.name,
          role: (v.role ?? 'client') as 'client',
          quota: v.quota === undefined ? null : quotaArg(v.quota, '--quota'),
          period: periodArg(v.period) ?? 'none',
        });
        const view = keyView(created.record, Date.now());
        if (v.json) {
          out(
            JSON.stringify(
              { id: created.id, token: created.token, secret: created.secret, key: view },
              null,
              2,
            ) + '\n',
          );
        } else {
          out(
            [
              `id:     ${created.id}`,
              `name:   ${view.name}`,
              `role:   ${view.role}`,
              `quota:  ${quotaLine(view)}`,
              `token:  ${created.token}`,
              `secret: ${created.secret}`,
            ].join('\n') + '\n',
          );
        }
        process.stderr.write(
          'Save the token and the secret now: numinfo keeps only a hash of the token and cannot show either again.\n',
        );
        return 0;
      }
      case 'list': {
        expectArgs(0, 'no arguments');
        const now = Date.now();
        const views = (await keys.list()).map((r) => keyView(r, now));
        if (v.json) {
          out(JSON.stringify(views, null, 2) + '\n');
          return 0;
        }
        out(
          renderTable<KeyView>(
            [
              ['ID', (k) => k.id],
              ['NAME', (k) => k.name],
              ['ROLE', (k) => k.role],
              ['CREATED', (k) => k.created_at.slice(0, 19) + 'Z'],
              ['REVOKED', (k) => (k.revoked_at === null ? '-' : k.revoked_at.slice(0, 19) + 'Z')],
              ['QUOTA', quotaText],
              ['USED', (k) => String(k.used)],
              ['PERIOD', (k) => k.period],
            ],
            views,
          ),
        );
        if (keys.configKeyCount > 0)
          out(`plus ${keys.configKeyCount} key(s) from the apiKeys config (role admin, unlimited)\n`);
        return 0;
      }
      case 'revoke': {
        expectArgs(1, 'the key id: numinfo keys revoke ID');
        await keys.revoke(args[0]!);
        out(`revoked key ${args[0]!}\n`);
        return 0;
      }
      case 'quota': {
        expectArgs(
          2,
          'the key id and the quota: numinfo keys quota ID N|unlimited [--period none|day|month]',
        );
        const [id, text] = args as [string, string];
        const quota = quotaArg(text, 'quota');
        const period = periodArg(v.period) ?? (await keys.get(id)).quota_period;
        await keys.setQuota(id, quota, period);
        const view = keyView(await keys.get(id), Date.now());
        out(`key ${id}: quota ${quotaLine(view)}, ${view.used} used\n`);
        return 0;
      }
    }
  } finally {
    keys.close();
    await store.close();
  }
  return 2;
}
