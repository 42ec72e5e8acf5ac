//! A PostgreSQL database as `--db`, `$WARROOM_DB` or the config's `database`
//! names it: `postgresql://[user[:password]@][host][:port][,host[:port]…][/dbname][?option=value&…]`.
//!
//! The parser is our own, not rust-postgres's: that one knows only
//! `sslmode=disable|prefer|require`, refuses the options warroom needs
//! (`verify-ca`, `verify-full`, `sslrootcert`), and may quote what it could
//! not read, which can be a password. Every message here quotes option
//! names and harmless values only; the user and password part of the URL is
//! never echoed.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::password::{PgEnv, Secret};
use crate::domain::sanitize_line;

/// The port when the URL names none (PostgreSQL's).
pub const DEFAULT_PORT: u16 = 5432;
/// The socket folder when the URL names no host: where Debian's PostgreSQL
/// (and its libpq) put the socket.
pub const DEFAULT_SOCKET_FOLDER: &str = "/var/run/postgresql";
/// How long one connection attempt may take before warroom gives up, so a
/// dead host does not freeze a console.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The longest `connect_timeout` accepted: past an hour nobody is waiting.
const MAX_CONNECT_TIMEOUT_SECS: u64 = 3600;

/// The options a URL may carry after `?`.
const KNOWN_OPTIONS: &[&str] = &[
    "host",
    "port",
    "user",
    "password",
    "dbname",
    "sslmode",
    "sslrootcert",
    "connect_timeout",
];

/// Where a server listens.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PgHost {
    /// A host name or IP address, over TCP.
    Tcp(String),
    /// A folder holding the server's Unix socket (`.s.PGSQL.<port>`).
    Socket(PathBuf),
}

/// One server to try: a host (or socket folder) and its port.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Endpoint {
    pub host: PgHost,
    pub port: u16,
}

/// For messages: `db.example.org:5432`, `[::1]:5432`, or the socket file.
impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match &self.host {
            PgHost::Tcp(name) if name.contains(':') => format!("[{name}]:{}", self.port),
            PgHost::Tcp(name) => format!("{name}:{}", self.port),
            PgHost::Socket(folder) => format!(
                "the socket {}",
                folder.join(format!(".s.PGSQL.{}", self.port)).display()
            ),
        };
        f.write_str(&sanitize_line(&text))
    }
}

/// What TLS a connection insists on, with libpq's names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SslMode {
    /// Never TLS. The default for a socket folder (the server offers no TLS there).
    Disable,
    /// TLS when the server offers it, plain otherwise, certificate not
    /// checked: a downgrade anyone on the path can force. Only when asked
    /// for, never a default.
    Prefer,
    /// TLS or no connection; the certificate is not checked (libpq's
    /// `require`). The default for TCP hosts.
    Require,
    /// TLS, and the certificate must chain to a trusted authority; its
    /// name is not checked.
    VerifyCa,
    /// TLS, a trusted chain, and a certificate issued for the host name in
    /// the URL.
    VerifyFull,
}

impl SslMode {
    pub fn as_str(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }

    fn parse(text: &str) -> Result<SslMode, String> {
        Ok(match text {
            "disable" => SslMode::Disable,
            "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            "allow" => {
                return Err(
                    "sslmode=allow is not supported (it tries without TLS first); use require, or prefer"
                        .into(),
                );
            }
            other => {
                return Err(format!(
                    "unknown sslmode `{}` (disable, prefer, require, verify-ca or verify-full)",
                    sanitize_line(&shorten(other))
                ));
            }
        })
    }

    /// Whether the server's certificate must chain to a trusted authority.
    pub fn verifies_certificate(self) -> bool {
        matches!(self, SslMode::VerifyCa | SslMode::VerifyFull)
    }
}

/// Which certificate authorities `verify-ca` / `verify-full` trust.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RootCertificates {
    /// `sslrootcert=/path/ca.crt`: the PEM certificates in that file only.
    File(PathBuf),
    /// `sslrootcert=system`: the host's store (as in libpq 16).
    System,
}

