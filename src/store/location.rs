//! Where a war room's record lives. Today that is a file (SQLite); the
//! command line, the console, drafts and the record's witness name a
//! database only through [`Location`], so a second engine is a new variant
//! here, not a change everywhere.

use std::fmt;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::domain::chain::to_hex;
use crate::domain::sanitize_line;

/// A database, as `--db`, `$WARROOM_DB` or the config's `database` name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// An SQLite file shared by the accounts of one host.
    File(PathBuf),
    /// A PostgreSQL database shared by responders on many hosts.
    Postgres(Box<super::postgres::connect::PgTarget>),
}

impl Location {
    /// Reads a location as given on the command line or in the config.
    pub fn parse(given: PathBuf) -> Result<Location, String> {
        let text = given.to_string_lossy();
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            return super::postgres::connect::PgTarget::parse(&text)
                .map(|target| Location::Postgres(Box::new(target)));
        }
        Ok(Location::File(given))
    }

    /// The file, for what is about files (`init --shared`, `doctor`).
    pub fn file(&self) -> Option<&Path> {
        match self {
            Location::File(path) => Some(path),
            Location::Postgres(_) => None,
        }
    }

    /// A short, stable name for files kept per database (drafts, what an
    /// account saw): a digest of the file's real path, so two spellings of
    /// one file agree and the name is the same from one build to the next.
    pub fn digest(&self) -> String {
        let key = match self {
            Location::File(path) => path
                .canonicalize()
                .unwrap_or_else(|_| path.clone())
                .into_os_string()
                .into_encoded_bytes(),
            Location::Postgres(target) => target.to_string().into_bytes(),
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
            Location::Postgres(target) => f.write_str(&sanitize_line(&target.to_string())),
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

    #[test]
    fn a_path_is_a_file_and_a_url_a_server_never_shown_with_its_password() {
        let file = Location::parse(PathBuf::from("/srv/warroom/warroom.db")).unwrap();
        assert_eq!(file.file(), Some(Path::new("/srv/warroom/warroom.db")));
        assert_eq!(file.to_string(), "/srv/warroom/warroom.db");
        for url in [
            "postgres://ic:s3cret@db/warroom",
            "postgresql://ic:s3cret@db/warroom",
        ] {
            let server = Location::parse(PathBuf::from(url)).unwrap();
            assert_eq!(server.file(), None);
            let shown = server.to_string();
            assert!(
                !shown.contains("s3cret") && !format!("{server:?}").contains("s3cret"),
                "{shown}"
            );
        }
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
