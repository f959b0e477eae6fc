-- The episode index keeps no copy of the words it indexes (they were 40 % of a library's size,
-- and of the time to subscribe): an external-content FTS5 table over the view `episode_words`,
-- which makes an episode's words from its row when a snippet needs them. Removing a row from
-- such an index means naming the words it was indexed with, so hark_plain() must give the same
-- words for the same notes: a change to what it gives is a migration that ends in 'rebuild'.
DROP TRIGGER search_episode_added;
DROP TRIGGER search_episode_changed;
DROP TRIGGER search_episode_removed;
DROP TABLE search_episodes;

CREATE VIEW episode_words AS SELECT id, title, hark_plain(notes_html) AS body FROM episodes;
CREATE VIRTUAL TABLE search_episodes USING fts5(
    title, body,
    content = 'episode_words', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO search_episodes (search_episodes, rank) VALUES ('rank', 'bm25(10.0, 1.0)');

-- New episodes are indexed by `search::index_new_episodes`, once per feed written, in one
-- statement: a trigger per row made FTS5 flush and merge a segment for every episode (most of
-- the time to subscribe to a big feed). Changes and removals are rare, and stay triggers.
CREATE TRIGGER search_episode_changed AFTER UPDATE OF title, notes_html ON episodes
WHEN old.title IS NOT new.title OR old.notes_html IS NOT new.notes_html BEGIN
    INSERT INTO search_episodes (search_episodes, rowid, title, body)
    VALUES ('delete', old.id, old.title, hark_plain(old.notes_html));
    INSERT INTO search_episodes (rowid, title, body) VALUES (new.id, new.title, hark_plain(new.notes_html));
END;
CREATE TRIGGER search_episode_removed AFTER DELETE ON episodes BEGIN
    INSERT INTO search_episodes (search_episodes, rowid, title, body)
    VALUES ('delete', old.id, old.title, hark_plain(old.notes_html));
END;

INSERT INTO search_episodes (search_episodes) VALUES ('rebuild');
