//! The listening session without a window: real library files, the real net service against a
//! test server, the real player decoding our position tones into a capture.

mod common;

use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use common::audio::{ladder_tone, mono, power, rms};
use common::feeds::{Item, rss};
use common::server::{Route, TestServer};
use hark::library::Library;
use hark::listening::{Command, Listening, Playback, QueueEdit, SleepMode};
use hark::model::EpisodeId;
use hark::net::{NetEvent, NetService, OnStart};
use hark::paths::AppPaths;
use hark::player::{Capture, OutputChoice};

const WAIT: Duration = Duration::from_secs(20);

struct Rig {
    session: Listening,
    capture: Capture,
    net_events: Receiver<NetEvent>,
    _net: NetService,
}

impl Rig {
    fn start(data: &Path) -> Self {
        let paths = AppPaths::inside(data);
        let (tx, net_events) = channel();
        let net = NetService::spawn(paths.clone(), tx, Arc::new(hark::NoWaker), OnStart::Idle).unwrap();
        let capture = Capture::new();
        let library = Library::open(&paths.database()).unwrap();
        let session =
            Listening::new(library, OutputChoice::Capture(capture.clone()), net.sender(), Arc::new(hark::NoWaker))
                .unwrap();
        Self { session, capture, net_events, _net: net }
    }

    fn handle(&mut self, command: Command) {
        self.session.handle(command).expect("the command is carried out");
    }

    /// Feeds the session its events until `done` holds.
    fn until(&mut self, what: &str, mut done: impl FnMut(&Listening) -> bool) {
        let deadline = Instant::now() + WAIT;
        while !done(&self.session) {
            assert!(Instant::now() < deadline, "timed out waiting for {what}: {:?}", self.session.playback());
            self.session.wait(Duration::from_millis(20)).unwrap();
            while let Ok(event) = self.net_events.try_recv() {
                self.session.on_net_event(&event);
            }
        }
    }

    /// The tone of the next `secs` of audio, skipping the first 50 ms.
    fn tone(&self, secs: f64) -> f64 {
        let deadline = Instant::now() + WAIT;
        let (channels, rate) = loop {
            if let Some(format) = self.capture.format() {
                break format;
            }
            assert!(Instant::now() < deadline, "no audio");
            std::thread::sleep(Duration::from_millis(5));
        };
        let wanted = (secs * rate as f64) as usize;
        let heard = mono(&self.capture.take_frames(wanted, WAIT), channels);
        assert_eq!(heard.len(), wanted, "audio stopped: {:?}", self.session.playback());
        ladder_tone(&heard[rate as usize / 20..], rate)
    }
}

/// A subscribed show whose episodes are the given fixtures at `/a.mp3`, `/b.mp3` … on the server.
fn library_with(data: &Path, server: &TestServer, fixtures: &[&str]) -> (Library, Vec<EpisodeId>) {
    common::init();
    std::fs::create_dir_all(data).unwrap();
    let names = ["a", "b", "c"];
    let urls: Vec<String> = names.iter().map(|n| server.url(&format!("/{n}.mp3"))).collect();
    let items: Vec<Item<'_>> =
        fixtures.iter().enumerate().map(|(i, _)| Item { guid: names[i], title: names[i], url: &urls[i] }).collect();
    for (fixture, name) in fixtures.iter().zip(names) {
        server.set(&format!("/{name}.mp3"), Route::ok(common::fixture_bytes(fixture), "audio/mpeg"));
    }
    server.set("/feed.xml", Route::ok(rss("Tones", &items), "application/rss+xml"));
    let mut library = Library::open(&data.join("library.sqlite3")).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime
        .block_on(hark::net::refresh::subscribe(&hark::http::client(), &mut library, &server.url("/feed.xml")))
        .unwrap();
    let mut episodes = library.episodes(None).unwrap();
    episodes.sort_by_key(|e| e.title.clone());
    let ids = episodes.iter().map(|e| e.id).collect();
    (library, ids)
}

/// Marks an episode downloaded with a copy of `fixture` in the downloads folder.
fn downloaded(library: &mut Library, data: &Path, episode: EpisodeId, fixture: &str) -> std::path::PathBuf {
    let path = data.join("downloads").join(format!("{episode}.wav"));
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::copy(common::fixture(fixture), &path).unwrap();
    library.set_downloaded(episode, Some(&path)).unwrap();
    path
}

