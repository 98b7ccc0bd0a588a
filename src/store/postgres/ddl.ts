/**
 * The PostgreSQL layout of team vaults (issue 14), as one SQL text: `postgresStore().install()` runs it,
 * and `credctl vault init-sql` (later) prints it for a DBA who does not give credctl DDL rights. Every
 * statement is idempotent (IF NOT EXISTS / OR REPLACE), so running it twice is harmless. PostgreSQL 14+
 * (CREATE OR REPLACE TRIGGER).
 *
 * Departures from team-vaults.md 5.3, and why:
 * - One `records` table holding each record's exact stored body (metadata and sealed value together, as
 *   the SDK seals them) instead of `credentials` columns + `secrets`: the store keeps opaque bytes and the
 *   MACs are computed over those bytes. Splitting metadata from ciphertext (for the audited fetch) comes
 *   with the SECURITY DEFINER function, not here.
 * - Ids are `text`, not `uuid`: STORED_ID allows any [A-Za-z0-9_-]{8,64}, and uuid would re-case them.
 * - `created_at` and the key header are stored as the exact text the SDK gave (the head MAC covers them);
 *   `ord` keeps the stored order of records, which the interface promises.
 * - `history` and `schemas` are keyed by the vault's NAME, not its id: both may be written before the
 *   vault's first transaction, and neither should follow a header's vault_id.
 */
export const POSTGRES_DDL = `-- Bodies are kept byte for byte: a database that cannot hold every Unicode character is refused.
DO $$ BEGIN
  IF current_setting('server_encoding') NOT IN ('UTF8', 'SQL_ASCII') THEN
    RAISE EXCEPTION 'credctl needs a UTF8 database (this one is %)', current_setting('server_encoding');
  END IF;
END $$;

CREATE SCHEMA IF NOT EXISTS credctl;

-- One row per team vault: the writers' lock (SELECT ... FOR UPDATE) and the header the SDK checks.
CREATE TABLE IF NOT EXISTS credctl.vault_head (
  vault_id   text PRIMARY KEY,
  name       text NOT NULL UNIQUE,
  format     integer NOT NULL CHECK (format = 2),
  created_at text NOT NULL,
  key_header text NOT NULL,
  sequence   bigint NOT NULL CHECK (sequence >= 1),
  head_mac   text NOT NULL
  -- members (issue 14): key_epoch, offline_policy and pq_only attach here, and credctl.members beside it.
);

-- One row per credential: the exact body the SDK sealed and its MAC (text, never jsonb: byte for byte).
CREATE TABLE IF NOT EXISTS credctl.records (
  vault_id text NOT NULL REFERENCES credctl.vault_head (vault_id) ON UPDATE CASCADE ON DELETE CASCADE,
  id       text NOT NULL,
  ord      bigint NOT NULL,
  revision bigint NOT NULL CHECK (revision >= 1),
  mac      text NOT NULL,
  body     text NOT NULL,
  PRIMARY KEY (vault_id, id)
);
-- The SECURITY DEFINER fetch function (every value fetch on record) and the grants per role attach here.

-- Append-only: the actor and the server time are stamped by the database, never taken from the client.
CREATE TABLE IF NOT EXISTS credctl.history (
  seq         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  vault       text NOT NULL,
  at          timestamptz NOT NULL DEFAULT now(),
  actor       name NOT NULL DEFAULT session_user,
  client_time text NOT NULL,
  action      text NOT NULL,
  outcome     text NOT NULL,
  detail      text,
  credentials jsonb NOT NULL DEFAULT '[]'
  -- offline (entries uploaded from the offline journal) attaches here.
);
CREATE INDEX IF NOT EXISTS history_by_vault ON credctl.history (vault, seq);

CREATE OR REPLACE FUNCTION credctl.history_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.actor := session_user;
  NEW.at := now();
  RETURN NEW;
END $$;
CREATE OR REPLACE TRIGGER history_stamp BEFORE INSERT ON credctl.history
  FOR EACH ROW EXECUTE FUNCTION credctl.history_stamp();

CREATE OR REPLACE FUNCTION credctl.history_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'credctl history is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE OR REPLACE TRIGGER history_append_only BEFORE UPDATE OR DELETE ON credctl.history
  FOR EACH ROW EXECUTE FUNCTION credctl.history_append_only();

-- Discovered schemas, one JSON document per credential (text: any JSON the SDK wrote, kept as written).
CREATE TABLE IF NOT EXISTS credctl.schemas (
  vault text NOT NULL,
  id    text NOT NULL,
  doc   text NOT NULL,
  PRIMARY KEY (vault, id)
);
`
