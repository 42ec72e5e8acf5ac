//! One connection to a PostgreSQL war room, and a failure worded for the
//! responder who has to fix it at 3 a.m. No message carries the password:
//! it is only ever handed to the driver.

use std::error::Error as _;
use std::fmt;
use std::io;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::time::Duration;

use postgres::{Client, NoTls};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::password::{self, PasswordLookup, PasswordSource, PgEnv};
use super::target::{Endpoint, PgHost, PgTarget, SslMode};
use super::tls;
use crate::domain::sanitize_line;

/// TCP keepalives, so a connection whose server vanished (a dead host, a
/// dropped VPN) fails within about a minute instead of hanging a console.
const KEEPALIVE_IDLE: Duration = Duration::from_secs(30);
const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(10);
const KEEPALIVE_RETRIES: u32 = 3;

/// The fix for each SQLSTATE warroom explains: one table for the messages
/// below and for `doctor`.
const ADVICE: &[(&str, &str)] = &[
    (
        "28P01",
        "the password is wrong or missing: warroom takes it from the URL, else PGPASSWORD, else ~/.pgpass (or the file PGPASSFILE names; mode 0600; lines host:port:database:user:password); if it is right there, ask the database admin to set it on the server (ALTER ROLE … PASSWORD)",
    ),
    (
        "28000",
        "the server's pg_hba.conf has no line letting this role reach this database from this host, or the role may not log in: ask the database admin to add one (hostssl DATABASE ROLE ADDRESS scram-sha-256), reload the server, and check the role has LOGIN",
    ),
    (
        "3D000",
        "create the database on that server (createdb NAME, as a role that may create databases), then set the war room up in it with warroom init --db URL",
    ),
    (
        "53300",
        "close idle sessions (see pg_stat_activity) or raise max_connections on the server; each warroom console holds two connections",
    ),
    (
        "57P03",
        "the server is starting up, shutting down or recovering: wait a moment and try again",
    ),
    (
        "42501",
        "the role lacks a privilege it needs: ask the database owner to run warroom init --db URL --responders ROLE (or to GRANT CONNECT ON DATABASE … TO the role)",
    ),
    (
        "3F000",
        "the war room is not set up in this database: run warroom init --db URL as its owner",
    ),
];

/// The fix for a failure the server reported with `sqlstate`, when warroom
/// knows one.
pub fn advice(sqlstate: &str) -> Option<&'static str> {
    ADVICE
        .iter()
        .find(|(code, _)| *code == sqlstate)
        .map(|(_, fix)| *fix)
}

/// Why no connection could be had. `Display` names the server, what
/// happened and what to do; it never holds the password.
#[derive(Debug)]
pub enum ConnectError {
    /// Nothing answered: refused, no route, no such host, no socket file.
    Unreachable {
        endpoint: Endpoint,
        cause: String,
    },
    /// No complete answer within `connect_timeout`.
    Timeout {
        endpoint: Endpoint,
        after: Duration,
    },
    /// 28P01 with a password offered.
    PasswordRejected {
        endpoint: Endpoint,
        user: String,
        source: PasswordSource,
        warnings: Vec<String>,
    },
    /// The server asks for a password and none was found.
    PasswordNeeded {
        endpoint: Endpoint,
        user: String,
        passfile: Option<PathBuf>,
        warnings: Vec<String>,
    },
    /// 28000: pg_hba.conf has no entry for this role, database and host.
    NotAllowed {
        endpoint: Endpoint,
        user: String,
        dbname: String,
        server_says: String,
    },
    /// 3D000.
    NoDatabase {
        endpoint: Endpoint,
        dbname: String,
    },
    /// 53300.
    TooManyConnections {
        endpoint: Endpoint,
        server_says: String,
    },
    /// The server answered the TLS request with no, and the sslmode needs TLS.
    NoTlsOnServer {
        endpoint: Endpoint,
        sslmode: SslMode,
    },
    /// `verify-*`: the chain does not lead to a trusted authority (or is out of date).
    CertificateNotTrusted {
        endpoint: Endpoint,
        sslmode: SslMode,
        roots: String,
        cause: String,
    },
    /// `verify-full`: the certificate is not issued for the host name used.
    CertificateWrongName {
        endpoint: Endpoint,
        cause: String,
    },
    /// Any other TLS failure.
    Tls {
        endpoint: Endpoint,
        cause: String,
    },
    /// The authorities to verify against, or TLS itself, could not be set up.
    TlsSetup {
        sslmode: SslMode,
        cause: String,
    },
    /// Another error the server reported, with its SQLSTATE.
    Refused {
        endpoint: Endpoint,
        sqlstate: String,
        server_says: String,
    },
    Other {
        endpoint: Endpoint,
        cause: String,
    },
    /// Every server of a URL with several failed; one error each, in order.
    Several(Vec<ConnectError>),
}

