//! Reaching a real PostgreSQL server (tests/common/pg.rs) the way a
//! responder's warroom does: from a URL, with the password from
//! PGPASSWORD or a password file, over the socket or TLS, and failing with
//! a message that names the fix and never the password.

mod common;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::pg::{self, PgServer};
use warroom::store::Location;
use warroom::store::postgres::{ConnectError, PasswordSource, PgEnv, PgHost, PgTarget, advice, connect_with};

const APP: &str = "warroom test@pg_connect";

/// An environment with a private, empty HOME: no real ~/.pgpass or
/// ~/.postgresql/root.crt can change the outcome.
struct Surroundings {
    home: tempfile::TempDir,
    env: PgEnv,
}

fn surroundings() -> Surroundings {
    let home = tempfile::tempdir().expect("a temporary HOME");
    let env = PgEnv {
        account: "nobody-in-particular".into(),
        home: Some(home.path().to_path_buf()),
        password: None,
        passfile: None,
    };
    Surroundings { home, env }
}

fn target(url: &str, env: &PgEnv) -> PgTarget {
    PgTarget::parse(url, env).unwrap_or_else(|e| panic!("{url}: {e}"))
}

/// The session's TLS state, role, database and name as the server sees it.
fn session(client: &mut postgres::Client) -> (bool, String, String, String) {
    let row = client
        .query_one(
            "SELECT s.ssl, current_user::text, current_database()::text, a.application_name
               FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid)
              WHERE pid = pg_backend_pid()",
            &[],
        )
        .expect("read the session");
    (row.get(0), row.get(1), row.get(2), row.get(3))
}

fn failure(url: &str, env: &PgEnv) -> ConnectError {
    match connect_with(&target(url, env), APP, env) {
        Ok(_) => panic!("{url} connected"),
        Err(error) => error,
    }
}

/// Neither the message nor the debug form holds any of `secrets`.
fn assert_hides(error: &ConnectError, secrets: &[&str]) {
    let shown = format!("{error}\n{error:?}");
    for secret in secrets {
        assert!(!shown.contains(secret), "{secret} shown in: {shown}");
    }
}

fn write_private(path: &Path, text: &str, mode: u32) {
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn the_socket_needs_no_password_and_no_tls() {
    let Some(server) = pg::server("the_socket_needs_no_password_and_no_tls") else {
        return;
    };
    let db = server.database();
    let place = surroundings();
    let location = Location::parse_with(PathBuf::from(&db.socket_url), &place.env).unwrap();
    let target = location.postgres().expect("a PostgreSQL location");
    assert_eq!(
        target.endpoints()[0].host,
        PgHost::Socket(server.socket_dir().to_path_buf())
    );
    let mut client = connect_with(target, APP, &place.env).expect("connect over the socket");
    assert_eq!(
        session(&mut client),
        (false, "warroom".into(), db.name.clone(), APP.into())
    );
}

#[test]
fn tcp_takes_the_password_from_pgpassword_and_uses_tls_by_default() {
    let Some(server) = pg::server("tcp_takes_the_password_from_pgpassword_and_uses_tls_by_default") else {
        return;
    };
    let db = server.database();
    let mut place = surroundings();
    place.env.password = Some(server.password().into());
    let target = target(&db.tcp_url, &place.env);
    assert_eq!(
        target.to_string(),
        db.tcp_url,
        "shown as given: the defaults are not spelt out"
    );
    let mut client = connect_with(&target, APP, &place.env).expect("connect over TCP");
    assert_eq!(
        session(&mut client),
        (true, "warroom".into(), db.name.clone(), APP.into()),
        "sslmode=require by default: encrypted"
    );
}

#[test]
fn tcp_takes_the_password_from_a_private_pgpass_only() {
    let Some(server) = pg::server("tcp_takes_the_password_from_a_private_pgpass_only") else {
        return;
    };
    let db = server.database();
    let place = surroundings();
    let pgpass = place.home.path().join(".pgpass");
    let line = format!(
        "# other servers first\nlocalhost:*:*:*:wrong\n127.0.0.1:{}:{}:warroom:{}\n",
        server.port(),
        db.name,
        server.password()
    );
    write_private(&pgpass, &line, 0o600);
    let target = target(&db.tcp_url, &place.env);
    let mut client = connect_with(&target, APP, &place.env).expect("connect with ~/.pgpass");
    assert!(session(&mut client).0);

    // Readable by the group: ignored, and the refusal says so.
    std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o640)).unwrap();
    let error = failure(&db.tcp_url, &place.env);
    let ConnectError::PasswordNeeded { warnings, .. } = &error else {
        panic!("expected PasswordNeeded, got {error:?}");
    };
    let shown_path = pgpass.display();
    assert_eq!(
        warnings,
        &[format!(
            "the password file {shown_path} is readable by others (mode 0640), so it was ignored, as libpq does; chmod 0600 {shown_path}"
        )]
    );
    assert_eq!(
        error.to_string(),
        format!(
            "PostgreSQL at 127.0.0.1:{} asks role \"warroom\" for a password and warroom found none (looked in the URL, PGPASSWORD and {shown_path}): {}; note: {}",
            server.port(),
            advice("28P01").unwrap(),
            warnings[0]
        )
    );
    assert_hides(&error, &[server.password()]);

    // $PGPASSFILE names another file, used in its place.
    let team_file = place.home.path().join("team-pgpass");
    write_private(&team_file, &format!("*:*:*:*:{}\n", server.password()), 0o600);
    let mut named = place.env.clone();
    named.passfile = Some(team_file);
    connect_with(&target, APP, &named).expect("connect with $PGPASSFILE");
}

