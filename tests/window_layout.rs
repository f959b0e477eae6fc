//! The layout holds at every size the issue names (800×600, 1024×700, the default 1200×760,
//! 1920×1080, the 640×480 minimum) and at a scale factor of 2, for every view: the shows, a show
//! of 2,000 episodes, an episode page with chapters, and the dialogs (Downloads, Statistics,
//! Sync, Bookmarks, Listening settings, Preferences, the shortcuts, Discover, the transcript).
//! Every node the
//! accessibility tree has lies inside the window (a dialog's inside the dialog), and no two
//! interactive widgets of one layer overlap. A narrow window folds the shows into a drawer.

mod common;

use common::feeds::{Item, rss};
use common::server::{Route, TestServer};
use common::window::{run_until, test_options};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable, by};
use hark::app::HarkApp;
use hark::paths::AppPaths;

const SIZES: [(f32, f32); 5] = [(1200.0, 760.0), (1024.0, 700.0), (800.0, 600.0), (640.0, 480.0), (1920.0, 1080.0)];

fn window(data: &std::path::Path, (width, height): (f32, f32), scale: f32) -> Harness<'static, HarkApp> {
    common::init();
    let paths = AppPaths::inside(data);
    Harness::builder()
        .with_size(egui::vec2(width, height))
        .with_pixels_per_point(scale)
        .build_eframe(move |cc| HarkApp::new(&cc.egui_ctx, paths, test_options()).expect("the app starts"))
}

/// The window on a fresh library that follows the feed at `url`, drawn.
fn window_following(url: &str, size: (f32, f32)) -> (tempfile::TempDir, Harness<'static, HarkApp>) {
    let data = tempfile::tempdir().unwrap();
    let mut library = hark::library::Library::open(&data.path().join("library.sqlite3")).unwrap();
    common::subscribe(&mut library, url);
    drop(library);
    let mut harness = window(data.path(), size, 1.0);
    harness.run_steps(4);
    (data, harness)
}

/// A node as the layout checks see it: its name, where it is, whether it takes clicks or typing.
struct Placed {
    name: String,
    rect: egui::Rect,
    interactive: bool,
}

fn placed<'a>(nodes: impl Iterator<Item = egui_kittest::Node<'a>>) -> Vec<Placed> {
    nodes
        .filter_map(|node| {
            let node = node.accesskit_node();
            // The resize handles straddle the edge they resize, by design.
            if node.role() == egui::accesskit::Role::Splitter {
                return None;
            }
            let b = node.bounding_box()?;
            let rect =
                egui::Rect::from_min_max(egui::pos2(b.x0 as f32, b.y0 as f32), egui::pos2(b.x1 as f32, b.y1 as f32));
            let interactive = matches!(
                node.role(),
                egui::accesskit::Role::Button
                    | egui::accesskit::Role::CheckBox
                    | egui::accesskit::Role::TextInput
                    | egui::accesskit::Role::ComboBox
                    | egui::accesskit::Role::Slider
            );
            let name = node.label().or_else(|| node.value()).unwrap_or_default();
            Some(Placed { name, rect, interactive })
        })
        .collect()
}

/// Everything inside `bounds`; no two interactive widgets overlapping by more than a pixel.
fn assert_fits(nodes: &[Placed], bounds: egui::Rect, what: &str) {
    assert!(nodes.len() > 3, "{what}: drawn ({} nodes)", nodes.len());
    for node in nodes {
        assert!(
            bounds.expand(1.0).contains_rect(node.rect),
            "{what}: \"{}\" at {:?} is outside {bounds:?}",
            node.name,
            node.rect
        );
    }
    let widgets: Vec<&Placed> = nodes.iter().filter(|n| n.interactive && n.rect.area() > 0.0).collect();
    for (i, a) in widgets.iter().enumerate() {
        for b in &widgets[i + 1..] {
            let overlap = a.rect.intersect(b.rect);
            assert!(
                overlap.width() <= 1.0 || overlap.height() <= 1.0,
                "{what}: \"{}\" {:?} and \"{}\" {:?} overlap",
                a.name,
                a.rect,
                b.name,
                b.rect
            );
        }
    }
}

