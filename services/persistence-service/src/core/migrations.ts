// The persistence schema. A released migration is never edited or renumbered: change the schema with a new one.
import type { Migration } from '@loom/runtime/sql/sql.ts';

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'objects',
    sql: `
      CREATE SEQUENCE object_ids;
      CREATE TABLE objects (
        id bigint PRIMARY KEY,
        name text NOT NULL,
        aliases text[] NOT NULL DEFAULT '{}',
        description text NOT NULL DEFAULT '',
        owner_id bigint,
        kind text NOT NULL CHECK (kind IN ('room', 'exit', 'thing', 'player')),
        location_id bigint,
        destination_id bigint,
        flags text[] NOT NULL DEFAULT '{}',
        attributes jsonb NOT NULL DEFAULT '{}',
        components jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX objects_location_id ON objects (location_id);`,
  },
  {
    version: 2,
    name: 'users',
    sql: `
      CREATE TABLE users (
        id bigserial PRIMARY KEY,
        username text NOT NULL,
        email text NOT NULL DEFAULT '',
        role text NOT NULL CHECK (role IN ('player', 'builder', 'admin')),
        password_hash text NOT NULL DEFAULT '',
        banned boolean NOT NULL DEFAULT false,
        player_object_id bigint,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE UNIQUE INDEX users_username_lower ON users (lower(username));`,
  },
  {
    version: 3,
    name: 'scripts',
    sql: `
      CREATE TABLE scripts (
        object_id bigint NOT NULL,
        event text NOT NULL,
        version int NOT NULL,
        source text NOT NULL,
        author_id bigint,
        created_at timestamptz NOT NULL DEFAULT now(),
        deleted boolean NOT NULL DEFAULT false,
        PRIMARY KEY (object_id, event, version)
      );`,
  },
  {
    version: 4,
    name: 'chat lines',
    sql: `
      CREATE TABLE chat_lines (
        id bigserial PRIMARY KEY,
        channel text NOT NULL,
        sender_id bigint,
        sender_name text NOT NULL DEFAULT '',
        text text NOT NULL,
        sent_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX chat_lines_channel_id ON chat_lines (channel, id DESC);`,
  },
  {
    // seq breaks ties between uploads under one name in the same clock tick (PGlite's clock counts milliseconds).
    version: 5,
    name: 'assets',
    sql: `
      CREATE TABLE assets (
        hash text PRIMARY KEY,
        name text NOT NULL,
        content_type text NOT NULL,
        size bigint NOT NULL,
        uploader_id bigint,
        created_at timestamptz NOT NULL DEFAULT now(),
        seq bigserial NOT NULL
      );
      CREATE INDEX assets_name_created ON assets (name, created_at DESC, seq DESC);`,
  },
  {
    version: 6,
    name: 'refresh tokens',
    sql: `
      CREATE TABLE refresh_tokens (
        id text PRIMARY KEY,
        family_id text NOT NULL,
        user_id bigint NOT NULL,
        secret_hash text NOT NULL,
        expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        retired_at timestamptz,
        revoked_at timestamptz
      );
      CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
      CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id) WHERE revoked_at IS NULL;`,
  },
  {
    version: 7,
    name: 'channel sanctions',
    sql: `
      CREATE TABLE channel_sanctions (
        channel text NOT NULL,
        user_id bigint NOT NULL,
        kind text NOT NULL CHECK (kind IN ('mute', 'ban')),
        until timestamptz,
        by_id bigint,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (channel, user_id, kind)
      );`,
  },
  {
    version: 8,
    name: 'login addresses',
    sql: `
      ALTER TABLE refresh_tokens ADD COLUMN client_address text NOT NULL DEFAULT '';
      CREATE INDEX refresh_tokens_user_address ON refresh_tokens (user_id, client_address);`,
  },
  {
    version: 9,
    name: 'channel locks',
    sql: `
      CREATE TABLE channel_locks (
        channel text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('join', 'speech')),
        key text NOT NULL,
        by_id bigint,
        set_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (channel, kind)
      );`,
  },
];