/// A PostgreSQL database and how to reach it: everything in the URL but
/// `application_name`, which warroom sets itself so the server shows who
/// is connected. The password, if the URL had one, is kept apart and shown
/// nowhere (not in `Display`, not in `Debug`).
#[derive(Clone, PartialEq, Eq)]
pub struct PgTarget {
    endpoints: Vec<Endpoint>,
    user: String,
    dbname: String,
    sslmode: SslMode,
    root_certificates: Option<RootCertificates>,
    connect_timeout: Duration,
    url_password: Option<Secret>,
}

impl PgTarget {
    /// Whether `text` is meant as a PostgreSQL URL rather than a file.
    pub fn is_url(text: &str) -> bool {
        text.starts_with("postgres://") || text.starts_with("postgresql://")
    }

    /// Reads a URL. `env` supplies the default role (the Unix account, as
    /// libpq does). Errors say what is wrong in the URL and never repeat
    /// its user/password part.
    pub fn parse(url: &str, env: &PgEnv) -> Result<PgTarget, String> {
        parse_url(url, env).map_err(|problem| {
            // Messages quote only option names and values, but a password
            // typed into the wrong place would be such a value.
            let mut message = format!("invalid PostgreSQL URL: {problem}");
            for secret in password_spellings(url) {
                message = message.replace(&secret, "[redacted]");
            }
            message
        })
    }

    /// The servers to try, in order.
    pub fn endpoints(&self) -> &[Endpoint] {
        &self.endpoints
    }

    /// The database role to log in as.
    pub fn user(&self) -> &str {
        &self.user
    }

    pub fn dbname(&self) -> &str {
        &self.dbname
    }

    pub fn sslmode(&self) -> SslMode {
        self.sslmode
    }

    /// `sslrootcert` as given; `None`: `~/.postgresql/root.crt` if present,
    /// else the host's store.
    pub fn root_certificates(&self) -> Option<&RootCertificates> {
        self.root_certificates.as_ref()
    }

    /// How long one attempt at one server may take, TLS and login included.
    pub fn connect_timeout(&self) -> Duration {
        self.connect_timeout
    }

    /// Whether the URL itself carries a password (allowed, but it then shows
    /// in `ps`, shell history and config files: callers may warn).
    pub fn has_password_in_url(&self) -> bool {
        self.url_password.is_some()
    }

    pub(super) fn url_password(&self) -> Option<&Secret> {
        self.url_password.as_ref()
    }

    /// Whether the servers are reached through a socket folder.
    pub fn is_socket(&self) -> bool {
        matches!(self.endpoints[0].host, PgHost::Socket(_))
    }

    /// The bytes that name this database for files kept per database
    /// (drafts, what an account saw): servers, database and role. Never the
    /// password, nor settings that do not change which database it is. It
    /// starts with a NUL byte, which no file path holds, so it never equals
    /// a file's key.
    pub fn digest_key(&self) -> Vec<u8> {
        let mut key = String::from("\0postgresql\n");
        for endpoint in &self.endpoints {
            match &endpoint.host {
                PgHost::Tcp(name) => key.push_str(&format!("tcp {name} {}\n", endpoint.port)),
                PgHost::Socket(folder) => {
                    key.push_str(&format!("socket {} {}\n", folder.display(), endpoint.port))
                }
            }
        }
        key.push_str(&format!("dbname {}\nuser {}", self.dbname, self.user));
        key.into_bytes()
    }
}

fn default_sslmode(socket: bool) -> SslMode {
    if socket {
        SslMode::Disable
    } else {
        SslMode::Require
    }
}

/// `postgresql://user@host:port/dbname`, plus `?sslmode=…` when it is not
/// the default; never the password. Sanitized for a terminal; reserved
/// characters %-encoded so the text reads back as the same database.
impl fmt::Display for PgTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hosts: Vec<String> = self
            .endpoints
            .iter()
            .map(|endpoint| {
                let host = match &endpoint.host {
                    PgHost::Tcp(name) if name.contains(':') => format!("[{name}]"),
                    PgHost::Tcp(name) => encode(name),
                    PgHost::Socket(folder) => encode(&folder.to_string_lossy()),
                };
                format!("{host}:{}", endpoint.port)
            })
            .collect();
        let mut text = format!(
            "postgresql://{}@{}/{}",
            encode(&self.user),
            hosts.join(","),
            encode(&self.dbname)
        );
        if self.sslmode != default_sslmode(self.is_socket()) {
            text.push_str("?sslmode=");
            text.push_str(self.sslmode.as_str());
        }
        f.write_str(&sanitize_line(&text))
    }
}

