//! Shared test helpers: a real HTTP server on 127.0.0.1 with fault injection, and audio
//! analysis for the position tones in tests/fixtures.
#![allow(dead_code)]

pub mod audio;
pub mod feeds;
pub mod server;

use std::path::PathBuf;

pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

pub fn fixture_bytes(name: &str) -> Vec<u8> {
    std::fs::read(fixture(name)).unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

pub fn corpus_feed(name: &str) -> Vec<u8> {
    let dir = std::env::var_os("HARK_CORPUS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
    std::fs::read(dir.join("feeds").join(name)).unwrap_or_else(|e| panic!("corpus feed {name}: {e}"))
}

/// Every test process installs the TLS provider once, as `main` does.
pub fn init() {
    hark::net::http::install_crypto_provider();
}

/// Subscribes `library` to the feed at `url`, as `hark subscribe` does.
pub fn subscribe(library: &mut hark::library::Library, url: &str) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(hark::net::refresh::subscribe(&hark::net::http::client(), library, url)).unwrap();
}
