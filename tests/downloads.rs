//! Downloads against the test server: resumes byte-exact after drops, kills and restarts;
//! copes with servers without Range, changed files and bad answers; streaming plays while
//! downloading and a seek ahead asks for the bytes it needs.

mod common;

use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::channel;
use std::time::{Duration, Instant};

use common::feeds::{Item, rss};
use common::server::{Route, TestServer};
use hark::media::PartialFile;
use hark::model::EpisodeId;
use hark::net::download::{DownloadError, DownloadJob, download};
use hark::net::{NetCommand, NetEvent, NetService, OnStart};
use sha2::{Digest, Sha256};

/// `len` bytes of real MP3 audio (the fixture's frames over and over): a download is done only
/// when its bytes are audio.
fn payload(len: usize) -> Vec<u8> {
    audio_of("tone-noxing.mp3", len)
}

fn audio_of(fixture: &str, len: usize) -> Vec<u8> {
    let frames = common::fixture_bytes(fixture);
    frames.iter().copied().cycle().take(len).collect()
}

fn sha(bytes: &[u8]) -> Vec<u8> {
    Sha256::digest(bytes).to_vec()
}

struct Rig {
    server: TestServer,
    dir: tempfile::TempDir,
    runtime: tokio::runtime::Runtime,
    client: reqwest::Client,
}

impl Rig {
    fn new() -> Self {
        common::init();
        Self {
            server: TestServer::start(),
            dir: tempfile::tempdir().unwrap(),
            runtime: tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap(),
            client: hark::http::client(),
        }
    }

    fn job(&self, path: &str) -> DownloadJob {
        DownloadJob {
            episode: EpisodeId(7),
            url: self.server.url(path),
            mime: Some("audio/mpeg".into()),
            downloads_dir: self.dir.path().join("downloads"),
        }
    }

    fn download(&self, path: &str) -> Result<std::path::PathBuf, DownloadError> {
        let job = self.job(path);
        let part = PartialFile::open(&job.downloads_dir, job.episode, &job.url).unwrap();
        self.runtime.block_on(download(&self.client, &job, &part, &|_: hark::media::Progress, _: f64| {}))
    }

    /// Half of an older 300,000-byte version of `/ep.mp3` on disk from an earlier run, with that
    /// version's validator (`"v1"`).
    fn old_half_on_disk(&self) {
        let old = payload(300_000);
        let job = self.job("/ep.mp3");
        let part = PartialFile::open(&job.downloads_dir, job.episode, &job.url).unwrap();
        let validator = hark::media::Validator { etag: Some("\"v1\"".into()), last_modified: None };
        part.restart(Some(300_000), validator, true).unwrap();
        part.write_at(0, &old[..150_000]).unwrap();
        part.checkpoint().unwrap();
    }

    fn part_exists(&self) -> bool {
        self.dir.path().join("downloads/7.part").exists()
    }
}

#[test]
fn dropped_connections_resume_with_range_and_end_byte_exact() {
    let rig = Rig::new();
    let body = payload(1_000_000);
    let mut route = Route::ok(body.clone(), "audio/mpeg").with_etag("\"a1\"");
    route.drop_at = vec![300_000, 700_000];
    rig.server.set("/ep.mp3", route);
    let path = rig.download("/ep.mp3").unwrap();
    assert_eq!(path, rig.dir.path().join("downloads/7.mp3"));
    assert_eq!(sha(&std::fs::read(&path).unwrap()), sha(&body));
    assert!(!rig.part_exists(), "the part file became the download");
    let requests = rig.server.requests("/ep.mp3");
    assert_eq!(requests.len(), 3);
    assert_eq!(requests[0].header("range"), None);
    assert_eq!(requests[1].header("range"), Some("bytes=300000-"));
    assert_eq!(requests[1].header("if-range"), Some("\"a1\""));
    assert_eq!(requests[2].header("range"), Some("bytes=700000-"));
    assert_eq!(rig.server.bytes_sent("/ep.mp3"), 1_000_000, "no byte fetched twice");
}

