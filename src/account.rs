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

/// A warning when `name` is no account on this host: a role or an action
/// item handed to a typo (or to someone who never logs in here) reaches
/// nobody. The name is still recorded (the person may work from elsewhere);
/// the caller says this beside its result.
pub fn unknown_account_warning(name: &str) -> Option<String> {
    uzers::get_user_by_name(name).is_none().then(|| {
        format!(
            "no account named {} on this host",
            crate::domain::sanitize_line(name)
        )
    })
}

/// This host's name (for attribution across hosts), sanitized to one line;
/// `?` when the kernel will not say. Read once per process.
pub fn host_name() -> &'static str {
    static NAME: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    NAME.get_or_init(read_host_name)
}

fn read_host_name() -> String {
    let mut buffer = [0u8; 256];
    // SAFETY: the buffer is writable for its whole length, which is passed.
    let status = unsafe { libc::gethostname(buffer.as_mut_ptr().cast(), buffer.len()) };
    if status != 0 {
        return "?".into();
    }
    let end = buffer.iter().position(|&b| b == 0).unwrap_or(buffer.len());
    let name = crate::domain::sanitize_line(&String::from_utf8_lossy(&buffer[..end])).into_owned();
    if name.is_empty() { "?".into() } else { name }
}
