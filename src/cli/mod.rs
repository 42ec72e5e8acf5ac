//! The command line: argument definitions (clap) and dispatch.
//!
//! Exit status: 0 on success, 1 on failure (message on stderr starting with
//! `error:`), 2 on usage errors (clap's own).

mod commands;
pub mod report;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::domain::Severity;
use crate::domain::time::TIME_FORMS;

#[derive(Debug, Parser)]
#[command(
    name = "warroom",
    version,
    about = "A full-screen terminal war room for production incidents, shared by every responder through one SQLite file.",
    after_help = "With no command, opens the console on the most recent open incident (or on INCIDENT).\n\
                  The database is --db, else $WARROOM_DB, else `database` in the config file, else\n\
                  $XDG_DATA_HOME/warroom/warroom.db (~/.local/share/warroom/warroom.db).\n\
                  Config: $XDG_CONFIG_HOME/warroom/config.toml, else /etc/warroom/config.toml.\n\
                  Diagnostics are logged to $XDG_STATE_HOME/warroom/warroom.log (~/.local/state/warroom/warroom.log)."
)]
pub struct Cli {
    /// The war room's database: a file shared by the responders of one host,
    /// or a postgresql:// URL (the password from PGPASSWORD or ~/.pgpass).
    // The variable's value is never shown in the help: it may hold a password.
    #[arg(
        long,
        global = true,
        env = "WARROOM_DB",
        hide_env_values = true,
        value_name = "PATH|URL"
    )]
    pub db: Option<PathBuf>,

    /// Incident to open in the console (default: the most recent open one).
    #[arg(value_name = "INCIDENT")]
    pub incident: Option<i64>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Declare a new incident; prints its id on stdout.
    Declare(DeclareArgs),
    /// Add a note to an incident's timeline (--file attaches a file's text as evidence).
    Note(NoteArgs),
    /// Run a command as evidence: `run -- CMD ARGS…` streams its output as usual, records
    /// it on the timeline (command, who, where, when, exit status, output and its SHA-256)
    /// and exits with the command's status.
    Run(RunArgs),
    /// Set the state of a checklist item (done by default).
    Check(CheckArgs),
    /// Change an incident's severity (recorded with who, when and why).
    Severity(SeverityArgs),
    /// Post a status update (resets the status-update countdown).
    StatusUpdate(StatusUpdateArgs),
    /// Record a decision on the timeline (shown as DECIDE).
    Decide(StatusUpdateArgs),
    /// Pin a timeline entry (the post-mortem's Impact lists pinned entries); --undo unpins.
    Pin(PinArgs),
    /// Push the status-update countdown out, with a reason.
    Snooze(SnoozeArgs),
    /// Advance the response phase: `next` or a phase number.
    Phase(PhaseArgs),
    /// Shared timers: `timer 10m TEXT`, `timer done N`, `timer cancel N`, `timer list`.
    Timer(TimerArgs),
    /// Hand a role over: `role ic alice` (ic, comms, scribe, ops, or a runbook role).
    Role(RoleArgs),
    /// MTTD, time to respond/mitigate/resolve, post-mortem and action-item rates.
    Metrics(MetricsArgs),
    /// Open the console on a realistic P1 in progress, in a fresh temporary database.
    Demo(DemoArgs),
    /// Play an incident back, read-only: the clocks, the checklist and the timeline as
    /// they stood at each moment (Space pauses, →/← step, [/] and {/} seek, +/- speed).
    Replay(ReplayArgs),
    /// Print shell completions (bash, zsh, fish, elvish, powershell).
    Completions { shell: clap_complete::Shell },
    /// Print the man page (roff).
    Manpage,
    /// Import timestamped lines (logs, chat) as backdated timeline entries.
    Import(ImportArgs),
    /// Write the post-mortem draft (Markdown) or the whole record (JSON).
    Export(ExportArgs),
    /// Print the public status page: state, severity, times and every status update, newest first; nothing internal.
    StatusPage(StatusPageArgs),
    /// Record when the incident started (its impact began), once known.
    Started(MilestoneArgs),
    /// Record when the incident was detected (by default: when it was declared).
    Detected(MilestoneArgs),
    /// Record that the incident was acknowledged.
    #[command(alias = "acknowledge")]
    Ack(MilestoneArgs),
    /// Record that the impact is mitigated.
    Mitigate(MilestoneArgs),
    /// Record that the incident is resolved (starts the 48-hour post-mortem countdown).
    Resolve(MilestoneArgs),
    /// Close the incident.
    Close(MilestoneArgs),
    /// Post-mortem bookkeeping: `postmortem done [ID]`.
    Postmortem(PostmortemArgs),
    /// Action items: `action add [--owner U] [--due D] TEXT`, `action done N`, `action list [--all]`.
    Action(ActionArgs),
    /// Set up a shared war room folder on this host, or a PostgreSQL war room (schema, roles, grants).
    Init(InitArgs),
    /// Check the database and your rights (a file: its folder, -wal/-shm; a server: login, TLS, schema, NOTIFY, clock, connections); print fixes.
    Doctor,
    /// List incidents (open ones unless --all).
    List(ListArgs),
    /// List the runbooks to declare with (built in, and the library folder's); exit status 1 if one is broken.
    Runbooks(RunbooksArgs),
    /// Show one incident: milestones, checklist and timeline.
    Show(ShowArgs),
    /// Walk the tamper-evident chain of the record; exit status 1 if it was altered.
    Verify(VerifyArgs),
}

