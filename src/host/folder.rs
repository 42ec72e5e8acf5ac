//! A shared folder reached through one file descriptor.
//!
//! Every name in it is opened relative to that descriptor without following
//! links, and every change of group, owner or mode goes through the open file
//! (fchown, fchmod), never through a path a member could have swapped for a
//! link in the meantime.

use std::fs::{File, Metadata};
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStringExt;
use std::os::unix::fs::{DirBuilderExt, MetadataExt};
use std::path::{Path, PathBuf};

use rustix::fs::{Gid, Mode, OFlags, Uid};
use rustix::io::Errno;
use uzers::os::unix::GroupExt;

use super::{account_name, group_name};
use crate::store::files::describe;

/// Why a file in the shared folder is not one warroom may use or change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unfit {
    /// A link, FIFO, device, socket or folder, in words ("a symbolic link (to …)").
    NotAFile(String),
    /// The file has this many names: changing it would change it under its
    /// other names too, perhaps outside the folder.
    HardLinked(u64),
    /// Owned by this account, which neither owns the folder, nor is root, nor
    /// is in the war-room group: nobody entitled to put it there did.
    ForeignOwner(String),
}

impl Unfit {
    /// A sentence about `path`, for init's refusals and doctor's findings.
    pub fn explain(&self, path: &Path, group: &str) -> String {
        let path = path.display();
        match self {
            Unfit::NotAFile(what) if what.starts_with("a symbolic link") => {
                format!("{path} is {what}: warroom never follows links in the database's folder")
            }
            Unfit::NotAFile(what) => format!("{path} is {what}, not a regular file"),
            Unfit::HardLinked(names) => format!(
                "{path} is a hard link ({names} names for one file): changing it would change the file under its other names, perhaps outside the folder"
            ),
            Unfit::ForeignOwner(owner) => format!(
                "{path} belongs to {owner}, who is not in group {group} and does not own the folder: warroom does not take over another account's file"
            ),
        }
    }
}

/// Who may own a file in the shared folder: root, the folder's owner, or an
/// account of the war-room group.
pub struct Owners {
    pub folder_owner: u32,
    pub gid: u32,
}

impl Owners {
    pub fn accepts(&self, uid: u32) -> bool {
        uid == 0 || uid == self.folder_owner || is_member(uid, self.gid)
    }
}

/// Whether account `uid` belongs to group `gid` (as its primary group or as
/// a listed member), by the account databases.
pub fn is_member(uid: u32, gid: u32) -> bool {
    let Some(user) = uzers::get_user_by_uid(uid) else {
        return false;
    };
    user.primary_group_id() == gid
        || uzers::get_group_by_gid(gid).is_some_and(|group| group.members().iter().any(|m| m == user.name()))
}

/// Judges what is at a name in the folder from its lstat, `link_target`
/// being the target when it is a link. The one rule for init and doctor.
pub fn unfit(meta: &Metadata, link_target: Option<&Path>, owners: &Owners) -> Option<Unfit> {
    if !meta.file_type().is_file() {
        return Some(Unfit::NotAFile(describe(meta.mode(), link_target)));
    }
    if meta.nlink() > 1 {
        return Some(Unfit::HardLinked(meta.nlink()));
    }
    if !owners.accepts(meta.uid()) {
        return Some(Unfit::ForeignOwner(account_name(meta.uid())));
    }
    None
}

/// The shared folder, open.
pub struct SharedFolder {
    fd: OwnedFd,
    path: PathBuf,
    meta: Metadata,
}

/// A file in the folder, opened without following links and judged fit.
pub struct VettedFile {
    name: String,
    file: File,
    meta: Metadata,
}

