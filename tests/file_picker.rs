//! On a desktop with no file-chooser portal, Import OPML, Export OPML and the download folder
//! open the window's own picker (never a silent no-op), driven here by label through
//! egui_kittest: an OPML file picked is imported, an export is written where it was saved, and
//! a folder picked becomes the download folder with the downloads moved into it.

mod common;

use std::path::Path;

use common::feeds::{Item, rss};
use common::server::{Route, TestServer};
use common::window::{self, run_until};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use hark::app::HarkApp;

fn app(data: &Path) -> Harness<'static, HarkApp> {
    window::app_sized(data, egui::vec2(1200.0, 760.0), window::test_options())
}

fn menu(harness: &mut Harness<'_, HarkApp>, item: &str) {
    harness.get_by_label("File").click();
    harness.run_steps(2);
    harness.get_by_label(item).click();
    harness.run_steps(3);
}

#[test]
fn without_a_portal_import_export_and_the_download_folder_use_the_windows_own_picker() {
    let home = tempfile::tempdir().unwrap();
    // SAFETY: this test binary has this one test; nothing else reads the environment meanwhile.
    unsafe {
        std::env::set_var("HOME", home.path());
        // No session bus, so no portal: what a bare X session has.
        std::env::set_var("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus");
    }
    let server = TestServer::start();
    let items = [Item { guid: "a1", title: "First", url: "http://127.0.0.1:9/a1.mp3" }];
    server.set("/a.xml", Route::ok(rss("Show From OPML", &items), "application/rss+xml"));
    std::fs::write(
        home.path().join("friends.opml"),
        format!(
            "<?xml version=\"1.0\"?><opml version=\"2.0\"><body>\
             <outline type=\"rss\" text=\"Show From OPML\" xmlUrl=\"{}\"/></body></opml>",
            server.url("/a.xml")
        ),
    )
    .unwrap();
    let data = home.path().join("data");
    let mut harness = app(&data);
    harness.run_steps(3);

    menu(&mut harness, "Import OPML…");
    run_until(&mut harness, "the picker", |h| h.query_by_label_contains("Import podcasts").is_some());
    harness.get_by_label("🗋 friends.opml").click();
    harness.run_steps(2);
    harness.get_by_label("Open").click();
    run_until(&mut harness, "the import", |h| {
        h.state().library().podcasts().unwrap().iter().any(|p| p.title == "Show From OPML")
    });

    menu(&mut harness, "Export OPML…");
    run_until(&mut harness, "the picker", |h| h.query_by_label_contains("Export podcasts").is_some());
    harness.get_by_label("Save").click();
    let exported = home.path().join("hark-subscriptions.opml");
    run_until(&mut harness, "the export", |_| exported.exists());
    let written = std::fs::read_to_string(&exported).unwrap();
    assert!(written.contains(&server.url("/a.xml")), "{written}");

    // Esc closes it like every other dialog.
    menu(&mut harness, "Import OPML…");
    run_until(&mut harness, "the picker", |h| h.query_by_label_contains("Import podcasts").is_some());
    harness.key_press(egui::Key::Escape);
    run_until(&mut harness, "the picker to close", |h| h.state().state.file_picker.is_none());

    // The download folder: a new folder picked in the picker becomes the library's, and the
    // demo show's three downloaded episodes move into it.
    std::fs::create_dir_all(data.join("Podcasts")).unwrap();
    menu(&mut harness, "Preferences…");
    harness.get_by_label("Choose…").click();
    run_until(&mut harness, "the folder picker", |h| h.query_by_label("🗀 Podcasts").is_some());
    harness.get_by_label("🗀 Podcasts").click();
    harness.run_steps(2);
    harness.get_by_label("Open").click();
    run_until(&mut harness, "the move", |h| {
        h.state().state.notice.as_ref().is_some_and(|n| n.text.starts_with("Moved 3 downloads"))
    });
    let library = hark::library::Library::open(&data.join("library.sqlite3")).unwrap();
    assert_eq!(library.download_folder().unwrap(), Some(data.join("Podcasts")));
    let downloaded = library.downloaded_episodes().unwrap();
    assert_eq!(downloaded.len(), 3);
    for episode in downloaded {
        let path = std::path::PathBuf::from(episode.path.unwrap());
        assert!(path.starts_with(data.join("Podcasts")) && path.is_file(), "{}", path.display());
    }
}
