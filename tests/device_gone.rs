//! A sound device that goes away in the middle of an episode (its sound server died, as a
//! headset out of range or a PulseAudio/PipeWire restart makes it) pauses the episode where it
//! was heard; the next Play plays on whatever default device there is then (silently while there
//! is none, and on the sound server once it is back). Played for real
//! through ALSA's "default" device into private PulseAudio daemons (tests/common/pulse.rs) that
//! run in real time; only where the episode is and which daemon plays it are read, nothing is
//! timed.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::pulse::{self, PulseServer};
use hark::model::EpisodeId;
use hark::player::{OutputChoice, PlaybackState, Player, PlayerEvent, PlayerEvents, SourceSpec};

const EPISODE: EpisodeId = EpisodeId(5);

fn heard_past(events: &PlayerEvents, secs: f64) -> f64 {
    let event = common::wait_for_player(
        events,
        &format!("heard past {secs} s"),
        |e| matches!(e, PlayerEvent::Position { secs: s, .. } if *s > secs),
    );
    let PlayerEvent::Position { secs, .. } = event else { unreachable!() };
    secs
}

/// CPU ticks this process used over a second.
fn ticks_over_a_second() -> u64 {
    let ticks = || {
        let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
        let fields: Vec<u64> =
            stat[stat.rfind(')').unwrap() + 2..].split_whitespace().filter_map(|f| f.parse().ok()).collect();
        // utime and stime: fields 14 and 15 of stat, 11 and 12 after the state letter.
        fields[10] + fields[11]
    };
    let before = ticks();
    std::thread::sleep(Duration::from_secs(1));
    ticks() - before
}

#[test]
fn a_sound_server_that_dies_mid_episode_pauses_it_and_play_goes_on_silently_then_with_the_next_one() {
    if !pulse::available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // SAFETY: the only test in this binary, before anything reads the environment.
    unsafe {
        std::env::set_var("ALSA_CONFIG_PATH", pulse::alsa_config_path(dir.path()));
    }
    let first = PulseServer::start(dir.path());
    let (player, events) = Player::spawn(OutputChoice::Default, Arc::new(hark::NoWaker));
    assert!(!player.is_silent(), "ALSA's default device opened");
    player.load(EPISODE, SourceSpec::File(common::fixture("tone-cbr.mp3")), 10.0, true);
    common::wait_for_player(&events, "playing", |e| {
        matches!(e, PlayerEvent::State { state: PlaybackState::Playing, .. })
    });
    heard_past(&events, 11.0);
    // The sound server gets the episode as it is (22,050 Hz mono): no second resampler here.
    assert_eq!(first.stream_formats(), ["float32le 1ch 22050Hz"], "the stream the sound server plays");

    first.kill();
    common::wait_for_player(&events, "paused when the device went away", |e| {
        matches!(e, PlayerEvent::State { state: PlaybackState::Paused, .. })
    });
    let paused_at = player.position_secs();
    assert!(paused_at > 11.0, "paused where it was heard: {paused_at}");
    // Nothing keeps asking the dead device: the audio thread went with it.
    let ticks = ticks_over_a_second();
    assert!(ticks < 20, "{ticks} CPU ticks in the second after the pause");

    // Play with no sound server at all: the episode goes on, silently, rather than stalling.
    player.play();
    common::wait_for_player(&events, "playing with no device", |e| {
        matches!(e, PlayerEvent::State { state: PlaybackState::Playing, .. })
    });
    heard_past(&events, paused_at + 1.0);
    player.pause();
    common::wait_for_player(&events, "paused again", |e| {
        matches!(e, PlayerEvent::State { state: PlaybackState::Paused, .. })
    });
    let paused_at = player.position_secs();
    // Paused long enough for the player to let its stand-in go (3 s), the sound server comes
    // back: Play finds it.
    std::thread::sleep(Duration::from_secs(4));
    let second = PulseServer::start(dir.path());
    player.play();
    common::wait_for_player(&events, "playing again", |e| {
        matches!(e, PlayerEvent::State { state: PlaybackState::Playing, .. })
    });
    let heard = heard_past(&events, paused_at + 1.0);
    assert!(heard < paused_at + 5.0, "played on from where it paused ({paused_at}), not from elsewhere: {heard}");
    assert_eq!(second.streams(), 1, "the new sound server plays it");
    player.stop();
}
