//! A throwaway PostgreSQL server for the tests: one per test binary, made on
//! first use and shared by that binary's tests (each test takes a database of
//! its own with [`PgServer::database`]), or a private one for a test that
//! stops and starts it ([`PgServer::start_private`]).
//!
//! The server is real: `initdb` and `pg_ctl` from the host's PostgreSQL, run
//! as the `postgres` account (else `nobody`) when the tests run as root,
//! because the server refuses root. Everything lives in one private folder
//! (`warroom-pg-*` under `$WARROOM_PG_ROOT`, else the temp folder): the data,
//! the log, the Unix socket, and a throwaway CA with the server certificate.
//!
//! Access, written to `pg_hba.conf` by this file:
//! * over the Unix socket, the superuser `warroom` needs no password;
//! * over TCP (`127.0.0.1` only) every connection needs the superuser's
//!   password ([`PgServer::password`], SCRAM), with or without TLS, so tests
//!   can check how `warroom` finds and hides a password.
//!
//! A test binary exits without dropping statics, so a watchdog bound to the
//! test process's pid stops the server and removes its folder once that
//! process is gone, however it ended. `.ci/run` also sweeps `$WARROOM_PG_ROOT`.
#![allow(dead_code)]

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

/// The superuser `initdb` creates; the URLs name it.
pub const SUPERUSER: &str = "warroom";

/// Folders of the harness are named `PREFIX*`, so a sweep can find them.
const FOLDER_PREFIX: &str = "warroom-pg-";

/// Attempts at a random free port before giving up.
const PORT_ATTEMPTS: usize = 8;

/// A running PostgreSQL server that belongs to the tests.
#[derive(Debug)]
pub struct PgServer {
    /// The private folder: `data/`, `log`, the socket, the TLS files.
    dir: PathBuf,
    /// The folder with `initdb`, `pg_ctl`, `postgres`.
    bin: PathBuf,
    /// The account that runs the server when the tests run as root.
    account: Option<ServerAccount>,
    /// `ca.crt` in `dir`.
    ca_file: PathBuf,
    port: u16,
    password: String,
    /// The binary-wide server: stopping it would pull it from under the
    /// other tests running in parallel, so stop/start refuse it.
    shared: bool,
}

#[derive(Debug, Clone)]
struct ServerAccount {
    name: String,
    uid: u32,
    gid: u32,
}

/// A database of its own for one test, on a [`PgServer`].
#[derive(Debug, Clone)]
pub struct TestDb {
    pub name: String,
    /// `postgresql://warroom@%2F<socket folder>:PORT/NAME`: no password needed.
    pub socket_url: String,
    /// `postgresql://warroom@127.0.0.1:PORT/NAME`: the password is needed
    /// ([`PgServer::password`]) and is not in the URL.
    pub tcp_url: String,
}

/// Why no server could be had.
enum Unavailable {
    /// The host has no PostgreSQL server binaries (or no `openssl`): a test
    /// may skip, unless `WARROOM_REQUIRE_PG` is set.
    NoBinaries(String),
    /// The binaries are there but the server did not come up: always a failure.
    Failed(String),
}

/// True when `WARROOM_REQUIRE_PG` is set (to anything but empty or `0`):
/// then a PostgreSQL test may not skip. CI sets it.
pub fn required() -> bool {
    std::env::var("WARROOM_REQUIRE_PG").is_ok_and(|v| !v.is_empty() && v != "0")
}

/// The server shared by every test of this test binary, started on first use.
///
/// Returns `None`, after printing `SKIPPED <test_name>: no PostgreSQL server
/// binaries (…)`, only when the host has no server binaries and
/// `WARROOM_REQUIRE_PG` is unset. Panics with the reason when the server
/// cannot be had otherwise (binaries present but the start failed, or
/// `WARROOM_REQUIRE_PG` set). Never call [`PgServer::stop`], `start` or
/// `restart` on it: use [`PgServer::start_private`] for that.
pub fn server(test_name: &str) -> Option<&'static PgServer> {
    static SHARED: OnceLock<Result<PgServer, Unavailable>> = OnceLock::new();
    match SHARED.get_or_init(|| PgServer::create(true)) {
        Ok(server) => Some(server),
        Err(why) => skip_or_panic(test_name, why),
    }
}

