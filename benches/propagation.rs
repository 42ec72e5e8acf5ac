//! Propagation latency between processes (see `support/propagation.rs`).
//! Run with `cargo bench --bench propagation` (`WARROOM_BENCH_EVENTS` sets
//! the count).

#[path = "support/propagation.rs"]
mod propagation;

fn main() {
    if propagation::follow_if_asked() {
        return;
    }
    propagation::run(propagation::events_from_env());
}
