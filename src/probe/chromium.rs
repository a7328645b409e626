//! One headless Chromium, owned here and borrowed by every `browser` probe:
//! started on first need, spoken to over the DevTools protocol on a pipe
//! (`--remote-debugging-pipe`: fds 3 and 4, messages ended by NUL), restarted
//! when it crashes or stops answering, and killed with its owner. It dies with
//! this process even on SIGKILL: `PR_SET_PDEATHSIG`, and a browser whose pipe
//! closes exits. Its own children (renderers) die with it.
//!
//! Only the events a probe reads are passed on, each session's through a
//! bounded queue, so a page that floods the protocol costs bounded memory.

use std::collections::HashMap;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinSet;

/// The events a probe reads; every other event is dropped on arrival.
const EVENTS: [&str; 6] = [
    "Network.responseReceived",
    "Network.webSocketCreated",
    "Network.webSocketHandshakeResponseReceived",
    "Network.webSocketClosed",
    "Page.frameNavigated",
    "Page.loadEventFired",
];
/// Queued events per session before more are dropped.
const SESSION_QUEUE: usize = 1024;
/// The largest message read from the browser; a larger one is skipped.
const MESSAGE_CAP: usize = 16 * 1024 * 1024;
/// How long a started browser may take to answer its first command.
const START_WAIT: Duration = Duration::from_secs(20);

/// The Chromium flags: headless, quiet (no background connections to any
/// other host), no first-run or sync, a fresh profile of its own. Public for
/// the browser bench, whose reference run starts Chromium with the same ones.
pub const FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--disable-breakpad",
    "--mute-audio",
    // Frames of other origins in the page's own process, so that the page's
    // session sees their navigations and WebSockets: a chat widget is often
    // such a frame. The probe runs no one's session and keeps no secret.
    "--disable-site-isolation-trials",
    "--disable-features=IsolateOrigins,site-per-process",
    "--remote-debugging-pipe",
];

type Pending = Arc<Mutex<HashMap<u64, oneshot::Sender<Result<Value, String>>>>>;
type Sessions = Arc<Mutex<HashMap<String, mpsc::Sender<Value>>>>;

/// The browser of a prober: started on first need, shared, restarted when dead.
pub struct Chromium {
    path: PathBuf,
    running: tokio::sync::Mutex<Option<Arc<Running>>>,
}

impl Chromium {
    pub fn new(path: PathBuf) -> Chromium {
        Chromium {
            path,
            running: tokio::sync::Mutex::new(None),
        }
    }

    /// The running browser, started (again) when there is none or it died.
    pub async fn get(&self) -> Result<Arc<Running>, String> {
        let mut running = self.running.lock().await;
        if let Some(r) = running.as_ref()
            && r.alive()
        {
            return Ok(r.clone());
        }
        // A dead one is dropped (killed and reaped) before another starts.
        if let Some(dead) = running.take() {
            dead.stop().await;
        }
        let r = Arc::new(Running::start(&self.path)?);
        match tokio::time::timeout(START_WAIT, r.call(None, "Browser.getVersion", json!({}))).await
        {
            Ok(Ok(_)) => {
                *running = Some(r.clone());
                Ok(r)
            }
            Ok(Err(e)) => {
                r.stop().await;
                Err(format!("Chromium did not start: {e}"))
            }
            Err(_) => {
                r.stop().await;
                Err("Chromium did not answer in time".to_string())
            }
        }
    }

    /// The running browser's process id, if one runs.
    pub async fn pid(&self) -> Option<u32> {
        let running = self.running.lock().await.clone()?;
        running.pid().await
    }

    /// Stops the browser and waits for it.
    pub async fn shutdown(&self) {
        if let Some(r) = self.running.lock().await.take() {
            r.stop().await;
        }
    }
}

/// A started browser and its pipe.
pub struct Running {
    child: tokio::sync::Mutex<Option<tokio::process::Child>>,
    /// Commands to the writer task.
    out: mpsc::UnboundedSender<Vec<u8>>,
    pending: Pending,
    sessions: Sessions,
    next_id: AtomicU64,
    /// Cleared by the reader when the pipe closes: the browser is gone.
    alive: Arc<AtomicBool>,
    /// The reader and the writer.
    tasks: Mutex<JoinSet<()>>,
    /// The profile directory, removed when the browser is dropped.
    _profile: tempfile::TempDir,
}

