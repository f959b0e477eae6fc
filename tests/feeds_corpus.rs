//! Conformance over the shared corpus of real feeds (`common::corpus_dir`; skipped without it):
//! every feed goes through parse + sync without a panic, and gives exactly the episodes with an
//! audio enclosure that `expected.tsv` lists. Each quirk these feeds teach is also tested, always,
//! on a small feed of our own in tests/feed_quirks.rs.

mod common;

use std::path::Path;

use hark::feed::parse_feed;
use hark::library::Library;
use url::Url;

struct Expected {
    file: String,
    title: String,
    with_enclosure: usize,
}

fn expected(corpus: &Path) -> Vec<Expected> {
    let tsv = std::fs::read_to_string(corpus.join("expected.tsv")).expect("corpus expected.tsv");
    tsv.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            Expected { file: cols[0].to_string(), title: cols[1].to_string(), with_enclosure: cols[3].parse().unwrap() }
        })
        .collect()
}

/// Malformed files, and what Hark does with each (the corpus README: feedparser's counts are
/// what a forgiving client recovers).
///  - canal-php-warnings: PHP warnings printed before the XML declaration. Hark skips text in
///    front of `<?xml`, so it recovers all 8 episodes.
///  - sentimental-garbage-leading-newline: whitespace before the declaration. Trimmed: all 138.
///  - de-grote-unbound-itunes-prefix: `itunes:` used without a declaration. Hark declares the
///    namespace on the root element itself: all 12.
///
/// So every malformed file in the corpus is recovered in full; none ends in an error.
const RECOVERED_MALFORMED: [&str; 3] = [
    "feeds/canal-php-warnings.xml",
    "feeds/sentimental-garbage-leading-newline.xml",
    "feeds/de-grote-unbound-itunes-prefix.xml",
];

#[test]
fn every_corpus_feed_parses_and_syncs_with_the_expected_episode_count() {
    let Some(corpus) = common::corpus_dir() else { return };
    let expected = expected(&corpus);
    assert_eq!(expected.len(), 27, "the corpus lists 27 feeds");
    let mut library = Library::in_memory().unwrap();
    let mut failures = Vec::new();
    for entry in &expected {
        let bytes = std::fs::read(corpus.join(&entry.file)).unwrap();
        let url = Url::parse(&format!("https://feeds.example.com/{}", entry.file)).unwrap();
        let feed = match parse_feed(&bytes, &url) {
            Ok(feed) => feed,
            Err(e) => {
                failures.push(format!("{}: {e}", entry.file));
                continue;
            }
        };
        if feed.episodes.len() != entry.with_enclosure {
            failures.push(format!(
                "{}: {} episodes, expected {}",
                entry.file,
                feed.episodes.len(),
                entry.with_enclosure
            ));
        }
        if !entry.title.is_empty() && feed.podcast.title != entry.title {
            failures.push(format!("{}: title {:?}, expected {:?}", entry.file, feed.podcast.title, entry.title));
        }
        // An item listed twice (same guid, same file: one real feed does it) is one episode.
        let distinct: std::collections::HashSet<_> =
            feed.episodes.iter().map(|e| (e.guid.clone(), e.enclosure.url.clone())).collect();
        let (id, report) = library.subscribe(url.as_str(), &feed).unwrap();
        assert_eq!(report.added, distinct.len(), "{}: every parsed episode is stored once", entry.file);
        let again = library.sync(id, &feed).unwrap();
        assert_eq!((again.added, again.updated), (0, 0), "{}: a second sync changes nothing", entry.file);
        assert_eq!(library.episodes(Some(id)).unwrap().len(), distinct.len());
        for episode in &feed.episodes {
            assert!(episode.enclosure.url.starts_with("http"), "{}: {}", entry.file, episode.enclosure.url);
        }
    }
    assert!(failures.is_empty(), "corpus mismatches:\n{}", failures.join("\n"));
    assert_eq!(library.integrity_check().unwrap(), "ok", "the library file is sound after every feed");
    for file in RECOVERED_MALFORMED {
        assert!(expected.iter().any(|e| e.file == file));
    }
}
