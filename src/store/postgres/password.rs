//! Where a PostgreSQL password comes from, in libpq's order: the URL, else
//! `PGPASSWORD`, else the password file (`$PGPASSFILE`, else `~/.pgpass`).
//!
//! The password is a [`Secret`]: no `Display`, a `Debug` that says
//! `[redacted]`, so no message, header or log line can carry it by accident.

use std::fmt;
use std::io::ErrorKind;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use super::target::{Endpoint, PgHost, PgTarget};
use crate::domain::sanitize_line;

/// A password. Reading it takes [`Secret::expose`], inside this module tree only.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub(super) fn new(text: String) -> Secret {
        Secret(text)
    }

    pub(super) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// What a connection reads from its surroundings, gathered once so tests
/// can give their own (a temporary HOME, a password) without changing the
/// process's environment.
#[derive(Clone, Default)]
pub struct PgEnv {
    /// The Unix account: the role when the URL names none.
    pub account: String,
    /// `$HOME`: `~/.pgpass` and `~/.postgresql/root.crt` live there.
    pub home: Option<PathBuf>,
    /// `$PGPASSWORD`.
    pub password: Option<String>,
    /// `$PGPASSFILE`, in place of `~/.pgpass`.
    pub passfile: Option<PathBuf>,
}

impl PgEnv {
    /// Only an account: no HOME, no password (for tests of the parts that
    /// do not read them).
    #[cfg(test)]
    pub(crate) fn of_account(account: &str) -> PgEnv {
        PgEnv {
            account: account.into(),
            ..PgEnv::default()
        }
    }

    /// This process's account and environment.
    pub fn from_process() -> PgEnv {
        let non_empty = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
        let home = non_empty("HOME").map(PathBuf::from).or_else(|| {
            use uzers::os::unix::UserExt;
            uzers::get_user_by_uid(uzers::get_current_uid()).map(|u| u.home_dir().to_path_buf())
        });
        PgEnv {
            account: crate::account::current_account(),
            home,
            password: non_empty("PGPASSWORD").map(|v| v.to_string_lossy().into_owned()),
            passfile: non_empty("PGPASSFILE").map(PathBuf::from),
        }
    }

    /// The password file this environment names.
    pub fn passfile_path(&self) -> Option<PathBuf> {
        self.passfile
            .clone()
            .or_else(|| self.home.as_ref().map(|home| home.join(".pgpass")))
    }
}

impl fmt::Debug for PgEnv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PgEnv")
            .field("account", &self.account)
            .field("home", &self.home)
            .field("password", &self.password.as_ref().map(|_| "[redacted]"))
            .field("passfile", &self.passfile)
            .finish()
    }
}

/// Where the password for one server came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordSource {
    /// The URL (`user:password@` or `?password=`).
    Url,
    /// `$PGPASSWORD`.
    Environment,
    /// A line of the password file.
    PassFile { path: PathBuf, line: usize },
    /// Nowhere: the connection offers none.
    Nowhere,
}

impl fmt::Display for PasswordSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PasswordSource::Url => f.write_str("the URL"),
            PasswordSource::Environment => f.write_str("PGPASSWORD"),
            PasswordSource::PassFile { path, line } => {
                write!(f, "{} line {line}", sanitize_line(&path.display().to_string()))
            }
            PasswordSource::Nowhere => f.write_str("nowhere"),
        }
    }
}

/// The password for one server, where it came from, and what the caller
/// should be told (a password file ignored, and why).
#[derive(Debug, Clone)]
pub struct PasswordLookup {
    pub source: PasswordSource,
    pub(super) password: Option<Secret>,
    pub warnings: Vec<String>,
}

