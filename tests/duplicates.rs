//! A second address of a followed feed adds nothing and says "You already follow …", by every
//! route: another spelling of the address (known without the network), a redirect, the address
//! the feed gives itself, the home it says it moved to, and the same podcast:guid — in the CLI and
//! in the window, in the same words.

mod common;

use std::path::Path;

use common::cli::{hark, stdout};
use common::feeds::{Item, rss_with};
use common::server::{Route, TestServer};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use hark::app::{AppOptions, HarkApp};
use hark::paths::AppPaths;
use hark::player::OutputChoice;

const GUID: &str = "917393e3-1b1e-5cef-ace4-edaa54e1f810";

fn items() -> Vec<Item<'static>> {
    vec![
        Item { guid: "d1", title: "First", url: "http://127.0.0.1:9/1.mp3" },
        Item { guid: "d2", title: "Second", url: "http://127.0.0.1:9/2.mp3" },
    ]
}

/// The followed show at /show.xml, and the other addresses that lead to it.
fn server() -> TestServer {
    let server = TestServer::start();
    let feed = |extra: &str| {
        let channel = format!(
            r#"<podcast:guid xmlns:podcast="https://podcastindex.org/namespace/1.0">{GUID}</podcast:guid>{extra}"#
        );
        Route::ok(rss_with("The Show", &channel, &items()), "application/rss+xml")
    };
    server.set("/show.xml", feed(""));
    // The address the show is followed at.
    let home = server.url("/show.xml").replace("127.0.0.1", "localhost");
    server.set("/old.xml", Route::redirect(301, &home));
    let self_link = format!(r#"<atom:link xmlns:atom="http://www.w3.org/2005/Atom" rel="self" href="{home}"/>"#);
    // A mirror that names the real address as its own, with no guid of its own.
    server.set("/mirror.xml", Route::ok(rss_with("The Show (mirror)", &self_link, &items()), "application/rss+xml"));
    let moved = format!("<itunes:new-feed-url>{home}</itunes:new-feed-url>");
    server.set("/moving.xml", Route::ok(rss_with("The Show (old home)", &moved, &items()), "application/rss+xml"));
    // Another host's copy of the feed: only the guid says it is the same show.
    server.set("/copy.xml", feed(""));
    server
}

fn podcast_count(data: &Path) -> usize {
    let json: serde_json::Value = serde_json::from_str(&stdout(&hark(data, &["podcasts", "--json"]))).unwrap();
    json.as_array().unwrap().len()
}

#[test]
fn every_second_address_of_a_followed_feed_says_so_and_adds_nothing() {
    let server = server();
    let data = tempfile::tempdir().unwrap();
    // Followed by a name (so that `www.` can be put before it).
    let show = server.url("/show.xml").replace("127.0.0.1", "localhost");
    let subscribed = hark(data.path(), &["subscribe", &show]);
    assert!(subscribed.status.success(), "{}", common::cli::stderr(&subscribed));
    let requests_before = server.requests("/show.xml").len();
    let said = "You already follow \"The Show\" (2 episodes)";

    let port_and_path = show.trim_start_matches("http://localhost");
    let spellings = [
        show.replace("http://", "https://"),
        format!("http://www.localhost{port_and_path}"),
        format!("{show}/"),
        show.replace("/show.xml", "//show.xml"),
        format!("{show}?utm_source=newsletter&utm_medium=email"),
    ];
    for spelling in &spellings {
        let out = hark(data.path(), &["subscribe", spelling]);
        assert!(out.status.success(), "{spelling}");
        assert_eq!(stdout(&out).trim(), said, "{spelling}");
    }
    assert_eq!(server.requests("/show.xml").len(), requests_before, "spellings are known without the network");

    for (route, path) in [
        ("a redirect", "/old.xml"),
        ("its self link", "/mirror.xml"),
        ("its new home", "/moving.xml"),
        ("podcast:guid", "/copy.xml"),
    ] {
        let out = hark(data.path(), &["subscribe", &server.url(path)]);
        assert!(out.status.success(), "{route}");
        assert_eq!(stdout(&out).trim(), said, "{route}");
    }
    assert_eq!(podcast_count(data.path()), 1, "nothing was added");
}

#[test]
fn the_window_says_it_in_the_same_words_and_opens_the_show() {
    common::init();
    let server = server();
    let data = tempfile::tempdir().unwrap();
    let home = server.url("/show.xml").replace("127.0.0.1", "localhost");
    assert!(hark(data.path(), &["subscribe", &home]).status.success());
    let nowhere = hark::net::directory::Directories { itunes_url: "http://127.0.0.1:9".into(), podcast_index: None };
    let options =
        AppOptions { audio: OutputChoice::Null, timed_refresh: false, media_keys: false, directories: Some(nowhere) };
    let paths = AppPaths::inside(data.path());
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_eframe(move |cc| HarkApp::new(&cc.egui_ctx, paths, options).expect("the app starts"));
    harness.run_steps(2);
    for address in [home.replace("http://", "https://"), server.url("/copy.xml")] {
        harness.get_by_label("Add podcast").click();
        harness.run_steps(1);
        harness.get_by_label("Add podcast").type_text(&address);
        harness.run_steps(1);
        harness.get_by_label("Add").click();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while harness.state().state.notice.is_none() {
            assert!(std::time::Instant::now() < deadline, "no answer for {address}");
            harness.step();
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let notice = harness.state().state.notice.clone().unwrap();
        assert_eq!(notice.text, "You already follow \"The Show\" (2 episodes)", "{address}");
        assert!(!notice.is_error);
        assert!(harness.query_by_label("Second").is_some(), "the show is open");
        harness.state_mut().state.notice = None;
    }
    assert_eq!(harness.state().library().podcasts().unwrap().len(), 1);
}
