//! Chapters of a long episode (832, as in the longest real psc lists seen): read the feed's Podlove
//! Simple Chapters, merge them with the audio's ID3 chapters, fill the ends. Target ≤ 5 ms for
//! the whole, which runs when an episode is opened.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use hark::chapters::{self, Chapter, ChapterSource};
use url::Url;

const COUNT: u64 = 832;

/// Every 7.25 s and a few milliseconds, in the "HH:MM:SS.mmm" the Podlove Publisher writes.
fn start_millis(i: u64) -> u64 {
    i * 7_250 + i % 7
}

fn psc_entries() -> Vec<(String, String, Option<String>, Option<String>)> {
    (0..COUNT)
        .map(|i| {
            let millis = start_millis(i);
            let secs = millis / 1000;
            let start = format!("{:02}:{:02}:{:02}.{:03}", secs / 3600, secs / 60 % 60, secs % 60, millis % 1000);
            let href = (i % 3 == 0).then(|| format!("https://example.com/links/{i}"));
            let image = (i % 5 == 0).then(|| format!("images/{i}.jpg"));
            (start, format!("Chapter {i}: a title of some length"), href, image)
        })
        .collect()
}

/// The audio's own chapters: the same marks a little off (ID3 is in milliseconds, rounded by
/// another tool), all with art, every other one without a title. ID3 ranks above psc, so this is
/// the list kept, and the merge borrows the missing titles and every link from the psc chapters.
fn id3_chapters() -> Vec<Chapter> {
    (0..COUNT)
        .map(|i| Chapter {
            start_secs: start_millis(i) as f64 / 1000.0 + 0.3,
            end_secs: None,
            title: if i % 2 == 0 { String::new() } else { format!("ID3 chapter {i}") },
            url: None,
            image: Some(format!("https://cdn.example.com/art/{i}.jpg")),
            listed: true,
            source: ChapterSource::Id3,
        })
        .collect()
}

fn psc_merge_ends(c: &mut Criterion) {
    let base = Url::parse("https://example.com/feed.xml").unwrap();
    let psc = psc_entries();
    let id3 = id3_chapters();
    let duration = Some(COUNT as f64 * 7.25 + 30.0);

    let merged = chapters::with_ends(chapters::merge(&[chapters::from_psc(&psc, &base), id3.clone()]), duration);
    assert_eq!(merged.len(), COUNT as usize);
    assert!(merged.iter().all(|chapter| chapter.source == ChapterSource::Id3 && !chapter.title.is_empty()));
    assert!(merged.iter().all(|chapter| chapter.end_secs.is_some() && chapter.image.is_some()));

    let mut group = c.benchmark_group("chapters");
    group.bench_function("from_psc 832 entries", |b| b.iter(|| chapters::from_psc(black_box(&psc), &base)));
    group.bench_function("from_psc + merge with 832 ID3 + with_ends", |b| {
        b.iter(|| {
            let psc_chapters = chapters::from_psc(black_box(&psc), &base);
            let merged = chapters::merge(&[psc_chapters, black_box(&id3).clone()]);
            chapters::with_ends(merged, duration)
        })
    });
    // From the XML: one feed item carrying the 832 chapters, parsed as a refresh parses it.
    let chapters_xml: String =
        psc.iter().map(|(start, title, _, _)| format!("<psc:chapter start=\"{start}\" title=\"{title}\"/>")).collect();
    let feed = format!(
        "<rss version=\"2.0\" xmlns:psc=\"http://podlove.org/simple-chapters\"><channel><title>Long</title>\
         <item><guid>1</guid><title>Long one</title><enclosure url=\"https://example.com/1.mp3\" type=\"audio/mpeg\"/>\
         <psc:chapters version=\"1.2\">{chapters_xml}</psc:chapters></item></channel></rss>"
    );
    let parsed = hark::feed::parse_feed(feed.as_bytes(), &base).unwrap();
    assert_eq!(parsed.episodes[0].psc_chapters.len(), COUNT as usize);
    group.bench_function("parse a feed item with 832 psc chapters + merge + with_ends", |b| {
        b.iter(|| {
            let parsed = hark::feed::parse_feed(black_box(feed.as_bytes()), &base).unwrap();
            let psc_chapters = parsed.episodes[0].psc_chapters.clone();
            chapters::with_ends(chapters::merge(&[psc_chapters]), duration)
        })
    });
    group.finish();
}

criterion_group!(benches, psc_merge_ends);
criterion_main!(benches);
