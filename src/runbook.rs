// TEMPORARY STUB (to be replaced by the real parser)
use serde::Serialize;
pub const DEFAULT_RUNBOOK: &str = "";
pub const DEFAULT_RUNBOOK_NAME: &str = "Incident Response SOP (built in)";
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Runbook {
    pub title: String,
    pub sections: Vec<Section>,
    pub phases: Vec<Phase>,
}
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Section {
    pub title: String,
    pub items: Vec<RunbookItem>,
}
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunbookItem {
    pub key: String,
    pub name: String,
    pub description: String,
    pub line: usize,
}
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Phase {
    pub name: String,
    pub items: Vec<RunbookItem>,
}
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("runbook line {line}: {message}")]
pub struct RunbookError {
    pub line: usize,
    pub message: String,
}
pub fn parse(_s: &str) -> Result<Runbook, RunbookError> {
    Ok(Runbook {
        title: String::new(),
        sections: vec![Section {
            title: "S".into(),
            items: vec![RunbookItem {
                key: "1.1".into(),
                name: "Incident Confirmed".into(),
                description: "d".into(),
                line: 1,
            }],
        }],
        phases: vec![],
    })
}
impl Runbook {
    pub fn all_items(&self) -> impl Iterator<Item = (&str, &RunbookItem)> {
        self.sections
            .iter()
            .flat_map(|s| s.items.iter().map(move |i| (s.title.as_str(), i)))
            .chain(
                self.phases
                    .iter()
                    .flat_map(|p| p.items.iter().map(move |i| (p.name.as_str(), i))),
            )
    }
}
