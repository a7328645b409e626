//! The thread the pages' answers are computed on: one per part, at a lower
//! scheduling priority than the probes, a few requests queued at most (more:
//! a 503), stopped and waited for.

use std::sync::Mutex;
use std::sync::mpsc::{SyncSender, TrySendError};

use hyper::StatusCode;

use super::Failure;

type Task = Box<dyn FnOnce() + Send>;

pub(super) fn busy() -> Failure {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        "the status page is busy: try again".to_string(),
    )
}

/// One thread at a lower scheduling priority that computes answers, a few
/// requests queued at most (more: 503), stopped and waited for.
pub(super) struct Worker {
    jobs: Mutex<Option<SyncSender<Task>>>,
    thread: Mutex<Option<std::thread::JoinHandle<()>>>,
}

impl Worker {
    pub(super) const QUEUE: usize = 8;
    /// Nice 10: the probes' threads always come first.
    const NICE: libc::c_int = 10;

    pub(super) fn start(name: &str) -> std::io::Result<Worker> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Task>(Self::QUEUE);
        let thread = std::thread::Builder::new()
            .name(name.into())
            .spawn(move || {
                // On Linux a thread has its own nice value; a failure leaves it at the default.
                // SAFETY: plain system calls on this thread's own id, no memory shared.
                unsafe {
                    let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
                    libc::setpriority(libc::PRIO_PROCESS, tid, Self::NICE);
                }
                while let Ok(task) = rx.recv() {
                    task();
                }
            })?;
        Ok(Worker {
            jobs: Mutex::new(Some(tx)),
            thread: Mutex::new(Some(thread)),
        })
    }

    /// `f`'s result from the worker thread; a 503 when the queue is full or
    /// the worker has stopped.
    pub(super) async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Failure> {
        self.submit(f)?.await.map_err(|_| busy())
    }

    /// Queues `f`: its result will come through the receiver.
    pub(super) fn submit<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<tokio::sync::oneshot::Receiver<T>, Failure> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let task: Task = Box::new(move || {
            let _ = tx.send(f());
        });
        let sent = match &*self.jobs.lock().unwrap_or_else(|p| p.into_inner()) {
            Some(jobs) => jobs.try_send(task),
            None => Err(TrySendError::Disconnected(task)),
        };
        sent.map_err(|_| busy())?;
        Ok(rx)
    }

    pub(super) async fn stop(&self) {
        self.jobs.lock().unwrap_or_else(|p| p.into_inner()).take();
        let thread = self.thread.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(thread) = thread {
            let _ = tokio::task::spawn_blocking(move || thread.join()).await;
        }
    }
}
