//! What each subcommand does.

use std::io::Read;
use std::path::Path;
use std::process::ExitCode;

use chrono::{DateTime, Local, Utc};
use color_eyre::eyre::{Result, WrapErr, bail, eyre};

use super::{
    ActionCommand, CheckArgs, Cli, Command as Subcommand, DeclareArgs, DemoArgs, ExportArgs, ExportFormat,
    ImportArgs, InitArgs, ListArgs, MetricsArgs, MilestoneArgs, NoteArgs, PhaseArgs, PinArgs, PostmortemArgs,
    ReplayArgs, RoleArgs, RunArgs, SeverityArgs, ShowArgs, SnoozeArgs, StatusPageArgs, StatusPageFormat,
    StatusUpdateArgs, TimerArgs, VerifyArgs, report,
};
use crate::account::current_account;
use crate::command::{self, Answer, Attempt, Command, Declaration, EvidenceWrite, Refusal, Verdict};
use crate::domain::evidence::{Circumstances, MAX_COMMAND_BYTES, Source};
use crate::domain::import::{ImportedLine, LineError};
use crate::domain::time::{check_past, format_clock, parse_time};
use crate::domain::{EntryKind, ItemState, Milestone, sanitize_line};
use crate::paths::database_location;
use crate::store::{EntryFilter, Location, NewEntry, OpenMode, PAGE_SIZE, Store, StoreError};
use crate::witness::Witness;

/// Runs the command; the exit status is 0 unless it is a command's own
/// (`run`).
pub fn run(cli: Cli) -> Result<ExitCode> {
    let config = crate::config::load().map_err(|e| eyre!("config: {e}"))?;
    let db = database_location(cli.db.or(config.database.clone())).map_err(|e| eyre!(e))?;
    if let Some(Subcommand::Run(args)) = cli.command {
        return run_as_evidence(&db, args);
    }
    match cli.command {
        None => crate::console::run(&db, cli.incident, &config),
        Some(Subcommand::Declare(args)) => declare(&db, args, &config),
        Some(Subcommand::Completions { shell }) => {
            use clap::CommandFactory;
            clap_complete::generate(shell, &mut Cli::command(), "warroom", &mut std::io::stdout());
            Ok(())
        }
        Some(Subcommand::Manpage) => {
            use clap::CommandFactory;
            clap_mangen::Man::new(Cli::command()).render(&mut std::io::stdout())?;
            Ok(())
        }
        Some(Subcommand::Note(args)) => note(&db, args),
        Some(Subcommand::Check(args)) => check(&db, args),
        Some(Subcommand::Severity(args)) => severity(&db, args),
        Some(Subcommand::StatusUpdate(args)) => entry(&db, args, EntryKind::StatusUpdate),
        Some(Subcommand::Decide(args)) => entry(&db, args, EntryKind::Decision),
        Some(Subcommand::Pin(args)) => pin(&db, args),
        Some(Subcommand::Snooze(args)) => snooze(&db, args),
        Some(Subcommand::Phase(args)) => phase(&db, args),
        Some(Subcommand::Timer(args)) => timer(&db, args),
        Some(Subcommand::Role(args)) => role(&db, args),
        Some(Subcommand::Export(args)) => export(&db, args),
        Some(Subcommand::StatusPage(args)) => status_page(&db, args),
        Some(Subcommand::Import(args)) => import(&db, args),
        Some(Subcommand::Metrics(args)) => metrics(&db, args, &config),
        Some(Subcommand::Demo(args)) => demo(args),
        Some(Subcommand::Replay(args)) => replay(&db, args, &config),
        Some(Subcommand::Started(args)) => milestone(&db, Milestone::Started, args),
        Some(Subcommand::Detected(args)) => milestone(&db, Milestone::Detected, args),
        Some(Subcommand::Ack(args)) => milestone(&db, Milestone::Acknowledged, args),
        Some(Subcommand::Mitigate(args)) => milestone(&db, Milestone::Mitigated, args),
        Some(Subcommand::Resolve(args)) => milestone(&db, Milestone::Resolved, args),
        Some(Subcommand::Close(args)) => milestone(&db, Milestone::Closed, args),
        Some(Subcommand::Postmortem(args)) => postmortem(&db, args),
        Some(Subcommand::Action(args)) => action(&db, args.command),
        Some(Subcommand::Init(args)) => init(&db, args),
        Some(Subcommand::Doctor) => doctor(&db),
        Some(Subcommand::List(args)) => list(&db, args),
        Some(Subcommand::Runbooks(args)) => runbooks(&config, args),
        Some(Subcommand::Show(args)) => show(&db, args),
        Some(Subcommand::Verify(args)) => verify(&db, args),
        Some(Subcommand::Run(_)) => unreachable!("run is dispatched above, for its exit status"),
    }
    .map(|()| ExitCode::SUCCESS)
}

/// Opens the database and checks that the record still extends what this
/// account saw before; a break is said on stderr, and the command goes on
/// (the war room must keep working; `verify` is the strict check).
fn open_store(db: &Location, mode: OpenMode) -> Result<Store, StoreError> {
    let mut store = Store::open(db, mode)?;
    match Witness::for_store(&mut store).and_then(|mut witness| witness.check(&mut store)) {
        Ok(None) => {}
        Ok(Some(broken)) => eprintln!(
            "warning: the record in {} was altered: {}; run `warroom verify`",
            store.location(),
            broken.describe()
        ),
        Err(e) => crate::diagnostics::record(&format!("cannot check the record's chain: {e}")),
    }
    Ok(store)
}

