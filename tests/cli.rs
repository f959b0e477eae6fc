//! The `hark` binary as a script would use it, against a test server and a temp data dir.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use common::cli::{hark, stderr, stdout};
use common::feeds::{Item, rss};
use common::server::{Route, TestServer};

fn items() -> Vec<Item<'static>> {
    vec![
        Item { guid: "one", title: "Episode One", url: "http://127.0.0.1:9/one.mp3" },
        Item { guid: "two", title: "Episode Two", url: "http://127.0.0.1:9/two.mp3" },
        Item { guid: "three", title: "Episode Three", url: "http://127.0.0.1:9/three.mp3" },
    ]
}

/// ALSA's "default" device as a WAV file (its file plugin over a null device): what `hark play`
/// sends to the sound card, written to `$AUDIO_CAPTURE_FILE` as fast as it is rendered.
fn alsa_capture_config() -> PathBuf {
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/asoundrc-capture");
    assert!(config.is_file(), "the ALSA capture config {}", config.display());
    config
}

fn json(output: &Output) -> serde_json::Value {
    assert!(output.status.success(), "{}", stderr(output));
    serde_json::from_slice(&output.stdout).expect("valid JSON")
}

#[test]
fn subscribe_then_list_exactly_that_feed() {
    let server = TestServer::start();
    server.set("/feed.xml", Route::ok(rss("CLI Show", &items()), "application/rss+xml"));
    let data = tempfile::tempdir().unwrap();
    let output = hark(data.path(), &["subscribe", &server.url("/feed.xml")]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), "Subscribed to \"CLI Show\" (3 episodes)\n");

    let episodes = json(&hark(data.path(), &["episodes", "--json"]));
    let episodes = episodes.as_array().unwrap();
    assert_eq!(episodes.len(), 3, "no demo show, only the feed's episodes");
    let first = &episodes[0];
    assert_eq!(first["title"], "Episode Three");
    assert_eq!(first["published"], "2024-01-03T10:00:00+00:00");
    assert_eq!(first["duration_secs"], 60);
    assert_eq!(first["url"], "http://127.0.0.1:9/three.mp3");
    assert_eq!(first["mime"], "audio/mpeg");
    assert_eq!(first["position_secs"], 0.0);
    assert_eq!(first["played"], false);
    assert_eq!(first["downloaded"], false);
    assert_eq!(first["path"], serde_json::Value::Null);
    for key in ["id", "podcast_id"] {
        assert!(first[key].is_i64(), "{key}");
    }

    let podcasts = json(&hark(data.path(), &["podcasts", "--json"]));
    let podcast = &podcasts.as_array().unwrap()[0];
    assert_eq!(podcast["title"], "CLI Show");
    assert_eq!(podcast["author"], "Test Author");
    assert_eq!(podcast["feed_url"], server.url("/feed.xml"));
    assert_eq!(podcast["episodes"], 3);
    assert_eq!(podcast["unplayed"], 3);

    let by_title = json(&hark(data.path(), &["episodes", "cli sh", "--json"]));
    assert_eq!(by_title.as_array().unwrap().len(), 3);
}

#[test]
fn refresh_reports_new_episodes_per_podcast() {
    let server = TestServer::start();
    server.set("/feed.xml", Route::ok(rss("Refreshing Show", &items()[..2]), "application/rss+xml"));
    let data = tempfile::tempdir().unwrap();
    assert!(hark(data.path(), &["subscribe", &server.url("/feed.xml")]).status.success());
    server.set("/feed.xml", Route::ok(rss("Refreshing Show", &items()), "application/rss+xml"));
    let output = hark(data.path(), &["refresh"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), "Refreshing Show: 1 new\n");
    let output = hark(data.path(), &["refresh", "Refreshing"]);
    assert_eq!(stdout(&output), "Refreshing Show: 0 new\n");
}

