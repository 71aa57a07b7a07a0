-- A harvest source's configuration, kept out of its dataset dict: it may hold secrets (an API key
-- of a department's system) that package_show, the activity stream and the portal must not show.
CREATE TABLE harvest_configs (
    source_id TEXT PRIMARY KEY,
    config TEXT NOT NULL
);
