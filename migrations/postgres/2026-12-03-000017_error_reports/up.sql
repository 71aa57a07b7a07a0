-- Errors users report in a dataset, answered by the department that provides it.
CREATE TABLE error_reports (
    id TEXT PRIMARY KEY,
    package_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    description TEXT NOT NULL,
    -- open, answered or fixed.
    state TEXT NOT NULL,
    answer TEXT,
    answered_by TEXT,
    created TIMESTAMP NOT NULL,
    answered_time TIMESTAMP,
    fixed_time TIMESTAMP
);
CREATE INDEX error_reports_package ON error_reports(package_id, created);