/// Shows every setting but the password, which appears as `[redacted]`.
impl fmt::Debug for PgTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PgTarget")
            .field("endpoints", &self.endpoints)
            .field("user", &self.user)
            .field("dbname", &self.dbname)
            .field("sslmode", &self.sslmode)
            .field("root_certificates", &self.root_certificates)
            .field("connect_timeout", &self.connect_timeout)
            .field("url_password", &self.url_password)
            .finish()
    }
}

/// The URL's parts before defaults apply.
#[derive(Default)]
struct Given {
    user: Option<String>,
    password: Option<Secret>,
    /// `(host, port)` as written in the URL's body; either may be empty.
    body_hosts: Vec<(String, Option<u16>)>,
    dbname: Option<String>,
    query_hosts: Option<Vec<String>>,
    query_ports: Option<Vec<u16>>,
    sslmode: Option<SslMode>,
    root_certificates: Option<RootCertificates>,
    connect_timeout: Option<Duration>,
}

fn parse_url(url: &str, env: &PgEnv) -> Result<PgTarget, String> {
    let rest = url
        .strip_prefix("postgresql://")
        .or_else(|| url.strip_prefix("postgres://"))
        .ok_or("it must start with postgresql:// or postgres://")?;
    let mut given = Given::default();

    // The last `@` ends the user part, so a password holding `/`, `?` or
    // `@` unencoded still stays out of the host and out of every message.
    let rest = match rest.rfind('@') {
        Some(at) => {
            read_user_part(&rest[..at], &mut given)?;
            &rest[at + 1..]
        }
        None => rest,
    };
    let (body, query) = match rest.split_once('?') {
        Some((body, query)) => (body, Some(query)),
        None => (rest, None),
    };
    let (host_list, path) = match body.split_once('/') {
        Some((hosts, path)) => (hosts, Some(path)),
        None => (body, None),
    };
    if !host_list.is_empty() {
        for item in host_list.split(',') {
            given.body_hosts.push(read_host_item(item)?);
        }
    }
    if let Some(path) = path.filter(|p| !p.is_empty()) {
        given.dbname = Some(decode(path, "the database name")?);
    }
    if let Some(query) = query.filter(|q| !q.is_empty()) {
        read_query(query, &mut given)?;
    }
    assemble(given, env)
}

fn read_user_part(part: &str, given: &mut Given) -> Result<(), String> {
    let (user, password) = match part.split_once(':') {
        Some((user, password)) => (user, Some(password)),
        None => (part, None),
    };
    if !user.is_empty() {
        given.user = Some(decode(user, "the user name")?);
    }
    if let Some(password) = password.filter(|p| !p.is_empty()) {
        given.password = Some(Secret::new(decode_secret(password)?));
    }
    Ok(())
}

/// `host`, `host:port`, `[v6]:port`, `:port`, or a %-encoded socket folder.
fn read_host_item(item: &str) -> Result<(String, Option<u16>), String> {
    let (host, port) = if let Some(inside) = item.strip_prefix('[') {
        let (address, after) = inside
            .split_once(']')
            .ok_or("an IPv6 address opened with `[` has no closing `]`")?;
        let port = match after {
            "" => None,
            _ => Some(
                after
                    .strip_prefix(':')
                    .ok_or_else(|| format!("unexpected `{}` after [{}]", shown(after), shown(address)))?,
            ),
        };
        (address.to_string(), port)
    } else {
        match item.rsplit_once(':') {
            Some((host, port)) => (decode(host, "a host")?, Some(port)),
            None => (decode(item, "a host")?, None),
        }
    };
    let port = match port {
        Some("") | None => None,
        Some(port) => Some(read_port(port)?),
    };
    Ok((host, port))
}

fn read_port(text: &str) -> Result<u16, String> {
    match text.parse::<u16>() {
        Ok(port) if port > 0 => Ok(port),
        _ => Err(format!("`{}` is not a port (1 to 65535)", shown(text))),
    }
}

