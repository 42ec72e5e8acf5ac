//! Setting a PostgreSQL war room up (`warroom init --db URL`) and the
//! facts `warroom doctor` reads from a server. Every statement about roles,
//! grants and the server's health is here; the wording for people is the
//! host's (`src/host/server.rs`).
//!
//! Who may do what is written once, in [`TABLES`] and
//! [`SERVER_SET_COLUMNS`]: init grants it, doctor checks a role against it.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use chrono::Utc;
use postgres::Client;
use postgres::fallible_iterator::FallibleIterator;

use super::engine::{MIGRATION_LOCK, describe_error};
use super::{ConnectError, PgTarget, connect};
use crate::store::{Location, OpenMode, Store, StoreError, schema};

/// What a role may change in a table, beyond reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Insert,
    Update,
    Delete,
}

impl Change {
    pub fn as_sql(self) -> &'static str {
        match self {
            Change::Insert => "INSERT",
            Change::Update => "UPDATE",
            Change::Delete => "DELETE",
        }
    }
}

use Change::{Delete, Insert, Update};

/// Every table of the `warroom` schema, with what a responder may change
/// in it. Every role init names reads every table; observers change nothing.
pub const TABLES: &[(&str, &[Change])] = &[
    ("meta", &[]),
    // LOCK TABLE … IN EXCLUSIVE MODE needs UPDATE, DELETE or TRUNCATE on the
    // table; no row of it is ever changed.
    ("write_lock", &[Update]),
    ("incidents", &[Insert, Update]),
    // Append-only by the server's word: no UPDATE, DELETE or TRUNCATE.
    ("events", &[Insert]),
    ("checklist_items", &[Insert, Update]),
    ("presence", &[Insert, Update, Delete]),
    // Kept after a console leaves: its heartbeat extends a span, never removes one.
    ("attendance", &[Insert, Update]),
    ("attendance_activity", &[Insert]),
    ("timers", &[Insert, Update]),
    ("roles", &[Insert, Update]),
    ("action_items", &[Insert, Update]),
    ("pins", &[Insert, Update]),
    // Kept by a trigger that runs as the owner: no one writes it by hand.
    ("timeline_counts", &[]),
    // Evidence output: added with its event, never changed.
    ("evidence_output", &[Insert]),
];

/// Columns the server fills (`DEFAULT session_user`) so that it, not the
/// client, vouches for them: left out of every INSERT and UPDATE grant.
pub const SERVER_SET_COLUMNS: &[&str] = &["db_role"];

/// Whether this session's role may write the record: one test for the
/// engine (the console's READ-ONLY badge) and for doctor. Responders hold
/// INSERT on some columns of `events` only, which `has_table_privilege`
/// does not count.
pub(crate) const CAN_WRITE_SQL: &str = "SELECT has_any_column_privilege('warroom.events', 'INSERT')";

/// How long doctor waits for its own NOTIFY to come back.
pub const NOTIFY_WAIT: Duration = Duration::from_secs(2);

