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

/// Deeper tables of contents than this are not read: podcasts use one or two levels, and a parser
/// handed thousands follows them until its stack runs out.
pub const MAX_TOC_DEPTH: usize = 8;
/// More tables of contents than this are not read either.
pub const MAX_TOCS: usize = 256;

/// The tag rewritten so that any ID3 reader can take it safely: the extended header (which some
/// readers do not skip, losing every frame after it) is left out, and tables of contents (`CTOC`)
/// that nest deeper than `MAX_TOC_DEPTH`, loop, or number more than `MAX_TOCS` are dropped (the
/// chapters themselves stay, as a flat list). None when the tag cannot be walked (too short,
/// whole-tag unsynchronisation, an ID3 version without chapters).
pub fn readable_tag(tag: &[u8]) -> Option<Vec<u8>> {
    let header: &[u8; ID3V2_HEADER_LEN] = tag.get(..ID3V2_HEADER_LEN)?.try_into().ok()?;
    let length = usize::try_from(id3v2_len(header)).ok()?;
    let (version, flags) = (header[3], header[5]);
    if length == 0 || tag.len() < length || !(3..=4).contains(&version) || (version == 3 && flags & 0x80 != 0) {
        return None;
    }
    let footer = if flags & 0x10 != 0 { ID3V2_HEADER_LEN } else { 0 };
    let mut body = &tag[ID3V2_HEADER_LEN..length - footer];
    if flags & 0x40 != 0 {
        let size_field: [u8; 4] = body.get(..4)?.try_into().ok()?;
        let extended = match version {
            4 => syncsafe(size_field)? as usize,
            _ => u32::from_be_bytes(size_field) as usize + 4,
        };
        body = body.get(extended..)?;
    }
    let frames = frames(body, version);
    let keep_tocs = tocs_are_sane(&frames);
    let mut out = Vec::with_capacity(body.len() + ID3V2_HEADER_LEN);
    out.extend_from_slice(&header[..5]);
    out.push(flags & !(0x40 | 0x10));
    out.extend_from_slice(&[0; 4]);
    for frame in frames.iter().filter(|f| keep_tocs || &f.id != b"CTOC") {
        out.extend_from_slice(frame.raw);
    }
    let size = u32::try_from(out.len() - ID3V2_HEADER_LEN).ok().filter(|s| *s < 1 << 28)?;
    out[6..10].copy_from_slice(&[
        (size >> 21) as u8 & 0x7f,
        (size >> 14) as u8 & 0x7f,
        (size >> 7) as u8 & 0x7f,
        size as u8 & 0x7f,
    ]);
    Some(out)
}

fn syncsafe(bytes: [u8; 4]) -> Option<u32> {
    (!bytes.iter().any(|b| b & 0x80 != 0)).then(|| bytes.iter().fold(0u32, |size, b| (size << 7) | u32::from(*b)))
}

struct Frame<'a> {
    id: [u8; 4],
    /// The frame's body, after its header.
    body: &'a [u8],
    /// The whole frame as written: header and body.
    raw: &'a [u8],
}

/// The frames of a tag body, up to its padding or the first frame that does not fit.
fn frames(mut body: &[u8], version: u8) -> Vec<Frame<'_>> {
    let mut found = Vec::new();
    while body.len() >= 10 && body[0] != 0 {
        let id: [u8; 4] = body[..4].try_into().expect("four bytes");
        let size_field: [u8; 4] = body[4..8].try_into().expect("four bytes");
        let size = match version {
            4 => syncsafe(size_field),
            _ => Some(u32::from_be_bytes(size_field)),
        };
        let Some(end) = size.and_then(|s| usize::try_from(s).ok()).and_then(|s| s.checked_add(10)) else { break };
        if end > body.len() || !id.iter().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()) {
            break;
        }
        found.push(Frame { id, body: &body[10..end], raw: &body[..end] });
        body = &body[end..];
    }
    found
}

