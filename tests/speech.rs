//! Speech-aware listening through the real engine and session: the spoken fixtures (espeak-ng,
//! 2 s pauses, mastered at -32 and -10 LUFS) decoded by symphonia, through skip silence,
//! loudness, voice boost and the limiter, into a capture measured with EBU R128.

mod common;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::audio::{dominant, mono, transition};
use common::feeds::{Item, rss};
use common::server::{Route, TestServer};
use ebur128::{EbuR128, Mode};
use hark::library::{Library, ShowSettings};
use hark::listening::{Command, Listening, RunSound};
use hark::model::EpisodeId;
use hark::net::{NetService, OnStart};
use hark::paths::AppPaths;
use hark::player::{
    AudioSettings, Capture, KnownLevel, OutputChoice, PlaybackState, Player, PlayerEvent, PlayerEvents, SilenceLevel,
    SourceSpec,
};

const WAIT: Duration = Duration::from_secs(30);
const EPISODE: EpisodeId = EpisodeId(3);

/// Everything the engine plays of `fixture` from `start`, as fast as the capture takes it.
struct Heard {
    samples: Vec<f32>,
    channels: u16,
    rate: u32,
    /// Listening time skip silence saved, as the output counted it.
    saved_secs: f64,
}

impl Heard {
    fn secs(&self) -> f64 {
        self.samples.len() as f64 / self.channels as f64 / self.rate as f64
    }

    /// Integrated loudness (LUFS) and true peak (dBTP), as ffmpeg's ebur128 filter measures.
    fn loudness(&self) -> (f64, f64) {
        let mut meter = EbuR128::new(self.channels as u32, self.rate, Mode::I | Mode::TRUE_PEAK).unwrap();
        meter.add_frames_f32(&self.samples).unwrap();
        let peak = (0..self.channels as u32).map(|c| meter.true_peak(c).unwrap()).fold(0.0, f64::max);
        (meter.loudness_global().unwrap(), 20.0 * peak.log10())
    }

    /// 10 ms windows: seconds of speech (within 30 dB of the loudest window), and the largest
    /// sample-to-sample step inside the pauses (a click at a join would be one).
    fn speech_and_pause_step(&self) -> (f64, f32) {
        let left = mono(&self.samples, self.channels);
        let window = self.rate as usize / 100;
        let windows: Vec<&[f32]> = left.chunks_exact(window).collect();
        let db: Vec<f64> = windows
            .iter()
            .map(|w| 10.0 * (w.iter().map(|s| (*s as f64).powi(2)).sum::<f64>() / w.len() as f64 + 1e-12).log10())
            .collect();
        let loudest = db.iter().copied().fold(f64::MIN, f64::max);
        let speech = db.iter().filter(|d| **d > loudest - 30.0).count() as f64 / 100.0;
        let step = windows
            .iter()
            .zip(&db)
            .filter(|(_, d)| **d <= loudest - 30.0)
            .flat_map(|(w, _)| w.windows(2).map(|p| (p[1] - p[0]).abs()))
            .fold(0.0f32, f32::max);
        (speech, step)
    }
}

fn wait_for(events: &PlayerEvents, wanted: impl Fn(&PlayerEvent) -> bool) {
    let deadline = Instant::now() + WAIT;
    loop {
        assert!(Instant::now() < deadline, "no such player event in time");
        match events.recv_timeout(WAIT).expect("the player is running") {
            Some(PlayerEvent::Failed { reason, .. }) => panic!("player failed: {reason}"),
            Some(event) if wanted(&event) => return,
            _ => {}
        }
    }
}

