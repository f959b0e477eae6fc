-- The moments index with prefix indexes for query words of one to three characters. Without
-- them, a short word ("ba"*) merges the lists of every word that starts with it, in every
-- segment: ~50 ms a word in the 20,000-transcript bench (benches/moments.rs), under 1 ms with
-- them, for ~20 % more index. The index keeps no words, so it is made again: the chapters'
-- here, the transcripts' from the cache by `Library::index_cached_transcripts` (as for a
-- library from before the moments index), which finds them no longer indexed.
DROP TABLE search_moments;
CREATE VIRTUAL TABLE search_moments USING fts5(
    words,
    content = '', contentless_delete = 1, detail = none,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2 3'
);
INSERT INTO search_moments (rowid, words) SELECT episode_id * 2, words FROM chapter_words WHERE words <> '';
UPDATE transcript_checks SET indexed = 0;