fn new_uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// The incident a command acts on: the one given, else the most recently
/// declared open one, else the most recent (just resolved) one.
fn target_incident(store: &mut Store, given: Option<i64>) -> Result<i64> {
    if let Some(id) = given {
        return Ok(id);
    }
    store
        .latest_incident()?
        .ok_or_else(|| eyre!("there is no incident yet; declare one with `warroom declare TITLE`"))
}

fn declare(db: &Location, args: DeclareArgs, config: &crate::config::Config) -> Result<()> {
    let runbook =
        crate::config::runbook_source(args.runbook.as_deref().or(config.runbook.as_deref()), config)
            .map_err(|e| eyre!(e))?;
    let declaration = Declaration {
        title: args.title.join(" "),
        severity: args.severity,
        started_at: args.started_at,
        detected_at: args.detected_at,
        runbook,
        drill: args.drill,
    }
    .check(&Local::now())
    .map_err(refused)?;
    // Only now, with nothing refused, may the database be created.
    let mut store = open_store(db, OpenMode::Create)?;
    let id = declaration.apply(&mut store, &new_uuid(), &current_account())?;
    println!("{id}");
    Ok(())
}

/// The words given, or stdin for "-".
fn text_arg(words: &[String]) -> Result<String> {
    if words != ["-"] {
        return Ok(words.join(" "));
    }
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .wrap_err("cannot read the text from stdin (it must be UTF-8 text)")?;
    Ok(text.trim_end_matches(['\n', '\r']).to_string())
}

fn note(db: &Location, args: NoteArgs) -> Result<()> {
    if let Some(path) = &args.file {
        return attach_file(db, args.incident, args.pin, path);
    }
    let command = Command::Entry {
        kind: EntryKind::Note,
        text: text_arg(&args.text)?,
        at: args.at,
        pinned: args.pin,
    };
    run_command(db, args.incident, command)?;
    Ok(())
}

/// A status update or a decision: text, now.
fn entry(db: &Location, args: StatusUpdateArgs, kind: EntryKind) -> Result<()> {
    let command = Command::Entry {
        kind,
        text: text_arg(&args.text)?,
        at: None,
        pinned: false,
    };
    run_command(db, args.incident, command)?;
    Ok(())
}

/// Checks `command` against the incident given (or the latest) and the
/// clock, applies it as this account, and says any warning that goes with
/// it; the same core the console's keys and `:` line go through.
fn run_command(db: &Location, incident: Option<i64>, command: Command) -> Result<Answer> {
    let mut store = open_store(db, OpenMode::Existing)?;
    let incident_id = target_incident(&mut store, incident)?;
    let record = store.incident_state(incident_id)?;
    let write = command
        .check(&record, &Local::now())
        .map_err(|refusal| match refusal.field {
            Some(field) => eyre!("--{field}: {}", refusal.message),
            None => eyre!(refusal.message),
        })?;
    let answer = command::apply(&mut store, &Attempt::new(incident_id, write), &current_account())?;
    if let Some(warning) = &answer.warning {
        eprintln!("warning: {warning}");
    }
    Ok(answer)
}

/// A refusal of the core, naming the option at fault.
fn refused(refusal: Refusal) -> color_eyre::Report {
    match refusal.field {
        Some(field) => eyre!("--{field}: {}", refusal.message),
        None => eyre!(refusal.message),
    }
}

/// Runs `command` and prints its answer: the timeline text it recorded.
fn run_and_say(db: &Location, incident: Option<i64>, command: Command) -> Result<Answer> {
    let answer = run_command(db, incident, command)?;
    println!("{}", answer.text);
    Ok(answer)
}

fn check(db: &Location, args: CheckArgs) -> Result<()> {
    let state = match (args.undo, args.na) {
        (true, _) => ItemState::Open,
        (_, true) => ItemState::NotApplicable,
        _ => ItemState::Done,
    };
    let command = Command::SetItem {
        item: args.item.join(" "),
        state,
        at: args.at,
    };
    // The item as it stands, as `show` lists it.
    let answer = run_command(db, args.incident, command)?;
    if let Some(item) = &answer.item {
        match answer.verdict {
            Verdict::Done => println!("{}", report::item_line(item)),
            _ => println!("{} (already so, nothing changed)", report::item_line(item)),
        }
    }
    Ok(())
}

fn severity(db: &Location, args: SeverityArgs) -> Result<()> {
    let command = Command::Severity {
        severity: args.severity,
        reason: args.reason.unwrap_or_default(),
    };
    run_and_say(db, args.incident, command)?;
    Ok(())
}

/// Where a reader looked and found no database.
fn no_database_yet(db: &Location) -> String {
    format!(
        "there is no warroom database at {db} yet (`warroom declare TITLE` creates it; or check --db and WARROOM_DB)"
    )
}

/// A path for a message: sanitized, since a path can hold any byte.
fn shown(path: &Path) -> String {
    sanitize_line(&path.display().to_string()).into_owned()
}

