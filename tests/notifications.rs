//! New episodes come to the open window by themselves: with `refresh-interval 1m`, a loopback
//! feed that gains an episode lands it in the Inbox, a `Notify` call reaches a stand-in
//! notification server on a private session bus, auto-download fetches it and keep-N deletes the
//! oldest played download; `hark config` run meanwhile changes the skip step the window shows,
//! and a click on the notification opens the Inbox. Nothing is clicked in the window.
//! Its own test binary: it points the process at the private bus through the environment.

mod common;

use std::collections::HashMap;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::feeds::{Item, rss};
use common::server::{Route, TestServer};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use hark::app::{AppOptions, HarkApp};
use hark::desktop::instance::{Claim, Handoff, claim};
use hark::library::Library;
use hark::paths::AppPaths;
use hark::player::OutputChoice;

/// What a desktop's notification server was asked: (app name, summary, body, actions, hints'
/// desktop-entry).
type Notified = Arc<Mutex<Vec<(String, String, String, Vec<String>, String)>>>;

struct StandIn {
    notified: Notified,
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl StandIn {
    #[allow(clippy::too_many_arguments)]
    fn notify(
        &self,
        app_name: String,
        _replaces_id: u32,
        _app_icon: String,
        summary: String,
        body: String,
        actions: Vec<String>,
        hints: HashMap<String, zbus::zvariant::OwnedValue>,
        _expire_timeout: i32,
    ) -> u32 {
        let entry = hints.get("desktop-entry").and_then(|v| String::try_from(v.clone()).ok()).unwrap_or_default();
        let mut notified = self.notified.lock().unwrap();
        notified.push((app_name, summary, body, actions, entry));
        notified.len() as u32
    }

    fn get_capabilities(&self) -> Vec<String> {
        vec!["body".into(), "actions".into()]
    }

    fn get_server_information(&self) -> (String, String, String, String) {
        ("stand-in".into(), "hark tests".into(), "1".into(), "1.2".into())
    }

    fn close_notification(&self, _id: u32) {}
}

fn items<'a>(titles: &[(&'a str, &'a str)], url: &'a str) -> Vec<Item<'a>> {
    titles.iter().map(|(guid, title)| Item { guid, title, url }).collect()
}

