//! Media bytes on disk: the partial file that is both the download and the stream.

pub mod chapters;
mod files;
pub mod id3;
mod partial;

pub use files::{Unsubscribed, delete_download, unsubscribe};
pub use partial::{Interrupted, PartialFile, PartialReader, Progress, RangeSet, Validator, final_name};
