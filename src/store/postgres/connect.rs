//! Reaching a PostgreSQL server (placeholder until the full connect lands:
//! no TLS, no password files).

use std::fmt;
use std::str::FromStr;

/// A PostgreSQL database, as a URL names it.
#[derive(Clone)]
pub struct PgTarget {
    config: postgres::Config,
    shown: String,
}

impl PgTarget {
    pub fn parse(url: &str) -> Result<PgTarget, String> {
        let config = postgres::Config::from_str(url).map_err(|e| format!("not a PostgreSQL URL: {e}"))?;
        let shown = format!(
            "postgresql://{}/{}",
            config.get_user().unwrap_or(""),
            config.get_dbname().unwrap_or("")
        );
        Ok(PgTarget { config, shown })
    }
}

impl PartialEq for PgTarget {
    fn eq(&self, other: &PgTarget) -> bool {
        self.shown == other.shown
    }
}
impl Eq for PgTarget {}

impl fmt::Debug for PgTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.shown)
    }
}

impl fmt::Display for PgTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.shown)
    }
}

pub fn connect(target: &PgTarget, application_name: &str) -> Result<postgres::Client, postgres::Error> {
    let mut config = target.config.clone();
    config.application_name(application_name);
    config.connect(postgres::NoTls)
}
