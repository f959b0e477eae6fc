#!/usr/bin/env bash
# make-long-episode.sh OUT.mp3 [HOURS=8] — a long episode like a real 8-hour one: the spoken
# fixture over its music bed as 128 kb/s 44.1 kHz stereo MP3 (8 hours ≈ 460 MB): ten minutes
# encoded once, then joined frame by frame (ffmpeg's concat demuxer) with a fresh Xing header.
set -euo pipefail
OUT=$1; HOURS=${2:-8}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
ffmpeg -hide_banner -loglevel error -y -stream_loop 21 -i "$ROOT/tests/fixtures/speech-bed.mp3" -t 600 \
    -ar 44100 -ac 2 -b:a 128k "$TMP/ten.mp3"
for _ in $(seq $((HOURS * 6))); do echo "file '$TMP/ten.mp3'"; done >"$TMP/list.txt"
ffmpeg -hide_banner -loglevel error -y -f concat -safe 0 -i "$TMP/list.txt" -c copy "$OUT"
