//! The phase clock of one probe: the resolver and connector hooks of the shared
//! HTTP client write into it, and it survives a timeout so that a probe cut off by
//! its deadline still says how far it got.

use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::outcome::Phases;

tokio::task_local! {
    /// The clock of the probe running in this task. The HTTP client is shared by
    /// many probes at once, so its hooks find the right probe through this.
    static CURRENT: Arc<PhaseClock>;
}

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
    /// Runs `f` with `clock` as the current task's clock.
    pub async fn scope<F: Future>(clock: Arc<PhaseClock>, f: F) -> F::Output {
        CURRENT.scope(clock, f).await
    }

    /// The clock of the probe running in this task, if any.
    pub fn current() -> Option<Arc<PhaseClock>> {
        CURRENT.try_with(Arc::clone).ok()
    }

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
