//! Setting a PostgreSQL war room up and checking it, as an admin and the
//! responders would: the real binary against the tests' own server, real
//! roles made by the superuser, logins over TCP (password, TLS) or the
//! socket (trust).
//!
//! Role names are cluster-wide, so each test names its roles after its own
//! database.

mod common;

use std::process::{Command, Output};

use common::BIN;
use common::pg::{self, PgServer, TestDb};

/// A test's database on the shared server, and the names of its roles.
struct Room {
    server: &'static PgServer,
    db: TestDb,
    responders: String,
    observers: String,
    /// HOME for every warroom run: its state, drafts and no ~/.pgpass.
    home: tempfile::TempDir,
}

impl Room {
    fn new(test: &str) -> Option<Room> {
        let server = pg::server(test)?;
        let db = server.database();
        Some(Room {
            responders: format!("{}_responders", db.name),
            observers: format!("{}_observers", db.name),
            server,
            db,
            home: tempfile::tempdir().unwrap(),
        })
    }

    fn sql(&self, sql: &str) -> Vec<Vec<Option<String>>> {
        self.server.sql(&self.db.name, sql)
    }

    /// The first column of the first row.
    fn value(&self, sql: &str) -> String {
        self.sql(sql)[0][0].clone().unwrap_or_default()
    }

    /// The database over TCP as `role` (password needed, TLS by default).
    fn tcp_url(&self, role: &str) -> String {
        format!(
            "postgresql://{role}@127.0.0.1:{}/{}",
            self.server.port(),
            self.db.name
        )
    }

    /// The database over the socket as `role` (no password).
    fn socket_url(&self, role: &str) -> String {
        self.db
            .socket_url
            .replacen(&format!("{}@", pg::SUPERUSER), &format!("{role}@"), 1)
    }

    /// A login role that is a member of `group`, with a password.
    fn person(&self, name: &str, group: &str) -> String {
        let role = format!("{}_{name}", self.db.name);
        self.sql(&format!(
            "CREATE ROLE {role} LOGIN PASSWORD '{}' IN ROLE {group}",
            password_of(&role)
        ));
        role
    }

    /// `warroom --db URL ARGS…` with PGPASSWORD (or none), a private HOME,
    /// nothing inherited that names a database or a password.
    fn warroom(&self, url: &str, password: Option<&str>, args: &[&str]) -> Output {
        let mut command = Command::new(BIN);
        command
            .arg("--db")
            .arg(url)
            .args(args)
            .env("HOME", self.home.path())
            .env_remove("WARROOM_DB")
            .env_remove("PGPASSFILE")
            .env_remove("XDG_STATE_HOME")
            .env_remove("XDG_CONFIG_HOME")
            .env_remove("XDG_DATA_HOME");
        match password {
            Some(password) => command.env("PGPASSWORD", password),
            None => command.env_remove("PGPASSWORD"),
        };
        command.output().expect("run warroom")
    }

    /// `init` as the superuser over TCP.
    fn init(&self, args: &[&str]) -> Output {
        let mut all = vec!["init"];
        all.extend_from_slice(args);
        self.warroom(&self.tcp_url(pg::SUPERUSER), Some(self.server.password()), &all)
    }

    fn init_both(&self) -> Output {
        let output = self.init(&["--responders", &self.responders, "--observers", &self.observers]);
        assert_success(&output);
        output
    }

    /// A connection as `role` over the socket, as a user with psql would have.
    fn connect_as(&self, role: &str) -> postgres::Client {
        let mut config = postgres::Config::new();
        config
            .host_path(self.server.socket_dir())
            .port(self.server.port())
            .user(role)
            .dbname(&self.db.name);
        config.connect(postgres::NoTls).expect("connect as the role")
    }

