//! A war room on a PostgreSQL server: `warroom init --db URL` in words,
//! and `warroom doctor` on a URL. The SQL is the store's
//! ([`crate::store::postgres::admin`]); this file says what it found and
//! what fixes it. Nothing here prints a password: a database is only ever
//! shown through [`PgTarget`]'s `Display`.

use std::time::Duration;

use super::doctor::{Finding, Severity};
use crate::domain::sanitize_line;
use crate::store::postgres::admin::{
    self, AdminError, InitReport, NOTIFY_WAIT, PrivilegeFacts, Probe, RoleGrants, SchemaFacts,
};
use crate::store::postgres::{PgHost, PgTarget, SslMode, advice};
use crate::store::schema;

/// Past this, clocks that differ make entries from different hosts read
/// out of order and timers due at different moments.
pub const CLOCK_SKEW_LIMIT_MS: i64 = 2_000;
/// Fewer free connections than this is a warning: each console holds two.
pub const HEADROOM_LIMIT: i64 = 20;

/// Sets the war room up on the server and says, line by line, what was done.
pub fn init_server(target: &PgTarget, grants: &RoleGrants) -> Result<Vec<String>, AdminError> {
    let report = admin::init(target, grants)?;
    Ok(describe_init(target, grants, &report))
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", sanitize_line(name))
}

fn describe_init(target: &PgTarget, grants: &RoleGrants, report: &InitReport) -> Vec<String> {
    let mut lines = Vec::new();
    lines.push(match report.version_before {
        0 => format!(
            "created the warroom schema (version {}) in {target}, owned by {}",
            report.version_after,
            quoted(&report.admin)
        ),
        v if v < report.version_after => format!(
            "brought the warroom schema in {target} from version {v} to {}",
            report.version_after
        ),
        v => format!("the warroom schema in {target} is at version {v}, as this binary expects"),
    });
    for role in &report.created_roles {
        lines.push(format!(
            "created role {} (NOLOGIN: a group; each person logs in as their own role, made a member with GRANT {} TO alice)",
            quoted(role),
            quoted(role)
        ));
    }
    lines.push("PUBLIC: no privilege on the schema or anything in it (revoked)".into());
    if let Some(role) = &grants.responders {
        let writes: Vec<String> = admin::TABLES
            .iter()
            .filter(|(_, changes)| !changes.is_empty())
            .map(|(table, changes)| {
                let changes: Vec<&str> = changes.iter().map(|c| c.as_sql()).collect();
                let but = match report.server_set_columns.get(*table) {
                    Some(columns) => {
                        format!(" (every column but {}: the server sets it)", columns.join(", "))
                    }
                    None => String::new(),
                };
                format!("{} on {table}{but}", changes.join(", "))
            })
            .collect();
        lines.push(format!(
            "responders {}: USAGE on the schema, SELECT on every table; {}; no UPDATE, DELETE or TRUNCATE on events (the log is append-only by the server's word)",
            quoted(role),
            writes.join("; ")
        ));
    }
    if let Some(role) = &grants.observers {
        lines.push(format!(
            "observers {}: USAGE on the schema and SELECT on every table, nothing else (their consoles open read-only)",
            quoted(role)
        ));
    }
    if report.granted_connect {
        lines.push(format!(
            "CONNECT on database {} to the roles above",
            quoted(target.dbname())
        ));
    }
    for role in &report.superuser_roles {
        lines.push(format!(
            "warning: role {} is a superuser: no grant binds it (it can rewrite the log)",
            quoted(role)
        ));
    }
    if grants.responders.is_none() && grants.observers.is_none() {
        lines.push(
            "no role was named: only the schema's owner and superusers can use the war room (add --responders ROLE, --observers ROLE)"
                .into(),
        );
    }
    lines
}

/// The URL responders put in their profile: the admin's, without its role,
/// so each connects as their own (the role defaults to the Unix account,
/// as with psql), and without any password.
pub fn responder_url(target: &PgTarget) -> String {
    let shown = target.to_string();
    // Display writes `postgresql://ROLE@…` with the role %-encoded, so the
    // first `@` ends it.
    match shown
        .strip_prefix("postgresql://")
        .and_then(|rest| rest.split_once('@'))
    {
        Some((_, rest)) => format!("postgresql://{rest}"),
        None => shown,
    }
}