#[test]
fn a_new_episode_reaches_the_inbox_the_desktop_and_the_disk_with_no_click() {
    common::init();
    let bus = common::bus::private_bus();
    // SAFETY: this test binary has this one test; nothing else reads the environment meanwhile.
    unsafe { std::env::set_var("DBUS_SESSION_BUS_ADDRESS", &bus.address) };
    let notified: Notified = Arc::default();
    let stand_in = zbus::blocking::connection::Builder::address(bus.address.as_str())
        .unwrap()
        .name("org.freedesktop.Notifications")
        .unwrap()
        .serve_at("/org/freedesktop/Notifications", StandIn { notified: notified.clone() })
        .unwrap()
        .build()
        .expect("the stand-in notification server");

    let server = TestServer::start();
    server.set("/audio.mp3", Route::ok(common::fixture_bytes("tone-cbr.mp3"), "audio/mpeg"));
    let audio = server.url("/audio.mp3");
    server.set(
        "/morning.xml",
        Route::ok(rss("Morning Show", &items(&[("m1", "Episode One")], &audio)), "application/rss+xml"),
    );
    let data = tempfile::tempdir().unwrap();
    let paths = AppPaths::inside(data.path());
    paths.create_all().unwrap();
    let mut library = Library::open(&paths.database()).unwrap();
    common::subscribe(&mut library, &server.url("/morning.xml"));
    // Episode One was heard and downloaded; at most one download is kept per show.
    let one = library.find_episode("Episode One").unwrap();
    let one_file = paths.downloads().join("one.mp3");
    std::fs::write(&one_file, common::fixture_bytes("tone-cbr.mp3")).unwrap();
    library.set_downloaded(one, Some(&one_file)).unwrap();
    library.set_played(one, true).unwrap();
    library.dismiss_inbox(None).unwrap();
    for (key, value) in [("refresh-interval", "1m"), ("auto-download", "1"), ("keep-downloads", "1")] {
        hark::preferences::set(&mut library, key, value).unwrap();
    }
    drop(library);

    let options = AppOptions { audio: OutputChoice::Null, timed_refresh: true, media_keys: false, directories: None };
    let window_paths = paths.clone();
    let mut harness = Harness::builder().with_size(egui::vec2(1280.0, 800.0)).build_eframe(move |cc| {
        let app = HarkApp::new(&cc.egui_ctx, window_paths.clone(), options).expect("the app starts");
        // As `HarkApp::run` does: later `hark` commands find this window.
        if let Claim::First(Some(listener)) = claim(&window_paths.data_dir, &Handoff::Raise) {
            listener.serve(app.handoffs(), Arc::new(hark::NoWaker));
        }
        app
    });
    let opened = Instant::now();
    // The feed gains an episode while the window is open.
    let two = [("m1", "Episode One"), ("m2", "Episode Two")];
    server.set("/morning.xml", Route::ok(rss("Morning Show", &items(&two, &audio)), "application/rss+xml"));

    let step_until = |harness: &mut Harness<'_, HarkApp>,
                      what: &str,
                      limit: Duration,
                      done: &dyn Fn(&Harness<'_, HarkApp>) -> bool| {
        let deadline = Instant::now() + limit;
        while !done(harness) {
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            harness.step();
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    // A setting changed from the command line while the window is open is followed at once.
    let config = Command::new(env!("CARGO_BIN_EXE_hark"))
        .arg("--data-dir")
        .arg(data.path())
        .args(["config", "skip-forward", "20"])
        .env_remove("HARK_DATA_DIR")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&config.stdout).contains("skip-forward is 20 (the open window follows)"));
    step_until(&mut harness, "the new skip step", Duration::from_secs(5), &|h| {
        h.query_by_label("Skip 20 seconds").is_some() && h.query_by_label("Skip 30 seconds").is_none()
    });

    step_until(&mut harness, "the timed refresh", Duration::from_secs(90), &|h| h.state().state.inbox.count == 1);
    let waited = opened.elapsed();
    assert!(waited >= Duration::from_secs(55), "not before the interval: {waited:?}");
    assert!(harness.query_by_label("📥 Inbox (1)").is_some(), "the badge in the sidebar");
    step_until(&mut harness, "the notification", Duration::from_secs(10), &|_| !notified.lock().unwrap().is_empty());
    let (app_name, summary, body, actions, entry) = notified.lock().unwrap()[0].clone();
    assert_eq!((app_name.as_str(), summary.as_str(), body.as_str()), ("Hark", "New from Morning Show", "Episode Two"));
    assert_eq!(entry, hark::desktop::APP_ID);
    assert!(actions.contains(&"default".to_string()), "{actions:?}");
    assert_eq!(notified.lock().unwrap().len(), 1, "one notification for one refresh");

    // Auto-download fetched it; keep 1 deleted the played download it replaced.
    let library = Library::open(&paths.database()).unwrap();
    let two_id = library.find_episode("Episode Two").unwrap();
    step_until(&mut harness, "the auto-download", Duration::from_secs(20), &|_| {
        Library::open(&paths.database()).unwrap().episode(two_id).unwrap().summary.downloaded
    });
    step_until(&mut harness, "keep-N", Duration::from_secs(5), &|_| !one_file.exists());
    assert!(!library.episode(one).unwrap().summary.downloaded);

    // A click on the notification opens the window on the Inbox.
    assert!(!harness.state().state.inbox.open);
    stand_in
        .emit_signal(
            None::<&str>,
            "/org/freedesktop/Notifications",
            "org.freedesktop.Notifications",
            "ActionInvoked",
            &(1u32, "default"),
        )
        .unwrap();
    step_until(&mut harness, "the Inbox", Duration::from_secs(5), &|h| h.state().state.inbox.open);
    assert!(harness.query_by_label("Play: Episode Two").is_some(), "the Inbox lists it");
}
