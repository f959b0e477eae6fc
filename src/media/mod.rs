//! Media bytes on disk: the partial file that is both the download and the stream.

mod after_tag;
mod chapter_track;
pub mod chapters;
pub mod id3;
pub mod mp3_frames;
mod partial;
mod ranges;

pub use after_tag::AudioAfterTag;
pub use partial::{
    DownloadStopped, Interrupted, PartialFile, PartialReader, Progress, Validator, final_name, is_part_file,
};
pub use ranges::RangeSet;

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
