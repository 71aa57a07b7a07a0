//! Data requests (ckanext-datarequests' model) and their comments.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{datarequest_comments, datarequests};
use super::{StoreResult, Tx, map_err};

/// A stored request; `answer_due` is the province's date (`YYYY-MM-DD`).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = datarequests, treat_none_as_null = true)]
pub struct RequestRow {
    pub id: String,
    pub user_id: String,
    pub title: String,
    pub description: String,
    pub organization_id: Option<String>,
    pub open_time: NaiveDateTime,
    pub answer_due: String,
    pub answered_time: Option<NaiveDateTime>,
    pub closed: bool,
    pub close_time: Option<NaiveDateTime>,
    pub close_circumstance: Option<String>,
    pub refusal_reason: Option<String>,
    pub accepted_dataset_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = datarequest_comments)]
pub struct CommentRow {
    pub id: String,
    pub datarequest_id: String,
    pub user_id: String,
    pub comment: String,
    pub time: NaiveDateTime,
}

pub fn insert(tx: &mut Tx, row: &RequestRow) -> StoreResult<()> {
    map_err(diesel::insert_into(datarequests::table).values(row).execute(tx)).map(|_| ())
}

pub fn update(tx: &mut Tx, row: &RequestRow) -> StoreResult<()> {
    map_err(diesel::update(datarequests::table.find(&row.id)).set(row).execute(tx)).map(|_| ())
}

pub fn find(tx: &mut Tx, id: &str) -> StoreResult<Option<RequestRow>> {
    map_err(datarequests::table.find(id).select(RequestRow::as_select()).first(tx).optional())
}

pub fn delete(tx: &mut Tx, id: &str) -> StoreResult<()> {
    map_err(
        diesel::delete(datarequest_comments::table.filter(datarequest_comments::datarequest_id.eq(id))).execute(tx),
    )?;
    map_err(diesel::delete(datarequests::table.find(id)).execute(tx)).map(|_| ())
}

/// Which requests a listing holds.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub organization_id: Option<String>,
    pub user_id: Option<String>,
    pub closed: Option<bool>,
    /// Words of the title or description (case-insensitive `LIKE`).
    pub q: Option<String>,
}

type Boxed<'a> = datarequests::BoxedQuery<'a, super::DbBackend>;

fn filtered(filter: &Filter) -> Boxed<'_> {
    let mut query: Boxed = datarequests::table.into_boxed();
    if let Some(org) = &filter.organization_id {
        query = query.filter(datarequests::organization_id.eq(org.clone()));
    }
    if let Some(user) = &filter.user_id {
        query = query.filter(datarequests::user_id.eq(user.clone()));
    }
    if let Some(closed) = filter.closed {
        query = query.filter(datarequests::closed.eq(closed));
    }
    if let Some(q) = filter.q.as_ref().filter(|q| !q.trim().is_empty()) {
        let pattern = format!("%{}%", q.trim().replace(['%', '_'], ""));
        query = query.filter(datarequests::title.like(pattern.clone()).or(datarequests::description.like(pattern)));
    }
    query
}

pub fn count(tx: &mut Tx, filter: &Filter) -> StoreResult<i64> {
    map_err(filtered(filter).count().get_result(tx))
}

/// A page of requests, newest first (or oldest first when `ascending`).
pub fn list(tx: &mut Tx, filter: &Filter, ascending: bool, offset: i64, limit: i64) -> StoreResult<Vec<RequestRow>> {
    let query = filtered(filter).select(RequestRow::as_select()).offset(offset).limit(limit);
    let query = if ascending {
        query.order((datarequests::open_time.asc(), datarequests::id.asc()))
    } else {
        query.order((datarequests::open_time.desc(), datarequests::id.desc()))
    };
    map_err(query.load(tx))
}

pub fn insert_comment(tx: &mut Tx, row: &CommentRow) -> StoreResult<()> {
    map_err(diesel::insert_into(datarequest_comments::table).values(row).execute(tx)).map(|_| ())
}

pub fn comments(tx: &mut Tx, datarequest_id: &str) -> StoreResult<Vec<CommentRow>> {
    map_err(
        datarequest_comments::table
            .filter(datarequest_comments::datarequest_id.eq(datarequest_id))
            .select(CommentRow::as_select())
            .order((datarequest_comments::time.asc(), datarequest_comments::id.asc()))
            .limit(1000)
            .load(tx),
    )
}

pub fn comment_count(tx: &mut Tx, datarequest_id: &str) -> StoreResult<i64> {
    map_err(
        datarequest_comments::table
            .filter(datarequest_comments::datarequest_id.eq(datarequest_id))
            .count()
            .get_result(tx),
    )
}

/// The requests opened in `[from, to)`.
pub fn opened_between(tx: &mut Tx, from: NaiveDateTime, to: NaiveDateTime) -> StoreResult<Vec<RequestRow>> {
    map_err(
        datarequests::table
            .filter(datarequests::open_time.ge(from))
            .filter(datarequests::open_time.lt(to))
            .select(RequestRow::as_select())
            .load(tx),
    )
}

pub fn find_comment(tx: &mut Tx, id: &str) -> StoreResult<Option<CommentRow>> {
    map_err(datarequest_comments::table.find(id).select(CommentRow::as_select()).first(tx).optional())
}

pub fn update_comment(tx: &mut Tx, id: &str, comment: &str) -> StoreResult<()> {
    map_err(
        diesel::update(datarequest_comments::table.find(id)).set(datarequest_comments::comment.eq(comment)).execute(tx),
    )
    .map(|_| ())
}

pub fn delete_comment(tx: &mut Tx, id: &str) -> StoreResult<()> {
    map_err(diesel::delete(datarequest_comments::table.find(id)).execute(tx)).map(|_| ())
}
