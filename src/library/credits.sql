-- Issue #27: what a feed says of its people. The show's itunes:subtitle; an episode's
-- itunes:subtitle, itunes:author and podcast:person as one JSON object (NULL when it says none:
-- most episodes), shown on the pages and in the CLI's JSON.
ALTER TABLE podcasts ADD COLUMN subtitle TEXT;
ALTER TABLE episodes ADD COLUMN credits TEXT;
-- Read every feed whole once (no validators), so shows followed before learn them.
UPDATE podcasts SET etag = NULL, last_modified = NULL, body_hash = NULL;
