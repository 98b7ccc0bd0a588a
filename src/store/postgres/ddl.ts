import { CredctlError } from '../../errors.js'
import { TEAM_VAULT_NAME } from '../../vault/team-header.js'
import { FETCH_PURPOSES } from '../types.js'

/**
 * The PostgreSQL layout of one team vault (issue 14; plan D1, D2, D3, D11): ONE SCHEMA PER VAULT,
 * `credctl_<name>` (`-` becomes `_`), and three NOLOGIN roles a DBA or an admin grants to login roles:
 * `<schema>_reader`, `<schema>_writer` (a member of reader) and `<schema>_admin` (a member of writer, with
 * ADMIN OPTION on reader and writer so an admin may GRANT them to a colleague's login).
 *
 * Why a schema per vault: isolation by plain GRANTs (no row security, which does not bind the owner
 * anyway), `pg_dump -n` / `DROP SCHEMA` per vault, and no vault column in every key. Roles are
 * cluster-wide: two databases of one cluster holding a vault of the same name share its roles.
 *
 * The schema and its tables belong to the role that runs initSql (the DBA, or an admin allowed DDL): that
 * owner is the only one who can SELECT ciphertext directly. Members read values only through
 * request_fetch + fetch_values (see the D11 comment in the text), and cannot rewrite history.
 *
 * Where this differs from the plan's section 4 (docs/team-vaults-plan.md), and why:
 * - members keyed by `member` alone and epochs with `back` (TeamHeader as the integrator fixed it), the
 *   wrap as base64 text exactly as given; no per-row member MAC column (the head MAC covers the list).
 * - writers get SELECT on secrets.id (not sealed): UPDATE … WHERE id and INSERT … ON CONFLICT (id) read it.
 * - fetch_values also requires the ticket to come from another transaction (so committed), see below.
 * - no trigger refusing a lower head sequence: rollback is detected by each client's kept sequence.
 * - history keeps the client's `client_time` (returned as HistoryEntry.time, so entries uploaded later
 *   keep their time) beside the server's `at`, which orders nothing but is there for an auditor.
 */

/** The schema of team vault `name`: `credctl_<name>`, `-` as `_`. Throws INVALID_INPUT on a malformed name. */
export function schemaOf(name: string): string {
  if (typeof name !== 'string' || !TEAM_VAULT_NAME.test(name)) {
    throw new CredctlError('INVALID_INPUT', 'a team vault name is 1 to 40 lower-case letters, digits or "-", starting with a letter')
  }
  return `credctl_${name.replace(/-/g, '_')}`
}

/** The database roles of team vault `name`, for GRANT hints (`GRANT <writer> TO alice`). */
export function rolesOf(name: string): { reader: string; writer: string; admin: string } {
  const s = schemaOf(name)
  return { reader: `${s}_reader`, writer: `${s}_writer`, admin: `${s}_admin` }
}

/** The purposes request_fetch accepts: types.ts FETCH_PURPOSES, the one list. */
export { FETCH_PURPOSES }

/** The columns a member may give when appending history: actor, at and seq are the database's. */
export const HISTORY_INSERT_COLUMNS = ['client_time', 'action', 'outcome', 'detail', 'credentials'] as const

/**
 * The whole DDL and grants of team vault `name`, as one SQL text for a DBA (`credctl vault init-sql`
 * prints it; postgresStore().install() runs it). Idempotent: running it again changes nothing (IF NOT
 * EXISTS, OR REPLACE, roles made only when missing). PostgreSQL 14+ (CREATE OR REPLACE TRIGGER), a UTF8
 * database (bodies are kept byte for byte). Needs CREATEROLE and CREATE on the database.
 */
