//! The sound card is let go of when Hark is paused, and taken back on Play: played for real
//! through ALSA's "default" device, here its file plugin (tests/asoundrc-capture), so the file
//! being open is the device being held. Only "which sound came out" is read from that file (it
//! has no clock); nothing here is timed.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::audio::{dominant, tone_at};
use hark::model::EpisodeId;
use hark::player::{OutputChoice, PlaybackState, Player, PlayerEvent, SourceSpec};

const WAIT: Duration = Duration::from_secs(20);
/// The player lets the device go after 3 s of pause; a second more for the check.
const PAUSED_LONG_ENOUGH: Duration = Duration::from_secs(4);
const EPISODE: EpisodeId = EpisodeId(3);

/// Whether this process has `path` open (the ALSA file plugin keeps it open with the device).
fn holds(path: &Path) -> bool {
    std::fs::read_dir("/proc/self/fd")
        .unwrap()
        .filter_map(|entry| std::fs::read_link(entry.ok()?.path()).ok())
        .any(|target| target == path)
}

/// CPU ticks and context switches of every thread of this process but the calling one.
fn activity_of_other_threads() -> Vec<(String, u64)> {
    let me = std::fs::read_link("/proc/thread-self").unwrap();
    let me = me.file_name().unwrap().to_owned();
    let mut threads: Vec<(String, u64)> = std::fs::read_dir("/proc/self/task")
        .unwrap()
        .filter_map(Result::ok)
        .filter(|task| task.file_name() != me)
        .filter_map(|task| {
            let stat = std::fs::read_to_string(task.path().join("stat")).ok()?;
            let status = std::fs::read_to_string(task.path().join("status")).ok()?;
            let after_name = &stat[stat.rfind(')')? + 2..];
            let fields: Vec<&str> = after_name.split_whitespace().collect();
            let ticks: u64 = fields[11].parse::<u64>().ok()? + fields[12].parse::<u64>().ok()?;
            let switches: u64 = status
                .lines()
                .filter(|l| l.contains("ctxt_switches"))
                .filter_map(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
                .sum();
            let name = std::fs::read_to_string(task.path().join("comm")).ok()?.trim().to_string();
            Some((format!("{} ({name})", task.file_name().to_string_lossy()), ticks * 1_000_000 + switches))
        })
        .collect();
    threads.sort();
    threads
}

/// The 16-bit stereo WAV the file plugin writes, first channel, once it holds `secs` of audio.
fn captured(path: &Path, secs: f64) -> Vec<f32> {
    let wanted = 44 + (secs * 44_100.0) as usize * 4;
    let deadline = Instant::now() + WAIT;
    loop {
        let bytes = std::fs::read(path).unwrap_or_default();
        if bytes.len() >= wanted {
            return bytes[44..wanted]
                .chunks_exact(4)
                .map(|f| i16::from_le_bytes([f[0], f[1]]) as f32 / 32768.0)
                .collect();
        }
        assert!(Instant::now() < deadline, "only {} bytes were played", bytes.len());
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_paused_player_lets_the_sound_card_go_and_plays_on_from_the_same_place_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let capture: PathBuf = dir.path().join("heard.wav");
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/asoundrc-capture");
    // SAFETY: the only test in this binary, before anything reads the environment.
    unsafe {
        std::env::set_var("ALSA_CONFIG_PATH", &config);
        std::env::set_var("AUDIO_CAPTURE_FILE", &capture);
    }
    let (player, events) = Player::spawn(OutputChoice::Default, Arc::new(hark::NoWaker));
    assert!(!player.is_silent(), "ALSA's default device opened");
    // Loaded paused at 15 s, as the window restores the last episode at launch.
    player.load(EPISODE, SourceSpec::File(common::fixture("tone-cbr.mp3")), 15.0, false);
    common::wait_for_player(&events, "loaded", |e| matches!(e, PlayerEvent::Loaded { .. }));
    assert!(holds(&capture), "the device is open once an episode is loaded");

    std::thread::sleep(PAUSED_LONG_ENOUGH);
    assert!(!holds(&capture), "paused for seconds, the device is let go of");
    // Nothing runs or wakes up while paused: not the engine, not an audio callback.
    let before = activity_of_other_threads();
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(activity_of_other_threads(), before, "thread: CPU ticks × 10⁶ + context switches");

    std::fs::remove_file(&capture).unwrap();
    let asked = Instant::now();
    player.play();
    common::wait_for_player(&events, "playing", |e| {
        matches!(e, PlayerEvent::State { state: PlaybackState::Playing, .. })
    });
    let first_audio = loop {
        if std::fs::metadata(&capture).is_ok_and(|m| m.len() > 44 + 4096) {
            break asked.elapsed();
        }
        std::thread::sleep(Duration::from_micros(200));
    };
    // Reported, not asserted (a test is no benchmark): the issue asks for ≤ 50 ms.
    eprintln!("from Play to the first audio at the device, after it was let go of: {first_audio:?}");
    assert!(holds(&capture), "Play opens the device again");
    // What comes out first is the episode from where it was paused (15 s: the 500 Hz tone).
    let heard = captured(&capture, 0.5);
    let tone = dominant(&heard[4410..], 44_100);
    assert!((tone - tone_at(15.0)).abs() < 15.0, "heard {tone} Hz, not the tone at 15 s ({} Hz)", tone_at(15.0));
    player.stop();
}
