//! Incident roles: the four every incident has, plus any the runbook names.

use chrono::{DateTime, Utc};
use serde::Serialize;

/// A role that can be held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Role {
    /// Short key typed in commands (`ic`, `comms`).
    pub key: String,
    pub name: String,
    pub description: String,
}

/// Who holds a role of an incident, since when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoleHolder {
    pub role: String,
    pub name: String,
    pub account: String,
    pub since: DateTime<Utc>,
}

/// Key of the incident commander role.
pub const COMMANDER: &str = "ic";

fn role(key: &str, name: &str, description: &str) -> Role {
    Role {
        key: key.into(),
        name: name.into(),
        description: description.into(),
    }
}

/// The standard roles, then the runbook's `(name, description)` ones (a
/// runbook role with a standard name only adds its description).
pub fn roles(runbook_roles: &[(String, String)]) -> Vec<Role> {
    let mut all = vec![
        role(
            COMMANDER,
            "Incident Commander",
            "drives the response, owns decisions and the clock",
        ),
        role(
            "comms",
            "Communications Lead",
            "status updates to stakeholders and users",
        ),
        role("scribe", "Scribe", "keeps the timeline complete"),
        role("ops", "Operations Lead", "runs the technical response"),
    ];
    for (name, description) in runbook_roles {
        if let Some(known) = all.iter_mut().find(|r| r.name.eq_ignore_ascii_case(name)) {
            if !description.is_empty() {
                known.description = description.clone();
            }
            continue;
        }
        let initials: String = name
            .split_whitespace()
            .filter_map(|w| w.chars().next())
            .flat_map(char::to_lowercase)
            .collect();
        let slug: String = name
            .to_lowercase()
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join("-");
        let key = if initials.len() >= 2 && !all.iter().any(|r| r.key == initials) {
            initials
        } else {
            slug
        };
        all.push(role(&key, name, description));
    }
    all
}

/// A role's label where room is short: `IC`, `Comms`, `Scribe`, `Ops` for
/// the standard roles (by key); a runbook's own role keeps its name.
pub fn short_label<'a>(key: &str, name: &'a str) -> &'a str {
    match key {
        COMMANDER => "IC",
        "comms" => "Comms",
        "scribe" => "Scribe",
        "ops" => "Ops",
        _ => name,
    }
}

/// The role a person means: its key, its name, or the start of its name.
pub fn find_role<'a>(roles: &'a [Role], query: &str) -> Result<&'a Role, String> {
    let wanted = query.trim().to_lowercase();
    let exact = roles
        .iter()
        .find(|r| r.key == wanted || r.name.to_lowercase() == wanted);
    if let Some(role) = exact {
        return Ok(role);
    }
    let starts: Vec<&Role> = roles
        .iter()
        .filter(|r| !wanted.is_empty() && r.name.to_lowercase().starts_with(&wanted))
        .collect();
    match starts.as_slice() {
        [one] => Ok(one),
        _ => Err(format!(
            "no role {query:?}; roles: {}",
            roles
                .iter()
                .map(|r| format!("{} ({})", r.key, r.name))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_and_runbook_roles_are_found_by_key_or_name() {
        let roles = roles(&[
            ("Security Lead".into(), "owns forensics".into()),
            ("Scribe".into(), "writes everything down".into()),
        ]);
        assert_eq!(roles.len(), 5);
        assert_eq!(find_role(&roles, "ic").unwrap().name, "Incident Commander");
        assert_eq!(find_role(&roles, "sl").unwrap().name, "Security Lead");
        assert_eq!(find_role(&roles, "security").unwrap().key, "sl");
        assert_eq!(
            find_role(&roles, "scribe").unwrap().description,
            "writes everything down"
        );
        assert!(
            find_role(&roles, "janitor")
                .unwrap_err()
                .contains("ic (Incident Commander)")
        );
        let short: Vec<&str> = roles.iter().map(|r| short_label(&r.key, &r.name)).collect();
        assert_eq!(short, ["IC", "Comms", "Scribe", "Ops", "Security Lead"]);
    }
}
