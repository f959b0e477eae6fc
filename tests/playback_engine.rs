//! The real player engine (symphonia → DSP → our Source) decoding our position-tone fixtures
//! into a capture: what is heard after play, skip, rewind, seek and speed changes.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::audio::{dominant, mono, rms, tone_at, transition};
use hark::model::EpisodeId;
use hark::player::{Capture, OutputChoice, PlaybackState, Player, PlayerEvent, PlayerEvents, SourceSpec};

const WAIT: Duration = Duration::from_secs(20);
const EPISODE: EpisodeId = EpisodeId(7);

struct Rig {
    player: Player,
    capture: Capture,
    events: PlayerEvents,
}

impl Rig {
    fn load(fixture: &str, start: f64) -> Self {
        let capture = Capture::new();
        let (player, events) = Player::spawn(OutputChoice::Capture(capture.clone()), Arc::new(hark::NoWaker));
        player.load(EPISODE, SourceSpec::File(common::fixture(fixture)), start, true);
        let rig = Self { player, capture, events };
        rig.wait_for(|e| matches!(e, PlayerEvent::Loaded { .. }));
        // The capture hears what a device would: nothing but silence until playback starts.
        rig.wait_for(|e| matches!(e, PlayerEvent::State { state: PlaybackState::Playing, .. }));
        rig
    }

    fn wait_for(&self, wanted: impl Fn(&PlayerEvent) -> bool) -> PlayerEvent {
        loop {
            let event = self.events.recv_timeout(WAIT).expect("the player is running").expect("a player event in time");
            if let PlayerEvent::Failed { reason, .. } = &event {
                panic!("player failed: {reason}");
            }
            if wanted(&event) {
                return event;
            }
        }
    }

    fn rate(&self) -> u32 {
        self.capture.format().expect("loaded").1
    }

    /// The next `secs` of output, first channel only.
    fn hear(&self, secs: f64) -> Vec<f32> {
        let (channels, rate) = self.capture.format().expect("loaded");
        let frames = (secs * rate as f64) as usize;
        let samples = self.capture.take_frames(frames, WAIT);
        assert_eq!(samples.len(), frames * channels as usize, "the engine delivered too little audio");
        mono(&samples, channels)
    }

    /// Asserts the reported position after a seek, then that what follows is the right tone.
    fn seek_lands(&self, target: f64, name: &str) {
        let event = self.wait_for(|e| matches!(e, PlayerEvent::Position { .. }));
        let PlayerEvent::Position { secs, episode } = event else { unreachable!() };
        assert_eq!(episode, EPISODE);
        assert!((secs - target).abs() < 0.05, "{name}: reported {secs}, expected {target}");
        let heard = self.hear(0.2);
        let rate = self.rate();
        assert_eq!(
            dominant(&heard[rate as usize / 20..], rate),
            tone_at(target + 0.1),
            "{name}: tone after seeking to {target}"
        );
        let position = self.player.position_secs();
        assert!((position - (target + 0.2)).abs() < 0.06, "{name}: position {position} after 0.2 s from {target}");
    }
}

fn drain(events: &PlayerEvents) {
    while events.try_recv().is_some() {}
}

/// Play, skip 30 s, rewind 10 s, seek to 45 s: the tone heard and the position reported
/// must match at each step, and a seek must land within 50 ms of its target.
fn transport_lands_exactly(fixture: &str) {
    let rig = Rig::load(fixture, 0.0);
    let rate = rig.rate();
    let start = rig.hear(1.0);
    assert!(rms(&start) > 0.2, "{fixture}: silence at the start");
    assert_eq!(dominant(&start[rate as usize / 10..], rate), 400.0, "{fixture}: first tone");

    drain(&rig.events);
    rig.player.seek_by(30.0);
    rig.seek_lands(31.0, fixture);

    drain(&rig.events);
    rig.player.seek_by(-10.0);
    rig.seek_lands(21.2, fixture);

    drain(&rig.events);
    rig.player.seek_to(45.0);
    rig.seek_lands(45.0, fixture);

    // Sample accuracy: land 0.2 s before a tone boundary; the boundary must come 0.2 s later.
    drain(&rig.events);
    rig.player.seek_to(39.8);
    rig.wait_for(|e| matches!(e, PlayerEvent::Position { .. }));
    let heard = rig.hear(0.6);
    let boundary = transition(&heard, rate, 700.0, 800.0).expect("the 700→800 Hz boundary");
    assert!((boundary - 0.2).abs() < 0.05, "{fixture}: boundary heard at {boundary} s, expected 0.2 s");
}

