//! The loudness measured of a long episode from samples of it comes within ±0.5 LU of a
//! full-file EBU R128 measurement by ffmpeg's `ebur128` filter, on speech, speech over a music
//! bed, and a near-silent recording. The 30-minute episodes are put together here from the
//! 28-second spoken fixtures (ffmpeg's concat demuxer, copying the MP3 frames, with a fresh
//! Xing header for the length), varied so that no two samples see the same thing.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

/// A little over 30 minutes of 28 s pieces.
const PIECES: usize = 66;

fn ffmpeg() -> &'static str {
    let found = Command::new("ffmpeg").arg("-version").output().is_ok_and(|o| o.status.success());
    assert!(found, "these tests measure against ffmpeg's ebur128: install ffmpeg (see the README)");
    "ffmpeg"
}

/// An episode made of `piece(i)` for each of its pieces.
fn episode(dir: &Path, name: &str, piece: impl Fn(usize) -> &'static str) -> PathBuf {
    let list = dir.join(format!("{name}.txt"));
    let lines: String = (0..PIECES).map(|i| format!("file '{}'\n", common::fixture(piece(i)).display())).collect();
    std::fs::write(&list, lines).unwrap();
    let out = dir.join(format!("{name}.mp3"));
    let status = Command::new(ffmpeg())
        .args(["-hide_banner", "-loglevel", "error", "-f", "concat", "-safe", "0", "-i"])
        .arg(&list)
        .args(["-c", "copy"])
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success(), "ffmpeg could not join {name}");
    out
}

/// ffmpeg's integrated loudness of the whole file, in LUFS.
fn ffmpeg_integrated(path: &Path) -> f64 {
    let output = Command::new(ffmpeg())
        .args(["-hide_banner", "-nostats", "-i"])
        .arg(path)
        .args(["-af", "ebur128", "-f", "null", "-"])
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&output.stderr);
    let summary = log.split("Summary:").nth(1).expect("ebur128's summary");
    let line = summary.lines().find(|l| l.trim_start().starts_with("I:")).expect("the integrated loudness");
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

fn assert_measured_like_ffmpeg(path: &Path) {
    let expected = ffmpeg_integrated(path);
    let measured = hark::player::measure_loudness(path).expect("a level");
    assert!(
        (measured - expected).abs() <= 0.5,
        "{}: measured {measured:.2} LUFS from samples, ffmpeg says {expected:.2} LUFS over the whole file",
        path.display()
    );
}

#[test]
fn speech_with_loud_breaks_is_measured_from_samples_like_the_whole_file() {
    let dir = tempfile::tempdir().unwrap();
    // A quiet talk with a loud "ad" every few minutes, and a loud last stretch.
    let path = episode(dir.path(), "speech", |i| {
        if i % 9 == 4 || i >= PIECES - 5 { "speech-10lufs.mp3" } else { "speech-32lufs.mp3" }
    });
    assert_measured_like_ffmpeg(&path);
}

#[test]
fn speech_over_a_music_bed_is_measured_from_samples_like_the_whole_file() {
    let dir = tempfile::tempdir().unwrap();
    // Music-bed segments (intro, interludes, outro) between plain speech.
    let path = episode(dir.path(), "bed", |i| {
        if i < 3 || i % 7 == 0 || i >= PIECES - 3 { "speech-bed.mp3" } else { "speech-32lufs.mp3" }
    });
    assert_measured_like_ffmpeg(&path);
}

#[test]
fn a_near_silent_recording_is_measured_not_taken_for_silence() {
    let dir = tempfile::tempdir().unwrap();
    let path = episode(dir.path(), "near-silent", |_| "near-silent.mp3");
    assert_measured_like_ffmpeg(&path);
}
