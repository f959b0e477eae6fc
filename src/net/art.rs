//! Show art: fetched once, downscaled once off the UI thread, cached on disk as small PNGs,
//! so a 3000×3000 JPEG never reaches the GPU.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use image::imageops::FilterType;
use image::{DynamicImage, ImageReader, Limits, RgbaImage};
use url::Url;

use crate::error::FeedError;
use crate::http;

pub const THUMBNAIL_PX: u32 = 96;
pub const HEADER_PX: u32 = 600;
const ART_SIZE_LIMIT: u64 = 20 * 1024 * 1024;
/// A picture that takes longer than this to arrive is not worth the wait.
const ART_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);
/// Beyond this a "picture" is a decompression bomb, not show art.
const MAX_DIMENSION: u32 = 12_000;

/// Decoded RGBA pixels, ready to become a texture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArtImage {
    pub width: u32,
    pub height: u32,
    pub rgba: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Art {
    pub thumbnail: ArtImage,
    pub header: ArtImage,
}

/// The two sizes art is kept in: lists draw the thumbnail, the show header and pictures in the
/// notes the header size. A window asks for each only where it draws it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArtSize {
    Thumbnail,
    Header,
}

fn cache_paths(cache_dir: &Path, url: &str) -> (PathBuf, PathBuf) {
    let key = &crate::feed::body_hash(url.as_bytes())[..32];
    (cache_dir.join(format!("{key}-{THUMBNAIL_PX}.png")), cache_dir.join(format!("{key}-{HEADER_PX}.png")))
}

/// Where the header-sized copy of `url`'s art is cached (it may not be there yet).
pub fn cached_header(cache_dir: &Path, url: &str) -> PathBuf {
    cache_paths(cache_dir, url).1
}

/// One size of `url`'s art: from the disk cache, else from the network (then both sizes are
/// cached).
pub async fn load_art(
    client: &reqwest::Client,
    cache_dir: &Path,
    url: &str,
    size: ArtSize,
) -> Result<ArtImage, String> {
    let (thumb_path, header_path) = cache_paths(cache_dir, url);
    let cached_path = match size {
        ArtSize::Thumbnail => thumb_path,
        ArtSize::Header => header_path,
    };
    if cached_path.exists() {
        let cached = tokio::task::spawn_blocking(move || read_png(&cached_path)).await.map_err(|e| e.to_string())?;
        if let Ok(image) = cached {
            return Ok(image);
        }
    }
    let bytes = match crate::assets::bundled(url) {
        Some(bytes) => bytes.to_vec(),
        None => fetch_image(client, url).await?,
    };
    let (thumb_path, header_path) = cache_paths(cache_dir, url);
    tokio::task::spawn_blocking(move || {
        let art = downscale(&bytes);
        drop(bytes);
        give_back_freed_memory();
        let art = art?;
        // A cache that cannot be written costs a re-download next time, nothing more.
        let _ = save_png(&art.thumbnail, &thumb_path);
        let _ = save_png(&art.header, &header_path);
        Ok(match size {
            ArtSize::Thumbnail => art.thumbnail,
            ArtSize::Header => art.header,
        })
    })
    .await
    .map_err(|e| e.to_string())?
}

/// A 1400 px picture is decoded into megabytes that are freed at once, on one of the blocking
/// pool's threads, each with its own malloc arena: glibc keeps such memory for the process
/// unless asked, and a first launch on a big library stayed at two or three times its size.
fn give_back_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks the allocator's own free lists.
    unsafe {
        libc::malloc_trim(0);
    }
}

async fn fetch_image(client: &reqwest::Client, url: &str) -> Result<Vec<u8>, String> {
    let parsed = Url::parse(url).map_err(|_| format!("{url} is not a valid address"))?;
    let reply = http::send(|target| client.get(target.clone()).timeout(ART_TIMEOUT), &parsed)
        .await
        .map_err(|e| e.to_string())?;
    if !reply.response.status().is_success() {
        return Err(format!("{url} answered HTTP {}", reply.response.status().as_u16()));
    }
    http::read_capped(reply.response, &reply.final_url, ART_SIZE_LIMIT).await.map_err(|e| match e {
        FeedError::TooLarge { .. } => format!("{url} is larger than {} MB", ART_SIZE_LIMIT / 1024 / 1024),
        other => other.to_string(),
    })
}

/// Decodes any supported image with size limits and makes both sizes.
pub fn downscale(bytes: &[u8]) -> Result<Art, String> {
    let mut reader = ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|e| e.to_string())?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_DIMENSION);
    limits.max_image_height = Some(MAX_DIMENSION);
    limits.max_alloc = Some(512 * 1024 * 1024);
    reader.limits(limits);
    let image = reader.decode().map_err(|e| format!("not a usable image: {e}"))?;
    Ok(Art { header: fit(&image, HEADER_PX), thumbnail: fit(&image, THUMBNAIL_PX) })
}

fn fit(image: &DynamicImage, size: u32) -> ArtImage {
    let scaled = if image.width() > size || image.height() > size {
        image.resize(size, size, FilterType::Triangle)
    } else {
        image.clone()
    };
    let rgba = scaled.to_rgba8();
    ArtImage { width: rgba.width(), height: rgba.height(), rgba: rgba.into_raw() }
}

fn read_png(path: &Path) -> Result<ArtImage, String> {
    let image = image::open(path).map_err(|e| e.to_string())?.to_rgba8();
    Ok(ArtImage { width: image.width(), height: image.height(), rgba: image.into_raw() })
}

fn save_png(art: &ArtImage, path: &Path) -> Result<(), String> {
    let image = RgbaImage::from_raw(art.width, art.height, art.rgba.clone()).ok_or("bad pixel buffer")?;
    image.save(path).map_err(|e| e.to_string())
}
