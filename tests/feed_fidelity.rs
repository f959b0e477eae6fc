//! Everything a feed says, kept: the fallbacks and precedences other podcast apps apply, each on a
//! small feed written for it (tests/fixtures/feeds), every expected value read off the fixture.

mod common;

use std::process::Command;

use chrono::{TimeZone, Utc};
use common::server::{Route, TestServer};
use hark::feed::parse_feed;
use hark::model::{NewEpisode, ParsedFeed};
use url::Url;

fn parsed(name: &str) -> ParsedFeed {
    let bytes = common::fixture_bytes(&format!("feeds/{name}"));
    parse_feed(&bytes, &Url::parse("https://feeds.example.org/feed.xml").unwrap()).unwrap()
}

fn episode<'a>(feed: &'a ParsedFeed, guid: &str) -> &'a NewEpisode {
    feed.episodes.iter().find(|e| e.guid.as_deref() == Some(guid)).unwrap_or_else(|| panic!("no episode {guid}"))
}

#[test]
fn an_empty_description_hides_no_itunes_summary_for_the_show_or_the_episode() {
    let feed = parsed("summary-only.xml");
    assert_eq!(feed.podcast.description.as_deref(), Some("Stories told by the harbour master, one tide at a time."));
    assert_eq!(episode(&feed, "qh-1").notes_html.as_deref(), Some("Where the harbour master meets the night ferry."));
}

#[test]
fn a_media_thumbnail_alone_or_in_a_group_is_the_episodes_picture() {
    let feed = parsed("media-thumbnails.xml");
    assert_eq!(episode(&feed, "tt-1").image_url.as_deref(), Some("https://img.example.org/tt/alone.jpg"));
    assert_eq!(episode(&feed, "tt-2").image_url.as_deref(), Some("https://img.example.org/tt/group.jpg"));
}

#[test]
fn durations_dates_and_notes_are_read_as_other_readers_read_them() {
    let feed = parsed("durations-and-dates.xml");
    let default_ns = episode(&feed, "oc-default-ns");
    assert_eq!(default_ns.duration_secs, Some(12 * 60 + 34), "itunes:duration declared as a default namespace");
    assert_eq!(
        default_ns.published,
        Some(Utc.with_ymd_and_hms(2010, 9, 25, 1, 30, 0).unwrap()),
        "a weekday without its comma"
    );

    let junk = episode(&feed, "oc-junk");
    assert_eq!(junk.duration_secs, None, "a duration that is a URL is unknown, not a number scraped out of it");
    assert_eq!(junk.published, Some(Utc.with_ymd_and_hms(2011, 1, 3, 18, 31, 50).unwrap()), "a three-digit hour, CST");
    assert_eq!(
        junk.notes_html.as_deref(),
        Some("<p>The full notes, from content:encoded.</p>"),
        "content:encoded under a misspelt namespace URI (no trailing slash) is still the notes"
    );

    let preview = episode(&feed, "oc-preview");
    assert_eq!(preview.duration_secs, Some(83), "the alternate enclosure's duration is not the episode's");
    assert_eq!(preview.chapters_url, None, "nor its chapters");
    assert!(preview.transcripts.is_empty(), "nor its transcript");
    assert_eq!(preview.enclosure.url, "https://media.example.org/oc/preview.mp3");
    assert_eq!(preview.published, Some(Utc.with_ymd_and_hms(2011, 1, 4, 7, 0, 0).unwrap()));
}

#[test]
fn in_atom_the_content_is_the_notes_even_when_the_summary_is_longer() {
    let feed = parsed("atom-content.xml");
    assert_eq!(feed.episodes[0].notes_html.as_deref(), Some("<p>The content.</p>"));
}

#[test]
fn undated_episodes_keep_their_feed_order_and_subscribe_counts_what_the_library_holds() {
    let server = TestServer::start();
    server.set("/undated.xml", Route::ok(common::fixture_bytes("feeds/undated.xml"), "application/rss+xml"));
    let data = tempfile::tempdir().unwrap();
    let hark = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_hark")).arg("--data-dir").arg(data.path()).args(args).output().unwrap()
    };
    let subscribed = hark(&["subscribe", &server.url("/undated.xml")]);
    assert!(subscribed.status.success(), "{}", String::from_utf8_lossy(&subscribed.stderr));
    let said = String::from_utf8_lossy(&subscribed.stdout);
    assert!(said.contains("(3 episodes)"), "four items, one repeated exactly: three episodes: {said}");
    let listed: serde_json::Value = serde_json::from_slice(&hark(&["episodes", "--json"]).stdout).unwrap();
    let titles: Vec<&str> = listed.as_array().unwrap().iter().map(|e| e["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["First in the feed", "Second in the feed", "Third in the feed"]);
}
