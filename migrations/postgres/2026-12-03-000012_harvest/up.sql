-- Harvesting (ckanext-harvest's model). Sources are datasets of type `harvest`; these tables
-- hold their jobs and the objects that link a source's record (its guid) to a local dataset.
CREATE TABLE harvest_jobs (
    id TEXT PRIMARY KEY,
    source_id TEXT NOT NULL,
    -- New, Running, Finished or Aborted.
    status TEXT NOT NULL,
    created TIMESTAMP NOT NULL,
    gather_started TIMESTAMP,
    gather_finished TIMESTAMP,
    finished TIMESTAMP,
    -- The gather read the whole source without an error (only then are deletions applied).
    gather_complete BOOLEAN NOT NULL DEFAULT FALSE,
    added INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0,
    not_modified INTEGER NOT NULL DEFAULT 0,
    deleted INTEGER NOT NULL DEFAULT 0,
    errored INTEGER NOT NULL DEFAULT 0,
    -- JSON list of {"message": …}.
    gather_errors TEXT NOT NULL DEFAULT '[]',
    -- The node running the job and until when its claim holds (renewed as the job progresses).
    lease_owner TEXT,
    lease_until TIMESTAMP
);
-- At most one unfinished job per source, across every node.
CREATE UNIQUE INDEX harvest_jobs_one_open ON harvest_jobs(source_id) WHERE status IN ('New', 'Running');
CREATE INDEX harvest_jobs_source ON harvest_jobs(source_id, created);
CREATE INDEX harvest_jobs_status ON harvest_jobs(status);

CREATE TABLE harvest_objects (
    id TEXT PRIMARY KEY,
    guid TEXT NOT NULL,
    job_id TEXT NOT NULL,
    source_id TEXT NOT NULL,
    package_id TEXT,
    -- The object whose content the dataset holds now (one per source and guid).
    current BOOLEAN NOT NULL DEFAULT FALSE,
    -- WAITING, FETCH, IMPORT, COMPLETE or ERROR.
    state TEXT NOT NULL,
    -- added, updated, not modified, deleted or errored.
    report_status TEXT NOT NULL,
    content TEXT,
    content_hash TEXT,
    original_url TEXT,
    -- JSON list of {"message", "line", "column", "type"}.
    errors TEXT NOT NULL DEFAULT '[]',
    gathered TIMESTAMP NOT NULL,
    import_finished TIMESTAMP,
    -- The last job whose gather saw this guid (current objects only).
    last_seen_job TEXT
);
CREATE UNIQUE INDEX harvest_objects_current ON harvest_objects(source_id, guid) WHERE current;
CREATE INDEX harvest_objects_job ON harvest_objects(job_id);
CREATE INDEX harvest_objects_package ON harvest_objects(package_id) WHERE current;
