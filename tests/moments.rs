//! Bookmarks and clips (issue #24), with real parts: SQLite files, the real `hark` binary, a
//! feed and its audio served on 127.0.0.1, audio decoded by symphonia (and libopus), ffprobe.

mod common;

use std::path::Path;

use common::cli::{hark, stderr, stdout};
use common::feeds::{Item, rss_with};
use common::server::{Route, TestServer};
use hark::library::Library;

/// Second k of the stepped tone is a sine at `step_freq(k)`: where a clip starts and ends is
/// heard to the tens of milliseconds.
fn step_freq(second: usize) -> f64 {
    300.0 + 100.0 * second as f64
}

/// Eight seconds of the stepped tone, 44.1 kHz stereo 16-bit WAV (so a clip is resampled).
fn stepped_wav() -> Vec<u8> {
    const RATE: u32 = 44_100;
    let frames = 8 * RATE;
    let data_len = frames * 4;
    let mut bytes = Vec::with_capacity(44 + data_len as usize);
    bytes.extend_from_slice(b"RIFF");
    bytes.extend_from_slice(&(36 + data_len).to_le_bytes());
    bytes.extend_from_slice(b"WAVEfmt ");
    bytes.extend_from_slice(&16u32.to_le_bytes());
    for n in [1u16, 2] {
        bytes.extend_from_slice(&n.to_le_bytes());
    }
    bytes.extend_from_slice(&RATE.to_le_bytes());
    bytes.extend_from_slice(&(RATE * 4).to_le_bytes());
    for n in [4u16, 16] {
        bytes.extend_from_slice(&n.to_le_bytes());
    }
    bytes.extend_from_slice(b"data");
    bytes.extend_from_slice(&data_len.to_le_bytes());
    let mut phase = 0.0f64;
    for i in 0..frames {
        let freq = step_freq((i / RATE) as usize);
        phase += 2.0 * std::f64::consts::PI * freq / RATE as f64;
        let sample = ((phase.sin() * 0.5) * i16::MAX as f64) as i16;
        bytes.extend_from_slice(&sample.to_le_bytes());
        bytes.extend_from_slice(&sample.to_le_bytes());
    }
    bytes
}

const ART_URL_PATH: &str = "/art.png";

/// A show of one episode, the stepped tone, served with its art.
fn show(server: &TestServer, title: &str) -> String {
    let audio = server.url("/steps.wav");
    let items = [Item { guid: "steps-1", title: "Stepping Up", url: &audio }];
    let art = format!("<itunes:image href=\"{}\"/>", server.url(ART_URL_PATH));
    server.set("/feed.xml", Route::ok(rss_with(title, &art, &items), "application/rss+xml"));
    server.set("/steps.wav", Route::ok(stepped_wav(), "audio/wav"));
    server.url("/feed.xml")
}

fn run(data: &Path, args: &[&str]) -> String {
    let output = hark(data, args);
    assert!(output.status.success(), "hark {args:?}: {}", stderr(&output));
    stdout(&output)
}

fn bookmarks_json(data: &Path) -> Vec<serde_json::Value> {
    serde_json::from_str(&run(data, &["bookmarks", "--json"])).unwrap()
}

fn episode_id(data: &Path) -> i64 {
    let library = Library::open(&data.join("library.sqlite3")).unwrap();
    library.episodes(None).unwrap().iter().find(|e| e.title == "Stepping Up").unwrap().id.0
}

/// A library in a folder of its own following the stepped-tone show, and the server with it.
fn subscribed() -> (TestServer, String, tempfile::TempDir) {
    common::init();
    let server = TestServer::start();
    let feed = show(&server, "Steps");
    let data = tempfile::tempdir().unwrap();
    run(data.path(), &["subscribe", &feed]);
    (server, feed, data)
}

