//! Rules the window and the CLI share, checked from both ends: the same library in the same
//! state gets the same answer from each.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::feeds::{Item, rss};
use common::server::{Route, TestServer};
use egui_kittest::Harness;
use hark::app::{AppOptions, HarkApp};
use hark::library::Library;
use hark::library::keys::PARALLEL_DOWNLOADS;
use hark::net::RefreshOutcome;
use hark::paths::AppPaths;
use hark::player::OutputChoice;

/// The window as the tests run it, but refreshing every show at launch, as it does for a listener.
fn window_refreshing(data: &Path) -> Harness<'static, HarkApp> {
    common::init();
    let nowhere = hark::net::directory::Directories { itunes_url: "http://127.0.0.1:9".into(), podcast_index: None };
    let options =
        AppOptions { audio: OutputChoice::Null, refresh_on_start: true, media_keys: false, directories: Some(nowhere) };
    let paths = AppPaths::inside(data);
    Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_eframe(move |cc| HarkApp::new(&cc.egui_ctx, paths, options).expect("the app starts"))
}

/// Three shows followed, whose server is then gone: as the network looks from a train.
fn three_shows_offline(data: &Path) {
    common::init();
    let server = TestServer::start();
    let mut library = Library::open(&data.join("library.sqlite3")).unwrap();
    for name in ["a", "b", "c"] {
        let item = Item { guid: name, title: name, url: "https://cdn.example.com/one.mp3" };
        server.set(&format!("/{name}.xml"), Route::ok(rss(name, &[item]), "application/rss+xml"));
        common::subscribe(&mut library, &server.url(&format!("/{name}.xml")));
    }
}

#[test]
fn the_window_and_the_cli_say_offline_in_the_same_words() {
    let data = tempfile::tempdir().unwrap();
    three_shows_offline(data.path());
    let said = RefreshOutcome::of(3, 3, 0).summary();

    let cli = Command::new(env!("CARGO_BIN_EXE_hark"))
        .arg("--data-dir")
        .arg(data.path())
        .arg("refresh")
        .env_remove("HARK_DATA_DIR")
        .output()
        .expect("run hark");
    assert!(!cli.status.success());
    let line = String::from_utf8_lossy(&cli.stderr).into_owned();
    assert!(line.starts_with(&format!("error: {said}, e.g. ")), "{line}");

    let mut window = window_refreshing(data.path());
    let deadline = Instant::now() + Duration::from_secs(20);
    while window.state().state.notice.is_none() {
        assert!(Instant::now() < deadline, "the refresh at launch never finished");
        window.step();
        std::thread::sleep(Duration::from_millis(15));
    }
    let notice = window.state().state.notice.as_ref().unwrap();
    assert_eq!(notice.text, said);
    assert!(!notice.is_error, "offline is a state, not an error");
}

#[test]
fn one_show_failing_is_not_offline() {
    for (podcasts, failed) in [(1, 1), (3, 2)] {
        let outcome = RefreshOutcome::of(podcasts, failed, 0);
        assert!(!matches!(outcome, RefreshOutcome::Offline { .. }), "{podcasts} shows, {failed} failed");
        assert!(!outcome.summary().contains("offline"), "{}", outcome.summary());
    }
}

#[test]
fn the_parallel_downloads_setting_is_read_within_range() {
    let mut library = Library::in_memory().unwrap();
    assert_eq!(hark::net::parallel_downloads(&library).unwrap(), 3, "the default");
    for (stored, read) in [("5", 5), (" 7 ", 7), ("0", 1), ("99", 10), ("-2", 3), ("many", 3)] {
        library.set_setting(PARALLEL_DOWNLOADS, stored).unwrap();
        assert_eq!(hark::net::parallel_downloads(&library).unwrap(), read, "stored {stored:?}");
    }
}
