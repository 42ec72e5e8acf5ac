//! The throwaway PostgreSQL server the tests use (tests/common/pg.rs) does
//! what the other suites rely on: independent databases, the socket without
//! a password, TCP only with it, TLS verified against the harness's CA,
//! LISTEN/NOTIFY, a private server that survives a stop, and no server left
//! behind when a test process ends.

mod common;

use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::accounts::is_root;
use common::pg::{self, PgServer, error_text};
use postgres::config::SslMode;
use postgres::error::SqlState;
use postgres::fallible_iterator::FallibleIterator;
use postgres::{Client, NoTls};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

/// Set for the child process of `a_test_process_that_ends_leaves_no_server_behind`.
const CHILD: &str = "WARROOM_PG_HARNESS_CHILD";

fn rows(values: &[&[Option<&str>]]) -> Vec<Vec<Option<String>>> {
    values
        .iter()
        .map(|row| row.iter().map(|v| v.map(str::to_string)).collect())
        .collect()
}

/// A TLS connector that trusts only `roots`, as `warroom` verifies with
/// `sslrootcert`.
fn tls_trusting(roots: rustls::RootCertStore) -> tokio_postgres_rustls::MakeRustlsConnect {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    tokio_postgres_rustls::MakeRustlsConnect::new(config)
}

fn harness_ca(server: &PgServer) -> rustls::RootCertStore {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(server.ca_file()).expect("read the CA file") {
        roots.add(cert.expect("a PEM certificate")).expect("a usable CA");
    }
    roots
}

/// True while process `pid` runs (a zombie no longer serves anything).
fn running(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .is_ok_and(|stat| stat.rsplit(')').next().is_some_and(|s| !s.starts_with(" Z")))
}

fn postmaster_pid(server: &PgServer) -> u32 {
    let pid_file = server.socket_dir().join("data/postmaster.pid");
    std::fs::read_to_string(&pid_file)
        .expect("postmaster.pid")
        .lines()
        .next()
        .and_then(|line| line.trim().parse().ok())
        .expect("a pid on postmaster.pid's first line")
}

#[test]
fn two_databases_are_independent_and_the_socket_needs_no_password() {
    let Some(server) = pg::server("two_databases_are_independent_and_the_socket_needs_no_password") else {
        return;
    };
    let (a, b) = (server.database(), server.database());
    assert_ne!(a.name, b.name);
    server.sql(
        &a.name,
        "CREATE TABLE only_in_a (n int); INSERT INTO only_in_a VALUES (1)",
    );
    assert_eq!(
        server.sql(&a.name, "SELECT n FROM only_in_a"),
        rows(&[&[Some("1")]])
    );
    assert_eq!(
        server.sql(&b.name, "SELECT to_regclass('only_in_a')::text"),
        rows(&[&[None]])
    );

    // The URL as a user would pass it, with no password anywhere.
    assert!(
        a.socket_url.starts_with("postgresql://warroom@%2F"),
        "{}",
        a.socket_url
    );
    for url in [&a.socket_url, &a.tcp_url] {
        assert!(!url.contains(server.password()), "a password in {url}");
    }
    let mut client = Client::connect(&a.socket_url, NoTls).expect("socket without password");
    let row = client
        .query_one("SELECT current_user::text, current_database()::text", &[])
        .unwrap();
    assert_eq!(
        (row.get::<_, String>(0), row.get::<_, String>(1)),
        ("warroom".into(), a.name)
    );
}