fn snooze(db: &Location, args: SnoozeArgs) -> Result<()> {
    let command = Command::Snooze {
        length: args.length,
        reason: args.reason,
    };
    run_and_say(db, args.incident, command)?;
    Ok(())
}

/// Pins or unpins an entry of its own incident (or of `-i ID`, which the
/// core then checks it belongs to); prints the pin event's text.
fn pin(db: &Location, args: PinArgs) -> Result<()> {
    let incident = match args.incident {
        Some(id) => Some(id),
        None => open_store(db, OpenMode::Existing)?.incident_of_entry(args.entry)?,
    };
    let command = Command::Pin {
        entry: args.entry,
        pinned: !args.undo,
    };
    run_and_say(db, incident, command)?;
    Ok(())
}

fn phase(db: &Location, args: PhaseArgs) -> Result<()> {
    run_and_say(db, args.incident, Command::Phase(args.target))?;
    Ok(())
}

fn timer(db: &Location, args: TimerArgs) -> Result<()> {
    let words: Vec<&str> = args.args.iter().map(String::as_str).collect();
    if words == ["list"] {
        let mut store = open_store(db, OpenMode::Existing)?;
        let incident_id = target_incident(&mut store, args.incident)?;
        for t in &store.incident_state(incident_id)?.timers {
            println!(
                "{:>3}  {:<9}  {}  {}",
                t.id,
                t.state.as_str(),
                report::local_time(t.deadline),
                crate::domain::sanitize_line(&t.label)
            );
        }
        return Ok(());
    }
    match command::parse_timer(&words.join(" ")).map_err(|e| eyre!(e))? {
        start @ Command::StartTimer { .. } => {
            // Like declare: the new number, for scripts.
            let answer = run_command(db, args.incident, start)?;
            println!("{}", answer.new_id.unwrap_or_default());
        }
        close => {
            run_and_say(db, args.incident, close)?;
        }
    }
    Ok(())
}

fn role(db: &Location, args: RoleArgs) -> Result<()> {
    let command = Command::Role {
        role: args.role,
        account: args.account,
    };
    run_and_say(db, args.incident, command)?;
    Ok(())
}

fn demo(args: DemoArgs) -> Result<()> {
    let dir = tempfile::Builder::new()
        .prefix("warroom-demo-")
        .tempdir()
        .wrap_err("cannot create a temporary folder for the demo")?;
    let db = dir.path().join("warroom.db");
    let id = crate::demo::create(&db, Utc::now())?;
    let location = Location::from(&db);
    // The demo is the same for everyone: the config is not read.
    let config = crate::config::Config::default();
    let ran = if args.replay {
        Store::open(&location, OpenMode::Existing)
            .map_err(Into::into)
            .and_then(|mut store| load_replay(&mut store, id))
            .and_then(|(replay, runbook_text)| {
                let from = replay.start();
                crate::console::replay(&location, replay, runbook_text, from, args.speed, &config)
            })
    } else {
        crate::console::run(&location, Some(id), &config)
    };
    // Removed before anything is printed: after a hang-up (SSH dropped) the
    // terminal is gone, and a failed print must not leave the file behind.
    let shown = shown(&db);
    dir.close()
        .wrap_err_with(|| format!("cannot remove the demo database {shown}"))?;
    ran?;
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "The demo database was {shown} (now removed).");
    Ok(())
}

/// Plays an incident back: read once (the incident as it stands and its
/// whole log), then shown from memory, the database no longer read.
fn replay(db: &Location, args: ReplayArgs, config: &crate::config::Config) -> Result<()> {
    let (replay, runbook_text) = {
        let mut store = open_store(db, OpenMode::Existing)?;
        let incident = target_incident(&mut store, args.target.id())?;
        load_replay(&mut store, incident)?
    };
    let from = replay
        .start_from(args.from.as_deref(), &Local::now())
        .map_err(|e| eyre!("--from: {e}"))?;
    crate::console::replay(db, replay, runbook_text, from, args.speed, config)
}

/// An incident and its whole log, for a replay: the incident as it stands
/// now in one snapshot, then its events a page at a time up to that
/// snapshot (short reads; all of them are kept: a replay moves back and
/// forth through them). Returns the replay and the runbook's text.
fn load_replay(store: &mut Store, incident: i64) -> Result<(crate::domain::replay::Replay, String)> {
    let outline = store.incident_outline(incident)?;
    let mut pages = outline.pages(EntryFilter::All, PAGE_SIZE);
    let mut events = Vec::new();
    loop {
        let page = pages.next_page(store)?;
        if page.is_empty() {
            break;
        }
        events.extend(page);
    }
    let replay = crate::domain::replay::Replay::new(outline.record.ending(), events, Utc::now());
    Ok((replay, outline.record.runbook_text))
}

