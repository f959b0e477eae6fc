//! Hark: a fast, offline-first desktop podcast player.
//!
//! The core (`model`, `feed`, `library`, `net`, …) never touches egui; `app` and `ui` do. The
//! map of modules, threads and rules is docs/ARCHITECTURE.md.

pub mod app;
pub mod assets;
pub mod chapters;
pub mod cli;
pub mod clip;
pub mod desktop;
pub mod error;
pub mod feed;
pub mod http;
pub mod json;
pub mod library;
pub mod listening;
pub mod media;
pub mod model;
pub mod mpris;
pub mod net;
pub mod notes;
pub mod opml;
pub mod paths;
pub mod player;
pub mod preferences;
pub mod sync;
pub mod transcript;
pub mod ui;

/// Wakes whoever drains a worker's events (the UI's `request_repaint`), so the core need
/// not know egui.
pub trait Waker: Send + Sync + 'static {
    fn wake(&self);
}

/// For headless use: nobody to wake.
pub struct NoWaker;

impl Waker for NoWaker {
    fn wake(&self) {}
}