fn read_query(query: &str, given: &mut Given) -> Result<(), String> {
    let mut seen: Vec<String> = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (raw_key, raw_value) = pair.split_once('=').unwrap_or((pair, ""));
        let key = decode(raw_key, "an option name")?;
        if seen.contains(&key) {
            return Err(format!("the option `{}` is given twice", shown(&key)));
        }
        seen.push(key.clone());
        if key == "password" {
            given.password = Some(Secret::new(decode_secret(raw_value)?));
            continue;
        }
        let value = decode(raw_value, &format!("the value of `{}`", shown(&key)))?;
        if value.is_empty() {
            return Err(format!("the option `{}` has no value", shown(&key)));
        }
        match key.as_str() {
            "host" => given.query_hosts = Some(value.split(',').map(str::to_string).collect()),
            "port" => {
                let ports = value.split(',').map(read_port).collect::<Result<Vec<_>, _>>()?;
                given.query_ports = Some(ports);
            }
            "user" => given.user = Some(value),
            "dbname" => given.dbname = Some(value),
            "sslmode" => given.sslmode = Some(SslMode::parse(&value)?),
            "sslrootcert" => {
                given.root_certificates = Some(match value.as_str() {
                    "system" => RootCertificates::System,
                    path => RootCertificates::File(PathBuf::from(path)),
                })
            }
            "connect_timeout" => {
                let seconds = value
                    .parse::<u64>()
                    .ok()
                    .filter(|s| (1..=MAX_CONNECT_TIMEOUT_SECS).contains(s))
                    .ok_or_else(|| {
                        format!(
                            "connect_timeout must be a whole number of seconds from 1 to {MAX_CONNECT_TIMEOUT_SECS} (warroom never waits forever), not `{}`",
                            shown(&value)
                        )
                    })?;
                given.connect_timeout = Some(Duration::from_secs(seconds));
            }
            "application_name" => {
                return Err(
                    "application_name is set by warroom (it shows the account and host of each console); remove it from the URL"
                        .into(),
                );
            }
            other => {
                return Err(format!(
                    "unknown option `{}` (warroom reads {})",
                    shown(other),
                    KNOWN_OPTIONS.join(", ")
                ));
            }
        }
    }
    Ok(())
}