    /// What `role` holds on each table of the schema, as
    /// `table: PRIV PRIV; …` (INSERT/UPDATE/SELECT: on any column).
    fn privileges_of(&self, role: &str) -> String {
        self.value(&format!(
            "SELECT string_agg(relname || ':' || privileges, '; ' ORDER BY relname) FROM (
               SELECT c.relname, concat_ws(' ',
                 CASE WHEN has_any_column_privilege('{role}', c.oid, 'SELECT') THEN 'SELECT' END,
                 CASE WHEN has_any_column_privilege('{role}', c.oid, 'INSERT') THEN 'INSERT' END,
                 CASE WHEN has_any_column_privilege('{role}', c.oid, 'UPDATE') THEN 'UPDATE' END,
                 CASE WHEN has_table_privilege('{role}', c.oid, 'DELETE') THEN 'DELETE' END,
                 CASE WHEN has_table_privilege('{role}', c.oid, 'TRUNCATE') THEN 'TRUNCATE' END,
                 CASE WHEN has_table_privilege('{role}', c.oid, 'REFERENCES') THEN 'REFERENCES' END,
                 CASE WHEN has_table_privilege('{role}', c.oid, 'TRIGGER') THEN 'TRIGGER' END) AS privileges
               FROM pg_class c WHERE c.relnamespace = 'warroom'::regnamespace AND c.relkind = 'r') t"
        ))
    }

    /// Grants to PUBLIC anywhere in the schema: on it, its relations and
    /// their columns, its functions.
    fn public_grants(&self) -> String {
        self.value(
            "SELECT (SELECT count(*) FROM pg_namespace n, aclexplode(n.nspacl) a
                      WHERE n.nspname = 'warroom' AND a.grantee = 0)
                  + (SELECT count(*) FROM pg_class c, aclexplode(c.relacl) a
                      WHERE c.relnamespace = 'warroom'::regnamespace AND a.grantee = 0)
                  + (SELECT count(*) FROM pg_attribute t JOIN pg_class c ON c.oid = t.attrelid,
                            aclexplode(t.attacl) a
                      WHERE c.relnamespace = 'warroom'::regnamespace AND a.grantee = 0)
                  + (SELECT count(*) FROM pg_proc p, aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
                      WHERE p.pronamespace = 'warroom'::regnamespace AND a.grantee = 0)",
        )
    }
}

