-- Requests for access to shared (non-public) datasets of a department: the owner approves or
-- refuses, then the operator issues a scoped, expiring API token (`api_tokens.package_ids`).
CREATE TABLE access_requests (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    organization_id TEXT NOT NULL,
    package_ids TEXT NOT NULL,
    purpose TEXT NOT NULL,
    legal_basis TEXT NOT NULL,
    state TEXT NOT NULL,
    created TIMESTAMP NOT NULL,
    decided_by TEXT,
    decided_time TIMESTAMP,
    refusal_reason TEXT,
    issue_due TEXT,
    issued_by TEXT,
    issued_time TIMESTAMP,
    expires TIMESTAMP,
    token_id TEXT
);
CREATE INDEX access_requests_organization ON access_requests(organization_id, created);
CREATE INDEX access_requests_user ON access_requests(user_id, created);

-- A scoped token reads only these datasets (JSON list of ids) and nothing after `expires`.
ALTER TABLE api_tokens ADD COLUMN package_ids TEXT;
ALTER TABLE api_tokens ADD COLUMN expires TIMESTAMP;