#[test]
fn bookmarks_survive_a_refresh_a_redownload_a_resubscribe_and_an_export_to_another_library() {
    let (server, feed, data) = subscribed();
    let data = data.path();
    run(data, &["download", "Stepping"]);
    assert!(run(data, &["bookmark", "Stepping", "0:05", "--note", "the fifth second"]).contains("at 0:05"));
    run(data, &["bookmark", "Stepping", "2"]);
    let marks = bookmarks_json(data);
    assert_eq!(marks.len(), 2);
    let first = &marks[1];
    let keys: Vec<&str> = first.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["at_secs", "created", "episode_id", "episode_title", "link", "note", "podcast_title"]);
    assert_eq!(first["episode_id"], episode_id(data));
    assert_eq!((first["at_secs"].as_f64(), first["note"].as_str()), (Some(5.0), Some("the fifth second")));
    assert_eq!(first["podcast_title"], "Steps");
    assert_eq!(first["link"].as_str().unwrap(), format!("{}#t=5", server.url("/steps.wav")));
    assert_eq!(marks[0]["at_secs"], 2.0, "newest first");
    let held = |data: &Path| -> Vec<(Option<i64>, f64)> {
        let mut marks: Vec<_> =
            bookmarks_json(data).iter().map(|m| (m["episode_id"].as_i64(), m["at_secs"].as_f64().unwrap())).collect();
        marks.sort_by(|a, b| a.1.total_cmp(&b.1));
        marks
    };

    // A refresh that changes the feed (a new title, a new episode) keeps them on the episode.
    let audio = server.url("/steps.wav");
    let items = [
        Item { guid: "steps-2", title: "Second", url: "http://127.0.0.1:9/2.mp3" },
        Item { guid: "steps-1", title: "Stepping Up", url: &audio },
    ];
    server.set("/feed.xml", Route::ok(rss_with("Steps", "", &items), "application/rss+xml"));
    run(data, &["refresh"]);
    let id = episode_id(data);
    assert_eq!(held(data), [(Some(id), 2.0), (Some(id), 5.0)]);

    // A download deleted and downloaded again.
    let mut library = Library::open(&data.join("library.sqlite3")).unwrap();
    hark::library::delete_download(&mut library, &data.join("downloads"), hark::model::EpisodeId(id)).unwrap();
    drop(library);
    run(data, &["download", "Stepping"]);
    assert_eq!(held(data), [(Some(id), 2.0), (Some(id), 5.0)]);

    // Unsubscribed: kept, on no episode; subscribed again: back on the episode's new row.
    run(data, &["remove", "Steps"]);
    assert_eq!(held(data), [(None, 2.0), (None, 5.0)]);
    assert!(run(data, &["bookmarks"]).contains("the fifth second"));
    run(data, &["subscribe", &feed]);
    let again = episode_id(data);
    assert_ne!(again, id, "a new row");
    assert_eq!(held(data), [(Some(again), 2.0), (Some(again), 5.0)]);

    // Exported, and imported into a fresh library that follows the show.
    let file = data.join("bookmarks.json");
    assert!(run(data, &["export", "--bookmarks", file.to_str().unwrap()]).contains("Exported 2 bookmarks"));
    let other = tempfile::tempdir().unwrap();
    let other = other.path();
    run(other, &["subscribe", &feed]);
    run(other, &["import", "--bookmarks", file.to_str().unwrap()]);
    let there = episode_id(other);
    assert_eq!(held(other), [(Some(there), 2.0), (Some(there), 5.0)]);
    let note = bookmarks_json(other).iter().find(|m| m["at_secs"] == 5.0).unwrap()["note"].clone();
    assert_eq!(note, "the fifth second");
    // OPML export is as it was.
    let opml = data.join("subs.opml");
    run(data, &["export", opml.to_str().unwrap()]);
    assert!(std::fs::read_to_string(&opml).unwrap().contains("<opml"));
}

fn ffprobe(file: &Path) -> serde_json::Value {
    let output = std::process::Command::new("/usr/bin/ffprobe")
        .args(["-v", "error", "-show_format", "-show_streams", "-of", "json"])
        .arg(file)
        .output()
        .expect("ffprobe (Debian's ffmpeg package) is needed for the clip test");
    assert!(output.status.success(), "ffprobe: {}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

/// The clip's samples, decoded by the player's own path (symphonia's Ogg, libopus).
fn decode(file: &Path) -> (Vec<f32>, u32) {
    let mut decoder = hark::player::open_file(file).unwrap();
    let (rate, channels) = (decoder.sample_rate(), decoder.channels());
    let mut all = Vec::new();
    // It appends.
    while decoder.next_packet(&mut all).unwrap().is_some() {}
    (common::audio::mono(&all, channels), rate)
}

#[test]
fn a_clip_is_the_span_as_opus_tagged_with_show_episode_link_and_art() {
    let (server, _feed, data) = subscribed();
    let data = data.path();
    // The show's art as the window caches it.
    let art = data.join("cache").join("art");
    let cached = hark::net::art::cached_header(&art, &server.url(ART_URL_PATH));
    std::fs::create_dir_all(cached.parent().unwrap()).unwrap();
    image::RgbaImage::from_pixel(8, 6, image::Rgba([200, 30, 30, 255])).save(&cached).unwrap();

    let clip = data.join("clip.opus");
    // Not downloaded yet: `hark clip` downloads it first.
    let said = run(data, &["clip", "Stepping", "2.96", "5.04", "-o", clip.to_str().unwrap()]);
    assert!(said.contains(&format!("{}#t=2,5", server.url("/steps.wav"))), "{said}");

    let probe = ffprobe(&clip);
    let duration: f64 = probe["format"]["duration"].as_str().unwrap().parse().unwrap();
    assert!((duration - 2.08).abs() <= 0.030, "ffprobe says {duration} s");
    let audio = probe["streams"].as_array().unwrap().iter().find(|s| s["codec_type"] == "audio").unwrap();
    assert_eq!(audio["codec_name"], "opus");
    assert_eq!(audio["sample_rate"], "48000");
    let tags = &audio["tags"];
    let title = tags["title"].as_str().or(tags["TITLE"].as_str()).unwrap_or_default();
    assert!(title.starts_with("Stepping Up"), "title {title:?}: {probe}");
    let comment = tags["comment"].as_str().or(tags["COMMENT"].as_str()).unwrap_or_default();
    assert!(comment.contains("Steps — Stepping Up") && comment.contains("#t=2,5"), "comment {comment:?}");
    let picture = probe["streams"].as_array().unwrap().iter().any(|s| s["disposition"]["attached_pic"] == 1);
    assert!(picture, "the show's art is in the clip: {probe}");

    // The first and the last 50 ms are the right audio: 40 ms of second 2, and 40 ms of 5.
    let (samples, rate) = decode(&clip);
    assert_eq!(rate, 48_000);
    let window = rate as usize / 20;
    let expected = (2.08 * rate as f64) as usize;
    assert!(samples.len() >= expected - window / 5, "{} samples decoded, {expected} expected", samples.len());
    let first = common::audio::dominant(&samples[..window], rate);
    let last = common::audio::dominant(&samples[expected - window..expected], rate);
    assert_eq!((first, last), (step_freq(2), step_freq(5)), "first and last 50 ms");

    // Longer than five minutes: refused in one line, nothing written.
    let refused = hark(data, &["clip", "Stepping", "0", "5:01", "-o", data.join("long.opus").to_str().unwrap()]);
    assert!(!refused.status.success() && stderr(&refused).contains("at most 5 minutes"), "{}", stderr(&refused));
    assert!(!data.join("long.opus").exists());
}

fn window(data: &Path) -> egui_kittest::Harness<'static, hark::app::HarkApp> {
    let nowhere = hark::net::directory::Directories { itunes_url: "http://127.0.0.1:9".into(), podcast_index: None };
    let options = hark::app::AppOptions {
        audio: hark::player::OutputChoice::Null,
        timed_refresh: false,
        media_keys: false,
        directories: Some(nowhere),
    };
    let paths = hark::paths::AppPaths::inside(data);
    egui_kittest::Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_eframe(move |cc| hark::app::HarkApp::new(&cc.egui_ctx, paths, options).expect("the app starts"))
}

fn run_until(
    harness: &mut egui_kittest::Harness<'_, hark::app::HarkApp>,
    what: &str,
    mut done: impl FnMut(&hark::app::HarkApp) -> bool,
) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !done(harness.state()) {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}: {:?}",
            harness.state().state.notice
        );
        harness.step();
        std::thread::sleep(std::time::Duration::from_millis(15));
    }
}

