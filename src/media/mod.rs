//! Media bytes on disk: the partial file that is both the download and the stream.

pub mod chapters;
mod files;
pub mod id3;
mod partial;

pub use files::{Unsubscribed, delete_download, unsubscribe};

/// A downloaded file's integrated loudness (EBU R128, LUFS); None when it is silent or
/// cannot be decoded (it then fails to play with its own message).
pub fn measure_loudness(path: &std::path::Path) -> Option<f64> {
    let mut decoder = crate::player::open_file(path).ok()?;
    crate::player::measure_loudness(&mut decoder)
}
pub use partial::{Interrupted, PartialFile, PartialReader, Progress, RangeSet, Validator, final_name};

/// Probes audio bytes for their container (the extension is a hint), with the settings the
/// player and the chapter reader share.
pub fn probe(
    source: Box<dyn symphonia::core::io::MediaSource>,
    extension: Option<&str>,
) -> Result<Box<dyn symphonia::core::formats::FormatReader>, symphonia::core::errors::Error> {
    use symphonia::core::io::{MediaSourceStream, MediaSourceStreamOptions};
    let mut hint = symphonia::core::formats::probe::Hint::new();
    if let Some(extension) = extension {
        hint.with_extension(extension);
    }
    let stream = MediaSourceStream::new(source, MediaSourceStreamOptions::default());
    symphonia::default::get_probe().probe(
        &hint,
        stream,
        symphonia::core::formats::FormatOptions::default(),
        symphonia::core::meta::MetadataOptions::default(),
    )
}
