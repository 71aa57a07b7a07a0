//! Sysadmin pages at CKAN's `/ckan-admin`: the users (search, make or stop being a sysadmin,
//! end their sessions, delete with confirmation) and the trash (`/ckan-admin/trash`: deleted
//! datasets, organisations and groups, purged with confirmation).

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde_json::{Map, Value};

use crate::actions::Services;
use crate::actions::typed::{self, Trash, TrashKind};
use crate::model::text;
use crate::portal::forms::{Answer, confirm_page, path_param, refusal, signed_form, signed_page};
use crate::portal::i18n::Msgs;
use crate::portal::views::{encode, vi_attr};
use crate::portal::{Chrome, Ctx, PageError};

pub struct UserLine {
    pub name: String,
    pub display_name: String,
    pub email: String,
    pub created: String,
    pub sysadmin: bool,
    pub sessions: i64,
    pub myself: bool,
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersView {
    chrome: Chrome,
    m: Msgs,
    vi_attr: &'static str,
    q: String,
    users: Vec<UserLine>,
}

#[derive(Template)]
#[template(path = "admin_trash.html")]
struct TrashView {
    chrome: Chrome,
    m: Msgs,
    vi_attr: &'static str,
    trash: Trash,
}

fn sysadmin_only(ctx: &Ctx) -> Result<(), PageError> {
    if ctx.action.caller.is_sysadmin() { Ok(()) } else { Err(PageError::Forbidden) }
}

fn users_page(ctx: &Ctx) -> Result<String, PageError> {
    sysadmin_only(ctx)?;
    let m = ctx.m;
    let q = ctx.param("q").unwrap_or_default().trim().to_string();
    let sessions = typed::session_counts(&ctx.action)?;
    let me = ctx.action.caller.user_id().unwrap_or_default().to_string();
    let users = typed::user_list(&ctx.action, &q)?
        .iter()
        .map(|u: &Map<String, Value>| UserLine {
            name: text(u, "name").to_string(),
            display_name: text(u, "display_name").to_string(),
            email: text(u, "email").to_string(),
            created: m.date(text(u, "created")),
            sysadmin: u.get("sysadmin").and_then(Value::as_bool).unwrap_or(false),
            sessions: sessions.get(text(u, "id")).copied().unwrap_or(0),
            myself: text(u, "id") == me,
        })
        .collect();
    let view = UsersView { chrome: Chrome::new(ctx, m.t("admin-users"), "admin"), m, vi_attr: vi_attr(&m), q, users };
    Ok(view.render()?)
}

/// `GET /ckan-admin`: the users.
pub async fn users(request: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    signed_page(request, services, |ctx| Ok(Answer::ok(users_page(ctx)?))).await
}

fn back_to_users(ctx: &Ctx) -> Answer {
    Answer::Redirect(format!("{}/ckan-admin", ctx.lang.prefix()))
}

/// `POST /ckan-admin/users/{name}/sysadmin` with `value` `true` or `false`.
pub async fn set_sysadmin(request: HttpRequest, services: web::Data<Services>, body: web::Bytes) -> HttpResponse {
    let name = path_param(&request, "name");
    signed_form(request, services, body, move |ctx, form| {
        sysadmin_only(ctx)?;
        let mut changes = Map::new();
        changes.insert("sysadmin".into(), Value::Bool(form.get("value") == "true"));
        typed::user_patch(&ctx.action, &name, changes).map_err(refusal)?;
        Ok(back_to_users(ctx))
    })
    .await
}

/// `POST /ckan-admin/users/{name}/sessions`: ends the user's sessions.
pub async fn end_sessions(request: HttpRequest, services: web::Data<Services>, body: web::Bytes) -> HttpResponse {
    let name = path_param(&request, "name");
    signed_form(request, services, body, move |ctx, _| {
        sysadmin_only(ctx)?;
        typed::end_sessions(&ctx.action, &name).map_err(refusal)?;
        Ok(back_to_users(ctx))
    })
    .await
}

/// `GET /ckan-admin/users/{name}/delete`: asks to confirm.
pub async fn delete_user_form(request: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    let name = path_param(&request, "name");
    signed_page(request, services, move |ctx| {
        sysadmin_only(ctx)?;
        let m = ctx.m;
        let prefix = ctx.lang.prefix();
        let html = confirm_page(
            ctx,
            m.t("admin-delete-user"),
            m.with("admin-delete-user-question", &[("user", &name)]),
            m.t("delete-confirm"),
            format!("{prefix}/ckan-admin/users/{}/delete", encode(&name)),
            format!("{prefix}/ckan-admin"),
        )?;
        Ok(Answer::ok(html))
    })
    .await
}

/// `POST /ckan-admin/users/{name}/delete`.
pub async fn delete_user(request: HttpRequest, services: web::Data<Services>, body: web::Bytes) -> HttpResponse {
    let name = path_param(&request, "name");
    signed_form(request, services, body, move |ctx, _| {
        sysadmin_only(ctx)?;
        typed::user_delete(&ctx.action, &name).map_err(refusal)?;
        Ok(back_to_users(ctx))
    })
    .await
}

/// `GET /ckan-admin/trash`.
pub async fn trash(request: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    signed_page(request, services, |ctx| {
        sysadmin_only(ctx)?;
        let m = ctx.m;
        let view = TrashView {
            chrome: Chrome::new(ctx, m.t("admin-trash"), "admin"),
            m,
            vi_attr: vi_attr(&m),
            trash: typed::trash(&ctx.action)?,
        };
        Ok(Answer::ok(view.render()?))
    })
    .await
}

fn kind_of(text: &str) -> Option<TrashKind> {
    Some(match text {
        "datasets" => TrashKind::Datasets,
        "organizations" => TrashKind::Organizations,
        "groups" => TrashKind::Groups,
        "all" => TrashKind::All,
        _ => return None,
    })
}

/// `GET /ckan-admin/trash/purge?kind=`: asks to confirm.
pub async fn purge_form(request: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    signed_page(request, services, |ctx| {
        sysadmin_only(ctx)?;
        let kind = ctx.param("kind").unwrap_or_default().to_string();
        kind_of(&kind).ok_or(PageError::NotFound)?;
        let m = ctx.m;
        let prefix = ctx.lang.prefix();
        let html = confirm_page(
            ctx,
            m.t("admin-purge"),
            m.t(&format!("admin-purge-{kind}-question")),
            m.t("admin-purge"),
            format!("{prefix}/ckan-admin/trash/purge?kind={kind}"),
            format!("{prefix}/ckan-admin/trash"),
        )?;
        Ok(Answer::ok(html))
    })
    .await
}

/// `POST /ckan-admin/trash/purge?kind=`: purges for good.
pub async fn purge(request: HttpRequest, services: web::Data<Services>, body: web::Bytes) -> HttpResponse {
    signed_form(request, services, body, |ctx, _| {
        sysadmin_only(ctx)?;
        let kind = kind_of(ctx.param("kind").unwrap_or_default()).ok_or(PageError::NotFound)?;
        typed::purge_trash(&ctx.action, kind).map_err(refusal)?;
        Ok(Answer::Redirect(format!("{}/ckan-admin/trash", ctx.lang.prefix())))
    })
    .await
}