/// Whether the tables of contents form a tree no deeper than `MAX_TOC_DEPTH`, without loops, and
/// no more than `MAX_TOCS` of them. Walked with a stack of our own, never by recursion.
fn tocs_are_sane(frames: &[Frame<'_>]) -> bool {
    let tocs: Vec<(&[u8], Vec<&[u8]>)> =
        frames.iter().filter(|f| &f.id == b"CTOC").filter_map(|f| toc(f.body)).collect();
    if tocs.len() > MAX_TOCS {
        return false;
    }
    let children_of = |id: &[u8]| tocs.iter().find(|(toc_id, _)| *toc_id == id).map(|(_, children)| children);
    for (root, _) in &tocs {
        let mut stack = vec![(*root, 1usize)];
        let mut steps = 0;
        while let Some((id, depth)) = stack.pop() {
            steps += 1;
            if depth > MAX_TOC_DEPTH || steps > MAX_TOCS * MAX_TOC_DEPTH {
                return false;
            }
            for child in children_of(id).into_iter().flatten() {
                if children_of(child).is_some() {
                    stack.push((child, depth + 1));
                }
            }
        }
    }
    true
}

/// A `CTOC` body's element id and its children's ids.
fn toc(body: &[u8]) -> Option<(&[u8], Vec<&[u8]>)> {
    let id_end = body.iter().position(|b| *b == 0)?;
    let (id, rest) = (&body[..id_end], body.get(id_end + 1..)?);
    let (count, mut rest) = (*rest.get(1)? as usize, rest.get(2..)?);
    let mut children = Vec::with_capacity(count);
    for _ in 0..count {
        let end = rest.iter().position(|b| *b == 0)?;
        children.push(&rest[..end]);
        rest = &rest[end + 1..];
    }
    Some((id, children))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(id: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let size = body.len() as u32;
        let mut out = id.to_vec();
        out.extend_from_slice(&[
            (size >> 21) as u8 & 0x7f,
            (size >> 14) as u8 & 0x7f,
            (size >> 7) as u8 & 0x7f,
            size as u8 & 0x7f,
        ]);
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(body);
        out
    }

    fn tag(flags: u8, extended: &[u8], frames: &[Vec<u8>]) -> Vec<u8> {
        let body: Vec<u8> = extended.iter().copied().chain(frames.iter().flatten().copied()).collect();
        let size = body.len() as u32;
        let mut out = vec![b'I', b'D', b'3', 4, 0, flags];
        out.extend_from_slice(&[
            (size >> 21) as u8 & 0x7f,
            (size >> 14) as u8 & 0x7f,
            (size >> 7) as u8 & 0x7f,
            size as u8 & 0x7f,
        ]);
        out.extend(body);
        out
    }

    fn toc_frame(id: &str, children: &[&str]) -> Vec<u8> {
        let mut body = id.as_bytes().to_vec();
        body.extend_from_slice(&[0, 0x03, children.len() as u8]);
        for child in children {
            body.extend_from_slice(child.as_bytes());
            body.push(0);
        }
        frame(b"CTOC", &body)
    }

    #[test]
    fn the_extended_header_is_left_out_and_every_frame_kept() {
        let title = frame(b"TIT2", b"\x03Show");
        // A v2.4 extended header with a CRC: size 10 (syncsafe, counting itself), one flag byte, flags, CRC.
        let extended = [0, 0, 0, 11, 1, 0x20, 5, 0x7f, 0x7f, 0x7f, 0x7f];
        let written = tag(0x40, &extended, std::slice::from_ref(&title));
        let readable = readable_tag(&written).unwrap();
        assert_eq!(readable[5] & 0x40, 0, "no extended header flag");
        assert_eq!(&readable[10..], &title[..]);
        assert_eq!(id3v2_len(readable[..10].try_into().unwrap()) as usize, readable.len());
    }

    #[test]
    fn tables_of_contents_nested_too_deep_or_in_a_loop_are_dropped_the_chapters_kept() {
        let chapter = frame(b"CHAP", b"chp0\0\0\0\0\0\0\0\x03\xe8\xff\xff\xff\xff\xff\xff\xff\xff");
        let mut deep: Vec<Vec<u8>> =
            (0..5000).map(|n| toc_frame(&format!("toc{n}"), &[&format!("toc{}", n + 1)])).collect();
        deep.push(chapter.clone());
        let readable = readable_tag(&tag(0, &[], &deep)).unwrap();
        assert_eq!(&readable[10..], &chapter[..], "only the chapter is left");

        let looped = vec![toc_frame("a", &["b"]), toc_frame("b", &["a"]), chapter.clone()];
        assert_eq!(&readable_tag(&tag(0, &[], &looped)).unwrap()[10..], &chapter[..]);

        let shallow = vec![toc_frame("top", &["sub"]), toc_frame("sub", &["chp0"]), chapter.clone()];
        let written = tag(0, &[], &shallow);
        assert_eq!(readable_tag(&written).unwrap(), written, "a sane tree is kept as it is");
    }

    #[test]
    fn tags_that_cannot_be_walked_are_refused() {
        assert_eq!(readable_tag(b"ID3"), None);
        assert_eq!(readable_tag(b"not a tag at all"), None);
        let mut unsynced_v23 = tag(0x80, &[], &[frame(b"TIT2", b"\x03x")]);
        unsynced_v23[3] = 3;
        assert_eq!(readable_tag(&unsynced_v23), None);
        let mut claims_more = tag(0, &[], &[frame(b"TIT2", b"\x03x")]);
        claims_more[9] += 50;
        assert_eq!(readable_tag(&claims_more), None, "a tag longer than the bytes given");
    }
}
