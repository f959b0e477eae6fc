#!/bin/sh
# Makes the spoken test episodes in tests/fixtures (committed; run again only to change them):
# five sentences of espeak-ng speech with 2 s pauses (faint room tone in them), about 28 s,
# in stereo, mastered at -32 LUFS and at -10 LUFS. Needs espeak-ng, sox, ffmpeg and bc.
set -eu
out=${1:-tests/fixtures}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
for line in \
  "Welcome back to the show. Today we talk about listening to podcasts at a desk." \
  "The first thing people ask for is that a player starts at once." \
  "The second is that downloads never break, even on a bad connection." \
  "Third, nobody wants to lose their place in a long episode." \
  "And last, the features they know from the phone apps they use."; do
  n=$((n + 1))
  espeak-ng -s 165 -w "$tmp/s$n.wav" "$line"
  sox "$tmp/s$n.wav" -r 22050 -c 1 "$tmp/r$n.wav"
done
sox -n -r 22050 -c 1 "$tmp/pause.wav" synth 2.0 pinknoise vol 0.0015
sox -n -r 22050 -c 1 "$tmp/gap.wav" trim 0 2.0
join() {
  sox "$tmp/r1.wav" "$tmp/$1" "$tmp/r2.wav" "$tmp/$1" "$tmp/r3.wav" "$tmp/$1" "$tmp/r4.wav" "$tmp/$1" "$tmp/r5.wav" "$tmp/$2"
}
join pause.wav speech.wav
join gap.wav dry.wav

integrated() {
  ffmpeg -hide_banner -nostats -i "$1" -af ebur128 -f null - 2>&1 | grep -A3 Summary | awk '/I:/ {print $2}'
}
# master LUFS NAME SOURCE FILTER: FILTER after a gain that is corrected until the level is right.
master() {
  gain=0
  for pass in 1 2 3 4; do
    ffmpeg -hide_banner -loglevel error -y -i "$tmp/$3" -af "volume=${gain}dB$4" -ar 22050 -ac 2 -b:a 64k "$out/$2"
    gain=$(echo "$gain + $1 - ($(integrated "$out/$2"))" | bc -l)
  done
}
# The quiet one is only quieter, room tone and all; the loud one is pushed into saturation
# the way loud shows are, with its pauses cleanly silent.
master -32 speech-32lufs.mp3 speech.wav ""
master -10 speech-10lufs.mp3 dry.wav ",asoftclip=type=tanh,volume=-1.5dB"
for f in speech-32lufs.mp3 speech-10lufs.mp3; do
  printf '%s: ' "$f"
  ffmpeg -hide_banner -nostats -i "$out/$f" -af ebur128=peak=true -f null - 2>&1 | grep -A20 Summary | awk '/I:/ {i=$2} /Peak:/ {p=$2} END {print i " LUFS, true peak " p " dBFS"}'
done
