//! Live updates from a PostgreSQL server: a second connection LISTENs for
//! the events trigger's NOTIFY and wakes the console's worker, which then
//! reads `id > cursor` (a notification is a hint, never the truth).
//!
//! NOTIFY is lost while the connection is down (and is reported to stall
//! silently after days), so the listener checks the connection every few
//! seconds, reconnects, and wakes the worker once after every reconnection
//! so it catches up on what it could not hear. The worker keeps its slow
//! poll besides.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use postgres::fallible_iterator::FallibleIterator;

use super::{PgTarget, connect};

/// The channel the events trigger notifies on.
pub const CHANNEL: &str = "warroom";
/// How long a quiet connection waits before it is checked.
const LIVENESS_CHECK: Duration = Duration::from_secs(5);
/// How long to wait before connecting again after a failure; doubled after
/// each further failure up to [`LONGEST_RETRY`], so a long outage costs the
/// server (and a silent one, the abandoned attempts) little. The worker
/// retries on its own poll meanwhile, so catching up does not wait for this.
const FIRST_RETRY: Duration = Duration::from_secs(1);
const LONGEST_RETRY: Duration = Duration::from_secs(8);

/// Keeps the listener running; dropping it stops it (within
/// [`LIVENESS_CHECK`]).
pub struct Listener {
    stop: Arc<AtomicBool>,
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Starts listening on a thread of its own; `wake` is called for every
/// notification and after every (re)connection.
pub fn listen(target: &PgTarget, wake: impl Fn() + Send + 'static) -> Listener {
    let stop = Arc::new(AtomicBool::new(false));
    let stopped = Arc::clone(&stop);
    let target = target.clone();
    let application = format!(
        "warroom listener {}@{}",
        crate::account::current_account(),
        crate::account::host_name()
    );
    // A thread that cannot start leaves the worker its poll.
    let _ = std::thread::Builder::new()
        .name("warroom-listen".into())
        .spawn(move || {
            let mut retry = FIRST_RETRY;
            while !stopped.load(Ordering::Relaxed) {
                if let Ok(mut client) = connect(&target, &application)
                    && client.batch_execute(&format!("LISTEN {CHANNEL}")).is_ok()
                {
                    retry = FIRST_RETRY;
                    wake();
                    hear(&mut client, &stopped, &wake);
                } else {
                    retry = (retry * 2).min(LONGEST_RETRY);
                }
                pause(retry, &stopped);
            }
        });
    Listener { stop }
}

/// Sleeps `length`, in short steps so a stopped listener ends soon.
fn pause(length: Duration, stop: &AtomicBool) {
    const STEP: Duration = Duration::from_millis(250);
    let until = std::time::Instant::now() + length;
    while !stop.load(Ordering::Relaxed) {
        let left = until.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() {
            return;
        }
        std::thread::sleep(left.min(STEP));
    }
}

/// Wakes on each notification until the connection fails or the listener
/// is stopped.
fn hear(client: &mut postgres::Client, stop: &AtomicBool, wake: &impl Fn()) {
    while !stop.load(Ordering::Relaxed) {
        let mut heard = false;
        {
            let mut notifications = client.notifications();
            let mut waiting = notifications.timeout_iter(LIVENESS_CHECK);
            loop {
                match waiting.next() {
                    Ok(Some(_)) => {
                        heard = true;
                        wake();
                    }
                    Ok(None) => break,
                    Err(_) => return,
                }
            }
        }
        // Quiet (or woken): make sure the connection still carries news.
        if !heard && (client.is_closed() || client.simple_query("SELECT 1").is_err()) {
            return;
        }
    }
}
