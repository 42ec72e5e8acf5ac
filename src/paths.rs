//! Which database:  `--db`, else `$WARROOM_DB`, else
//! `$XDG_DATA_HOME/warroom/warroom.db` (`~/.local/share/warroom/warroom.db`).

use std::path::PathBuf;

use crate::store::Location;

/// Resolves the database. `explicit` is `--db` or `$WARROOM_DB` (clap reads
/// both) or the config's `database`; an empty value counts as unset.
pub fn database_location(explicit: Option<PathBuf>) -> Result<Location, String> {
    match explicit.filter(|p| !p.as_os_str().is_empty()) {
        Some(given) => Location::parse(given),
        None => default_database_path().map(Location::File),
    }
}

/// `$XDG_DATA_HOME/warroom/warroom.db`, falling back to `~/.local/share`.
pub fn default_database_path() -> Result<PathBuf, String> {
    let base = directories::BaseDirs::new()
        .ok_or("cannot find your home folder to place the database; give --db PATH or set WARROOM_DB")?;
    Ok(base.data_dir().join("warroom").join("warroom.db"))
}
