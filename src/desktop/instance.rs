//! One window per library. The first window listens on a socket in the data directory; a
//! second `hark` (a launcher click, `hark URL`, a `podcast://` link) finds it there, hands over
//! what it was asked to open, and exits instead of opening a second window on the same library.

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::Sender;
use std::time::Duration;

use super::Opening;
use crate::Waker;

/// What a later launch asks of the window that is already open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handoff {
    /// Come to the front (a plain `hark` or a launcher click).
    Raise,
    Open(Opening),
    /// `hark config` changed a preference: read them again.
    PreferencesChanged,
    /// `hark config download-folder`: the window, whose downloads may be running, moves them.
    MoveDownloads(std::path::PathBuf),
}

/// The longest request line read: the verb and a target (see `LONGEST_TARGET`).
const LONGEST_REQUEST: u64 = super::LONGEST_TARGET as u64 + 16;
/// Later launches answered at once; more than this waiting together are turned away.
const MOST_AT_ONCE: usize = 8;
/// How long a second launch waits for the first window to answer before it gives up on it.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(3);

pub enum Claim {
    /// This is the first window: hand `Listener::serve` somewhere to deliver later launches.
    First(Option<Listener>),
    /// A window is open on this library and has what this launch was asked to open.
    HandedOver,
}

pub struct Listener {
    socket: UnixListener,
    path: PathBuf,
}

/// The socket the window of the library in `data_dir` listens on.
pub fn socket_path(data_dir: &Path) -> PathBuf {
    data_dir.join("window.sock")
}

/// Hands `handoff` to a window already open on `data_dir`, or makes this process that window.
/// Single-instance is a convenience: when the socket cannot be made (a path too long for a
/// socket, a read-only folder) this process opens its window without it.
pub fn claim(data_dir: &Path, handoff: &Handoff) -> Claim {
    let path = socket_path(data_dir);
    for _ in 0..2 {
        if let Ok(stream) = UnixStream::connect(&path) {
            match hand_over(stream, handoff) {
                Ok(()) => return Claim::HandedOver,
                Err(e) => tracing::warn!("the open window did not answer ({e}); opening another"),
            }
            return Claim::First(None);
        }
        // Nobody listens: a socket left by a window that was killed is in the way.
        let _ = std::fs::remove_file(&path);
        match UnixListener::bind(&path) {
            Ok(socket) => return Claim::First(Some(Listener { socket, path })),
            // Another launch bound it in the meantime: hand over to that one.
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => continue,
            Err(e) => {
                tracing::warn!("one window per library is off: could not listen at {}: {e}", path.display());
                return Claim::First(None);
            }
        }
    }
    Claim::First(None)
}

/// Hands `handoff` to the window open on `data_dir`, if there is one; true when it took it.
pub fn tell_open_window(data_dir: &Path, handoff: &Handoff) -> bool {
    UnixStream::connect(socket_path(data_dir)).is_ok_and(|stream| hand_over(stream, handoff).is_ok())
}

fn hand_over(mut stream: UnixStream, handoff: &Handoff) -> std::io::Result<()> {
    stream.set_read_timeout(Some(ANSWER_TIMEOUT))?;
    stream.set_write_timeout(Some(ANSWER_TIMEOUT))?;
    let line = match handoff {
        Handoff::Raise => "raise".to_string(),
        Handoff::PreferencesChanged => "preferences".to_string(),
        Handoff::MoveDownloads(folder) => format!("move-downloads {}", folder.display()),
        Handoff::Open(Opening::Feed(url)) => format!("feed {url}"),
        Handoff::Open(Opening::Opml(path)) => format!("opml {}", path.display()),
    };
    stream.write_all(format!("{line}\n").as_bytes())?;
    let mut answer = String::new();
    BufReader::new(stream).read_line(&mut answer)?;
    if answer.trim() == "ok" { Ok(()) } else { Err(std::io::Error::other(format!("unexpected answer {answer:?}"))) }
}

impl Listener {
    /// Serves later launches from a thread of its own until the process ends: each handoff goes
    /// to `handoffs`, and `waker` wakes the window to take it.
    pub fn serve(self, handoffs: Sender<Handoff>, waker: Arc<dyn Waker>) {
        let spawned = std::thread::Builder::new().name("hark-instance".into()).spawn(move || {
            // Each launch is answered on a thread of its own: one that connects and says nothing
            // (stalled, or hostile) cannot keep the next `hark URL` waiting.
            let waiting = Arc::new(AtomicUsize::new(0));
            for stream in self.socket.incoming() {
                let Ok(stream) = stream else { continue };
                if waiting.fetch_add(1, Ordering::AcqRel) >= MOST_AT_ONCE {
                    waiting.fetch_sub(1, Ordering::AcqRel);
                    continue;
                }
                let (handoffs, waker, waiting) = (handoffs.clone(), waker.clone(), waiting.clone());
                let answered = std::thread::Builder::new().name("hark-instance-client".into()).spawn(move || {
                    match answer(stream) {
                        Ok(handoff) => {
                            if handoffs.send(handoff).is_ok() {
                                waker.wake();
                            }
                        }
                        Err(e) => tracing::debug!("a later launch: {e}"),
                    }
                    waiting.fetch_sub(1, Ordering::AcqRel);
                });
                if answered.is_err() {
                    tracing::warn!("a later launch could not be answered");
                }
            }
        });
        if let Err(e) = spawned {
            tracing::warn!("one window per library is off: {e}");
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

fn answer(stream: UnixStream) -> std::io::Result<Handoff> {
    stream.set_read_timeout(Some(ANSWER_TIMEOUT))?;
    let mut line = String::new();
    BufReader::new((&stream).take(LONGEST_REQUEST)).read_line(&mut line)?;
    let line = line.trim_end_matches('\n');
    let refused = |what: String| std::io::Error::other(format!("not a request: {}", crate::error::one_line(&what)));
    // What comes over the socket is read by the same rule as `hark TARGET` on the command line:
    // only an http(s) feed address is offered, only an existing file is imported.
    let handoff = match line.split_once(' ') {
        _ if line == "raise" => Handoff::Raise,
        _ if line == "preferences" => Handoff::PreferencesChanged,
        // By the same rule as `hark config download-folder`: a full path.
        Some(("move-downloads", folder)) => match crate::preferences::folder(folder) {
            Ok(Some(folder)) => Handoff::MoveDownloads(folder),
            _ => return Err(refused(line.to_string())),
        },
        Some((verb @ ("feed" | "opml"), target)) => match (verb, Opening::parse(target, Path::new("/"))) {
            ("feed", Ok(feed @ Opening::Feed(_))) | ("opml", Ok(feed @ Opening::Opml(_))) => Handoff::Open(feed),
            (_, Err(why)) => return Err(refused(why)),
            _ => return Err(refused(line.to_string())),
        },
        _ => return Err(refused(line.to_string())),
    };
    (&stream).write_all(b"ok\n")?;
    Ok(handoff)
}