fn hear(fixture: &str, settings: AudioSettings, speed: f32, start: f64) -> Heard {
    let capture = Capture::new();
    let (player, events) = Player::spawn(OutputChoice::Capture(capture.clone()), Arc::new(hark::NoWaker));
    player.set_audio(settings);
    if speed != 1.0 {
        player.set_speed(speed);
    }
    player.load(EPISODE, SourceSpec::File(common::fixture(fixture)), start, true);
    wait_for(&events, |e| matches!(e, PlayerEvent::Loaded { .. }));
    // The capture hears what a device would: silence until playback starts.
    wait_for(&events, |e| matches!(e, PlayerEvent::State { state: PlaybackState::Playing, .. }));
    let (channels, rate) = capture.format().expect("loaded");
    let mut samples = Vec::new();
    let deadline = Instant::now() + WAIT;
    // Playing until it ends: the engine pauses itself at the end, and a take stops there.
    while !player.is_paused() {
        assert!(Instant::now() < deadline, "the episode never ended");
        samples.extend(capture.take_frames(rate as usize, Duration::from_millis(200)));
    }
    let saved_secs = player.take_silence_saved();
    Heard { samples, channels, rate, saved_secs }
}

fn measured(fixture: &str) -> KnownLevel {
    KnownLevel::Measured(hark::player::measure_loudness(&common::fixture(fixture)).expect("speech has a loudness"))
}

fn loudness_on(level: KnownLevel) -> AudioSettings {
    AudioSettings { loudness: true, level, ..AudioSettings::default() }
}

#[test]
fn the_fixtures_are_what_they_claim() {
    let quiet = hark::player::measure_loudness(&common::fixture("speech-32lufs.mp3")).unwrap();
    let loud = hark::player::measure_loudness(&common::fixture("speech-10lufs.mp3")).unwrap();
    assert!((quiet + 32.0).abs() < 0.5, "quiet master at {quiet} LUFS");
    assert!((loud + 10.0).abs() < 1.0, "loud master at {loud} LUFS");
}

#[test]
fn quiet_and_loud_speech_are_heard_at_minus_16_lufs_with_peaks_under_minus_1_dbtp() {
    for fixture in ["speech-32lufs.mp3", "speech-10lufs.mp3"] {
        let (lufs, peak) = hear(fixture, loudness_on(measured(fixture)), 1.0, 0.0).loudness();
        assert!((lufs + 16.0).abs() <= 1.0, "{fixture}: heard at {lufs} LUFS");
        assert!(peak <= -1.0, "{fixture}: true peak {peak} dBTP");
    }
}

#[test]
fn loudness_off_plays_the_episode_at_its_own_level() {
    let settings = AudioSettings { loudness: false, level: measured("speech-32lufs.mp3"), ..AudioSettings::default() };
    let (lufs, _) = hear("speech-32lufs.mp3", settings, 1.0, 0.0).loudness();
    assert!((lufs + 32.0).abs() <= 0.5, "heard at {lufs} LUFS");
}

#[test]
fn a_streamed_episode_of_unknown_level_is_followed_to_the_target() {
    // No measurement yet (streaming a new show): the level is learnt while it plays.
    let (lufs, peak) = hear("speech-32lufs.mp3", loudness_on(KnownLevel::Unknown), 1.0, 0.0).loudness();
    assert!((lufs + 16.0).abs() <= 1.5, "heard at {lufs} LUFS");
    assert!(peak <= -1.0, "true peak {peak} dBTP");
    // The show's last level is a head start: within a decibel from the start.
    let show = match measured("speech-32lufs.mp3") {
        KnownLevel::Measured(lufs) => KnownLevel::Show(lufs),
        other => other,
    };
    let (lufs, _) = hear("speech-32lufs.mp3", loudness_on(show), 1.0, 0.0).loudness();
    assert!((lufs + 16.0).abs() <= 1.0, "heard at {lufs} LUFS from the show's level");
}

