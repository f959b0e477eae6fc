//! Rules the window and the CLI share, checked from both ends: the same library in the same
//! state gets the same answer from each.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::cli::hark;
use common::feeds::{Item, rss};
use common::server::{Route, TestServer};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use hark::app::{AppOptions, HarkApp};
use hark::library::Library;
use hark::library::keys::PARALLEL_DOWNLOADS;
use hark::net::RefreshOutcome;
use hark::paths::AppPaths;
use hark::player::OutputChoice;

/// The window as the tests run it, but with its refresh timer, as it runs for a listener: shows
/// last refreshed longer than the interval ago are refreshed at launch.
fn window_refreshing(data: &Path) -> Harness<'static, HarkApp> {
    common::init();
    let nowhere = hark::net::directory::Directories { itunes_url: "http://127.0.0.1:9".into(), podcast_index: None };
    let options =
        AppOptions { audio: OutputChoice::Null, timed_refresh: true, media_keys: false, directories: Some(nowhere) };
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
        let item = Item { guid: name, title: name, url: "http://127.0.0.1:9/one.mp3" };
        server.set(&format!("/{name}.xml"), Route::ok(rss(name, &[item]), "application/rss+xml"));
        common::subscribe(&mut library, &server.url(&format!("/{name}.xml")));
    }
}

/// The shows were last refreshed a day ago: the window's timer refreshes them at launch.
fn last_refreshed_a_day_ago(data: &Path) {
    let day_ago = chrono::Utc::now().timestamp() - 86_400;
    rusqlite::Connection::open(data.join("library.sqlite3"))
        .unwrap()
        .execute("UPDATE podcasts SET last_refresh = ?1", [day_ago])
        .unwrap();
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

    last_refreshed_a_day_ago(data.path());
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

/// A show whose one episode's notes give a time with a fraction, as a link and in a chapter list.
fn show_with_timed_notes(server: &TestServer) -> String {
    let notes = "<p>The answer comes at 1:02:03.5, listen.</p>\
                 <p>0:00 Hello<br/>1:02:03.5 The answer<br/>1:10:00 Goodbye</p>";
    let feed = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Timed</title>
        <item><guid>t1</guid><title>Timed Notes</title><description><![CDATA[{notes}]]></description>
        <enclosure url="{}" type="audio/mpeg" length="1000"/></item></channel></rss>"#,
        server.url("/t1.mp3")
    );
    server.set("/timed.xml", Route::ok(feed, "application/rss+xml"));
    server.url("/timed.xml")
}

fn window(data: &Path) -> Harness<'static, HarkApp> {
    common::init();
    let options = AppOptions { audio: OutputChoice::Null, timed_refresh: false, media_keys: false, directories: None };
    let paths = AppPaths::inside(data);
    Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_eframe(move |cc| HarkApp::new(&cc.egui_ctx, paths, options).expect("the app starts"))
}

#[test]
fn a_time_in_the_notes_is_the_same_second_as_a_link_in_the_window_and_as_a_chapter_in_the_cli() {
    common::init();
    let server = TestServer::start();
    let data = tempfile::tempdir().unwrap();
    let url = show_with_timed_notes(&server);
    assert!(hark(data.path(), &["subscribe", &url]).status.success());

    let cli = hark(data.path(), &["chapters", "Timed Notes", "--json"]);
    assert!(cli.status.success(), "{}", String::from_utf8_lossy(&cli.stderr));
    let chapters: serde_json::Value = serde_json::from_slice(&cli.stdout).unwrap();
    let starts: Vec<f64> = chapters.as_array().unwrap().iter().map(|c| c["start_secs"].as_f64().unwrap()).collect();
    assert_eq!(starts, [0.0, 3723.5, 4200.0], "the CLI's chapters from the notes");

    let mut window = window(data.path());
    window.run_steps(2);
    window.get_by_label("Timed Notes").click();
    window.run_steps(3);
    let page = window.state().state.episode_page.as_ref().expect("the episode page is open");
    let links: Vec<_> = page.notes.links().cloned().collect();
    assert_eq!(links.first(), Some(&hark::notes::Link::Timestamp(3723.5)), "the window's link: {links:?}");
    let window_chapter = page.chapters.list.iter().find(|c| c.title == "The answer").map(|c| c.start_secs);
    assert_eq!(window_chapter, Some(3723.5), "the window's chapter");
}

#[test]
fn a_download_deleted_by_hand_is_gone_for_the_window_and_the_cli_alike() {
    common::init();
    let server = TestServer::start();
    let data = tempfile::tempdir().unwrap();
    let url = show_with_timed_notes(&server);
    assert!(hark(data.path(), &["subscribe", &url]).status.success());
    let mut library = Library::open(&data.path().join("library.sqlite3")).unwrap();
    let episode = library.episodes(None).unwrap()[0].id;
    let file = data.path().join("downloads/timed.mp3");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, b"some audio").unwrap();
    library.set_downloaded(episode, Some(&file)).unwrap();
    let listed = String::from_utf8(hark(data.path(), &["downloads"]).stdout).unwrap();
    assert!(listed.contains("done") && listed.contains("Timed Notes"), "while it is there: {listed}");

    std::fs::remove_file(&file).unwrap();
    let listed = String::from_utf8(hark(data.path(), &["downloads"]).stdout).unwrap();
    assert!(!listed.contains("Timed Notes"), "the CLI no longer lists it: {listed}");
    library.set_downloaded(episode, Some(&file)).unwrap();

    let mut window = window(data.path());
    window.run_steps(2);
    window.get_by_label("⬇ Downloads").click();
    window.run_steps(3);
    assert!(window.state().state.downloads_window.finished.is_empty(), "the window's Downloads no longer lists it");
    assert!(!window.state().library().episode(episode).unwrap().summary.downloaded, "and the row is repaired");
}