#[test]
fn a_server_without_range_support_restarts_cleanly() {
    let rig = Rig::new();
    let body = payload(400_000);
    let mut route = Route::ok(body.clone(), "audio/mpeg");
    route.ranges = false;
    route.drop_at = vec![200_000];
    rig.server.set("/ep.mp3", route);
    let path = rig.download("/ep.mp3").unwrap();
    assert_eq!(sha(&std::fs::read(path).unwrap()), sha(&body));
    let requests = rig.server.requests("/ep.mp3");
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[1].header("range"), Some("bytes=200000-"), "it asked, the server said no");
}

#[test]
fn a_changed_file_on_the_server_restarts_the_download() {
    let rig = Rig::new();
    rig.old_half_on_disk();
    let new = audio_of("tone-cbr.mp3", 320_000);
    rig.server.set("/ep.mp3", Route::ok(new.clone(), "audio/mpeg").with_etag("\"v2\""));
    let path = rig.download("/ep.mp3").unwrap();
    assert_eq!(sha(&std::fs::read(path).unwrap()), sha(&new));
    let requests = rig.server.requests("/ep.mp3");
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].header("range"), Some("bytes=150000-"));
    assert_eq!(requests[0].header("if-range"), Some("\"v1\""));
}

#[test]
fn bad_answers_fail_clearly_and_mark_nothing_done() {
    let rig = Rig::new();
    rig.server.set("/page.mp3", Route::ok("<!DOCTYPE html><html><body>Error</body></html>", "audio/mpeg"));
    let mut lying = Route::ok(payload(100_000), "audio/mpeg");
    lying.claimed_length = Some(200_000);
    rig.server.set("/lying.mp3", lying);
    rig.server.set("/broken.mp3", Route::status(500, "down"));
    rig.server.set("/loop.mp3", Route::redirect(302, "/loop.mp3"));

    let missing = rig.download("/missing.mp3").unwrap_err();
    assert_eq!(missing.to_string(), "127.0.0.1 says it isn't there (HTTP 404)");
    assert_eq!(rig.download("/page.mp3").unwrap_err(), DownloadError::NotAudio);
    let lie = rig.download("/lying.mp3").unwrap_err();
    assert_eq!(lie.to_string(), "The server sent fewer bytes than it announced");
    assert!(rig.part_exists(), "what did arrive is kept for a resume");
    let broken = rig.download("/broken.mp3").unwrap_err();
    assert!(broken.to_string().ends_with("had a problem on its side (HTTP 500)"), "{broken}");
    assert!(rig.server.requests("/broken.mp3").len() > 1, "server errors are retried");
    let looping = rig.download("/loop.mp3").unwrap_err();
    assert!(looping.to_string().ends_with("redirects too many times"), "{looping}");
    assert!(!rig.dir.path().join("downloads/7.mp3").exists(), "nothing was ever called downloaded");
}

/// A library with one episode whose enclosure is `audio_path` on the server.
fn library_with_episode(data: &Path, server: &TestServer, audio_path: &str) -> EpisodeId {
    common::init();
    std::fs::create_dir_all(data).unwrap();
    let url = server.url(audio_path);
    let items = [Item { guid: "e1", title: "Streamed Episode", url: &url }];
    server.set("/feed.xml", Route::ok(rss("Downloads", &items), "application/rss+xml"));
    let mut library = hark::library::Library::open(&data.join("library.sqlite3")).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime
        .block_on(hark::net::refresh::subscribe(&hark::http::client(), &mut library, &server.url("/feed.xml")))
        .unwrap();
    library.episodes(None).unwrap()[0].id
}

