//! The probe machinery every kind shares, below the kinds: the one way a
//! peer is reached (`connect`: name, TCP and TLS, timed), the DNS resolver
//! every name goes through (`resolve`), throttling and blocks read from an
//! HTTP answer (`refusal`), the page rules (`page`: `fail_if`/`blocked_if`),
//! the one browser process (`chromium`) and the phase timings (`clock`). A
//! probe never touches the database, the metrics or the terminal: it
//! returns a report, and failure is data.

pub mod chromium;
mod clock;
pub mod connect;
pub mod page;
pub mod refusal;
pub mod resolve;

pub use clock::PhaseClock;
