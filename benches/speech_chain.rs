//! The speech chain's cost (target: skip silence + loudness + voice boost + limiter + WSOLA at
//! 1× and 2× ≤ 3 % of one core at real time; mpv plays an MP3 at 2.0 %), and what it adds to
//! a seek (target ≤ 20 ms).
//!
//! The input is the spoken fixture resampled to 44.1 kHz stereo (the commonest podcast format,
//! and the costliest one the chain meets): each iteration processes 60 s of it, so the time
//! per iteration ÷ 60 s is the share of one core.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use hark::model::EpisodeId;
use hark::player::{AudioChain, AudioSettings, Capture, KnownLevel, OutputChoice, Player, SilenceLevel, SourceSpec};

const RATE: u32 = 44_100;
/// What the decoder hands over at a time (an MP3 frame).
const PACKET: usize = 1152;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// 60 s of the spoken fixture as 44.1 kHz stereo.
fn speech_minute() -> Vec<f32> {
    let mut decoder = hark::player::open_file(&fixture("speech-32lufs.mp3")).unwrap();
    let (channels, rate) = (decoder.channels() as usize, decoder.sample_rate());
    let mut decoded = Vec::new();
    while decoder.next_packet(&mut decoded).unwrap().is_some() {}
    let mono: Vec<f32> = decoded.chunks_exact(channels).map(|f| f[0]).collect();
    let step = rate as f64 / RATE as f64;
    (0..RATE as usize * 60)
        .flat_map(|i| {
            let at = (i as f64 * step) % (mono.len() - 1) as f64;
            let (k, t) = (at as usize, (at.fract()) as f32);
            let s = mono[k] * (1.0 - t) + mono[k + 1] * t;
            [s, s]
        })
        .collect()
}

fn everything(level: KnownLevel) -> AudioSettings {
    AudioSettings { skip_silence: SilenceLevel::Medium, loudness: true, voice_boost: true, level }
}

fn chain(c: &mut Criterion) {
    let input = speech_minute();
    let mut group = c.benchmark_group("speech chain, 60 s of 44.1 kHz stereo speech");
    group.sample_size(10);
    let cases = [
        ("1×, all on, level learnt while streaming", everything(KnownLevel::Unknown), 1.0),
        ("2×, all on, level learnt while streaming", everything(KnownLevel::Unknown), 2.0),
        ("1×, all on, downloaded (level measured)", everything(KnownLevel::Measured(-32.0)), 1.0),
        ("2×, all on, downloaded (level measured)", everything(KnownLevel::Measured(-32.0)), 2.0),
        ("1×, the default (loudness and limiter)", AudioSettings { loudness: true, ..AudioSettings::default() }, 1.0),
    ];
    for (name, settings, speed) in cases {
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut chain = AudioChain::new(2, RATE, settings);
                chain.set_speed(speed);
                let mut out = Vec::with_capacity(PACKET * 4);
                let mut heard = 0;
                for (i, packet) in input.chunks(PACKET * 2).enumerate() {
                    out.clear();
                    chain.process(packet, (i * PACKET) as u64, &mut out);
                    heard += out.len();
                }
                assert!(heard > 0);
                heard
            })
        });
    }
    group.finish();
}

/// From a seek to the first audio out of the engine, the chain off and all on.
fn seek(c: &mut Criterion) {
    let mut group = c.benchmark_group("seek to first audio (downloaded MP3)");
    group.sample_size(20);
    let off = AudioSettings::default();
    for (name, settings) in [("chain off", off), ("chain all on", everything(KnownLevel::Measured(-32.0)))] {
        group.bench_function(name, |b| {
            let capture = Capture::new();
            let (player, _events) = Player::spawn(OutputChoice::Capture(capture.clone()), Arc::new(hark::NoWaker));
            player.set_audio(settings);
            player.load(EpisodeId(1), SourceSpec::File(fixture("speech-32lufs.mp3")), 0.0, true);
            assert_eq!(capture.take_frames(64, Duration::from_secs(10)).len(), 128);
            let mut target = 1.0;
            b.iter_custom(|iterations| {
                let mut total = Duration::ZERO;
                for _ in 0..iterations {
                    target = if target > 20.0 { 1.0 } else { target + 1.7 };
                    let started = Instant::now();
                    player.seek_to(target);
                    // The first sound of the new place (what was queued is dropped at once).
                    let heard = capture.take_frames(64, Duration::from_secs(10));
                    total += started.elapsed();
                    assert_eq!(heard.len(), 128);
                    // Let the queue fill again, as it is when a listener seeks.
                    std::thread::sleep(Duration::from_millis(30));
                    capture.take_frames(2048, Duration::from_millis(1));
                }
                total
            })
        });
    }
    group.finish();
}

criterion_group!(benches, chain, seek);
criterion_main!(benches);
