//! The window as it looks, compared pixel by pixel with the images kept in tests/snapshots/
//! (rendered by wgpu; on a machine without a GPU, Mesa's software Vulkan, lavapipe): the demo
//! library at the default size and at 800×600, the episode page open. A change to the look
//! fails here until the images are made again with `UPDATE_SNAPSHOTS=1` and looked at.

mod common;

use common::window::{run_until, test_options};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use hark::app::HarkApp;
use hark::paths::AppPaths;
use hark::ui::ArtSlot;

fn window(data: &std::path::Path, width: f32, height: f32) -> Harness<'static, HarkApp> {
    common::init();
    let paths = AppPaths::inside(data);
    Harness::builder()
        .with_size(egui::vec2(width, height))
        .wgpu()
        .build_eframe(move |cc| HarkApp::new(&cc.egui_ctx, paths, test_options()).expect("the app starts"))
}

/// The demo show with its first episode's page open, once its art has arrived.
fn settled(harness: &mut Harness<'_, HarkApp>) {
    harness.run_steps(3);
    harness.get_by_label("The spoken clock").click();
    run_until(harness, "the page and the art", |h| {
        let art = &h.state().state.art;
        let mut slots = art.thumbnails.values().chain(art.large.values());
        h.state().state.episode_page.is_some()
            && art.large.values().any(|s| matches!(s, ArtSlot::Ready(_)))
            && slots.all(|s| !matches!(s, ArtSlot::Loading))
    });
    harness.run_steps(4);
}

fn looks_as_kept(width: f32, height: f32) {
    let data = tempfile::tempdir().unwrap();
    let mut harness = window(data.path(), width, height);
    settled(&mut harness);
    harness.snapshot(format!("window-{width}x{height}"));
}

#[test]
fn the_window_looks_as_kept_at_the_default_size() {
    looks_as_kept(1200.0, 760.0);
}

#[test]
fn the_window_looks_as_kept_at_800_by_600() {
    looks_as_kept(800.0, 600.0);
}
