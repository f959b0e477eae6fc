#!/usr/bin/env python3
"""Writes tests/fixtures/chapter-tracks.m4a: an M4A whose chapters are only in QuickTime chapter
tracks, referenced as Auphonic references them: the pictures' track (a JPEG video track) first,
then the titles, then the titles with links; and no Nero chapter list. Needs ffmpeg (for the
audio, the pictures and a first chapter track) and Python 3.

    tools/chapter-tracks/make.py tests/fixtures/chapter-tracks.m4a
"""
import struct
import subprocess
import sys
import tempfile

CHAPTERS = [(0, "Cold open"), (5000, "News"), (12000, "Listener mail")]


def boxes(data):
    at = 0
    while at + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[at:at + 8])
        yield kind, data[at + 8:at + size]
        at += size


def box(kind, body):
    return struct.pack(">I4s", 8 + len(body), kind) + body


def rebuild(body, change):
    """The boxes of body, each passed through change(kind, body) -> list of (kind, body)."""
    out = b""
    for kind, inner in boxes(body):
        for new_kind, new_body in change(kind, inner):
            out += box(new_kind, new_body)
    return out


def with_track_id(trak, track_id):
    return rebuild(trak, lambda k, v: [(k, v[:12] + struct.pack(">I", track_id) + v[16:] if k == b"tkhd" else v)])


def main(out_path):
    with tempfile.TemporaryDirectory() as tmp:
        meta = f"{tmp}/meta.txt"
        with open(meta, "w") as f:
            f.write(";FFMETADATA1\n")
            ends = [start for start, _ in CHAPTERS[1:]] + [20000]
            for (start, title), end in zip(CHAPTERS, ends):
                f.write(f"[CHAPTER]\nTIMEBASE=1/1000\nSTART={start}\nEND={end}\ntitle={title}\n")
        plain = f"{tmp}/plain.m4a"
        subprocess.run(["ffmpeg", "-y", "-loglevel", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=20",
                        "-f", "lavfi", "-i", "color=c=red:s=64x64:r=1:d=20", "-i", meta,
                        "-map", "0", "-map", "1", "-map_metadata", "2", "-map_chapters", "2",
                        "-c:a", "aac", "-b:a", "24k", "-c:v", "mjpeg", "-q:v", "9", "-r", "1", "-f", "mp4", plain],
                       check=True)
        data = open(plain, "rb").read()
    top = list(boxes(data))
    assert [k for k, _ in top][-1] == b"moov", "the movie box comes last, so nothing before it moves"
    moov = dict((k, v) for k, v in top)[b"moov"]
    traks = [inner for kind, inner in boxes(moov) if kind == b"trak"]
    audio, pictures, titles = traks  # track ids 1, 2, 3

    def audio_change(kind, inner):
        if kind == b"tref":
            return [(kind, box(b"chap", struct.pack(">III", 2, 3, 4)))]
        return [(kind, inner)]
    new_audio = rebuild(audio, audio_change)
    pictures = rebuild(pictures, lambda k, v: [] if k == b"tref" else [(k, v)])
    titles_with_links = with_track_id(titles, 4)

    def moov_change(kind, inner):
        if kind == b"trak":
            return []
        if kind == b"udta":
            # No Nero chapter list: the chapter tracks are all there is.
            kept = rebuild(inner, lambda k, v: [] if k == b"chpl" else [(k, v)])
            return [(b"trak", new_audio), (b"trak", pictures), (b"trak", titles), (b"trak", titles_with_links),
                    (kind, kept)]
        return [(kind, inner)]
    new_moov = rebuild(moov, moov_change)
    with open(out_path, "wb") as f:
        for kind, inner in top:
            f.write(box(kind, new_moov if kind == b"moov" else inner))


if __name__ == "__main__":
    main(sys.argv[1])
