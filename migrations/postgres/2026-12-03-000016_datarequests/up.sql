-- Requests for data not yet published (ckanext-datarequests' model), addressed to a department,
-- with the answer deadline the 15:00 rule gives, and their comments.
CREATE TABLE datarequests (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    organization_id TEXT,
    open_time TIMESTAMP NOT NULL,
    answer_due TEXT NOT NULL,
    answered_time TIMESTAMP,
    closed BOOLEAN NOT NULL DEFAULT FALSE,
    close_time TIMESTAMP,
    close_circumstance TEXT,
    refusal_reason TEXT,
    accepted_dataset_id TEXT
);
CREATE INDEX datarequests_open ON datarequests(closed, open_time);
CREATE INDEX datarequests_organization ON datarequests(organization_id, open_time);

CREATE TABLE datarequest_comments (
    id TEXT PRIMARY KEY,
    datarequest_id TEXT NOT NULL REFERENCES datarequests(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    comment TEXT NOT NULL,
    time TIMESTAMP NOT NULL
);
CREATE INDEX datarequest_comments_request ON datarequest_comments(datarequest_id, time);
