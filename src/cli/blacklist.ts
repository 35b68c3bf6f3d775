import { readFileSync, writeFileSync } from 'node:fs';
import { NuminfoError } from '../errors.js';
import type { StoreServices } from '../http/server.js';
import { checkListName } from '../services/reputation/blacklistService.js';
import { normalizeNumber } from '../services/reputation/normalizeNumber.js';
import { GLOBAL_OWNER, type ListSummary } from '../store/types.js';
import {
  inputService,
  normalizeAll,
  ownerOf,
  parseStoreArgs,
  STORE_FLAGS_USAGE,
  STORE_OPTIONS,
  storeConfig,
  usageError,
  withStoreServices,
} from './storeCli.js';
import { renderTable } from './table.js';

export const BLACKLIST_USAGE = `numinfo blacklist — named blacklists (docs/reputation.md#blacklists)

  numinfo blacklist import LIST FILE [--json]
      CSV as for POST /v1/blacklists/LIST/numbers: a number in any form, optionally a comment; FILE - is
      stdin. Rejected lines go to stderr with their line numbers. Exit 0 when at least one line was
      taken, else 2.
  numinfo blacklist export LIST [FILE]
      CSV number,comment,added_at,added_by to stdout, or to FILE. It imports back unchanged.
  numinfo blacklist add LIST NUMBER... [--comment TEXT] [--json]
      Adds the numbers, or updates their comments when they are in the list already.
  numinfo blacklist remove LIST NUMBER
      Exit 3 when the number is not in the list.
  numinfo blacklist list [--json]
      Every list with its number count: the global lists and each API key's (--owner: that key's only).

  A list is global (every check searches it) unless --owner KEYID names the API key it belongs to.
  Every command takes [--owner KEYID] ${STORE_FLAGS_USAGE}.
`;

const OPTIONS = { ...STORE_OPTIONS, owner: { type: 'string' }, comment: { type: 'string' } } as const;

/** Who the entries written from here are added by (`added_by`), next to key ids from the API. */
const BY = 'cli';

const scopeOf = (owner: string): 'global' | 'key' => (owner === GLOBAL_OWNER ? 'global' : 'key');
const label = (list: string, owner: string): string =>
  `${list} (${owner === GLOBAL_OWNER ? 'global' : `key ${owner}`})`;

function readInput(file: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (e) {
    throw new NuminfoError(
      'BAD_REQUEST',
      `cannot read ${file === '-' ? 'stdin' : file}: ${(e as Error).message}`,
    );
  }
}

function writeOutput(file: string, text: string): void {
  try {
    writeFileSync(file, text);
  } catch (e) {
    throw new NuminfoError('BAD_REQUEST', `cannot write ${file}: ${(e as Error).message}`);
  }
}