#[test]
fn errors_are_one_line_with_a_failing_exit_and_change_nothing() {
    let server = TestServer::start();
    server.set("/feed.xml", Route::ok(rss("Kept Show", &items()), "application/rss+xml"));
    server.set("/page", Route::ok("<!DOCTYPE html><html><body>Hello</body></html>", "text/html"));
    let data = tempfile::tempdir().unwrap();
    assert!(hark(data.path(), &["subscribe", &server.url("/feed.xml")]).status.success());
    let before = stdout(&hark(data.path(), &["episodes", "--json"]));

    let cases = [
        (server.url("/missing.xml"), "error: 127.0.0.1 says it isn't there (HTTP 404)\n".to_string()),
        (server.url("/page"), "error: That address is a web page, not a podcast feed\n".to_string()),
        (
            "file:///etc/passwd".to_string(),
            "error: Only web addresses (http or https) can be followed, not file:///etc/passwd\n".to_string(),
        ),
    ];
    for (url, message) in cases {
        let output = hark(data.path(), &["subscribe", &url]);
        assert!(!output.status.success());
        assert_eq!(stderr(&output), message);
        assert!(stdout(&output).is_empty());
    }
    let output = hark(data.path(), &["remove", "no such show"]);
    assert!(!output.status.success());
    assert_eq!(stderr(&output), "error: no podcast matches \"no such show\"\n");
    assert_eq!(stdout(&hark(data.path(), &["episodes", "--json"])), before);

    server.set("/feed.xml", Route::status(500, "down"));
    let output = hark(data.path(), &["refresh"]);
    assert!(!output.status.success());
    assert!(stdout(&output).is_empty(), "errors go to stderr");
    assert_eq!(
        stderr(&output),
        "Kept Show: error: 127.0.0.1 had a problem on its side (HTTP 500)\nerror: 1 of 1 podcasts could not be refreshed\n"
    );
    assert_eq!(stdout(&hark(data.path(), &["episodes", "--json"])), before);

    // A huge address (as long as one argument may be) makes a short line, and nothing but that
    // line (no log lines, no colours).
    let long = format!("https://example.invalid/{}", "x".repeat(120_000));
    let output = hark(data.path(), &["subscribe", &long]);
    let text = stderr(&output);
    assert_eq!(text.lines().count(), 1, "{}", &text[..200.min(text.len())]);
    assert!(text.len() < 600, "cut to a readable line: {} bytes", text.len());
    assert!(!text.contains('\u{1b}'), "no colour codes when stderr is not a terminal");
}

#[test]
fn offline_refresh_says_so_once() {
    let server = TestServer::start();
    let data = tempfile::tempdir().unwrap();
    for name in ["a", "b", "c"] {
        server.set(&format!("/{name}.xml"), Route::ok(rss(name, &items()), "application/rss+xml"));
        assert!(hark(data.path(), &["subscribe", &server.url(&format!("/{name}.xml"))]).status.success());
    }
    drop(server);
    let output = hark(data.path(), &["refresh"]);
    assert!(!output.status.success());
    let text = stderr(&output);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.starts_with("error: Couldn't reach any of your 3 podcasts — are you offline?"), "{text}");
}

/// Serves a show of `count` episodes that are real audio.
fn serve_audio_show(server: &TestServer, count: usize) {
    let urls: Vec<String> = (0..count).map(|i| server.url(&format!("/ep{i}.mp3"))).collect();
    let guids: Vec<String> = (0..count).map(|i| format!("ep{i}")).collect();
    let items: Vec<Item<'_>> = (0..count).map(|i| Item { guid: &guids[i], title: &guids[i], url: &urls[i] }).collect();
    for i in 0..count {
        server.set(&format!("/ep{i}.mp3"), Route::ok(common::fixture_bytes("tone-cbr.mp3"), "audio/mpeg"));
    }
    server.set("/audio.xml", Route::ok(rss("Audio Show", &items), "application/rss+xml"));
}