impl ConnectError {
    /// The SQLSTATE the server gave, when the failure came from the server.
    pub fn sqlstate(&self) -> Option<&str> {
        match self {
            ConnectError::PasswordRejected { .. } | ConnectError::PasswordNeeded { .. } => Some("28P01"),
            ConnectError::NotAllowed { .. } => Some("28000"),
            ConnectError::NoDatabase { .. } => Some("3D000"),
            ConnectError::TooManyConnections { .. } => Some("53300"),
            ConnectError::Refused { sqlstate, .. } => Some(sqlstate),
            _ => None,
        }
    }
}

impl std::error::Error for ConnectError {}

fn fix(sqlstate: &str) -> &'static str {
    advice(sqlstate).unwrap_or("")
}

fn notes(f: &mut fmt::Formatter<'_>, warnings: &[String]) -> fmt::Result {
    for warning in warnings {
        write!(f, "; note: {warning}")?;
    }
    Ok(())
}

impl fmt::Display for ConnectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let quoted = |text: &str| format!("\"{}\"", sanitize_line(text));
        match self {
            ConnectError::Unreachable { endpoint, cause } => {
                let check = match endpoint.host {
                    PgHost::Tcp(_) => {
                        "is the server running and listening on that address and port (listen_addresses, port, a firewall)?"
                    }
                    PgHost::Socket(_) => {
                        "is the server running, with this folder in its unix_socket_directories and this port?"
                    }
                };
                write!(
                    f,
                    "cannot reach PostgreSQL at {endpoint}: {}; {check}",
                    sanitize_line(cause)
                )
            }
            ConnectError::Timeout { endpoint, after } => write!(
                f,
                "no answer from PostgreSQL at {endpoint} within {} s: the host may be down or a firewall drops the traffic; check the address, or allow longer with ?connect_timeout=SECONDS",
                after.as_secs()
            ),
            ConnectError::PasswordRejected {
                endpoint,
                user,
                source,
                warnings,
            } => {
                write!(
                    f,
                    "PostgreSQL at {endpoint} rejected the password of role {} (28P01; the password came from {source}): {}",
                    quoted(user),
                    fix("28P01")
                )?;
                notes(f, warnings)
            }
            ConnectError::PasswordNeeded {
                endpoint,
                user,
                passfile,
                warnings,
            } => {
                let file = passfile
                    .as_ref()
                    .map(|p| sanitize_line(&p.display().to_string()).into_owned())
                    .unwrap_or_else(|| "~/.pgpass (no home folder)".into());
                write!(
                    f,
                    "PostgreSQL at {endpoint} asks role {} for a password and warroom found none (looked in the URL, PGPASSWORD and {file}): {}",
                    quoted(user),
                    fix("28P01")
                )?;
                notes(f, warnings)
            }
            ConnectError::NotAllowed {
                endpoint,
                user,
                dbname,
                server_says,
            } => write!(
                f,
                "PostgreSQL at {endpoint} does not let role {} connect to database {} from here (28000: {}): {}",
                quoted(user),
                quoted(dbname),
                sanitize_line(server_says),
                fix("28000")
            ),
            ConnectError::NoDatabase { endpoint, dbname } => write!(
                f,
                "there is no database {} on PostgreSQL at {endpoint} (3D000): {}",
                quoted(dbname),
                fix("3D000")
            ),
            ConnectError::TooManyConnections {
                endpoint,
                server_says,
            } => write!(
                f,
                "PostgreSQL at {endpoint} has no free connection slot (53300: {}): {}",
                sanitize_line(server_says),
                fix("53300")
            ),
            ConnectError::NoTlsOnServer { endpoint, sslmode } => write!(
                f,
                "the server does not accept TLS: PostgreSQL at {endpoint} refused to encrypt and sslmode={} requires it, so nothing was sent; turn ssl on in the server's postgresql.conf (with a certificate), or, only on a network you trust, add ?sslmode=disable to the URL",
                sslmode.as_str()
            ),
            ConnectError::CertificateNotTrusted {
                endpoint,
                sslmode,
                roots,
                cause,
            } => write!(
                f,
                "the certificate of PostgreSQL at {endpoint} is not trusted with sslmode={} ({}; checked against {}): give the authority that signed it with ?sslrootcert=/path/ca.crt, or put it in ~/.postgresql/root.crt",
                sslmode.as_str(),
                sanitize_line(cause),
                sanitize_line(roots)
            ),
            ConnectError::CertificateWrongName { endpoint, cause } => write!(
                f,
                "the certificate of PostgreSQL at {endpoint} is not issued for that host name (sslmode=verify-full; {}): connect with a name the certificate carries, or use sslmode=verify-ca to check the authority only",
                sanitize_line(cause)
            ),
            ConnectError::Tls { endpoint, cause } => write!(
                f,
                "TLS with PostgreSQL at {endpoint} failed: {}",
                sanitize_line(cause)
            ),
            ConnectError::TlsSetup { sslmode, cause } => write!(
                f,
                "cannot set up TLS for sslmode={}: {}",
                sslmode.as_str(),
                sanitize_line(cause)
            ),
            ConnectError::Refused {
                endpoint,
                sqlstate,
                server_says,
            } => {
                write!(
                    f,
                    "PostgreSQL at {endpoint} refused the connection: {} (SQLSTATE {})",
                    sanitize_line(server_says),
                    sanitize_line(sqlstate)
                )?;
                match advice(sqlstate) {
                    Some(fix) => write!(f, ": {fix}"),
                    None => Ok(()),
                }
            }
            ConnectError::Other { endpoint, cause } => write!(
                f,
                "cannot connect to PostgreSQL at {endpoint}: {}",
                sanitize_line(cause)
            ),
            ConnectError::Several(failures) => {
                write!(
                    f,
                    "none of the {} servers in the URL could be used",
                    failures.len()
                )?;
                for failure in failures {
                    write!(f, "; {failure}")?;
                }
                Ok(())
            }
        }
    }
}

