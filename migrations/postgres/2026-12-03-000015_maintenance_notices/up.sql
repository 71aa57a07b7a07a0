-- Announced suspensions of data or services: planned ones at least 7 working days ahead,
-- emergency repairs marked as such. Cancelled notices stay (state 'cancelled').
CREATE TABLE maintenance_notices (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    reason TEXT NOT NULL,
    services TEXT NOT NULL,
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    emergency BOOLEAN NOT NULL,
    state TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created TIMESTAMP NOT NULL,
    changed TIMESTAMP NOT NULL
);
CREATE INDEX maintenance_notices_ends ON maintenance_notices(state, ends_at);
