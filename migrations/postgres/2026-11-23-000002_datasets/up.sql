-- Datasets, their resources and tags. Extras are JSON text: read and written whole.
CREATE TABLE packages (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    title TEXT,
    author TEXT,
    author_email TEXT,
    maintainer TEXT,
    maintainer_email TEXT,
    license_id TEXT,
    notes TEXT,
    url TEXT,
    version TEXT,
    state TEXT NOT NULL,
    package_type TEXT NOT NULL,
    owner_org TEXT,
    private BOOLEAN NOT NULL,
    creator_user_id TEXT,
    metadata_created TIMESTAMP NOT NULL,
    metadata_modified TIMESTAMP NOT NULL,
    extras TEXT NOT NULL
);
CREATE INDEX packages_owner_org ON packages(owner_org);
CREATE INDEX packages_metadata_modified ON packages(metadata_modified);
CREATE INDEX packages_creator ON packages(creator_user_id);

CREATE TABLE resources (
    id TEXT PRIMARY KEY,
    package_id TEXT NOT NULL REFERENCES packages(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    state TEXT NOT NULL,
    url TEXT NOT NULL,
    name TEXT,
    description TEXT,
    format TEXT NOT NULL,
    hash TEXT NOT NULL,
    mimetype TEXT,
    mimetype_inner TEXT,
    size BIGINT,
    url_type TEXT,
    resource_type TEXT,
    created TIMESTAMP NOT NULL,
    last_modified TIMESTAMP,
    metadata_modified TIMESTAMP NOT NULL,
    cache_url TEXT,
    cache_last_updated TIMESTAMP,
    extras TEXT NOT NULL
);
CREATE INDEX resources_package_id ON resources(package_id);

-- vocabulary_id is '' for free tags (NULLs would not be unique).
CREATE TABLE tags (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    vocabulary_id TEXT NOT NULL,
    UNIQUE (name, vocabulary_id)
);

CREATE TABLE package_tags (
    package_id TEXT NOT NULL REFERENCES packages(id) ON DELETE CASCADE,
    tag_id TEXT NOT NULL REFERENCES tags(id),
    PRIMARY KEY (package_id, tag_id)
);
CREATE INDEX package_tags_tag_id ON package_tags(tag_id);