/// Connects to `target` with this process's environment (`PGPASSWORD`,
/// `~/.pgpass`, `~/.postgresql/root.crt`). `application_name` shows who is
/// connected in `pg_stat_activity` (`warroom account@host`).
pub fn connect(target: &PgTarget, application_name: &str) -> Result<Client, ConnectError> {
    connect_with(target, application_name, &PgEnv::from_process())
}

/// [`connect`] with the surroundings given: each server of the URL in
/// turn, each attempt bounded by `connect_timeout` as a whole (TCP, TLS
/// and login). Safe to call from any thread, even one inside a tokio
/// runtime: the driver runs on a thread of its own while connecting.
pub fn connect_with(target: &PgTarget, application_name: &str, env: &PgEnv) -> Result<Client, ConnectError> {
    let sslmode = target.sslmode();
    let tls = match sslmode {
        SslMode::Disable => None,
        _ => Some(tls_for(target, env)?),
    };
    let mut failures = Vec::new();
    for endpoint in target.endpoints() {
        match connect_endpoint(target, endpoint, application_name, env, tls.as_ref()) {
            Ok(client) => return Ok(client),
            Err(failure) => failures.push(failure),
        }
    }
    match failures.len() {
        1 => Err(failures.remove(0)),
        _ => Err(ConnectError::Several(failures)),
    }
}

