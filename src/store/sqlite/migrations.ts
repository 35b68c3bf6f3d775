/**
 * The SQLite schema, one numbered step per change. A released step is never edited: a change is a
 * new step. `migrateSqlite` applies the missing ones inside one IMMEDIATE transaction, so two
 * processes opening the same file at once apply each step exactly once.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'reports, votes, tags, comments, aggregates, keys, lists',
    sql: `
CREATE TABLE reports (
  id INTEGER PRIMARY KEY,
  number TEXT NOT NULL,
  reporter TEXT NOT NULL,
  kind TEXT,
  unwanted INTEGER,
  comment TEXT,
  tags TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX reports_number ON reports (number, created_at);

CREATE TABLE votes (
  number TEXT NOT NULL,
  reporter TEXT NOT NULL,
  kind TEXT,
  kind_at INTEGER NOT NULL,
  unwanted INTEGER,
  unwanted_at INTEGER NOT NULL,
  PRIMARY KEY (number, reporter)
) WITHOUT ROWID;

CREATE TABLE tag_votes (
  number TEXT NOT NULL,
  type TEXT NOT NULL,
  tag_id INTEGER NOT NULL,
  reporter TEXT NOT NULL,
  PRIMARY KEY (number, type, tag_id, reporter)
) WITHOUT ROWID;

CREATE TABLE number_tags (
  number TEXT NOT NULL,
  type TEXT NOT NULL,
  tag_id INTEGER NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (number, type, tag_id)
) WITHOUT ROWID;

CREATE TABLE comments (
  id INTEGER PRIMARY KEY,
  number TEXT NOT NULL,
  reporter TEXT NOT NULL,
  text TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  hidden INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX comments_number ON comments (number, created_at, id);
CREATE INDEX comments_reporter ON comments (number, reporter, created_at);

CREATE TABLE aggregates (
  number TEXT PRIMARY KEY,
  bans INTEGER NOT NULL,
  complaints INTEGER NOT NULL,
  not_spam INTEGER NOT NULL,
  unwanted_yes INTEGER NOT NULL,
  unwanted_no INTEGER NOT NULL,
  comments_count INTEGER NOT NULL,
  ban_w REAL NOT NULL,
  complaint_w REAL NOT NULL,
  not_spam_w REAL NOT NULL,
  first_at INTEGER NOT NULL,
  last_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE tags (
  type TEXT NOT NULL,
  id INTEGER NOT NULL,
  name_ru TEXT NOT NULL,
  name_en TEXT NOT NULL,
  PRIMARY KEY (type, id)
) WITHOUT ROWID;

CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER,
  quota INTEGER,
  quota_period TEXT NOT NULL,
  quota_used INTEGER NOT NULL DEFAULT 0,
  quota_window_start INTEGER NOT NULL
);

CREATE TABLE list_entries (
  owner TEXT NOT NULL,
  list TEXT NOT NULL,
  number TEXT NOT NULL,
  comment TEXT NOT NULL,
  added_at INTEGER NOT NULL,
  added_by TEXT NOT NULL,
  PRIMARY KEY (owner, list, number)
) WITHOUT ROWID;
CREATE INDEX list_entries_number ON list_entries (number, owner, list);
`,
  },
  {
    version: 2,
    name: 'mnp overrides',
    sql: `
CREATE TABLE mnp_overrides (
  number TEXT PRIMARY KEY,
  operator TEXT NOT NULL,
  mnc TEXT,
  at TEXT NOT NULL
) WITHOUT ROWID;
`,
  },
  {
    version: 3,
    name: 'used request signatures',
    sql: `
CREATE TABLE used_nonces (
  nonce TEXT PRIMARY KEY,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX used_nonces_expiry ON used_nonces (expires_at);
`,
  },
];
