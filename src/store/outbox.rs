//! The outbox: mail written with the change it tells about, sent later by the mail sender.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::outbox;
use super::{StoreResult, Tx, map_err};

/// One message to one recipient.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = outbox)]
pub struct MailRow {
    pub id: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub created: NaiveDateTime,
    pub next_attempt: NaiveDateTime,
    pub attempts: i32,
    pub sent_time: Option<NaiveDateTime>,
    pub last_error: Option<String>,
}

pub fn insert(tx: &mut Tx, row: &MailRow) -> StoreResult<()> {
    map_err(diesel::insert_into(outbox::table).values(row).execute(tx)).map(|_| ())
}

/// Unsent messages due at `now` that have been tried fewer than `max_attempts` times, oldest
/// first.
pub fn due(tx: &mut Tx, now: NaiveDateTime, max_attempts: i32, limit: i64) -> StoreResult<Vec<MailRow>> {
    map_err(
        outbox::table
            .filter(outbox::sent_time.is_null())
            .filter(outbox::next_attempt.le(now))
            .filter(outbox::attempts.lt(max_attempts))
            .order((outbox::next_attempt, outbox::id))
            .limit(limit)
            .select(MailRow::as_select())
            .load(tx),
    )
}

/// Takes a message for sending until `lease_until`, unless another node took it first (its
/// `next_attempt` changed): returns whether this node has it.
pub fn claim(tx: &mut Tx, row: &MailRow, lease_until: NaiveDateTime) -> StoreResult<bool> {
    let changed = diesel::update(
        outbox::table
            .filter(outbox::id.eq(&row.id))
            .filter(outbox::next_attempt.eq(row.next_attempt))
            .filter(outbox::sent_time.is_null()),
    )
    .set(outbox::next_attempt.eq(lease_until))
    .execute(tx);
    map_err(changed).map(|n| n == 1)
}

pub fn mark_sent(tx: &mut Tx, id: &str, at: NaiveDateTime) -> StoreResult<()> {
    map_err(diesel::update(outbox::table.find(id)).set(outbox::sent_time.eq(Some(at))).execute(tx)).map(|_| ())
}

/// Records a failed attempt and when to try again.
pub fn mark_failed(tx: &mut Tx, id: &str, error: &str, attempts: i32, retry_at: NaiveDateTime) -> StoreResult<()> {
    let changed = diesel::update(outbox::table.find(id))
        .set((outbox::last_error.eq(Some(error)), outbox::attempts.eq(attempts), outbox::next_attempt.eq(retry_at)))
        .execute(tx);
    map_err(changed).map(|_| ())
}