/// The TLS connector for the target's sslmode, and (verifying modes) where
/// its authorities came from.
struct TlsSetup {
    connector: MakeRustlsConnect,
    roots: Option<String>,
}

fn tls_for(target: &PgTarget, env: &PgEnv) -> Result<TlsSetup, ConnectError> {
    let sslmode = target.sslmode();
    let setup_failed = |cause: String| ConnectError::TlsSetup { sslmode, cause };
    let roots = match sslmode.verifies_certificate() {
        true => Some(tls::load_roots(target.root_certificates(), env.home.as_deref()).map_err(setup_failed)?),
        false => None,
    };
    let config = tls::client_config(sslmode, roots.as_ref()).map_err(|e| setup_failed(e.to_string()))?;
    Ok(TlsSetup {
        connector: MakeRustlsConnect::new(config),
        roots: roots.map(|r| r.origin),
    })
}

/// Attempts given up at their timeout and still waiting for a server, in
/// this process.
static ABANDONED_ATTEMPTS: AtomicUsize = AtomicUsize::new(0);
/// Past this many, no new attempt is made until one of them ends.
const MAX_ABANDONED_ATTEMPTS: usize = 4;
/// An attempt's state, between its thread and the caller waiting for it.
const WAITING: u8 = 0;
const FINISHED: u8 = 1;
const ABANDONED: u8 = 2;

