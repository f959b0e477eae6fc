//! Show notes of a 50 KB HTML episode: parse once (target ≤ 5 ms), then draw the whole window
//! with them each frame (target ≤ 1 ms for the notes).

use criterion::{Criterion, criterion_group, criterion_main};
use egui_kittest::Harness;
use hark::model::{Episode, EpisodeId, EpisodeSummary, PodcastId};
use hark::notes::Document;
use hark::ui::{self, EpisodePage, UiState};

/// Notes as shows write them (headings, lists, timestamps, links: our own fixture), repeated up
/// to 50 KB.
fn fifty_kb_of_notes() -> String {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/feeds");
    let feed = std::fs::read(dir.join("html-show-notes.xml")).unwrap();
    let parsed = hark::feed::parse_feed(&feed, &url::Url::parse("https://example.com/feed.xml").unwrap()).unwrap();
    let mut notes = String::new();
    for episode in parsed.episodes.iter().cycle() {
        notes.push_str(episode.notes_html.as_deref().unwrap_or_default());
        if notes.len() >= 50 * 1024 {
            break;
        }
    }
    notes
}

fn page(notes: &str) -> EpisodePage {
    let summary = EpisodeSummary {
        id: EpisodeId(1),
        podcast_id: PodcastId(1),
        title: "A long episode".into(),
        published: None,
        duration_secs: Some(3600),
        url: "https://example.com/a.mp3".into(),
        mime: None,
        position_secs: 0.0,
        played: false,
        downloaded: false,
        path: None,
        episode_type: Default::default(),
    };
    let episode = Episode {
        summary,
        guid: None,
        notes_html: Some(notes.to_string()),
        episode_number: None,
        season_number: None,
        link: None,
        image_url: None,
        chapters_url: None,
        transcripts: Vec::new(),
        enclosure_length: None,
        explicit: false,
        credits: Default::default(),
    };
    EpisodePage {
        notes: Document::from_notes(notes),
        episode,
        chapters: Default::default(),
        listening: Default::default(),
    }
}

fn notes(c: &mut Criterion) {
    let html = fifty_kb_of_notes();
    let mut group = c.benchmark_group("notes");
    group.bench_function("parse 50 KB of HTML notes", |b| b.iter(|| Document::from_notes(&html)));
    let state = UiState { episode_page: Some(page(&html)), ..Default::default() };
    let mut harness = Harness::builder().with_size(egui::vec2(1280.0, 800.0)).build_ui_state(
        |ui, state: &mut UiState| {
            ui::draw(ui, state);
        },
        state,
    );
    harness.run_steps(2);
    group.bench_function("draw a frame of the window with 50 KB of notes", |b| b.iter(|| harness.step()));
    let mut empty = Harness::builder().with_size(egui::vec2(1280.0, 800.0)).build_ui_state(
        |ui, state: &mut UiState| {
            ui::draw(ui, state);
        },
        UiState::default(),
    );
    empty.run_steps(2);
    group.bench_function("draw a frame of the window without notes", |b| b.iter(|| empty.step()));
    group.finish();
}

/// Show art: a 3000×3000 JPEG to both cached sizes (target ≤ 150 ms, off the UI thread).
fn art(c: &mut Criterion) {
    let picture =
        image::RgbImage::from_fn(3000, 3000, |x, y| image::Rgb([(x / 12) as u8, (y / 12) as u8, ((x + y) / 24) as u8]));
    let mut jpeg = std::io::Cursor::new(Vec::new());
    picture.write_to(&mut jpeg, image::ImageFormat::Jpeg).unwrap();
    let jpeg = jpeg.into_inner();
    let mut group = c.benchmark_group("art");
    group.sample_size(10);
    group.bench_function("3000x3000 JPEG to 600 and 96 px", |b| b.iter(|| hark::net::art::downscale(&jpeg).unwrap()));
    group.finish();
}

criterion_group!(benches, notes, art);
criterion_main!(benches);