#[test]
fn skip_silence_shortens_the_pauses_and_keeps_all_the_speech() {
    let plain = hear("speech-32lufs.mp3", loudness_on(measured("speech-32lufs.mp3")), 1.0, 0.0);
    let settings = AudioSettings { skip_silence: SilenceLevel::Medium, ..loudness_on(measured("speech-32lufs.mp3")) };
    let shortened = hear("speech-32lufs.mp3", settings, 1.0, 0.0);
    let saved = plain.secs() - shortened.secs();
    assert!(saved >= 5.0, "only {saved} s shorter over {} s", plain.secs());
    let (speech, step) = shortened.speech_and_pause_step();
    let (plain_speech, plain_step) = plain.speech_and_pause_step();
    assert!((speech / plain_speech - 1.0).abs() <= 0.10, "speech {speech} s of {plain_speech} s");
    assert!(
        step <= plain_step * 1.5 + 0.002,
        "a click at a join: a step of {step} (the room tone's own: {plain_step})"
    );
    assert!((shortened.saved_secs - saved).abs() < 0.3, "counted {} s saved, heard {saved} s", shortened.saved_secs);
    assert_eq!(plain.saved_secs, 0.0);
    // Each level keeps more than the next.
    let strong = hear(
        "speech-32lufs.mp3",
        AudioSettings { skip_silence: SilenceLevel::Strong, ..AudioSettings::default() },
        1.0,
        0.0,
    );
    let mild = hear(
        "speech-32lufs.mp3",
        AudioSettings { skip_silence: SilenceLevel::Mild, ..AudioSettings::default() },
        1.0,
        0.0,
    );
    assert!(strong.secs() < shortened.secs() && shortened.secs() < mild.secs() && mild.secs() < plain.secs() - 4.0);
}

#[test]
fn skip_silence_and_speed_together_save_what_each_saves() {
    let settings = AudioSettings { skip_silence: SilenceLevel::Medium, ..AudioSettings::default() };
    let normal = hear("speech-32lufs.mp3", settings, 1.0, 0.0);
    let fast = hear("speech-32lufs.mp3", settings, 2.0, 0.0);
    assert!((fast.secs() - normal.secs() / 2.0).abs() < 0.4, "{} s at 2×, {} s at 1×", fast.secs(), normal.secs());
    assert!((fast.saved_secs - normal.saved_secs / 2.0).abs() < 0.2, "silence saved at 2× is the removed time ÷ 2");
}

#[test]
fn voice_boost_brings_the_voice_up_and_the_limiter_holds_the_peaks() {
    let plain = AudioSettings::default();
    let boosted = AudioSettings { voice_boost: true, ..AudioSettings::default() };
    let (before, _) = hear("speech-32lufs.mp3", plain, 1.0, 0.0).loudness();
    let (after, _) = hear("speech-32lufs.mp3", boosted, 1.0, 0.0).loudness();
    assert!(after - before >= 4.0, "boost raised {before} to {after} LUFS");
    let (_, peak) = hear("speech-10lufs.mp3", boosted, 1.0, 0.0).loudness();
    assert!(peak <= -1.0, "true peak {peak} dBTP with boost on a loud master");
}

#[test]
fn tones_are_untouched_by_skip_silence_and_land_on_the_exact_second() {
    // The position tones have no pauses: strong skip silence must change nothing.
    let settings = AudioSettings { skip_silence: SilenceLevel::Strong, ..AudioSettings::default() };
    let heard = hear("tone-cbr.mp3", settings, 1.0, 35.0);
    assert!((heard.secs() - 25.06).abs() < 0.1, "the last 25 s lasted {} s", heard.secs());
    assert_eq!(heard.saved_secs, 0.0);
    let left = mono(&heard.samples, heard.channels);
    assert_eq!(dominant(&left[heard.rate as usize / 50..heard.rate as usize / 5], heard.rate), 700.0);
    let step = transition(&left, heard.rate, 700.0, 800.0).expect("the 700→800 Hz step");
    assert!((step - 5.0).abs() < 0.05, "content 40 s heard at {step} s from 35 s");
}

/// A show of the two spoken episodes, downloaded, in a real library.
fn spoken_show(server: &TestServer, data: &Path) -> (Library, Vec<EpisodeId>) {
    common::init();
    std::fs::create_dir_all(data.join("downloads")).unwrap();
    let urls = [server.url("/quiet.mp3"), server.url("/loud.mp3")];
    let items =
        [Item { guid: "q", title: "Quiet talk", url: &urls[0] }, Item { guid: "l", title: "Loud talk", url: &urls[1] }];
    server.set("/feed.xml", Route::ok(rss("Talk", &items), "application/rss+xml"));
    let mut library = Library::open(&data.join("library.sqlite3")).unwrap();
    common::subscribe(&mut library, &server.url("/feed.xml"));
    let mut episodes = library.episodes(None).unwrap();
    episodes.sort_by_key(|e| e.title.clone()); // Loud, Quiet
    let ids: Vec<EpisodeId> = episodes.iter().map(|e| e.id).collect();
    for (id, fixture) in ids.iter().zip(["speech-10lufs.mp3", "speech-32lufs.mp3"]) {
        let path = data.join("downloads").join(format!("{id}.mp3"));
        std::fs::copy(common::fixture(fixture), &path).unwrap();
        library.set_downloaded(*id, Some(&path)).unwrap();
    }
    (library, ids)
}

