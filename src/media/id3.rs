//! The ID3v2 tag at the start of an MP3: how long it is, from its 10-byte header.

pub const ID3V2_HEADER_LEN: usize = 10;

/// The length of the ID3v2 tag a file starts with (header, body and footer), or 0. A stream
/// starts decoding after it: podcasts embed cover images of up to a few megabytes there, and
/// the audio should not wait for them. Its chapters are read from it alone.
pub fn id3v2_len(head: &[u8; ID3V2_HEADER_LEN]) -> u64 {
    if &head[..3] != b"ID3" || head[3] == 0xff || head[4] == 0xff || head[6..].iter().any(|b| b & 0x80 != 0) {
        return 0;
    }
    let body = head[6..].iter().fold(0u64, |size, b| (size << 7) | u64::from(*b));
    let footer = if head[5] & 0x10 != 0 { ID3V2_HEADER_LEN as u64 } else { 0 };
    ID3V2_HEADER_LEN as u64 + body + footer
}
