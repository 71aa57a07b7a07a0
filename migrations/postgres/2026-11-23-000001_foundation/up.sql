-- Accounts, organisations, groups, memberships, API tokens and the change log.
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    fullname TEXT,
    email TEXT,
    password_hash TEXT NOT NULL,
    about TEXT,
    image_url TEXT,
    sysadmin BOOLEAN NOT NULL DEFAULT FALSE,
    state TEXT NOT NULL,
    created TIMESTAMP NOT NULL,
    last_active TIMESTAMP
);

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_access TIMESTAMP
);
CREATE INDEX api_tokens_user_id ON api_tokens(user_id);

CREATE TABLE "groups" (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    image_url TEXT NOT NULL,
    group_type TEXT NOT NULL,
    is_organization BOOLEAN NOT NULL,
    approval_status TEXT NOT NULL,
    state TEXT NOT NULL,
    created TIMESTAMP NOT NULL,
    extras TEXT NOT NULL
);

CREATE TABLE members (
    id TEXT PRIMARY KEY,
    group_id TEXT NOT NULL REFERENCES "groups"(id) ON DELETE CASCADE,
    table_name TEXT NOT NULL,
    table_id TEXT NOT NULL,
    capacity TEXT NOT NULL,
    state TEXT NOT NULL,
    created TIMESTAMP NOT NULL,
    UNIQUE (group_id, table_name, table_id)
);
CREATE INDEX members_table_id ON members(table_id);

CREATE TABLE changes (
    seq BIGSERIAL PRIMARY KEY,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    action TEXT NOT NULL,
    changed_at TIMESTAMP NOT NULL
);

CREATE TABLE site_settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
