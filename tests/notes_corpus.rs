//! Conformance over the shared corpus of real feeds (`common::corpus_dir`; skipped without it):
//! their show notes become documents with their headings, list items, links and timestamps, and
//! nothing unsafe survives. tests/feed_quirks.rs tests the same on notes of our own, always.

mod common;

use hark::feed::parse_feed;
use hark::notes::{Block, Document, Link};
use url::Url;

/// The notes of every episode of a corpus feed; None when the corpus is not here.
fn documents(file: &str) -> Option<Vec<Document>> {
    let bytes = std::fs::read(common::corpus_dir()?.join("feeds").join(file)).unwrap();
    let feed = parse_feed(&bytes, &Url::parse("https://example.com/feed.xml").unwrap()).unwrap();
    Some(feed.episodes.iter().map(|e| Document::from_notes(e.notes_html.as_deref().unwrap_or_default())).collect())
}

struct Counts {
    headings: usize,
    list_items: usize,
    web_links: usize,
    timestamps: usize,
}

fn counts(docs: &[Document]) -> Counts {
    let mut c = Counts { headings: 0, list_items: 0, web_links: 0, timestamps: 0 };
    for doc in docs {
        for block in &doc.blocks {
            match block {
                Block::Heading { .. } => c.headings += 1,
                Block::ListItem { marker: Some(_), .. } => c.list_items += 1,
                _ => {}
            }
        }
        for link in doc.links() {
            match link {
                Link::Web(url) => {
                    assert!(url.starts_with("http://") || url.starts_with("https://") || url.starts_with("mailto:"));
                    c.web_links += 1;
                }
                Link::Timestamp(_) => c.timestamps += 1,
            }
        }
    }
    c
}

#[test]
fn the_daily_notes_keep_their_paragraphs_and_links() {
    let Some(docs) = documents("the-daily.xml") else { return };
    assert_eq!(docs.len(), 845);
    let c = counts(&docs);
    assert!(c.web_links > 845, "links in The Daily's notes: {}", c.web_links);
    let text = docs[0].plain_text();
    assert!(!text.contains('<') && !text.contains("&amp;"), "no markup left: {text}");
}

#[test]
fn linux_unplugged_notes_have_their_link_lists() {
    let Some(docs) = documents("linux-unplugged-2020-12-19.xml") else { return };
    let c = counts(&docs);
    assert!(c.list_items > 1000, "list items: {}", c.list_items);
    assert!(c.web_links > 1000, "links: {}", c.web_links);
}

#[test]
fn cre_podlove_notes_have_headings_lists_and_links() {
    let Some(docs) = documents("cre-podlove.xml") else { return };
    let c = counts(&docs);
    assert!(c.headings > 100, "headings: {}", c.headings);
    assert!(c.list_items > 1000, "list items: {}", c.list_items);
    assert!(c.web_links > 2000, "links: {}", c.web_links);
    assert!(c.timestamps > 100, "timestamps: {}", c.timestamps);
}
