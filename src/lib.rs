//! okx-monitor: is OKX's customer support reachable, through which channel, and
//! when is the best time to try?
//!
//! # Code map
//!
//! From the ground floor up; a module imports only modules listed above it.
//!
//! Ground floor — the product's words, plain data, no I/O:
//! - [`i18n`] — every word a person reads, in English and Simplified Chinese:
//!   the message catalogues (`i18n/en.ftl`, `i18n/zh-CN.ftl`, Project Fluent),
//!   [`i18n::Lang`] (from `--lang`, the locale or `Accept-Language`), the
//!   process's language and the `t!`/`tl!` macros, and `i18n::words` (days,
//!   times, waits, lists, terminal display width). It imports nothing of the
//!   crate; every module below may speak through it.
//! - [`channel`] — [`channel::Channel`]: the support channels, their preference
//!   order and the words a sentence names them with.
//! - [`duration`] — spans of time: read from configuration, written in
//!   JSON ("28d") and said in words ([`duration::Span`]: "28 天").
//! - [`reason`] — [`reason::Reason`]: why a probe ended as it did, as a code
//!   and its parameters (`connect_refused {addr}`), stored as such and said
//!   in the reader's language only where a person reads it (`reason!`).
//! - [`outcome`] — [`outcome::Outcome`] and its stored code
//!   ([`outcome::Outcome::code`], the one mapping for every database column and
//!   array index), [`outcome::Report`], phases, failure kinds, maintenance
//!   states, and the pure rules: `grade`, the control rule
//!   ([`outcome::closed_for`]: this machine's network, or a channel's path
//!   such as port 25, from the controls and their `covers`) and `judge_run`.
//! - [`sample`] — [`sample::Sample`] (one probe as stored) and
//!   [`sample::Latest`] (a check's latest sample, as `status` reads it).
//! - [`incident`] — a channel's span of down, blocked or throttled:
//!   [`incident::Tracker`] judges it from probes in time order with the
//!   notices' `after`/`recover_after`: pure.
//! - [`stamp`] — [`stamp::Stamp`]: a time as the answers carry it (an
//!   instant and the zone it is shown in, written as RFC 3339); words are
//!   made from it, never from that text read back.
//! - [`histogram`] (the rollups' mergeable latency histogram),
//!   [`tls_cert`] (a certificate's `notAfter`) — small pure parts.
//! - [`stats`] — the tests behind "measurably better": two proportions,
//!   Mann–Whitney, Bonferroni: pure.
//! - [`pattern`] — [`pattern::Rollup`], hour-of-week [`pattern::Week`]s, windows,
//!   which differ measurably from the rest of the week, and their ranking: pure.
//!
//! Probing machinery, shared by every kind:
//! - [`tls`] — what every HTTP client shares: rustls set-up, roots, User-Agent.
//! - [`probe`] — `connect` (name, TCP and TLS, timed: the one way every
//!   connecting kind reaches its peer), `resolve` (the DNS resolver every
//!   name goes through), `refusal` (throttled or blocked, for every kind that
//!   reads an HTTP answer), `page` ([`probe::page::PageRules`]:
//!   `fail_if`/`blocked_if`, a page that answered and is not the page; pure),
//!   `chromium` (the one browser process, owned and waited for) and `clock`
//!   (phase timings).
//!
//! The kinds of check:
//! - [`kinds`] — one folder per kind (`kinds/http/`, `mx/` with `smtp.rs`,
//!   `tcp/`, `okx_status/`, `websocket/`, `browser/`): its spec, its keys
//!   (read with [`kinds::Keys`], each fault at its line and column) and its
//!   builder in `mod.rs`, its probe and the judging of the answer in
//!   `probe.rs`, and its answers to what the rest asks of a check
//!   ([`kinds::Target`]: host, target, the name `diagnose` looks up, extra
//!   metric families, TLS, a pinned copy). `kinds/mod.rs` is the registry:
//!   [`kinds::Kind`], [`kinds::Spec`] and every dispatch come from its one
//!   `kinds!` list. `kinds/keys.rs` holds the values that check themselves
//!   while read and [`kinds::Secret`].
//! - [`sinks`] — where a notice goes: one file per sink (`ntfy.rs`,
//!   `telegram.rs`, `webhook.rs`, `email.rs`), each owning its keys in a
//!   `[[notify]]`, its builder and its send; `sinks/mod.rs` is the registry
//!   ([`sinks::SinkKind`], [`sinks::SinkSpec`] from one `sinks!` list) and
//!   holds what every sink delivers: [`sinks::Notice`], [`sinks::Event`].
//!
//! Configuration:
//! - [`config`] — `checks/*.toml` → validated [`config::Check`]s; every error
//!   names file, line and column. It reads the common keys of a check and
//!   hands the rest to its kind; a key no kind takes, or another kind's, is
//!   an error. `config/builtin.rs` embeds the shipped `checks/`
//!   ([`config::Source`]: a path, or the built-in checks) and dumps them;
//!   [`config::pinned`] writes a check pinned to what its click opened.
//! - [`schedule`] — cron → next run, jitter; pure but for
//!   [`schedule::system_tz`], which reads the environment.
//! - [`webconfig`] — `--web-config` (TLS, basic auth for `/metrics`).
//!
//! Running checks:
//! - [`runner`] — [`runner::Prober`] (what probes share for a configuration;
//!   [`runner::Prober::probe`] dispatches to the kind and enforces the
//!   timeout), and a set of checks run once, concurrently, the run judged.
//! - [`controls`] — the control rule where checks run on their own schedules:
//!   fresh control results, or one shared re-probe.
//!
//! History and answers:
//! - [`store`] — SQLite: `write.rs` (samples, rollups, retention), `read.rs`
//!   (export, rollups, latest), `fold.rs` (hour-of-week patterns folded as
//!   they are read, by check or by channel), `hourly.rs` (the ended hours summed
//!   below a watermark, and the one rule that keeps them equal to their
//!   quarter-hours), `rollup_row.rs` (one rollup row in and out of SQL),
//!   `schema.rs` (migrations), `jsonl.rs` (import/export lines),
//!   `incidents.rs` (the incidents kept, and derived again from the samples),
//!   `replay.rs` (every check's samples in time order, for that replay),
//!   [`store::writer`] (the thread that writes).
//! - [`live`] — what holds now in the daemon's memory: each check's latest
//!   sample and the incident tracker, updated by every probe, for the pages.
//! - [`status`] — `status`'s answer and advice: pure over [`status::Input`];
//!   [`status::from_store`] is the one way from a store to that input, and
//!   [`status::next_occurrence`] the one rule for "the next good time"
//!   ([`status::next_best_starts`]: what the notifier asks of the pattern);
//!   `status/advice.rs` says what to do now, in words.
//! - [`promsource`] — the same weeks from Prometheus (`status --prometheus`).
//! - [`diagnose`] — the verdict ("is it me, my DNS, a block, or OKX?") and its
//!   advice: pure over [`diagnose::Evidence`]; [`diagnose::gather`] does the I/O.
//!
//! The daemon and the edge:
//! - [`metrics`] — every Prometheus metric, fed from reports, kept per check and
//!   written straight into the exposition (`metrics/text.rs`, the text format:
//!   escaping, numbers, histograms; pure; `metrics/families.rs`, every
//!   family in name order and how its rows are read), and the label values
//!   of a notice's delivery ([`metrics::Delivery`]).
//! - [`page`] — the status page and badges for a person: a view over
//!   `status`'s own answer, escaped by construction ([`page::html::Html`]);
//!   `page/grid.rs`: the week's grids and the last day's strip as SVG;
//!   `page/feeds.rs`: Statuspage v2, shields' endpoint badge and the Atom
//!   feed of the incidents, views over the same answer.
//! - [`server`] — serves `/metrics`, `/healthz` and the pages
//!   (`server/pages.rs`: the history's part kept per query and minute on
//!   one low-priority thread, what holds now composed over it from [`live`]
//!   on another at every request, gzip and `ETag`; `pages/query.rs` reads a
//!   request's query, `pages/worker.rs` is the low-priority thread).
//! - [`notify`] — notices: the pure channel state machine (`state`), the
//!   words, the notifier task and the delivery queue (`notifier`, `deliver`);
//!   the sinks it delivers through are [`sinks`].
//! - [`daemon`] — `run`: the wiring and the one place a report becomes a
//!   sample, metrics, what holds now and a notice (`Recorder`);
//!   `daemon/scheduler.rs` (the timer heap, probe tasks, reload and drain) and
//!   `daemon/start.rs` (resuming from the database, starting the notices).
//! - [`cli`] — one file per subcommand (`explain` shows what one probe saw);
//!   the only code that prints. `main.rs`
//!   turns [`cli::main`]'s exit code into the process's; nothing else.
//!
//! # Invariants
//!
//! - A probe never returns an error and never outlives its check's timeout:
//!   failure is data ([`outcome::Report`]), and the deadline is enforced in one
//!   place, [`runner::Prober::probe`].
//! - Probes touch no database, metric or terminal; only `cli` prints.
//! - A loaded [`config::Config`] is valid: the rest of the code trusts it.
//! - Pure logic (judging answers, grading, the control rule, patterns, verdicts,
//!   parsers of peer answers) does no I/O and is unit-tested.
//! - Every spawned task is owned by a `JoinSet` (aborted on drop) or awaited.
//! - Only `store` speaks SQL. While the daemon runs, only the writer thread
//!   writes (samples, rollups and the notifier's state), and the runtime
//!   thread never waits on the disk: the database check at start,
//!   configuration reloads and CA files are read on blocking threads.
//! - A browser process has one owner ([`probe::chromium::Chromium`]) and dies
//!   with it, even on SIGKILL.
//! - Only `metrics` touches the Prometheus registry; label values come from
//!   bounded sets (configuration names, outcomes, phases), never from peers.
//! - Typed errors (`thiserror`) in the library; `anyhow` only in `cli`.
//! - Human words come from the catalogue (`t!`, `tl!`), not from string
//!   literals in code (a probe's reason is stored data and stays English;
//!   so do the log lines); machine words (JSON keys, codes, metric names, log
//!   lines) never from the catalogue. The page and the notices name their
//!   language; everything else speaks the process's.
//!
//! # A new kind of check
//!
//! 1. A folder `kinds/name/`: `mod.rs` with `NameSpec`, its `Build` (its
//!    `KEYS` and how it reads them from [`kinds::Keys`]) and `Target`
//!    impls; `probe.rs` with `NameSpec::probe(&self, via, clock) -> Report`.
//! 2. A line in `kinds!` (`kinds/mod.rs`): `Name(name::NameSpec) = "name"`,
//!    and its `mod name;` beside the others.
//!
//! A new sink is the same: a file in `sinks/` (its struct, its `Build` and
//! its `Sink` or `Http`) and a line in `sinks!`.
//!
//! Nothing else names kinds: `config` reads the common keys and hands the
//! rest to the kind (a key no kind lists is an error); `runner`, `schedule`,
//! `metrics`, `diagnose` and `cli` ask the spec. A kind-specific metric
//! family is declared in `metrics` and switched on by a flag of
//! [`kinds::Extras`]; its words, if any, are messages in the catalogues.

// First: its `t!` and `tl!` macros serve every module below.
#[macro_use]
pub mod i18n;
pub mod channel;
pub mod cli;
pub mod config;
pub mod controls;
pub mod daemon;
pub mod diagnose;
pub mod duration;
mod fuzz;
pub mod histogram;
pub mod incident;
pub mod kinds;
pub mod live;
pub mod metrics;
pub mod notify;
pub mod outcome;
pub mod page;
pub mod pattern;
pub mod probe;
pub mod promsource;
pub mod reason;
pub mod runner;
pub mod sample;
pub mod schedule;
pub mod server;
pub mod sinks;
pub mod stamp;
pub mod stats;
pub mod status;
pub mod store;
pub mod tls;
pub mod tls_cert;
pub mod webconfig;
