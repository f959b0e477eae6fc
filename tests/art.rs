//! Show art through the real fetch, decode and cache: big pictures are downscaled once to the
//! sizes the window draws, broken ones give the placeholder (an error, not a panic).

mod common;

use std::io::Cursor;

use common::server::{Route, TestServer};
use hark::net::art::{ArtSize, HEADER_PX, THUMBNAIL_PX, cached_header, downscale, load_art};
use image::{ImageFormat, RgbImage};

fn encoded(width: u32, height: u32, format: ImageFormat) -> Vec<u8> {
    let image = RgbImage::from_fn(width, height, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 128]));
    let mut bytes = Cursor::new(Vec::new());
    image.write_to(&mut bytes, format).unwrap();
    bytes.into_inner()
}

#[test]
fn big_art_is_downscaled_once_and_cached() {
    common::init();
    let server = TestServer::start();
    server.set("/big.jpg", Route::ok(encoded(3000, 3000, ImageFormat::Jpeg), "image/jpeg"));
    server.set("/wide.png", Route::ok(encoded(800, 400, ImageFormat::Png), "image/png"));
    let cache = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let client = hark::http::client();

    let url = server.url("/big.jpg");
    let thumbnail = runtime.block_on(load_art(&client, cache.path(), &url, ArtSize::Thumbnail)).unwrap();
    assert_eq!((thumbnail.width, thumbnail.height), (THUMBNAIL_PX, THUMBNAIL_PX));
    assert!(cached_header(cache.path(), &url).is_file(), "both sizes are cached from the one fetch");
    let header = runtime.block_on(load_art(&client, cache.path(), &url, ArtSize::Header)).unwrap();
    assert_eq!((header.width, header.height), (HEADER_PX, HEADER_PX));
    let again = runtime.block_on(load_art(&client, cache.path(), &url, ArtSize::Thumbnail)).unwrap();
    assert_eq!(again, thumbnail);
    assert_eq!(server.requests("/big.jpg").len(), 1, "the header and the second time come from the cache");

    let wide = server.url("/wide.png");
    let header = runtime.block_on(load_art(&client, cache.path(), &wide, ArtSize::Header)).unwrap();
    assert_eq!((header.width, header.height), (600, 300), "aspect kept");
    let thumbnail = runtime.block_on(load_art(&client, cache.path(), &wide, ArtSize::Thumbnail)).unwrap();
    assert_eq!((thumbnail.width, thumbnail.height), (96, 48));
}

#[test]
fn broken_and_hostile_images_fail_without_a_panic() {
    common::init();
    let server = TestServer::start();
    server.set("/broken.jpg", Route::ok(b"\xff\xd8\xff\xe0 not really a jpeg".to_vec(), "image/jpeg"));
    server.set("/page.png", Route::ok("<html>nope</html>", "image/png"));
    let cache = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let client = hark::http::client();
    for path in ["/broken.jpg", "/page.png", "/missing.png"] {
        let result = runtime.block_on(load_art(&client, cache.path(), &server.url(path), ArtSize::Thumbnail));
        assert!(result.is_err(), "{path}");
    }
    assert!(runtime.block_on(load_art(&client, cache.path(), "file:///etc/passwd", ArtSize::Header)).is_err());

    // A valid small PNG whose header claims 50,000 × 50,000 pixels (its checksum made right, so
    // the decoder reads on): the size limit is what refuses it, before any allocation.
    let mut bomb = encoded(1, 1, ImageFormat::Png);
    bomb[16..20].copy_from_slice(&50_000u32.to_be_bytes());
    bomb[20..24].copy_from_slice(&50_000u32.to_be_bytes());
    let crc = crc32(&bomb[12..29]);
    bomb[29..33].copy_from_slice(&crc.to_be_bytes());
    let dimensions = image::ImageReader::new(Cursor::new(&bomb)).with_guessed_format().unwrap().into_dimensions();
    assert_eq!(dimensions.unwrap(), (50_000, 50_000), "the bomb is a well-formed PNG header");
    let error = downscale(&bomb).unwrap_err();
    assert!(error.starts_with("not a usable image"), "{error}");
    assert!(error.contains("limit"), "refused by the size limit: {error}");
}

/// PNG's chunk checksum (CRC-32, ISO-HDLC).
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for byte in bytes {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xedb8_8320 } else { crc >> 1 };
        }
    }
    !crc
}