/// The incident a command acts on, as `ID` or `--incident/-i ID` (default:
/// the most recent open incident, else the most recent).
#[derive(Debug, Args)]
pub struct Target {
    /// Incident id (default: the most recent open incident, else the most recent).
    #[arg(value_name = "ID", conflicts_with = "incident")]
    pub id: Option<i64>,
    /// Incident id, as an option.
    #[arg(long, short, value_name = "ID")]
    pub incident: Option<i64>,
}

impl Target {
    pub fn id(&self) -> Option<i64> {
        self.id.or(self.incident)
    }
}

#[derive(Debug, Args)]
pub struct DeclareArgs {
    /// Severity: P0 critical, P1 high, P2 medium, P3 low.
    #[arg(long, short, default_value = "P2", value_parser = parse_severity)]
    pub severity: Severity,
    #[arg(long, value_name = "T", allow_hyphen_values = true, help = format!("When the incident started, if known. T: {TIME_FORMS}"))]
    pub started_at: Option<String>,
    /// When it was detected, if before now.
    #[arg(long, value_name = "T", allow_hyphen_values = true)]
    pub detected_at: Option<String>,
    /// Runbook to take the checklist and phases from: a Markdown file, or a name
    /// `warroom runbooks` lists (default: the built-in SOP).
    #[arg(long, value_name = "NAME|FILE")]
    pub runbook: Option<PathBuf>,
    /// A drill: practise on the real tool. Marked DRILL in the console, lists,
    /// exports and the status page; kept out of the metrics.
    #[arg(long)]
    pub drill: bool,
    /// Title, one line (words are joined with spaces).
    #[arg(required = true, num_args = 1.., value_name = "TITLE")]
    pub title: Vec<String>,
}

#[derive(Debug, Args)]
pub struct NoteArgs {
    /// Incident id (default: the most recent open incident).
    #[arg(long, short)]
    pub incident: Option<i64>,
    #[arg(long, value_name = "T", allow_hyphen_values = true, help = format!("When it happened, to backdate the entry. T: {TIME_FORMS}"))]
    pub at: Option<String>,
    /// Pin the entry (pinned entries can be exported alone).
    #[arg(long)]
    pub pin: bool,
    /// Attach FILE's text as evidence instead (its first MiB kept, its size and SHA-256 recorded).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["text", "at"])]
    pub file: Option<PathBuf>,
    /// Note text (words are joined with spaces); "-" reads it from stdin.
    #[arg(required_unless_present = "file", num_args = 1.., value_name = "TEXT", allow_hyphen_values = true)]
    pub text: Vec<String>,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Incident id (default: the most recent open incident).
    #[arg(long, short)]
    pub incident: Option<i64>,
    /// Pin the entry.
    #[arg(long)]
    pub pin: bool,
    /// The command and its arguments, after `--`.
    #[arg(required = true, last = true, num_args = 1.., value_name = "CMD")]
    pub command: Vec<String>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Incident id (default: the most recent open incident).
    #[arg(long, short)]
    pub incident: Option<i64>,
    /// Reopen the item instead.
    #[arg(long, conflicts_with = "na")]
    pub undo: bool,
    /// Mark the item not applicable.
    #[arg(long)]
    pub na: bool,
    /// When it was done, if earlier than now.
    #[arg(long, value_name = "T", allow_hyphen_values = true)]
    pub at: Option<String>,
    /// Item key (1.2, p1.3) or a part of its name that matches one item.
    #[arg(required = true, num_args = 1.., value_name = "ITEM")]
    pub item: Vec<String>,
}

#[derive(Debug, Args)]
pub struct SeverityArgs {
    /// New severity: P0 critical, P1 high, P2 medium, P3 low.
    #[arg(value_parser = parse_severity)]
    pub severity: Severity,
    /// Why (shown on the timeline).
    #[arg(long, short)]
    pub reason: Option<String>,
    /// Incident id (default: the most recent open incident).
    #[arg(long, short)]
    pub incident: Option<i64>,
}