/// Finds the password for `endpoint` of `target`.
pub fn lookup(target: &PgTarget, endpoint: &Endpoint, env: &PgEnv) -> PasswordLookup {
    let found = |source, password: &str| PasswordLookup {
        source,
        password: Some(Secret::new(password.to_string())),
        warnings: Vec::new(),
    };
    if let Some(secret) = target.url_password() {
        return found(PasswordSource::Url, secret.expose());
    }
    if let Some(password) = env.password.as_deref() {
        return found(PasswordSource::Environment, password);
    }
    let mut nothing = PasswordLookup {
        source: PasswordSource::Nowhere,
        password: None,
        warnings: Vec::new(),
    };
    let Some(path) = env.passfile_path() else {
        return nothing;
    };
    let contents = match read_passfile(&path, env.passfile.is_some()) {
        Ok(Some(contents)) => contents,
        Ok(None) => return nothing,
        Err(warning) => {
            nothing.warnings.push(warning);
            return nothing;
        }
    };
    let wanted = Wanted {
        host: &endpoint.host,
        port: &endpoint.port.to_string(),
        dbname: target.dbname(),
        user: target.user(),
    };
    match find_in_passfile(&contents, &wanted) {
        Some((line, password)) => PasswordLookup {
            source: PasswordSource::PassFile { path, line },
            password: Some(Secret::new(password)),
            warnings: Vec::new(),
        },
        None => nothing,
    }
}

/// The file's text; `Ok(None)` when there is none; `Err(warning)` when it
/// exists but is not used.
fn read_passfile(path: &Path, named_by_env: bool) -> Result<Option<String>, String> {
    let shown = sanitize_line(&path.display().to_string()).into_owned();
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == ErrorKind::NotFound && !named_by_env => return Ok(None),
        Err(e) if e.kind() == ErrorKind::NotFound => {
            return Err(format!("the password file {shown} (PGPASSFILE) does not exist"));
        }
        Err(e) => return Err(format!("cannot read the password file {shown}: {e}")),
    };
    if !meta.is_file() {
        return Err(format!(
            "the password file {shown} is not a regular file; it was not read"
        ));
    }
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        // libpq's rule: a file others can read holds no secret any more.
        return Err(format!(
            "the password file {shown} is readable by others (mode {mode:04o}), so it was ignored, as libpq does; chmod 0600 {shown}"
        ));
    }
    std::fs::read(path)
        .map(|bytes| Some(String::from_utf8_lossy(&bytes).into_owned()))
        .map_err(|e| format!("cannot read the password file {shown}: {e}"))
}

/// What a password file line must match.
struct Wanted<'a> {
    host: &'a PgHost,
    port: &'a str,
    dbname: &'a str,
    user: &'a str,
}

/// The first line matching `wanted`, with its number (from 1) and password.
/// A line is `host:port:database:user:password`; `*` alone matches
/// anything; `\:` and `\\` stand for `:` and `\`; a socket folder matches
/// `localhost` and its own path.
fn find_in_passfile(contents: &str, wanted: &Wanted<'_>) -> Option<(usize, String)> {
    for (index, line) in contents.lines().enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some(fields) = split_passfile_line(line) else {
            continue;
        };
        let host_matches = match wanted.host {
            PgHost::Tcp(name) => fields[0].matches(name),
            PgHost::Socket(folder) => {
                fields[0].matches("localhost") || fields[0].matches(&folder.to_string_lossy())
            }
        };
        if host_matches
            && fields[1].matches(wanted.port)
            && fields[2].matches(wanted.dbname)
            && fields[3].matches(wanted.user)
        {
            return Some((index + 1, fields[4].text.clone()));
        }
    }
    None
}

/// One field of a password file line.
struct Field {
    text: String,
    /// A bare `*` (an escaped `\*` is a literal star).
    wildcard: bool,
}

impl Field {
    fn matches(&self, value: &str) -> bool {
        self.wildcard || self.text == value
    }
}

