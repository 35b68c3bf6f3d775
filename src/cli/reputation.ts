import { NuminfoError } from '../errors.js';
import type { Reputation, ReputationTags, TagCount } from '../services/reputation/reputationService.js';
import type { TagType } from '../store/types.js';
import {
  inputService,
  normalizeAll,
  parseStoreArgs,
  STORE_FLAGS_USAGE,
  STORE_OPTIONS,
  storeConfig,
  withStoreServices,
} from './storeCli.js';

export const REPUTATION_USAGE = `numinfo reputation — what users reported about numbers (docs/reputation.md)

  numinfo reputation NUMBER... [--json]
      Per number: the trust index (0.00..10.00, 5.00 when nobody reported it), bans, complaints,
      "not spam" marks, the unwanted flag, visible comments, the top tags and why the index is what it is.
      Numbers in any form: +7 916 123-45-67, 89161234567, +442079460958.
      --json: an array of the /v1/reputation answers, each with the "input" it was read from.
      Exit 0; 2 when some input was not a phone number (the others are still printed).

  Takes ${STORE_FLAGS_USAGE}.
`;

const TAG_ORDER: readonly [TagType, (t: ReputationTags) => readonly TagCount[]][] = [
  ['CALLER_TYPE', (t) => (t.callerType ? [t.callerType] : [])],
  ['CATEGORY', (t) => t.categories],
  ['SUBCATEGORY', (t) => t.subcategories],
  ['CALL_REASON', (t) => t.callReasons],
  ['EMOTAG', (t) => t.emotags],
];

const hasTags = (rep: Reputation): boolean => TAG_ORDER.some(([, get]) => get(rep.tags).length > 0);

/** `CALL_REASON SPAM ×3, EMOTAG Annoying ×1`; a tag deleted from the dictionary shows its id. */
function tagsText(tags: ReputationTags, names: ReadonlyMap<string, string>): string {
  const parts: string[] = [];
  for (const [type, get] of TAG_ORDER)
    for (const t of get(tags))
      parts.push(`${type} ${names.get(`${type}/${t.id}`) ?? `#${t.id}`} ×${t.count}`);
  return parts.length === 0 ? 'none' : parts.join(', ');
}

function reputationText(input: string, rep: Reputation, names: ReadonlyMap<string, string>): string {
  const lines: [string, string][] = [['number', rep.number]];
  if (input !== rep.number) lines.push(['input', input]);
  const votes = `${rep.unwanted_votes.yes} yes, ${rep.unwanted_votes.no} no`;
  lines.push(
    ['trust', rep.index.toFixed(2)],
    ['bans', String(rep.bans)],
    ['complaints', String(rep.complaints)],
    ['not_spam', String(rep.not_spam)],
    ['unwanted', `${rep.is_unwanted ? 'yes' : 'no'} (votes: ${votes})`],
    ['comments', String(rep.comments_count)],
    ['tags', tagsText(rep.tags, names)],
    ['why', rep.explanation.summary],
  );
  return lines.map(([k, v]) => `${`${k}:`.padEnd(12)}${v}`).join('\n') + '\n';
}

export async function runReputation(argv: readonly string[]): Promise<number> {
  const parsed = parseStoreArgs(argv, STORE_OPTIONS, 'reputation', REPUTATION_USAGE);
  if (typeof parsed === 'number') return parsed;
  const { values: v, args } = parsed;
  if (args.length === 0)
    throw new NuminfoError('MISSING_PARAMETER', 'give at least one number: numinfo reputation NUMBER...');
  const config = storeConfig(v);
  const { numbers, code } = normalizeAll(inputService(config), args, 'reputation');
  if (numbers.length === 0) return code;
  await withStoreServices(config, async ({ reputation }) => {
    const reps = await Promise.all(numbers.map((n) => reputation.get(n.number)));
    if (v.json) {
      const answers = reps.map((rep, i) => ({ input: numbers[i]!.input, ...rep }));
      process.stdout.write(JSON.stringify(answers, null, 2) + '\n');
      return;
    }
    const names = new Map<string, string>();
    if (reps.some(hasTags))
      for (const t of await reputation.tags()) names.set(`${t.type}/${t.id}`, t.name_en);
    process.stdout.write(reps.map((rep, i) => reputationText(numbers[i]!.input, rep, names)).join('\n'));
  });
  return code;
}
