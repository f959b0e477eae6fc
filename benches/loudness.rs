//! What measuring a downloaded episode's loudness costs per hour of audio (target ≤ 0.3 s of a
//! core; decoding the whole file, as Hark did before, cost about 2.7 s).
//!
//! The input is an hour of the speech-over-music fixture as a 128 kb/s 44.1 kHz stereo MP3 (the
//! commonest podcast format), made once with ffmpeg into target/bench-audio. `sampled` is what
//! Hark does; `whole file` decodes and meters every frame, for the comparison.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use ebur128::{EbuR128, Mode};

fn ffmpeg(args: &[&str]) {
    let status = Command::new("ffmpeg").args(["-hide_banner", "-loglevel", "error", "-y"]).args(args).status();
    assert!(status.is_ok_and(|s| s.success()), "ffmpeg {args:?} failed (is ffmpeg installed?)");
}

/// An hour of 44.1 kHz stereo MP3 at 128 kb/s: ten minutes encoded, then joined six times.
fn hour_episode() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("target/bench-audio");
    let hour = dir.join("hour-128k.mp3");
    if hour.exists() {
        return hour;
    }
    std::fs::create_dir_all(&dir).unwrap();
    let (ten, list) = (dir.join("ten-128k.mp3"), dir.join("hour.txt"));
    let bed = root.join("tests/fixtures/speech-bed.mp3");
    ffmpeg(&[
        "-stream_loop",
        "21",
        "-i",
        bed.to_str().unwrap(),
        "-t",
        "600",
        "-ar",
        "44100",
        "-ac",
        "2",
        "-b:a",
        "128k",
        ten.to_str().unwrap(),
    ]);
    std::fs::write(&list, format!("file '{}'\n", ten.display()).repeat(6)).unwrap();
    let partial = dir.join("hour.tmp.mp3");
    ffmpeg(&["-f", "concat", "-safe", "0", "-i", list.to_str().unwrap(), "-c", "copy", partial.to_str().unwrap()]);
    std::fs::rename(partial, &hour).unwrap();
    hour
}

fn whole_file(path: &Path) -> f64 {
    let mut decoder = hark::player::open_file(path).unwrap();
    let mut meter = EbuR128::new(decoder.channels() as u32, decoder.sample_rate(), Mode::I | Mode::HISTOGRAM).unwrap();
    let mut samples = Vec::new();
    loop {
        samples.clear();
        if decoder.next_packet(&mut samples).unwrap().is_none() {
            break;
        }
        meter.add_frames_f32(&samples).unwrap();
    }
    meter.loudness_global().unwrap()
}

fn measuring(c: &mut Criterion) {
    let hour = hour_episode();
    let (sampled, whole) = (hark::player::measure_loudness(&hour).unwrap(), whole_file(&hour));
    println!("an hour of speech over music: sampled {sampled:.2} LUFS, whole file {whole:.2} LUFS");
    let mut group = c.benchmark_group("loudness of an hour of 128 kb/s MP3");
    group.sample_size(10).measurement_time(Duration::from_secs(20));
    group.bench_function("sampled", |b| b.iter(|| hark::player::measure_loudness(&hour)));
    group.bench_function("whole file", |b| b.iter(|| whole_file(&hour)));
    group.finish();
}

criterion_group!(benches, measuring);
criterion_main!(benches);
