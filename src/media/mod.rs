//! Media bytes on disk: the partial file that is both the download and the stream.

mod partial;

pub use partial::{Interrupted, PartialFile, PartialReader, Progress, RangeSet, Validator, final_name};