/// A failure of init or of one of doctor's probes, worded for the admin;
/// never holds the password.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("{0}")]
    Connect(#[from] ConnectError),
    /// Refused before anything was changed.
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the server refused: {}", describe_error(.0))]
    Server(#[from] postgres::Error),
}

type Result<T, E = AdminError> = std::result::Result<T, E>;

/// The roles `init` grants to.
#[derive(Debug, Clone, Default)]
pub struct RoleGrants {
    /// May read and write (declare, note, tick, …), never rewrite the log.
    pub responders: Option<String>,
    /// May read only: their consoles open read-only.
    pub observers: Option<String>,
}

/// What `init` did.
#[derive(Debug, Clone)]
pub struct InitReport {
    /// The role init ran as.
    pub admin: String,
    /// The schema version before (0: created now) and after.
    pub version_before: i64,
    pub version_after: i64,
    /// Roles that did not exist and were created (NOLOGIN group roles).
    pub created_roles: Vec<String>,
    /// Whether CONNECT on the database was granted to the roles (the admin
    /// may grant it only as the database's owner or a superuser).
    pub granted_connect: bool,
    /// Roles named that are superusers: no grant binds them.
    pub superuser_roles: Vec<String>,
    /// Per table, the columns left out of the responders' INSERT and
    /// UPDATE because the server sets them.
    pub server_set_columns: BTreeMap<String, Vec<String>>,
}

/// Checks a role name given to init: something the server can hold and
/// this terminal can show, and never a word that means everyone.
pub fn check_role_name(name: &str) -> Result<(), String> {
    let shown = crate::domain::sanitize_line(name);
    if name.is_empty() {
        return Err("a role name cannot be empty".into());
    }
    if name.len() > 63 {
        return Err(format!(
            "role name \"{shown}\" is longer than PostgreSQL's 63 bytes"
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(format!("role name \"{shown}\" holds a control character"));
    }
    let lower = name.to_ascii_lowercase();
    // `"public"` in a GRANT means every role, quoted or not.
    if ["public", "none", "current_user", "session_user", "current_role"].contains(&lower.as_str()) {
        return Err(format!(
            "role name \"{shown}\" is reserved by PostgreSQL (PUBLIC means every role; warroom never grants to it)"
        ));
    }
    if lower.starts_with("pg_") {
        return Err(format!(
            "role name \"{shown}\" starts with pg_, which PostgreSQL keeps for its own roles"
        ));
    }
    Ok(())
}

/// `name` as an SQL identifier, quoted.
fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn connect_as(target: &PgTarget, purpose: &str) -> Result<Client> {
    let application = format!(
        "warroom {purpose} {}@{}",
        crate::account::current_account(),
        crate::account::host_name()
    );
    Ok(connect(target, &application)?)
}

/// Creates the schema (or brings it to this binary's version), the roles
/// that do not exist yet, and the grants, in that order; idempotent: run
/// again, it puts back exactly the grants above (a privilege added by hand
/// to a named role is taken away). Everything that could refuse is checked
/// before anything is changed; the grants are one transaction.
pub fn init(target: &PgTarget, grants: &RoleGrants) -> Result<InitReport> {
    let named: Vec<&str> = [&grants.responders, &grants.observers]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect();
    for name in &named {
        check_role_name(name).map_err(AdminError::Refused)?;
    }
    if let (Some(r), Some(o)) = (&grants.responders, &grants.observers)
        && r == o
    {
        return Err(AdminError::Refused(format!(
            "\"{}\" cannot be both the responders and the observers",
            crate::domain::sanitize_line(r)
        )));
    }
    let mut client = connect_as(target, "init")?;
    let plan = preflight(&mut client, &named)?;

    let version_before = plan.version;
    // The engine's migrations create the schema under their advisory lock.
    drop(Store::open(Location::Postgres(target.clone()), OpenMode::Create)?);
    let version_after = schema::postgres_version();

    let mut tx = client.transaction()?;
    // One init at a time: two GRANTs on one object at once can fail with
    // "tuple concurrently updated".
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
    for role in &plan.missing_roles {
        tx.batch_execute(&format!("CREATE ROLE {} NOLOGIN", ident(role)))?;
    }
    tx.batch_execute(&revoke_all_from("PUBLIC"))?;
    let columns = table_columns(&mut tx)?;
    let granted_connect = plan.may_grant_connect && !named.is_empty();
    for (role, responder) in [(&grants.responders, true), (&grants.observers, false)] {
        let Some(role) = role else { continue };
        let role = ident(role);
        let mut sql = revoke_all_from(&role);
        sql.push_str(&format!(
            "GRANT USAGE ON SCHEMA warroom TO {role};\n\
             GRANT SELECT ON ALL TABLES IN SCHEMA warroom TO {role};\n"
        ));
        if responder {
            sql.push_str(&responder_grants(&role, &columns));
        }
        if granted_connect {
            sql.push_str(&format!(
                "GRANT CONNECT ON DATABASE {} TO {role};\n",
                ident(target.dbname())
            ));
        }
        tx.batch_execute(&sql)?;
    }
    tx.commit()?;
    Ok(InitReport {
        admin: plan.admin,
        version_before,
        version_after,
        created_roles: plan.missing_roles,
        granted_connect,
        superuser_roles: plan.superuser_roles,
        server_set_columns: columns
            .into_iter()
            .filter_map(|(table, columns)| {
                let set: Vec<String> = columns
                    .into_iter()
                    .filter(|c| SERVER_SET_COLUMNS.contains(&c.as_str()))
                    .collect();
                (!set.is_empty()).then_some((table, set))
            })
            .collect(),
    })
}

/// `REVOKE ALL` from `role` (an identifier, or PUBLIC) on the schema and
/// everything in it.
fn revoke_all_from(role: &str) -> String {
    format!(
        "REVOKE ALL ON SCHEMA warroom FROM {role};\n\
         REVOKE ALL ON ALL TABLES IN SCHEMA warroom FROM {role};\n\
         REVOKE ALL ON ALL SEQUENCES IN SCHEMA warroom FROM {role};\n\
         REVOKE ALL ON ALL FUNCTIONS IN SCHEMA warroom FROM {role};\n"
    )
}

/// The responders' grants beyond reading, from [`TABLES`]: on a table with
/// a server-set column, INSERT and UPDATE name every other column.
fn responder_grants(role: &str, columns: &BTreeMap<String, Vec<String>>) -> String {
    let mut sql = String::new();
    for (table, changes) in TABLES {
        let table_columns = columns.get(*table).map(Vec::as_slice).unwrap_or_default();
        let client_columns: Vec<String> = table_columns
            .iter()
            .filter(|c| !SERVER_SET_COLUMNS.contains(&c.as_str()))
            .map(|c| ident(c))
            .collect();
        let limited = client_columns.len() < table_columns.len();
        for change in *changes {
            let what = match change {
                Insert | Update if limited => format!("{} ({})", change.as_sql(), client_columns.join(", ")),
                _ => change.as_sql().to_string(),
            };
            sql.push_str(&format!("GRANT {what} ON warroom.{} TO {role};\n", ident(table)));
        }
    }
    sql
}

/// The columns of every table in the schema, in order.
fn table_columns(tx: &mut postgres::Transaction<'_>) -> Result<BTreeMap<String, Vec<String>>> {
    let rows = tx.query(
        "SELECT c.relname::text, a.attname::text
           FROM pg_catalog.pg_class c
           JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
           JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
          WHERE n.nspname = 'warroom' AND c.relkind = 'r'
          ORDER BY c.relname, a.attnum",
        &[],
    )?;
    let mut columns: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for row in rows {
        columns.entry(row.get(0)).or_default().push(row.get(1));
    }
    Ok(columns)
}

/// What init found before changing anything.
struct Plan {
    admin: String,
    version: i64,
    missing_roles: Vec<String>,
    superuser_roles: Vec<String>,
    may_grant_connect: bool,
}

/// Refuses, with the SQL a database admin would run, whatever would stop
/// init halfway: no right to create the schema or the roles, a schema
/// owned by a role the admin cannot act as, a role that is the admin.
fn preflight(client: &mut Client, named: &[&str]) -> Result<Plan> {
    let me = client.query_one(
        "SELECT current_user::text, r.rolsuper, r.rolcreaterole,
                has_database_privilege(current_database(), 'CREATE'),
                has_database_privilege(current_database(), 'CONNECT WITH GRANT OPTION'),
                current_database()::text
           FROM pg_catalog.pg_roles r WHERE r.rolname = current_user",
        &[],
    )?;
    let admin: String = me.get(0);
    let (superuser, createrole, may_create, may_grant_connect): (bool, bool, bool, bool) =
        (me.get(1), me.get(2), me.get(3), me.get(4));
    let database: String = me.get(5);
    let shown = |name: &str| crate::domain::sanitize_line(name).into_owned();

    let schema = client.query_opt(
        "SELECT pg_get_userbyid(n.nspowner)::text, pg_has_role(n.nspowner, 'USAGE'),
                ARRAY(SELECT DISTINCT pg_get_userbyid(c.relowner)::text
                        FROM pg_catalog.pg_class c
                       WHERE c.relnamespace = n.oid AND NOT pg_has_role(c.relowner, 'USAGE')
                       ORDER BY 1)
           FROM pg_catalog.pg_namespace n WHERE n.nspname = 'warroom'",
        &[],
    )?;
    let version = match &schema {
        None if !may_create => {
            return Err(AdminError::Refused(format!(
                "role \"{}\" may not create the warroom schema in database \"{}\": run init as the database's owner, or have a database admin run: GRANT CREATE ON DATABASE {} TO {};",
                shown(&admin),
                shown(&database),
                ident(&shown(&database)),
                ident(&shown(&admin))
            )));
        }
        None => 0,
        Some(row) => {
            let owner: String = row.get(0);
            let acts_as_owner: bool = row.get(1);
            let mut others: Vec<String> = row.get(2);
            if !acts_as_owner {
                others.insert(0, owner);
            }
            others.dedup();
            if !others.is_empty() {
                let owners: Vec<String> = others.iter().map(|o| format!("\"{}\"", shown(o))).collect();
                return Err(AdminError::Refused(format!(
                    "the warroom schema (or tables in it) belongs to {}, and role \"{}\" cannot grant on it: run init as that role (or a superuser)",
                    owners.join(", "),
                    shown(&admin)
                )));
            }
            schema_version(client)?
        }
    };

    let mut missing_roles = Vec::new();
    let mut superuser_roles = Vec::new();
    for name in named {
        if *name == admin {
            return Err(AdminError::Refused(format!(
                "\"{}\" is the role running init, which owns the war room: name a group role for the others (e.g. --responders responders), and make each person a member of it",
                shown(name)
            )));
        }
        match client.query_opt(
            "SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = $1",
            &[name],
        )? {
            Some(row) if row.get::<_, bool>(0) => superuser_roles.push(name.to_string()),
            Some(_) => {}
            None => missing_roles.push(name.to_string()),
        }
    }
    if !missing_roles.is_empty() && !superuser && !createrole {
        let sql: Vec<String> = missing_roles
            .iter()
            .map(|r| format!("CREATE ROLE {} NOLOGIN;", ident(&shown(r))))
            .collect();
        return Err(AdminError::Refused(format!(
            "role \"{}\" may not create roles (no CREATEROLE), and {} {} not exist yet: have a database admin run {} then run init again (nothing was changed)",
            shown(&admin),
            missing_roles
                .iter()
                .map(|r| format!("\"{}\"", shown(r)))
                .collect::<Vec<_>>()
                .join(" and "),
            if missing_roles.len() == 1 { "does" } else { "do" },
            sql.join(" ")
        )));
    }
    Ok(Plan {
        admin,
        version,
        missing_roles,
        superuser_roles,
        may_grant_connect,
    })
}

/// The schema version `warroom.meta` records (0 when there is none), read
/// by a role that may read it.
fn schema_version(client: &mut Client) -> Result<i64> {
    let row = client.query_one(
        "SELECT CASE WHEN to_regclass('warroom.meta') IS NULL THEN NULL
                     ELSE (SELECT value FROM warroom.meta WHERE key = 'schema_version') END",
        &[],
    )?;
    Ok(row
        .get::<_, Option<String>>(0)
        .and_then(|v| v.parse().ok())
        .unwrap_or(0))
}

/// One connection for doctor's questions, each answered from the server.
pub struct Probe {
    client: Client,
}

/// Who this connection is and how it is carried.
#[derive(Debug, Clone)]
pub struct SessionFacts {
    pub role: String,
    pub database: String,
    pub server_version: String,
    pub superuser: bool,
    /// `Some((protocol, cipher))` when TLS carries the connection.
    pub tls: Option<(String, String)>,
}

/// What there is of the `warroom` schema, as this role can see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemaFacts {
    /// No schema, or an empty one.
    Missing,
    /// It exists, but this role has no USAGE on it.
    NoUsage {
        owner: String,
    },
    /// Another application's, or not warroom's meta.
    Foreign,
    /// Warroom's, but `warroom.meta` cannot be read by this role.
    Unreadable,
    Version(i64),
}

/// One table's privileges for this role.
#[derive(Debug, Clone, Default)]
pub struct TablePrivileges {
    pub select: bool,
    pub delete: bool,
    pub truncate: bool,
    /// Per column: (name, may insert, may update).
    pub columns: Vec<(String, bool, bool)>,
}

/// This role's privileges on every table of the schema.
#[derive(Debug, Clone)]
pub struct PrivilegeFacts {
    pub can_write: bool,
    pub tables: BTreeMap<String, TablePrivileges>,
}

impl PrivilegeFacts {
    /// Tables of [`TABLES`] this role may not read (or that are missing).
    pub fn unreadable(&self) -> Vec<String> {
        TABLES
            .iter()
            .filter(|(table, _)| !self.tables.get(*table).is_some_and(|t| t.select))
            .map(|(table, _)| table.to_string())
            .collect()
    }

    /// What a responder holds and this role lacks, as "UPDATE on
    /// write_lock" (INSERT/UPDATE: on every column the client writes).
    pub fn missing_for_writing(&self) -> Vec<String> {
        let mut missing = Vec::new();
        for (table, changes) in TABLES {
            let privileges = self.tables.get(*table).cloned().unwrap_or_default();
            for change in *changes {
                let held = match change {
                    Delete => privileges.delete,
                    Insert | Update => {
                        let client_columns = privileges
                            .columns
                            .iter()
                            .filter(|(name, _, _)| !SERVER_SET_COLUMNS.contains(&name.as_str()));
                        let mut any = false;
                        let mut all = true;
                        for (_, insert, update) in client_columns {
                            any = true;
                            all &= if *change == Insert { *insert } else { *update };
                        }
                        any && all
                    }
                };
                if !held {
                    missing.push(format!("{} on {table}", change.as_sql()));
                }
            }
        }
        missing
    }

    /// Ways this role can rewrite the log or vouch for itself: UPDATE,
    /// DELETE or TRUNCATE on events, writing a server-set column.
    pub fn log_rewrites(&self) -> Vec<String> {
        let mut found = Vec::new();
        for (table, privileges) in &self.tables {
            if table == "events" {
                if privileges.columns.iter().any(|(_, _, update)| *update) {
                    found.push("UPDATE on events".to_string());
                }
                if privileges.delete {
                    found.push("DELETE on events".into());
                }
                if privileges.truncate {
                    found.push("TRUNCATE on events".into());
                }
            }
            for (column, insert, update) in &privileges.columns {
                if SERVER_SET_COLUMNS.contains(&column.as_str()) && (*insert || *update) {
                    found.push(format!("writing {table}.{column}"));
                }
            }
        }
        found
    }
}

/// This host's clock against the server's.
#[derive(Debug, Clone, Copy)]
pub struct ClockReading {
    /// The server's clock minus this host's, in milliseconds.
    pub offset_ms: i64,
    /// How long the question took (the reading is good to about half of it).
    pub round_trip: Duration,
}

/// How many more connections the server takes.
#[derive(Debug, Clone, Copy)]
pub struct Headroom {
    pub max_connections: i64,
    /// Kept for superusers (and, from PostgreSQL 16, for `pg_use_reserved_connections`).
    pub reserved: i64,
    /// Client connections open now, this one included.
    pub in_use: i64,
}

impl Headroom {
    /// Connections an ordinary role can still open.
    pub fn free(&self) -> i64 {
        (self.max_connections - self.reserved - self.in_use).max(0)
    }
}

impl Probe {
    /// Connects as the target's role (the failure says why and what to do).
    pub fn connect(target: &PgTarget) -> Result<Probe, ConnectError> {
        let application = format!(
            "warroom doctor {}@{}",
            crate::account::current_account(),
            crate::account::host_name()
        );
        Ok(Probe {
            client: connect(target, &application)?,
        })
    }

    pub fn session(&mut self) -> Result<SessionFacts> {
        let row = self.client.query_one(
            "SELECT current_user::text, current_database()::text, current_setting('server_version'),
                    coalesce((SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user), false),
                    s.ssl, s.version, s.cipher
               FROM (SELECT 1) AS one
               LEFT JOIN pg_catalog.pg_stat_ssl s ON s.pid = pg_backend_pid()",
            &[],
        )?;
        let tls = match row.get::<_, Option<bool>>(4) {
            Some(true) => Some((
                row.get::<_, Option<String>>(5).unwrap_or_default(),
                row.get::<_, Option<String>>(6).unwrap_or_default(),
            )),
            _ => None,
        };
        Ok(SessionFacts {
            role: row.get(0),
            database: row.get(1),
            server_version: row.get(2),
            superuser: row.get(3),
            tls,
        })
    }

    /// Looked up in the catalogs, which every role may read, so a role
    /// without USAGE on the schema learns that rather than an error.
    pub fn schema(&mut self) -> Result<SchemaFacts> {
        let row = self.client.query_opt(
            "SELECT pg_get_userbyid(n.nspowner)::text, has_schema_privilege(n.oid, 'USAGE'),
                    (SELECT count(*) FROM pg_catalog.pg_class c WHERE c.relnamespace = n.oid),
                    (SELECT c.oid FROM pg_catalog.pg_class c
                      WHERE c.relnamespace = n.oid AND c.relname = 'meta' AND c.relkind = 'r') IS NOT NULL
               FROM pg_catalog.pg_namespace n WHERE n.nspname = 'warroom'",
            &[],
        )?;
        let Some(row) = row else {
            return Ok(SchemaFacts::Missing);
        };
        let (owner, usage, objects, has_meta): (String, bool, i64, bool) =
            (row.get(0), row.get(1), row.get(2), row.get(3));
        if objects == 0 {
            return Ok(SchemaFacts::Missing);
        }
        if !has_meta {
            return Ok(SchemaFacts::Foreign);
        }
        if !usage {
            return Ok(SchemaFacts::NoUsage { owner });
        }
        let readable: bool = self
            .client
            .query_one("SELECT has_table_privilege('warroom.meta', 'SELECT')", &[])?
            .get(0);
        if !readable {
            return Ok(SchemaFacts::Unreadable);
        }
        let rows = self.client.query(
            "SELECT key, value FROM warroom.meta WHERE key IN ('application', 'schema_version')",
            &[],
        )?;
        let value = |key: &str| {
            rows.iter()
                .find(|r| r.get::<_, String>(0) == key)
                .map(|r| r.get::<_, String>(1))
        };
        if value("application").as_deref() != Some("warroom") {
            return Ok(SchemaFacts::Foreign);
        }
        Ok(SchemaFacts::Version(
            value("schema_version").and_then(|v| v.parse().ok()).unwrap_or(0),
        ))
    }

    /// This role's privileges on the schema's tables (by oid, so a role
    /// without USAGE gets answers too).
    pub fn privileges(&mut self) -> Result<PrivilegeFacts> {
        let rows = self.client.query(
            "SELECT c.relname::text, a.attname::text,
                    has_table_privilege(c.oid, 'SELECT'),
                    has_table_privilege(c.oid, 'DELETE'),
                    has_table_privilege(c.oid, 'TRUNCATE'),
                    has_column_privilege(c.oid, a.attnum, 'INSERT'),
                    has_column_privilege(c.oid, a.attnum, 'UPDATE')
               FROM pg_catalog.pg_class c
               JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
               JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
              WHERE n.nspname = 'warroom' AND c.relkind = 'r'
              ORDER BY c.relname, a.attnum",
            &[],
        )?;
        let mut tables: BTreeMap<String, TablePrivileges> = BTreeMap::new();
        for row in rows {
            let table = tables.entry(row.get(0)).or_default();
            table.select = row.get(2);
            table.delete = row.get(3);
            table.truncate = row.get(4);
            table.columns.push((row.get(1), row.get(5), row.get(6)));
        }
        let can_write = tables.contains_key("events")
            && has_schema_usage(&mut self.client)?
            && self.client.query_one(CAN_WRITE_SQL, &[])?.get::<_, bool>(0);
        Ok(PrivilegeFacts { can_write, tables })
    }

    /// The server's clock (`clock_timestamp()`, not the transaction's)
    /// against this host's, taken halfway through the round trip.
    pub fn clock(&mut self) -> Result<ClockReading> {
        let before = Utc::now();
        let started = Instant::now();
        let row = self.client.query_one(
            "SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint",
            &[],
        )?;
        let round_trip = started.elapsed();
        let after = Utc::now();
        let server_ms: i64 = row.get(0);
        let local_ms = before.timestamp_millis() + (after - before).num_milliseconds() / 2;
        Ok(ClockReading {
            offset_ms: server_ms - local_ms,
            round_trip,
        })
    }

    pub fn headroom(&mut self) -> Result<Headroom> {
        // Another role's sessions may hide their backend_type: counted as clients.
        let row = self.client.query_one(
            "SELECT current_setting('max_connections')::bigint,
                    current_setting('superuser_reserved_connections')::bigint
                      + coalesce(nullif(current_setting('reserved_connections', true), ''), '0')::bigint,
                    (SELECT count(*) FROM pg_catalog.pg_stat_activity
                      WHERE coalesce(backend_type, 'client backend') = 'client backend')",
            &[],
        )?;
        Ok(Headroom {
            max_connections: row.get(0),
            reserved: row.get(1),
            in_use: row.get(2),
        })
    }

    /// LISTEN on a second connection, NOTIFY on this one, and wait up to
    /// `wait` for it: `Some(time it took)`, or None when it never came (a
    /// pooler in transaction mode drops LISTEN). The channel is doctor's
    /// own, so no console is woken.
    pub fn notify_round_trip(&mut self, target: &PgTarget, wait: Duration) -> Result<Option<Duration>> {
        let mut listener = connect_as(target, "doctor listener")?;
        let channel = format!(
            "warroom_doctor_{}_{}",
            std::process::id(),
            Utc::now().timestamp_subsec_nanos()
        );
        listener.batch_execute(&format!("LISTEN {}", ident(&channel)))?;
        let started = Instant::now();
        self.client
            .execute("SELECT pg_notify($1, 'doctor')", &[&channel])?;
        let mut notifications = listener.notifications();
        let mut waiting = notifications.timeout_iter(wait);
        while let Some(notification) = waiting.next()? {
            if notification.channel() == channel {
                return Ok(Some(started.elapsed()));
            }
            if started.elapsed() >= wait {
                break;
            }
        }
        Ok(None)
    }
}

fn has_schema_usage(client: &mut Client) -> Result<bool> {
    Ok(client
        .query_one(
            "SELECT coalesce((SELECT has_schema_privilege(oid, 'USAGE') FROM pg_catalog.pg_namespace
                              WHERE nspname = 'warroom'), false)",
            &[],
        )?
        .get(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_names_that_mean_everyone_or_the_server_are_refused() {
        for name in [
            "public",
            "PUBLIC",
            "Public",
            "none",
            "current_user",
            "session_user",
            "pg_monitor",
            "",
            "a\u{1b}b",
        ] {
            assert!(check_role_name(name).is_err(), "{name:?}");
        }
        assert!(check_role_name(&"r".repeat(64)).is_err());
        for name in ["responders", "war room \"ops\"", "publicity", &"r".repeat(63)] {
            assert_eq!(check_role_name(name), Ok(()), "{name:?}");
        }
    }

    #[test]
    fn identifiers_are_quoted() {
        assert_eq!(ident("war \"room\""), "\"war \"\"room\"\"\"");
    }

    #[test]
    fn responders_write_every_column_but_the_server_set_ones() {
        let mut columns = BTreeMap::new();
        columns.insert(
            "events".to_string(),
            vec!["id".to_string(), "text".into(), "db_role".into()],
        );
        columns.insert("incidents".to_string(), vec!["id".to_string(), "title".into()]);
        let sql = responder_grants("\"r\"", &columns);
        assert!(
            sql.contains("GRANT INSERT (\"id\", \"text\") ON warroom.\"events\" TO \"r\";\n"),
            "{sql}"
        );
        assert!(
            sql.contains("GRANT INSERT ON warroom.\"incidents\" TO \"r\";\n"),
            "{sql}"
        );
        assert!(
            sql.contains("GRANT UPDATE ON warroom.\"incidents\" TO \"r\";\n"),
            "{sql}"
        );
        assert!(!sql.contains("UPDATE ON warroom.\"events\""), "{sql}");
        assert!(!sql.contains("DELETE ON warroom.\"events\""), "{sql}");
        assert!(!sql.to_lowercase().contains("public"), "{sql}");
    }
}
