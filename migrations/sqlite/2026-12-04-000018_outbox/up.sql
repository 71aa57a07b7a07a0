-- Mail waiting to be sent (the outbox): written in the transaction of the change it tells
-- about, sent by `kho serve` in the background, so that no request waits on the mail server.
CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created TIMESTAMP NOT NULL,
    next_attempt TIMESTAMP NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    sent_time TIMESTAMP,
    last_error TEXT
);
CREATE INDEX outbox_due ON outbox(sent_time, next_attempt);
