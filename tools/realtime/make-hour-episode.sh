#!/usr/bin/env bash
# A 60-minute "position-coded" podcast episode for checks heard in real time:
# segment k (seconds [10k, 10k+10)) is a sine at 200 + 10k Hz, so the pitch heard tells the
# second (45:00 is segment 270 = 2,900 Hz). MP3 128 kbps, 44.1 kHz, with a 1.3 MB cover
# image in its ID3v2 tag like real podcasts; and the first minute as Opus and M4A.
# Needs python3, ffmpeg, ImageMagick's convert. Writes into OUT_DIR (default: .).
set -euo pipefail
out=${1:-.}
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 - "$tmp/hour.wav" <<'PY'
import array, math, sys, wave
rate, seg = 44100, 10
out = wave.open(sys.argv[1], "wb")
out.setnchannels(1); out.setsampwidth(2); out.setframerate(rate)
phase, two_pi = 0.0, 2 * math.pi
for k in range(360):
    step = two_pi * (200 + 10 * k) / rate
    block = array.array("h")
    for _ in range(seg * rate):
        block.append(int(16000 * math.sin(phase)))
        phase = (phase + step) % two_pi
    out.writeframes(block.tobytes())
out.close()
PY
convert -size 850x850 xc: +noise Random -quality 92 "$tmp/cover.jpg"
ff=(ffmpeg -hide_banner -nostdin -loglevel error -y)
"${ff[@]}" -i "$tmp/hour.wav" -c:a libmp3lame -b:a 128k "$tmp/hour-bare.mp3"
"${ff[@]}" -i "$tmp/hour-bare.mp3" -i "$tmp/cover.jpg" -map 0 -map 1 -c copy -id3v2_version 3 \
    -metadata:s:v title="Cover" -metadata:s:v comment="Cover (front)" "$out/hour.mp3"
"${ff[@]}" -i "$tmp/hour.wav" -t 60 -c:a libopus -b:a 48k "$out/minute.opus"
"${ff[@]}" -i "$tmp/hour.wav" -t 60 -c:a aac -b:a 96k -movflags +faststart "$out/minute.m4a"
"${ff[@]}" -i "$tmp/hour.wav" -t 60 -c:a libmp3lame -b:a 128k "$out/minute.mp3"
ls -la "$out"
