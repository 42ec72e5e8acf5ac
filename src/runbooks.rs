//! The runbook library: a runbook per kind of incident. The built-in ones
//! (the team's SOP and a security runbook, shipped in `assets/`) and the
//! Markdown files of a folder: the config's `runbooks = DIR`, else
//! `$XDG_CONFIG_HOME/warroom/runbooks`, else `/etc/warroom/runbooks`.
//!
//! Each runbook's name is its first heading; its `**Use for**:` line says
//! when to pick it. A file that does not parse is kept aside with its error
//! and line, so one broken runbook never hides the others.

use std::path::{Path, PathBuf};

use crate::runbook::{self, Runbook, RunbookError};

/// The security runbook shipped beside the SOP.
pub const SECURITY_RUNBOOK: &str = include_str!("../assets/runbooks/security.md");
/// Its name when chosen from the library (its file name is its origin).
const SECURITY_FILE_NAME: &str = "security.md (built in)";

/// A runbook file larger than this is refused (a runbook is a page or two).
const MAX_RUNBOOK_BYTES: u64 = 1024 * 1024;

/// One runbook a commander can declare with.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The runbook's first heading.
    pub name: String,
    /// Where it came from: None for a built-in one.
    pub file: Option<PathBuf>,
    /// The name recorded with an incident declared with it (the SOP's
    /// historical name; a file's name).
    pub recorded_name: String,
    pub text: String,
    pub runbook: Runbook,
}

/// A file of the folder that is not a runbook warroom can use.
#[derive(Debug, Clone)]
pub struct Broken {
    pub file: PathBuf,
    /// Why, naming the line when the parser found one.
    pub problem: String,
}

/// The runbooks on offer, built-in ones first, then the folder's by file name.
#[derive(Debug, Clone)]
pub struct Library {
    pub entries: Vec<Entry>,
    pub broken: Vec<Broken>,
    /// The folder read, when one exists.
    pub folder: Option<PathBuf>,
}

/// The folder to read: the config's, else the first of the default places
/// that exists.
pub fn folder(configured: Option<&Path>) -> Option<PathBuf> {
    if let Some(folder) = configured {
        return Some(folder.to_path_buf());
    }
    let mut defaults = Vec::new();
    if let Some(base) = directories::BaseDirs::new() {
        defaults.push(base.config_dir().join("warroom").join("runbooks"));
    }
    defaults.push(PathBuf::from("/etc/warroom/runbooks"));
    defaults.into_iter().find(|path| path.is_dir())
}

impl Library {
    /// The built-in runbooks and those of `folder` (which must exist when
    /// the config names it).
    pub fn load(folder: Option<&Path>) -> Result<Library, String> {
        let mut library = Library::built_in();
        library.folder = folder.map(Path::to_path_buf);
        if let Some(folder) = folder {
            library.read_folder(folder)?;
        }
        Ok(library)
    }

    /// The runbooks built into this binary: the SOP, then the security one.
    pub fn built_in() -> Library {
        static SECURITY: std::sync::OnceLock<Runbook> = std::sync::OnceLock::new();
        // The asset is part of the binary and tests/runbook.rs parses it.
        let security = SECURITY
            .get_or_init(|| runbook::parse(SECURITY_RUNBOOK).expect("the built-in security runbook parses"));
        Library {
            entries: vec![
                Entry {
                    name: runbook::default_runbook().title.clone(),
                    file: None,
                    recorded_name: runbook::DEFAULT_RUNBOOK_NAME.to_string(),
                    text: runbook::DEFAULT_RUNBOOK.to_string(),
                    runbook: runbook::default_runbook().clone(),
                },
                Entry {
                    name: security.title.clone(),
                    file: None,
                    recorded_name: SECURITY_FILE_NAME.to_string(),
                    text: SECURITY_RUNBOOK.to_string(),
                    runbook: security.clone(),
                },
            ],
            broken: Vec::new(),
            folder: None,
        }
    }

    fn read_folder(&mut self, folder: &Path) -> Result<(), String> {
        let listing = std::fs::read_dir(folder)
            .map_err(|e| format!("cannot read the runbook folder {}: {e}", folder.display()))?;
        let mut files: Vec<PathBuf> = listing
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
            .collect();
        files.sort();
        for file in files {
            // A member may be able to write the folder: never through a link.
            match read_runbook(&file, Links::Refuse) {
                Ok((text, runbook)) => self.entries.push(Entry {
                    name: runbook.title.clone(),
                    recorded_name: file
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                    file: Some(file),
                    text,
                    runbook,
                }),
                Err(problem) => self.broken.push(Broken { file, problem }),
            }
        }
        Ok(())
    }

    /// The runbook named `wanted`: a file path, else a runbook's name (its
    /// first heading, any case) or file name in the library.
    pub fn find(&self, wanted: &str) -> Result<Entry, String> {
        let path = Path::new(wanted);
        if path.is_file() {
            let (text, runbook) = read_runbook(path, Links::Follow)?;
            return Ok(Entry {
                name: runbook.title.clone(),
                recorded_name: path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| wanted.to_string()),
                file: Some(path.to_path_buf()),
                text,
                runbook,
            });
        }
        let matches: Vec<&Entry> = self
            .entries
            .iter()
            .filter(|entry| {
                entry.name.eq_ignore_ascii_case(wanted)
                    || entry
                        .file
                        .as_deref()
                        .and_then(Path::file_name)
                        .is_some_and(|name| name.to_string_lossy() == wanted)
            })
            .collect();
        match matches.as_slice() {
            [one] => Ok((*one).clone()),
            [] => Err(format!(
                "no runbook named {:?}: give a file, or one of the names `warroom runbooks` lists",
                crate::domain::sanitize_line(wanted)
            )),
            _ => Err(format!(
                "{} runbooks are named {:?}: give the file instead",
                matches.len(),
                crate::domain::sanitize_line(wanted)
            )),
        }
    }
}

/// Whether a file named by a link is read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Links {
    /// The file the commander named on the command line.
    Follow,
    /// A file found in the library's folder.
    Refuse,
}

/// Reads and parses one runbook file: a regular file, UTF-8, of a
/// runbook's size.
fn read_runbook(file: &Path, links: Links) -> Result<(String, Runbook), String> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let shown = crate::domain::sanitize_line(&file.display().to_string()).into_owned();
    // Checked on the open file, not the name: the name could be swapped for
    // a link (or a FIFO) between a look and the read.
    let mut flags = libc::O_NONBLOCK;
    if links == Links::Refuse {
        flags |= libc::O_NOFOLLOW;
    }
    let opened = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(flags)
        .open(file)
        .map_err(|e| match e.raw_os_error() {
            Some(libc::ELOOP) => {
                format!("{shown}: a symbolic link (runbooks in the folder are read only as files)")
            }
            _ => format!("{shown}: {e}"),
        })?;
    let meta = opened.metadata().map_err(|e| format!("{shown}: {e}"))?;
    if !meta.is_file() {
        return Err(format!("{shown}: not a regular file"));
    }
    if meta.len() > MAX_RUNBOOK_BYTES {
        return Err(format!(
            "{shown}: {} bytes, larger than a runbook can be ({MAX_RUNBOOK_BYTES})",
            meta.len()
        ));
    }
    let mut bytes = Vec::new();
    opened
        .take(MAX_RUNBOOK_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{shown}: {e}"))?;
    let text = String::from_utf8(bytes).map_err(|_| format!("{shown}: not UTF-8 text"))?;
    let runbook = runbook::parse(&text).map_err(|e: RunbookError| format!("{shown}: {e}"))?;
    Ok((text, runbook))
}
