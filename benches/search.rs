//! Library search (issue "Find"): building the index for 20,000 episodes (10 shows × 2,000,
//! notes like real ones; target ≤ 2 s) and a query over it (target ≤ 10 ms p95).

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use hark::feed::parse_feed;
use hark::library::Library;
use url::Url;

const WORDS: [&str; 12] = [
    "climate", "economy", "football", "history", "physics", "music", "cooking", "travel", "startup", "health", "film",
    "garden",
];

/// One show of `episodes` episodes whose titles and notes draw on a small vocabulary.
fn show(number: usize, episodes: usize) -> String {
    let mut xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>Show {number}</title>\
         <description>A show about {}</description>",
        WORDS[number % WORDS.len()]
    );
    for i in 0..episodes {
        let (a, b) = (WORDS[(i + number) % WORDS.len()], WORDS[(i * 7 + number) % WORDS.len()]);
        xml.push_str(&format!(
            "<item><guid>s{number}-e{i}</guid><title>Episode {i}: {a} and {b}</title>\
             <enclosure url=\"https://cdn.example.com/{number}/{i}.mp3\" type=\"audio/mpeg\"/>\
             <description><![CDATA[<p>This week on show {number}: {a}, {b} and the news. Our guest {i} explains \
             why {b} matters, with links.</p><ul><li>(00:45) Intro</li><li>(12:30) <a href=\"https://example.com/{i}\">\
             The story of {a}</a></li><li>(45:10) Listener mail about {b}</li></ul><p>Sponsored by nobody. \
             Transcript and chapters on the website. Episode number {i} of show {number}.</p>]]></description></item>"
        ));
    }
    xml.push_str("</channel></rss>");
    xml
}

/// A library file with 10 shows of 2,000 episodes; returns how long syncing them took.
fn library(dir: &std::path::Path) -> (Library, Duration) {
    let feeds: Vec<_> = (0..10)
        .map(|n| {
            let url = Url::parse(&format!("https://example.com/{n}.xml")).unwrap();
            let parsed = parse_feed(show(n, 2000).as_bytes(), &url).unwrap();
            (url, parsed)
        })
        .collect();
    let mut library = Library::open(&dir.join("library.sqlite3")).unwrap();
    let started = Instant::now();
    for (url, parsed) in &feeds {
        library.subscribe(url.as_str(), parsed).unwrap();
    }
    (library, started.elapsed())
}

fn search(c: &mut Criterion) {
    let mut group = c.benchmark_group("search");
    group.sample_size(10);
    group.bench_function("sync 20,000 episodes, search index kept by triggers", |b| {
        b.iter_custom(|iterations| {
            (0..iterations)
                .map(|_| {
                    let dir = tempfile::tempdir().unwrap();
                    library(dir.path()).1
                })
                .sum()
        })
    });
    let dir = tempfile::tempdir().unwrap();
    let (library, _) = library(dir.path());
    let size = std::fs::metadata(dir.path().join("library.sqlite3")).map(|m| m.len()).unwrap_or(0);
    eprintln!("library file with the index: {:.1} MB", size as f64 / 1e6);
    group.sample_size(100);
    group.bench_function("query over 20,000 episodes (two words, prefix)", |b| {
        b.iter(|| {
            let results = library.search("clim cook").unwrap();
            assert!(!results.episodes.is_empty());
        })
    });
    group.bench_function("query over 20,000 episodes (a common word)", |b| {
        b.iter(|| library.search("episode").unwrap())
    });
    group.finish();
}

criterion_group!(benches, search);
criterion_main!(benches);
