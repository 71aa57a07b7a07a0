-- The activity stream: who changed what, when (the provincial rules require traceability).
-- owner_org and group_ids (space-separated) place dataset activities in organisation and
-- group streams.
CREATE TABLE activities (
    id TEXT PRIMARY KEY,
    timestamp TIMESTAMP NOT NULL,
    user_id TEXT NOT NULL,
    object_id TEXT NOT NULL,
    activity_type TEXT NOT NULL,
    data TEXT NOT NULL,
    permission_labels TEXT,
    owner_org TEXT,
    group_ids TEXT NOT NULL
);
CREATE INDEX activities_object ON activities(object_id, timestamp);
CREATE INDEX activities_user ON activities(user_id, timestamp);
CREATE INDEX activities_owner_org ON activities(owner_org, timestamp);
CREATE INDEX activities_timestamp ON activities(timestamp);
