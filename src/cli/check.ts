import { NuminfoError } from '../errors.js';
import { checkListName } from '../services/reputation/blacklistService.js';
import type { CheckResult } from '../services/reputation/checkService.js';
import { GLOBAL_OWNER } from '../store/types.js';
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

export const CHECK_USAGE = `numinfo check — allow or block calls from numbers (docs/reputation.md#the-check-allow-or-block)

  numinfo check NUMBER... [--lists a,b] [--owner KEYID] [--json]
      One line per number: allow|block, the number, its trust index and the reasons to block:
        block 79161234567 (trust 5.00): blacklist:spam
        allow 79990001122 (trust 5.00)
      The global blacklists are searched, plus the lists of the API key --owner names; --lists only
      the lists with these names. trustThreshold and blockUnwanted come from the configuration
      (NUMINFO_TRUST_THRESHOLD, NUMINFO_BLOCK_UNWANTED).
      --json: an array of the /v1/check answers, each with the "input" it was read from.
      Exit 0 whatever the decisions; 2 when some input was not a phone number (the others are still checked).

  Takes ${STORE_FLAGS_USAGE}.
`;

const OPTIONS = { ...STORE_OPTIONS, lists: { type: 'string' }, owner: { type: 'string' } } as const;

/** `--lists a, b` as /v1/check reads `lists=`: names split on commas; empty means every list. */
function listsArg(text: string | undefined): string[] | null {
  if (text === undefined || text.trim() === '') return null;
  const lists = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  try {
    for (const l of lists) checkListName(l);
  } catch (e) {
    throw usageError(`--lists: ${(e as Error).message}`, CHECK_USAGE);
  }
  return lists;
}

const line = (r: CheckResult): string =>
  `${r.decision} ${r.number} (trust ${r.trust.toFixed(2)})${r.reasons.length > 0 ? `: ${r.reasons.join(', ')}` : ''}`;

export async function runCheck(argv: readonly string[]): Promise<number> {
  const parsed = parseStoreArgs(argv, OPTIONS, 'check', CHECK_USAGE);
  if (typeof parsed === 'number') return parsed;
  const { values: v, args } = parsed;
  if (args.length === 0)
    throw new NuminfoError('MISSING_PARAMETER', 'give at least one number: numinfo check NUMBER...');
  const lists = listsArg(v.lists);
  const config = storeConfig(v);
  const { numbers, code } = normalizeAll(inputService(config), args, 'check');
  if (numbers.length === 0) return code;
  await withStoreServices(config, async (stores) => {
    const owner = await ownerOf(stores, v.owner);
    const results = await Promise.all(
      numbers.map((n) =>
        stores.checker.check(n.number, { owner: owner === GLOBAL_OWNER ? null : owner, lists }),
      ),
    );
    if (v.json) {
      const answers = results.map((r, i) => ({
        input: numbers[i]!.input,
        number: r.number,
        decision: r.decision,
        reasons: r.reasons,
        trust: r.trust,
        blacklists: r.blacklists.map((h) => ({
          list: h.list,
          scope: h.owner === GLOBAL_OWNER ? 'global' : 'key',
        })),
        is_unwanted: r.is_unwanted,
        threshold: r.threshold,
      }));
      process.stdout.write(JSON.stringify(answers, null, 2) + '\n');
      return;
    }
    process.stdout.write(results.map((r) => line(r) + '\n').join(''));
  });
  return code;
}
