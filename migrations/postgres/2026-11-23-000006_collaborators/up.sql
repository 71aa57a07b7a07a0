-- Dataset collaborators: users granted read (member) or edit (editor, admin) on one dataset.
CREATE TABLE package_collaborators (
    package_id TEXT NOT NULL REFERENCES packages(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    capacity TEXT NOT NULL,
    modified TIMESTAMP NOT NULL,
    PRIMARY KEY (package_id, user_id)
);
CREATE INDEX package_collaborators_user ON package_collaborators(user_id);
