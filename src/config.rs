//! The optional config file: `$XDG_CONFIG_HOME/warroom/config.toml`
//! (`~/.config/warroom/config.toml`), else `/etc/warroom/config.toml`.
//!
//! ```toml
//! database = "/srv/warroom/warroom.db"   # below --db and $WARROOM_DB
//! runbook = "/srv/warroom/runbook.md"    # for new incidents (a file or a library name); below --runbook
//! runbooks = "/srv/warroom/runbooks"     # the runbook library's folder (default: ~/.config/warroom/runbooks, else /etc/warroom/runbooks)
//! color = "auto"                          # auto | always | never (NO_COLOR wins)
//! bell = true                             # ring when a deadline comes due (WARROOM_BELL=off wins)
//! theme = "auto"                          # dark | light | auto: the terminal's background, for the colours
//!
//! [keys]                                  # action = [keys], in every context the action is bound in
//! new_note = ["n", "a"]                   # the names: `app::keymap::Action::name`, listed in the README
//!
//! [cost]                                  # `warroom metrics`' estimated cost of responder-hours
//! hourly_rate = 120                       # per attached hour of weight 1
//! currency = "EUR"                        # printed beside it
//! weights = { ic = 1.5, comms = 1.2 }     # by role key; an hour without a listed role weighs 1
//! ```

use std::path::{Path, PathBuf};

use serde::Deserialize;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

/// The terminal's background, as the config says or `auto` finds out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ThemeChoice {
    #[default]
    Auto,
    Dark,
    Light,
}

/// The background the colours are chosen for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Background {
    Dark,
    Light,
    /// Not known: colours that read on either.
    #[default]
    Unknown,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub database: Option<PathBuf>,
    pub runbook: Option<PathBuf>,
    /// The runbook library's folder (see [`crate::runbooks`]).
    pub runbooks: Option<PathBuf>,
    #[serde(default)]
    pub color: ColorChoice,
    pub bell: Option<bool>,
    #[serde(default)]
    pub theme: ThemeChoice,
    /// Key overrides: action name → keys (`new_note = ["n", "a"]`).
    #[serde(default)]
    pub keys: std::collections::BTreeMap<String, Vec<String>>,
    /// The rate and role weights of the metrics' estimated cost.
    #[serde(default)]
    pub cost: crate::domain::attendance::CostConfig,
}

/// Where config files are looked for, in order; the first that exists wins.
pub fn candidates() -> Vec<PathBuf> {
    let mut paths = Vec::new();
    if let Some(base) = directories::BaseDirs::new() {
        paths.push(base.config_dir().join("warroom").join("config.toml"));
    }
    paths.push(PathBuf::from("/etc/warroom/config.toml"));
    paths
}

/// Reads the first config file that exists; none is the default config. A
/// file that cannot be read is an error naming it (never silently ignored).
pub fn load() -> Result<Config, String> {
    match candidates().into_iter().find(|p| p.exists()) {
        Some(path) => read(&path),
        None => Ok(Config::default()),
    }
}

pub fn read(path: &Path) -> Result<Config, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let config: Config = toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    config
        .cost
        .check()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(config)
}

/// The runbook library this config names (its folder, else the default ones).
pub fn runbook_library(config: &Config) -> Result<crate::runbooks::Library, String> {
    let folder = crate::runbooks::folder(config.runbooks.as_deref());
    crate::runbooks::Library::load(folder.as_deref())
}

/// The runbook for new incidents, as (name, text): the one given (from
/// `--runbook` or the config: a file, or a name in the library), else the
/// built-in SOP.
pub fn runbook_source(given: Option<&Path>, config: &Config) -> Result<(String, String), String> {
    match given {
        Some(wanted) => {
            let entry = runbook_library(config)?.find(&wanted.to_string_lossy())?;
            Ok((entry.recorded_name, entry.text))
        }
        None => Ok((
            crate::runbook::DEFAULT_RUNBOOK_NAME.to_string(),
            crate::runbook::DEFAULT_RUNBOOK.to_string(),
        )),
    }
}

