//! The integration tests: one binary, one module per area. Every peer is on
//! 127.0.0.0/8: in-process fakes bound to port 0, or real servers (dnsmasq,
//! aiosmtpd) started by the tests.

mod support;

mod browser_daemon;
mod cli_check;
mod config_errors;
mod daemon;
mod dashboards;
mod diagnose;
mod disk;
mod docs;
mod faults;
mod golden;
mod incidents;
mod lang;
mod metrics_text;
mod no_english;
mod notify;
mod page;
mod probe_browser;
mod probe_dns;
mod probe_http;
mod probe_mx;
mod probe_okx_status;
mod probe_tcp;
mod probe_websocket;
mod prometheus;
mod readme;
mod secrets;
mod status;
mod structure;
mod unknown;
mod web_config;
