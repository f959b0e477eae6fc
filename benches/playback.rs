//! Decode throughput on a 60-minute MP3 (target: ≥ 0.8× ffmpeg's speed on the same file), and
//! the time from load to the first audio of a downloaded episode (target ≤ 150 ms with the
//! window's click and output latency included).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use hark::model::EpisodeId;
use hark::player::{Capture, OutputChoice, Player, SourceSpec, open_file};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// A 60-minute MP3: the 60-second fixture 60 times over (MP3 frames concatenate).
fn hour_long_mp3(dir: &std::path::Path) -> PathBuf {
    let minute = std::fs::read(fixture("tone-noxing.mp3")).unwrap();
    let path = dir.join("hour.mp3");
    std::fs::write(&path, minute.repeat(60)).unwrap();
    path
}

fn decode(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let path = hour_long_mp3(dir.path());
    eprintln!("60-minute MP3 at {} (compare: ffmpeg -i it -f null -)", path.display());
    let mut group = c.benchmark_group("decode");
    group.sample_size(10);
    group.bench_function("60-minute MP3 (32 kbps mono)", |b| {
        b.iter(|| {
            let mut decoder = open_file(&path).unwrap();
            let mut samples = Vec::with_capacity(4096);
            let mut frames = 0usize;
            while decoder.next_packet(&mut samples).unwrap().is_some() {
                frames += samples.len();
                samples.clear();
            }
            assert!(frames > 22_050 * 3590, "decoded {frames} samples");
        })
    });
    group.finish();
}

fn first_audio(c: &mut Criterion) {
    let mut group = c.benchmark_group("playback");
    group.sample_size(20);
    group.bench_function("load to first audio (downloaded MP3, from 25:00 of 60)", |b| {
        let dir = tempfile::tempdir().unwrap();
        let path = hour_long_mp3(dir.path());
        b.iter_custom(|iterations| {
            let mut total = Duration::ZERO;
            for _ in 0..iterations {
                let capture = Capture::new();
                let (player, _events) = Player::spawn(OutputChoice::Capture(capture.clone()), Arc::new(hark::NoWaker));
                let started = Instant::now();
                player.load(EpisodeId(1), SourceSpec::File(path.clone()), 1500.0, true);
                let heard = capture.take_frames(64, Duration::from_secs(10));
                total += started.elapsed();
                assert_eq!(heard.len(), 64);
            }
            total
        })
    });
    group.finish();
}

criterion_group!(benches, decode, first_audio);
criterion_main!(benches);
