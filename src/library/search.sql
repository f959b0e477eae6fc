-- Full-text search of what the listener follows: show titles, authors and descriptions
-- (search_shows, rowid = podcasts.id) and episode titles with their notes as plain text
-- (search_episodes, rowid = episodes.id). Kept in step by triggers, so every path that changes
-- the tables (sync, removal, cascades) changes the index too. hark_plain() is Hark's notes
-- reader, registered on each connection.
CREATE VIRTUAL TABLE search_shows USING fts5(
    title, body,
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE search_episodes USING fts5(
    title, body,
    tokenize = 'unicode61 remove_diacritics 2'
);

-- Titles weigh ten times the rest; `ORDER BY rank` then lets FTS5 rank inside the index.
INSERT INTO search_shows (search_shows, rank) VALUES ('rank', 'bm25(10.0, 1.0)');
INSERT INTO search_episodes (search_episodes, rank) VALUES ('rank', 'bm25(10.0, 1.0)');

CREATE TRIGGER search_show_added AFTER INSERT ON podcasts BEGIN
    INSERT INTO search_shows (rowid, title, body)
    VALUES (new.id, new.title, coalesce(new.author, '') || char(10) || hark_plain(new.description));
END;
CREATE TRIGGER search_show_changed AFTER UPDATE OF title, author, description ON podcasts BEGIN
    DELETE FROM search_shows WHERE rowid = old.id;
    INSERT INTO search_shows (rowid, title, body)
    VALUES (new.id, new.title, coalesce(new.author, '') || char(10) || hark_plain(new.description));
END;
CREATE TRIGGER search_show_removed AFTER DELETE ON podcasts BEGIN
    DELETE FROM search_shows WHERE rowid = old.id;
END;

CREATE TRIGGER search_episode_added AFTER INSERT ON episodes BEGIN
    INSERT INTO search_episodes (rowid, title, body) VALUES (new.id, new.title, hark_plain(new.notes_html));
END;
CREATE TRIGGER search_episode_changed AFTER UPDATE OF title, notes_html ON episodes BEGIN
    DELETE FROM search_episodes WHERE rowid = old.id;
    INSERT INTO search_episodes (rowid, title, body) VALUES (new.id, new.title, hark_plain(new.notes_html));
END;
CREATE TRIGGER search_episode_removed AFTER DELETE ON episodes BEGIN
    DELETE FROM search_episodes WHERE rowid = old.id;
END;

-- Libraries from before the index: build it once.
INSERT INTO search_shows (rowid, title, body)
    SELECT id, title, coalesce(author, '') || char(10) || hark_plain(description) FROM podcasts;
INSERT INTO search_episodes (rowid, title, body) SELECT id, title, hark_plain(notes_html) FROM episodes;