fn metrics(db: &Location, args: MetricsArgs, config: &crate::config::Config) -> Result<()> {
    use crate::domain::metrics;
    let since = match args.since.as_deref() {
        Some(text) => Some(parse_time(text, &Local::now()).map_err(|e| eyre!("--since: {e}"))?),
        None => None,
    };
    let filter = metrics::Filter {
        since,
        severity: args.severity,
    };
    let report = match open_store(db, OpenMode::Existing) {
        Ok(mut store) => store.metrics_with_cost(&filter, Utc::now(), &config.cost)?,
        // No database yet: no incidents to count, and where it looked.
        Err(e) if e.is_nothing_declared_yet() => {
            if !args.json {
                println!("No incidents to count: {}", no_database_yet(db));
            }
            metrics::compute_with_attendance(&[], &[], &Default::default(), &config.cost, &filter, Utc::now())
        }
        Err(e) => return Err(e.into()),
    };
    if args.json {
        report::print_json(&serde_json::to_value(&report)?)
    } else {
        print!("{}", report.to_text());
        Ok(())
    }
}

fn import(db: &Location, args: ImportArgs) -> Result<()> {
    let text = if args.file.as_os_str() == "-" {
        text_arg(&["-".to_string()])?
    } else {
        std::fs::read(&args.file)
            .wrap_err_with(|| format!("cannot read {}", args.file.display()))
            .and_then(|bytes| {
                String::from_utf8(bytes).map_err(|_| eyre!("{} is not UTF-8 text", args.file.display()))
            })?
    };
    let now = Utc::now();
    let lines = crate::domain::import::parse_lines(&text, args.date, args.tz)
        .and_then(|lines| imported_lines_in_bounds(lines, now))
        .map_err(|errors| {
            let listed: Vec<String> = errors
                .iter()
                .map(|e| format!("  {}", crate::domain::sanitize_line(&e.to_string())))
                .collect();
            eyre!(
                "nothing imported: {} line(s) of {} cannot be read:\n{}",
                errors.len(),
                args.file.display(),
                listed.join("\n")
            )
        })?;
    let mut store = open_store(db, OpenMode::Existing)?;
    let incident = target_incident(&mut store, args.incident)?;
    let author = current_account();
    let entries: Vec<NewEntry> = lines
        .iter()
        .map(|line| {
            // The same line imported twice into one incident is one entry.
            let key = format!(
                "{incident}\u{1f}{}\u{1f}{}",
                line.at.timestamp_millis(),
                line.text
            );
            NewEntry {
                uuid: uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, key.as_bytes()).to_string(),
                kind: EntryKind::Note,
                occurred_at: line.at,
                author: author.clone(),
                text: line.text.clone(),
                pinned: false,
            }
        })
        .collect();
    let added = store.add_entries(incident, &entries)?;
    println!(
        "imported {added} entries into incident {incident} ({} already there)",
        entries.len() - added
    );
    Ok(())
}

/// Holds every imported line to the one rule for past times
/// ([`check_past`]); all or nothing, like unreadable lines.
fn imported_lines_in_bounds(
    lines: Vec<ImportedLine>,
    now: DateTime<Utc>,
) -> std::result::Result<Vec<ImportedLine>, Vec<LineError>> {
    let errors: Vec<LineError> = lines
        .iter()
        .filter_map(|line| {
            let what = format_clock(line.at, now);
            check_past(&what, line.at, now).err().map(|message| LineError {
                line: line.line,
                message: format!("{message}; check --date and --tz"),
            })
        })
        .collect();
    if errors.is_empty() { Ok(lines) } else { Err(errors) }
}

fn export(db: &Location, args: ExportArgs) -> Result<()> {
    let mut store = open_store(db, OpenMode::Existing)?;
    let incident = target_incident(&mut store, args.target.id())?;
    // The export says whether the record held, so a reviewer can check a
    // later copy against the chain head it names.
    let check = crate::export::RecordCheck::from(&Witness::for_store(&mut store)?.verify(&mut store)?);
    let template = match (&args.format, &args.template) {
        (ExportFormat::Markdown, Some(path)) => std::fs::read_to_string(path)
            .wrap_err_with(|| format!("cannot read the template {}", path.display()))?,
        _ => crate::export::DEFAULT_TEMPLATE.to_string(),
    };
    // Written as it is made: the timeline is read a page at a time, so a
    // long incident costs the memory of a page.
    let store = std::sync::Arc::new(std::sync::Mutex::new(store));
    let write = |out: &mut dyn std::io::Write| -> Result<()> {
        match args.format {
            ExportFormat::Markdown => {
                let export = crate::export::MarkdownExport {
                    pinned_only: args.pinned,
                    check: Some(&check),
                    ..crate::export::MarkdownExport::new(&template, Utc::now())
                };
                crate::export::write_markdown(&store, incident, &export, out).map_err(|e| eyre!(e))
            }
            ExportFormat::Json => {
                let mut store = store.lock().unwrap_or_else(|e| e.into_inner());
                let outline = store.incident_outline(incident)?;
                let mut value = report::export_json(&outline.record);
                value["record"] = serde_json::to_value(&check)?;
                value["participants"] = report::participants_json(&store.participants(incident, Utc::now())?);
                let filter = if args.pinned {
                    EntryFilter::Pinned
                } else {
                    EntryFilter::All
                };
                let pages = outline.pages(filter, PAGE_SIZE);
                report::write_record_json(&value, &mut store, pages, out)
            }
        }
    };
    match &args.output {
        None => {
            let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
            write(&mut stdout)?;
            std::io::Write::flush(&mut stdout)?;
        }
        Some(path) => {
            write_atomically(path, write)?;
            eprintln!("wrote {}", shown(path));
        }
    }
    Ok(())
}