#[test]
fn a_killed_download_process_resumes_from_its_part_file() {
    let server = TestServer::start();
    let body = payload(600_000);
    let mut route = Route::ok(body.clone(), "audio/mpeg").with_etag("\"k\"");
    route.throttle = Some(150_000);
    server.set("/slow.mp3", route);
    let data = tempfile::tempdir().unwrap();
    let episode = library_with_episode(data.path(), &server, "/slow.mp3");
    let hark = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_hark"))
            .arg("--data-dir")
            .arg(data.path())
            .args(args)
            .spawn()
            .unwrap()
    };
    let mut child = hark(&["download", &episode.0.to_string()]);
    // Checkpoints come every second while bytes arrive; a kill gives no stop, so the resume
    // must work from the last checkpoint of the part file: killed once one is on disk.
    let downloads = data.path().join("downloads");
    kill_after_a_checkpoint(&mut child, &downloads, episode);
    let first_run_bytes = server.bytes_sent("/slow.mp3");
    assert!(first_run_bytes < 600_000, "killed mid-way, at {first_run_bytes}");
    server.set_throttle("/slow.mp3", None);
    let status = hark(&["download", &episode.0.to_string()]).wait().unwrap();
    assert!(status.success());
    let library = hark::library::Library::open(&data.path().join("library.sqlite3")).unwrap();
    let path = library.episode(episode).unwrap().summary.path.expect("marked downloaded");
    assert_eq!(sha(&std::fs::read(path).unwrap()), sha(&body));
    let resume = server.requests("/slow.mp3").pop().unwrap();
    let from: u64 = resume
        .header("range")
        .expect("a Range request")
        .trim_start_matches("bytes=")
        .trim_end_matches('-')
        .parse()
        .unwrap();
    assert!(from > 0, "resumed from the part file, not from 0");
}

#[test]
fn a_resume_whose_total_changed_to_more_than_the_disk_holds_is_refused_and_loses_nothing() {
    let server = TestServer::start();
    let body = payload(600_000);
    let mut route = Route::ok(body.clone(), "audio/mpeg").with_etag("\"k\"");
    route.throttle = Some(150_000);
    server.set("/changing.mp3", route.clone());
    let data = tempfile::tempdir().unwrap();
    let episode = library_with_episode(data.path(), &server, "/changing.mp3");
    let hark = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_hark")).arg("--data-dir").arg(data.path()).args(args).output()
    };
    let spawn = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_hark"))
            .arg("--data-dir")
            .arg(data.path())
            .args(["download", &episode.0.to_string()])
            .spawn()
            .unwrap()
    };
    let downloads = data.path().join("downloads");
    let mut child = spawn();
    kill_after_a_checkpoint(&mut child, &downloads, episode);
    let before = hark::media::PartialFile::peek(&downloads, episode).unwrap();

    // The same name now answers a resume with a total of 10 TB.
    server.set("/changing.mp3", Route { claimed_total: Some(10_995_116_277_760), throttle: None, ..route.clone() });
    let refused = hark(&["download", &episode.0.to_string()]).unwrap();
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr).to_string();
    assert!(said.contains("Not enough room on the disk"), "the real cause: {said}");
    let part_len: u64 = std::fs::read_dir(&downloads)
        .unwrap()
        .flatten()
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .max()
        .unwrap_or(0);
    assert!(part_len < 1_000_000, "the part file was not grown to the new total ({part_len} bytes)");
    let record = hark::media::PartialFile::peek(&downloads, episode);
    assert!(record.is_none() || record == Some(before), "the record describes no 10 TB file: {record:?}");
    let library = hark::library::Library::open(&data.path().join("library.sqlite3")).unwrap();
    assert!(!library.episode(episode).unwrap().summary.downloaded, "nothing is marked downloaded");

    // The server is right again: the download finishes from where it was, byte for byte.
    server.set("/changing.mp3", Route { throttle: None, ..route });
    assert!(hark(&["download", &episode.0.to_string()]).unwrap().status.success());
    let path = library.episode(episode).unwrap().summary.path.expect("marked downloaded");
    assert_eq!(sha(&std::fs::read(path).unwrap()), sha(&body));
}