#[test]
fn mp3_cbr_transport() {
    transport_lands_exactly("tone-cbr.mp3");
}

#[test]
fn mp3_vbr_transport() {
    transport_lands_exactly("tone-vbr.mp3");
}

#[test]
fn mp3_without_xing_header_transport() {
    transport_lands_exactly("tone-noxing.mp3");
}

#[test]
fn m4a_transport() {
    transport_lands_exactly("tone.m4a");
}

#[test]
fn ogg_vorbis_transport() {
    transport_lands_exactly("tone.ogg");
}

#[test]
fn ogg_opus_transport() {
    transport_lands_exactly("tone.opus");
}

/// A start in the middle (`--from 0:35`) is the right tone from the first 20 ms of sound, and
/// the next segment comes exactly 5 s later: no burst of what came before, no drift.
fn a_start_is_clean_from_its_first_20_ms(fixture: &str) {
    let rig = Rig::load(fixture, 35.0);
    let rate = rig.rate();
    let heard = rig.hear(5.5);
    let first = &heard[..rate as usize / 50];
    assert!(rms(first) > 0.2, "{fixture}: sound from the start");
    assert_eq!(dominant(first, rate), 700.0, "{fixture}: the first 20 ms");
    let step = transition(&heard, rate, 700.0, 800.0).expect("the 700→800 Hz step");
    assert!((step - 5.0).abs() < 0.1, "{fixture}: the next segment came after {step} s");
}

#[test]
fn starts_are_clean_in_every_format() {
    for fixture in ["tone-cbr.mp3", "tone.m4a", "tone.ogg", "tone.opus"] {
        a_start_is_clean_from_its_first_20_ms(fixture);
    }
}

#[test]
fn flac_transport() {
    transport_lands_exactly("tone.flac");
}

#[test]
fn mp3_without_xing_header_plays_to_its_real_end() {
    let rig = Rig::load("tone-noxing.mp3", 55.0);
    let rate = rig.rate();
    let tail = rig.capture.take_frames(rate as usize * 10, Duration::from_secs(10));
    let secs = tail.len() as f64 / rate as f64;
    assert!((secs - 5.0).abs() < 0.1, "the last 5 s lasted {secs} s");
    rig.wait_for(|e| matches!(e, PlayerEvent::Ended { .. }));
}

#[test]
fn wav_plays_and_ends() {
    let rig = Rig::load("tone.wav", 15.0);
    let heard = rig.hear(1.0);
    assert_eq!(dominant(&heard, rig.rate()), 500.0);
    let rest = rig.capture.take_frames(rig.rate() as usize * 10, Duration::from_secs(10));
    assert!((rest.len() as f64 / rig.rate() as f64 - 4.0).abs() < 0.1);
    rig.wait_for(|e| matches!(e, PlayerEvent::Ended { episode } if *episode == EPISODE));
}

#[test]
fn speed_keeps_pitch_and_plays_thirty_seconds_in_twenty() {
    let rig = Rig::load("tone-cbr.mp3", 0.0);
    rig.player.set_speed(1.5);
    // The speed change re-seeks to where the listener is; wait for it, then listen.
    rig.wait_for(|e| matches!(e, PlayerEvent::Position { .. }));
    let rate = rig.rate();
    let start = rig.player.position_secs();
    let heard = rig.hear(20.0);
    let content = rig.player.position_secs() - start;
    assert!((content - 30.0).abs() < 0.3, "20 s at 1.5× covered {content} s of the episode");
    let window = |at: f64| &heard[(at * rate as f64) as usize..((at + 0.3) * rate as f64) as usize];
    assert_eq!(dominant(window(3.0), rate), 400.0, "pitch kept at 1.5×");
    assert_eq!(dominant(window(10.0), rate), 500.0, "content 15 s is heard at 10 s");
    let boundary = transition(&heard, rate, 400.0, 500.0).expect("400→500 boundary");
    let expected = (10.0 - start) / 1.5;
    assert!((boundary - expected).abs() < 0.1, "content 10 s heard at {boundary} s, expected {expected}");
}