fn connect_endpoint(
    target: &PgTarget,
    endpoint: &Endpoint,
    application_name: &str,
    env: &PgEnv,
    tls: Option<&TlsSetup>,
) -> Result<Client, ConnectError> {
    let lookup = password::lookup(target, endpoint, env);
    let mut config = postgres::Config::new();
    match &endpoint.host {
        PgHost::Tcp(name) => config.host(name),
        PgHost::Socket(folder) => config.host_path(folder),
    };
    config
        .port(endpoint.port)
        .user(target.user())
        .dbname(target.dbname())
        .application_name(application_name)
        .connect_timeout(target.connect_timeout())
        .keepalives(true)
        .keepalives_idle(KEEPALIVE_IDLE)
        .keepalives_interval(KEEPALIVE_INTERVAL)
        .keepalives_retries(KEEPALIVE_RETRIES)
        .ssl_mode(match target.sslmode() {
            SslMode::Disable => postgres::config::SslMode::Disable,
            SslMode::Prefer => postgres::config::SslMode::Prefer,
            SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => postgres::config::SslMode::Require,
        });
    if let Some(secret) = &lookup.password {
        config.password(secret.expose());
    }

    // The driver bounds only the TCP connect by connect_timeout; a server
    // that accepts and then says nothing would hang the caller. So the
    // attempt runs on its own thread and is abandoned when time is up (a
    // late client is dropped when it finds nobody waiting).
    // An attempt abandoned at its timeout waits until the server answers;
    // against one that accepts and never does, a console retrying every
    // second would pile them up, so past a few abandoned ones, none is made.
    if ABANDONED_ATTEMPTS.load(Ordering::SeqCst) >= MAX_ABANDONED_ATTEMPTS {
        return Err(ConnectError::Timeout {
            endpoint: endpoint.clone(),
            after: target.connect_timeout(),
        });
    }
    let state = Arc::new(AtomicU8::new(WAITING));
    let (sender, receiver) = mpsc::channel();
    let connector = tls.map(|t| t.connector.clone());
    let attempt_state = Arc::clone(&state);
    std::thread::Builder::new()
        .name("warroom-pg-connect".into())
        .spawn(move || {
            let result = match connector {
                Some(connector) => config.connect(connector),
                None => config.connect(NoTls),
            };
            if attempt_state
                .compare_exchange(WAITING, FINISHED, Ordering::SeqCst, Ordering::SeqCst)
                .is_err()
            {
                ABANDONED_ATTEMPTS.fetch_sub(1, Ordering::SeqCst);
            }
            let _ = sender.send(result);
        })
        .map_err(|e| ConnectError::Other {
            endpoint: endpoint.clone(),
            cause: format!("cannot start a thread to connect: {e}"),
        })?;
    let answer = match receiver.recv_timeout(target.connect_timeout()) {
        Err(mpsc::RecvTimeoutError::Timeout) => {
            ABANDONED_ATTEMPTS.fetch_add(1, Ordering::SeqCst);
            if state
                .compare_exchange(WAITING, ABANDONED, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
            {
                Err(mpsc::RecvTimeoutError::Timeout)
            } else {
                // It finished just now after all.
                ABANDONED_ATTEMPTS.fetch_sub(1, Ordering::SeqCst);
                receiver.recv().map_err(|_| mpsc::RecvTimeoutError::Disconnected)
            }
        }
        other => other,
    };
    match answer {
        Ok(Ok(client)) => Ok(client),
        Ok(Err(error)) => Err(explain(
            &error,
            endpoint,
            target,
            lookup,
            env,
            tls.and_then(|t| t.roots.as_deref()),
        )),
        Err(mpsc::RecvTimeoutError::Timeout) => Err(ConnectError::Timeout {
            endpoint: endpoint.clone(),
            after: target.connect_timeout(),
        }),
        Err(mpsc::RecvTimeoutError::Disconnected) => Err(ConnectError::Other {
            endpoint: endpoint.clone(),
            cause: "the connection attempt stopped without an answer".into(),
        }),
    }
}

/// Reads the driver's error into a [`ConnectError`]. The driver's kinds are
/// private; what it exposes is the server's SQLSTATE, the I/O error (with
/// rustls's inside for TLS), and its wording, which is fixed in its source.
fn explain(
    error: &postgres::Error,
    endpoint: &Endpoint,
    target: &PgTarget,
    lookup: PasswordLookup,
    env: &PgEnv,
    roots: Option<&str>,
) -> ConnectError {
    let endpoint = endpoint.clone();
    if let Some(db) = error.as_db_error() {
        let server_says = db.message().to_string();
        return match db.code().code() {
            "28P01" => ConnectError::PasswordRejected {
                endpoint,
                user: target.user().into(),
                source: lookup.source,
                warnings: lookup.warnings,
            },
            "28000" => ConnectError::NotAllowed {
                endpoint,
                user: target.user().into(),
                dbname: target.dbname().into(),
                server_says,
            },
            "3D000" => ConnectError::NoDatabase {
                endpoint,
                dbname: target.dbname().into(),
            },
            "53300" => ConnectError::TooManyConnections {
                endpoint,
                server_says,
            },
            code => ConnectError::Refused {
                endpoint,
                sqlstate: code.into(),
                server_says,
            },
        };
    }
    if let Some(io_error) = io_error_in(error) {
        if let Some(tls_error) = io_error
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        {
            return explain_tls(tls_error, endpoint, target.sslmode(), roots);
        }
        return match io_error.kind() {
            io::ErrorKind::TimedOut => ConnectError::Timeout {
                endpoint,
                after: target.connect_timeout(),
            },
            _ => ConnectError::Unreachable {
                endpoint,
                cause: io_error.to_string(),
            },
        };
    }
    let headline = error.to_string();
    let cause = error.source().map(|s| s.to_string()).unwrap_or_default();
    match (headline.as_str(), cause.as_str()) {
        ("error performing TLS handshake", "server does not support TLS") => ConnectError::NoTlsOnServer {
            endpoint,
            sslmode: target.sslmode(),
        },
        ("invalid configuration", "password missing") => ConnectError::PasswordNeeded {
            endpoint,
            user: target.user().into(),
            passfile: env.passfile_path(),
            warnings: lookup.warnings,
        },
        ("error performing TLS handshake", _) => ConnectError::Tls { endpoint, cause },
        (_, "") => ConnectError::Other {
            endpoint,
            cause: headline,
        },
        _ => ConnectError::Other {
            endpoint,
            cause: format!("{headline}: {cause}"),
        },
    }
}

fn io_error_in(error: &postgres::Error) -> Option<&io::Error> {
    let mut next = error.source();
    while let Some(current) = next {
        if let Some(io_error) = current.downcast_ref::<io::Error>() {
            return Some(io_error);
        }
        next = current.source();
    }
    None
}

fn explain_tls(
    error: &rustls::Error,
    endpoint: Endpoint,
    sslmode: SslMode,
    roots: Option<&str>,
) -> ConnectError {
    use rustls::CertificateError as Certificate;
    match error {
        rustls::Error::InvalidCertificate(
            Certificate::NotValidForName | Certificate::NotValidForNameContext { .. },
        ) => ConnectError::CertificateWrongName {
            endpoint,
            cause: error.to_string(),
        },
        rustls::Error::InvalidCertificate(_) if sslmode.verifies_certificate() => {
            ConnectError::CertificateNotTrusted {
                endpoint,
                sslmode,
                roots: roots.unwrap_or("no authority").into(),
                cause: error.to_string(),
            }
        }
        _ => ConnectError::Tls {
            endpoint,
            cause: error.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tcp(name: &str) -> Endpoint {
        Endpoint {
            host: PgHost::Tcp(name.into()),
            port: 5432,
        }
    }

    #[test]
    fn each_handled_sqlstate_has_one_fix() {
        for code in ["28P01", "28000", "3D000", "53300", "57P03", "42501", "3F000"] {
            assert!(advice(code).is_some_and(|fix| !fix.is_empty()), "{code}");
        }
        assert_eq!(advice("XX000"), None);
        let codes: Vec<_> = ADVICE.iter().map(|(code, _)| code).collect();
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(codes.len(), unique.len());
    }

    #[test]
    fn messages_name_the_server_and_the_fix() {
        let rejected = ConnectError::PasswordRejected {
            endpoint: tcp("db.example"),
            user: "ic".into(),
            source: PasswordSource::Environment,
            warnings: vec!["the password file /h/.pgpass is readable by others".into()],
        };
        assert_eq!(
            rejected.to_string(),
            format!(
                "PostgreSQL at db.example:5432 rejected the password of role \"ic\" (28P01; the password came from PGPASSWORD): {}; note: the password file /h/.pgpass is readable by others",
                advice("28P01").unwrap()
            )
        );
        assert_eq!(rejected.sqlstate(), Some("28P01"));
        let missing = ConnectError::NoDatabase {
            endpoint: tcp("db.example"),
            dbname: "war\u{1b}[2Jroom".into(),
        };
        assert_eq!(
            missing.to_string(),
            "there is no database \"war␛[2Jroom\" on PostgreSQL at db.example:5432 (3D000): create the database on that server (createdb NAME, as a role that may create databases), then set the war room up in it with warroom init --db URL"
        );
        let several = ConnectError::Several(vec![
            ConnectError::Timeout {
                endpoint: tcp("a"),
                after: Duration::from_secs(3),
            },
            ConnectError::Unreachable {
                endpoint: tcp("b"),
                cause: "Connection refused (os error 111)".into(),
            },
        ]);
        assert_eq!(
            several.to_string(),
            "none of the 2 servers in the URL could be used; no answer from PostgreSQL at a:5432 within 3 s: the host may be down or a firewall drops the traffic; check the address, or allow longer with ?connect_timeout=SECONDS; cannot reach PostgreSQL at b:5432: Connection refused (os error 111); is the server running and listening on that address and port (listen_addresses, port, a firewall)?"
        );
    }
}
