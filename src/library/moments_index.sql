-- Chapters and transcripts in the library index (see moments_index.rs). One document per
-- episode's chapter titles (rowid = episode id * 2) and one per its transcript (episode id * 2
-- + 1), in an FTS5 table that keeps neither the words (content='') nor where in a document they
-- are (detail=none): only which documents hold each word, which is what an AND of prefix words
-- needs. A 20,000-episode library with a 5,000-cue transcript for each is ~10^8 cues: a row per
-- cue, or positions, would make it gigabytes. Where in the episode a hit is, is found afterwards
-- for the few hits shown (the cached transcript; the chapters' own lists).
CREATE VIRTUAL TABLE search_moments USING fts5(
    words,
    content = '', contentless_delete = 1, detail = none,
    tokenize = 'unicode61 remove_diacritics 2'
);

-- Every chapter title an episode has, from every source but its notes (whose words are in the
-- notes index already): the feed's psc:chapters and each stored list (JSON file, ID3, MP4).
CREATE VIEW chapter_words AS
SELECT e.id AS episode_id,
       trim(coalesce((SELECT group_concat(json_extract(j.value, '$.title'), char(10))
                      FROM json_each(e.psc_chapters) j), '')
            || char(10) ||
            coalesce((SELECT group_concat(json_extract(j.value, '$.title'), char(10))
                      FROM chapters c, json_each(c.list) j WHERE c.episode_id = e.id), ''),
            char(10) || ' ') AS words
FROM episodes e;

-- Kept in step by triggers: chapters change rarely, one episode at a time. (New episodes' feed
-- chapters are indexed with their words, by `search::index_new_episodes`.)
CREATE TRIGGER moments_chapters_added AFTER INSERT ON chapters BEGIN
    DELETE FROM search_moments WHERE rowid = new.episode_id * 2;
    INSERT INTO search_moments (rowid, words)
    SELECT episode_id * 2, words FROM chapter_words WHERE episode_id = new.episode_id AND words <> '';
END;
CREATE TRIGGER moments_chapters_changed AFTER UPDATE OF list ON chapters BEGIN
    DELETE FROM search_moments WHERE rowid = new.episode_id * 2;
    INSERT INTO search_moments (rowid, words)
    SELECT episode_id * 2, words FROM chapter_words WHERE episode_id = new.episode_id AND words <> '';
END;
CREATE TRIGGER moments_chapters_removed AFTER DELETE ON chapters BEGIN
    DELETE FROM search_moments WHERE rowid = old.episode_id * 2;
    INSERT INTO search_moments (rowid, words)
    SELECT episode_id * 2, words FROM chapter_words WHERE episode_id = old.episode_id AND words <> '';
END;
CREATE TRIGGER moments_feed_chapters_changed AFTER UPDATE OF psc_chapters ON episodes
WHEN old.psc_chapters IS NOT new.psc_chapters BEGIN
    DELETE FROM search_moments WHERE rowid = new.id * 2;
    INSERT INTO search_moments (rowid, words)
    SELECT episode_id * 2, words FROM chapter_words WHERE episode_id = new.id AND words <> '';
END;
CREATE TRIGGER moments_episode_removed AFTER DELETE ON episodes BEGIN
    DELETE FROM search_moments WHERE rowid IN (old.id * 2, old.id * 2 + 1);
END;

-- Each episode's transcript as the index and the background fetch know it: the address it
-- was read from, when it was last asked for (Unix seconds), and whether its words are indexed.
CREATE TABLE transcript_checks (
    episode_id INTEGER PRIMARY KEY REFERENCES episodes(id) ON DELETE CASCADE,
    url        TEXT NOT NULL,
    checked_at INTEGER NOT NULL,
    indexed    INTEGER NOT NULL DEFAULT 0
);

-- Libraries from before: their chapters now. Their cached transcripts are indexed by
-- `Library::index_cached_transcripts` (the cache is a folder the library does not know).
INSERT INTO search_moments (rowid, words) SELECT episode_id * 2, words FROM chapter_words WHERE words <> '';