#[test]
fn a_wrong_password_is_refused_without_showing_either_password() {
    let Some(server) = pg::server("a_wrong_password_is_refused_without_showing_either_password") else {
        return;
    };
    let db = server.database();
    let mut place = surroundings();
    place.env.password = Some("not-the-Pa55word".into());
    let error = failure(&db.tcp_url, &place.env);
    assert!(
        matches!(
            &error,
            ConnectError::PasswordRejected { source: PasswordSource::Environment, user, .. } if user == "warroom"
        ),
        "{error:?}"
    );
    assert_eq!(error.sqlstate(), Some("28P01"));
    assert_eq!(
        error.to_string(),
        format!(
            "PostgreSQL at 127.0.0.1:{} rejected the password of role \"warroom\" (28P01; the password came from PGPASSWORD): {}",
            server.port(),
            advice("28P01").unwrap()
        )
    );
    assert_hides(&error, &["not-the-Pa55word", server.password()]);

    // In the URL: named as the source, and still never shown.
    let in_url = db.tcp_url.replace("warroom@", "warroom:url-Pa55word%21@");
    let error = failure(&in_url, &surroundings().env);
    assert!(
        matches!(
            &error,
            ConnectError::PasswordRejected {
                source: PasswordSource::Url,
                ..
            }
        ),
        "{error:?}"
    );
    assert_hides(&error, &["url-Pa55word", server.password()]);

    // None anywhere.
    let error = failure(&db.tcp_url, &surroundings().env);
    assert!(matches!(error, ConnectError::PasswordNeeded { .. }), "{error:?}");
}

#[test]
fn verify_full_trusts_the_given_ca_for_each_name_on_the_certificate() {
    let Some(server) = pg::server("verify_full_trusts_the_given_ca_for_each_name_on_the_certificate") else {
        return;
    };
    let db = server.database();
    let mut place = surroundings();
    place.env.password = Some(server.password().into());
    let ca = server.ca_file().display().to_string();
    for host in ["127.0.0.1", "localhost"] {
        for mode in ["verify-full", "verify-ca"] {
            let url = format!(
                "postgresql://warroom@{host}:{}/{}?sslmode={mode}&sslrootcert={ca}",
                server.port(),
                db.name
            );
            let mut client = connect_with(&target(&url, &place.env), APP, &place.env)
                .unwrap_or_else(|e| panic!("{url}: {e}"));
            assert!(session(&mut client).0, "{url}");
        }
    }

    // Without sslrootcert, ~/.postgresql/root.crt is the authority.
    let url = format!(
        "postgresql://warroom@localhost:{}/{}?sslmode=verify-full",
        server.port(),
        db.name
    );
    std::fs::create_dir(place.home.path().join(".postgresql")).unwrap();
    std::fs::copy(server.ca_file(), place.home.path().join(".postgresql/root.crt")).unwrap();
    connect_with(&target(&url, &place.env), APP, &place.env).expect("verified with ~/.postgresql/root.crt");
}