/// The listening session on the library in `data`, playing into a capture.
struct Session {
    session: Listening,
    capture: Capture,
    net_events: std::sync::mpsc::Receiver<hark::net::NetEvent>,
    _net: NetService,
}

fn session(data: &Path) -> Session {
    let paths = AppPaths::inside(data);
    let (tx, net_events) = std::sync::mpsc::channel();
    let net = NetService::spawn(paths.clone(), tx, Arc::new(hark::NoWaker), OnStart::Idle).unwrap();
    let capture = Capture::new();
    let session = Listening::new(
        Library::open(&paths.database()).unwrap(),
        OutputChoice::Capture(capture.clone()),
        net.sender(),
        Arc::new(hark::NoWaker),
    )
    .unwrap();
    Session { session, capture, net_events, _net: net }
}

#[test]
fn a_shows_own_settings_are_used_by_the_session_and_the_time_saved_is_kept() {
    let server = TestServer::start();
    let data = tempfile::tempdir().unwrap();
    let (mut library, ids) = spoken_show(&server, data.path());
    let quiet = ids[1];
    let podcast = library.podcast_of(quiet).unwrap().id;
    let own = ShowSettings {
        speed: Some(1.5),
        skip_silence: Some(SilenceLevel::Medium),
        voice_boost: Some(false),
        loudness: Some(true),
        skip_intro_secs: 3.0,
        skip_outro_secs: 2.0,
    };
    library.set_show_settings(podcast, &own).unwrap();
    assert_eq!(library.show_settings(podcast).unwrap(), own, "remembered");

    let Session { mut session, capture, net_events, _net } = session(data.path());
    session.handle(Command::Play { episode: quiet, from: None }).unwrap();
    let sound = session.sound().clone();
    assert_eq!(sound.audio.skip_silence, SilenceLevel::Medium);
    assert!(sound.audio.loudness && !sound.audio.voice_boost);
    assert_eq!(session.speed(), 1.5, "the show's speed");
    let start = session.playback().track().unwrap().position_secs;
    assert_eq!(start, 3.0, "the intro is skipped");

    // The loudness of the file is measured for the next time (it was downloaded by hand here).
    let deadline = Instant::now() + WAIT;
    let mut finished = false;
    while !finished {
        assert!(Instant::now() < deadline, "the episode never finished: {:?}", session.playback());
        capture.take_frames(4096, Duration::from_millis(5));
        finished |= session.poll().unwrap().finished;
        for event in net_events.try_iter() {
            session.on_net_event(&event);
        }
    }
    let heard_to = session.library().episode(quiet).unwrap().summary;
    assert!(heard_to.played, "the outro ended it: played");
    session.save().unwrap();
    let time = session.library().episode_listening(quiet).unwrap();
    // 25 s of content between intro and outro, less ~7 s of pauses, at 1.5×: ~5 s saved by
    // skip silence (the pauses ÷ speed) and ~6 s by speed (what is heard × 0.5).
    assert!((4.0..6.0).contains(&time.saved_by_silence_secs), "silence saved {time:?}");
    let stats = session.library().listening_stats().unwrap();
    assert_eq!(stats.shows.len(), 1);
    assert_eq!(stats.total.saved_by_silence_secs, time.saved_by_silence_secs);
    let deadline = Instant::now() + WAIT;
    while session.library().loudness(quiet).unwrap().0.is_none() {
        assert!(Instant::now() < deadline, "the loudness was not measured");
        std::thread::sleep(Duration::from_millis(20));
    }
    let (measured, show) = session.library().loudness(quiet).unwrap();
    assert!((measured.unwrap() + 32.0).abs() < 0.5 && show == measured, "{measured:?} {show:?}");
}

