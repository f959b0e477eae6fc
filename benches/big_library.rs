//! The window on a big library (100 shows × 200 episodes = 20,000, notes like real ones; or
//! `HARK_BENCH_SHOWS` shows: 10 / 100 / 1,000 show how the cost grows): a frame drawn while
//! nothing changes, a click on another show until its episodes are drawn (target ≤ 50 ms), idle
//! and while a refresh of all the feeds runs against a loopback server that answers each slowly,
//! and the library search's 95th percentile over a few queries (target ≤ 20 ms at 1,000 shows).
//! Launch-to-first-frame and memory of the real window are measured by
//! `tools/big-library/measure.sh`.

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use hark::app::{AppOptions, HarkApp};
use hark::feed::parse_feed;
use hark::library::Library;
use hark::paths::AppPaths;
use hark::player::OutputChoice;
use url::Url;

const EPISODES: usize = 200;

fn shows() -> usize {
    std::env::var("HARK_BENCH_SHOWS").ok().and_then(|n| n.parse().ok()).unwrap_or(100)
}

/// The 95th percentile of the library search's answer time over a spread of queries (a word in
/// every title, a rarer one, a prefix, two words, a show's name).
fn search_p95(library: &Library) -> Duration {
    let queries = ["episode", "show 7", "big sho", "notes link", "intro news", "episode 150"];
    let mut times: Vec<Duration> = (0..40)
        .flat_map(|_| queries)
        .map(|query| {
            let started = Instant::now();
            library.search(query).unwrap();
            started.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() * 95 / 100]
}

fn show(number: usize) -> String {
    let mut xml = format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Big Show {number:03}</title>\
         <description>Show {number} of the big library.</description>"
    );
    for i in 0..EPISODES {
        xml.push_str(&format!(
            "<item><guid>s{number}-e{i}</guid><title>Episode {i} of show {number}</title>\
             <pubDate>Mon, 01 Jan 2024 10:00:00 GMT</pubDate><enclosure url=\"https://cdn.example.com/{number}/{i}.mp3\" \
             type=\"audio/mpeg\"/><description><![CDATA[<p>Notes of episode {i}, with \
             <a href=\"https://example.com/{i}\">a link</a>.</p><ul><li>(00:45) Intro</li><li>(12:30) News</li></ul>]]>\
             </description></item>"
        ));
    }
    xml.push_str("</channel></rss>");
    xml
}

/// A loopback feed server that keeps every feed request waiting a while, then says "not
/// modified": a refresh that stays busy for the length of a benchmark.
fn slow_feed_server() -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut stream = stream;
                let mut request = [0u8; 4096];
                let _ = stream.read(&mut request);
                std::thread::sleep(std::time::Duration::from_secs(3));
                let _ = stream.write_all(b"HTTP/1.1 304 Not Modified\r\nConnection: close\r\n\r\n");
            });
        }
    });
    address
}

fn window(c: &mut Criterion) {
    hark::http::install_crypto_provider();
    let dir = tempfile::tempdir().unwrap();
    let paths = AppPaths::inside(dir.path());
    paths.create_all().unwrap();
    let server = slow_feed_server();
    {
        let mut library = Library::open(&paths.database()).unwrap();
        for number in 0..shows() {
            let url = format!("{server}/{number}.xml");
            let feed = parse_feed(show(number).as_bytes(), &Url::parse(&url).unwrap()).unwrap();
            library.subscribe(&url, &feed).unwrap();
        }
        // Not the first launch: no demo show.
        library.set_setting("demo_offered", "1").unwrap();
        println!("library search over {} episodes: p95 {:?}", shows() * EPISODES, search_p95(&library));
    }
    let nowhere = hark::net::directory::Directories { itunes_url: "http://127.0.0.1:9".into(), podcast_index: None };
    let options =
        AppOptions { audio: OutputChoice::Null, timed_refresh: false, media_keys: false, directories: Some(nowhere) };
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_eframe(move |cc| HarkApp::new(&cc.egui_ctx, paths, options).unwrap());
    harness.run_steps(4);
    let mut group = c.benchmark_group("big library");
    group.bench_function("a frame of the window, nothing changing", |b| b.iter(|| harness.step()));
    // Two shows in view, in turns: each click selects the other.
    let mut which = 1;
    let mut click_and_draw = |harness: &mut Harness<'_, HarkApp>| {
        which = if which == 1 { 5 } else { 1 };
        harness.get_by_label(&format!("Big Show {which:03}")).click();
        harness.step();
        harness.step();
        let shown = &harness.state().state.episodes;
        assert!(shown.first().is_some_and(|e| e.title.ends_with(&format!("show {which}"))), "its episodes are drawn");
    };
    group
        .bench_function("click another show until its episodes are drawn", |b| b.iter(|| click_and_draw(&mut harness)));
    harness.get_by_label("⟳ Refresh all").click();
    harness.run_steps(2);
    assert!(harness.state().state.refresh.is_some(), "a refresh runs");
    group.bench_function("click another show until its episodes are drawn, while a refresh runs", |b| {
        b.iter(|| click_and_draw(&mut harness))
    });
    group.finish();
}

criterion_group!(benches, window);
criterion_main!(benches);
