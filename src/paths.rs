//! Where the database lives: `--db`, else `$WARROOM_DB`, else
//! `$XDG_DATA_HOME/warroom/warroom.db` (`~/.local/share/warroom/warroom.db`).

use std::path::PathBuf;

/// Resolves the database path. `explicit` is `--db` or `$WARROOM_DB` (clap
/// reads both); an empty value counts as unset.
pub fn database_path(explicit: Option<PathBuf>) -> Result<PathBuf, String> {
    if let Some(path) = explicit.filter(|p| !p.as_os_str().is_empty()) {
        return Ok(path);
    }
    default_database_path()
}

/// `$XDG_DATA_HOME/warroom/warroom.db`, falling back to `~/.local/share`.
pub fn default_database_path() -> Result<PathBuf, String> {
    let base = directories::BaseDirs::new()
        .ok_or("cannot find your home folder to place the database; give --db PATH or set WARROOM_DB")?;
    Ok(base.data_dir().join("warroom").join("warroom.db"))
}
