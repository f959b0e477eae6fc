//! A file as the decoder sees it: from the end of its ID3 tag on. The player never reads the tag
//! (it needs nothing from it, and a crafted tag is the easiest way to hurt a parser); chapters are
//! read from the tag separately, after `id3::readable_tag` made it safe.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

use super::id3::{ID3V2_HEADER_LEN, id3v2_len};

pub struct AudioAfterTag {
    file: File,
    /// Where the audio starts in the file, and how long it is from there.
    start: u64,
    len: u64,
}

impl AudioAfterTag {
    pub fn open(path: &Path) -> io::Result<Self> {
        let mut file = File::open(path)?;
        let total = file.metadata()?.len();
        let mut head = [0u8; ID3V2_HEADER_LEN];
        let tag = match file.read_exact(&mut head) {
            Ok(()) => id3v2_len(&head).min(total),
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => 0,
            Err(e) => return Err(e),
        };
        file.seek(SeekFrom::Start(tag))?;
        Ok(Self { file, start: tag, len: total - tag })
    }

    /// How many bytes of the file the tag takes.
    pub fn tag_len(&self) -> u64 {
        self.start
    }
}

impl Read for AudioAfterTag {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.file.read(buf)
    }
}

impl Seek for AudioAfterTag {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        let target = match pos {
            SeekFrom::Start(at) => Some(at),
            SeekFrom::End(delta) => self.len.checked_add_signed(delta),
            SeekFrom::Current(delta) => (self.file.stream_position()? - self.start).checked_add_signed(delta),
        };
        let target = target.ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "seek before the audio"))?;
        Ok(self.file.seek(SeekFrom::Start(self.start + target))? - self.start)
    }
}

impl symphonia::core::io::MediaSource for AudioAfterTag {
    fn is_seekable(&self) -> bool {
        true
    }

    fn byte_len(&self) -> Option<u64> {
        Some(self.len)
    }
}