#[test]
fn tcp_needs_the_password() {
    let Some(server) = pg::server("tcp_needs_the_password") else {
        return;
    };
    let db = server.database();
    let mut config: postgres::Config = db.tcp_url.parse().expect("tcp_url parses");
    config.ssl_mode(SslMode::Disable);

    // Without one the client gives up before asking (as libpq's
    // "fe_sendauth: no password supplied"): the server wants SCRAM.
    let missing = config
        .connect(NoTls)
        .err()
        .expect("TCP without a password refused");
    assert_eq!(missing.code(), None);
    assert!(
        error_text(&missing).contains("password missing"),
        "{}",
        error_text(&missing)
    );

    config.password("not-the-password");
    let wrong = config
        .connect(NoTls)
        .err()
        .expect("TCP with a wrong password refused");
    assert_eq!(
        wrong.code(),
        Some(&SqlState::INVALID_PASSWORD),
        "{}",
        error_text(&wrong)
    );

    config.password(server.password());
    let mut client = config.connect(NoTls).expect("TCP with the password");
    let row = client
        .query_one(
            "SELECT current_user::text, ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .unwrap();
    assert_eq!(
        (row.get::<_, String>(0), row.get::<_, bool>(1)),
        ("warroom".into(), false)
    );
}

#[test]
fn tls_is_verified_against_the_harness_ca() {
    let Some(server) = pg::server("tls_is_verified_against_the_harness_ca") else {
        return;
    };
    let db = server.database();
    let mut config: postgres::Config = db.tcp_url.parse().unwrap();
    config.password(server.password()).ssl_mode(SslMode::Require);

    let mut client = config
        .connect(tls_trusting(harness_ca(server)))
        .unwrap_or_else(|e| panic!("TLS with the harness CA: {}", error_text(&e)));
    let row = client
        .query_one("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", &[])
        .unwrap();
    assert!(row.get::<_, bool>(0), "the connection is not encrypted");

    // A client that does not trust the harness CA refuses the server.
    let untrusted = config
        .connect(tls_trusting(rustls::RootCertStore::empty()))
        .err()
        .expect("TLS without trusting the CA refused");
    assert!(
        error_text(&untrusted).contains("UnknownIssuer"),
        "{}",
        error_text(&untrusted)
    );
}

#[test]
fn other_accounts_reach_the_socket_and_verify_tls_with_psql() {
    let Some(server) = pg::server("other_accounts_reach_the_socket_and_verify_tls_with_psql") else {
        return;
    };
    let db = server.database();
    // As root, run psql as `nobody`: the socket, its folder and the CA file
    // must be open to any account (tests run warroom as other accounts).
    let psql = |url: &str| {
        let mut cmd = if is_root() {
            let mut cmd = Command::new("runuser");
            cmd.args(["-u", "nobody", "--"]);
            cmd.arg(server.bin_dir().join("psql"));
            cmd
        } else {
            Command::new(server.bin_dir().join("psql"))
        };
        let out = cmd
            .args([
                "-X",
                "-At",
                "-c",
                "SELECT current_user, ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            ])
            .arg(url)
            .env("PGPASSWORD", server.password())
            .env("PGCONNECT_TIMEOUT", "10")
            .output()
            .expect("run psql");
        assert!(
            out.status.success(),
            "psql {url}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(psql(&db.socket_url), "warroom|f\n");
    let verified = format!(
        "{}?sslmode=verify-full&sslrootcert={}",
        db.tcp_url.replace("127.0.0.1", "localhost"),
        server.ca_file().display()
    );
    // localhost may resolve to ::1 first, where nothing listens: libpq
    // then tries 127.0.0.1, which the certificate names too.
    assert_eq!(psql(&verified), "warroom|t\n");
    assert_eq!(
        psql(&format!(
            "{}?sslmode=verify-full&sslrootcert={}",
            db.tcp_url,
            server.ca_file().display()
        )),
        "warroom|t\n"
    );
}

#[test]
fn listen_notify_round_trip() {
    let Some(server) = pg::server("listen_notify_round_trip") else {
        return;
    };
    let db = server.database();
    let mut listener = Client::connect(&db.socket_url, NoTls).unwrap();
    listener.batch_execute("LISTEN warroom").unwrap();
    let mut writer = Client::connect(&db.socket_url, NoTls).unwrap();
    writer.batch_execute("NOTIFY warroom, '7:42'").unwrap();

    let mut notifications = listener.notifications();
    let heard = notifications
        .timeout_iter(Duration::from_secs(5))
        .next()
        .expect("the listening connection failed")
        .expect("a notification within 5 s");
    assert_eq!((heard.channel(), heard.payload()), ("warroom", "7:42"));
}

#[test]
fn the_shared_server_refuses_to_be_stopped() {
    let Some(server) = pg::server("the_shared_server_refuses_to_be_stopped") else {
        return;
    };
    for (what, action) in [
        ("stop", PgServer::stop as fn(&PgServer)),
        ("start", PgServer::start),
        ("restart", PgServer::restart),
    ] {
        let refusal = std::panic::catch_unwind(|| action(server)).expect_err(what);
        let message = refusal.downcast_ref::<String>().expect("a panic message");
        assert!(
            message.contains("use PgServer::start_private"),
            "{what}: {message}"
        );
    }
    assert_eq!(server.sql("postgres", "SELECT 1"), rows(&[&[Some("1")]]));
}

#[test]
fn a_private_server_stops_starts_and_restarts_keeping_its_data() {
    let Some(server) = PgServer::start_private("a_private_server_stops_starts_and_restarts_keeping_its_data")
    else {
        return;
    };
    let db = server.database();
    server.sql(
        &db.name,
        "CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)",
    );
    let mut open_client = Client::connect(&db.socket_url, NoTls).unwrap();

    server.stop();
    assert!(
        open_client.simple_query("SELECT 1").is_err(),
        "a client survived the stop"
    );
    let refused = server
        .try_sql(&db.name, "SELECT 1")
        .expect_err("a stopped server answered");
    assert_eq!(refused.code(), None, "{}", error_text(&refused));

    server.start();
    assert_eq!(server.sql(&db.name, "SELECT n FROM kept"), rows(&[&[Some("42")]]));

    server.restart();
    // Same port and password over TCP: the URLs a test holds stay good.
    let mut config: postgres::Config = db.tcp_url.parse().unwrap();
    config.password(server.password()).ssl_mode(SslMode::Disable);
    let mut client = config.connect(NoTls).expect("TCP after the restart");
    assert_eq!(
        client
            .query_one("SELECT n FROM kept", &[])
            .unwrap()
            .get::<_, i32>(0),
        42
    );
    drop(client);

    let (dir, pid) = (server.socket_dir().to_path_buf(), postmaster_pid(&server));
    drop(server);
    assert!(!running(pid), "the dropped server's postmaster {pid} still runs");
    assert!(!dir.exists(), "{} was left behind", dir.display());
}

/// Runs this test binary again as a child that starts the shared server and
/// exits without dropping it, as every test binary does; the watchdog must
/// stop that server and remove its folder.
#[test]
fn a_test_process_that_ends_leaves_no_server_behind() {
    if std::env::var_os(CHILD).is_some()
        || pg::server("a_test_process_that_ends_leaves_no_server_behind").is_none()
    {
        return;
    }
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_starts_the_shared_server_and_exits",
            "--nocapture",
        ])
        .env(CHILD, "1")
        .output()
        .expect("run the child");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .find_map(|line| line.strip_prefix("SERVER "))
        .unwrap_or_else(|| {
            panic!(
                "the child said no SERVER line: {stdout}{}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
    let (dir, pid) = line.rsplit_once(' ').unwrap();
    let (dir, pid) = (std::path::PathBuf::from(dir), pid.parse::<u32>().unwrap());

    let deadline = Instant::now() + Duration::from_secs(15);
    while (running(pid) || dir.exists()) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(!running(pid), "the child's server (postmaster {pid}) still runs");
    assert!(!dir.exists(), "{} was left behind", dir.display());
}

/// Only does something as the child of the test above.
#[test]
fn child_starts_the_shared_server_and_exits() {
    if std::env::var_os(CHILD).is_none() {
        return;
    }
    let server = pg::server("child").expect("the parent saw a server");
    println!(
        "SERVER {} {}",
        server.socket_dir().display(),
        postmaster_pid(server)
    );
    std::process::exit(0);
}
