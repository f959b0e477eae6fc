//! libopus's encoder (through opusic-sys, the same library the decoder adapter links) and the
//! Ogg pages around it (RFC 7845: OpusHead, OpusTags, then audio; the last page's granule
//! position ends the stream at the clip's last sample).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use ogg::writing::{PacketWriteEndInfo, PacketWriter};
use opusic_sys as ffi;

use super::{BITRATE, ClipError, ClipTags, OPUS_RATE, Picture};

/// 20 ms at 48 kHz: the frame every packet holds.
const FRAME: usize = 960;
/// Audio packets per Ogg page (about a second).
const PACKETS_PER_PAGE: usize = 50;
/// Room for one packet (libopus's recommended maximum).
const MAX_PACKET: usize = 4000;

/// One libopus encoder, freed when dropped.
struct Encoder {
    state: *mut ffi::OpusEncoder,
    channels: usize,
}

impl Encoder {
    fn new(channels: u16) -> Result<Self, ClipError> {
        let mut error = 0;
        // SAFETY: plain arguments; the result is checked before use.
        let state = unsafe {
            ffi::opus_encoder_create(OPUS_RATE as i32, channels as i32, ffi::OPUS_APPLICATION_AUDIO, &mut error)
        };
        if state.is_null() || error != ffi::OPUS_OK {
            return Err(ClipError::Encode(format!("libopus would not start (error {error})")));
        }
        let encoder = Self { state, channels: channels as usize };
        // SAFETY: a live encoder; OPUS_SET_BITRATE takes one opus_int32.
        let set = unsafe { ffi::opus_encoder_ctl(encoder.state, ffi::OPUS_SET_BITRATE_REQUEST, BITRATE) };
        if set != ffi::OPUS_OK {
            return Err(ClipError::Encode(format!("libopus refused {BITRATE} b/s (error {set})")));
        }
        Ok(encoder)
    }

    /// The samples the encoder delays its output by: the decoder skips them (pre-skip).
    fn lookahead(&self) -> Result<u16, ClipError> {
        let mut lookahead: i32 = 0;
        // SAFETY: a live encoder; OPUS_GET_LOOKAHEAD writes one opus_int32 through the pointer.
        let got =
            unsafe { ffi::opus_encoder_ctl(self.state, ffi::OPUS_GET_LOOKAHEAD_REQUEST, &mut lookahead as *mut i32) };
        if got != ffi::OPUS_OK {
            return Err(ClipError::Encode(format!("libopus did not say its delay (error {got})")));
        }
        Ok(lookahead.clamp(0, u16::MAX as i32) as u16)
    }

    /// One 20 ms frame (`FRAME` samples per channel, interleaved) as a packet.
    fn encode(&mut self, frame: &[f32], packet: &mut [u8; MAX_PACKET]) -> Result<usize, ClipError> {
        assert_eq!(frame.len(), FRAME * self.channels, "a whole frame");
        // SAFETY: `frame` holds FRAME samples per channel and `packet` MAX_PACKET bytes, as said.
        let written = unsafe {
            ffi::opus_encode_float(self.state, frame.as_ptr(), FRAME as i32, packet.as_mut_ptr(), MAX_PACKET as i32)
        };
        if written < 0 {
            return Err(ClipError::Encode(format!("libopus failed on a frame (error {written})")));
        }
        Ok(written as usize)
    }
}

impl Drop for Encoder {
    fn drop(&mut self) {
        // SAFETY: created by opus_encoder_create, destroyed once.
        unsafe { ffi::opus_encoder_destroy(self.state) }
    }
}

