/**
 * `numinfo reputation`, `numinfo check` and `numinfo blacklist` as child processes over a SQLite
 * store in a temp data directory without a registry snapshot; reports are made through a
 * ReputationService over the same store file, as a server would make them.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { openStoreServices } from '../src/http/server.js';
import {
  assertBuilt,
  CLI,
  cleanEnv,
  removeTempDirs,
  ROOT,
  runCli,
  tempDir,
  type CliResult,
} from './helpers/proc.js';

const ISO = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z';

let dataDir: string;

const cli = (args: string[], env: Record<string, string> = {}): Promise<CliResult> =>
  runCli([...args, '--data-dir', dataDir], { env });

/** runCli with `input` on stdin (runCli's child has none). */
function cliWithStdin(args: string[], input: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args, '--data-dir', dataDir], {
      cwd: ROOT,
      env: cleanEnv(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    child.stdin.end(input);
  });
}

beforeAll(() => {
  assertBuilt();
  dataDir = tempDir('repcli');
});

afterAll(() => removeTempDirs());

// One data directory for the file: the tests run in order and build on each other's lists.
describe('numinfo blacklist', () => {
  const csv = [
    'number;comment', // a header: its first cell has no digit
    '+7 (495) 123-45-67;robocall',
    'not a number;x',
    '8 912 000 11 22',
    '',
    ';no number',
    '"+44 20 7946 0958";"collector, says ""hi"""',
    '12;too short',
    '+7 495 123 45 67;robocall again', // a repeat: the later line wins
  ].join('\n');

  it('import: counts on stdout, rejected lines with their line numbers on stderr, exit 0', async () => {
    const file = join(dataDir, 'in.csv');
    writeFileSync(file, csv);
    const r = await cli(['blacklist', 'import', 'spam', file]);
    expect(r.stdout).toBe('list spam (global): 3 added, 0 updated, 3 rejected\n');
    expect(r.stderr).toBe(
      [
        'line 3: the input is not a phone number: "not a number"',
        'line 6: no number in the first column',
        'line 8: too few digits for a phone number: "12"',
        '',
      ].join('\n'),
    );
    expect(r.code).toBe(0);
  });

  it('export: CSV ordered by number to stdout, the same into a file', async () => {
    const r = await cli(['blacklist', 'export', 'spam']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(
        '^number,comment,added_at,added_by\n' +
          `442079460958,"collector, says ""hi""",${ISO},cli\n` +
          `74951234567,robocall again,${ISO},cli\n` +
          `79120001122,,${ISO},cli\n$`,
      ),
    );
    const file = join(dataDir, 'out.csv');
    const f = await cli(['blacklist', 'export', 'spam', file]);
    expect(f.stdout).toBe(`list spam (global): 3 numbers written to ${file}\n`);
    expect(f.code).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(r.stdout);
  });

  it('an export imports back unchanged: every line an update, the export the same', async () => {
    const file = join(dataDir, 'out.csv');
    const before = readFileSync(file, 'utf8');
    const r = await cli(['blacklist', 'import', 'spam', file]);
    expect(r).toMatchObject({
      code: 0,
      stdout: 'list spam (global): 0 added, 3 updated, 0 rejected\n',
      stderr: '',
    });
    expect((await cli(['blacklist', 'export', 'spam'])).stdout).toBe(before);
  });

  it('import from stdin (-), --json with the HTTP answer shape', async () => {
    const r = await cliWithStdin(
      ['blacklist', 'import', 'calls', '-', '--json'],
      '89161234567,first\nabc\n+7 916 123-45-67,second\n',
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toStrictEqual({
      list: 'calls',
      scope: 'global',
      added: 1,
      updated: 0,
      rejected: [{ line: 2, reason: 'the input is not a phone number: "abc"' }],
    });
    expect(r.stderr).toBe('line 2: the input is not a phone number: "abc"\n');
    expect((await cli(['blacklist', 'export', 'calls'])).stdout).toMatch(
      new RegExp(`^number,comment,added_at,added_by\n79161234567,second,${ISO},cli\n$`),
    );
  });

  it('an import that takes no line exits 2 and says so', async () => {
    const r = await cliWithStdin(['blacklist', 'import', 'spam', '-'], 'number\nabc\n');
    expect(r.stdout).toBe('list spam (global): 0 added, 0 updated, 1 rejected\n');
    expect(r.stderr).toBe(
      'line 2: the input is not a phone number: "abc"\n' +
        'numinfo: no line of stdin held a number; nothing was imported\n',
    );
    expect(r.code).toBe(2);
  });

  it('add (any number form, --comment), then remove; removing an absent number exits 3', async () => {
    const add = await cli([
      'blacklist',
      'add',
      'spam',
      '8 800 555-35-35',
      '+79001234567',
      '--comment',
      'ads',
    ]);
    expect(add).toMatchObject({ code: 0, stdout: 'list spam (global): 2 added, 0 updated\n', stderr: '' });
    const again = await cli(['blacklist', 'add', 'spam', '88005553535', '--json']);
    expect(JSON.parse(again.stdout)).toStrictEqual({
      list: 'spam',
      scope: 'global',
      added: 0,
      updated: 1,
      rejected: [],
    });
    const rm = await cli(['blacklist', 'remove', 'spam', '+7 900 123-45-67']);
    expect(rm).toMatchObject({
      code: 0,
      stdout: 'removed 79001234567 from list spam (global)\n',
      stderr: '',
    });
    const absent = await cli(['blacklist', 'remove', 'spam', '79001234567']);
    expect(absent).toMatchObject({
      code: 3,
      stdout: '',
      stderr: 'numinfo: 79001234567 is not in the list spam\n',
    });
  });

  it('add with a bad number adds nothing and exits 2', async () => {
    const r = await cli(['blacklist', 'add', 'spam', '79990000001', 'abc']);
    expect(r).toMatchObject({
      code: 2,
      stdout: '',
      stderr: 'numinfo blacklist add: the input is not a phone number: "abc"\n',
    });
    expect((await cli(['check', '79990000001'])).stdout).toBe('allow 79990000001 (trust 5.00)\n');
  });

  it("--owner KEYID: that key's own lists; list shows every list with its count", async () => {
    const made = await cli(['keys', 'create', '--name', 'office', '--json']);
    expect(made.code).toBe(0);
    const id = (JSON.parse(made.stdout) as { id: string }).id;
    const add = await cli(['blacklist', 'add', 'mine', '89990001122', '--owner', id]);
    expect(add.stdout).toBe(`list mine (key ${id}): 1 added, 0 updated\n`);

    const all = await cli(['blacklist', 'list']);
    expect(all).toMatchObject({ code: 0, stderr: '' });
    const ownerCol = `key ${id} (office)`;
    const pad = (s: string): string => s.padEnd(ownerCol.length);
    expect(all.stdout).toBe(
      [
        `LIST   ${pad('OWNER')}  NUMBERS`,
        `calls  ${pad('global')}  1`,
        `spam   ${pad('global')}  4`,
        `mine   ${ownerCol}  1`,
        '',
      ].join('\n'),
    );
    const json = await cli(['blacklist', 'list', '--json']);
    expect(JSON.parse(json.stdout)).toStrictEqual({
      count: 3,
      lists: [
        { name: 'calls', scope: 'global', owner: null, count: 1 },
        { name: 'spam', scope: 'global', owner: null, count: 4 },
        { name: 'mine', scope: 'key', owner: id, count: 1 },
      ],
    });
    const own = await cli(['blacklist', 'list', '--owner', id]);
    expect(own.stdout).toBe(`LIST  OWNER${' '.repeat(ownerCol.length - 5)}  NUMBERS\nmine  ${ownerCol}  1\n`);

    // A key's list blocks only that key's checks.
    expect((await cli(['check', '89990001122'])).stdout).toBe('allow 79990001122 (trust 5.00)\n');
    expect((await cli(['check', '89990001122', '--owner', id])).stdout).toBe(
      'block 79990001122 (trust 5.00): blacklist:mine@key\n',
    );
    const unknown = await cli(['blacklist', 'list', '--owner', 'nosuchkey']);
    expect(unknown).toMatchObject({
      code: 3,
      stdout: '',
      stderr: 'numinfo: no API key with id "nosuchkey"\n',
    });
  });

  it('usage errors exit 2: no subcommand, unknown subcommand, a flag of another subcommand, a bad list name', async () => {
    const none = await cli(['blacklist']);
    expect(none.code).toBe(2);
    expect(none.stdout).toContain('numinfo blacklist import LIST FILE');
    const unknown = await cli(['blacklist', 'drop', 'spam']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^numinfo blacklist: unknown subcommand "drop"\n/);
    const flag = await cli(['blacklist', 'remove', 'spam', '79990000001', '--comment', 'x']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/^numinfo: numinfo blacklist remove takes no --comment\n/);
    const arity = await cli(['blacklist', 'remove', 'spam']);
    expect(arity.code).toBe(2);
    expect(arity.stderr).toMatch(
      /^numinfo: numinfo blacklist remove: expected the list and one number: numinfo blacklist remove LIST NUMBER\n/,
    );
    const name = await cli(['blacklist', 'add', 'bad name', '79990000001']);
    expect(name).toMatchObject({
      code: 2,
      stderr: 'numinfo: list name: expected 1..64 characters of A-Z, a-z, 0-9, _ . -, got "bad name"\n',
    });
    const missing = await cli(['blacklist', 'import', 'spam', join(dataDir, 'nope.csv')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^numinfo: cannot read .*nope\.csv: ENOENT/);
  });
});

describe('numinfo check', () => {
  it('block for a listed number with the reason, allow with trust 5.00 for an unknown one; exit 0', async () => {
    const r = await cli(['check', '+7 (495) 123-45-67', '89990000002']);
    expect(r).toMatchObject({
      code: 0,
      stderr: '',
      stdout: 'block 74951234567 (trust 5.00): blacklist:spam\nallow 79990000002 (trust 5.00)\n',
    });
  });

  it('--lists limits the lists searched; a bad list name is a usage error', async () => {
    expect((await cli(['check', '74951234567', '--lists', 'calls, other'])).stdout).toBe(
      'allow 74951234567 (trust 5.00)\n',
    );
    expect((await cli(['check', '74951234567', '--lists', 'calls,spam'])).stdout).toBe(
      'block 74951234567 (trust 5.00): blacklist:spam\n',
    );
    const bad = await cli(['check', '74951234567', '--lists', 'a b']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^numinfo: --lists: list name: expected 1\.\.64 characters/);
  });

  it('--json: the /v1/check answer with the input', async () => {
    const r = await cli(['check', '8 495 123 45 67', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toStrictEqual([
      {
        input: '8 495 123 45 67',
        number: '74951234567',
        decision: 'block',
        reasons: ['blacklist:spam'],
        trust: 5,
        blacklists: [{ list: 'spam', scope: 'global' }],
        is_unwanted: false,
        threshold: 3,
      },
    ]);
  });

  it('a bad number: a message on stderr, exit 2, the other numbers still checked', async () => {
    const r = await cli(['check', 'abc', '79990000002']);
    expect(r).toMatchObject({
      code: 2,
      stdout: 'allow 79990000002 (trust 5.00)\n',
      stderr: 'numinfo check: the input is not a phone number: "abc"\n',
    });
  });

  it('the threshold comes from the configuration', async () => {
    const r = await cli(['check', '79990000002'], { NUMINFO_TRUST_THRESHOLD: '6' });
    expect(r.stdout).toBe('block 79990000002 (trust 5.00): trust 5.00 < 6.00\n');
    expect(r.code).toBe(0);
  });
});

describe('numinfo reputation', () => {
  const N = '79161112233';

  beforeAll(async () => {
    const stores = await openStoreServices(loadConfig({ dataDir }, {}, undefined));
    try {
      const spam = { type: 'CALL_REASON', id: 100009 } as const;
      await stores.reputation.report('r1', [
        {
          number: N,
          kind: 'ban',
          tags: [spam, { type: 'CATEGORY', id: 1135 }],
          comment: 'robot about loans',
          unwanted: true,
        },
      ]);
      await stores.reputation.report('r2', [{ number: N, tags: [spam], unwanted: true }]);
      await stores.reputation.report('r3', [{ number: N, tags: [spam] }]);
    } finally {
      await stores.close();
    }
  });

  it('one ban: trust 3.33, the counts, the unwanted flag, tag names, the explanation', async () => {
    const r = await cli(['reputation', '+7 916 111-22-33', '79990000002']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        'number:     79161112233',
        'input:      +7 916 111-22-33',
        'trust:      3.33',
        'bans:       1',
        'complaints: 0',
        'not_spam:   0',
        'unwanted:   yes (votes: 2 yes, 0 no)',
        'comments:   1',
        'tags:       CATEGORY Telemarketing ×1, CALL_REASON SPAM ×3',
        'why:        1 ban (decayed weight 1.00) lowered the index from 5.00 to 3.33.',
        '',
        'number:     79990000002',
        'trust:      5.00',
        'bans:       0',
        'complaints: 0',
        'not_spam:   0',
        'unwanted:   no (votes: 0 yes, 0 no)',
        'comments:   0',
        'tags:       none',
        'why:        No bans, complaints or "not spam" marks: the index is the prior 5.00.',
        '',
      ].join('\n'),
    );
  });

  it('the check blocks it as unwanted (3.33 is above the threshold 3.00)', async () => {
    expect((await cli(['check', '89161112233'])).stdout).toBe('block 79161112233 (trust 3.33): unwanted\n');
    expect((await cli(['check', '89161112233'], { NUMINFO_BLOCK_UNWANTED: 'false' })).stdout).toBe(
      'allow 79161112233 (trust 3.33)\n',
    );
  });

  it('--json: the /v1/reputation answer with the input', async () => {
    const r = await cli(['reputation', '89161112233', '--json']);
    expect(r.code).toBe(0);
    const [rep, ...rest] = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(rest).toStrictEqual([]);
    expect(Object.keys(rep!)).toStrictEqual([
      'input',
      'number',
      'index',
      'bans',
      'complaints',
      'not_spam',
      'comments_count',
      'is_unwanted',
      'unwanted_votes',
      'tags',
      'first_reported_at',
      'last_reported_at',
      'explanation',
    ]);
    expect(rep).toMatchObject({
      input: '89161112233',
      number: N,
      index: 3.33,
      bans: 1,
      complaints: 0,
      not_spam: 0,
      comments_count: 1,
      is_unwanted: true,
      unwanted_votes: { yes: 2, no: 0 },
      tags: {
        callerType: null,
        categories: [{ id: 1135, count: 1 }],
        subcategories: [],
        callReasons: [{ id: 100009, count: 3 }],
        emotags: [],
      },
      explanation: {
        prior: { mean: 5, weight: 2 },
        half_life_days: 180,
        signals: [
          { signal: 'ban', count: 1, weight: 1, effect: -1.67 },
          { signal: 'complaint', count: 0, weight: 0, effect: 0 },
          { signal: 'not_spam', count: 0, weight: 0, effect: 0 },
        ],
        summary: '1 ban (decayed weight 1.00) lowered the index from 5.00 to 3.33.',
      },
    });
    expect(rep!.first_reported_at).toMatch(new RegExp(`^${ISO}$`));
  });

  it('a bad number: a message on stderr, exit 2, the other numbers still printed', async () => {
    const r = await cli(['reputation', '12', N, '--json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('numinfo reputation: too few digits for a phone number: "12"\n');
    expect((JSON.parse(r.stdout) as { number: string }[]).map((x) => x.number)).toStrictEqual([N]);
    const only = await cli(['reputation', 'abc']);
    expect(only).toMatchObject({
      code: 2,
      stdout: '',
      stderr: 'numinfo reputation: the input is not a phone number: "abc"\n',
    });
  });

  it('no number, --help, and the main usage', async () => {
    const none = await cli(['reputation']);
    expect(none).toMatchObject({
      code: 2,
      stderr: 'numinfo: give at least one number: numinfo reputation NUMBER...\n',
    });
    const help = await runCli(['reputation', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^numinfo reputation — /);
    const main = await runCli(['--help']);
    for (const line of [
      'numinfo reputation NUMBER...',
      'numinfo check  NUMBER...',
      'numinfo blacklist import',
    ])
      expect(main.stdout).toContain(line);
  });
});