/// Kills a `hark download` once its part file has a checkpoint of 100 kB on disk: a kill gives
/// no stop, so what resumes is what that checkpoint says.
fn kill_after_a_checkpoint(child: &mut std::process::Child, downloads: &std::path::Path, episode: EpisodeId) {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while hark::media::PartialFile::peek(downloads, episode).is_none_or(|p| p.bytes < 100_000) {
        assert!(std::time::Instant::now() < deadline, "no checkpoint of the part file was written");
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn streaming_plays_while_downloading_and_seeks_ahead_with_a_range_request() {
    let server = TestServer::start();
    let audio = common::fixture_bytes("tone-cbr.mp3");
    let mut route = Route::ok(audio.clone(), "audio/mpeg").with_etag("\"s\"");
    route.throttle = Some(24_000);
    server.set("/tone.mp3", route);
    let data = tempfile::tempdir().unwrap();
    let episode = library_with_episode(data.path(), &server, "/tone.mp3");

    let (net_tx, net_events) = channel();
    let paths = hark::paths::AppPaths::inside(data.path());
    let net = NetService::spawn(paths.clone(), net_tx, Arc::new(hark::NoWaker), OnStart::Idle).unwrap();
    let capture = hark::player::Capture::new();
    let (player, player_events) =
        hark::player::Player::spawn(hark::player::OutputChoice::Capture(capture.clone()), Arc::new(hark::NoWaker));
    let started = Instant::now();
    // The net service hands the download straight to the player.
    net.send(NetCommand::Stream { episode, into: player.stream_target(0.0, true) });
    let heard = capture.take_frames(22_050, Duration::from_secs(10));
    let first_audio = started.elapsed();
    assert_eq!(heard.len(), 22_050, "a second of audio");
    assert_eq!(common::audio::dominant(&heard[2205..], 22_050), 400.0);
    let progress = hark::media::PartialFile::peek(&paths.downloads(), episode).expect("a download under way");
    assert!(progress.total.is_some_and(|total| progress.bytes < total), "audio started before the download ended");
    eprintln!("first audio after {first_audio:?}");

    // Seek to 80 %: bytes not there yet. A Range request must go out and the right tone follow.
    let seek_started = Instant::now();
    player.seek_to(48.0);
    loop {
        match player_events.recv_timeout(Duration::from_secs(5)).expect("the player runs").expect("player events") {
            hark::player::PlayerEvent::Position { secs, .. } if (secs - 48.0).abs() < 0.01 => break,
            hark::player::PlayerEvent::Failed { reason, .. } => panic!("{reason}"),
            _ => {}
        }
    }
    let after_seek = capture.take_frames(4410, Duration::from_secs(5));
    let seek_latency = seek_started.elapsed();
    assert_eq!(after_seek.len(), 4410);
    assert_eq!(common::audio::dominant(&after_seek, 22_050), 800.0, "48 s in is the 800 Hz tone");
    assert!(seek_latency < Duration::from_secs(1), "the seek was heard after {seek_latency:?}");
    eprintln!("seek into missing bytes heard after {seek_latency:?}");
    let ranged =
        server.requests("/tone.mp3").iter().filter_map(|r| r.header("range").map(str::to_string)).collect::<Vec<_>>();
    assert!(
        ranged.iter().any(|r| r
            .trim_start_matches("bytes=")
            .trim_end_matches('-')
            .parse::<u64>()
            .is_ok_and(|b| b > 150_000)),
        "a Range request near 80 %: {ranged:?}"
    );

    server.set_throttle("/tone.mp3", None);
    let NetEvent::DownloadDone { path, .. } =
        common::wait_for_event(&net_events, "the download", |e| matches!(e, NetEvent::DownloadDone { .. }))
    else {
        unreachable!()
    };
    assert_eq!(sha(&std::fs::read(&path).unwrap()), sha(&audio), "the streamed bytes became the download");
    let sent = server.bytes_sent("/tone.mp3");
    assert!(sent <= audio.len() as u64 + 64 * 1024, "{sent} bytes fetched for a {} byte file", audio.len());
    let library = hark::library::Library::open(&data.path().join("library.sqlite3")).unwrap();
    assert_eq!(library.episode(episode).unwrap().summary.path.as_deref(), Some(path.to_str().unwrap()));
}

#[test]
fn unfinished_downloads_carry_on_when_hark_starts_again() {
    let server = TestServer::start();
    let body = payload(300_000);
    server.set("/ep.mp3", Route::ok(body.clone(), "audio/mpeg").with_etag("\"u\""));
    let data = tempfile::tempdir().unwrap();
    let episode = library_with_episode(data.path(), &server, "/ep.mp3");
    // What a killed Hark leaves behind: a part file with its first half and the range list.
    let part = PartialFile::open(&data.path().join("downloads"), episode, &server.url("/ep.mp3")).unwrap();
    part.restart(Some(300_000), hark::media::Validator { etag: Some("\"u\"".into()), last_modified: None }, true)
        .unwrap();
    part.write_at(0, &body[..120_000]).unwrap();
    part.checkpoint().unwrap();
    drop(part);

    let (net_tx, net_events) = channel();
    let _net = NetService::spawn(
        hark::paths::AppPaths::inside(data.path()),
        net_tx,
        Arc::new(hark::NoWaker),
        OnStart::ResumeDownloads,
    )
    .unwrap();
    let NetEvent::DownloadDone { path, .. } =
        common::wait_for_event(&net_events, "the resumed download", |e| matches!(e, NetEvent::DownloadDone { .. }))
    else {
        unreachable!()
    };
    assert_eq!(sha(&std::fs::read(path).unwrap()), sha(&body));
    let requests = server.requests("/ep.mp3");
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].header("range"), Some("bytes=120000-"));
}