#[derive(Debug, Args)]
pub struct StatusUpdateArgs {
    /// Incident id (default: the most recent open incident).
    #[arg(long, short)]
    pub incident: Option<i64>,
    /// Update text (words are joined with spaces); "-" reads it from stdin.
    #[arg(required = true, num_args = 1.., value_name = "TEXT", allow_hyphen_values = true)]
    pub text: Vec<String>,
}

#[derive(Debug, Args)]
pub struct SnoozeArgs {
    /// How long to push the countdown out (10m, 1h).
    pub length: String,
    /// Why (required; goes on the timeline).
    #[arg(long, short)]
    pub reason: String,
    /// Incident id (default: the most recent open incident).
    #[arg(long, short)]
    pub incident: Option<i64>,
}

#[derive(Debug, Args)]
pub struct PinArgs {
    /// The entry's id (`#12` on the console, `id` in `show --json`).
    #[arg(value_name = "ENTRY_ID", value_parser = parse_entry_id)]
    pub entry: i64,
    /// Unpin it instead.
    #[arg(long)]
    pub undo: bool,
    /// Incident id (default: the incident the entry belongs to).
    #[arg(long, short)]
    pub incident: Option<i64>,
}

/// `12` or `#12`.
fn parse_entry_id(text: &str) -> Result<i64, String> {
    text.trim_start_matches('#')
        .parse()
        .map_err(|_| format!("an entry id is a number like 12 or #12, not {text:?}"))
}

#[derive(Debug, Args)]
pub struct PhaseArgs {
    /// `next`, or the phase number (1-based) to move to.
    pub target: String,
    /// Incident id (default: the most recent open incident).
    #[arg(long, short)]
    pub incident: Option<i64>,
}

#[derive(Debug, Args)]
pub struct TimerArgs {
    /// `10m TEXT…` starts a timer; `done N` / `cancel N` closes one; `list`.
    #[arg(required = true, num_args = 1.., value_name = "ARGS", allow_hyphen_values = true)]
    pub args: Vec<String>,
    /// Incident id (default: the most recent open incident).
    #[arg(long, short)]
    pub incident: Option<i64>,
}

#[derive(Debug, Args)]
pub struct RoleArgs {
    /// Role key or name: ic, comms, scribe, ops, or one the runbook names.
    pub role: String,
    /// Account that takes the role.
    pub account: String,
    /// Incident id (default: the most recent open incident).
    #[arg(long, short)]
    pub incident: Option<i64>,
}

#[derive(Debug, Args)]
#[command(after_help = crate::domain::import::LINE_FORMS)]
pub struct ImportArgs {
    /// File of timestamped lines ("-" reads stdin).
    pub file: PathBuf,
    /// Incident id (default: the most recent open incident, else the most recent).
    #[arg(long, short)]
    pub incident: Option<i64>,
    /// Day of lines that give only a clock time (YYYY-MM-DD).
    #[arg(long, value_name = "D")]
    pub date: Option<chrono::NaiveDate>,
    /// Zone of times without an offset: UTC, +02:00, local.
    #[arg(long, value_name = "ZONE", default_value = "local")]
    pub tz: crate::domain::import::Zone,
}