#[test]
fn resume_play_to_the_end_then_up_next_and_delete_once_played() {
    let server = TestServer::start();
    let data = tempfile::tempdir().unwrap();
    let (mut library, ids) = library_with(data.path(), &server, &["tone.wav", "tone.wav"]);
    let (first, second) = (ids[0], ids[1]);
    let file = downloaded(&mut library, data.path(), first, "tone.wav");
    downloaded(&mut library, data.path(), second, "tone.wav");
    library.set_position(first, 15.0).unwrap();
    library.set_queue(&[second]).unwrap();
    library.set_setting("delete_when_played", "1").unwrap();

    let mut rig = Rig::start(data.path());
    rig.handle(Command::Play { episode: first, from: None });
    assert_eq!(rig.tone(0.5), 500.0, "resumed 15 s in, in the 500 Hz segment");
    // The rest of the 20-second file (4.5 s), as fast as the capture takes it, and its end.
    let rest = rig.capture.take_frames(8000 * 6, Duration::from_secs(2));
    assert_eq!(rest.len(), 8000 * 9 / 2, "the last 4.5 s");
    rig.until("the next in Up Next", |s| s.playback().episode() == Some(second));

    let finished = rig.session.library().episode(first).unwrap().summary;
    assert!(finished.played, "heard to the end: played");
    assert_eq!(finished.position_secs, 0.0, "and it starts over next time");
    assert!(rig.session.library().queue().unwrap().is_empty(), "the next one left Up Next");
    let deadline = Instant::now() + WAIT;
    while file.exists() || rig.session.library().episode(first).unwrap().summary.downloaded {
        assert!(Instant::now() < deadline, "the played download was not deleted");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(rig.tone(0.5), 400.0, "the next one plays from its start");
}

#[test]
fn a_skip_pressed_while_a_stream_is_loading_lands() {
    let server = TestServer::start();
    let data = tempfile::tempdir().unwrap();
    let (_library, ids) = library_with(data.path(), &server, &["tone-cbr.mp3"]);
    // Twice the bitrate: the first seconds take a moment to arrive.
    server.set_throttle("/a.mp3", Some(8_000));
    let mut rig = Rig::start(data.path());
    rig.handle(Command::Play { episode: ids[0], from: None });
    assert!(matches!(rig.session.playback(), Playback::Loading { autoplay: true, .. }));
    rig.handle(Command::SeekBy(30.0));
    rig.until("playing", |s| matches!(s.playback(), Playback::Playing { .. }));
    assert_eq!(rig.tone(0.5), 700.0, "heard from 30 s: the 700 Hz segment");
    let position = rig.session.position_secs();
    assert!((30.0..33.0).contains(&position), "at {position}");
    let ranges: Vec<String> =
        server.requests("/a.mp3").iter().filter_map(|r| r.header("range").map(str::to_string)).collect();
    assert!(!ranges.is_empty(), "the seek asked for its bytes with a Range request");
}

#[test]
fn a_pause_pressed_while_loading_holds_it_paused() {
    let server = TestServer::start();
    let data = tempfile::tempdir().unwrap();
    let (_library, ids) = library_with(data.path(), &server, &["tone-cbr.mp3"]);
    server.set_throttle("/a.mp3", Some(8_000));
    let mut rig = Rig::start(data.path());
    rig.handle(Command::Play { episode: ids[0], from: Some(20.0) });
    rig.handle(Command::Toggle);
    assert!(matches!(rig.session.playback(), Playback::Loading { autoplay: false, .. }));
    rig.until("loaded, paused", |s| matches!(s.playback(), Playback::Paused { .. }));
    assert!(rig.session.player().is_paused());
    rig.handle(Command::Toggle);
    rig.until("playing", |s| matches!(s.playback(), Playback::Playing { .. }));
    assert_eq!(rig.tone(0.5), 600.0, "played from 20 s once resumed");
}

#[test]
fn a_stream_from_an_unreachable_host_fails_with_the_real_cause() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start();
    let (mut library, ids) = library_with(data.path(), &server, &["tone-cbr.mp3"]);
    drop(server); // nothing listens there any more
    library.set_queue(&[]).unwrap();
    let mut rig = Rig::start(data.path());
    rig.handle(Command::Play { episode: ids[0], from: None });
    rig.until("the failure", |s| matches!(s.playback(), Playback::Failed { .. }));
    let Playback::Failed { error, .. } = rig.session.playback() else { unreachable!() };
    assert!(!error.contains("not audio"), "names the network, not the format: {error}");
    assert!(error.contains("127.0.0.1"), "names the host: {error}");
}