fn skip_or_panic<T>(test_name: &str, why: &Unavailable) -> Option<T> {
    match why {
        Unavailable::NoBinaries(detail) if !required() => {
            println!("SKIPPED {test_name}: no PostgreSQL server binaries ({detail})");
            None
        }
        Unavailable::NoBinaries(detail) => panic!(
            "{test_name}: WARROOM_REQUIRE_PG is set but there are no PostgreSQL server \
             binaries: {detail} (`.ci/run` installs them with apt-get)"
        ),
        Unavailable::Failed(detail) => {
            panic!("{test_name}: the test PostgreSQL server did not start: {detail}")
        }
    }
}

impl PgServer {
    /// A server for this test alone, with the same setup as [`server`]: for a
    /// test that stops, starts or restarts it. Dropping it stops the server
    /// and removes its folder. `None` and panics as for [`server`].
    pub fn start_private(test_name: &str) -> Option<PgServer> {
        match PgServer::create(false) {
            Ok(server) => Some(server),
            Err(why) => skip_or_panic(test_name, &why),
        }
    }

    /// Creates a fresh database with a unique name (`test_N`) and returns
    /// its name and URLs. Panics if the server refuses.
    pub fn database(&self) -> TestDb {
        static NEXT: AtomicU32 = AtomicU32::new(1);
        let name = format!("test_{}", NEXT.fetch_add(1, Ordering::Relaxed));
        self.sql("postgres", &format!("CREATE DATABASE {name}"));
        TestDb {
            socket_url: format!(
                "postgresql://{SUPERUSER}@{}:{}/{name}",
                percent_encode(&self.dir.to_string_lossy()),
                self.port
            ),
            tcp_url: format!("postgresql://{SUPERUSER}@127.0.0.1:{}/{name}", self.port),
            name,
        }
    }

    /// The superuser's password, needed over TCP (random per server).
    pub fn password(&self) -> &str {
        &self.password
    }

    /// The throwaway CA that signed the server's certificate (for
    /// `sslmode=verify-full&sslrootcert=…`); readable by every account. The
    /// certificate names `localhost` and `127.0.0.1`.
    pub fn ca_file(&self) -> &Path {
        &self.ca_file
    }

    /// The folder holding the Unix socket (`.s.PGSQL.PORT`), reachable by
    /// every account.
    pub fn socket_dir(&self) -> &Path {
        &self.dir
    }

    /// The TCP port (on 127.0.0.1), also the socket's number.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The folder of the server's programs, for tests that run `psql` or
    /// `pg_dump` as a user would.
    pub fn bin_dir(&self) -> &Path {
        &self.bin
    }

