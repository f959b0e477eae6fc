//! Errors in plain words, where they happened, once: an offline Play says so at the episode's
//! row (not in the notice line, not in the transport bar), and `hark play` in the same words;
//! a show whose refresh failed keeps its counts, gets a *Retry* on its row, and its page says
//! why in one line with the technical cause behind *Details*.

mod common;

use common::cli::stderr;
use common::feeds::{Item, rss};
use common::server::{Route, TestServer};
use common::window::{app_sized, run_until, test_options};
use egui_kittest::kittest::Queryable;
use hark::library::Library;
use hark::listening::Playback;

const OFFLINE: &str = "You're offline — this episode isn't downloaded yet";

/// A show whose audio is on a host no name lookup finds: what a machine without a network sees.
fn offline_show(data: &std::path::Path) -> hark::model::EpisodeId {
    let server = TestServer::start();
    let items = [Item { guid: "far", title: "Far Away Episode", url: "http://hark-offline-test.invalid/far.mp3" }];
    server.set("/feed.xml", Route::ok(rss("Offline Show", &items), "application/rss+xml"));
    std::fs::create_dir_all(data).unwrap();
    let mut library = Library::open(&data.join("library.sqlite3")).unwrap();
    common::subscribe(&mut library, &server.url("/feed.xml"));
    library.episodes(None).unwrap()[0].id
}

#[test]
fn an_offline_play_is_one_plain_line_at_the_row_and_the_same_words_in_the_cli() {
    let data = tempfile::tempdir().unwrap();
    let episode = offline_show(data.path());
    let mut harness = app_sized(data.path(), egui::vec2(1200.0, 760.0), test_options());
    harness.run_steps(3);
    harness.get_by_role_and_label(egui::accesskit::Role::Button, "Offline Show").click();
    run_until(&mut harness, "the episodes", |h| h.query_by_label("Far Away Episode").is_some());
    harness.get_by_label("Far Away Episode").click();
    run_until(&mut harness, "the page", |h| h.query_by_label("▶ Play").is_some());
    harness.get_by_label("▶ Play").click();
    run_until(&mut harness, "the failure", |h| matches!(h.state().state.transport.playback, Playback::Failed { .. }));
    harness.run_steps(2);
    let said = format!("⚠ {OFFLINE}");
    assert_eq!(harness.query_all_by_label(&said).count(), 1, "said once");
    let row = harness.get_by_label("▶ Far Away Episode").rect();
    let line = harness.get_by_label(&said).rect();
    assert!((row.center().y - line.center().y).abs() < 8.0, "on the episode's row: {row:?} {line:?}");
    assert!(harness.state().state.notice.is_none(), "not in the notice line: {:?}", harness.state().state.notice);
    assert!(harness.query_by_label(OFFLINE).is_none(), "not in the transport bar either");
    assert!(harness.state().state.downloads.is_empty(), "nor as a failed download");
    drop(harness);

    let output = std::process::Command::new(env!("CARGO_BIN_EXE_hark"))
        .arg("--data-dir")
        .arg(data.path())
        .args(["play", &episode.0.to_string()])
        .env("ALSA_CONFIG_PATH", "/dev/null")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let last = stderr(&output).lines().last().unwrap_or_default().to_string();
    assert_eq!(last, format!("error: {OFFLINE}"));
}

#[test]
fn a_failed_refresh_keeps_the_counts_offers_retry_and_has_details_on_the_page() {
    let server = TestServer::start();
    let items = [
        Item { guid: "a", title: "Kept One", url: "http://127.0.0.1:9/a.mp3" },
        Item { guid: "b", title: "Kept Two", url: "http://127.0.0.1:9/b.mp3" },
    ];
    let feed = rss("Flaky Show", &items);
    server.set("/feed.xml", Route::ok(feed.clone(), "application/rss+xml"));
    let data = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(data.path()).unwrap();
    let mut library = Library::open(&data.path().join("library.sqlite3")).unwrap();
    common::subscribe(&mut library, &server.url("/feed.xml"));
    server.set("/feed.xml", Route::status(503, "down for maintenance"));

    let mut harness = app_sized(data.path(), egui::vec2(1200.0, 760.0), test_options());
    harness.run_steps(3);
    harness.get_by_role_and_label(egui::accesskit::Role::Button, "Flaky Show").click();
    harness.run_steps(2);
    harness.get_by_label("⟳ Refresh all").click();
    run_until(&mut harness, "the failure on the row", |h| h.query_by_label("Retry Flaky Show").is_some());
    harness.run_steps(2);
    assert!(harness.query_by_label("2 unplayed").is_some(), "the counts stay");
    let said = "⚠ 127.0.0.1 had a problem on its side (HTTP 503)";
    assert_eq!(harness.query_all_by_label(said).count(), 1, "the page says why, once");
    assert!(harness.query_by_label_contains("answered HTTP 503").is_none(), "details stay folded");
    harness.get_by_label("Details").click();
    harness.run_steps(3);
    let details = format!("{} answered HTTP 503", server.url("/feed.xml"));
    assert!(harness.query_by_label(&details).is_some(), "the technical cause behind Details");

    server.set("/feed.xml", Route::ok(feed, "application/rss+xml"));
    harness.get_by_label("Retry Flaky Show").click();
    run_until(&mut harness, "the retry to clear it", |h| h.query_by_label("Retry Flaky Show").is_none());
    assert!(harness.query_by_label(said).is_none());
}