fn assemble(given: Given, env: &PgEnv) -> Result<PgTarget, String> {
    // `?host=` and `?port=` take precedence over the URL's body, as in libpq.
    let mut hosts: Vec<(String, Option<u16>)> = match given.query_hosts {
        Some(hosts) => hosts.into_iter().map(|h| (h, None)).collect(),
        None => given.body_hosts,
    };
    if hosts.is_empty() {
        hosts.push((String::new(), None));
    }
    if let Some(ports) = given.query_ports {
        if ports.len() != 1 && ports.len() != hosts.len() {
            return Err(format!(
                "{} ports for {} hosts (give one port for all, or one per host)",
                ports.len(),
                hosts.len()
            ));
        }
        for (index, host) in hosts.iter_mut().enumerate() {
            host.1 = Some(ports[index.min(ports.len() - 1)]);
        }
    }
    let endpoints = hosts
        .into_iter()
        .map(|(host, port)| {
            Ok(Endpoint {
                host: read_host(&host)?,
                port: port.unwrap_or(DEFAULT_PORT),
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let socket = matches!(endpoints[0].host, PgHost::Socket(_));
    if endpoints
        .iter()
        .any(|e| matches!(e.host, PgHost::Socket(_)) != socket)
    {
        return Err("the URL mixes socket folders and TCP hosts; name one kind".into());
    }
    let sslmode = given.sslmode.unwrap_or(default_sslmode(socket));
    if socket
        && matches!(
            sslmode,
            SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull
        )
    {
        return Err(format!(
            "sslmode={} with a socket folder: PostgreSQL offers no TLS on its Unix socket; name a TCP host, or drop sslmode",
            sslmode.as_str()
        ));
    }
    let user = match given.user {
        Some(user) => user,
        None => env.account.clone(),
    };
    if user.is_empty() {
        return Err("no user name, and no account name to use in its place".into());
    }
    let dbname = given.dbname.unwrap_or_else(|| user.clone());
    Ok(PgTarget {
        endpoints,
        user,
        dbname,
        sslmode,
        root_certificates: given.root_certificates,
        connect_timeout: given.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT),
        url_password: given.password,
    })
}

/// A host as decoded: a socket folder when it is an absolute path, a host
/// name or address otherwise, the default socket folder when empty.
fn read_host(host: &str) -> Result<PgHost, String> {
    if host.is_empty() {
        return Ok(PgHost::Socket(PathBuf::from(DEFAULT_SOCKET_FOLDER)));
    }
    if host.starts_with('/') {
        return Ok(PgHost::Socket(Path::new(host).to_path_buf()));
    }
    let acceptable = |c: char| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | ':');
    if !host.chars().all(acceptable) {
        return Err(format!(
            "`{}` is neither a host name, an IP address, nor a socket folder (an absolute path, written %2F… in the URL's host)",
            shown(host)
        ));
    }
    // Host names are not case-sensitive: one spelling, so the digest agrees.
    Ok(PgHost::Tcp(host.to_ascii_lowercase()))
}

/// Every way a password may be written in `url` (as typed and decoded, in
/// the user part and in `password=`), longest first.
fn password_spellings(url: &str) -> Vec<String> {
    let mut spellings = Vec::new();
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let mut add = |raw: &str| {
        if !raw.is_empty() {
            spellings.push(raw.to_string());
            if let Some(decoded) = percent_decode(raw) {
                spellings.push(String::from_utf8_lossy(&decoded).into_owned());
            }
        }
    };
    if let Some((user_part, _)) = rest.rsplit_once('@')
        && let Some((_, password)) = user_part.split_once(':')
    {
        add(password);
    }
    for pair in rest.split(['?', '&']) {
        if let Some(value) = pair.strip_prefix("password=") {
            add(value);
        }
    }
    spellings.retain(|s| !s.is_empty());
    spellings.sort_by_key(|s| std::cmp::Reverse(s.len()));
    spellings
}

/// %-decodes a part of the URL that may be quoted in a message.
fn decode(text: &str, what: &str) -> Result<String, String> {
    let bytes = percent_decode(text).ok_or_else(|| {
        format!(
            "{what} `{}` has a `%` not followed by two hex digits",
            shown(text)
        )
    })?;
    let decoded = String::from_utf8(bytes)
        .map_err(|_| format!("{what} `{}` is not UTF-8 once decoded", shown(text)))?;
    if decoded.contains('\0') {
        return Err(format!("{what} holds a NUL byte (%00), which PostgreSQL refuses"));
    }
    Ok(decoded)
}

/// %-decodes a password; its messages never quote it.
fn decode_secret(text: &str) -> Result<String, String> {
    let bytes = percent_decode(text)
        .ok_or("the password has a `%` not followed by two hex digits (write a literal % as %25)")?;
    let decoded = String::from_utf8(bytes).map_err(|_| "the password is not UTF-8 once decoded")?;
    if decoded.contains('\0') {
        return Err("the password holds a NUL byte (%00), which PostgreSQL refuses".into());
    }
    Ok(decoded)
}

fn percent_decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' {
            let hex = text.get(index + 1..index + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            index += 3;
        } else {
            out.push(bytes[index]);
            index += 1;
        }
    }
    Some(out)
}