fn type_into(harness: &mut egui_kittest::Harness<'_, hark::app::HarkApp>, field: &str, text: &str) {
    use egui_kittest::kittest::Queryable;
    harness.get_by_label(field).click();
    harness.run_steps(1);
    harness.get_by_label(field).type_text(text);
    harness.run_steps(1);
}

#[test]
fn b_bookmarks_the_moment_and_the_bookmarks_view_lists_filters_and_plays_from_a_row() {
    use egui_kittest::kittest::Queryable;
    let (_server, _feed, data) = subscribed();
    let data = data.path();
    run(data, &["download", "Stepping"]);
    let mut harness = window(data);
    harness.run_steps(2);
    harness.get_by_label("Stepping Up").click();
    harness.run_steps(4);
    harness.get_by_label("▶ Play").click();
    run_until(&mut harness, "playback", |app| app.listening().position_secs() > 1.0);
    harness.get_by_label("Pause").click();
    run_until(&mut harness, "pause", |app| app.listening().player().is_paused());
    harness.run_steps(2);
    let paused_at = harness.state().listening().position_secs();
    harness.key_press(egui::Key::B);
    harness.run_steps(3);
    let marks = harness.state().library().bookmarks().unwrap();
    assert_eq!(marks.len(), 1, "B adds one");
    assert!((marks[0].at_secs - paused_at).abs() < 0.3, "at {} while paused at {paused_at}", marks[0].at_secs);
    type_into(&mut harness, "Bookmark note", "first step");
    harness.get_by_label("Save note").click();
    harness.run_steps(3);
    assert_eq!(harness.state().library().bookmarks().unwrap()[0].note, "first step");
    // The episode page lists it.
    let at = hark::model::format_clock(marks[0].at_secs);
    assert!(harness.query_by_label(&format!("Bookmark {at}  first step")).is_some(), "on the episode page");

    run(data, &["bookmark", "Stepping", "6", "--note", "later on"]);
    harness.get_by_label("Bookmarks").click();
    harness.run_steps(3);
    let row = "Bookmark 0:06  Steps — Stepping Up";
    assert!(
        harness.query_by_label(row).is_some()
            && harness.query_by_label(&format!("Bookmark {at}  Steps — Stepping Up")).is_some()
    );
    type_into(&mut harness, "Search bookmarks", "later");
    harness.run_steps(2);
    assert_eq!(harness.state().state.bookmarks.listed.len(), 1, "filtered");
    assert!(harness.query_by_label(&format!("Bookmark {at}  Steps — Stepping Up")).is_none());
    harness.get_by_label(row).click();
    run_until(&mut harness, "playing from the bookmark", |app| app.listening().playback().is_playing());
    let position = harness.state().listening().position_secs();
    assert!((6.0..7.0).contains(&position), "plays from 0:06: {position}");
}