#[test]
fn a_certificate_from_another_authority_is_not_trusted() {
    let Some(server) = pg::server("a_certificate_from_another_authority_is_not_trusted") else {
        return;
    };
    let db = server.database();
    let mut place = surroundings();
    place.env.password = Some(server.password().into());
    let stranger = place.home.path().join("stranger");
    std::fs::create_dir(&stranger).unwrap();
    let (other_ca, _, _) = make_certificate(&stranger, "db.example");
    for mode in ["verify-full", "verify-ca"] {
        let url = format!(
            "postgresql://warroom@127.0.0.1:{}/{}?sslmode={mode}&sslrootcert={}",
            server.port(),
            db.name,
            other_ca.display()
        );
        let error = failure(&url, &place.env);
        let ConnectError::CertificateNotTrusted { roots, cause, .. } = &error else {
            panic!("{mode}: expected CertificateNotTrusted, got {error:?}");
        };
        assert_eq!(roots, &other_ca.display().to_string());
        assert_eq!(
            error.to_string(),
            format!(
                "the certificate of PostgreSQL at 127.0.0.1:{} is not trusted with sslmode={mode} ({cause}; checked against {}): give the authority that signed it with ?sslrootcert=/path/ca.crt, or put it in ~/.postgresql/root.crt",
                server.port(),
                other_ca.display()
            )
        );
        assert_hides(&error, &[server.password()]);
    }
    // sslmode=require encrypts without checking, as libpq does.
    let url = format!(
        "postgresql://warroom@127.0.0.1:{}/{}?sslmode=require&sslrootcert={}",
        server.port(),
        db.name,
        other_ca.display()
    );
    let mut client = connect_with(&target(&url, &place.env), APP, &place.env).expect("require");
    assert!(session(&mut client).0);

    let missing = format!(
        "postgresql://warroom@127.0.0.1:{}/{}?sslmode=verify-full&sslrootcert=/nonexistent/ca.crt",
        server.port(),
        db.name
    );
    let error = failure(&missing, &place.env);
    assert_eq!(
        error.to_string(),
        "cannot set up TLS for sslmode=verify-full: cannot read the certificate file /nonexistent/ca.crt: No such file or directory (os error 2)"
    );
}

