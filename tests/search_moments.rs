//! Search to the second: a word only spoken (a WebVTT cue) and a word only in a chapter title
//! are found by `hark search` and in the window, and land on their second; transcripts are
//! fetched in the background after a refresh (bounded, conditional, never when metered).

mod common;

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use common::server::{Route, TestServer};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use hark::app::{AppOptions, HarkApp};
use hark::paths::AppPaths;
use hark::player::{Capture, OutputChoice};

/// The tone fixture's episode: "zeppelin" is said only at 0:37 (the 700 Hz segment), "quokka"
/// is only in a chapter title, from 0:23 (600 Hz).
fn vtt() -> String {
    let mut vtt = String::from("WEBVTT\n\n");
    for second in (0..58).step_by(2) {
        let words = if second == 36 { "and then the zeppelin landed" } else { "we talked about coffee" };
        vtt.push_str(&format!("00:00:{second:02}.000 --> 00:00:{:02}.000\n{words}\n\n", second + 2));
    }
    vtt.replace("00:00:36.000 -->", "00:00:37.000 -->")
}

fn feed(server: &TestServer, shows: usize) -> String {
    let mut items = String::new();
    for i in 0..shows {
        items.push_str(&format!(
            r#"<item><guid>g{i}</guid><title>Episode {i}</title><description>Plain notes</description>
            <pubDate>Mon, {:02} Jan 2024 10:00:00 GMT</pubDate>
            <psc:chapters version="1.2"><psc:chapter start="00:00:00" title="Hello"/>
            <psc:chapter start="00:00:23" title="Quokka corner"/></psc:chapters>
            <podcast:transcript url="{}" type="text/vtt"/>
            <enclosure url="{}" type="audio/mpeg" length="240424"/></item>"#,
            i + 1,
            server.url(&format!("/t{i}.vtt")),
            server.url("/tone.mp3"),
        ));
    }
    format!(
        r#"<?xml version="1.0"?><rss version="2.0" xmlns:psc="http://podlove.org/simple-chapters"
        xmlns:podcast="https://podcastindex.org/namespace/1.0"><channel><title>Airships</title>{items}</channel></rss>"#
    )
}

/// A show of `episodes` episodes, each with its transcript (an ETag each) and the tone audio.
fn airships(episodes: usize) -> TestServer {
    common::init();
    let server = TestServer::start();
    server.set("/feed.xml", Route::ok(feed(&server, episodes), "application/rss+xml"));
    server.set("/tone.mp3", Route::ok(common::fixture_bytes("tone-cbr.mp3"), "audio/mpeg"));
    for i in 0..episodes {
        let slow = Route { first_byte_delay: Some(Duration::from_millis(300)), ..Route::ok(vtt(), "text/vtt") };
        server.set(&format!("/t{i}.vtt"), slow.with_etag(&format!("\"v{i}\"")));
    }
    server
}