export async function runBlacklist(argv: readonly string[]): Promise<number> {
  const parsed = parseStoreArgs(argv, OPTIONS, 'blacklist', BLACKLIST_USAGE);
  if (typeof parsed === 'number') return parsed;
  const { values: v, args: all } = parsed;
  const [sub, ...args] = all;
  if (sub === undefined) {
    process.stdout.write(BLACKLIST_USAGE);
    return 2;
  }
  // Flags that do not belong to the subcommand are mistakes, not silently ignored.
  const allowed: Record<string, readonly string[]> = {
    import: ['json'],
    export: [],
    add: ['comment', 'json'],
    remove: [],
    list: ['json'],
  };
  const own = allowed[sub];
  if (!own) {
    process.stderr.write(`numinfo blacklist: unknown subcommand "${sub}"\n\n${BLACKLIST_USAGE}`);
    return 2;
  }
  for (const flag of ['comment', 'json'] as const)
    if (v[flag] !== undefined && !own.includes(flag))
      throw usageError(`numinfo blacklist ${sub} takes no --${flag}`, BLACKLIST_USAGE);
  const expect = (ok: boolean, what: string): void => {
    if (!ok) throw usageError(`numinfo blacklist ${sub}: expected ${what}`, BLACKLIST_USAGE);
  };
  const arity: Record<string, readonly [ok: boolean, what: string]> = {
    import: [args.length === 2, 'the list and the file: numinfo blacklist import LIST FILE (- for stdin)'],
    export: [
      args.length === 1 || args.length === 2,
      'the list and at most one file: numinfo blacklist export LIST [FILE]',
    ],
    add: [args.length >= 2, 'the list and the numbers: numinfo blacklist add LIST NUMBER...'],
    remove: [args.length === 2, 'the list and one number: numinfo blacklist remove LIST NUMBER'],
    list: [args.length === 0, 'no arguments: numinfo blacklist list'],
  };
  expect(...arity[sub]!);
  const list = args[0] ?? '';
  if (sub !== 'list') checkListName(list);

  const config = storeConfig(v);
  const service = inputService(config);
  const out = (s: string): boolean => process.stdout.write(s);
  return withStoreServices(config, async (stores) => {
    const owner = await ownerOf(stores, v.owner);
    switch (sub) {
      case 'import': {
        const file = args[1]!;
        const csv = readInput(file);
        const r = await stores.blacklists.importCsv(owner, list, csv, BY, (input) =>
          normalizeNumber(service, input),
        );
        if (v.json) {
          out(JSON.stringify({ list, scope: scopeOf(owner), ...r }, null, 2) + '\n');
        } else {
          out(
            `list ${label(list, owner)}: ${r.added} added, ${r.updated} updated, ${r.rejected.length} rejected\n`,
          );
        }
        for (const { line, reason } of r.rejected) process.stderr.write(`line ${line}: ${reason}\n`);
        if (r.added + r.updated === 0) {
          throw new NuminfoError(
            'BAD_REQUEST',
            `no line of ${file === '-' ? 'stdin' : file} held a number; nothing was imported`,
          );
        }
        return 0;
      }
      case 'export': {
        const csv = await stores.blacklists.exportCsv(owner, list);
        const file = args[1];
        if (file === undefined || file === '-') {
          out(csv);
        } else {
          writeOutput(file, csv);
          // The header line and the final newline are not numbers.
          out(`list ${label(list, owner)}: ${csv.split('\n').length - 2} numbers written to ${file}\n`);
        }
        return 0;
      }
      case 'add': {
        const { numbers, code } = normalizeAll(service, args.slice(1), 'blacklist add');
        // Like the HTTP face: one bad number and nothing is added, so a retry cannot add twice.
        if (code !== 0) return code;
        const r = await stores.blacklists.add(
          owner,
          list,
          numbers.map((n) => ({
            number: n.number,
            ...(v.comment !== undefined ? { comment: v.comment } : {}),
          })),
          BY,
        );
        if (v.json) out(JSON.stringify({ list, scope: scopeOf(owner), ...r, rejected: [] }, null, 2) + '\n');
        else out(`list ${label(list, owner)}: ${r.added} added, ${r.updated} updated\n`);
        return 0;
      }
      case 'remove': {
        const number = normalizeNumber(service, args[1]!);
        await stores.blacklists.remove(owner, list, number);
        out(`removed ${number} from list ${label(list, owner)}\n`);
        return 0;
      }
      case 'list':
        return listLists(stores, v.owner === undefined ? null : owner, v.json === true);
    }
    return 2;
  });
}

/** Every list (owner null) or one owner's, global first, then by key id, then by name. */
async function listLists(stores: StoreServices, owner: string | null, json: boolean): Promise<number> {
  const keys = await stores.keys.list();
  const names = new Map(keys.map((k) => [k.id, k.name]));
  const owners = owner === null ? [GLOBAL_OWNER, ...keys.map((k) => k.id)] : [owner];
  const lists = (await stores.blacklists.lists(owners)).sort((a, b) =>
    a.owner < b.owner ? -1 : a.owner > b.owner ? 1 : a.list < b.list ? -1 : a.list > b.list ? 1 : 0,
  );
  if (json) {
    const views = lists.map((l) => ({
      name: l.list,
      scope: scopeOf(l.owner),
      owner: l.owner === GLOBAL_OWNER ? null : l.owner,
      count: l.count,
    }));
    process.stdout.write(JSON.stringify({ count: views.length, lists: views }, null, 2) + '\n');
    return 0;
  }
  process.stdout.write(
    renderTable<ListSummary>(
      [
        ['LIST', (l) => l.list],
        [
          'OWNER',
          (l) => (l.owner === GLOBAL_OWNER ? 'global' : `key ${l.owner} (${names.get(l.owner) ?? '?'})`),
        ],
        ['NUMBERS', (l) => String(l.count)],
      ],
      lists,
    ),
  );
  return 0;
}
