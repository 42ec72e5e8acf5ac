//! Propagation latency between processes (see `support/propagation.rs`),
//! then the same on the tests' throwaway PostgreSQL server
//! (`tests/common/pg.rs`; skipped when the host has none). Run with
//! `cargo bench --bench propagation` (`WARROOM_BENCH_EVENTS` sets the events
//! per run, `WARROOM_BENCH_ROUNDS` the rounds of each case).

#[path = "../tests/common/pg.rs"]
#[allow(unused)]
mod pg;
#[path = "support/propagation.rs"]
mod propagation;

fn main() {
    if propagation::follow_if_asked() {
        return;
    }
    let events = propagation::events_from_env();
    propagation::run(events);
    if let Some(server) = pg::server("propagation bench") {
        propagation::run_postgres(events, || server.database().socket_url);
    }
}