/// %-encodes what would end a part of the URL or hide in a terminal.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_control() || " %@/:?#&=,[]".contains(c) {
            out.push_str(&format!("%{:02X}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// A value for a message: cut short and sanitized.
fn shown(text: &str) -> String {
    sanitize_line(&shorten(text)).into_owned()
}

fn shorten(text: &str) -> String {
    const LIMIT: usize = 80;
    match text.char_indices().nth(LIMIT) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> PgEnv {
        PgEnv::of_account("alice")
    }

    fn parse(url: &str) -> PgTarget {
        PgTarget::parse(url, &env()).unwrap_or_else(|e| panic!("{url}: {e}"))
    }

    fn refusal(url: &str) -> String {
        match PgTarget::parse(url, &env()) {
            Ok(target) => panic!("{url} was accepted: {target:?}"),
            Err(message) => message,
        }
    }

    fn tcp(name: &str, port: u16) -> Endpoint {
        Endpoint {
            host: PgHost::Tcp(name.into()),
            port,
        }
    }

    fn socket(folder: &str, port: u16) -> Endpoint {
        Endpoint {
            host: PgHost::Socket(folder.into()),
            port,
        }
    }

    #[test]
    fn a_full_tcp_url_is_read_part_by_part() {
        let target = parse(
            "postgresql://ic@db.example.org:6432/warroom?sslmode=verify-full&sslrootcert=/etc/ca.pem&connect_timeout=3",
        );
        assert_eq!(target.endpoints(), [tcp("db.example.org", 6432)]);
        assert_eq!(target.user(), "ic");
        assert_eq!(target.dbname(), "warroom");
        assert_eq!(target.sslmode(), SslMode::VerifyFull);
        assert_eq!(
            target.root_certificates(),
            Some(&RootCertificates::File("/etc/ca.pem".into()))
        );
        assert_eq!(target.connect_timeout(), Duration::from_secs(3));
        assert!(!target.has_password_in_url());
    }

    #[test]
    fn defaults_follow_libpq_but_tls_is_required_over_tcp() {
        let target = parse("postgres://db.example.org");
        assert_eq!(target.endpoints(), [tcp("db.example.org", 5432)]);
        assert_eq!(target.user(), "alice", "the Unix account");
        assert_eq!(target.dbname(), "alice", "the user");
        assert_eq!(target.sslmode(), SslMode::Require);
        assert_eq!(target.root_certificates(), None);
        assert_eq!(target.connect_timeout(), DEFAULT_CONNECT_TIMEOUT);

        let nothing = parse("postgresql://");
        assert_eq!(nothing.endpoints(), [socket(DEFAULT_SOCKET_FOLDER, 5432)]);
        assert_eq!(nothing.sslmode(), SslMode::Disable);
        assert_eq!(nothing.dbname(), "alice");

        let only_db = parse("postgresql:///warroom");
        assert_eq!(only_db.endpoints(), [socket(DEFAULT_SOCKET_FOLDER, 5432)]);
        assert_eq!(only_db.dbname(), "warroom");

        let only_port = parse("postgresql://:6000/w");
        assert_eq!(only_port.endpoints(), [socket(DEFAULT_SOCKET_FOLDER, 6000)]);
    }

    #[test]
    fn socket_folders_in_each_spelling() {
        for url in [
            "postgresql://ic@%2Ftmp%2Fpg%20x:5433/warroom",
            "postgresql://ic@%2ftmp%2fpg%20x:5433/warroom",
            "postgresql://ic@/warroom?host=/tmp/pg%20x&port=5433",
            "postgresql://ic@/warroom?host=%2Ftmp%2Fpg%20x&port=5433",
            "postgresql://ic@ignored.example:1/warroom?host=/tmp/pg%20x&port=5433",
        ] {
            let target = parse(url);
            assert_eq!(target.endpoints(), [socket("/tmp/pg x", 5433)], "{url}");
            assert_eq!(target.sslmode(), SslMode::Disable, "{url}");
            assert!(target.is_socket());
        }
        let prefer = parse("postgresql:///w?host=/run/pg&sslmode=prefer");
        assert_eq!(prefer.sslmode(), SslMode::Prefer);
        for mode in ["require", "verify-ca", "verify-full"] {
            let message = refusal(&format!("postgresql:///w?host=/run/pg&sslmode={mode}"));
            assert_eq!(
                message,
                format!(
                    "invalid PostgreSQL URL: sslmode={mode} with a socket folder: PostgreSQL offers no TLS on its Unix socket; name a TCP host, or drop sslmode"
                )
            );
        }
    }

    #[test]
    fn several_hosts_with_their_ports() {
        let target = parse("postgresql://a.example:5433,B.Example,[::1]:7000,10.0.0.9/w");
        assert_eq!(
            target.endpoints(),
            [
                tcp("a.example", 5433),
                tcp("b.example", 5432),
                tcp("::1", 7000),
                tcp("10.0.0.9", 5432)
            ]
        );
        let one_port = parse("postgresql:///w?host=a,b&port=6000");
        assert_eq!(one_port.endpoints(), [tcp("a", 6000), tcp("b", 6000)]);
        let each = parse("postgresql:///w?host=a,b&port=6000,6001");
        assert_eq!(each.endpoints(), [tcp("a", 6000), tcp("b", 6001)]);
        assert_eq!(
            refusal("postgresql:///w?host=a,b,c&port=1,2"),
            "invalid PostgreSQL URL: 2 ports for 3 hosts (give one port for all, or one per host)"
        );
        assert_eq!(
            refusal("postgresql://a,%2Ftmp/w"),
            "invalid PostgreSQL URL: the URL mixes socket folders and TCP hosts; name one kind"
        );
    }

    #[test]
    fn query_options_override_the_body_and_every_sslmode_reads() {
        let target = parse("postgresql://ic@h/db1?user=bob&dbname=db2");
        assert_eq!((target.user(), target.dbname()), ("bob", "db2"));
        for (text, mode) in [
            ("disable", SslMode::Disable),
            ("prefer", SslMode::Prefer),
            ("require", SslMode::Require),
            ("verify-ca", SslMode::VerifyCa),
            ("verify-full", SslMode::VerifyFull),
        ] {
            assert_eq!(parse(&format!("postgresql://h/w?sslmode={text}")).sslmode(), mode);
        }
        assert_eq!(
            parse("postgresql://h/w?sslrootcert=system").root_certificates(),
            Some(&RootCertificates::System)
        );
    }

    #[test]
    fn bad_urls_are_refused_with_what_is_wrong() {
        for (url, expected) in [
            (
                "postgresql://h/w?sslmode=verify",
                "unknown sslmode `verify` (disable, prefer, require, verify-ca or verify-full)",
            ),
            (
                "postgresql://h/w?sslmode=allow",
                "sslmode=allow is not supported (it tries without TLS first); use require, or prefer",
            ),
            (
                "postgresql://h/w?target_session_attrs=any",
                "unknown option `target_session_attrs` (warroom reads host, port, user, password, dbname, sslmode, sslrootcert, connect_timeout)",
            ),
            (
                "postgresql://h/w?application_name=x",
                "application_name is set by warroom (it shows the account and host of each console); remove it from the URL",
            ),
            (
                "postgresql://h/w?sslmode=require&sslmode=disable",
                "the option `sslmode` is given twice",
            ),
            ("postgresql://h/w?sslmode=", "the option `sslmode` has no value"),
            (
                "postgresql://h/w?connect_timeout=0",
                "connect_timeout must be a whole number of seconds from 1 to 3600 (warroom never waits forever), not `0`",
            ),
            (
                "postgresql://h/w?connect_timeout=ten",
                "connect_timeout must be a whole number of seconds from 1 to 3600 (warroom never waits forever), not `ten`",
            ),
            ("postgresql://h:99999/w", "`99999` is not a port (1 to 65535)"),
            ("postgresql://h:0/w", "`0` is not a port (1 to 65535)"),
            ("postgresql://h:x/w", "`x` is not a port (1 to 65535)"),
            (
                "postgresql://[::1/w",
                "an IPv6 address opened with `[` has no closing `]`",
            ),
            (
                "postgresql://h%zz/w",
                "a host `h%zz` has a `%` not followed by two hex digits",
            ),
            (
                "postgresql://h/w%00x",
                "the database name holds a NUL byte (%00), which PostgreSQL refuses",
            ),
            (
                "postgresql://h%20x/w",
                "`h x` is neither a host name, an IP address, nor a socket folder (an absolute path, written %2F… in the URL's host)",
            ),
            (
                "postgresql://h%1B%5D0%3Bpwned/w",
                "`h␛]0;pwned` is neither a host name, an IP address, nor a socket folder (an absolute path, written %2F… in the URL's host)",
            ),
            ("mysql://h/w", "it must start with postgresql:// or postgres://"),
        ] {
            assert_eq!(
                refusal(url),
                format!("invalid PostgreSQL URL: {expected}"),
                "{url}"
            );
        }
    }

    #[test]
    fn the_password_is_kept_apart_and_never_shown() {
        let target = parse("postgresql://ic:s3cr%40t%2Fx@db.example/warroom?sslmode=verify-full");
        assert!(target.has_password_in_url());
        assert_eq!(target.url_password().unwrap().expose(), "s3cr@t/x");
        assert_eq!(
            target.to_string(),
            "postgresql://ic@db.example:5432/warroom?sslmode=verify-full"
        );
        let debug = format!("{target:?}");
        assert!(!debug.contains("s3cr") && debug.contains("[redacted]"), "{debug}");

        // A password with unencoded reserved characters still stays apart.
        let raw = parse("postgresql://ic:p/a?s@s3cret@db.example/warroom");
        assert_eq!(raw.url_password().unwrap().expose(), "p/a?s@s3cret");
        assert_eq!(raw.endpoints(), [tcp("db.example", 5432)]);
        let by_option = parse("postgresql://db.example/w?password=s3cret");
        assert_eq!(by_option.url_password().unwrap().expose(), "s3cret");
        assert!(!format!("{by_option} {by_option:?}").contains("s3cret"));
    }

    #[test]
    fn no_refusal_repeats_the_password() {
        for url in [
            "postgresql://ic:s3cret@db.example:port/w",
            "postgresql://ic:s3cret@db.example/w?sslmode=s3cret",
            "postgresql://ic:s3cret%zz@db.example/w",
            "postgresql://ic:s3cret%FF@db.example/w",
            "postgresql://ic:s3cret%00@db.example/w",
            "postgresql://ic:s3cret@db.example/w?password=s3cret%zz",
            "postgresql://ic:s3cret@db.example/w?password=s3cret&password=s3cret",
            "postgresql://ic:s3cret@/w?host=/tmp&sslmode=require",
            "postgresql://ic:s3cret@db.example/w?nope=1",
            "postgresql://ic:s3c:ret@[::1/w",
            "postgresql://ic:s3cret@db%20x/w",
            "postgresql://ic:s3cret@a,%2Fb/w",
            "postgresql://ic:s3cret@h:1,h:2/w?port=1,2,3",
        ] {
            let message = refusal(url);
            assert!(!message.contains("s3c"), "{url} → {message}");
        }
    }

    #[test]
    fn display_names_the_database_and_reads_back_as_the_same() {
        for (url, shown) in [
            (
                "postgresql://db.example/warroom",
                "postgresql://alice@db.example:5432/warroom",
            ),
            (
                "postgres://ic@DB.example:6432/w?sslmode=require",
                "postgresql://ic@db.example:6432/w",
            ),
            (
                "postgresql://ic@h/w?sslmode=disable",
                "postgresql://ic@h:5432/w?sslmode=disable",
            ),
            (
                "postgresql://ic@h/w?sslmode=prefer",
                "postgresql://ic@h:5432/w?sslmode=prefer",
            ),
            (
                "postgresql://ic@/w?host=/tmp/pg",
                "postgresql://ic@%2Ftmp%2Fpg:5432/w",
            ),
            (
                "postgresql://ic@[::1]:7000,b/w",
                "postgresql://ic@[::1]:7000,b:5432/w",
            ),
            (
                "postgresql://i%40c@h/w%2Fx%3Fy",
                "postgresql://i%40c@h:5432/w%2Fx%3Fy",
            ),
            ("postgresql://ic@h/w%1B%5B2J", "postgresql://ic@h:5432/w%1B%5B2J"),
            ("postgresql://ic@h/%E2%80%AEw", "postgresql://ic@h:5432/<U+202E>w"),
        ] {
            let target = parse(url);
            assert_eq!(target.to_string(), shown, "{url}");
            if !shown.contains("<U+") {
                assert_eq!(parse(shown), target, "{shown} reads back");
            }
        }
    }

    #[test]
    fn the_digest_key_names_servers_database_and_role_only() {
        let key = |url: &str| parse(url).digest_key();
        let base = key("postgresql://ic@db.example:5432/warroom");
        assert_eq!(
            String::from_utf8(base.clone()).unwrap(),
            "\0postgresql\ntcp db.example 5432\ndbname warroom\nuser ic"
        );
        for same in [
            "postgres://ic:s3cret@DB.example/warroom?sslmode=verify-full&connect_timeout=3",
            "postgresql://ic@db.example/warroom?password=other",
        ] {
            assert_eq!(key(same), base, "{same}");
        }
        for other in [
            "postgresql://ic@db.example:5433/warroom",
            "postgresql://ic@db2.example/warroom",
            "postgresql://ic@db.example/warroom2",
            "postgresql://bob@db.example/warroom",
            "postgresql://ic@/warroom?host=/db.example",
        ] {
            assert_ne!(key(other), base, "{other}");
        }
    }

    #[test]
    fn endpoints_name_themselves_for_messages() {
        assert_eq!(tcp("db.example", 5432).to_string(), "db.example:5432");
        assert_eq!(tcp("::1", 5432).to_string(), "[::1]:5432");
        assert_eq!(
            socket("/run/pg", 5433).to_string(),
            "the socket /run/pg/.s.PGSQL.5433"
        );
    }
}