/// The public page: what stakeholders may read, in the format asked for.
fn status_page(db: &Location, args: StatusPageArgs) -> Result<()> {
    let mut store = open_store(db, OpenMode::Existing)?;
    let incident = target_incident(&mut store, args.target.id())?;
    let page = crate::stakeholder::StatusPage::read(&mut store, incident)?;
    match args.format {
        StatusPageFormat::Json => report::print_json(&page.json(args.with_names)),
        StatusPageFormat::Markdown => {
            print!("{}", page.markdown(args.with_names));
            Ok(())
        }
        StatusPageFormat::Text => {
            print!("{}", page.text(args.with_names));
            Ok(())
        }
    }
}

/// Writes through a temporary file renamed into place: a reader never sees
/// half a post-mortem, and a full disk leaves the old file as it was. The
/// file ends up as a shell redirect would leave it: an existing file keeps
/// its mode and group; a new one gets 0666 less the umask and the group new
/// files get in that folder (its own group in a setgid shared folder). A
/// symbolic link at `path` is replaced, not written through: in a shared
/// folder another member could point it at anyone's file.
fn write_atomically(path: &Path, write: impl FnOnce(&mut dyn std::io::Write) -> Result<()>) -> Result<()> {
    use std::io::Write;
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let existing = std::fs::symlink_metadata(path).ok().filter(|m| m.is_file());
    let mut temp = tempfile::NamedTempFile::new_in(folder)
        .wrap_err_with(|| format!("cannot write in {}", shown(folder)))?;
    // The temporary file has its final group and mode before it is renamed.
    let mode = match &existing {
        Some(old) => {
            if temp.as_file().metadata()?.gid() != old.gid() {
                std::os::unix::fs::fchown(temp.as_file(), None, Some(old.gid())).wrap_err_with(|| {
                    format!(
                        "cannot keep the group (gid {}) of {}; left it unchanged",
                        old.gid(),
                        shown(path)
                    )
                })?;
            }
            // Set-id bits are not carried over to a rewritten file.
            old.mode() & 0o777
        }
        None => 0o666 & !current_umask(),
    };
    temp.as_file()
        .set_permissions(std::fs::Permissions::from_mode(mode))
        .wrap_err_with(|| format!("cannot write {}", shown(path)))?;
    // Nothing is renamed into place unless all of it was written.
    {
        let mut out = std::io::BufWriter::new(temp.as_file_mut());
        write(&mut out)?;
        out.flush()
            .wrap_err_with(|| format!("cannot write {}", shown(path)))?;
    }
    temp.as_file()
        .sync_all()
        .wrap_err_with(|| format!("cannot write {}", shown(path)))?;
    temp.persist(path)
        .map_err(|e| eyre!("cannot write {}: {}", shown(path), e.error))?;
    Ok(())
}

/// The process's umask: the `Umask:` line of /proc/self/status (Linux 4.7
/// and later), else set and put back at once (nothing else runs meanwhile).
fn current_umask() -> u32 {
    if let Some(mask) = std::fs::read_to_string("/proc/self/status")
        .ok()
        .as_deref()
        .and_then(umask_from_status)
    {
        return mask;
    }
    // SAFETY: umask cannot fail; the old mask is restored immediately.
    unsafe {
        let old = libc::umask(0o022);
        libc::umask(old);
        old
    }
}

/// The `Umask:` line of /proc/<pid>/status, in octal.
fn umask_from_status(status: &str) -> Option<u32> {
    status
        .lines()
        .find_map(|line| line.strip_prefix("Umask:"))
        .and_then(|mask| u32::from_str_radix(mask.trim(), 8).ok())
        .map(|mask| mask & 0o777)
}

fn milestone(db: &Location, milestone: Milestone, args: MilestoneArgs) -> Result<()> {
    let incident = args.target.id();
    run_and_say(
        db,
        incident,
        Command::Milestone {
            milestone,
            at: args.at,
        },
    )?;
    if milestone == Milestone::Resolved {
        let mut store = open_store(db, OpenMode::Existing)?;
        let id = target_incident(&mut store, incident)?;
        if let Some(due) = store.incident_state(id)?.incident.postmortem_due() {
            println!(
                "post-mortem due by {} (48 h); then: warroom postmortem done {id}",
                report::local_time(due)
            );
        }
    }
    Ok(())
}

fn postmortem(db: &Location, args: PostmortemArgs) -> Result<()> {
    run_and_say(db, args.target.id(), Command::PostmortemDone)?;
    Ok(())
}

fn action(db: &Location, command: ActionCommand) -> Result<()> {
    match command {
        ActionCommand::Add {
            owner,
            due,
            incident,
            text,
        } => {
            let command = Command::AddAction {
                text: text.join(" "),
                owner,
                due,
            };
            // Like declare: the new number, for scripts.
            let answer = run_command(db, incident, command)?;
            println!("{}", answer.new_id.unwrap_or_default());
        }
        ActionCommand::Done { id } => {
            // The item's own incident gets the entry; the store looks it up.
            run_and_say(db, None, Command::ActionDone(id))?;
        }
        ActionCommand::List { all, incident, json } => {
            let mut store = open_store(db, OpenMode::Existing)?;
            let items = if all {
                store.all_action_items()?
            } else {
                let id = target_incident(&mut store, incident)?;
                store.incident_state(id)?.actions
            };
            if json {
                return report::print_json(&report::actions_json(&items));
            }
            print!("{}", report::actions_table(&items, Utc::now()));
        }
    }
    Ok(())
}

