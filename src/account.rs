//! Who is writing: the real Unix account of this process.
//!
//! Attribution comes from the process's uid, never from `$USER`, which anyone
//! can set to anything.

/// The account name of the process's real uid, or `uid:N` when the uid has no
/// entry in the password database (containers, removed users).
pub fn current_account() -> String {
    let uid = uzers::get_current_uid();
    match uzers::get_user_by_uid(uid) {
        Some(user) => user.name().to_string_lossy().into_owned(),
        None => format!("uid:{uid}"),
    }
}
