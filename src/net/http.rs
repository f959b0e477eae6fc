//! The one HTTP client configuration Hark uses everywhere.

use std::time::Duration;

pub const USER_AGENT: &str = concat!("Hark/", env!("CARGO_PKG_VERSION"), " (desktop podcast player)");

/// rustls needs its crypto provider chosen once per process before the first client.
pub fn install_crypto_provider() {
    // Err only means another part of the process installed one first, which is as good.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Redirects are followed by hand (see `feed::fetch_feed`) so each hop can be checked.
pub fn client() -> reqwest::Client {
    install_crypto_provider();
    reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .connect_timeout(Duration::from_secs(15))
        .read_timeout(Duration::from_secs(30))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("the HTTP client configuration is static and valid")
}