export function initSql(name: string): string {
  const s = schemaOf(name)
  const q = `"${s}"` // [a-z0-9_] only: quoting keeps it exactly as written
  const r = rolesOf(name)
  const [reader, writer, admin] = [`"${r.reader}"`, `"${r.writer}"`, `"${r.admin}"`]
  const purposes = FETCH_PURPOSES.map((p) => `'${p}'`).join(', ')
  return `-- credctl team vault "${name}": schema ${s}, roles ${r.reader}, ${r.writer}, ${r.admin}.
-- Run as a role with CREATEROLE and CREATE on this database; it owns the tables (only it can read ciphertext).
DO $$ BEGIN
  IF current_setting('server_encoding') NOT IN ('UTF8', 'SQL_ASCII') THEN
    RAISE EXCEPTION 'credctl needs a UTF8 database (this one is %)', current_setting('server_encoding');
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = '${r.reader}') THEN CREATE ROLE ${reader} NOLOGIN; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = '${r.writer}') THEN CREATE ROLE ${writer} NOLOGIN; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = '${r.admin}') THEN CREATE ROLE ${admin} NOLOGIN; END IF;
END $$;
GRANT ${reader} TO ${writer};
GRANT ${reader}, ${writer} TO ${admin} WITH ADMIN OPTION;

CREATE SCHEMA IF NOT EXISTS ${q};
REVOKE ALL ON SCHEMA ${q} FROM PUBLIC;

-- Stamps who and when from the connection, never from the client: a forged value is overwritten.
CREATE OR REPLACE FUNCTION ${q}.stamp() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF TG_TABLE_NAME = 'history' THEN
    NEW.actor := session_user;
    NEW.at := clock_timestamp();
  ELSIF TG_TABLE_NAME = 'members' THEN
    -- Who added the member: kept on update, so an admin's later change cannot claim another adder.
    NEW.added_by := CASE WHEN TG_OP = 'UPDATE' THEN OLD.added_by ELSE session_user END;
  ELSE
    NEW.updated_by := session_user;
    NEW.updated_at := clock_timestamp();
  END IF;
  RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION ${q}.append_only() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  RAISE EXCEPTION 'credctl history is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;

-- One row: the writers' lock (SELECT ... FOR UPDATE) and the header the SDK checks (head MAC). name,
-- epoch and offline are the team header's (all NULL for a local-style header: the conformance suite).
CREATE TABLE IF NOT EXISTS ${q}.head (
  one        boolean PRIMARY KEY DEFAULT true CHECK (one),
  vault_id   text NOT NULL,
  name       text,
  format     integer NOT NULL CHECK (format = 2),
  created_at text NOT NULL,
  key_header text NOT NULL,
  sequence   bigint NOT NULL CHECK (sequence >= 1),
  head_mac   text NOT NULL,
  epoch      integer CHECK (epoch >= 1),
  offline    text CHECK (offline IN ('allow', 'deny')),
  updated_by name NOT NULL DEFAULT session_user,
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  CHECK ((name IS NULL) = (epoch IS NULL) AND (name IS NULL) = (offline IS NULL))
);

-- Key generations: back = the previous key sealed under this one (TeamEpoch).
CREATE TABLE IF NOT EXISTS ${q}.epochs (
  epoch  integer PRIMARY KEY CHECK (epoch >= 1),
  key_id text NOT NULL,
  back   text
);

-- One row per member device or CI job; the wrap is the base64 age file as the SDK gave it.
CREATE TABLE IF NOT EXISTS ${q}.members (
  member    text PRIMARY KEY,
  recipient text NOT NULL UNIQUE,
  role      text NOT NULL CHECK (role IN ('reader', 'writer', 'admin')),
  kind      text NOT NULL CHECK (kind IN ('human', 'ci', 'recovery')),
  db_role   text,
  wrap      text NOT NULL,
  added_at  text NOT NULL,
  added_by  name NOT NULL DEFAULT session_user
);

-- One row per credential: the exact body (text, never jsonb: jsonb refuses \\u0000 and lone surrogates,
-- and the record MAC covers the bytes). name/type/is_default/active are copies the adapter takes from the
-- body, only so that the database enforces one active name and one default per type across the team.
CREATE TABLE IF NOT EXISTS ${q}.records (
  id         text PRIMARY KEY,
  ord        bigint NOT NULL,
  revision   bigint NOT NULL CHECK (revision >= 1),
  mac        text NOT NULL,
  body       text NOT NULL,
  name       text,
  type       text,
  is_default boolean NOT NULL DEFAULT false,
  active     boolean NOT NULL DEFAULT true,
  updated_by name NOT NULL DEFAULT session_user,
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE UNIQUE INDEX IF NOT EXISTS one_active_name ON ${q}.records (name) WHERE active;
CREATE UNIQUE INDEX IF NOT EXISTS one_default ON ${q}.records (type) WHERE is_default AND active;

-- Sealed values, apart from the records (D3): no member may SELECT them.
CREATE TABLE IF NOT EXISTS ${q}.secrets (
  id     text PRIMARY KEY REFERENCES ${q}.records (id) ON DELETE CASCADE,
  sealed text NOT NULL
);

-- Discovered schemas, one JSON document per credential (text: kept as written).
CREATE TABLE IF NOT EXISTS ${q}.schemas (
  id  text PRIMARY KEY,
  doc text NOT NULL
);

-- Append-only: actor and at are stamped by the database (stamp()); nobody may change or delete a row.
CREATE TABLE IF NOT EXISTS ${q}.history (
  seq         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at          timestamptz NOT NULL DEFAULT clock_timestamp(),
  actor       name NOT NULL DEFAULT session_user,
  client_time text NOT NULL,
  action      text NOT NULL,
  outcome     text NOT NULL,
  detail      text,
  credentials jsonb NOT NULL DEFAULT '[]'
);

-- Fetch tickets (D11): no member has any grant on it; only the two functions below read or write it.
CREATE TABLE IF NOT EXISTS ${q}.tickets (
  ticket      uuid PRIMARY KEY,
  actor       name NOT NULL,
  ids         text[] NOT NULL,
  history_seq bigint NOT NULL,
  xact        xid8 NOT NULL,
  expires     timestamptz NOT NULL
);

CREATE OR REPLACE TRIGGER stamp BEFORE INSERT OR UPDATE ON ${q}.head FOR EACH ROW EXECUTE FUNCTION ${q}.stamp();
CREATE OR REPLACE TRIGGER stamp BEFORE INSERT OR UPDATE ON ${q}.members FOR EACH ROW EXECUTE FUNCTION ${q}.stamp();
CREATE OR REPLACE TRIGGER stamp BEFORE INSERT OR UPDATE ON ${q}.records FOR EACH ROW EXECUTE FUNCTION ${q}.stamp();
CREATE OR REPLACE TRIGGER stamp BEFORE INSERT ON ${q}.history FOR EACH ROW EXECUTE FUNCTION ${q}.stamp();
CREATE OR REPLACE TRIGGER append_only BEFORE UPDATE OR DELETE ON ${q}.history FOR EACH ROW EXECUTE FUNCTION ${q}.append_only();
CREATE OR REPLACE TRIGGER no_truncate BEFORE TRUNCATE ON ${q}.history FOR EACH STATEMENT EXECUTE FUNCTION ${q}.append_only();

-- D11, why a value fetch is TWO calls: one SECURITY DEFINER function that inserted the history row and
-- returned the values in the same statement was measured to leak: a client that reads the first rows of
-- a large result and then cuts its connection holds whole values while the statement, and so the history
-- row, rolls back. So request_fetch (called in autocommit) commits the history row and a ticket (60 s,
-- bound to the login role) first; only then does fetch_values hand out the sealed values of that ticket.
-- A value that left the database therefore always has a committed history row, even from a modified client.
-- "Committed first" is enforced, not assumed: a client could call both inside one transaction (BEGIN, or
-- one statement nesting them) and roll back. fetch_values serves only a ticket made by ANOTHER transaction
-- than its own; another transaction's row is visible only once committed, with its history row.
CREATE OR REPLACE FUNCTION ${q}.request_fetch(ids text[], purpose text, detail text DEFAULT NULL) RETURNS uuid
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  t uuid := gen_random_uuid();
  hs bigint;
BEGIN
  IF purpose IS NULL OR purpose NOT IN (${purposes}) THEN
    RAISE EXCEPTION 'credctl: unknown fetch purpose %', purpose USING ERRCODE = 'invalid_parameter_value';
  END IF;
  DELETE FROM ${q}.tickets WHERE expires < clock_timestamp();
  INSERT INTO ${q}.history (client_time, action, outcome, detail, credentials)
    SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'fetch:' || purpose, 'ok', detail,
           coalesce(jsonb_agg(jsonb_build_object('id', r.id, 'name', r.name, 'type', r.type) ORDER BY r.ord), '[]')
    FROM ${q}.records r WHERE r.id = ANY(ids)
    RETURNING seq INTO hs;
  INSERT INTO ${q}.tickets (ticket, actor, ids, history_seq, xact, expires)
    VALUES (t, session_user, coalesce(ids, '{}'), hs, pg_current_xact_id(), clock_timestamp() + interval '60 seconds');
  RETURN t;
END $$;

CREATE OR REPLACE FUNCTION ${q}.fetch_values(t uuid) RETURNS TABLE (id text, sealed text)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT s.id, s.sealed FROM ${q}.tickets k JOIN ${q}.secrets s ON s.id = ANY(k.ids)
  WHERE k.ticket = t AND k.actor = session_user AND k.expires > clock_timestamp()
    AND k.xact IS DISTINCT FROM pg_current_xact_id_if_assigned()
$$;

REVOKE ALL ON ALL TABLES IN SCHEMA ${q} FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA ${q} FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA ${q} FROM ${reader}, ${writer}, ${admin};

-- reader: metadata, history, and values only through the two functions.
GRANT USAGE ON SCHEMA ${q} TO ${reader};
GRANT SELECT ON ${q}.head, ${q}.epochs, ${q}.members, ${q}.records, ${q}.schemas, ${q}.history TO ${reader};
GRANT INSERT (${HISTORY_INSERT_COLUMNS.join(', ')}) ON ${q}.history TO ${reader};
GRANT EXECUTE ON FUNCTION ${q}.request_fetch(text[], text, text), ${q}.fetch_values(uuid) TO ${reader};
-- writer: records and values (write-only: SELECT on the id alone, which ON CONFLICT and WHERE need), the
-- head's sequence and MAC (the SDK's MAC), schemas. Never DELETE of records, never members.
GRANT INSERT, UPDATE ON ${q}.records TO ${writer};
GRANT SELECT (id), INSERT (id, sealed), UPDATE (sealed) ON ${q}.secrets TO ${writer};
GRANT UPDATE (sequence, head_mac, updated_by, updated_at) ON ${q}.head TO ${writer};
GRANT INSERT, UPDATE, DELETE ON ${q}.schemas TO ${writer};
-- admin: purge, members, key epochs, the whole head (create, rotate, offline policy).
GRANT DELETE ON ${q}.records TO ${admin};
GRANT INSERT, UPDATE, DELETE ON ${q}.members, ${q}.epochs TO ${admin};
GRANT INSERT, UPDATE ON ${q}.head TO ${admin};
-- Nobody: UPDATE/DELETE/TRUNCATE of history, anything on tickets, SELECT of secrets.sealed.
-- A person or CI job: CREATE ROLE alice LOGIN; GRANT ${reader.slice(1, -1)} TO alice;  (or _writer, _admin)
`
}