fn password_of(role: &str) -> String {
    format!("pw-{role}-Zq7")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn assert_success(output: &Output) {
    assert!(output.status.success(), "failed: {}", text(output));
}

fn assert_failure(output: &Output) {
    assert_eq!(output.status.code(), Some(1), "expected exit 1: {}", text(output));
}

/// Responders, table by table: read everything; write what the console
/// writes; never change or remove an event.
const RESPONDER_PRIVILEGES: &str = "action_items:SELECT INSERT UPDATE; attendance:SELECT INSERT UPDATE; \
     attendance_activity:SELECT INSERT; checklist_items:SELECT INSERT UPDATE; events:SELECT INSERT; \
     evidence_output:SELECT INSERT; incidents:SELECT INSERT UPDATE; meta:SELECT; pins:SELECT INSERT UPDATE; \
     presence:SELECT INSERT UPDATE DELETE; roles:SELECT INSERT UPDATE; timeline_counts:SELECT; \
     timers:SELECT INSERT UPDATE; write_lock:SELECT UPDATE";

const OBSERVER_PRIVILEGES: &str = "action_items:SELECT; attendance:SELECT; attendance_activity:SELECT; \
     checklist_items:SELECT; events:SELECT; evidence_output:SELECT; incidents:SELECT; \
     meta:SELECT; pins:SELECT; presence:SELECT; roles:SELECT; timeline_counts:SELECT; timers:SELECT; \
     write_lock:SELECT";

#[test]
fn init_creates_the_schema_roles_and_grants_and_prints_the_export_line_without_the_password() {
    let Some(room) = Room::new("init_creates_the_schema_roles_and_grants") else {
        return;
    };
    let output = room.init_both();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        stdout,
        format!(
            "export WARROOM_DB=postgresql://127.0.0.1:{}/{}\n",
            room.server.port(),
            room.db.name
        )
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!text(&output).contains(room.server.password()), "{stderr}");
    for said in [
        format!(
            "created the warroom schema (version {}) in postgresql://warroom@127.0.0.1:",
            warroom::store::schema::postgres_version()
        ),
        format!("created role \"{}\" (NOLOGIN", room.responders),
        format!("created role \"{}\" (NOLOGIN", room.observers),
        "PUBLIC: no privilege on the schema or anything in it (revoked)".into(),
        format!(
            "responders \"{}\": USAGE on the schema, SELECT on every table; UPDATE on write_lock; INSERT, UPDATE on incidents; INSERT on events (every column but db_role: the server sets it);",
            room.responders
        ),
        "no UPDATE, DELETE or TRUNCATE on events (the log is append-only by the server's word)".into(),
        format!(
            "observers \"{}\": USAGE on the schema and SELECT on every table, nothing else",
            room.observers
        ),
        format!("CONNECT on database \"{}\" to the roles above", room.db.name),
    ] {
        assert!(stderr.contains(&said), "missing {said:?} in:\n{stderr}");
    }

    // Group roles, not logins; exactly the privileges above; nothing public.
    assert_eq!(
        room.value(&format!(
            "SELECT string_agg(rolname || '=' || rolcanlogin, ',' ORDER BY rolname) FROM pg_roles
              WHERE rolname IN ('{}', '{}')",
            room.responders, room.observers
        )),
        format!("{}=false,{}=false", room.observers, room.responders)
    );
    assert_eq!(room.privileges_of(&room.responders), RESPONDER_PRIVILEGES);
    assert_eq!(room.privileges_of(&room.observers), OBSERVER_PRIVILEGES);
    assert_eq!(
        room.value(&format!(
            "SELECT has_column_privilege('{r}', 'warroom.events', 'db_role', 'INSERT')::text || ' '
                 || has_column_privilege('{r}', 'warroom.events', 'text', 'INSERT')::text || ' '
                 || has_column_privilege('{r}', 'warroom.presence', 'db_role', 'UPDATE')::text || ' '
                 || has_schema_privilege('{r}', 'warroom', 'CREATE')::text || ' '
                 || has_schema_privilege('{o}', 'warroom', 'USAGE')::text",
            r = room.responders,
            o = room.observers
        )),
        "false true false false true"
    );
    assert_eq!(room.public_grants(), "0");
    assert_eq!(
        room.value("SELECT value FROM warroom.meta WHERE key = 'schema_version'"),
        warroom::store::schema::postgres_version().to_string()
    );
}

#[test]
fn init_again_changes_nothing_and_puts_back_what_was_changed_by_hand() {
    let Some(room) = Room::new("init_again_changes_nothing") else {
        return;
    };
    room.init_both();
    // Hand-made damage: a responder may rewrite the log, everyone may read
    // and write the meta table, an observer may insert.
    room.sql(&format!(
        "GRANT UPDATE, DELETE, TRUNCATE ON warroom.events TO {r};
         GRANT INSERT (db_role) ON warroom.events TO {r};
         GRANT ALL ON warroom.meta TO PUBLIC;
         GRANT USAGE ON SCHEMA warroom TO PUBLIC;
         GRANT INSERT ON warroom.events TO {o};",
        r = room.responders,
        o = room.observers
    ));
    assert_ne!(room.privileges_of(&room.responders), RESPONDER_PRIVILEGES);
    assert_ne!(room.public_grants(), "0");

    let again = room.init_both();
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(
        stderr.contains("the warroom schema in postgresql://warroom@127.0.0.1:")
            && stderr.contains(&format!(
                "is at version {}, as this binary expects",
                warroom::store::schema::postgres_version()
            )),
        "{stderr}"
    );
    assert!(!stderr.contains("created role"), "{stderr}");
    assert_eq!(room.privileges_of(&room.responders), RESPONDER_PRIVILEGES);
    assert_eq!(room.privileges_of(&room.observers), OBSERVER_PRIVILEGES);
    assert_eq!(room.public_grants(), "0");
    // A third run, the database named by $WARROOM_DB: the same again.
    let third = Command::new(BIN)
        .args([
            "init",
            "--responders",
            &room.responders,
            "--observers",
            &room.observers,
        ])
        .env("WARROOM_DB", room.tcp_url(pg::SUPERUSER))
        .env("PGPASSWORD", room.server.password())
        .env("HOME", room.home.path())
        .output()
        .unwrap();
    assert_success(&third);
    assert_eq!(
        String::from_utf8_lossy(&third.stdout),
        format!(
            "export WARROOM_DB=postgresql://127.0.0.1:{}/{}\n",
            room.server.port(),
            room.db.name
        )
    );
    assert_eq!(room.privileges_of(&room.responders), RESPONDER_PRIVILEGES);
    assert_eq!(
        room.value(&format!(
            "SELECT count(*) FROM pg_roles WHERE rolname IN ('{}', '{}')",
            room.responders, room.observers
        )),
        "2"
    );
}