fn hark(data: &Path, bus: Option<&str>, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hark"));
    command.arg("--data-dir").arg(data).args(args).env_remove("HARK_DATA_DIR");
    // No desktop bus unless the test gives one: then nothing says the connection is metered.
    command.env("DBUS_SESSION_BUS_ADDRESS", bus.unwrap_or("unix:path=/nonexistent"));
    let output = command.output().expect("run hark");
    assert!(output.status.success(), "hark {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    output
}

fn transcript_requests(server: &TestServer, episodes: usize) -> Vec<common::server::Request> {
    let mut all: Vec<_> = (0..episodes).flat_map(|i| server.requests(&format!("/t{i}.vtt"))).collect();
    all.sort_by_key(|r| r.at);
    all
}

fn search(data: &Path, words: &str) -> serde_json::Value {
    let output = hark(data, None, &["search", words, "--json"]);
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn a_word_only_spoken_and_one_only_in_a_chapter_are_found_at_their_second_by_the_cli() {
    let server = airships(6);
    let data = tempfile::tempdir().unwrap();
    hark(data.path(), None, &["subscribe", &server.url("/feed.xml")]);
    let refreshed = hark(data.path(), None, &["refresh"]);
    assert!(String::from_utf8_lossy(&refreshed.stdout).contains("6 transcripts fetched for search"));

    let spoken = search(data.path(), "Zeppelin");
    let hits = spoken.as_array().unwrap();
    assert_eq!(hits.len(), 6, "one result per episode: {spoken:#}");
    assert_eq!(hits[0]["field"], "transcript");
    assert_eq!(hits[0]["at_secs"], 37.0);
    assert_eq!(hits[0]["snippet"], "and then the **zeppelin** landed");
    assert_eq!(hits[0]["title"], "Episode 5", "newest first");
    let chapter = search(data.path(), "quokka");
    assert_eq!(chapter[0]["field"], "chapter");
    assert_eq!(chapter[0]["at_secs"], 23.0);
    assert_eq!(chapter[0]["snippet"], "**Quokka** corner");
    assert_eq!(search(data.path(), "Episode 3 zeppelin").as_array().unwrap().len(), 0, "words across fields");
    let titled = search(data.path(), "episode 3");
    assert_eq!(titled[0]["field"], "title", "a title hit over a transcript hit");
    assert_eq!(titled.as_array().unwrap().len(), 1);

    // Bounded: at most four at once (each answer takes 300 ms, so a fifth starts only after one ends).
    let asked: Vec<Instant> = transcript_requests(&server, 6).iter().map(|r| r.at).collect();
    assert_eq!(asked.len(), 6);
    for window in asked.windows(5) {
        assert!(window[4] - window[0] >= Duration::from_millis(250), "more than four in flight: {asked:?}");
    }

    // Asked again the same day: nothing. A week on: conditionally, and 304 reads nothing again.
    hark(data.path(), None, &["refresh"]);
    assert_eq!(transcript_requests(&server, 6).len(), 6, "nothing asked again the same day");
    let library = rusqlite::Connection::open(data.path().join("library.sqlite3")).unwrap();
    library.execute("UPDATE transcript_checks SET checked_at = checked_at - 8 * 86400", []).unwrap();
    let again = hark(data.path(), None, &["refresh"]);
    assert!(!String::from_utf8_lossy(&again.stdout).contains("transcripts fetched"), "all unchanged");
    let requests = transcript_requests(&server, 6);
    assert_eq!(requests.len(), 12);
    for request in &requests[6..] {
        let wanted = format!("\"v{}\"", &request.path[2..request.path.len() - 4]);
        assert_eq!(request.header("if-none-match"), Some(wanted.as_str()), "conditional: {}", request.path);
    }
    assert_eq!(search(data.path(), "zeppelin").as_array().unwrap().len(), 6, "still found");
}

#[test]
fn nothing_is_fetched_in_the_background_on_a_metered_connection_or_when_turned_off() {
    let server = airships(2);
    let data = tempfile::tempdir().unwrap();
    hark(data.path(), None, &["subscribe", &server.url("/feed.xml")]);
    let bus = common::bus::private_bus();
    let _network_manager = common::bus::network_manager(&bus, 1);
    let held = hark(data.path(), Some(&bus.address), &["refresh"]);
    assert!(String::from_utf8_lossy(&held.stdout).contains("2 transcripts not fetched: the connection is metered"));
    assert!(transcript_requests(&server, 2).is_empty(), "nothing fetched when metered");

    hark(data.path(), None, &["config", "transcripts-per-show", "0"]);
    hark(data.path(), None, &["refresh"]);
    assert!(transcript_requests(&server, 2).is_empty(), "0: off");
    hark(data.path(), None, &["config", "transcripts-per-show", "1"]);
    hark(data.path(), None, &["refresh"]);
    let asked: Vec<String> = transcript_requests(&server, 2).into_iter().map(|r| r.path).collect();
    assert_eq!(asked, ["/t1.vtt"], "the newest one");
}

#[test]
fn a_click_on_a_spoken_word_in_the_search_results_plays_from_its_second() {
    let server = airships(1);
    let data = tempfile::tempdir().unwrap();
    hark(data.path(), None, &["subscribe", &server.url("/feed.xml")]);
    hark(data.path(), None, &["refresh"]);
    let capture = Capture::new();
    let nowhere = hark::net::directory::Directories { itunes_url: "http://127.0.0.1:9".into(), podcast_index: None };
    let options = AppOptions {
        audio: OutputChoice::Capture(capture.clone()),
        timed_refresh: false,
        media_keys: false,
        directories: Some(nowhere),
    };
    let paths = AppPaths::inside(data.path());
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_eframe(move |cc| HarkApp::new(&cc.egui_ctx, paths, options).expect("the app starts"));
    harness.run_steps(2);
    harness.get_by_label("Search your library").click();
    harness.get_by_label("Search your library").type_text("zeppelin");
    run_until(&mut harness, "the results", |h| {
        h.state().state.find.pending.is_none() && h.state().state.find.results.is_some()
    });
    harness.run_steps(2);
    harness.get_by_label("Play Episode 0 from 0:37").click();
    run_until(&mut harness, "playing", |h| h.state().listening().playback().is_playing());
    let (channels, rate) = capture.format().expect("loaded");
    let heard = common::audio::mono(&capture.take_frames(rate as usize / 4, Duration::from_secs(10)), channels);
    assert_eq!(common::audio::dominant(&heard, rate), common::audio::tone_at(37.5), "heard from 0:37");
    let position = harness.state().listening().position_secs();
    assert!((37.0..38.5).contains(&position), "the player is at {position}");
    let page = harness.state().state.episode_page.as_ref().expect("the episode opened");
    assert_eq!(page.episode.summary.title, "Episode 0");
}

fn run_until(harness: &mut Harness<'_, HarkApp>, what: &str, mut done: impl FnMut(&Harness<'_, HarkApp>) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done(harness) {
        assert!(Instant::now() < deadline, "timed out waiting for {what}; notice: {:?}", harness.state().state.notice);
        harness.step();
        std::thread::sleep(Duration::from_millis(15));
    }
}
