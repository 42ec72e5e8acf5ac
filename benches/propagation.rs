//! Propagation latency between processes (see `support/propagation.rs`).
//! Run with `cargo bench --bench propagation` (`WARROOM_BENCH_EVENTS` sets
//! the events per run, `WARROOM_BENCH_ROUNDS` the rounds of each case).

#[path = "support/propagation.rs"]
mod propagation;

fn main() {
    if propagation::follow_if_asked() {
        return;
    }
    propagation::run(propagation::events_from_env());
}
