-- Tag vocabularies: tags whose vocabulary_id is a vocabulary's id belong to it.
CREATE TABLE vocabularies (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);