#[test]
fn a_responder_declares_notes_and_checks_and_the_server_names_its_role() {
    let Some(room) = Room::new("a_responder_declares_notes_and_checks") else {
        return;
    };
    room.init_both();
    let alice = room.person("alice", &room.responders);
    let url = room.tcp_url(&alice);
    let password = password_of(&alice);
    let run = |args: &[&str]| {
        let output = room.warroom(&url, Some(&password), args);
        assert_success(&output);
        assert!(!text(&output).contains(&password));
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    assert_eq!(
        run(&["declare", "Checkout errors", "--severity", "P1"]).trim(),
        "1"
    );
    run(&["note", "rolled back 4.2.1"]);
    run(&["check", "1.1"]);
    run(&["timer", "10m", "check the rollback held"]);
    run(&["role", "comms", "alice"]);
    run(&["action", "add", "--owner", "alice", "follow up"]);
    let shown: serde_json::Value = serde_json::from_str(&run(&["show", "1", "--json"])).unwrap();
    let texts: Vec<&str> = shown["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["text"].as_str().unwrap())
        .collect();
    assert!(texts.contains(&"rolled back 4.2.1"), "{texts:?}");
    assert!(run(&["verify"]).contains("intact"));

    // The server, not the client, says who wrote each entry.
    let events: i64 = room.value("SELECT count(*) FROM warroom.events").parse().unwrap();
    assert!(events >= 5, "{events}");
    assert_eq!(
        room.value("SELECT string_agg(DISTINCT db_role, ',') FROM warroom.events"),
        alice
    );
}

#[test]
fn the_server_refuses_a_responder_who_rewrites_the_log_or_names_another_role() {
    let Some(room) = Room::new("the_server_refuses_a_responder_who_rewrites") else {
        return;
    };
    room.init_both();
    let alice = room.person("alice", &room.responders);
    let output = room.warroom(&room.socket_url(&alice), None, &["declare", "Disk full"]);
    assert_success(&output);
    let before = room.sql("SELECT id, text, db_role FROM warroom.events ORDER BY id");

    let mut client = room.connect_as(&alice);
    for attack in [
        "UPDATE warroom.events SET text = 'nothing happened'",
        "DELETE FROM warroom.events",
        "TRUNCATE warroom.events",
        "INSERT INTO warroom.events (id, uuid, incident_id, kind, occurred_at, recorded_at, author, text, db_role)
           VALUES (99, 'u-99', 1, 'note', 0, 0, 'bob', 'forged', 'someone_else')",
        "UPDATE warroom.presence SET db_role = 'someone_else'",
        "CREATE TABLE warroom.mine (x int)",
        // The entry count is kept by the owner's trigger alone.
        "UPDATE warroom.timeline_counts SET entries = 0",
        "INSERT INTO warroom.timeline_counts (incident_id, entries) VALUES (1000, 5)",
    ] {
        let error = client.batch_execute(attack).expect_err(attack);
        assert_eq!(
            error.code(),
            Some(&postgres::error::SqlState::INSUFFICIENT_PRIVILEGE),
            "{attack}: {error}"
        );
    }
    // The same insert without db_role goes in, and the server fills it.
    client
        .batch_execute(
            "INSERT INTO warroom.events (id, uuid, incident_id, kind, occurred_at, recorded_at, author, text)
               VALUES (99, 'u-99', 1, 'note', 0, 0, 'bob', 'claims to be bob')",
        )
        .unwrap();
    // SET ROLE changes current_user, not session_user.
    client
        .batch_execute(&format!("SET ROLE {}", room.responders))
        .unwrap();
    client
        .batch_execute(
            "INSERT INTO warroom.events (id, uuid, incident_id, kind, occurred_at, recorded_at, author, text)
               VALUES (100, 'u-100', 1, 'note', 0, 0, 'bob', 'as the group')",
        )
        .unwrap();
    // The responder's own inserts were counted by that trigger.
    assert_eq!(
        room.value("SELECT entries FROM warroom.timeline_counts WHERE incident_id = 1"),
        room.value("SELECT count(*) FROM warroom.events WHERE incident_id = 1")
    );
    let mut after = room.sql("SELECT id, text, db_role FROM warroom.events ORDER BY id");
    assert_eq!(
        after.split_off(before.len()),
        vec![
            vec![
                Some("99".into()),
                Some("claims to be bob".into()),
                Some(alice.clone())
            ],
            vec![
                Some("100".into()),
                Some("as the group".into()),
                Some(alice.clone())
            ],
        ]
    );
    assert_eq!(after, before, "the earlier entries are unchanged");
}

#[test]
fn an_observer_reads_but_a_note_is_refused_as_read_only() {
    let Some(room) = Room::new("an_observer_reads") else {
        return;
    };
    room.init_both();
    let alice = room.person("alice", &room.responders);
    let bob = room.person("bob", &room.observers);
    assert_success(&room.warroom(&room.socket_url(&alice), None, &["declare", "Queue backlog"]));
    let events = room.value("SELECT count(*) FROM warroom.events");

    let url = room.tcp_url(&bob);
    let password = password_of(&bob);
    let refused = room.warroom(&url, Some(&password), &["note", "I only watch"]);
    assert_failure(&refused);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains(&format!(
            "error: postgresql://{bob}@127.0.0.1:{}/{} is read-only for your database role: you can read the incident but not change it",
            room.server.port(),
            room.db.name
        )),
        "{stderr}"
    );
    assert!(!stderr.contains(&password));
    assert_eq!(room.value("SELECT count(*) FROM warroom.events"), events);

    let shown = room.warroom(&url, Some(&password), &["show", "1"]);
    assert_success(&shown);
    assert!(String::from_utf8_lossy(&shown.stdout).contains("Queue backlog"));

    let doctor = room.warroom(&url, Some(&password), &["doctor"]);
    assert_success(&doctor);
    let said = text(&doctor);
    assert!(
        said.contains(&format!(
            "  WARN  privileges: role \"{bob}\" is read-only: it can read the war room but not write it (an observer); the console opens READ-ONLY"
        )),
        "{said}"
    );
    assert!(said.contains("No problem stops warroom here."), "{said}");
    assert!(!said.contains(&password));
}

#[test]
fn doctor_on_a_healthy_war_room_names_each_check_and_exits_0() {
    let Some(room) = Room::new("doctor_on_a_healthy_war_room") else {
        return;
    };
    room.init_both();
    let alice = room.person("alice", &room.responders);
    let url = room.tcp_url(&alice);
    let password = password_of(&alice);
    assert_success(&room.warroom(&url, Some(&password), &["declare", "Latency"]));
    let doctor = room.warroom(&url, Some(&password), &["doctor"]);
    assert_success(&doctor);
    let said = String::from_utf8_lossy(&doctor.stdout).into_owned();
    assert!(doctor.stderr.is_empty(), "{}", text(&doctor));
    assert!(!said.contains(&password));
    let lines: Vec<&str> = said.lines().collect();
    assert_eq!(
        lines[0],
        format!(
            "warroom doctor: postgresql://{alice}@127.0.0.1:{}/{}",
            room.server.port(),
            room.db.name
        )
    );
    let expected_starts = [
        format!(
            "  ok    connection and login: role \"{alice}\" on database \"{}\" (PostgreSQL 1",
            room.db.name
        ),
        "  ok    TLS: in use (TLSv1.3, ".to_string(),
        format!(
            "  ok    schema: warroom schema version {}, as this binary expects",
            warroom::store::schema::postgres_version()
        ),
        format!("  ok    privileges: role \"{alice}\" can read and write the war room"),
        "  ok    NOTIFY round trip: came back in ".into(),
        "  ok    clock: this host is ".into(),
        "  ok    connections: ".into(),
        "  ok    record intact: 1 events, chain head ".into(),
        "No problem stops warroom here.".into(),
    ];
    assert_eq!(lines.len(), expected_starts.len() + 1, "{said}");
    for (line, start) in lines[1..].iter().zip(&expected_starts) {
        assert!(
            line.starts_with(start.as_str()),
            "{line:?} should start with {start:?}\n{said}"
        );
    }
    assert!(
        lines[2].ends_with(
            "sslmode=require: encrypted, the certificate not checked (sslmode=verify-full checks it)"
        ),
        "{said}"
    );
}

#[test]
fn doctor_as_the_owner_says_the_log_is_not_append_only_for_it() {
    let Some(room) = Room::new("doctor_as_the_owner") else {
        return;
    };
    room.init_both();
    let doctor = room.warroom(&room.db.socket_url, None, &["doctor"]);
    assert_success(&doctor);
    let said = text(&doctor);
    assert!(
        said.contains("  ok    TLS: not in use, sslmode=disable: the Unix socket does not leave this host"),
        "{said}"
    );
    assert!(
        said.contains(
            "  WARN  privileges: role \"warroom\" holds UPDATE on events, DELETE on events, TRUNCATE on events, writing events.db_role, writing presence.db_role: the log is not append-only for this role"
        ),
        "{said}"
    );
    // And a responder given UPDATE on events by hand.
    let alice = room.person("alice", &room.responders);
    room.sql(&format!(
        "GRANT UPDATE (text) ON warroom.events TO {}",
        room.responders
    ));
    let said = text(&room.warroom(&room.socket_url(&alice), None, &["doctor"]));
    assert!(
        said.contains(&format!(
            "  WARN  privileges: role \"{alice}\" holds UPDATE on events: the log is not append-only for this role"
        )),
        "{said}"
    );
}

#[test]
fn doctor_on_a_database_without_the_schema_says_to_run_init() {
    let Some(room) = Room::new("doctor_on_a_database_without_the_schema") else {
        return;
    };
    let doctor = room.warroom(&room.db.socket_url, None, &["doctor"]);
    assert_failure(&doctor);
    let stdout = String::from_utf8_lossy(&doctor.stdout);
    let expected = format!(
        "  FAIL  schema: database \"{name}\" has no warroom schema yet\n        fix: the database's owner runs: warroom init --db {url} --responders ROLE --observers ROLE\n",
        name = room.db.name,
        url = room.db.socket_url
    );
    assert!(stdout.contains(&expected), "{stdout}");
    assert!(
        String::from_utf8_lossy(&doctor.stderr)
            .contains("error: 1 problem(s) stop warroom from working here (fixes above)"),
        "{}",
        text(&doctor)
    );
    // Doctor created nothing.
    assert_eq!(
        room.value("SELECT count(*) FROM pg_namespace WHERE nspname = 'warroom'"),
        "0"
    );
}

#[test]
fn doctor_with_a_wrong_password_shows_the_fix_and_never_the_password() {
    let Some(room) = Room::new("doctor_with_a_wrong_password") else {
        return;
    };
    room.init_both();
    let alice = room.person("alice", &room.responders);
    let wrong = "not-Her-Passw0rd-4417";
    let doctor = room.warroom(&room.tcp_url(&alice), Some(wrong), &["doctor"]);
    assert_failure(&doctor);
    let said = text(&doctor);
    assert!(!said.contains(wrong), "{said}");
    assert!(!said.contains(&password_of(&alice)), "{said}");
    let stdout = String::from_utf8_lossy(&doctor.stdout);
    assert!(
        stdout.contains(&format!(
            "  FAIL  connection and login: PostgreSQL at 127.0.0.1:{} rejected the password of role \"{alice}\" (28P01; the password came from PGPASSWORD)",
            room.server.port()
        )),
        "{stdout}"
    );
    let fix = warroom::store::postgres::advice("28P01").unwrap();
    assert!(stdout.contains(&format!("        fix: {fix}\n")), "{stdout}");
    // Nothing after a failed login is checked.
    assert!(!stdout.contains("schema:"), "{stdout}");
}

#[test]
fn doctor_as_a_role_outside_the_war_room_says_who_must_grant_what() {
    let Some(room) = Room::new("doctor_as_a_role_outside") else {
        return;
    };
    room.init_both();
    let carol = format!("{}_carol", room.db.name);
    room.sql(&format!("CREATE ROLE {carol} LOGIN"));
    let doctor = room.warroom(&room.socket_url(&carol), None, &["doctor"]);
    assert_failure(&doctor);
    let stdout = String::from_utf8_lossy(&doctor.stdout);
    assert!(
        stdout.contains(&format!(
            "  FAIL  schema: role \"{carol}\" has no USAGE on the warroom schema (owned by \"warroom\"), so it can see nothing in it"
        )),
        "{stdout}"
    );
}

#[test]
fn init_refuses_a_shared_folder_with_a_url_and_names_that_mean_everyone() {
    let Some(room) = Room::new("init_refuses") else {
        return;
    };
    let folder = tempfile::tempdir().unwrap();
    let shared = room.init(&["--shared", folder.path().to_str().unwrap()]);
    assert_failure(&shared);
    assert!(
        text(&shared).contains(
            "error: init --shared DIR sets up a folder for an SQLite war room on this host, but --db (or WARROOM_DB) names a PostgreSQL server (postgresql://warroom@127.0.0.1:"
        ),
        "{}",
        text(&shared)
    );
    assert_eq!(std::fs::read_dir(folder.path()).unwrap().count(), 0);
    for (args, says) in [
        (
            vec!["--responders", "PUBLIC"],
            "role name \"PUBLIC\" is reserved by PostgreSQL",
        ),
        (vec!["--observers", "pg_monitor"], "starts with pg_"),
        (
            vec!["--observers"],
            "--observers needs a ROLE with --db postgresql://",
        ),
        (
            vec!["--responders", "warroom"],
            "\"warroom\" is the role running init",
        ),
        (
            vec!["--responders", "same", "--observers", "same"],
            "cannot be both the responders and the observers",
        ),
    ] {
        let refused = room.init(&args);
        assert_failure(&refused);
        assert!(text(&refused).contains(says), "{args:?}: {}", text(&refused));
    }
    // Nothing was made by any of them.
    assert_eq!(
        room.value("SELECT count(*) FROM pg_namespace WHERE nspname = 'warroom'"),
        "0"
    );
    // A file war room takes no database roles.
    let file = folder.path().join("w.db");
    let output = room.warroom(file.to_str().unwrap(), None, &["init", "--responders", "r"]);
    assert_failure(&output);
    assert!(
        text(&output).contains("--responders ROLE is for a PostgreSQL war room"),
        "{}",
        text(&output)
    );
    assert!(!file.exists());
}

#[test]
fn an_owner_who_may_not_create_roles_gets_the_sql_for_the_dba_and_nothing_changes() {
    let Some(room) = Room::new("an_owner_who_may_not_create_roles") else {
        return;
    };
    let owner = format!("{}_owner", room.db.name);
    room.sql(&format!(
        "CREATE ROLE {owner} LOGIN PASSWORD '{}'; ALTER DATABASE {} OWNER TO {owner};",
        password_of(&owner),
        room.db.name
    ));
    let url = room.tcp_url(&owner);
    let password = password_of(&owner);
    let args = [
        "init",
        "--responders",
        &room.responders,
        "--observers",
        &room.observers,
    ];
    let refused = room.warroom(&url, Some(&password), &args);
    assert_failure(&refused);
    assert_eq!(
        String::from_utf8_lossy(&refused.stderr)
            .lines()
            .next()
            .unwrap_or_default(),
        format!(
            "error: role \"{owner}\" may not create roles (no CREATEROLE), and \"{r}\" and \"{o}\" do not exist yet: have a database admin run CREATE ROLE \"{r}\" NOLOGIN; CREATE ROLE \"{o}\" NOLOGIN; then run init again (nothing was changed)",
            r = room.responders,
            o = room.observers
        )
    );
    assert_eq!(
        room.value("SELECT count(*) FROM pg_namespace WHERE nspname = 'warroom'"),
        "0"
    );

    // The DBA runs exactly that; the owner's init then works, as the owner.
    room.sql(&format!(
        "CREATE ROLE \"{}\" NOLOGIN; CREATE ROLE \"{}\" NOLOGIN;",
        room.responders, room.observers
    ));
    let done = room.warroom(&url, Some(&password), &args);
    assert_success(&done);
    assert!(
        text(&done).contains(&format!("owned by \"{owner}\"")),
        "{}",
        text(&done)
    );
    assert_eq!(room.privileges_of(&room.responders), RESPONDER_PRIVILEGES);
    assert_eq!(room.public_grants(), "0");
    let alice = room.person("alice", &room.responders);
    assert_success(&room.warroom(&room.socket_url(&alice), None, &["declare", "Owned elsewhere"]));
}

#[test]
fn a_responders_console_says_it_is_here_and_leaves_and_the_server_names_its_role() {
    use warroom::domain::presence::Presence;
    use warroom::store::{Location, OpenMode, Store};
    let Some(room) = Room::new("a_responders_console_says_it_is_here") else {
        return;
    };
    room.init_both();
    let alice = room.person("alice", &room.responders);
    let location = Location::parse(room.socket_url(&alice).into()).unwrap();
    let mut store = Store::open(location, OpenMode::Existing).expect("open as a responder");
    assert!(!store.is_read_only());
    let now = chrono::Utc::now();
    let me = Presence {
        session: uuid::Uuid::new_v4().to_string(),
        account: "alice".into(),
        terminal: "pts/3".into(),
        host: "bastion-1".into(),
        incident_id: None,
        since: now,
        seen_at: now,
    };
    store.heartbeat(&me).expect("first heartbeat");
    store
        .heartbeat(&me)
        .expect("heartbeat again (the upsert's UPDATE)");
    assert_eq!(store.presence(now).unwrap().len(), 1);
    assert_eq!(room.value("SELECT db_role FROM warroom.presence"), alice);
    store.leave(&me.session).expect("leave (DELETE)");
    assert_eq!(room.value("SELECT count(*) FROM warroom.presence"), "0");

    let bob = room.person("bob", &room.observers);
    let location = Location::parse(room.socket_url(&bob).into()).unwrap();
    assert!(Store::open(location, OpenMode::Existing).unwrap().is_read_only());
}