fn init(db: &Location, args: InitArgs) -> Result<()> {
    if let Some(target) = db.postgres() {
        return init_server(target, args);
    }
    if args.responders.is_some() {
        bail!(
            "--responders ROLE is for a PostgreSQL war room (init --db postgresql://…); in a shared folder the responders are the members of --group"
        );
    }
    let Some(folder) = args.shared else {
        if args.observers.is_some() {
            bail!(
                "--observers goes with --shared DIR (accounts outside the group watch) or with --db URL (a database role)"
            );
        }
        drop(Store::open(db, OpenMode::Create)?);
        eprintln!("database ready: {db}");
        return Ok(());
    };
    let observers = match args.observers.as_deref() {
        None => false,
        Some("") => true,
        Some(_) => bail!(
            "--observers takes no ROLE with --shared: it lets accounts outside the group watch (a ROLE is for init --db postgresql://…)"
        ),
    };
    let setup = crate::host::init_shared(&folder, args.group.as_deref(), observers).map_err(|e| eyre!(e))?;
    eprintln!(
        "Shared war room ready: {} (group {}, folder {:04o}, file {:04o}).\n\
         Responders must be in group {}. Put this line in each one's shell profile:",
        shown(&setup.database),
        sanitize_line(&setup.group),
        setup.folder_mode,
        setup.file_mode,
        sanitize_line(&setup.group)
    );
    println!("export WARROOM_DB={}", shown(&setup.database));
    Ok(())
}

/// `init --db URL`: the schema, the roles and the grants on the server.
fn init_server(target: &crate::store::postgres::PgTarget, args: InitArgs) -> Result<()> {
    if args.shared.is_some() {
        bail!(
            "init --shared DIR sets up a folder for an SQLite war room on this host, but --db (or WARROOM_DB) names a PostgreSQL server ({target}): give one or the other"
        );
    }
    if args.observers.as_deref() == Some("") {
        bail!(
            "--observers needs a ROLE with --db postgresql://… (the database role whose members only watch)"
        );
    }
    let grants = crate::store::postgres::admin::RoleGrants {
        responders: args.responders,
        observers: args.observers,
    };
    let done = crate::host::init_server(target, &grants).map_err(|e| eyre!("{e}"))?;
    eprintln!("PostgreSQL war room ready:");
    for line in done {
        eprintln!("  {}", sanitize_line(&line));
    }
    eprintln!(
        "Each person logs in as their own role (by default their Unix account's name), a member of the roles above; the password comes from PGPASSWORD or ~/.pgpass, never the URL. Put this line in each one's shell profile:"
    );
    println!(
        "export WARROOM_DB={}",
        crate::host::shell_word(&crate::host::responder_url(target))
    );
    Ok(())
}

fn doctor(db: &Location) -> Result<()> {
    use crate::host::Severity;
    println!("warroom doctor: {db}");
    let mut findings = match db {
        Location::File(file) => crate::host::diagnose(file),
        Location::Postgres(target) => crate::host::diagnose_server(target),
    };
    // Like diagnose, the record is only opened when nothing around it failed.
    if !findings.iter().any(|f| f.severity == Severity::Fail) {
        match Store::open(db, OpenMode::Existing) {
            Ok(mut store) => findings.push(record_finding(&mut store)),
            // The file checks above open it themselves; a server's record
            // that cannot be opened after every check passed is news.
            Err(e) if db.postgres().is_some() => findings.push(crate::host::Finding {
                severity: Severity::Fail,
                what: format!("cannot open the record: {e}"),
                fix: Some("see the message; run warroom doctor again".into()),
            }),
            Err(_) => {}
        }
    }
    for finding in &findings {
        let tag = match finding.severity {
            Severity::Ok => "ok  ",
            Severity::Warn => "WARN",
            Severity::Fail => "FAIL",
        };
        println!("  {tag}  {}", crate::domain::sanitize_line(&finding.what));
        if let Some(fix) = &finding.fix {
            println!("        fix: {}", crate::domain::sanitize_line(fix));
        }
    }
    let failures = findings.iter().filter(|f| f.severity == Severity::Fail).count();
    if failures > 0 {
        bail!("{failures} problem(s) stop warroom from working here (fixes above)");
    }
    println!("No problem stops warroom here.");
    Ok(())
}