/// The main window's nodes fit it; with a dialog open (`dialog`: its title), the dialog's own
/// nodes fit the dialog, and the dialog fits the window.
fn check(harness: &Harness<'_, HarkApp>, size: (f32, f32), scale: f32, what: &str, dialog: Option<&str>) {
    let all = placed(harness.query_all(by().predicate(|_| true)));
    // The tree is in physical pixels: the window is its size in points times the scale.
    let window = egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(size.0, size.1) * scale);
    let what = format!("{what} at {}×{} ×{scale}", size.0, size.1);
    match dialog {
        None => assert_fits(&all, window, &what),
        Some(title) => {
            let frame = harness
                .query_all(by().role(egui::accesskit::Role::Window))
                .find(|w| w.accesskit_node().label().as_deref() == Some(title))
                .unwrap_or_else(|| panic!("{what}: the {title} window"));
            let bounds = placed(std::iter::once(frame)).pop().expect("the dialog has bounds").rect;
            // A tall dialog scrolls: what is scrolled out of its view is not cut, only away.
            let inner: Vec<Placed> = placed(frame.query_all(by().predicate(|_| true)))
                .into_iter()
                .filter(|n| n.rect.top() >= bounds.top() && n.rect.bottom() <= bounds.bottom() + 1.0)
                .collect();
            assert!(window.expand(1.0).contains_rect(bounds), "{what}: the dialog {bounds:?} is outside the window");
            assert_fits(&inner, bounds, &what);
        }
    }
}

/// Opens a dialog the way a listener does and checks it; Esc closes it again.
fn check_dialog(harness: &mut Harness<'_, HarkApp>, size: (f32, f32), scale: f32, button: &str, title: &str) {
    if harness.query_by_label(button).is_none() {
        // A narrow toolbar wraps; the button is still there, maybe under a menu.
        return;
    }
    harness.get_by_label(button).click();
    harness.run_steps(4);
    check(harness, size, scale, title, Some(title));
    harness.key_press(egui::Key::Escape);
    // A closed dialog fades out, holding clicks meanwhile.
    harness.run_steps(20);
}

fn each_view(scale: f32) {
    for size in SIZES {
        let data = tempfile::tempdir().unwrap();
        let mut harness = window(data.path(), size, scale);
        harness.run_steps(4);
        check(&harness, size, scale, "the shows", None);
        harness.get_by_label("The spoken clock").click();
        harness.run_steps(4);
        check(&harness, size, scale, "an episode page with chapters", None);
        let dialogs = [
            ("⬇ Downloads", "Downloads"),
            ("Statistics", "Statistics"),
            ("Sync", "Sync"),
            ("Bookmarks", "Bookmarks"),
            ("Listening settings", "Listening settings"),
        ];
        for (button, title) in dialogs {
            check_dialog(&mut harness, size, scale, button, title);
        }
        harness.state_mut().state.preferences =
            Some(hark::preferences::ALL.iter().map(|p| (p, p.default.to_string())).collect());
        harness.run_steps(4);
        check(&harness, size, scale, "Preferences", Some("Preferences"));
        harness.key_press(egui::Key::Escape);
        harness.run_steps(20);
        harness.state_mut().state.show_shortcuts = true;
        harness.run_steps(4);
        check(&harness, size, scale, "Keyboard shortcuts", Some("Keyboard shortcuts"));
        harness.key_press(egui::Key::Escape);
        harness.run_steps(20);
        harness.state_mut().state.discover.open = true;
        harness.run_steps(4);
        check(&harness, size, scale, "Discover", Some("Discover"));
    }
}

#[test]
fn every_view_fits_at_every_size() {
    each_view(1.0);
}

#[test]
fn every_view_fits_at_every_size_at_a_scale_factor_of_two() {
    each_view(2.0);
}

#[test]
fn a_show_of_two_thousand_episodes_fits_at_every_size() {
    let server = TestServer::start();
    let titles: Vec<String> = (1..=2000).map(|n| format!("Part {n} of a long show with a long title")).collect();
    let guids: Vec<String> = (1..=2000).map(|n| format!("p{n}")).collect();
    let items: Vec<Item<'_>> =
        titles.iter().zip(&guids).map(|(title, guid)| Item { guid, title, url: "http://127.0.0.1:9/p.mp3" }).collect();
    server.set("/big.xml", Route::ok(rss("A Show With Two Thousand Episodes", &items), "application/rss+xml"));
    for size in SIZES {
        let (_data, harness) = window_following(&server.url("/big.xml"), size);
        check(&harness, size, 1.0, "a show of 2,000 episodes", None);
    }
}

