//! Sync at scale, scripted (`cargo bench --bench sync`): 500 subscriptions of 100 episodes each,
//! every one of the 50,000 episodes begun, synced by device A to podsync (SQL backend) on
//! loopback, then read by a fresh device B (which subscribes to the 500 feeds from a loopback
//! feed server and applies the 50,000 actions), then an unchanged second sync on each. Prints
//! the time and the memory each sync added (peak resident set over what was resident before).
//! Targets: ≤ 10 s and ≤ 30 MB for the big ones, ≤ 0.3 s for an unchanged one. Needs podsync
//! (`HARK_PODSYNC`, or `.ci/run`'s install); without it, says so and stops.

#[path = "../tests/common/gpodder.rs"]
#[allow(dead_code)]
mod gpodder;
#[path = "../tests/common/server.rs"]
#[allow(dead_code)]
mod server;
#[path = "../tests/common/skip.rs"]
mod skip;

use std::time::{Duration, Instant};

use hark::library::Library;
use hark::model::sync::{SyncAccount, SyncKind};
use server::{Route, TestServer};

const SHOWS: usize = 500;
const EPISODES: usize = 100;
const PASSWORD: &str = "bench";

fn feed(server: &TestServer, show: usize) -> String {
    let mut xml = format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\" xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\">\
         <channel><title>Show {show:03}</title><description>d</description>"
    );
    for i in 0..EPISODES {
        xml.push_str(&format!(
            "<item><guid>s{show}-e{i}</guid><title>Episode {i}</title><itunes:duration>1:00:00</itunes:duration>\
             <enclosure url=\"https://dts.podtrac.com/redirect.mp3/cdn.example.com/{show}/{i}.mp3?src=rss\" \
             type=\"audio/mpeg\"/></item>"
        ));
    }
    xml.push_str("</channel></rss>");
    let path = format!("/show/{show}.xml");
    server.set(&path, Route::ok(xml, "application/rss+xml"));
    server.url(&path)
}

fn status_kb(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Runs `work`, and says how long it took and how much memory it added at its peak.
fn measure<T>(what: &str, work: impl FnOnce() -> T) -> (T, Duration) {
    // Resets the peak (VmHWM) to what is resident now.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let before = status_kb("VmRSS:");
    let started = Instant::now();
    let result = work();
    let took = started.elapsed();
    let peak = status_kb("VmHWM:");
    println!("{what}: {:.2} s, +{:.1} MB at its peak", took.as_secs_f64(), peak.saturating_sub(before) as f64 / 1024.0);
    (result, took)
}

fn account(server: &str, device: &str) -> SyncAccount {
    SyncAccount {
        kind: SyncKind::Gpodder,
        server: server.into(),
        user: "bench".into(),
        device: device.into(),
        registered: false,
        last_sync: None,
        last_result: None,
        last_error: None,
    }
}

fn main() {
    hark::http::install_crypto_provider();
    let Some(podsync) = gpodder::Podsync::start(gpodder::Backend::Sql) else { return };
    podsync.add_user("bench", PASSWORD);
    let feeds = TestServer::start();
    let client = hark::http::client();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let dir = tempfile::tempdir().unwrap();

    let mut a = Library::open(&dir.path().join("a.sqlite3")).unwrap();
    a.set_sync_account(&account(&podsync.url(), "bench-a")).unwrap();
    let base = url::Url::parse("http://127.0.0.1/").unwrap();
    for show in 0..SHOWS {
        let url = feed(&feeds, show);
        let parsed = hark::feed::parse_feed(feeds_body(&url).as_bytes(), &base).unwrap();
        a.subscribe(&url, &parsed).unwrap();
    }
    for (i, episode) in a.episodes(None).unwrap().into_iter().enumerate() {
        a.set_position(episode.id, 60.0 + (i % 3000) as f64).unwrap();
    }
    println!("device A: {} shows, {} changes waiting", SHOWS, a.sync_pending_count().unwrap());

    let (summary, _) = measure("A, first sync (500 subscriptions, 50,000 actions up)", || {
        runtime.block_on(hark::net::sync::run(&client, &mut a, PASSWORD)).unwrap()
    });
    println!("  {summary}");
    let (summary, _) = measure("A, unchanged second sync", || {
        runtime.block_on(hark::net::sync::run(&client, &mut a, PASSWORD)).unwrap()
    });
    println!("  {summary}");

    let mut b = Library::open(&dir.path().join("b.sqlite3")).unwrap();
    b.set_sync_account(&account(&podsync.url(), "bench-b")).unwrap();
    let (summary, _) = measure("B, first sync (500 subscriptions and 50,000 actions down)", || {
        runtime.block_on(hark::net::sync::run(&client, &mut b, PASSWORD)).unwrap()
    });
    println!("  {summary}");
    let (summary, _) = measure("B, unchanged second sync", || {
        runtime.block_on(hark::net::sync::run(&client, &mut b, PASSWORD)).unwrap()
    });
    println!("  {summary}");
    let begun = b.episodes(None).unwrap().iter().filter(|e| e.position_secs > 0.0).count();
    println!("B: {} shows, {begun} episodes at A's place", b.podcast_count().unwrap());
}

/// The body the feed server serves at `url` (fetched once, as a subscribe would).
fn feeds_body(url: &str) -> String {
    gpodder::http("GET", url, None, None).1
}