#[derive(Debug, Args)]
pub struct MetricsArgs {
    /// Only incidents declared at or after T.
    #[arg(long, value_name = "T", allow_hyphen_values = true)]
    pub since: Option<String>,
    /// Only incidents of this severity.
    #[arg(long, value_parser = parse_severity)]
    pub severity: Option<Severity>,
    /// Print JSON (figures in seconds; keys documented in README).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub target: Target,
    #[arg(long, value_enum, default_value = "markdown")]
    pub format: ExportFormat,
    /// Write to FILE (atomically) instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Only the pinned timeline entries.
    #[arg(long)]
    pub pinned: bool,
    /// Markdown template to use instead of the built-in one (minijinja syntax).
    #[arg(long, value_name = "FILE")]
    pub template: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ExportFormat {
    Markdown,
    Json,
}

#[derive(Debug, Args)]
pub struct StatusPageArgs {
    #[command(flatten)]
    pub target: Target,
    #[arg(long, value_enum, default_value = "markdown")]
    pub format: StatusPageFormat,
    /// Name who posted each update, and the incident commander (left out by default).
    #[arg(long)]
    pub with_names: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum StatusPageFormat {
    Markdown,
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct MilestoneArgs {
    #[command(flatten)]
    pub target: Target,
    #[arg(long, value_name = "T", allow_hyphen_values = true, help = format!("When it happened (default: now). T: {TIME_FORMS}"))]
    pub at: Option<String>,
}

#[derive(Debug, Args)]
pub struct PostmortemArgs {
    /// `done`: the post-mortem is written.
    #[arg(value_parser = ["done"])]
    pub what: String,
    #[command(flatten)]
    pub target: Target,
}

#[derive(Debug, Args)]
pub struct ActionArgs {
    #[command(subcommand)]
    pub command: ActionCommand,
}

#[derive(Debug, Subcommand)]
pub enum ActionCommand {
    /// Add an action item to an incident.
    Add {
        /// Who owns it (an account name).
        #[arg(long)]
        owner: Option<String>,
        /// When it is due: +2d, 2026-03-05, or RFC 3339; from now to ten years ahead.
        #[arg(long, allow_hyphen_values = true)]
        due: Option<String>,
        /// Incident id (default: the most recent incident).
        #[arg(long, short)]
        incident: Option<i64>,
        /// What to do (words are joined with spaces).
        #[arg(required = true, num_args = 1..)]
        text: Vec<String>,
    },
    /// Mark an action item done.
    Done {
        /// Action item number.
        id: i64,
    },
    /// List action items (of all incidents with --all).
    List {
        #[arg(long)]
        all: bool,
        /// Incident id (default: the most recent incident).
        #[arg(long, short)]
        incident: Option<i64>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Folder to share between responders (setgid, sticky, group-writable;
    /// creates the database, -wal and -shm; refuses links); prints the
    /// WARROOM_DB line for their shell profile.
    #[arg(long, value_name = "DIR")]
    pub shared: Option<PathBuf>,
    /// Group of the responders (default: your primary group).
    #[arg(long, value_name = "NAME", requires = "shared")]
    pub group: Option<String>,
    /// With --shared: let accounts outside the group watch read-only
    /// (folder 3775, file 0664). With --db URL: the database role whose
    /// members may only watch (created NOLOGIN if missing).
    #[arg(long, value_name = "ROLE", num_args = 0..=1, default_missing_value = "")]
    pub observers: Option<String>,
    /// With --db URL: the database role whose members take part (read and
    /// write; never rewrite the log); created NOLOGIN if missing.
    #[arg(long, value_name = "ROLE", conflicts_with = "shared")]
    pub responders: Option<String>,
}

#[derive(Debug, Args)]
pub struct RunbooksArgs {
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Include resolved and closed incidents.
    #[arg(long)]
    pub all: bool,
    /// Print JSON (keys documented in README).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Play the demo incident back (as `warroom replay` does) instead of opening it live.
    #[arg(long)]
    pub replay: bool,
    /// The replay's speed (with --replay).
    #[arg(long, requires = "replay", default_value_t = crate::app::replay::DEFAULT_SPEED,
          value_parser = clap::value_parser!(u32).range(1..=i64::from(crate::app::replay::MAX_SPEED)))]
    pub speed: u32,
}

#[derive(Debug, Args)]
pub struct ReplayArgs {
    #[command(flatten)]
    pub target: Target,
    /// Replayed seconds per second, 1 to 3600 (the keys step through ×1, ×10, ×60, ×600).
    #[arg(long, default_value_t = crate::app::replay::DEFAULT_SPEED,
          value_parser = clap::value_parser!(u32).range(1..=i64::from(crate::app::replay::MAX_SPEED)))]
    pub speed: u32,
    #[arg(long, value_name = "T", allow_hyphen_values = true, help = format!("Where to start (default: the declaration): +10m after the declaration, or T: {TIME_FORMS}"))]
    pub from: Option<String>,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    #[command(flatten)]
    pub target: Target,
    /// Print JSON (keys documented in README).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Incident to summarize as well (the chain covers every incident of the database).
    #[command(flatten)]
    pub target: Target,
    /// Print JSON (keys documented in README).
    #[arg(long)]
    pub json: bool,
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    s.parse()
}

/// Parses the process's arguments, runs the command, and maps the outcome to
/// an exit status.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    if cli.incident.is_some() && cli.command.is_some() {
        use clap::CommandFactory;
        Cli::command()
            .error(
                clap::error::ErrorKind::ArgumentConflict,
                "INCIDENT opens the console; give commands their own --incident/ID instead",
            )
            .exit();
    }
    match commands::run(cli) {
        Ok(status) => status,
        Err(e) => {
            let message = format!("{e:#}");
            crate::diagnostics::record(&format!("error: {message}"));
            eprintln!("error: {}", crate::domain::sanitize(&message));
            ExitCode::FAILURE
        }
    }
}