#[test]
fn a_narrow_window_keeps_the_shows_in_a_drawer() {
    let data = tempfile::tempdir().unwrap();
    let mut harness = window(data.path(), (640.0, 480.0), 1.0);
    harness.run_steps(4);
    let sidebar = |h: &Harness<'_, HarkApp>| h.query_by_label("Add podcast").is_some();
    assert!(!sidebar(&harness), "the shows are folded away");
    harness.get_by_label("☰ Shows").click();
    run_until(&mut harness, "the drawer", sidebar);
    harness.get_by_role_and_label(egui::accesskit::Role::Button, "Hark Demo").click();
    harness.run_steps(2);
    run_until(&mut harness, "the drawer to close", |h| !sidebar(h));
    assert!(harness.query_by_label("The spoken clock").is_some(), "the show's episodes have the room");

    // Wide enough, the shows are a column again.
    let data = tempfile::tempdir().unwrap();
    let mut wide = window(data.path(), (800.0, 600.0), 1.0);
    wide.run_steps(4);
    assert!(sidebar(&wide) && wide.query_by_label("☰ Shows").is_none());
}

#[test]
fn a_whole_show_row_is_its_click_target() {
    let server = TestServer::start();
    let items = [Item { guid: "x", title: "Only Episode", url: "http://127.0.0.1:9/x.mp3" }];
    server.set("/other.xml", Route::ok(rss("Other Show", &items), "application/rss+xml"));
    let data = tempfile::tempdir().unwrap();
    let mut harness = window(data.path(), (1200.0, 760.0), 1.0);
    harness.run_steps(4);
    harness.state_mut().open(hark::desktop::Opening::Feed(server.url("/other.xml")));
    run_until(&mut harness, "the offer", |h| h.state().state.offer.is_some());
    harness.run_steps(2);
    harness.get_by_label("Subscribe").click();
    run_until(&mut harness, "the second show", |h| h.state().state.podcasts.len() == 2);
    harness.run_steps(4);
    let demo = harness.state().state.podcasts.iter().find(|p| p.title == "Hark Demo").unwrap().id;
    // A press at the row's right end, far from its title's text.
    let row = harness.get_by_role_and_label(egui::accesskit::Role::Button, "Hark Demo").rect();
    let at = egui::pos2(row.right() - 6.0, row.center().y);
    harness.event(egui::Event::PointerMoved(at));
    harness.event(egui::Event::PointerButton {
        pos: at,
        button: egui::PointerButton::Primary,
        pressed: true,
        modifiers: egui::Modifiers::NONE,
    });
    harness.event(egui::Event::PointerButton {
        pos: at,
        button: egui::PointerButton::Primary,
        pressed: false,
        modifiers: egui::Modifiers::NONE,
    });
    run_until(&mut harness, "the show selected", |h| h.state().state.selected_podcast == Some(demo));
}

#[test]
fn the_transcript_window_fits_at_every_size() {
    let server = TestServer::start();
    let mut vtt = String::from("WEBVTT\n\n");
    for i in 0..60 {
        vtt.push_str(&format!(
            "00:00:{:02}.000 --> 00:00:{:02}.000\n<v Host>Cue number {i}, a line of a conversation</v>\n\n",
            i,
            i + 1
        ));
    }
    let feed = format!(
        r#"<?xml version="1.0"?><rss version="2.0" xmlns:podcast="https://podcastindex.org/namespace/1.0"><channel>
        <title>Spoken Show</title><item><guid>t1</guid><title>With A Transcript</title>
        <enclosure url="http://127.0.0.1:9/t.mp3" type="audio/mpeg"/>
        <podcast:transcript url="{}" type="text/vtt"/></item></channel></rss>"#,
        server.url("/t.vtt")
    );
    server.set("/feed.xml", Route::ok(feed, "application/rss+xml"));
    server.set("/t.vtt", Route::ok(vtt, "text/vtt"));
    for size in SIZES {
        let (_data, mut harness) = window_following(&server.url("/feed.xml"), size);
        harness.get_by_role_and_label(egui::accesskit::Role::Button, "With A Transcript").click();
        run_until(&mut harness, "the episode page", |h| h.query_by_label("📝 Transcript").is_some());
        harness.get_by_label("📝 Transcript").click();
        run_until(&mut harness, "the cues", |h| h.query_by_label_contains("Cue number 1,").is_some());
        harness.run_steps(4);
        check(&harness, size, 1.0, "the transcript", Some("Transcript"));
    }
}