impl Running {
    fn start(path: &Path) -> Result<Running, String> {
        let profile = tempfile::tempdir().map_err(|e| format!("no profile directory: {e}"))?;
        let (cmd_read, cmd_write) = pipe()?;
        let (resp_read, resp_write) = pipe()?;
        let mut command = tokio::process::Command::new(path);
        command
            .args(FLAGS)
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(match std::env::var_os("OKX_MONITOR_BROWSER_LOG") {
                // For debugging a browser that will not start.
                Some(f) => std::fs::File::create(f)
                    .map(std::process::Stdio::from)
                    .unwrap_or_else(|_| std::process::Stdio::null()),
                None => std::process::Stdio::null(),
            })
            .kill_on_drop(true);
        let (r3, w4) = (cmd_read.as_raw_fd(), resp_write.as_raw_fd());
        // SAFETY: between fork and exec only async-signal-safe calls are made
        // (dup2, prctl, getppid), on fds that are open in the child.
        unsafe {
            command.pre_exec(move || {
                if libc::dup2(r3, 3) < 0 || libc::dup2(w4, 4) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                // Die with the parent, even when it is killed with SIGKILL.
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                if libc::getppid() == 1 {
                    libc::_exit(1);
                }
                Ok(())
            });
        }
        let child = command
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", path.display()))?;
        // The child's ends are closed here, so that its death closes the pipe.
        drop((cmd_read, resp_write));
        let writer = tokio::net::unix::pipe::Sender::from_owned_fd(cmd_write)
            .map_err(|e| format!("pipe: {e}"))?;
        let reader = tokio::net::unix::pipe::Receiver::from_owned_fd(resp_read)
            .map_err(|e| format!("pipe: {e}"))?;
        let (out, out_rx) = mpsc::unbounded_channel();
        let pending: Pending = Arc::default();
        let sessions: Sessions = Arc::default();
        let alive = Arc::new(AtomicBool::new(true));
        let mut tasks = JoinSet::new();
        tasks.spawn(write_loop(writer, out_rx, alive.clone()));
        tasks.spawn(read_loop(
            reader,
            pending.clone(),
            sessions.clone(),
            alive.clone(),
        ));
        Ok(Running {
            child: tokio::sync::Mutex::new(Some(child)),
            out,
            pending,
            sessions,
            next_id: AtomicU64::new(1),
            alive,
            tasks: Mutex::new(tasks),
            _profile: profile,
        })
    }

    pub fn alive(&self) -> bool {
        self.alive.load(Ordering::Relaxed)
    }

    /// Sends a command (to a session, or to the browser) and waits for its answer.
    pub async fn call(
        &self,
        session: Option<&str>,
        method: &str,
        params: Value,
    ) -> Result<Value, String> {
        let (tx, rx) = oneshot::channel();
        let id = self.send(session, method, params, Some(tx))?;
        match rx.await {
            Ok(answer) => answer,
            Err(_) => {
                lock(&self.pending).remove(&id);
                Err("the browser stopped answering".to_string())
            }
        }
    }

    /// Sends a command without waiting for its answer (for clean-up from `Drop`).
    pub fn fire(&self, session: Option<&str>, method: &str, params: Value) {
        let _ = self.send(session, method, params, None);
    }