/// Doctor's word on the record itself: the whole chain walked, and what
/// this account saw before.
fn record_finding(store: &mut Store) -> crate::host::Finding {
    use crate::host::{Finding, Severity};
    let verification = Witness::for_store(store).and_then(|mut witness| witness.verify(store));
    match verification {
        Ok(v) => match v.first_break() {
            None => Finding {
                severity: Severity::Ok,
                what: format!("record intact: {} events, chain head {}", v.events, v.head_hex()),
                fix: None,
            },
            Some(broken) => Finding {
                severity: Severity::Fail,
                what: format!("record altered: {}", broken.describe()),
                fix: Some(match store.dialect() {
                    crate::store::Dialect::Sqlite => "find who can write the file (it bypassed warroom); compare with a backup; `warroom verify` names the first altered event".into(),
                    crate::store::Dialect::Postgres => "find which roles may UPDATE or DELETE warroom.events (only the owner and superusers should: warroom doctor as each says so) and the server's log; compare with a backup; `warroom verify` names the first altered event".into(),
                }),
            },
        },
        Err(e) => Finding {
            severity: Severity::Fail,
            what: format!("cannot walk the record's chain: {e}"),
            fix: Some("restore the file from a copy".into()),
        },
    }
}

/// The runbook library: each runbook with its origin, size and when to use
/// it; the folder's broken files on stderr with their line.
fn runbooks(config: &crate::config::Config, args: crate::cli::RunbooksArgs) -> Result<()> {
    let library = crate::config::runbook_library(config).map_err(|e| eyre!(e))?;
    if args.json {
        let listed: Vec<serde_json::Value> = library
            .entries
            .iter()
            .map(|entry| {
                serde_json::json!({
                    "name": entry.name,
                    "file": entry.file.as_ref().map(|f| f.display().to_string()),
                    "use_for": entry.runbook.use_for,
                    "items": entry.runbook.all_items().count(),
                    "phases": entry.runbook.phases.len(),
                })
            })
            .collect();
        let broken: Vec<serde_json::Value> = library
            .broken
            .iter()
            .map(|b| serde_json::json!({ "file": b.file.display().to_string(), "problem": b.problem }))
            .collect();
        let value = serde_json::json!({ "runbooks": listed, "broken": broken });
        println!(
            "{}",
            crate::domain::escape_json_output(&serde_json::to_string_pretty(&value)?)
        );
    } else {
        for entry in &library.entries {
            let origin = entry
                .file
                .as_ref()
                .map_or_else(|| "built in".to_string(), |f| f.display().to_string());
            println!(
                "{}  ({} items, {} phases; {})",
                sanitize_line(&entry.name),
                entry.runbook.all_items().count(),
                entry.runbook.phases.len(),
                sanitize_line(&origin)
            );
            if let Some(use_for) = &entry.runbook.use_for {
                println!("    Use for: {}", sanitize_line(use_for));
            }
        }
    }
    for broken in &library.broken {
        eprintln!("error: {}", sanitize_line(&broken.problem));
    }
    match library.broken.len() {
        0 => Ok(()),
        n => Err(eyre!(
            "{n} runbook file{} in {} cannot be used (above); the others can",
            if n == 1 { "" } else { "s" },
            library
                .folder
                .as_ref()
                .map_or_else(String::new, |f| sanitize_line(&f.display().to_string())
                    .into_owned())
        )),
    }
}

fn list(db: &Location, args: ListArgs) -> Result<()> {
    let incidents = match open_store(db, OpenMode::Existing) {
        Ok(mut store) => store.incidents(args.all)?,
        // Nothing declared yet is an empty list, not a failure; but a
        // mistyped WARROOM_DB must not look like a quiet war room.
        Err(e) if e.is_nothing_declared_yet() && !args.json => {
            println!("No incidents: {}", no_database_yet(db));
            return Ok(());
        }
        Err(e) if e.is_nothing_declared_yet() => Vec::new(),
        Err(e) => return Err(e.into()),
    };
    if args.json {
        report::print_json(&report::incidents_json(&incidents))
    } else {
        print!("{}", report::incidents_table(&incidents, Utc::now()));
        Ok(())
    }
}

fn show(db: &Location, args: ShowArgs) -> Result<()> {
    let mut store = open_store(db, OpenMode::Existing)?;
    let incident = target_incident(&mut store, args.target.id())?;
    if args.json {
        // Written entry by entry as the timeline is read, a page at a time.
        let outline = store.incident_outline(incident)?;
        let pages = outline.pages(EntryFilter::All, PAGE_SIZE);
        let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
        report::write_record_json(
            &report::record_json(&outline.record),
            &mut store,
            pages,
            &mut stdout,
        )?;
        std::io::Write::flush(&mut stdout)?;
        Ok(())
    } else {
        let record = store.incident_record(incident)?;
        print!("{}", report::record_text(&record, Utc::now()));
        Ok(())
    }
}

fn verify(db: &Location, args: VerifyArgs) -> Result<()> {
    let mut store = Store::open(db, OpenMode::Existing)?;
    let incident = match args.target.id() {
        Some(id) => Some(store.incident_record(id)?),
        None => None,
    };
    let verification = Witness::for_store(&mut store)?.verify(&mut store)?;
    // Evidence output lives beside the chain: each is checked against the
    // size and SHA-256 its (chained) entry recorded.
    let evidence = store.evidence_problems()?;
    if args.json {
        let mut value = report::verification_json(store.location(), &verification, incident.as_ref());
        value["evidence_problems"] = evidence
            .iter()
            .map(|(event_id, problem)| serde_json::json!({ "event_id": event_id, "problem": problem }))
            .collect();
        report::print_json(&value)?;
    } else {
        print!(
            "{}",
            report::verification_text(store.location(), &verification, incident.as_ref())
        );
        for (event_id, problem) in &evidence {
            println!("Evidence:   #{event_id}: {}", sanitize_line(problem));
        }
    }
    match (verification.first_break(), evidence.first()) {
        (Some(broken), _) => bail!("the record was altered: {}", broken.describe()),
        (None, Some((event_id, problem))) => bail!("evidence #{event_id} was altered: {problem}"),
        (None, None) => Ok(()),
    }
}