#[test]
fn the_run_flags_win_over_the_show_and_the_listener() {
    let server = TestServer::start();
    let data = tempfile::tempdir().unwrap();
    let (mut library, ids) = spoken_show(&server, data.path());
    let podcast = library.podcast_of(ids[0]).unwrap().id;
    let own =
        ShowSettings { skip_silence: Some(SilenceLevel::Strong), voice_boost: Some(true), ..ShowSettings::default() };
    library.set_show_settings(podcast, &own).unwrap();
    library.set_setting("loudness", "0").unwrap();
    let mut session = session(data.path()).session;
    session.handle(Command::Hold { episode: ids[0] }).unwrap();
    let audio = session.sound().audio;
    assert_eq!((audio.skip_silence, audio.voice_boost, audio.loudness), (SilenceLevel::Strong, true, false));
    session.use_sound(RunSound { skip_silence: Some(SilenceLevel::Off), voice_boost: None, loudness: Some(true) });
    session.handle(Command::Hold { episode: ids[1] }).unwrap();
    let audio = session.sound().audio;
    assert_eq!((audio.skip_silence, audio.voice_boost, audio.loudness), (SilenceLevel::Off, true, true));
}

#[test]
fn hark_play_skip_silence_then_hark_stats_reports_the_time_saved() {
    let server = TestServer::start();
    let data = tempfile::tempdir().unwrap();
    let (library, _) = spoken_show(&server, data.path());
    drop(library);
    let hark = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_hark"))
            .arg("--data-dir")
            .arg(data.path())
            .args(args)
            .env("ALSA_CONFIG_PATH", "/dev/null") // no sound card: the silent real-time clock
            .output()
            .unwrap()
    };
    let played = hark(&["play", "Quiet talk", "--from", "15", "--skip-silence", "medium", "--loudness", "off"]);
    assert!(played.status.success(), "{}", String::from_utf8_lossy(&played.stderr));
    let stats = hark(&["stats", "--json"]);
    assert!(stats.status.success());
    let stats: serde_json::Value = serde_json::from_slice(&stats.stdout).unwrap();
    let number = |key: &str| stats[key].as_f64().unwrap_or_else(|| panic!("{key} in {stats}"));
    let (listened, by_silence) = (number("listened_secs"), number("saved_by_silence_secs"));
    assert_eq!(number("saved_by_speed_secs"), 0.0);
    // From 15 s to the end (13.2 s of content) with two 2 s pauses shortened to 0.2 s.
    assert!((2.5..4.5).contains(&by_silence), "{stats}");
    assert!((listened + by_silence - 13.2).abs() < 1.5, "listened and saved make the content: {stats}");
    assert_eq!(stats["shows"][0]["title"], "Talk");
    let text = hark(&["stats"]);
    assert!(
        String::from_utf8_lossy(&text.stdout).contains("Talk: listened"),
        "{}",
        String::from_utf8_lossy(&text.stdout)
    );
}

#[test]
fn loudness_turned_off_by_the_listener_is_off_for_an_episode_never_measured() {
    let server = TestServer::start();
    let data = tempfile::tempdir().unwrap();
    let (mut library, ids) = spoken_show(&server, data.path());
    library.set_setting("loudness", "0").unwrap();
    drop(library);
    let Session { mut session, capture, _net, .. } = session(data.path());
    // Nothing is known of its level: the player must not learn it and normalise anyway.
    session.handle(Command::Play { episode: ids[1], from: Some(0.0) }).unwrap();
    let deadline = Instant::now() + WAIT;
    let (channels, rate) = loop {
        session.poll().unwrap();
        if let Some(format) = capture.format() {
            break format;
        }
        assert!(Instant::now() < deadline, "no audio");
        std::thread::sleep(Duration::from_millis(5));
    };
    let samples = capture.take_frames(rate as usize * 20, WAIT);
    let heard = Heard { samples, channels, rate, saved_secs: 0.0 };
    let (lufs, _) = heard.loudness();
    assert!((lufs + 32.0).abs() <= 1.0, "heard at {lufs} LUFS with loudness off");
}