#[test]
fn a_server_without_content_length_still_downloads_byte_exact() {
    let rig = Rig::new();
    let body = payload(250_000);
    let mut route = Route::ok(body.clone(), "audio/mpeg");
    route.content_length = false;
    route.ranges = false;
    rig.server.set("/ep.mp3", route);
    let path = rig.download("/ep.mp3").unwrap();
    assert_eq!(sha(&std::fs::read(path).unwrap()), sha(&body));
}

#[test]
fn a_server_that_ignores_if_range_with_a_new_version_starts_over() {
    let rig = Rig::new();
    rig.old_half_on_disk();
    // Same length, new content, and a 206 for the range despite the stale If-Range.
    let new = audio_of("tone-cbr.mp3", 300_000);
    let mut route = Route::ok(new.clone(), "audio/mpeg").with_etag("\"v2\"");
    route.ignore_if_range = true;
    rig.server.set("/ep.mp3", route);
    let path = rig.download("/ep.mp3").unwrap();
    assert_eq!(sha(&std::fs::read(path).unwrap()), sha(&new), "the new version, not a stitch of two");
    let requests = rig.server.requests("/ep.mp3");
    assert_eq!(requests[0].header("range"), Some("bytes=150000-"));
    assert!(requests.len() >= 2, "it started over after seeing the new validator");
}

#[test]
fn only_audio_counts_as_downloaded_and_failures_leave_nothing_behind() {
    let rig = Rig::new();
    rig.server.set("/empty.mp3", Route::ok(Vec::new(), "audio/mpeg"));
    rig.server.set("/json.mp3", Route::ok("{\"error\": \"expired\"}", "audio/mpeg"));
    rig.server.set("/typed.mp3", Route::ok(payload(50_000), "text/html; charset=utf-8"));
    rig.server.set("/garbage.mp3", Route::ok(vec![0x55u8; 80_000], "audio/mpeg"));
    for path in ["/empty.mp3", "/json.mp3", "/typed.mp3", "/garbage.mp3"] {
        assert_eq!(rig.download(path).unwrap_err(), DownloadError::NotAudio, "{path}");
        assert!(!rig.part_exists(), "{path}: no part file left behind");
        assert!(!rig.dir.path().join("downloads/7.mp3").exists(), "{path}: not called downloaded");
    }
    rig.download("/missing.mp3").unwrap_err();
    assert!(!rig.part_exists(), "a refused address leaves nothing");
}

#[test]
fn an_absurd_length_is_refused_before_any_file_is_made() {
    let rig = Rig::new();
    let mut route = Route::ok(payload(10_000), "audio/mpeg");
    route.claimed_length = Some(10_000_000_000_000);
    rig.server.set("/huge.mp3", route);
    let error = rig.download("/huge.mp3").unwrap_err();
    assert!(matches!(error, DownloadError::NoSpace { .. }), "{error}");
    assert!(error.to_string().starts_with("Not enough room on the disk: 9536744 MB needed"), "{error}");
    assert!(!rig.part_exists(), "no 10 TB sparse part file");
}