/// `warroom init --db URL` as the admin types it: the URL without password.
fn init_command(target: &PgTarget) -> String {
    format!("warroom init --db {}", shell_word(&target.to_string()))
}

/// `text` as one shell word.
pub fn shell_word(text: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "/._-+,:@%=".contains(c);
    if !text.is_empty() && text.chars().all(plain) {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

/// Checks a PostgreSQL war room as the target's role: the connection and
/// login, TLS, the schema, this role's privileges, a NOTIFY round trip, the
/// clocks and the free connections. Later checks are skipped once one
/// fails that they depend on.
pub fn diagnose_server(target: &PgTarget) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut probe = match Probe::connect(target) {
        Ok(probe) => probe,
        Err(e) => {
            let fix = e.sqlstate().and_then(advice).map_or_else(
                || "see the message; check the URL (--db or WARROOM_DB)".to_string(),
                str::to_string,
            );
            findings.push(Finding {
                severity: Severity::Fail,
                what: format!("connection and login: {e}"),
                fix: Some(fix),
            });
            return findings;
        }
    };
    let failed = |findings: &mut Vec<Finding>, what: &str, e: AdminError| {
        findings.push(Finding {
            severity: Severity::Fail,
            what: format!("{what}: {e}"),
            fix: Some("see the message; run warroom doctor again once the server answers".into()),
        });
    };
    match probe.session() {
        Ok(session) => {
            findings.push(Finding::ok(format!(
                "connection and login: role {} on database {} (PostgreSQL {}){}",
                quoted(&session.role),
                quoted(&session.database),
                sanitize_line(&session.server_version),
                if session.superuser { ", a superuser" } else { "" }
            )));
            findings.push(tls_finding(target, session.tls.as_ref()));
        }
        Err(e) => {
            failed(&mut findings, "connection and login", e);
            return findings;
        }
    }
    let schema_ok = match probe.schema() {
        Ok(facts) => {
            let finding = schema_finding(target, &facts);
            let usable = finding.severity != Severity::Fail;
            findings.push(finding);
            usable
        }
        Err(e) => {
            failed(&mut findings, "schema", e);
            false
        }
    };
    if schema_ok {
        match probe.privileges() {
            Ok(facts) => findings.extend(privilege_findings(target, &facts)),
            Err(e) => failed(&mut findings, "privileges", e),
        }
    }
    match probe.notify_round_trip(target, NOTIFY_WAIT) {
        Ok(heard) => findings.push(notify_finding(heard)),
        Err(e) => failed(&mut findings, "NOTIFY round trip", e),
    }
    match probe.clock() {
        Ok(reading) => findings.push(clock_finding(reading.offset_ms, reading.round_trip)),
        Err(e) => failed(&mut findings, "clock", e),
    }
    match probe.headroom() {
        Ok(headroom) => findings.push(headroom_finding(&headroom)),
        Err(e) => failed(&mut findings, "connections", e),
    }
    findings
}

fn tls_finding(target: &PgTarget, tls: Option<&(String, String)>) -> Finding {
    let sslmode = target.sslmode();
    let asked = format!("sslmode={}", sslmode.as_str());
    let over_socket = target
        .endpoints()
        .iter()
        .all(|e| matches!(e.host, PgHost::Socket(_)));
    match tls {
        Some((protocol, cipher)) => {
            let in_use = format!(
                "TLS: in use ({}, {}), {asked}",
                sanitize_line(protocol),
                sanitize_line(cipher)
            );
            match sslmode {
                SslMode::VerifyFull => Finding::ok(format!("{in_use}: the certificate and the server's name are checked")),
                SslMode::VerifyCa => Finding::ok(format!("{in_use}: the certificate's authority is checked, not the name")),
                SslMode::Require => Finding::ok(format!(
                    "{in_use}: encrypted, the certificate not checked (sslmode=verify-full checks it)"
                )),
                SslMode::Prefer | SslMode::Disable => Finding::problem(
                    Severity::Warn,
                    format!("{in_use}: anyone on the path could have made this connection plain text"),
                    "use ?sslmode=require (the default for a host) or verify-full in the URL".into(),
                ),
            }
        }
        None if over_socket => Finding::ok(format!(
            "TLS: not in use, {asked}: the Unix socket does not leave this host"
        )),
        None => Finding::problem(
            Severity::Warn,
            format!(
                "TLS: not in use, {asked}: the queries, the record and the login travel unencrypted"
            ),
            "turn ssl on in the server's postgresql.conf and drop sslmode=disable/prefer from the URL (require is the default)".into(),
        ),
    }
}

fn schema_finding(target: &PgTarget, facts: &SchemaFacts) -> Finding {
    let expected = schema::postgres_version();
    let init = init_command(target);
    match facts {
        SchemaFacts::Missing => Finding::problem(
            Severity::Fail,
            format!(
                "schema: database {} has no warroom schema yet",
                quoted(target.dbname())
            ),
            format!("the database's owner runs: {init} --responders ROLE --observers ROLE"),
        ),
        SchemaFacts::NoUsage { owner } => Finding::problem(
            Severity::Fail,
            format!(
                "schema: role {} has no USAGE on the warroom schema (owned by {}), so it can see nothing in it",
                quoted(target.user()),
                quoted(owner)
            ),
            format!(
                "the owner makes this role a member of the responders (or observers) role: GRANT responders TO {}; after {init} --responders responders",
                quoted(target.user())
            ),
        ),
        SchemaFacts::Foreign => Finding::problem(
            Severity::Fail,
            "schema: the warroom schema here belongs to another application".into(),
            "use another database for the war room (warroom leaves this one untouched)".into(),
        ),
        SchemaFacts::Unreadable => Finding::problem(
            Severity::Fail,
            format!(
                "schema: role {} may not read warroom.meta, so the schema's version is unknown",
                quoted(target.user())
            ),
            format!("the owner runs {init} --responders ROLE (or --observers ROLE) for this role's group"),
        ),
        SchemaFacts::Version(found) if *found == expected => Finding::ok(format!(
            "schema: warroom schema version {found}, as this binary expects"
        )),
        SchemaFacts::Version(found) if *found > expected => Finding::problem(
            Severity::Fail,
            format!("schema: warroom schema version {found}, newer than this binary's {expected}"),
            "upgrade warroom on this host".into(),
        ),
        SchemaFacts::Version(found) => Finding::problem(
            Severity::Fail,
            format!("schema: warroom schema version {found}, older than this binary's {expected}"),
            format!("the schema's owner runs: {init} (it migrates, then puts the grants back)"),
        ),
    }
}

fn privilege_findings(target: &PgTarget, facts: &PrivilegeFacts) -> Vec<Finding> {
    let role = quoted(target.user());
    let init = init_command(target);
    let mut findings = Vec::new();
    let unreadable = facts.unreadable();
    if !unreadable.is_empty() {
        findings.push(Finding::problem(
            Severity::Fail,
            format!(
                "privileges: role {role} may not read {}",
                unreadable.join(", ")
            ),
            format!("the schema's owner runs: {init} --responders ROLE --observers ROLE (and makes this role a member of one)"),
        ));
        return findings;
    }
    if facts.can_write {
        let missing = facts.missing_for_writing();
        if missing.is_empty() {
            findings.push(Finding::ok(format!(
                "privileges: role {role} can read and write the war room"
            )));
        } else {
            findings.push(Finding::problem(
                Severity::Fail,
                format!(
                    "privileges: role {role} can add entries but lacks {}, so some writes fail",
                    missing.join(", ")
                ),
                format!("the schema's owner runs: {init} --responders ROLE (it puts the grants back)"),
            ));
        }
    } else {
        findings.push(Finding::problem(
            Severity::Warn,
            format!(
                "privileges: role {role} is read-only: it can read the war room but not write it (an observer); the console opens READ-ONLY"
            ),
            format!(
                "that is how it is set up; to take part, the owner makes it a responder: GRANT responders TO {role} (the role named by init --responders)"
            ),
        ));
    }
    let rewrites = facts.log_rewrites();
    if !rewrites.is_empty() {
        findings.push(Finding::problem(
            Severity::Warn,
            format!(
                "privileges: role {role} holds {}: the log is not append-only for this role",
                rewrites.join(", ")
            ),
            "connect as a responder's own role for the war room; keep the owner and superusers for init"
                .into(),
        ));
    }
    findings
}

fn notify_finding(heard: Option<Duration>) -> Finding {
    match heard {
        Some(after) => Finding::ok(format!(
            "NOTIFY round trip: came back in {:.1} ms (consoles update live)",
            after.as_secs_f64() * 1000.0
        )),
        None => Finding::problem(
            Severity::Warn,
            format!(
                "NOTIFY round trip: a NOTIFY did not reach a LISTEN on a second connection within {} s; consoles fall back to checking every second. A connection pooler in transaction mode (PgBouncer pool_mode=transaction) drops LISTEN",
                NOTIFY_WAIT.as_secs()
            ),
            "point warroom at the server itself, or at a pool in session mode".into(),
        ),
    }
}

fn clock_finding(offset_ms: i64, round_trip: Duration) -> Finding {
    let within = round_trip.as_millis().div_ceil(2).max(1);
    let what = match offset_ms {
        0 => format!("clock: this host and the server agree (measured within {within} ms)"),
        // The server's clock minus ours: positive, ours is behind.
        1.. => format!("clock: this host is {offset_ms} ms behind the server (measured within {within} ms)"),
        _ => format!(
            "clock: this host is {} ms ahead of the server (measured within {within} ms)",
            offset_ms.unsigned_abs()
        ),
    };
    if offset_ms.abs() > CLOCK_SKEW_LIMIT_MS {
        Finding::problem(
            Severity::Warn,
            format!(
                "{what}: more than {} s, so entries written here are stamped out of step with the other hosts and timers come due at other moments",
                CLOCK_SKEW_LIMIT_MS / 1000
            ),
            "synchronise this host's clock (and the server's) with NTP: timedatectl set-ntp true, or chrony"
                .into(),
        )
    } else {
        Finding::ok(what)
    }
}

fn headroom_finding(headroom: &admin::Headroom) -> Finding {
    let what = format!(
        "connections: {} of {} free ({} in use, {} reserved for superusers)",
        headroom.free(),
        headroom.max_connections,
        headroom.in_use,
        headroom.reserved
    );
    if headroom.free() < HEADROOM_LIMIT {
        Finding::problem(
            Severity::Warn,
            format!("{what}: fewer than {HEADROOM_LIMIT}, and each console holds two"),
            advice("53300").unwrap_or_default().to_string(),
        )
    } else {
        Finding::ok(what)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::postgres::PgEnv;

    fn target(url: &str) -> PgTarget {
        PgTarget::parse(url, &PgEnv::of_account("alice")).unwrap()
    }

    #[test]
    fn the_responders_url_names_neither_the_admin_nor_a_password() {
        assert_eq!(
            responder_url(&target("postgresql://admin:s3cret@db.example/war")),
            "postgresql://db.example:5432/war"
        );
        assert_eq!(
            responder_url(&target(
                "postgres://a%40b@db.example:6000/war?sslmode=verify-full"
            )),
            "postgresql://db.example:6000/war?sslmode=verify-full"
        );
        assert_eq!(
            shell_word("postgresql://db.example:5432/war?sslmode=verify-full"),
            "'postgresql://db.example:5432/war?sslmode=verify-full'"
        );
    }

    #[test]
    fn clocks_apart_by_more_than_two_seconds_are_a_warning() {
        assert_eq!(
            clock_finding(1_999, Duration::from_millis(4)).severity,
            Severity::Ok
        );
        let ahead = clock_finding(-2_001, Duration::from_millis(4));
        assert_eq!(ahead.severity, Severity::Warn);
        assert!(
            ahead
                .what
                .starts_with("clock: this host is 2001 ms ahead of the server"),
            "{}",
            ahead.what
        );
    }

    #[test]
    fn fewer_than_twenty_free_connections_are_a_warning() {
        let headroom = |in_use| admin::Headroom {
            max_connections: 100,
            reserved: 3,
            in_use,
        };
        assert_eq!(headroom_finding(&headroom(77)).severity, Severity::Ok);
        let tight = headroom_finding(&headroom(78));
        assert_eq!(tight.severity, Severity::Warn);
        assert!(
            tight
                .what
                .starts_with("connections: 19 of 100 free (78 in use, 3 reserved for superusers)")
        );
        assert_eq!(headroom(200).free(), 0);
    }
}
