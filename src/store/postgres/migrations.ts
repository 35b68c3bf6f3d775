import type { Migration } from '../sqlite/migrations.js';

/**
 * The PostgreSQL schema, step for step the same as SQLite's. Text keys use the "C" collation so
 * ordering (list paging, listings) is bytewise, as in SQLite, whatever the database's locale.
 */
export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'reports, votes, tags, comments, aggregates, keys, lists',
    sql: `
CREATE TABLE reports (
  id bigserial PRIMARY KEY,
  number text COLLATE "C" NOT NULL,
  reporter text NOT NULL,
  kind text,
  unwanted boolean,
  comment text,
  tags jsonb NOT NULL,
  created_at bigint NOT NULL
);
CREATE INDEX reports_number ON reports (number, created_at);

CREATE TABLE votes (
  number text COLLATE "C" NOT NULL,
  reporter text COLLATE "C" NOT NULL,
  kind text,
  kind_at bigint NOT NULL,
  unwanted boolean,
  unwanted_at bigint NOT NULL,
  PRIMARY KEY (number, reporter)
);

CREATE TABLE tag_votes (
  number text COLLATE "C" NOT NULL,
  type text COLLATE "C" NOT NULL,
  tag_id integer NOT NULL,
  reporter text COLLATE "C" NOT NULL,
  PRIMARY KEY (number, type, tag_id, reporter)
);

CREATE TABLE number_tags (
  number text COLLATE "C" NOT NULL,
  type text COLLATE "C" NOT NULL,
  tag_id integer NOT NULL,
  count integer NOT NULL,
  PRIMARY KEY (number, type, tag_id)
);

CREATE TABLE comments (
  id bigserial PRIMARY KEY,
  number text COLLATE "C" NOT NULL,
  reporter text COLLATE "C" NOT NULL,
  text text NOT NULL,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  hidden boolean NOT NULL DEFAULT false
);
CREATE INDEX comments_number ON comments (number, created_at, id);
CREATE INDEX comments_reporter ON comments (number, reporter, created_at);

CREATE TABLE aggregates (
  number text COLLATE "C" PRIMARY KEY,
  bans integer NOT NULL,
  complaints integer NOT NULL,
  not_spam integer NOT NULL,
  unwanted_yes integer NOT NULL,
  unwanted_no integer NOT NULL,
  comments_count integer NOT NULL,
  ban_w double precision NOT NULL,
  complaint_w double precision NOT NULL,
  not_spam_w double precision NOT NULL,
  first_at bigint NOT NULL,
  last_at bigint NOT NULL
);

CREATE TABLE tags (
  type text COLLATE "C" NOT NULL,
  id integer NOT NULL,
  name_ru text NOT NULL,
  name_en text NOT NULL,
  PRIMARY KEY (type, id)
);

CREATE TABLE api_keys (
  id text COLLATE "C" PRIMARY KEY,
  token_hash text COLLATE "C" NOT NULL UNIQUE,
  name text NOT NULL,
  role text NOT NULL,
  created_at bigint NOT NULL,
  revoked_at bigint,
  quota bigint,
  quota_period text NOT NULL,
  quota_used bigint NOT NULL DEFAULT 0,
  quota_window_start bigint NOT NULL
);

CREATE TABLE list_entries (
  owner text COLLATE "C" NOT NULL,
  list text COLLATE "C" NOT NULL,
  number text COLLATE "C" NOT NULL,
  comment text NOT NULL,
  added_at bigint NOT NULL,
  added_by text NOT NULL,
  PRIMARY KEY (owner, list, number)
);
CREATE INDEX list_entries_number ON list_entries (number, owner, list);
`,
  },
  {
    version: 2,
    name: 'mnp overrides',
    sql: `
CREATE TABLE mnp_overrides (
  number text COLLATE "C" PRIMARY KEY,
  operator text NOT NULL,
  mnc text,
  at text NOT NULL
);
`,
  },
  {
    version: 3,
    name: 'used request signatures',
    sql: `
CREATE TABLE used_nonces (
  nonce text COLLATE "C" PRIMARY KEY,
  expires_at bigint NOT NULL
);
CREATE INDEX used_nonces_expiry ON used_nonces (expires_at);
`,
  },
];