impl Config {
    /// Whether the console uses colour: `NO_COLOR` first; `auto` leaves
    /// colour out on a terminal that says it has none (`TERM` unset or
    /// `dumb`), `always` uses it there too.
    pub fn colors(&self, no_color_env: bool, term: Option<&str>) -> bool {
        let plain_terminal = matches!(term, None | Some("" | "dumb"));
        !no_color_env
            && match self.color {
                ColorChoice::Never => false,
                ColorChoice::Always => true,
                ColorChoice::Auto => !plain_terminal,
            }
    }

    /// The background to choose colours for: the config's word, else what
    /// the terminal says in `COLORFGBG` (`15;0`: light text on background
    /// colour 0), else unknown.
    pub fn background(&self, colorfgbg: Option<&str>) -> Background {
        match self.theme {
            ThemeChoice::Dark => Background::Dark,
            ThemeChoice::Light => Background::Light,
            ThemeChoice::Auto => {
                // The background is the last field; 0–6 and 8 are dark colours.
                match colorfgbg
                    .and_then(|v| v.rsplit(';').next())
                    .and_then(|bg| bg.parse::<u8>().ok())
                {
                    Some(0..=6 | 8) => Background::Dark,
                    Some(7 | 9..=15) => Background::Light,
                    _ => Background::Unknown,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_key_and_refuses_unknown_ones() {
        let config: Config = toml::from_str(
            "database = \"/srv/w.db\"\nrunbook = \"/srv/r.md\"\ncolor = \"never\"\nbell = false\n",
        )
        .unwrap();
        assert_eq!(config.database.as_deref(), Some(Path::new("/srv/w.db")));
        assert_eq!(config.color, ColorChoice::Never);
        assert_eq!(config.bell, Some(false));
        assert!(!config.colors(false, Some("xterm-256color")));
        let always = Config {
            color: ColorChoice::Always,
            ..Config::default()
        };
        let auto = Config::default();
        assert!(always.colors(false, Some("dumb")) && !auto.colors(false, Some("dumb")));
        assert!(auto.colors(false, Some("xterm")) && !auto.colors(false, None));
        assert!(!always.colors(true, Some("xterm")), "NO_COLOR wins");
        assert!(toml::from_str::<Config>("databse = \"x\"").is_err());
    }

    #[test]
    fn cost_reads_a_rate_a_currency_and_role_weights() {
        let config: Config = toml::from_str(
            "[cost]\nhourly_rate = 120\ncurrency = \"EUR\"\nweights = { ic = 1.5, comms = 1 }\n",
        )
        .unwrap();
        assert_eq!(config.cost.hourly_rate, Some(120.0));
        assert_eq!(config.cost.weights.get("ic"), Some(&1.5));
        assert!(
            toml::from_str::<Config>("[cost]\nrate = 1\n").is_err(),
            "unknown key"
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "[cost]\nhourly_rate = -5\n").unwrap();
        let refused = read(&path).unwrap_err();
        assert!(
            refused.contains("hourly_rate") && refused.contains("config.toml"),
            "{refused}"
        );
    }

    #[test]
    fn theme_is_dark_light_or_found_out() {
        let theme = |text: &str| toml::from_str::<Config>(text);
        assert_eq!(
            theme("theme = \"light\"").unwrap().background(Some("15;0")),
            Background::Light
        );
        assert_eq!(
            theme("theme = \"dark\"").unwrap().background(None),
            Background::Dark
        );
        let auto = theme("theme = \"auto\"").unwrap();
        assert_eq!(auto.background(Some("15;0")), Background::Dark);
        assert_eq!(auto.background(Some("0;default;15")), Background::Light);
        assert_eq!(auto.background(None), Background::Unknown);
        assert_eq!(auto.background(Some("garbage")), Background::Unknown);
        let refused = theme("theme = \"solarized\"").unwrap_err().to_string();
        assert!(
            refused.contains("solarized") || refused.contains("unknown variant"),
            "{refused}"
        );
    }
}