/// Writes `pcm` (48 kHz, interleaved) as Ogg Opus at `out`; `source_rate` is noted in the
/// header as the input's rate.
pub(super) fn write(
    out: &Path,
    pcm: &[f32],
    channels: u16,
    source_rate: u32,
    tags: &ClipTags,
) -> Result<(), ClipError> {
    let failed = |e: std::io::Error| ClipError::Write { path: out.display().to_string(), reason: e.to_string() };
    let mut encoder = Encoder::new(channels)?;
    let pre_skip = encoder.lookahead()?;
    let per_frame = FRAME * channels as usize;
    let samples = pcm.len() / channels as usize;
    // The encoder's delay and the last frame's rest are silence after the clip.
    let mut padded = pcm.to_vec();
    let total = (samples + pre_skip as usize).div_ceil(FRAME) * FRAME;
    padded.resize(total * channels as usize, 0.0);

    let mut writer = PacketWriter::new(BufWriter::new(File::create(out).map_err(failed)?));
    let serial = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.subsec_nanos());
    writer
        .write_packet(head(channels, pre_skip, source_rate), serial, PacketWriteEndInfo::EndPage, 0)
        .map_err(failed)?;
    writer.write_packet(comments(tags), serial, PacketWriteEndInfo::EndPage, 0).map_err(failed)?;
    let end_granule = pre_skip as u64 + samples as u64;
    let mut packet = [0u8; MAX_PACKET];
    let count = total / FRAME;
    for (index, frame) in padded.chunks_exact(per_frame).enumerate() {
        let size = encoder.encode(frame, &mut packet)?;
        let last = index + 1 == count;
        let granule = if last { end_granule } else { ((index + 1) * FRAME) as u64 };
        let end = match () {
            _ if last => PacketWriteEndInfo::EndStream,
            _ if (index + 1) % PACKETS_PER_PAGE == 0 => PacketWriteEndInfo::EndPage,
            _ => PacketWriteEndInfo::NormalPacket,
        };
        writer.write_packet(packet[..size].to_vec(), serial, end, granule).map_err(failed)?;
    }
    writer.into_inner().flush().map_err(failed)
}

/// The identification header (RFC 7845 §5.1), channel mapping family 0.
fn head(channels: u16, pre_skip: u16, source_rate: u32) -> Vec<u8> {
    let mut head = b"OpusHead".to_vec();
    head.push(1);
    head.push(channels as u8);
    head.extend_from_slice(&pre_skip.to_le_bytes());
    head.extend_from_slice(&source_rate.to_le_bytes());
    head.extend_from_slice(&0i16.to_le_bytes());
    head.push(0);
    head
}

/// The comment header (RFC 7845 §5.2): Vorbis comments, the art as METADATA_BLOCK_PICTURE.
fn comments(tags: &ClipTags) -> Vec<u8> {
    let mut fields = vec![
        format!("TITLE={}", tags.title),
        format!("ARTIST={}", tags.show),
        format!("ALBUM={}", tags.show),
        format!("COMMENT={}", tags.comment),
    ];
    if let Some(picture) = &tags.picture {
        fields.push(format!("METADATA_BLOCK_PICTURE={}", base64(&picture_block(picture))));
    }
    let vendor = concat!("Hark ", env!("CARGO_PKG_VERSION"));
    let mut packet = b"OpusTags".to_vec();
    let string = |packet: &mut Vec<u8>, text: &str| {
        packet.extend_from_slice(&(text.len() as u32).to_le_bytes());
        packet.extend_from_slice(text.as_bytes());
    };
    string(&mut packet, vendor);
    packet.extend_from_slice(&(fields.len() as u32).to_le_bytes());
    for field in &fields {
        string(&mut packet, field);
    }
    packet
}

/// A FLAC PICTURE block (type 3, the front cover), as Vorbis comments carry art.
fn picture_block(picture: &Picture) -> Vec<u8> {
    let (width, height) = image::ImageReader::new(std::io::Cursor::new(&picture.data))
        .with_guessed_format()
        .ok()
        .and_then(|reader| reader.into_dimensions().ok())
        .unwrap_or((0, 0));
    let mut block = Vec::with_capacity(picture.data.len() + 64);
    let number = |block: &mut Vec<u8>, n: u32| block.extend_from_slice(&n.to_be_bytes());
    number(&mut block, 3);
    number(&mut block, picture.mime.len() as u32);
    block.extend_from_slice(picture.mime.as_bytes());
    number(&mut block, 0); // no description
    for n in [width, height, 24, 0] {
        number(&mut block, n);
    }
    number(&mut block, picture.data.len() as u32);
    block.extend_from_slice(&picture.data);
    block
}

/// Standard base64 with padding.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut text = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | (*b as u32) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                text.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                text.push('=');
            }
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_pads_as_the_standard_says() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }
}
