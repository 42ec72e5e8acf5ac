//! Where a war room's record lives: a file (SQLite) or a PostgreSQL
//! database named by a URL. The command line, the console, drafts and the
//! record's witness name a database only through [`Location`], so an engine
//! is a variant here, not a change everywhere.

use std::fmt;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::postgres::{PgEnv, PgTarget};
use crate::domain::chain::to_hex;
use crate::domain::sanitize_line;

/// A database, as `--db`, `$WARROOM_DB` or the config's `database` name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// An SQLite file shared by the accounts of one host.
    File(PathBuf),
    /// A PostgreSQL database, from a `postgres://` / `postgresql://` URL.
    Postgres(PgTarget),
}

impl Location {
    /// Reads a location as given on the command line or in the config: a
    /// URL for PostgreSQL (the role defaults to this Unix account), a
    /// file path otherwise.
    pub fn parse(given: PathBuf) -> Result<Location, String> {
        Location::parse_with(given, &PgEnv::from_process())
    }

    /// [`Location::parse`] with the account and environment given.
    pub fn parse_with(given: PathBuf, env: &PgEnv) -> Result<Location, String> {
        let text = given.to_string_lossy();
        if !PgTarget::is_url(&text) {
            return Ok(Location::File(given));
        }
        let Some(url) = given.to_str() else {
            return Err("invalid PostgreSQL URL: it is not UTF-8 (write other bytes %-encoded)".into());
        };
        PgTarget::parse(url, env).map(Location::Postgres)
    }

    /// The file, for what is about files (`init --shared`, `doctor`).
    pub fn file(&self) -> Option<&Path> {
        match self {
            Location::File(path) => Some(path),
            Location::Postgres(_) => None,
        }
    }

    /// The PostgreSQL database, for what is about servers.
    pub fn postgres(&self) -> Option<&PgTarget> {
        match self {
            Location::File(_) => None,
            Location::Postgres(target) => Some(target),
        }
    }

    /// A short, stable name for files kept per database (drafts, what an
    /// account saw): a digest of the file's real path, so two spellings of
    /// one file agree, or of a database's servers, name and role (never
    /// its password); the same from one build to the next.
    pub fn digest(&self) -> String {
        let key = match self {
            Location::File(path) => path
                .canonicalize()
                .unwrap_or_else(|_| path.clone())
                .into_os_string()
                .into_encoded_bytes(),
            Location::Postgres(target) => target.digest_key(),
        };
        to_hex(&Sha256::digest(key)[..16])
    }
}

/// For messages and the console's header: sanitized (a path may hold any
/// byte), and never a secret.
impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::File(path) => f.write_str(&sanitize_line(&path.display().to_string())),
            Location::Postgres(target) => target.fmt(f),
        }
    }
}

impl From<&Path> for Location {
    fn from(path: &Path) -> Location {
        Location::File(path.to_path_buf())
    }
}

impl From<PathBuf> for Location {
    fn from(path: PathBuf) -> Location {
        Location::File(path)
    }
}

impl From<&PathBuf> for Location {
    fn from(path: &PathBuf) -> Location {
        Location::File(path.clone())
    }
}

impl From<&Location> for Location {
    fn from(location: &Location) -> Location {
        location.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> PgEnv {
        PgEnv::of_account("alice")
    }

    #[test]
    fn a_path_is_a_file_and_a_url_a_postgres_database() {
        let file = Location::parse(PathBuf::from("/srv/warroom/warroom.db")).unwrap();
        assert_eq!(file.file(), Some(Path::new("/srv/warroom/warroom.db")));
        assert_eq!(file.postgres(), None);
        assert_eq!(file.to_string(), "/srv/warroom/warroom.db");
        for url in [
            "postgres://ic:s3cret@db/warroom",
            "postgresql://ic:s3cret@db/warroom",
        ] {
            let location = Location::parse_with(PathBuf::from(url), &env()).unwrap();
            assert_eq!(location.file(), None);
            assert_eq!(location.postgres().unwrap().dbname(), "warroom");
            assert_eq!(location.to_string(), "postgresql://ic@db:5432/warroom");
            assert!(!format!("{location:?}").contains("s3cret"));
        }
        // Anything else stays a file name, as before.
        let odd = Location::parse(PathBuf::from("postgres:/not-a-url")).unwrap();
        assert_eq!(odd.file(), Some(Path::new("postgres:/not-a-url")));
    }

    #[test]
    fn a_bad_url_is_refused_without_echoing_the_password() {
        let refusal = Location::parse_with(
            PathBuf::from("postgresql://ic:s3cret@db/w?sslmode=s3cret"),
            &env(),
        )
        .unwrap_err();
        assert_eq!(
            refusal,
            "invalid PostgreSQL URL: unknown sslmode `[redacted]` (disable, prefer, require, verify-ca or verify-full)"
        );
        use std::os::unix::ffi::OsStringExt;
        let not_utf8 = PathBuf::from(std::ffi::OsString::from_vec(
            b"postgresql://ic:s3cret@db/w\xff".to_vec(),
        ));
        let refusal = Location::parse_with(not_utf8, &env()).unwrap_err();
        assert_eq!(
            refusal,
            "invalid PostgreSQL URL: it is not UTF-8 (write other bytes %-encoded)"
        );
    }

    #[test]
    fn a_postgres_digest_is_stable_and_ignores_the_password() {
        let digest = |url: &str| Location::parse_with(PathBuf::from(url), &env()).unwrap().digest();
        let base = digest("postgresql://ic@db.example/warroom");
        // Pinned: drafts and witness files are named by it across builds.
        assert_eq!(
            base,
            to_hex(&Sha256::digest(b"\0postgresql\ntcp db.example 5432\ndbname warroom\nuser ic")[..16])
        );
        assert_eq!(base.len(), 32);
        assert_eq!(
            digest("postgres://ic:s3cret@DB.example:5432/warroom?sslmode=verify-full"),
            base
        );
        assert_ne!(digest("postgresql://ic@db.example/other"), base);
        assert_ne!(
            Location::from(PathBuf::from(
                "postgresql\ntcp db.example 5432\ndbname warroom\nuser ic"
            ))
            .digest(),
            base
        );
    }

    #[test]
    fn the_digest_is_of_the_real_path() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("w.db"), b"").unwrap();
        let direct = Location::from(dir.path().join("w.db"));
        let roundabout = Location::from(dir.path().join(".").join("w.db"));
        assert_eq!(direct.digest(), roundabout.digest());
        assert_ne!(
            direct.digest(),
            Location::from(dir.path().join("other.db")).digest()
        );
    }
}