#[test]
fn speed_and_volume_from_outside_are_checked() {
    let data = tempfile::tempdir().unwrap();
    let mut rig = Rig::start(data.path());
    rig.handle(Command::SetSpeed(f32::NAN));
    rig.handle(Command::SetSpeed(f32::INFINITY));
    assert_eq!(rig.session.speed(), 1.0, "NaN and infinity are refused");
    rig.handle(Command::SetSpeed(9.0));
    assert_eq!(rig.session.speed(), 3.0, "clamped to the fastest");
    rig.handle(Command::SetVolume(f32::NAN));
    assert_eq!(rig.session.volume(), 1.0);
    rig.handle(Command::SetVolume(-2.0));
    assert_eq!(rig.session.volume(), 0.0);
    rig.handle(Command::SeekTo(f64::NAN));
    rig.handle(Command::Queue(QueueEdit::Remove(EpisodeId(99))));
    assert_eq!(rig.session.playback(), &Playback::Idle);
}

#[test]
fn delete_once_played_follows_mark_played_and_the_margin_but_spares_the_demo() {
    let server = TestServer::start();
    let data = tempfile::tempdir().unwrap();
    let (mut library, ids) = library_with(data.path(), &server, &["tone.wav", "tone.wav"]);
    let marked = downloaded(&mut library, data.path(), ids[0], "tone.wav");
    let margin = downloaded(&mut library, data.path(), ids[1], "tone.wav");
    let demo = hark::assets::install_demo(&mut library, &data.path().join("downloads")).unwrap();
    let demo_episode = library.episodes(Some(demo)).unwrap()[0].clone();
    library.set_setting("delete_when_played", "1").unwrap();
    let mut rig = Rig::start(data.path());
    let gone = |path: &Path, id: EpisodeId, rig: &Rig| {
        let deadline = Instant::now() + WAIT;
        while path.exists() || rig.session.library().episode(id).unwrap().summary.downloaded {
            assert!(Instant::now() < deadline, "{} was not deleted", path.display());
            std::thread::sleep(Duration::from_millis(20));
        }
    };

    rig.handle(Command::SetPlayed { episode: ids[0], played: true });
    gone(&marked, ids[0], &rig);

    // Within the played margin of its end (a tenth of this 20-second file): played, and the
    // download goes once it leaves the transport.
    rig.handle(Command::Play { episode: ids[1], from: Some(19.0) });
    rig.until("playing", |s| matches!(s.playback(), Playback::Playing { .. }));
    rig.handle(Command::Pause);
    rig.until("paused", |s| matches!(s.playback(), Playback::Paused { .. }));
    assert!(rig.session.library().episode(ids[1]).unwrap().summary.played, "played by the margin");
    assert!(margin.exists(), "not deleted from under the player");
    rig.handle(Command::Stop);
    gone(&margin, ids[1], &rig);

    rig.handle(Command::SetPlayed { episode: demo_episode.id, played: true });
    std::thread::sleep(Duration::from_millis(300));
    let demo_file = demo_episode.path.expect("the demo is downloaded");
    assert!(Path::new(&demo_file).is_file(), "the bundled demo can't be fetched again: kept");
}

#[test]
fn previous_walks_back_through_what_played_even_after_stop() {
    let server = TestServer::start();
    let data = tempfile::tempdir().unwrap();
    let (mut library, ids) = library_with(data.path(), &server, &["tone.wav", "tone.wav", "tone.wav"]);
    for id in &ids {
        downloaded(&mut library, data.path(), *id, "tone.wav");
    }
    let (a, b, c) = (ids[0], ids[1], ids[2]);
    let mut rig = Rig::start(data.path());
    for episode in [a, b, c] {
        rig.handle(Command::Play { episode, from: None });
        rig.until("loaded", |s| matches!(s.playback(), Playback::Playing { .. }));
    }
    rig.handle(Command::Stop);
    assert_eq!(rig.session.playback().episode(), None);

    rig.handle(Command::Previous);
    assert_eq!(rig.session.playback().episode(), Some(b), "Stop then Previous: the one before the last");
    assert!(rig.session.library().queue().unwrap().is_empty(), "nothing was playing to put back in Up Next");
    rig.handle(Command::Previous);
    assert_eq!(rig.session.playback().episode(), Some(a), "and once more: the first, not lost");
    let queued: Vec<EpisodeId> = rig.session.library().queue().unwrap().iter().map(|e| e.id).collect();
    assert_eq!(queued, [b], "the one left goes back to the top of Up Next");
    rig.handle(Command::Previous);
    assert_eq!(rig.session.playback().episode(), Some(a), "nothing before the first: it starts over");
    assert_eq!(rig.session.position_secs(), 0.0);
}

