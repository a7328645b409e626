//! The phase clock of one probe: the connecting code writes each phase into it
//! as it ends, and it survives a timeout so that a probe cut off by its
//! deadline still says how far it got.

use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Duration;

use crate::outcome::Phases;

#[derive(Debug, Default)]
pub struct PhaseClock {
    state: Mutex<State>,
}

#[derive(Debug, Default, Clone)]
struct State {
    phases: Phases,
    addresses: Vec<IpAddr>,
}

impl PhaseClock {
    fn with<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        // A poisoned lock only means another thread panicked mid-update of plain
        // numbers; they are still numbers.
        let mut guard = self.state.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    }

    pub fn dns_done(&self, took: Duration, addresses: &[IpAddr]) {
        self.with(|s| {
            s.phases.dns = Some(took);
            s.addresses = addresses.to_vec();
        });
    }

    pub fn connect_done(&self, took: Duration) {
        self.with(|s| s.phases.connect = Some(took));
    }

    pub fn tls_done(&self, took: Duration) {
        self.with(|s| s.phases.tls = Some(took));
    }

    pub fn first_byte(&self, at: Duration) {
        self.with(|s| s.phases.first_byte = Some(at));
    }

    pub fn handshake_done(&self, at: Duration) {
        self.with(|s| s.phases.handshake = Some(at));
    }

    pub fn frame_done(&self, at: Duration) {
        self.with(|s| s.phases.frame = Some(at));
    }

    pub fn phases(&self) -> Phases {
        self.with(|s| s.phases)
    }

    pub fn addresses(&self) -> Vec<IpAddr> {
        self.with(|s| s.addresses.clone())
    }
}