/// A private server with a certificate for `db.example` only, then with
/// TLS off: the name check, and what each sslmode does without TLS.
#[test]
fn the_name_check_and_a_server_without_tls() {
    let Some(server) = PgServer::start_private("the_name_check_and_a_server_without_tls") else {
        return;
    };
    let db = server.database();
    let mut place = surroundings();
    place.env.password = Some(server.password().into());
    let (ca, cert, key) = make_certificate(server.socket_dir(), "db.example");
    let owner = std::fs::metadata(server.socket_dir()).unwrap();
    for file in [&cert, &key] {
        std::os::unix::fs::chown(file, Some(owner.uid()), Some(owner.gid())).unwrap();
    }
    // One statement per call: ALTER SYSTEM refuses a transaction block.
    server.sql(
        "postgres",
        &format!("ALTER SYSTEM SET ssl_cert_file = '{}'", cert.display()),
    );
    server.sql(
        "postgres",
        &format!("ALTER SYSTEM SET ssl_key_file = '{}'", key.display()),
    );
    server.sql("postgres", "SELECT pg_reload_conf()");
    let url = |mode: &str| {
        format!(
            "postgresql://warroom@127.0.0.1:{}/{}?sslmode={mode}&sslrootcert={}",
            server.port(),
            db.name,
            ca.display()
        )
    };
    // verify-ca takes the chain alone; it passes once the reload is done.
    let deadline = Instant::now() + Duration::from_secs(10);
    while let Err(error) = connect_with(&target(&url("verify-ca"), &place.env), APP, &place.env) {
        assert!(
            Instant::now() < deadline,
            "the new certificate never came: {error}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let error = failure(&url("verify-full"), &place.env);
    let ConnectError::CertificateWrongName { cause, .. } = &error else {
        panic!("expected CertificateWrongName, got {error:?}");
    };
    assert_eq!(
        error.to_string(),
        format!(
            "the certificate of PostgreSQL at 127.0.0.1:{} is not issued for that host name (sslmode=verify-full; {cause}): connect with a name the certificate carries, or use sslmode=verify-ca to check the authority only",
            server.port()
        )
    );
    assert!(cause.contains("127.0.0.1"), "{cause}");

    server.sql("postgres", "ALTER SYSTEM SET ssl = off");
    server.sql("postgres", "SELECT pg_reload_conf()");
    let tcp = |mode: &str| {
        format!(
            "postgresql://warroom@127.0.0.1:{}/{}?sslmode={mode}",
            server.port(),
            db.name
        )
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    let error = loop {
        match connect_with(&target(&tcp("require"), &place.env), APP, &place.env) {
            Err(error @ ConnectError::NoTlsOnServer { .. }) => break error,
            other => {
                assert!(Instant::now() < deadline, "TLS never went off: {:?}", other.err());
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    };
    assert_eq!(
        error.to_string(),
        format!(
            "the server does not accept TLS: PostgreSQL at 127.0.0.1:{} refused to encrypt and sslmode=require requires it, so nothing was sent; turn ssl on in the server's postgresql.conf (with a certificate), or, only on a network you trust, add ?sslmode=disable to the URL",
            server.port()
        )
    );
    // The default over TCP is require: no silent downgrade.
    let default = format!("postgresql://warroom@127.0.0.1:{}/{}", server.port(), db.name);
    assert!(matches!(
        failure(&default, &place.env),
        ConnectError::NoTlsOnServer { .. }
    ));
    assert!(matches!(
        failure(&tcp("verify-full"), &place.env),
        ConnectError::NoTlsOnServer { .. }
    ));
    // Asked for by name, prefer and disable go without.
    for mode in ["prefer", "disable"] {
        let mut client = connect_with(&target(&tcp(mode), &place.env), APP, &place.env)
            .unwrap_or_else(|e| panic!("{mode}: {e}"));
        assert!(!session(&mut client).0, "{mode}");
    }
}

#[test]
fn server_refusals_name_the_sqlstate_fix() {
    let Some(server) = pg::server("server_refusals_name_the_sqlstate_fix") else {
        return;
    };
    let db = server.database();
    let place = surroundings();
    let socket = |role: &str, dbname: &str| {
        format!(
            "postgresql://{role}@{}:{}/{dbname}",
            pg::percent_encode(&server.socket_dir().to_string_lossy()),
            server.port()
        )
    };

    let error = failure(&socket("warroom", "no_such_db"), &place.env);
    assert_eq!(
        error.to_string(),
        format!(
            "there is no database \"no_such_db\" on PostgreSQL at the socket {}/.s.PGSQL.{} (3D000): {}",
            server.socket_dir().display(),
            server.port(),
            advice("3D000").unwrap()
        )
    );

    let nologin = format!("nologin_{}", db.name);
    let limited = format!("limited_{}", db.name);
    server.sql(
        "postgres",
        &format!("CREATE ROLE {nologin} NOLOGIN; CREATE ROLE {limited} LOGIN CONNECTION LIMIT 1"),
    );
    let error = failure(&socket(&nologin, &db.name), &place.env);
    assert_eq!(error.sqlstate(), Some("28000"));
    assert_eq!(
        error.to_string(),
        format!(
            "PostgreSQL at the socket {}/.s.PGSQL.{} does not let role \"{nologin}\" connect to database \"{}\" from here (28000: role \"{nologin}\" is not permitted to log in): {}",
            server.socket_dir().display(),
            server.port(),
            db.name,
            advice("28000").unwrap()
        )
    );

    let first = target(&socket(&limited, &db.name), &place.env);
    let _held = connect_with(&first, APP, &place.env).expect("the one connection allowed");
    let error = failure(&socket(&limited, &db.name), &place.env);
    assert_eq!(
        error.to_string(),
        format!(
            "PostgreSQL at the socket {}/.s.PGSQL.{} has no free connection slot (53300: too many connections for role \"{limited}\"): {}",
            server.socket_dir().display(),
            server.port(),
            advice("53300").unwrap()
        )
    );
}

#[test]
fn nothing_listening_and_a_silent_server_fail_in_time() {
    let Some(server) = pg::server("nothing_listening_and_a_silent_server_fail_in_time") else {
        return;
    };
    let db = server.database();
    let mut place = surroundings();
    place.env.password = Some(server.password().into());

    // A port nobody listens on (bound, then released).
    let dead_port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let error = failure(
        &format!("postgresql://warroom@127.0.0.1:{dead_port}/x"),
        &place.env,
    );
    assert_eq!(
        error.to_string(),
        format!(
            "cannot reach PostgreSQL at 127.0.0.1:{dead_port}: Connection refused (os error 111); is the server running and listening on that address and port (listen_addresses, port, a firewall)?"
        )
    );
    let empty = tempfile::tempdir().unwrap();
    let error = failure(
        &format!(
            "postgresql://warroom@{}:5432/x",
            pg::percent_encode(&empty.path().to_string_lossy())
        ),
        &place.env,
    );
    assert_eq!(
        error.to_string(),
        format!(
            "cannot reach PostgreSQL at the socket {}/.s.PGSQL.5432: No such file or directory (os error 2); is the server running, with this folder in its unix_socket_directories and this port?",
            empty.path().display()
        )
    );

    // Accepts the connection, then says nothing: bounded by connect_timeout.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_port = silent.local_addr().unwrap().port();
    let started = Instant::now();
    let error = failure(
        &format!("postgresql://warroom@127.0.0.1:{silent_port}/x?connect_timeout=1"),
        &place.env,
    );
    let took = started.elapsed();
    assert_eq!(
        error.to_string(),
        format!(
            "no answer from PostgreSQL at 127.0.0.1:{silent_port} within 1 s: the host may be down or a firewall drops the traffic; check the address, or allow longer with ?connect_timeout=SECONDS"
        )
    );
    assert!(
        took >= Duration::from_secs(1) && took < Duration::from_secs(3),
        "{took:?}"
    );

    // Several servers: the first that answers is used, in order.
    let url = format!(
        "postgresql://warroom@127.0.0.1:{dead_port},127.0.0.1:{}/{}",
        server.port(),
        db.name
    );
    let mut client = connect_with(&target(&url, &place.env), APP, &place.env).expect("the second server");
    assert_eq!(session(&mut client).2, db.name);
    let both_dead =
        format!("postgresql://warroom@127.0.0.1:{dead_port},127.0.0.1:{silent_port}/x?connect_timeout=1");
    let error = failure(&both_dead, &place.env);
    let ConnectError::Several(failures) = &error else {
        panic!("expected Several, got {error:?}");
    };
    assert!(
        matches!(
            failures[..],
            [ConnectError::Unreachable { .. }, ConnectError::Timeout { .. }]
        ),
        "{failures:?}"
    );
    drop(silent);
}

/// A CA and a certificate it signs for `name` only, in `dir`: (ca.crt,
/// server cert, server key), made with `openssl` as an admin would.
fn make_certificate(dir: &Path, name: &str) -> (PathBuf, PathBuf, PathBuf) {
    let openssl = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("run openssl");
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    openssl(
        &[
            &["req", "-x509", "-new"][..],
            &ec,
            &[
                "-keyout",
                "other-ca.key",
                "-out",
                "other-ca.crt",
                "-days",
                "2",
                "-subj",
                "/CN=another CA",
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign",
            ],
        ]
        .concat(),
    );
    openssl(
        &[
            &["req", "-new"][..],
            &ec,
            &[
                "-keyout",
                "named.key",
                "-out",
                "named.csr",
                "-subj",
                &format!("/CN={name}"),
            ],
        ]
        .concat(),
    );
    std::fs::write(
        dir.join("named.ext"),
        format!(
            "subjectAltName=DNS:{name}\nbasicConstraints=critical,CA:FALSE\nextendedKeyUsage=serverAuth\n"
        ),
    )
    .unwrap();
    openssl(&[
        "x509",
        "-req",
        "-in",
        "named.csr",
        "-out",
        "named.crt",
        "-CA",
        "other-ca.crt",
        "-CAkey",
        "other-ca.key",
        "-set_serial",
        "7",
        "-days",
        "2",
        "-extfile",
        "named.ext",
    ]);
    std::fs::set_permissions(dir.join("named.key"), std::fs::Permissions::from_mode(0o600)).unwrap();
    (
        dir.join("other-ca.crt"),
        dir.join("named.crt"),
        dir.join("named.key"),
    )
}
