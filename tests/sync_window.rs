//! The Sync window, driven through egui_kittest against podsync on 127.0.0.1: opened from the
//! toolbar, an account saved, and the net service's sync (NetCommand::Sync, NetEvent::Synced)
//! bringing in the show and the place another device reported, said in one line.

mod common;

use std::time::{Duration, Instant};

use common::feeds::{Item, rss};
use common::gpodder::{Backend, Podsync, http};
use common::server::{Route, TestServer};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use hark::app::{AppOptions, HarkApp};
use hark::model::sync::SyncKind;
use hark::paths::AppPaths;
use hark::player::OutputChoice;
use hark::ui::sync::SyncForm;

const PASSWORD: &str = "window password";

#[test]
fn the_sync_window_sets_up_an_account_and_says_what_a_sync_brought() {
    let Some(podsync) = Podsync::start(Backend::Sql) else { return };
    podsync.add_user("alice", PASSWORD);
    // SAFETY: set before any thread of this test process reads the environment.
    unsafe { std::env::set_var("HARK_SECRET_STORE", "file") };
    let feeds = TestServer::start();
    let items = [Item { guid: "w1", title: "Window One", url: "http://127.0.0.1:9/w1.mp3" }];
    feeds.set("/feed.xml", Route::ok(rss("Window Show", &items), "application/rss+xml"));
    let feed = feeds.url("/feed.xml");

    // The phone follows the show and reached 0:45 of its episode.
    let auth = Some(("alice", PASSWORD));
    let device = format!("{}/api/2/devices/alice/phone.json", podsync.url());
    let body = serde_json::json!({"caption": "Phone", "type": "mobile"}).to_string();
    assert_eq!(http("POST", &device, auth, Some(&body)).0, 200);
    let phone = format!("{}/api/2/subscriptions/alice/phone.json", podsync.url());
    let body = serde_json::json!({"add": [feed], "remove": []}).to_string();
    assert_eq!(http("POST", &phone, auth, Some(&body)).0, 200);
    let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S").to_string();
    let action = serde_json::json!([{"podcast": feed, "episode": items[0].url, "device": "phone", "action": "play",
        "timestamp": now, "started": 0, "position": 45, "total": 60}]);
    let episodes = format!("{}/api/2/episodes/alice.json", podsync.url());
    assert_eq!(http("POST", &episodes, auth, Some(&action.to_string())).0, 200);

    common::init();
    let data = tempfile::tempdir().unwrap();
    let paths = AppPaths::inside(data.path());
    let options = AppOptions { audio: OutputChoice::Null, timed_refresh: false, media_keys: false, directories: None };
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_eframe(move |cc| HarkApp::new(&cc.egui_ctx, paths, options).expect("the app starts"));
    harness.run_steps(2);
    harness.get_by_label("Sync").click();
    harness.run_steps(3);
    harness.get_by_label("Not set up: give your server below.");

    harness.state_mut().state.sync.form = SyncForm {
        kind: SyncKind::Gpodder,
        server: podsync.url(),
        user: "alice".into(),
        password: PASSWORD.into(),
        device: "Desk".into(),
    };
    harness.run_steps(1);
    harness.get_by_label("Save and sync").click();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        harness.step();
        let status = harness.state().state.sync.status.clone();
        if status.as_ref().is_some_and(|s| s.last_result.is_some() || s.last_error.is_some()) {
            break;
        }
        assert!(Instant::now() < deadline, "no sync ended: {status:?}");
        std::thread::sleep(Duration::from_millis(15));
    }
    harness.run_steps(3);
    let status = harness.state().state.sync.status.clone().unwrap();
    assert_eq!(status.last_error, None);
    assert_eq!(status.last_result.as_deref(), Some("+1 subscription, 1 position; 1 change sent"));
    assert_eq!(status.device, "desk");
    harness.get_by_label("Synced just now: +1 subscription, 1 position; 1 change sent");
    let shows: Vec<String> = harness.state().state.podcasts.iter().map(|p| p.title.clone()).collect();
    assert!(shows.contains(&"Window Show".to_string()), "{shows:?}");
    let library = harness.state().library();
    let episode = library.episodes(None).unwrap().into_iter().find(|e| e.title == "Window One").unwrap();
    assert_eq!(episode.position_secs, 45.0, "the phone's place");
    assert!(harness.state().state.sync.form.password.is_empty(), "the form forgets the password");
}
