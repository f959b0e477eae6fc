#!/bin/sh
# Makes two more spoken test episodes in tests/fixtures from the committed speech-32lufs.mp3
# (committed; run again only to change them), for the sampled loudness measurement:
#   speech-bed.mp3    the speech over a slowly swelling music bed (a chord with tremolo), -20 LUFS
#   near-silent.mp3   the speech 25 dB down in faint room tone: a near-silent recording, -57 LUFS
# Same shape as the others: about 28 s, stereo, 22050 Hz, 64 kb/s. Needs sox, ffmpeg and bc.
set -eu
out=${1:-tests/fixtures}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ffmpeg -hide_banner -loglevel error -i "$out/speech-32lufs.mp3" -ac 1 -ar 22050 "$tmp/speech.wav"
sox -n -r 22050 -c 1 "$tmp/bed.wav" synth 28.3 sine 220 sine 277 sine 330 sine 110 remix - tremolo 0.25 60
sox -n -r 22050 -c 1 "$tmp/room.wav" synth 28.3 pinknoise vol 0.002
ffmpeg -hide_banner -loglevel error -i "$tmp/speech.wav" -i "$tmp/bed.wav" \
  -filter_complex "[0]volume=14dB[s];[1]volume=-14dB[b];[s][b]amix=inputs=2:duration=first:normalize=0" "$tmp/bed-mix.wav"
ffmpeg -hide_banner -loglevel error -i "$tmp/speech.wav" -i "$tmp/room.wav" \
  -filter_complex "[0]volume=-25dB[s];[s][1]amix=inputs=2:duration=first:normalize=0" "$tmp/quiet-mix.wav"

integrated() {
  ffmpeg -hide_banner -nostats -i "$1" -af ebur128 -f null - 2>&1 | grep -A3 Summary | awk '/I:/ {print $2}'
}
# master LUFS NAME SOURCE: a gain corrected until the level is right.
master() {
  gain=0
  for pass in 1 2 3; do
    ffmpeg -hide_banner -loglevel error -y -i "$tmp/$3" -af "volume=${gain}dB" -ar 22050 -ac 2 -b:a 64k "$out/$2"
    gain=$(echo "$gain + $1 - ($(integrated "$out/$2"))" | bc -l)
  done
}
master -20 speech-bed.mp3 bed-mix.wav
master -57 near-silent.mp3 quiet-mix.wav
for f in speech-bed.mp3 near-silent.mp3; do
  printf '%s: %s LUFS\n' "$f" "$(integrated "$out/$f")"
done
