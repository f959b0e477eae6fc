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

/// What issue #27 keeps, on the real feeds that show it: support, people, subtitles, and a
/// duration that is a URL read as unknown.
#[test]
fn real_feeds_give_their_support_people_subtitles_and_no_scraped_durations() {
    let Some(corpus) = common::corpus_dir() else { return };
    let read = |file: &str| {
        let bytes = std::fs::read(corpus.join("feeds").join(file)).unwrap();
        parse_feed(&bytes, &Url::parse(&format!("https://feeds.example.com/{file}")).unwrap()).unwrap()
    };
    let unplugged = read("linux-unplugged-2020-12-19.xml");
    let funding: Vec<_> = unplugged.podcast.related.funding.iter().map(|f| (f.url.as_str(), f.text.as_str())).collect();
    assert_eq!(funding, [("https://jupitersignal.memberful.com/checkout?plan=52946", "Support the show!")]);
    assert_eq!(
        unplugged.podcast.subtitle.as_deref(),
        Some("Weekly Linux talk show with no script, no limits, surprise guests and tons of opinion.")
    );
    let fedora = unplugged.episodes.iter().find(|e| e.title == "384: Born To Run Fedora").unwrap();
    let hosts: Vec<_> = fedora.credits.persons.iter().map(|p| (p.name.as_str(), p.role.as_deref())).collect();
    assert_eq!(hosts, [("Chris Fisher", Some("host")), ("Wes Payne", Some("host"))]);

    let se_radio = read("se-radio.xml");
    assert_eq!(se_radio.podcast.subtitle.as_deref(), Some("Information for Software Developers and Architects"));

    let races = read("at-the-races-bad-duration.xml");
    let junk = races.episodes.iter().find(|e| e.guid.as_deref().is_some_and(|g| g.ends_with("p=24460"))).unwrap();
    assert_eq!(junk.duration_secs, None, "a URL in itunes:duration is no duration");
}