#[test]
fn refresh_downloads_the_newest_when_asked_and_remove_takes_the_downloads_along() {
    let server = TestServer::start();
    let data = tempfile::tempdir().unwrap();
    serve_audio_show(&server, 2);
    assert!(hark(data.path(), &["subscribe", &server.url("/audio.xml")]).status.success());
    {
        let mut library = hark::library::Library::open(&data.path().join("library.sqlite3")).unwrap();
        library.set_setting("auto_download_newest", "1").unwrap();
    }
    serve_audio_show(&server, 3);
    let output = hark(data.path(), &["refresh"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let episodes = json(&hark(data.path(), &["episodes", "--json"]));
    let episodes = episodes.as_array().unwrap();
    let grown: Vec<i64> = episodes.iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert_eq!(episodes[0]["title"], "ep2", "newest first");
    let downloaded: Vec<i64> =
        episodes.iter().filter(|e| e["downloaded"] == true).map(|e| e["id"].as_i64().unwrap()).collect();
    assert_eq!(downloaded, vec![grown[0]], "the newest one, after hark refresh as after the window's");
    let file = data.path().join("downloads").join(format!("{}.mp3", grown[0]));
    assert!(file.is_file());

    // Deleted by hand: it can be downloaded again.
    std::fs::remove_file(&file).unwrap();
    let again = hark(data.path(), &["download", &grown[0].to_string(), &grown[0].to_string()]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(stdout(&again).starts_with("Downloaded"), "{}", stdout(&again));
    assert!(file.is_file());

    let removed = hark(data.path(), &["remove", "Audio Show"]);
    assert_eq!(stdout(&removed), "Removed \"Audio Show\" and deleted 1 downloaded episodes\n");
    assert!(!file.exists(), "the show's downloads went with it");
}

#[test]
fn remove_by_part_of_the_title() {
    let server = TestServer::start();
    server.set("/a.xml", Route::ok(rss("Alpha Show", &items()), "application/rss+xml"));
    let data = tempfile::tempdir().unwrap();
    assert!(hark(data.path(), &["subscribe", &server.url("/a.xml")]).status.success());
    let output = hark(data.path(), &["remove", "alpha"]);
    assert_eq!(stdout(&output), "Removed \"Alpha Show\"\n");
    assert_eq!(json(&hark(data.path(), &["podcasts", "--json"])), serde_json::json!([]));
}

#[test]
fn every_command_has_help() {
    let data = tempfile::tempdir().unwrap();
    for command in ["subscribe", "refresh", "podcasts", "episodes", "remove", "play"] {
        let output = hark(data.path(), &[command, "--help"]);
        assert!(output.status.success(), "{command} --help");
        assert!(stdout(&output).contains("Usage: hark"), "{command}");
    }
}

/// A library with one downloaded fixture episode, as `hark download` would leave it.
fn library_with_downloaded(data: &Path, fixture: &str) -> i64 {
    common::init();
    let server = TestServer::start();
    server.set("/feed.xml", Route::ok(rss("Tones", &items()[..1]), "application/rss+xml"));
    assert!(hark(data, &["subscribe", &server.url("/feed.xml")]).status.success());
    let mut library = hark::library::Library::open(&data.join("library.sqlite3")).unwrap();
    let episode = library.episodes(None).unwrap().remove(0);
    let path = data.join("downloads").join(format!("{}.mp3", episode.id));
    std::fs::copy(common::fixture(fixture), &path).unwrap();
    library.set_downloaded(episode.id, Some(&path)).unwrap();
    episode.id.0
}

#[test]
fn play_through_alsa_is_heard_with_the_right_tone() {
    let data = tempfile::tempdir().unwrap();
    let id = library_with_downloaded(data.path(), "tone-cbr.mp3");
    let capture = data.path().join("heard.wav");
    let output = Command::new(env!("CARGO_BIN_EXE_hark"))
        .args(["--data-dir"])
        .arg(data.path())
        .args(["play", &id.to_string(), "--from", "0:15"])
        .env("ALSA_CONFIG_PATH", alsa_capture_config())
        .env("AUDIO_CAPTURE_FILE", &capture)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(!stderr(&output).contains("No audio device"), "the ALSA file device was used");
    let wav = std::fs::read(&capture).unwrap();
    // 44-byte header, then 16-bit stereo at 44.1 kHz.
    let samples: Vec<f32> =
        wav[44..].chunks_exact(2).map(|b| i16::from_le_bytes([b[0], b[1]]) as f32 / 32768.0).collect();
    let left = common::audio::mono(&samples, 2);
    assert!(left.len() > 44_100 * 10, "heard {} frames", left.len());
    // The file device has no clock: where the decoder was a moment behind, silence went into the
    // file. So this checks which sounds came out, in which order, not when. (Loudness
    // normalisation brings the 0.5 sine down to -16 LUFS, an RMS of about 0.16.)
    let mut tones: Vec<f64> = Vec::new();
    for window in left.chunks_exact(8820).filter(|w| common::audio::rms(w) > 0.05) {
        let tone = common::audio::ladder_tone(window, 44_100);
        if tones.last() != Some(&tone) {
            tones.push(tone);
        }
    }
    assert_eq!(tones, [500.0, 600.0, 700.0, 800.0, 900.0], "from 15 s (500 Hz) to the end, every segment in order");
    let episodes = json(&hark(data.path(), &["episodes", "--json"]));
    assert_eq!(episodes[0]["played"], true, "played to the end");
}

#[test]
fn a_killed_player_keeps_its_position() {
    let data = tempfile::tempdir().unwrap();
    let id = library_with_downloaded(data.path(), "tone-cbr.mp3");
    // No ALSA device here: the player runs on its silent real-time clock.
    let mut child = Command::new(env!("CARGO_BIN_EXE_hark"))
        .args(["--data-dir"])
        .arg(data.path())
        .args(["play", &id.to_string(), "--from", "10"])
        .env("ALSA_CONFIG_PATH", "/dev/null")
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Killed once a save has landed (saves come every 2 s while playing).
    let saved = || json(&hark(data.path(), &["episodes", "--json"]))[0]["position_secs"].as_f64().unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while saved() < 12.0 {
        assert!(std::time::Instant::now() < deadline, "no position was saved while playing");
        std::thread::sleep(Duration::from_millis(100));
    }
    child.kill().unwrap(); // SIGKILL: no chance to save on the way out
    child.wait().unwrap();
    let position = saved();
    assert!(position >= 12.0, "the saved position {position} outlives the kill");
}

/// An OPML fixture with its FEED_* placeholders pointed at the test server.
fn opml_fixture(name: &str, server: &TestServer, dir: &Path) -> std::path::PathBuf {
    let text = std::fs::read_to_string(common::fixture(&format!("opml/{name}")))
        .unwrap()
        .replace("FEED_A", &server.url("/a.xml"))
        .replace("FEED_B", &server.url("/b.xml"))
        .replace("FEED_MISSING", &server.url("/missing.xml"));
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn opml_import_from_gpodder_and_antennapod_and_a_round_trip() {
    let server = TestServer::start();
    server.set("/a.xml", Route::ok(rss("Feed A", &items()[..1]), "application/rss+xml"));
    server.set("/b.xml", Route::ok(rss("Feed B", &items()[..2]), "application/rss+xml"));
    let data = tempfile::tempdir().unwrap();

    let gpodder = opml_fixture("gpodder.opml", &server, data.path());
    let output = hark(data.path(), &["import", gpodder.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "Subscribed to \"Feed A\" (1 episodes)\nSubscribed to \"Feed B\" (2 episodes)\nImported 2 of 2 feeds (0 already subscribed)\n"
    );

    // AntennaPod's nests outlines and has odd case; two feeds are already here, one is gone.
    let antennapod = opml_fixture("antennapod.opml", &server, data.path());
    let output = hark(data.path(), &["import", antennapod.to_str().unwrap()]);
    assert!(!output.status.success());
    assert_eq!(stdout(&output), "Imported 0 of 3 feeds (2 already subscribed)\n");
    assert_eq!(
        stderr(&output),
        format!(
            "{missing}: error: 127.0.0.1 says it isn't there (HTTP 404)\nerror: 1 feeds could not be subscribed\n",
            missing = server.url("/missing.xml")
        )
    );
    assert_eq!(json(&hark(data.path(), &["podcasts", "--json"])).as_array().unwrap().len(), 2, "nothing twice");

    let exported = data.path().join("out.opml");
    let output = hark(data.path(), &["export", exported.to_str().unwrap()]);
    assert_eq!(stdout(&output), format!("Exported 2 podcasts to {}\n", exported.display()));
    let fresh = tempfile::tempdir().unwrap();
    let output = hark(fresh.path(), &["import", exported.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let titles: Vec<String> = json(&hark(fresh.path(), &["podcasts", "--json"]))
        .as_array()
        .unwrap()
        .iter()
        .map(|p| format!("{} {}", p["title"], p["feed_url"]))
        .collect();
    assert_eq!(
        titles,
        vec![format!("\"Feed A\" \"{}\"", server.url("/a.xml")), format!("\"Feed B\" \"{}\"", server.url("/b.xml"))]
    );
}

#[test]
fn a_malformed_opml_file_is_refused_clearly() {
    let data = tempfile::tempdir().unwrap();
    let file = data.path().join("broken.opml");
    std::fs::write(&file, "<html><body>not a list</body></html>").unwrap();
    let output = hark(data.path(), &["import", file.to_str().unwrap()]);
    assert!(!output.status.success());
    assert_eq!(stderr(&output), format!("error: {}: this is not an OPML file (no <opml> element)\n", file.display()));
    assert_eq!(json(&hark(data.path(), &["podcasts", "--json"])), serde_json::json!([]));
}

/// Runs `hark play` with ALSA's clock-less file capture: good for *which* sound came out
/// (not when). Returns the left channel at 44.1 kHz, from its first sound on, with the gaps
/// taken out: the device pulls as fast as it can, so whenever the decoder is a moment behind
/// (a loaded machine) the player rightly fills the file with silence a real device never hears.
fn play_captured(data: &Path, args: &[&str]) -> (Output, Vec<f32>) {
    let capture = data.join("heard.wav");
    let output = Command::new(env!("CARGO_BIN_EXE_hark"))
        .arg("--data-dir")
        .arg(data)
        .arg("play")
        .args(args)
        .env("ALSA_CONFIG_PATH", alsa_capture_config())
        .env("AUDIO_CAPTURE_FILE", &capture)
        .output()
        .unwrap();
    let wav = std::fs::read(&capture).unwrap_or_default();
    let samples: Vec<f32> = wav
        .get(44..)
        .unwrap_or_default()
        .chunks_exact(2)
        .map(|b| i16::from_le_bytes([b[0], b[1]]) as f32 / 32768.0)
        .collect();
    let left = common::audio::mono(&samples, 2);
    let first_sound = left.iter().position(|s| s.abs() > 0.05).unwrap_or(left.len());
    (output, without_gaps(&left[first_sound..]))
}

/// The samples without the runs of digital silence the clock-less capture fills gaps with.
fn without_gaps(samples: &[f32]) -> Vec<f32> {
    const GAP: usize = 32;
    let mut kept = Vec::with_capacity(samples.len());
    let mut zeros = 0;
    for (i, &s) in samples.iter().enumerate() {
        if s == 0.0 {
            zeros += 1;
            continue;
        }
        // A short run of zeros is the signal's own (a crossing); a long one is a gap.
        if zeros > 0 && zeros < GAP {
            kept.extend_from_slice(&samples[i - zeros..i]);
        }
        zeros = 0;
        kept.push(s);
    }
    kept
}

#[test]
fn play_streams_an_episode_that_is_not_downloaded_from_where_it_was_asked() {
    common::init();
    let server = TestServer::start();
    let mut route = Route::ok(common::fixture_bytes("tone-cbr.mp3"), "audio/mpeg").with_etag("\"t\"");
    route.throttle = Some(16_000);
    server.set("/tone.mp3", route);
    let url = server.url("/tone.mp3");
    let items = [Item { guid: "tone", title: "Streamed", url: &url }];
    server.set("/feed.xml", Route::ok(rss("Tones", &items), "application/rss+xml"));
    let data = tempfile::tempdir().unwrap();
    assert!(hark(data.path(), &["subscribe", &server.url("/feed.xml")]).status.success());

    let (output, heard) = play_captured(data.path(), &["Streamed", "--from", "0:45"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(heard.len() > 44_100 * 5, "heard {} frames", heard.len());
    assert_eq!(common::audio::ladder_tone(&heard[2205..2205 + 8820], 44_100), 800.0, "45 s in: the 800 Hz tone");
    let first = &server.requests("/tone.mp3");
    let jumped = first.iter().filter_map(|r| r.header("range")).any(|range| {
        range.strip_prefix("bytes=").and_then(|r| r.split('-').next()).and_then(|s| s.parse::<u64>().ok())
            > Some(150_000)
    });
    assert!(jumped, "a Range request near 45 s, not a download from byte 0 first: {first:?}");
    let episodes = json(&hark(data.path(), &["episodes", "--json"]));
    assert_eq!(episodes[0]["played"], true, "heard to the end");
}

#[test]
fn play_of_an_unreachable_episode_is_one_line_naming_the_cause() {
    common::init();
    let server = TestServer::start();
    let items = [Item { guid: "gone", title: "Gone", url: "http://127.0.0.1:9/gone.mp3" }];
    server.set("/feed.xml", Route::ok(rss("Gone Show", &items), "application/rss+xml"));
    let data = tempfile::tempdir().unwrap();
    assert!(hark(data.path(), &["subscribe", &server.url("/feed.xml")]).status.success());
    let output = Command::new(env!("CARGO_BIN_EXE_hark"))
        .arg("--data-dir")
        .arg(data.path())
        .args(["play", "Gone"])
        .env("ALSA_CONFIG_PATH", "/dev/null")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let last = stderr(&output).lines().last().unwrap_or_default().to_string();
    assert!(last.starts_with("error: ") && last.contains("127.0.0.1"), "{last}");
    assert!(!last.contains("not audio"), "{last}");
}

#[test]
fn play_refuses_a_speed_that_is_not_a_number() {
    let data = tempfile::tempdir().unwrap();
    let id = library_with_downloaded(data.path(), "tone-cbr.mp3");
    for speed in ["NaN", "inf", "0", "7"] {
        let output = hark(data.path(), &["play", &id.to_string(), "--speed", speed]);
        assert!(!output.status.success(), "--speed {speed}");
        assert_eq!(stderr(&output), format!("error: --speed {speed}: the speed must be from 0.5 to 3.0\n"));
    }
}

#[test]
fn escape_codes_in_a_feed_never_reach_the_terminal_or_the_opml() {
    let server = TestServer::start();
    let title = "Evil\u{1b}]0;owned\u{7} Show\u{1b}[2J";
    let items = [Item { guid: "e", title: "Episode\u{1b}[31m red", url: "http://127.0.0.1:9/e.mp3" }];
    server.set("/feed.xml", Route::ok(rss(title, &items), "application/rss+xml"));
    let data = tempfile::tempdir().unwrap();
    let subscribed = hark(data.path(), &["subscribe", &server.url("/feed.xml")]);
    assert!(subscribed.status.success(), "{}", stderr(&subscribed));
    for output in [subscribed, hark(data.path(), &["podcasts"]), hark(data.path(), &["episodes"])] {
        assert!(!output.stdout.iter().any(|b| *b == 0x1b || *b == 0x07), "{:?}", stdout(&output));
    }
    assert!(stdout(&hark(data.path(), &["podcasts"])).contains("Evil ]0;owned  Show [2J"));
    let opml = data.path().join("out.opml");
    assert!(hark(data.path(), &["export", opml.to_str().unwrap()]).status.success());
    let bytes = std::fs::read(&opml).unwrap();
    assert!(!bytes.iter().any(|b| *b < 0x20 && !b"\n\r\t".contains(b)), "no control characters in the XML");
    assert_eq!(hark::opml::parse(&bytes).unwrap().len(), 1, "the OPML reads back");
}

/// A show of two episodes, "<prefix> One" and "<prefix> Two", subscribed and downloaded as tones
/// of the given lengths in seconds.
fn two_downloaded_tones(server: &TestServer, data: &Path, prefix: &str, secs: [f64; 2]) -> hark::library::Library {
    let titles = [format!("{prefix} One"), format!("{prefix} Two")];
    let items = [
        Item { guid: "one", title: &titles[0], url: "http://127.0.0.1:9/1.wav" },
        Item { guid: "two", title: &titles[1], url: "http://127.0.0.1:9/2.wav" },
    ];
    server.set("/feed.xml", Route::ok(rss(prefix, &items), "application/rss+xml"));
    assert!(hark(data, &["subscribe", &server.url("/feed.xml")]).status.success());
    let mut library = hark::library::Library::open(&data.join("library.sqlite3")).unwrap();
    for episode in library.episodes(None).unwrap() {
        let length = if episode.title == titles[0] { secs[0] } else { secs[1] };
        let path = data.join("downloads").join(format!("{}.wav", episode.id));
        common::audio::write_tone_wav(&path, length, 440.0);
        library.set_downloaded(episode.id, Some(&path)).unwrap();
    }
    library
}

/// `hark play ARGS` on a machine without a sound card.
fn play(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hark"))
        .arg("--data-dir")
        .arg(data)
        .arg("play")
        .args(args)
        .env("ALSA_CONFIG_PATH", "/dev/null")
        .output()
        .unwrap()
}

#[test]
fn play_of_several_episodes_goes_through_up_next_in_order() {
    let server = TestServer::start();
    let data = tempfile::tempdir().unwrap();
    let library = two_downloaded_tones(&server, data.path(), "Short", [1.5, 1.5]);
    let output = play(data.path(), &["Short One", "Short Two"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let episodes = json(&hark(data.path(), &["episodes", "--json"]));
    for episode in episodes.as_array().unwrap() {
        assert_eq!(episode["played"], true, "{} was played to its end", episode["title"]);
        assert_eq!(episode["position_secs"], 0.0);
    }
    assert!(library.queue().unwrap().is_empty(), "Up Next is empty after the last one");
    assert_eq!(library.setting("last_episode").unwrap(), Some(episodes[0]["id"].to_string()), "Two came last");
}

#[test]
fn play_with_a_sleep_timer_stops_by_itself_and_keeps_the_place() {
    let server = TestServer::start();
    let data = tempfile::tempdir().unwrap();
    let library = two_downloaded_tones(&server, data.path(), "Bedtime", [30.0, 2.0]);
    // It returns by itself (a 30 s episode stopped by the timer): no kill, no deadline needed.
    let play = |args: &[&str]| play(data.path(), args);
    let position = |title: &str| {
        let episodes = json(&hark(data.path(), &["episodes", "--json"]));
        let episode = episodes.as_array().unwrap().iter().find(|e| e["title"] == title).unwrap().clone();
        (episode["position_secs"].as_f64().unwrap(), episode["played"].as_bool().unwrap())
    };

    let output = play(&["Bedtime One", "--sleep", "3s"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stderr(&output).contains("Stopped at 0:03"), "{}", stderr(&output));
    let (at, played) = position("Bedtime One");
    assert!((2.8..3.6).contains(&at) && !played, "the place is kept: {at}");

    // At the end of the episode: played to its end, and what is queued after it waits.
    let output = play(&["Bedtime Two", "Bedtime One", "--sleep", "end"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(position("Bedtime Two"), (0.0, true));
    assert_eq!(position("Bedtime One").0, at, "the next one did not start");
    assert!(library.queue().unwrap().iter().any(|e| e.title == "Bedtime One"), "still in Up Next");

    let output = play(&["Bedtime One", "--sleep", "soon"]);
    assert!(!output.status.success());
    assert!(stderr(&output).contains("--sleep soon: say how long"), "{}", stderr(&output));
}