    /// The server's log, for a failing test's message.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("log")).unwrap_or_default()
    }

    /// Runs `sql` (one or more statements, simple query protocol) in
    /// database `db` as the superuser over the socket; returns every row of
    /// every statement as text (`None` for NULL). Panics on any error.
    pub fn sql(&self, db: &str, sql: &str) -> Vec<Vec<Option<String>>> {
        self.try_sql(db, sql)
            .unwrap_or_else(|e| panic!("SQL in database {db} failed: {}\n{sql}", error_text(&e)))
    }

    /// [`PgServer::sql`] that returns the error, for tests about errors.
    pub fn try_sql(&self, db: &str, sql: &str) -> Result<Vec<Vec<Option<String>>>, postgres::Error> {
        let mut client = self.superuser_config(db).connect(postgres::NoTls)?;
        let rows = client
            .simple_query(sql)?
            .into_iter()
            .filter_map(|message| match message {
                postgres::SimpleQueryMessage::Row(row) => {
                    Some((0..row.len()).map(|i| row.get(i).map(str::to_string)).collect())
                }
                _ => None,
            })
            .collect();
        Ok(rows)
    }

    /// A client configuration for the superuser over the socket.
    pub fn superuser_config(&self, db: &str) -> postgres::Config {
        let mut config = postgres::Config::new();
        config
            .host_path(&self.dir)
            .port(self.port)
            .user(SUPERUSER)
            .dbname(db)
            .connect_timeout(std::time::Duration::from_secs(10));
        config
    }

    /// Stops the server (`pg_ctl stop -m fast`, waiting) and starts it again
    /// on the same port and folder, returning once it accepts connections.
    /// Private servers only.
    pub fn restart(&self) {
        self.stop();
        self.start();
    }

    /// Stops the server (`-m fast`: clients are disconnected), waiting until
    /// it is down. Private servers only.
    pub fn stop(&self) {
        self.refuse_if_shared("stop");
        let out = self.pg_ctl(&["stop", "-m", "fast", "-w", "-t", "60"]);
        assert!(
            out.status.success(),
            "pg_ctl stop failed: {}{}",
            String::from_utf8_lossy(&out.stderr),
            self.log_tail()
        );
    }

    /// Starts a stopped server again on the same port and folder, returning
    /// once it accepts connections. Private servers only.
    pub fn start(&self) {
        self.refuse_if_shared("start");
        if let Err(why) = self.launch() {
            panic!("the test PostgreSQL server did not start again: {why}");
        }
    }

    fn refuse_if_shared(&self, what: &str) {
        assert!(
            !self.shared,
            "{what} on the shared test PostgreSQL server would pull it from under the \
             other tests of this binary: use PgServer::start_private"
        );
    }

    fn create(shared: bool) -> Result<PgServer, Unavailable> {
        let bin = server_binaries().map_err(Unavailable::NoBinaries)?;
        let failed = Unavailable::Failed;
        let account = server_account().map_err(failed)?;
        let root = std::env::var_os("WARROOM_PG_ROOT")
            .map(PathBuf::from)
            .unwrap_or_else(std::env::temp_dir);
        let dir = tempfile::Builder::new()
            .prefix(FOLDER_PREFIX)
            .tempdir_in(&root)
            .map_err(|e| failed(format!("cannot make a folder in {}: {e}", root.display())))?
            .keep();
        // The socket path must fit in sun_path (108 bytes with its NUL).
        if dir.join(".s.PGSQL.65535").as_os_str().len() > 107 {
            return Err(failed(format!(
                "{} is too long a folder for a Unix socket: set WARROOM_PG_ROOT to a short one",
                dir.display()
            )));
        }
        let server = PgServer {
            ca_file: dir.join("ca.crt"),
            dir,
            bin,
            account,
            port: 0,
            password: format!("wr-test-{}", uuid::Uuid::new_v4().simple()),
            shared,
        };
        // From here on the watchdog owns the folder: it goes whatever happens.
        server.start_watchdog().map_err(failed)?;
        server.set_up().map_err(failed)?;
        server.start_on_a_free_port().map_err(failed)
    }

    /// initdb, TLS files, access rules and settings; the server is not started.
    fn set_up(&self) -> Result<(), String> {
        std::fs::set_permissions(&self.dir, std::fs::Permissions::from_mode(0o755))
            .map_err(|e| format!("chmod {}: {e}", self.dir.display()))?;
        self.give_to_server_account(&self.dir)?;

        let password_file = self.dir.join("password");
        std::fs::write(&password_file, &self.password).map_err(|e| e.to_string())?;
        self.give_to_server_account(&password_file)?;
        let out = self
            .as_server_account(&self.bin.join("initdb"))
            .arg("-D")
            .arg(self.data_dir())
            .args(["-U", SUPERUSER, "-A", "trust", "-E", "UTF8", "--locale=C"])
            .arg("--no-sync")
            .arg(format!("--pwfile={}", password_file.display()))
            .output()
            .map_err(|e| format!("run initdb: {e}"))?;
        let _ = std::fs::remove_file(&password_file);
        if !out.status.success() {
            return Err(format!(
                "initdb failed: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
        }

        self.make_tls_files()?;

        let data = self.data_dir();
        std::fs::write(
            data.join("pg_hba.conf"),
            "# Written by tests/common/pg.rs: no password over the socket, the\n\
             # superuser's password over TCP (with or without TLS).\n\
             local all all trust\n\
             host  all all 127.0.0.1/32 scram-sha-256\n",
        )
        .map_err(|e| format!("write pg_hba.conf: {e}"))?;
        let mut conf = std::fs::read_to_string(data.join("postgresql.conf"))
            .map_err(|e| format!("read postgresql.conf: {e}"))?;
        conf.push_str("\ninclude 'harness.conf'\n");
        std::fs::write(data.join("postgresql.conf"), conf)
            .map_err(|e| format!("write postgresql.conf: {e}"))?;
        Ok(())
    }

    /// A throwaway CA and a server certificate it signs, for `localhost` and
    /// 127.0.0.1, made with the `openssl` command. The CA's key is deleted
    /// once it has signed: nothing else may be signed with it.
    fn make_tls_files(&self) -> Result<(), String> {
        let openssl = |args: &[&str]| -> Result<(), String> {
            let out = Command::new("openssl")
                .args(args)
                .current_dir(&self.dir)
                .output()
                .map_err(|e| format!("run openssl: {e}"))?;
            if out.status.success() {
                Ok(())
            } else {
                Err(format!(
                    "openssl {args:?} failed: {}",
                    String::from_utf8_lossy(&out.stderr)
                ))
            }
        };
        let ec_key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"];
        openssl(
            &[
                &["req", "-x509", "-new", "-nodes"][..],
                &ec_key,
                &["-keyout", "ca.key", "-out", "ca.crt", "-days", "3"],
                &["-subj", "/CN=warroom test CA"],
                &["-addext", "basicConstraints=critical,CA:TRUE"],
                &["-addext", "keyUsage=critical,keyCertSign,cRLSign"],
            ]
            .concat(),
        )?;
        openssl(
            &[
                &["req", "-new", "-nodes"][..],
                &ec_key,
                &["-keyout", "server.key", "-out", "server.csr"],
                &["-subj", "/CN=localhost"],
            ]
            .concat(),
        )?;
        std::fs::write(
            self.dir.join("server.ext"),
            "subjectAltName=DNS:localhost,IP:127.0.0.1\n\
             basicConstraints=critical,CA:FALSE\n\
             keyUsage=critical,digitalSignature\n\
             extendedKeyUsage=serverAuth\n",
        )
        .map_err(|e| e.to_string())?;
        openssl(
            &[
                &["x509", "-req", "-in", "server.csr", "-out", "server.crt"][..],
                &["-CA", "ca.crt", "-CAkey", "ca.key", "-set_serial", "2"],
                &["-days", "3", "-extfile", "server.ext"],
            ]
            .concat(),
        )?;
        for leftover in ["ca.key", "server.csr", "server.ext"] {
            let _ = std::fs::remove_file(self.dir.join(leftover));
        }
        // The server insists its key is private to it.
        let key = self.dir.join("server.key");
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).map_err(|e| e.to_string())?;
        self.give_to_server_account(&key)?;
        for public in ["ca.crt", "server.crt"] {
            std::fs::set_permissions(self.dir.join(public), std::fs::Permissions::from_mode(0o644))
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    }

    /// Starts the server on a random free port, trying another port when
    /// someone else took it between the probe and the bind.
    fn start_on_a_free_port(mut self) -> Result<PgServer, String> {
        let mut last_failure = String::new();
        for _ in 0..PORT_ATTEMPTS {
            self.port = free_port()?;
            std::fs::write(self.data_dir().join("harness.conf"), self.settings())
                .map_err(|e| format!("write harness.conf: {e}"))?;
            // A fresh log, so the reason read back is this attempt's.
            let _ = std::fs::remove_file(self.dir.join("log"));
            match self.launch() {
                Ok(()) => return Ok(self),
                Err(why) if why.contains("could not bind") => {
                    last_failure = why;
                }
                Err(why) => return Err(why),
            }
        }
        Err(format!(
            "no free port after {PORT_ATTEMPTS} attempts: {last_failure}"
        ))
    }

    /// The settings this harness adds to `postgresql.conf`.
    fn settings(&self) -> String {
        let dir = self.dir.display();
        format!(
            "# Written by tests/common/pg.rs\n\
             port = {port}\n\
             listen_addresses = '127.0.0.1'\n\
             unix_socket_directories = '{dir}'\n\
             unix_socket_permissions = 0777\n\
             fsync = off\n\
             max_connections = 300\n\
             password_encryption = 'scram-sha-256'\n\
             ssl = on\n\
             ssl_cert_file = '{dir}/server.crt'\n\
             ssl_key_file = '{dir}/server.key'\n",
            port = self.port
        )
    }

    /// `pg_ctl start`, waiting until the server accepts connections.
    fn launch(&self) -> Result<(), String> {
        let out = self.pg_ctl(&["start", "-w", "-t", "60", "-l"]);
        if out.status.success() {
            return Ok(());
        }
        Err(format!(
            "pg_ctl start failed: {}{}",
            String::from_utf8_lossy(&out.stderr),
            self.log_tail()
        ))
    }

    /// Runs `pg_ctl ARGS… -D data` as the server's account (`-l` last in
    /// `args` takes the log file).
    fn pg_ctl(&self, args: &[&str]) -> std::process::Output {
        let mut cmd = self.as_server_account(&self.bin.join("pg_ctl"));
        cmd.args(args);
        if args.last() == Some(&"-l") {
            cmd.arg(self.dir.join("log"));
        }
        cmd.arg("-D")
            .arg(self.data_dir())
            .stdin(Stdio::null())
            .output()
            .expect("run pg_ctl")
    }

    fn log_tail(&self) -> String {
        let log = self.log();
        let lines: Vec<&str> = log.lines().collect();
        let tail = lines[lines.len().saturating_sub(20)..].join("\n");
        format!("\nserver log ({}):\n{tail}", self.dir.join("log").display())
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.join("data")
    }

    fn as_server_account(&self, program: &Path) -> Command {
        match &self.account {
            Some(account) => {
                let mut cmd = Command::new("runuser");
                cmd.args(["-u", &account.name, "--"]).arg(program);
                cmd
            }
            None => Command::new(program),
        }
    }

    fn give_to_server_account(&self, path: &Path) -> Result<(), String> {
        match &self.account {
            Some(account) => std::os::unix::fs::chown(path, Some(account.uid), Some(account.gid))
                .map_err(|e| format!("chown {}: {e}", path.display())),
            None => Ok(()),
        }
    }

    /// A detached shell that waits for this test process to end, then stops
    /// the server (if running) and removes the folder. It is in a session of
    /// its own, so Ctrl-C on `cargo test` does not kill it first.
    fn start_watchdog(&self) -> Result<(), String> {
        let data = self.data_dir();
        let mut stop = String::new();
        if let Some(account) = &self.account {
            stop.push_str(&format!("runuser -u {} -- ", shell_quote(&account.name)));
        }
        stop.push_str(&format!(
            "{} stop -m immediate -w -D {}",
            shell_quote(&self.bin.join("pg_ctl").to_string_lossy()),
            shell_quote(&data.to_string_lossy())
        ));
        let script = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 1; done\n\
             if [ -f {pid_file} ]; then {stop}; fi\n\
             rm -rf {dir}\n",
            pid = std::process::id(),
            pid_file = shell_quote(&data.join("postmaster.pid").to_string_lossy()),
            dir = shell_quote(&self.dir.to_string_lossy()),
        );
        let mut watchdog = Command::new("sh");
        watchdog
            .args(["-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // SAFETY: setsid is async-signal-safe and touches no memory of ours.
        unsafe {
            watchdog.pre_exec(|| {
                libc::setsid();
                Ok(())
            });
        }
        watchdog
            .spawn()
            .map(drop)
            .map_err(|e| format!("start the watchdog: {e}"))
    }
}

impl Drop for PgServer {
    /// A private server goes with its test: stopped at once, folder removed.
    fn drop(&mut self) {
        if self.data_dir().join("postmaster.pid").exists() {
            let _ = self.pg_ctl(&["stop", "-m", "immediate", "-w"]);
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The folder with `initdb`, `pg_ctl` and `postgres`: `pg_config --bindir`,
/// else the newest `/usr/lib/postgresql/*/bin` (Debian's layout). `openssl`
/// must be there too, for the server's certificate.
fn server_binaries() -> Result<PathBuf, String> {
    let complete = |dir: &Path| {
        ["initdb", "pg_ctl", "postgres"]
            .iter()
            .all(|b| dir.join(b).is_file())
    };
    let mut candidates = Vec::new();
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output()
        && out.status.success()
    {
        candidates.push(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()));
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .collect();
    versions.sort();
    candidates.extend(versions.into_iter().rev().map(|(_, bin)| bin));
    let bin = candidates.into_iter().find(|dir| complete(dir)).ok_or(
        "initdb, pg_ctl and postgres are neither in `pg_config --bindir` nor in \
         /usr/lib/postgresql/*/bin",
    )?;
    let openssl = Command::new("openssl")
        .arg("version")
        .stdout(Stdio::null())
        .status();
    if !openssl.is_ok_and(|s| s.success()) {
        return Err("no `openssl` command to make the server's certificate".into());
    }
    Ok(bin)
}

/// Who runs the server: nobody special when the tests are not root; as root,
/// the `postgres` account, else `nobody` (the server refuses root).
fn server_account() -> Result<Option<ServerAccount>, String> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Ok(None);
    }
    ["postgres", "nobody"]
        .iter()
        .find_map(uzers::get_user_by_name)
        .map(|user| {
            Some(ServerAccount {
                name: user.name().to_string_lossy().into_owned(),
                uid: user.uid(),
                gid: user.primary_group_id(),
            })
        })
        .ok_or_else(|| {
            "running as root, and neither a `postgres` nor a `nobody` account exists to run the server".into()
        })
}

/// A port free on 127.0.0.1 right now (the kernel picks it).
fn free_port() -> Result<u16, String> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .map_err(|e| format!("no free port: {e}"))
}

/// Percent-encodes everything but RFC 3986's unreserved characters, as a
/// URL's host part needs for a socket folder (`/` becomes `%2F`).
pub fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// A driver error with its causes (the driver's Display alone can be terse).
pub fn error_text(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        let inner_text = inner.to_string();
        if !text.contains(&inner_text) {
            text.push_str(": ");
            text.push_str(&inner_text);
        }
        cause = inner.source();
    }
    text
}
