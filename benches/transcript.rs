//! Transcripts: a 3-hour WebVTT of 5,000 cues (target ≤ 20 ms) and a Podcasting 2.0 JSON of
//! 30,000 one-word segments, both generated here; and a frame of the window with the 5,000-cue
//! transcript open.

use std::hint::black_box;

use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use egui_kittest::Harness;
use hark::listening::{Playback, Track};
use hark::model::{EpisodeId, PodcastId};
use hark::transcript::{TranscriptFormat, parse};
use hark::ui::transcript::{TranscriptContent, TranscriptView};
use hark::ui::{self, UiState};

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

/// A frame of the window with the 5,000-cue transcript open (following the spoken cue in the
/// middle of the episode) against the same window without it: only the cues in view are laid
/// out and painted (target ≤ 1 ms extra).
fn draw(c: &mut Criterion) {
    let transcript = Arc::new(parse(three_hour_vtt().as_bytes(), TranscriptFormat::Vtt).unwrap());
    let mut group = c.benchmark_group("transcript");
    let episode = EpisodeId(1);
    let playing = Playback::Playing {
        track: Track {
            episode,
            podcast: PodcastId(1),
            title: "Three hours".into(),
            show: "Long Show".into(),
            art_url: None,
            duration_secs: Some(10_800.0),
            position_secs: 5_400.0,
        },
        buffering: false,
    };
    for (name, open) in [("draw a frame with a 5,000-cue transcript open", true), ("draw a frame without it", false)] {
        let mut state = UiState::default();
        state.transport.playback = playing.clone();
        if open {
            state.transcript = Some(TranscriptView {
                episode,
                title: "Three hours".into(),
                link: "https://example.com/ep".into(),
                content: TranscriptContent::Ready(transcript.clone()),
                follow: true,
                find: String::new(),
                found_at: 0,
                spoken: None,
            });
        }
        let mut harness = Harness::builder().with_size(egui::vec2(1280.0, 800.0)).build_ui_state(
            |ui, state: &mut UiState| {
                ui::draw(ui, state);
            },
            state,
        );
        harness.run_steps(3);
        group.bench_function(name, |b| b.iter(|| harness.step()));
    }
    group.finish();
}

criterion_group!(benches, transcript, draw);
criterion_main!(benches);