impl SharedFolder {
    /// Creates `path` if missing (its parents with default modes, itself
    /// private until [`SharedFolder::set_group_and_mode`]) and opens it,
    /// refusing a link, anything but a folder, and a folder owned by another
    /// account (its owner could replace any file in it).
    pub fn create_or_open(path: &Path) -> Result<SharedFolder, String> {
        let shown = path.display();
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        match std::fs::DirBuilder::new().mode(0o700).create(path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(format!("cannot create {shown}: {e}")),
        }
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let fd = match rustix::fs::open(path, flags, Mode::empty()) {
            Ok(fd) => fd,
            Err(Errno::LOOP | Errno::NOTDIR) => {
                let what = std::fs::symlink_metadata(path)
                    .map(|meta| crate::store::files::describe_path(path, &meta))
                    .unwrap_or_else(|_| "not a folder".into());
                return Err(format!(
                    "{shown} is {what}: init --shared sets up a real folder only (warroom never follows links there); give the folder itself"
                ));
            }
            Err(e) => return Err(format!("cannot open the folder {shown}: {e}")),
        };
        let meta = File::from(fd.try_clone().map_err(|e| e.to_string())?)
            .metadata()
            .map_err(|e| format!("cannot look at {shown}: {e}"))?;
        let caller = uzers::get_effective_uid();
        if meta.uid() != caller {
            return Err(format!(
                "{shown} belongs to {}, not to you ({}): whoever owns the folder can replace any file in it, so warroom shares only a folder of the account running init; choose another folder or have its owner run init",
                account_name(meta.uid()),
                account_name(caller)
            ));
        }
        Ok(SharedFolder {
            fd,
            path: path.to_path_buf(),
            meta,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn owner(&self) -> u32 {
        self.meta.uid()
    }

    /// Gives the folder to group `gid` with `mode` (setgid and sticky), through its descriptor.
    pub fn set_group_and_mode(&mut self, gid: u32, mode: u32) -> Result<(), String> {
        change(&self.fd, &self.path, &self.meta, None, gid, mode)?;
        self.meta = File::from(self.fd.try_clone().map_err(|e| e.to_string())?)
            .metadata()
            .map_err(|e| e.to_string())?;
        Ok(())
    }

    /// The lstat of `name` in the folder (and its target if it is a link);
    /// `None` when there is no such name.
    pub fn lstat(&self, name: &str) -> Result<Option<(Metadata, Option<PathBuf>)>, String> {
        let flags = OFlags::PATH | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let fd = match rustix::fs::openat(&self.fd, name, flags, Mode::empty()) {
            Ok(fd) => fd,
            Err(Errno::NOENT) => return Ok(None),
            Err(e) => return Err(format!("cannot look at {}: {e}", self.path.join(name).display())),
        };
        let meta = File::from(fd)
            .metadata()
            .map_err(|e| format!("cannot look at {}: {e}", self.path.join(name).display()))?;
        let target = meta
            .file_type()
            .is_symlink()
            .then(|| rustix::fs::readlinkat(&self.fd, name, Vec::new()).ok())
            .flatten()
            .map(|target| PathBuf::from(std::ffi::OsString::from_vec(target.into_bytes())));
        Ok(Some((meta, target)))
    }

    /// Refuses `name` if it exists and is unfit; leaves it alone otherwise.
    pub fn refuse_if_unfit(&self, name: &str, owners: &Owners) -> Result<(), String> {
        if let Some((meta, target)) = self.lstat(name)?
            && let Some(why) = unfit(&meta, target.as_deref(), owners)
        {
            return Err(self.refusal(name, &why, owners));
        }
        Ok(())
    }

    fn refusal(&self, name: &str, why: &Unfit, owners: &Owners) -> String {
        format!(
            "{}; nothing was changed (warroom doctor says what to do)",
            why.explain(&self.path.join(name), &group_name(owners.gid))
        )
    }

    /// Opens `name` in the folder, creating it (mode 0600 until changed) when
    /// missing, and refuses it unless it is a regular file with one name and
    /// an owner in `owners`. Nothing is ever opened through a link, and a
    /// device or FIFO is never opened for reading or writing.
    pub fn open_file(&self, name: &str, owners: &Owners) -> Result<VettedFile, String> {
        let shown = self.path.join(name);
        let fd = match self.lstat(name)? {
            None => {
                let flags =
                    OFlags::RDONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC;
                rustix::fs::openat(&self.fd, name, flags, Mode::from_raw_mode(0o600)).map_err(|e| {
                    format!(
                        "cannot create {}: {e} (if another process made it meanwhile, run init again)",
                        shown.display()
                    )
                })?
            }
            Some((meta, target)) => {
                if let Some(why) = unfit(&meta, target.as_deref(), owners) {
                    return Err(self.refusal(name, &why, owners));
                }
                // NONBLOCK and NOCTTY: should the name become a FIFO or a
                // terminal before this open, it neither hangs nor takes over.
                let flags =
                    OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::NOCTTY | OFlags::CLOEXEC;
                rustix::fs::openat(&self.fd, name, flags, Mode::empty())
                    .map_err(|e| format!("cannot open {}: {e}", shown.display()))?
            }
        };
        let file = File::from(fd);
        let meta = file
            .metadata()
            .map_err(|e| format!("cannot look at {}: {e}", shown.display()))?;
        // Judged again on what was opened: the name may have been swapped.
        if let Some(why) = unfit(&meta, None, owners) {
            return Err(self.refusal(name, &why, owners));
        }
        Ok(VettedFile {
            name: name.to_string(),
            file,
            meta,
        })
    }

    /// Changes a vetted file's owner (when `owner` is given), group and mode
    /// through its descriptor.
    pub fn set_owner_group_and_mode(
        &self,
        vetted: &mut VettedFile,
        owner: Option<u32>,
        gid: u32,
        mode: u32,
    ) -> Result<(), String> {
        change(
            &vetted.file,
            &self.path.join(&vetted.name),
            &vetted.meta,
            owner,
            gid,
            mode,
        )?;
        vetted.meta = vetted.file.metadata().map_err(|e| e.to_string())?;
        Ok(())
    }

    /// Fails unless `vetted`'s name still names the very file that was
    /// vetted and changed.
    pub fn still_names(&self, vetted: &VettedFile) -> Result<(), String> {
        let shown = self.path.join(&vetted.name);
        match self.lstat(&vetted.name)? {
            Some((meta, _)) if meta.dev() == vetted.meta.dev() && meta.ino() == vetted.meta.ino() => Ok(()),
            Some((meta, target)) => Err(format!(
                "{} was replaced while init ran (it is now {}); look into who did it, then run init again",
                shown.display(),
                describe(meta.mode(), target.as_deref())
            )),
            None => Err(format!(
                "{} was removed while init ran; look into who did it, then run init again",
                shown.display()
            )),
        }
    }
}

/// fchown (only when the owner or group differ) then fchmod (only when the
/// mode differs), so re-running init on a healthy folder changes nothing.
fn change(
    fd: impl std::os::fd::AsFd,
    shown: &Path,
    meta: &Metadata,
    owner: Option<u32>,
    gid: u32,
    mode: u32,
) -> Result<(), String> {
    let new_owner = owner.filter(|&uid| uid != meta.uid());
    if new_owner.is_some() || meta.gid() != gid {
        rustix::fs::fchown(&fd, new_owner.map(Uid::from_raw), Some(Gid::from_raw(gid))).map_err(|e| {
            format!(
                "cannot give {} (owned by {}) to group {}: {e} (its owner, in that group, or root can)",
                shown.display(),
                account_name(meta.uid()),
                group_name(gid)
            )
        })?;
    }
    if meta.mode() & 0o7777 != mode {
        rustix::fs::fchmod(&fd, Mode::from_raw_mode(mode)).map_err(|e| {
            format!(
                "cannot set the mode of {} (owned by {}) to {mode:04o}: {e}",
                shown.display(),
                account_name(meta.uid())
            )
        })?;
    }
    Ok(())
}
