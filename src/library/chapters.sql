-- Chapters and transcripts. The feed's own lists live on the episode (written by sync with the
-- other feed fields); chapters found elsewhere (the Podcasting 2.0 JSON file, the audio file's
-- ID3 or MP4 chapters) live in `chapters`, one list per source, with what a conditional
-- re-fetch needs.
ALTER TABLE episodes DROP COLUMN transcript_url;
-- JSON of [transcript::TranscriptLink], NULL when the feed lists none.
ALTER TABLE episodes ADD COLUMN transcripts TEXT;
-- The show's <language>: transcripts are chosen in it.
ALTER TABLE podcasts ADD COLUMN language TEXT;
-- JSON of [chapters::Chapter] from psc:chapters, NULL when none.
ALTER TABLE episodes ADD COLUMN psc_chapters TEXT;
-- Forget the fingerprints: the next refresh fetches and parses every feed again and writes
-- the new columns of every episode.
UPDATE episodes SET content_hash = '';
UPDATE podcasts SET etag = NULL, last_modified = NULL, body_hash = NULL;

CREATE TABLE chapters (
    episode_id    INTEGER NOT NULL REFERENCES episodes(id) ON DELETE CASCADE,
    -- json | id3 | mp4
    source        TEXT NOT NULL,
    -- JSON of [chapters::Chapter]; '[]' when the source was read and had none
    list          TEXT NOT NULL,
    -- for the JSON file: the address it came from and its validators
    url           TEXT,
    etag          TEXT,
    last_modified TEXT,
    PRIMARY KEY (episode_id, source)
);

-- Chapters the listener unchecked: jumped over while playing. By start (in ms), which stays
-- the same when a source is re-read.
CREATE TABLE skipped_chapters (
    episode_id INTEGER NOT NULL REFERENCES episodes(id) ON DELETE CASCADE,
    start_ms   INTEGER NOT NULL,
    PRIMARY KEY (episode_id, start_ms)
);
