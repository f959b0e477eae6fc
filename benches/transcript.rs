//! Transcripts: a 3-hour WebVTT of 5,000 cues (target ≤ 20 ms) and a Podcasting 2.0 JSON of
//! 30,000 one-word segments, both generated here.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use hark::transcript::{TranscriptFormat, parse};

fn stamp(ms: u64) -> String {
    format!("{:02}:{:02}:{:02}.{:03}", ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000)
}

/// 5,000 cues over 3 hours (2.16 s each), two voices, some cue settings and two-line cues.
fn three_hour_vtt() -> String {
    let mut file = String::from("WEBVTT\n\nNOTE generated for the benchmark\n\n");
    let step = 3 * 3_600_000 / 5_000;
    for i in 0..5_000u64 {
        let speaker = if i % 3 == 0 { "Guest" } else { "Host" };
        let settings = if i % 4 == 0 { " align:start position:10%" } else { "" };
        file.push_str(&format!("{}\n{} --> {}{settings}\n", i + 1, stamp(i * step), stamp(i * step + step - 100)));
        file.push_str(&format!("<v {speaker}>So this is what we were saying, number {i}, and it goes on"));
        if i % 2 == 0 {
            file.push_str("\nfor a <i>second</i> line &amp; a bit more.</v>");
        }
        file.push_str("\n\n");
    }
    file
}

/// 30,000 words at 0.3 s each (2.5 hours), speakers changing every 200 words, a sentence every
/// 12 words, commas as their own segments now and then.
fn thirty_thousand_words() -> String {
    let mut file = String::from("{\"version\":\"1.0.0\",\"segments\":[");
    for i in 0..30_000u64 {
        if i > 0 {
            file.push(',');
        }
        let speaker = if (i / 200) % 2 == 0 { "Alice" } else { "Bob" };
        let body = match i % 12 {
            11 => format!("word{i}."),
            5 => ",".to_string(),
            _ => format!("word{i}"),
        };
        let start = i as f64 * 0.3;
        file.push_str(&format!(
            "{{\"speaker\":\"{speaker}\",\"startTime\":{start:.3},\"endTime\":{:.3},\"body\":\"{body}\"}}",
            start + 0.25
        ));
    }
    file.push_str("]}");
    file
}

fn transcript(c: &mut Criterion) {
    let vtt = three_hour_vtt();
    let json = thirty_thousand_words();
    assert_eq!(parse(vtt.as_bytes(), TranscriptFormat::Vtt).unwrap().cues.len(), 5_000);
    assert!(parse(json.as_bytes(), TranscriptFormat::Json).unwrap().cues.len() > 1_000);
    let mut group = c.benchmark_group("transcript");
    group.bench_function("parse a 3-hour WebVTT of 5,000 cues", |b| {
        b.iter(|| parse(black_box(vtt.as_bytes()), TranscriptFormat::Vtt))
    });
    group.bench_function("parse a 30,000-word JSON transcript", |b| {
        b.iter(|| parse(black_box(json.as_bytes()), TranscriptFormat::Json))
    });
    group.finish();
}

criterion_group!(benches, transcript);
criterion_main!(benches);
