//! The real window (HarkApp) under egui_kittest, as the UI tests run it.

use std::path::Path;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use hark::app::{AppOptions, HarkApp};
use hark::paths::AppPaths;
use hark::player::OutputChoice;

/// What the tests run the window with: no sound card, no refresh at launch, no session bus,
/// and directories that are not on the internet.
pub fn test_options() -> AppOptions {
    let nowhere = hark::net::directory::Directories { itunes_url: "http://127.0.0.1:9".into(), podcast_index: None };
    AppOptions { audio: OutputChoice::Null, timed_refresh: false, media_keys: false, directories: Some(nowhere) }
}

/// The window on the library in `data`, at `size`.
pub fn app_sized(data: &Path, size: egui::Vec2, options: AppOptions) -> Harness<'static, HarkApp> {
    super::init();
    let paths = AppPaths::inside(data);
    Harness::builder()
        .with_size(size)
        .build_eframe(move |cc| HarkApp::new(&cc.egui_ctx, paths, options).expect("the app starts"))
}

/// Runs frames (with real time passing for the workers) until `done` holds.
pub fn run_until(harness: &mut Harness<'_, HarkApp>, what: &str, mut done: impl FnMut(&Harness<'_, HarkApp>) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        harness.step();
        if done(harness) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}; notice: {:?}, playback: {:?}",
            harness.state().state.notice,
            harness.state().state.transport.playback
        );
        std::thread::sleep(Duration::from_millis(15));
    }
}
