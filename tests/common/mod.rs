//! Shared test helpers: a real HTTP server on 127.0.0.1 with fault injection, and audio
//! analysis for the position tones in tests/fixtures.
#![allow(dead_code)]

pub mod audio;
pub mod bus;
pub mod cli;
pub mod feeds;
pub mod gpodder;
pub mod pulse;
pub mod server;
pub mod skip;
pub mod window;

use std::io::Write;
use std::path::PathBuf;
use std::sync::Once;

pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

pub fn fixture_bytes(name: &str) -> Vec<u8> {
    std::fs::read(fixture(name)).unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

/// The shared corpus of real feeds, for the conformance suites: `HARK_CORPUS_DIR`, else
/// `../shared/corpus` beside the clone. A fresh clone has neither and its `cargo test` must still
/// pass, so then this says once per test binary that the suite was not run, and gives None. A
/// `HARK_CORPUS_DIR` that holds no corpus is a mistake (CI sets it to insist on the corpus), and
/// fails the test rather than skipping it.
pub fn corpus_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("HARK_CORPUS_DIR").map(PathBuf::from) {
        assert!(
            dir.join("feeds").is_dir(),
            "HARK_CORPUS_DIR is {}, which holds no feeds/ folder: not the feed corpus",
            dir.display()
        );
        return Some(dir);
    }
    let beside_the_clone = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if beside_the_clone.is_dir() {
        return Some(beside_the_clone);
    }
    static SAID: Once = Once::new();
    SAID.call_once(|| {
        // Straight to stderr: the harness swallows what a passing test prints with eprintln!.
        let _ = writeln!(
            std::io::stderr(),
            "corpus suite not run: HARK_CORPUS_DIR is not set and there is no ../shared/corpus beside the clone \
             (set either to run it)"
        );
    });
    None
}

/// The first player event `wanted` takes, within 20 s; a failure on the way fails the test.
pub fn wait_for_player(
    events: &hark::player::PlayerEvents,
    what: &str,
    wanted: impl Fn(&hark::player::PlayerEvent) -> bool,
) -> hark::player::PlayerEvent {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let event =
            events.recv_timeout(left).expect("the player is running").unwrap_or_else(|| panic!("{what}: not in time"));
        assert!(!matches!(event, hark::player::PlayerEvent::Failed { .. }), "{what}: {event:?}");
        if wanted(&event) {
            return event;
        }
    }
}

/// Every test process installs the TLS provider once, as `main` does.
pub fn init() {
    hark::http::install_crypto_provider();
}

/// Subscribes `library` to the feed at `url`, as `hark subscribe` does.
pub fn subscribe(library: &mut hark::library::Library, url: &str) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(hark::net::refresh::subscribe(&hark::http::client(), library, url)).unwrap();
}

/// The first event from a net service that `wanted` takes, within 30 s.
pub fn wait_for_event(
    events: &std::sync::mpsc::Receiver<hark::net::NetEvent>,
    what: &str,
    mut wanted: impl FnMut(&hark::net::NetEvent) -> bool,
) -> hark::net::NetEvent {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let event = events.recv_timeout(left).unwrap_or_else(|_| panic!("timed out waiting for {what}"));
        if wanted(&event) {
            return event;
        }
    }
}
