//! okx-monitor: is OKX's customer support reachable, through which channel, and
//! when is the best time to try?
//!
//! # Code map
//!
//! - `main.rs` — turns [`cli::run`]'s result into an exit code; nothing else.
//! - [`cli`] — one file per subcommand; the only code that prints.
//! - [`config`] — `checks/*.toml` → validated [`config::Check`]s; every error
//!   names file, line and column.
//! - [`probe`] — one file per kind (`http`, `mx` with `smtp`, `tcp`,
//!   `okx_status`); [`probe::Prober::probe`] dispatches and enforces the timeout.
//! - [`outcome`] — [`outcome::Outcome`], [`outcome::Report`], phases, failure
//!   kinds: plain data, and the pure rules over them (`grade`, `judge_run`).
//! - [`runner`] — runs a set of checks once, concurrently, and judges the run.
//! - [`daemon`] — `run`: the scheduler loop (a timer heap), probe tasks,
//!   reload and shutdown; [`schedule`] holds its pure time arithmetic.
//! - [`controls`] — are the control checks all failing now? (the `unknown` rule
//!   in the daemon, where checks run on different schedules).
//! - [`store`] — SQLite: samples, quarter-hour rollups, retention, migrations,
//!   JSON Lines import/export; [`store::writer`] is the thread that writes.
//! - [`histogram`] — the mergeable latency histogram of the rollups.
//! - [`pattern`] — hour-of-week buckets, windows and their ranking: pure.
//! - [`status`] — `status`'s answer and advice from rollups and latest samples: pure.
//! - [`promsource`] — the same weeks from Prometheus (`status --prometheus`).
//! - [`metrics`] — every Prometheus metric, fed from reports; [`server`] serves
//!   `/metrics` and `/healthz`, behind [`webconfig`] (TLS, basic auth) when asked.
//! - [`diagnose`] — the verdict ("is it me, my DNS, a block, or OKX?") and its
//!   advice: pure over [`diagnose::Evidence`]; [`diagnose::gather`] does the I/O.
//! - [`duration`], [`tls_cert`] — small pure parsers.
//!
//! # Invariants
//!
//! - A probe never returns an error and never outlives its check's timeout:
//!   failure is data ([`outcome::Report`]), and the deadline is enforced in one
//!   place, [`probe::Prober::probe`].
//! - Probes touch no database, metric or terminal; only `cli` prints.
//! - A loaded [`config::Config`] is valid: the rest of the code trusts it.
//! - Pure logic (judging answers, grading, the `unknown` rule, parsers of peer
//!   answers) does no I/O and is unit-tested.
//! - Every spawned task is owned by a `JoinSet` (aborted on drop) or awaited.
//! - Only `store` speaks SQL, and only its writer thread writes while the
//!   daemon runs: the async runtime never waits on the disk.
//! - Only `metrics` touches the Prometheus registry; label values come from
//!   bounded sets (configuration names, outcomes, phases), never from peers.

pub mod channel;
pub mod cli;
pub mod config;
pub mod controls;
pub mod daemon;
pub mod diagnose;
pub mod duration;
mod fuzz;
pub mod histogram;
pub mod metrics;
pub mod outcome;
pub mod pattern;
pub mod probe;
pub mod promsource;
pub mod runner;
pub mod sample;
pub mod schedule;
pub mod server;
pub mod status;
pub mod store;
pub mod tls_cert;
pub mod webconfig;