#[test]
fn a_corrupt_stretch_is_skipped_not_fatal() {
    let mut bytes = common::fixture_bytes("tone-cbr.mp3");
    for (i, b) in bytes[100_000..102_048].iter_mut().enumerate() {
        *b = if i < 1024 { 0 } else { (i * 7919 % 251) as u8 };
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("corrupt.mp3");
    std::fs::write(&path, bytes).unwrap();
    let capture = Capture::new();
    let (player, events) = Player::spawn(OutputChoice::Capture(capture.clone()), Arc::new(hark::NoWaker));
    player.load(EPISODE, SourceSpec::File(path), 20.0, true);
    let deadline = std::time::Instant::now() + WAIT;
    let (channels, rate) = loop {
        if let Some(format) = capture.format() {
            break format;
        }
        assert!(std::time::Instant::now() < deadline, "the corrupt file never started playing");
        std::thread::sleep(Duration::from_millis(5));
    };
    let heard = mono(&capture.take_frames(rate as usize * 12, WAIT), channels);
    assert!(heard.len() as f64 / rate as f64 > 11.0, "playback stopped at the corrupt frames");
    let at = |secs: f64| &heard[(secs * rate as f64) as usize..((secs + 0.2) * rate as f64) as usize];
    assert_eq!(dominant(at(2.0), rate), 600.0);
    assert_eq!(dominant(at(11.0), rate), 700.0, "audio after the corrupt frames");
    assert!(std::iter::from_fn(|| events.try_recv()).all(|e| !matches!(e, PlayerEvent::Failed { .. })));
}

#[test]
fn a_file_that_is_not_audio_fails_clearly() {
    let capture = Capture::new();
    let (player, events) = Player::spawn(OutputChoice::Capture(capture), Arc::new(hark::NoWaker));
    player.load(EPISODE, SourceSpec::File(common::fixture("not-audio.mp3")), 0.0, true);
    let event = events.recv_timeout(WAIT).unwrap().expect("an answer in time");
    let PlayerEvent::Failed { episode, reason } = event else { panic!("expected a failure, got {event:?}") };
    assert_eq!(episode, EPISODE);
    assert!(reason.starts_with("this file is not audio Hark can play"), "{reason}");
}

#[test]
fn pause_stops_the_clock_and_play_resumes_where_it_was() {
    let rig = Rig::load("tone.ogg", 12.0);
    rig.hear(0.5);
    rig.player.pause();
    rig.wait_for(|e| matches!(e, PlayerEvent::State { state: hark::player::PlaybackState::Paused, .. }));
    let paused_at = rig.player.position_secs();
    assert!((paused_at - 12.5).abs() < 0.05, "paused at {paused_at}");
    assert!(rig.player.is_paused());
    // The device keeps pulling while paused: it gets silence, and the clock stands still.
    let while_paused = rig.hear(1.0);
    assert_eq!(rms(&while_paused), 0.0, "silence while paused");
    assert_eq!(rig.player.position_secs(), paused_at, "the clock holds while the device pulls");
    rig.player.play();
    rig.wait_for(|e| matches!(e, PlayerEvent::State { state: hark::player::PlaybackState::Playing, .. }));
    let heard = rig.hear(0.3);
    assert_eq!(dominant(&heard, rig.rate()), 500.0);
    assert!((rig.player.position_secs() - 12.8).abs() < 0.05);
}

#[test]
fn the_device_gets_the_volume_and_a_fade_in_after_every_jump() {
    let rig = Rig::load("tone.ogg", 12.0);
    let rate = rig.rate() as usize;
    let first = rig.hear(0.5);
    // A 4 ms fade-in: the first millisecond is far quieter than the steady tone after it.
    let level = |samples: &[f32]| rms(samples);
    let steady = level(&first[rate / 10..rate / 5]);
    assert!(steady > 0.2, "a tone: {steady}");
    assert!(level(&first[..rate / 1000]) < steady * 0.5, "faded in, not started at full level");

    rig.player.set_volume(0.25);
    // Past what was already queued at the old volume, the level follows the new one.
    let quieter = rig.hear(1.0);
    let after = level(&quieter[rate / 2..]);
    assert!((after / steady - 0.25).abs() < 0.05, "volume 0.25: {after} against {steady}");
}