/// Where evidence is captured: this host and working directory.
fn here() -> (String, String) {
    let cwd = std::env::current_dir()
        .map(|dir| dir.to_string_lossy().into_owned())
        .unwrap_or_else(|_| "?".into());
    (crate::account::host_name().to_string(), cwd)
}

/// The incident evidence goes to, checked before anything runs or is
/// read: nothing recorded would surprise more than a command run for
/// nothing.
fn evidence_target(db: &Location, incident: Option<i64>) -> Result<i64> {
    let mut store = open_store(db, OpenMode::Existing)?;
    if store.is_read_only() {
        bail!(
            "{} is read-only for your account: nothing could be recorded",
            store.location()
        );
    }
    let id = target_incident(&mut store, incident)?;
    store.incident_outline(id)?;
    Ok(id)
}

/// Records captured evidence on `incident_id` through the core; returns
/// the timeline text. Only the incident (not its timeline) is read.
fn record_evidence(db: &Location, incident_id: i64, write: EvidenceWrite) -> Result<String> {
    let mut store = open_store(db, OpenMode::Existing)?;
    let record = store.incident_outline(incident_id)?.record;
    let write = Command::Evidence(Box::new(write))
        .check(&record, &Local::now())
        .map_err(refused)?;
    let answer = command::apply(&mut store, &Attempt::new(incident_id, write), &current_account())?;
    Ok(answer.text)
}

/// `warroom run -- CMD…`: refused before running when nothing could be
/// recorded; then the command runs as the responder would, and its exit
/// status is ours. If the record then fails, that is said, and a command
/// that succeeded exits 1 so a script notices.
fn run_as_evidence(db: &Location, args: RunArgs) -> Result<ExitCode> {
    let command_line = crate::domain::evidence::command_line(&args.command);
    if command_line.len() > MAX_COMMAND_BYTES {
        bail!(
            "the command line is {} KiB; warroom records up to {} KiB (put the command in a script)",
            command_line.len() / 1024,
            MAX_COMMAND_BYTES / 1024
        );
    }
    let incident_id = evidence_target(db, args.incident)?;
    let (host, cwd) = here();
    let ran = crate::evidence::run(&args.command)
        .wrap_err_with(|| format!("cannot run {}", sanitize_line(&args.command[0])))?;
    let status = ran.exit.status();
    let (evidence, output) = ran.output.into_evidence(Circumstances {
        source: Source::Run {
            command: command_line,
        },
        host,
        cwd,
        started_at: ran.started_at,
        ended_at: ran.ended_at,
        exit: Some(ran.exit),
    });
    let write = EvidenceWrite {
        evidence,
        output,
        pinned: args.pin,
    };
    match record_evidence(db, incident_id, write) {
        Ok(text) => {
            // On stderr: stdout is the command's.
            eprintln!("warroom: recorded on incident {incident_id}: {text}");
            Ok(ExitCode::from(status.clamp(0, 255) as u8))
        }
        Err(e) => {
            let message = format!("{e:#}");
            crate::diagnostics::record(&format!("error: run not recorded: {message}"));
            eprintln!(
                "error: the command ran ({}) but was not recorded: {}",
                ran.exit.describe(),
                sanitize_line(&message)
            );
            Ok(ExitCode::from(if status == 0 {
                1
            } else {
                status.clamp(1, 255) as u8
            }))
        }
    }
}

/// `note --file FILE`: the file's text as evidence, read as it streams
/// (bounded as a command's output is); prints the timeline text.
fn attach_file(db: &Location, incident: Option<i64>, pinned: bool, path: &Path) -> Result<()> {
    let incident_id = evidence_target(db, incident)?;
    let (host, cwd) = here();
    let shown = sanitize_line(&path.to_string_lossy()).into_owned();
    let started_at = Utc::now();
    let output = crate::evidence::read_file(path).wrap_err_with(|| format!("--file {shown}"))?;
    let (evidence, output) = output.into_evidence(Circumstances {
        source: Source::File {
            path: path.to_string_lossy().into_owned(),
        },
        host,
        cwd,
        started_at,
        ended_at: Utc::now(),
        exit: None,
    });
    let write = EvidenceWrite {
        evidence,
        output,
        pinned,
    };
    println!("{}", record_evidence(db, incident_id, write)?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_umask_is_read_from_the_status_file() {
        let status = "Name:\twarroom\nUmask:\t0027\nState:\tR (running)\n";
        assert_eq!(umask_from_status(status), Some(0o027));
        assert_eq!(umask_from_status("Umask:\t0000\n"), Some(0));
        assert_eq!(umask_from_status("Name:\tx\n"), None);
        assert_eq!(umask_from_status("Umask:\t09\n"), None);
    }
}