#[test]
fn a_played_download_is_deleted_when_it_leaves_the_transport_not_before() {
    let server = TestServer::start();
    let data = tempfile::tempdir().unwrap();
    let (mut library, ids) = library_with(data.path(), &server, &["tone.wav"]);
    let file = downloaded(&mut library, data.path(), ids[0], "tone.wav");
    library.set_setting("delete_when_played", "1").unwrap();

    let mut rig = Rig::start(data.path());
    rig.handle(Command::Play { episode: ids[0], from: Some(18.0) });
    rig.until("playing", |s| matches!(s.playback(), Playback::Playing { .. }));
    // The last two seconds, as fast as the capture takes them: it stops short at the end.
    let rest = rig.capture.take_frames(8000 * 5, WAIT);
    assert!(rest.len() < 8000 * 5, "the episode ended");
    rig.until("heard to the end", |s| matches!(s.playback(), Playback::Paused { .. }));
    assert!(rig.session.library().episode(ids[0]).unwrap().summary.played);
    std::thread::sleep(Duration::from_millis(300));
    assert!(file.exists(), "still in the transport: Play again finds its file");

    rig.session.close().unwrap();
    let deadline = Instant::now() + WAIT;
    while file.exists() {
        assert!(Instant::now() < deadline, "the played download was not deleted when the session closed");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn an_episode_that_ended_hark_while_opening_is_not_opened_again_at_launch() {
    let server = TestServer::start();
    let data = tempfile::tempdir().unwrap();
    let (mut library, ids) = library_with(data.path(), &server, &["tone.wav", "tone.wav"]);
    let (crashed, fine) = (ids[0], ids[1]);
    downloaded(&mut library, data.path(), crashed, "tone.wav");
    downloaded(&mut library, data.path(), fine, "tone.wav");

    // A run that opened `fine` normally and closed: it comes back, held paused.
    let mut rig = Rig::start(data.path());
    rig.handle(Command::Play { episode: fine, from: None });
    rig.until("playing", |s| matches!(s.playback(), Playback::Playing { .. }));
    rig.session.close().unwrap();
    drop(rig);
    let mut rig = Rig::start(data.path());
    let restored = rig.session.restore_last().unwrap();
    assert_eq!(restored.failure, None);
    assert_eq!(rig.session.playback().episode(), Some(fine), "a normal exit resumes");
    drop(rig);

    // A run that died while the player was opening `crashed` (as a crafted file once made it).
    library.set_setting("last_episode", &crashed.0.to_string()).unwrap();
    library.set_setting("opening_episode", &crashed.0.to_string()).unwrap();
    let mut rig = Rig::start(data.path());
    let restored = rig.session.restore_last().unwrap();
    assert_eq!(rig.session.playback().episode(), None, "not opened again by itself");
    let failure = restored.failure.expect("the listener is told why");
    assert!(failure.contains("\"a\"") && failure.contains("not opened again"), "{failure}");
    drop(rig);
    let mut rig = Rig::start(data.path());
    assert_eq!(rig.session.restore_last().unwrap().failure, None, "said once");
}

#[test]
fn the_sleep_timer_fades_what_the_device_gets_and_stops_by_itself() {
    let server = TestServer::start();
    let data = tempfile::tempdir().unwrap();
    let (mut library, ids) = library_with(data.path(), &server, &["tone.wav"]);
    downloaded(&mut library, data.path(), ids[0], "tone.wav");
    let mut rig = Rig::start(data.path());
    rig.handle(Command::Play { episode: ids[0], from: Some(2.0) });
    rig.until("playing", |s| matches!(s.playback(), Playback::Playing { .. }));
    // Three seconds of listening left: inside the five-second fade from the start.
    rig.handle(Command::Sleep(Some(SleepMode::After(Duration::from_secs(3)))));
    let (channels, rate) = rig.capture.format().unwrap();
    // Paced like a sound card: a tenth of a second of audio every tenth of a second.
    let mut levels = Vec::new();
    let started = Instant::now();
    while !matches!(rig.session.playback(), Playback::Paused { .. }) {
        assert!(started.elapsed() < WAIT, "the timer never stopped playback");
        rig.session.poll().unwrap();
        let heard = mono(&rig.capture.take_frames(rate as usize / 10, Duration::from_millis(100)), channels);
        if !heard.is_empty() {
            levels.push(rms(&heard));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let first = levels[..3].iter().sum::<f64>() / 3.0;
    let last = levels[levels.len() - 3..].iter().sum::<f64>() / 3.0;
    assert!(first > 0.05, "a tone at first: {levels:?}");
    assert!(last < first * 0.5, "faded towards the stop: {first} → {last} ({levels:?})");
    assert!(rig.session.position_secs() < 10.0, "stopped by the timer, not the episode's end");
}

#[test]
fn a_serial_shows_next_part_follows_when_up_next_is_empty_and_next_goes_to_it() {
    common::init();
    let server = TestServer::start();
    let data = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(data.path()).unwrap();
    let names = ["part-1", "part-2", "part-3"];
    let urls: Vec<String> = names.iter().map(|n| server.url(&format!("/{n}.mp3"))).collect();
    // Dated in the feed's order: part 1 the oldest.
    let items: Vec<Item<'_>> = (0..3).map(|i| Item { guid: names[i], title: names[i], url: &urls[i] }).collect();
    let feed = common::feeds::rss_with("A Story", "<itunes:type>serial</itunes:type>", &items);
    server.set("/feed.xml", Route::ok(feed, "application/rss+xml"));
    let mut library = Library::open(&data.path().join("library.sqlite3")).unwrap();
    common::subscribe(&mut library, &server.url("/feed.xml"));
    let show = library.podcasts().unwrap()[0].id;
    let parts: Vec<EpisodeId> = library.episodes(Some(show)).unwrap().iter().map(|e| e.id).collect();
    let titles: Vec<String> = parts.iter().map(|id| library.episode(*id).unwrap().summary.title).collect();
    assert_eq!(titles, names, "{titles:?}");
    assert_eq!(library.next_part(parts[0]).unwrap(), Some(parts[1]));
    assert_eq!(library.next_part(parts[2]).unwrap(), None, "the last part");
    for part in &parts {
        downloaded(&mut library, data.path(), *part, "tone.wav");
    }
    library.set_position(parts[0], 19.0).unwrap();

    let mut rig = Rig::start(data.path());
    rig.handle(Command::Play { episode: parts[0], from: None });
    // The last second of part 1, as fast as the capture takes it.
    rig.capture.take_frames(8000 * 2, Duration::from_secs(2));
    rig.until("part 2 after part 1, Up Next empty", |s| s.playback().episode() == Some(parts[1]));
    assert!(rig.session.library().episode(parts[0]).unwrap().summary.played);
    // Next, with nothing in Up Next, is the next part too.
    rig.handle(Command::Next);
    rig.until("part 3 on Next", |s| s.playback().episode() == Some(parts[2]));
}

/// The next `secs` of audio with the session's clock beside it: the samples, and the position
/// the session gave for each of them (read after every 10 ms, as the capture takes them).
fn heard_with_clock(rig: &Rig, secs: f64) -> (Vec<f32>, Vec<f64>, u32) {
    let (channels, rate) = rig.capture.format().expect("loaded");
    let block = rate as usize / 100;
    let (mut heard, mut clock) = (Vec::new(), Vec::new());
    while heard.len() < (secs * rate as f64) as usize {
        let samples = mono(&rig.capture.take_frames(block, WAIT), channels);
        assert_eq!(samples.len(), block, "audio stopped: {:?}", rig.session.playback());
        // The clock stands at the last frame taken; each frame before it is 1/rate earlier.
        let at = rig.session.position_secs();
        clock.extend((0..block).rev().map(|back| at - back as f64 / rate as f64));
        heard.extend(samples);
    }
    (heard, clock, rate)
}

/// Where in `samples` the ladder goes from `from` to `to` Hz, by 40 ms windows (the noisy
/// segments of tone-vbr-swing.mp3 need longer ones than `common::audio::transition`), after
/// `from` was heard.
fn tone_change(samples: &[f32], rate: u32, from: f64, to: f64) -> Option<usize> {
    let window = rate as usize / 25;
    let coarse = rate as usize / 20;
    let tone = |at: usize| ladder_tone(&samples[at..at + window], rate);
    let mut starts = (0..samples.len().saturating_sub(window)).step_by(coarse);
    starts.find(|&at| tone(at) == from)?;
    let first_to = starts.find(|&at| tone(at) == to)?;
    // To the millisecond, between the last window of `from` and the first of `to`.
    let louder = |at: usize| power(&samples[at..at + window], rate, to) > power(&samples[at..at + window], rate, from);
    (first_to - coarse..=first_to).step_by(rate as usize / 1000).find(|&at| louder(at)).map(|at| at + window / 2)
}

/// tone-vbr-swing.mp3 streamed at `bytes_per_sec`, playing from its start: the server, the data
/// folder, the session and the episode.
fn streaming_swing(bytes_per_sec: u64) -> (TestServer, tempfile::TempDir, Rig, EpisodeId) {
    let server = TestServer::start();
    let data = tempfile::tempdir().unwrap();
    let (_library, ids) = library_with(data.path(), &server, &["tone-vbr-swing.mp3"]);
    server.set_throttle("/a.mp3", Some(bytes_per_sec));
    let mut rig = Rig::start(data.path());
    rig.handle(Command::Play { episode: ids[0], from: None });
    rig.until("playing", |s| matches!(s.playback(), Playback::Playing { .. }));
    assert_eq!(rig.tone(0.3), 400.0);
    (server, data, rig, ids[0])
}

/// tone-vbr-swing.mp3 spends many bytes on its first 30 s and few on the rest: a seek by the
/// average bitrate to 45 s lands near 28 s. Where that happens in a stream, the position
/// shown and saved must become that of the audio heard once the bytes before it are in.
#[test]
fn a_streamed_vbr_seek_ahead_of_the_bytes_shows_and_saves_where_it_really_plays() {
    let (server, _data, mut rig, episode) = streaming_swing(4_000);
    rig.handle(Command::SeekTo(45.0));
    let landed = rig.tone(0.3);
    assert!(landed < 700.0, "the estimate lands before 30 s (else this file tests nothing): {landed} Hz");
    let shown = rig.session.position_secs();
    assert!(shown > 45.0, "until the bytes before it are in, the position is the estimate: {shown}");

    server.set_throttle("/a.mp3", None);
    rig.until("the download", |s| s.library().episode(episode).unwrap().summary.downloaded);
    // Past what was queued before the correction, up to and over the change at 40 s.
    let (heard, clock, rate) = heard_with_clock(&rig, 12.0);
    let change = tone_change(&heard, rate, 700.0, 800.0).expect("the 40 s change is heard");
    let error = clock[change] - 40.0;
    eprintln!(
        "a streamed VBR seek to 45 s played from the {landed} Hz segment; clock at the 40 s change: {error:+.3} s"
    );
    assert!(error.abs() < 0.05, "the clock reads {} where 40 s is heard", clock[change]);

    rig.handle(Command::Pause);
    rig.until("paused", |s| matches!(s.playback(), Playback::Paused { .. }));
    let heard_last = 40.0 + (heard.len() - 1 - change) as f64 / rate as f64;
    let saved = rig.session.library().episode(episode).unwrap().summary.position_secs;
    assert!((saved - heard_last).abs() < 0.05, "saved {saved}, the audio heard last was at {heard_last}");
}

/// A seek into a VBR stream whose bytes from the start already reach the target is exact.
#[test]
fn a_streamed_vbr_seek_into_bytes_already_there_is_exact() {
    let (_server, data, mut rig, episode) = streaming_swing(16_000);
    // The first 20 s of this file are its first ~76 KB (tones in noise, ~30 kbit/s).
    let downloads = AppPaths::inside(data.path()).downloads();
    let deadline = Instant::now() + WAIT;
    let progress = loop {
        let progress = hark::media::PartialFile::peek(&downloads, episode).expect("a download under way");
        if progress.bytes >= 84_000 {
            break progress;
        }
        assert!(Instant::now() < deadline, "the download stalled at {progress:?}");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(progress.total.is_some_and(|total| progress.bytes < total), "still downloading: {progress:?}");
    rig.handle(Command::SeekTo(19.8));
    let (heard, clock, rate) = heard_with_clock(&rig, 0.5);
    let change = tone_change(&heard, rate, 500.0, 600.0).expect("the 20 s change is heard");
    let at = change as f64 / rate as f64;
    assert!((at - 0.2).abs() < 0.03, "the 20 s change came {at:.3} s after a seek to 19.8 s");
    assert!((clock[change] - 20.0).abs() < 0.03, "the clock read {} at the 20 s change", clock[change]);
}