/// Five fields, or `None` for a line with fewer (libpq skips it). The
/// fifth takes the rest of the line, unescaped.
fn split_passfile_line(line: &str) -> Option<[Field; 5]> {
    let mut fields: Vec<Field> = Vec::with_capacity(5);
    let mut text = String::new();
    let mut escaped_anything = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                escaped_anything = true;
                if let Some(next) = chars.next() {
                    text.push(next);
                }
            }
            ':' if fields.len() < 4 => {
                let wildcard = text == "*" && !escaped_anything;
                fields.push(Field {
                    text: std::mem::take(&mut text),
                    wildcard,
                });
                escaped_anything = false;
            }
            other => text.push(other),
        }
    }
    if fields.len() < 4 {
        return None;
    }
    fields.push(Field {
        text,
        wildcard: false,
    });
    fields.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(url: &str) -> PgTarget {
        PgTarget::parse(url, &PgEnv::of_account("alice")).unwrap()
    }

    fn find(contents: &str, url: &str) -> Option<(usize, String)> {
        let target = target(url);
        let endpoint = &target.endpoints()[0];
        let wanted = Wanted {
            host: &endpoint.host,
            port: &endpoint.port.to_string(),
            dbname: target.dbname(),
            user: target.user(),
        };
        find_in_passfile(contents, &wanted)
    }

    #[test]
    fn the_first_matching_line_wins_with_wildcards() {
        let file = "# comment\n\
                    \n\
                    other.example:5432:warroom:ic:wrong-host\n\
                    db.example:5433:warroom:ic:wrong-port\n\
                    db.example:5432:other:ic:wrong-db\n\
                    db.example:5432:warroom:bob:wrong-user\n\
                    db.example:5432:warroom:ic:exact\n\
                    *:*:*:*:catch-all\n";
        let url = "postgresql://ic@db.example/warroom";
        assert_eq!(find(file, url), Some((7, "exact".into())));
        assert_eq!(
            find(file, "postgresql://ic@elsewhere/warroom"),
            Some((8, "catch-all".into()))
        );
        let wild = "*:5432:*:ic:by-user\n";
        assert_eq!(find(wild, url), Some((1, "by-user".into())));
        assert_eq!(find(wild, "postgresql://bob@db.example/warroom"), None);
        assert_eq!(find("", url), None);
    }

    #[test]
    fn escapes_and_short_lines() {
        // `\:` and `\\` in any field; the password keeps its colons.
        let file = "db.example:5432:war\\:room:i\\\\c:pa\\:ss:with:colons\\\\\n";
        assert_eq!(
            find(file, "postgresql://i%5Cc@db.example/war%3Aroom"),
            Some((1, "pa:ss:with:colons\\".into()))
        );
        // An escaped star is a literal star, not a wildcard.
        assert_eq!(find("\\*:*:*:*:lit\n", "postgresql://ic@db.example/w"), None);
        assert_eq!(
            find(
                "db.example:5432:w:ic\nx:*:*:*:ok\r\n*:*:*:*:last\r\n",
                "postgresql://ic@db.example/w"
            ),
            Some((3, "last".into())),
            "a four-field line is skipped, CRLF endings read"
        );
        assert_eq!(
            find("*:*:*:*:\n", "postgresql://ic@db.example/w"),
            Some((1, String::new()))
        );
    }

    #[test]
    fn a_socket_folder_matches_localhost_and_its_path() {
        let socket_url = "postgresql://ic@%2Ftmp%2Fpg:5433/w";
        assert_eq!(
            find("localhost:5433:w:ic:by-localhost\n", socket_url),
            Some((1, "by-localhost".into()))
        );
        assert_eq!(
            find("/tmp/pg:5433:w:ic:by-path\n", socket_url),
            Some((1, "by-path".into()))
        );
        assert_eq!(find("127.0.0.1:5433:w:ic:no\n", socket_url), None);
        assert_eq!(
            find("localhost:5432:w:ic:no\n", "postgresql://ic@127.0.0.1/w"),
            None,
            "a TCP address is matched as written"
        );
    }

    fn env_with_home(home: &Path) -> PgEnv {
        PgEnv {
            account: "alice".into(),
            home: Some(home.to_path_buf()),
            ..PgEnv::default()
        }
    }

    fn write_mode(path: &Path, text: &str, mode: u32) {
        std::fs::write(path, text).unwrap();
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    #[test]
    fn the_order_is_url_then_pgpassword_then_the_file() {
        let home = tempfile::tempdir().unwrap();
        write_mode(&home.path().join(".pgpass"), "*:*:*:*:from-file\n", 0o600);
        let mut env = env_with_home(home.path());
        let plain = target("postgresql://ic@db.example/w");
        let endpoint = &plain.endpoints()[0];

        let by_file = lookup(&plain, endpoint, &env);
        assert_eq!(
            by_file.source,
            PasswordSource::PassFile {
                path: home.path().join(".pgpass"),
                line: 1
            }
        );
        assert_eq!(by_file.password.unwrap().expose(), "from-file");
        assert!(by_file.warnings.is_empty());

        env.password = Some("from-env".into());
        let by_env = lookup(&plain, endpoint, &env);
        assert_eq!(by_env.source, PasswordSource::Environment);
        assert_eq!(by_env.password.unwrap().expose(), "from-env");

        let in_url = target("postgresql://ic:from-url@db.example/w");
        let by_url = lookup(&in_url, endpoint, &env);
        assert_eq!(by_url.source, PasswordSource::Url);
        assert_eq!(by_url.password.unwrap().expose(), "from-url");
    }

    #[test]
    fn pgpassfile_replaces_the_home_file() {
        let home = tempfile::tempdir().unwrap();
        write_mode(&home.path().join(".pgpass"), "*:*:*:*:home\n", 0o600);
        let other = home.path().join("team.pgpass");
        write_mode(&other, "*:*:*:*:named\n", 0o400);
        let mut env = env_with_home(home.path());
        env.passfile = Some(other.clone());
        let plain = target("postgresql://ic@db.example/w");
        let found = lookup(&plain, &plain.endpoints()[0], &env);
        assert_eq!(found.source, PasswordSource::PassFile { path: other, line: 1 });
        assert_eq!(found.password.unwrap().expose(), "named");

        env.passfile = Some(home.path().join("missing"));
        let missing = lookup(&plain, &plain.endpoints()[0], &env);
        assert_eq!(missing.source, PasswordSource::Nowhere);
        assert_eq!(
            missing.warnings,
            [format!(
                "the password file {}/missing (PGPASSFILE) does not exist",
                home.path().display()
            )]
        );
    }

    #[test]
    fn a_file_others_can_read_is_ignored_with_a_warning() {
        let home = tempfile::tempdir().unwrap();
        let path = home.path().join(".pgpass");
        let env = env_with_home(home.path());
        let plain = target("postgresql://ic@db.example/w");
        let endpoint = &plain.endpoints()[0];
        for mode in [0o640, 0o604, 0o660, 0o644, 0o610] {
            write_mode(&path, "*:*:*:*:s3cret\n", mode);
            let ignored = lookup(&plain, endpoint, &env);
            assert_eq!(ignored.source, PasswordSource::Nowhere, "{mode:o}");
            assert!(ignored.password.is_none());
            let shown = path.display();
            assert_eq!(
                ignored.warnings,
                [format!(
                    "the password file {shown} is readable by others (mode {mode:04o}), so it was ignored, as libpq does; chmod 0600 {shown}"
                )]
            );
            assert!(!format!("{ignored:?}").contains("s3cret"));
        }
        for mode in [0o600, 0o400, 0o700] {
            write_mode(&path, "*:*:*:*:s3cret\n", mode);
            assert_eq!(
                lookup(&plain, endpoint, &env).warnings,
                Vec::<String>::new(),
                "{mode:o}"
            );
        }
        std::fs::remove_file(&path).unwrap();
        std::fs::create_dir(&path).unwrap();
        assert_eq!(
            lookup(&plain, endpoint, &env).warnings,
            [format!(
                "the password file {} is not a regular file; it was not read",
                path.display()
            )]
        );
        std::fs::remove_dir(&path).unwrap();
        let none = lookup(&plain, endpoint, &env);
        assert_eq!((none.source, none.warnings), (PasswordSource::Nowhere, vec![]));
    }

    #[test]
    fn secrets_never_show_in_debug() {
        let env = PgEnv {
            account: "alice".into(),
            password: Some("s3cret".into()),
            ..PgEnv::default()
        };
        let plain = target("postgresql://ic@db.example/w");
        let found = lookup(&plain, &plain.endpoints()[0], &env);
        let shown = format!("{env:?} {found:?} {:?}", Secret::new("s3cret".into()));
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("[redacted]"));
    }
}