    fn send(
        &self,
        session: Option<&str>,
        method: &str,
        params: Value,
        answer: Option<oneshot::Sender<Result<Value, String>>>,
    ) -> Result<u64, String> {
        if !self.alive() {
            return Err("the browser is not running".to_string());
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let mut msg = json!({"id": id, "method": method, "params": params});
        if let Some(s) = session {
            msg["sessionId"] = json!(s);
        }
        if let Some(tx) = answer {
            lock(&self.pending).insert(id, tx);
        }
        let mut bytes = msg.to_string().into_bytes();
        bytes.push(0);
        self.out
            .send(bytes)
            .map_err(|_| "the browser's pipe is closed".to_string())?;
        Ok(id)
    }

    /// The events of `session`, from now on (at most `SESSION_QUEUE` waiting).
    pub fn events(&self, session: &str) -> mpsc::Receiver<Value> {
        let (tx, rx) = mpsc::channel(SESSION_QUEUE);
        lock(&self.sessions).insert(session.to_string(), tx);
        rx
    }

    pub fn forget(&self, session: &str) {
        lock(&self.sessions).remove(session);
    }

    /// Kills the browser and waits for it; its tasks end with the pipe.
    pub async fn stop(&self) {
        self.alive.store(false, Ordering::Relaxed);
        if let Some(mut child) = self.child.lock().await.take() {
            let _ = child.start_kill();
            let _ = tokio::time::timeout(Duration::from_secs(5), child.wait()).await;
        }
        let mut tasks = std::mem::take(&mut *lock(&self.tasks));
        tasks.abort_all();
        while tasks.join_next().await.is_some() {}
    }

    /// The browser's process id, while it runs.
    pub async fn pid(&self) -> Option<u32> {
        self.child.lock().await.as_ref().and_then(|c| c.id())
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // Plain maps: a panic elsewhere mid-update leaves them usable.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// A pipe whose two ends are numbered 10 or above, so that moving them to fds
/// 3 and 4 in the child can never overwrite one with the other.
fn pipe() -> Result<(OwnedFd, OwnedFd), String> {
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors pipe2 writes.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } < 0 {
        return Err(format!("pipe: {}", std::io::Error::last_os_error()));
    }
    // SAFETY: pipe2 succeeded, so both are open descriptors owned by nobody else.
    let (r, w) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    Ok((high(r)?, high(w)?))
}

fn high(fd: OwnedFd) -> Result<OwnedFd, String> {
    // SAFETY: fcntl on an open descriptor; the copy is owned by the result.
    let copy = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_DUPFD_CLOEXEC, 10) };
    if copy < 0 {
        return Err(format!("pipe: {}", std::io::Error::last_os_error()));
    }
    // SAFETY: fcntl returned a new open descriptor that nobody else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(copy) })
}

async fn write_loop(
    mut pipe: tokio::net::unix::pipe::Sender,
    mut out: mpsc::UnboundedReceiver<Vec<u8>>,
    alive: Arc<AtomicBool>,
) {
    while let Some(bytes) = out.recv().await {
        if pipe.write_all(&bytes).await.is_err() {
            break;
        }
    }
    alive.store(false, Ordering::Relaxed);
}

async fn read_loop(
    mut pipe: tokio::net::unix::pipe::Receiver,
    pending: Pending,
    sessions: Sessions,
    alive: Arc<AtomicBool>,
) {
    let mut buf: Vec<u8> = Vec::with_capacity(64 * 1024);
    let mut chunk = vec![0u8; 64 * 1024];
    let mut skipping = false;
    loop {
        let n = match pipe.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        for &b in &chunk[..n] {
            if b != 0 {
                if !skipping {
                    buf.push(b);
                    if buf.len() > MESSAGE_CAP {
                        buf.clear();
                        skipping = true;
                    }
                }
                continue;
            }
            if !skipping {
                dispatch(&buf, &pending, &sessions);
            }
            buf.clear();
            skipping = false;
        }
    }
    alive.store(false, Ordering::Relaxed);
    // Whoever waits for an answer learns that none will come.
    lock(&pending).clear();
    lock(&sessions).clear();
}

fn dispatch(message: &[u8], pending: &Pending, sessions: &Sessions) {
    let Ok(msg) = serde_json::from_slice::<Value>(message) else {
        return;
    };
    if let Some(id) = msg.get("id").and_then(Value::as_u64) {
        if let Some(tx) = lock(pending).remove(&id) {
            let answer = match msg.get("error") {
                Some(e) => Err(e
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or("error")
                    .to_string()),
                None => Ok(msg.get("result").cloned().unwrap_or(Value::Null)),
            };
            let _ = tx.send(answer);
        }
        return;
    }
    let method = msg.get("method").and_then(Value::as_str).unwrap_or("");
    if !EVENTS.contains(&method) {
        return;
    }
    if let Some(session) = msg.get("sessionId").and_then(Value::as_str)
        && let Some(tx) = lock(sessions).get(session)
    {
        // A full queue drops the event: the probe reads what it can.
        let _ = tx.try_send(msg);
    }
}
