//! A user's page (`/user/{name}`: name, about, the datasets they created) and the profile form
//! (`/user/edit/{name}`: full name, e-mail, about, new password). Changing the e-mail address
//! or the password asks for the signed-in user's current password, as CKAN's form does; a new
//! password ends every session of the account (`user_update`), so the user signs in again.

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde_json::{Map, Value};

use crate::actions::{Services, typed};
use crate::model::{Dataset, text};
use crate::portal::forms::{
    Answer, ErrorLine, FormField, field_errors, path_param, place_errors, signed_form, signed_page,
};
use crate::portal::i18n::Msgs;
use crate::portal::views::{DatasetSummary, vi_attr};
use crate::portal::{Chrome, Ctx, PageError, PageResult, markdown, respond};

#[derive(Template)]
#[template(path = "user.html")]
struct UserView {
    chrome: Chrome,
    m: Msgs,
    vi_attr: &'static str,
    name: String,
    display_name: String,
    about_html: String,
    email: String,
    created: String,
    sysadmin: bool,
    datasets: Vec<DatasetSummary>,
    can_edit: bool,
}

#[derive(Template)]
#[template(path = "user_form.html")]
struct UserFormView {
    chrome: Chrome,
    m: Msgs,
    vi_attr: &'static str,
    name: String,
    fields: Vec<FormField>,
    errors: Vec<ErrorLine>,
}

/// Whether the caller may edit this user (themselves, or a sysadmin).
fn may_edit(ctx: &Ctx, user: &Map<String, Value>) -> bool {
    ctx.action.caller.is_sysadmin() || ctx.action.caller.user_id() == Some(text(user, "id"))
}

/// `GET /user/{name}`.
pub async fn page(request: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    let name = path_param(&request, "name");
    respond(&request, services, move |ctx| build(ctx, &name)).await
}

fn build(ctx: &Ctx, name: &str) -> PageResult {
    let m = ctx.m;
    let user = typed::user_show(&ctx.action, name, true)?;
    if text(&user, "state") != "active" && !ctx.action.caller.is_sysadmin() {
        return Err(PageError::NotFound);
    }
    let display_name = [text(&user, "fullname"), text(&user, "display_name"), text(&user, "name")]
        .into_iter()
        .find(|n| !n.is_empty())
        .unwrap_or_default()
        .to_string();
    let datasets = user
        .get("datasets")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|d| d.as_object().cloned())
        .map(|d| DatasetSummary::of(&Dataset(d), &m))
        .collect();
    let view = UserView {
        chrome: Chrome::new(ctx, display_name.clone(), "user"),
        m,
        vi_attr: vi_attr(&m),
        name: text(&user, "name").to_string(),
        about_html: markdown::to_html(text(&user, "about")),
        email: if may_edit(ctx, &user) { text(&user, "email").to_string() } else { String::new() },
        created: m.date(text(&user, "created")),
        sysadmin: user.get("sysadmin").and_then(Value::as_bool).unwrap_or(false),
        datasets,
        can_edit: ctx.session.is_some() && may_edit(ctx, &user),
        display_name,
    };
    Ok(view.render()?)
}

fn form_fields(m: &Msgs, value_of: &dyn Fn(&str) -> String) -> Vec<FormField> {
    vec![
        FormField { vietnamese: true, ..FormField::text("fullname", m.t("profile-fullname"), &value_of("fullname")) },
        FormField::text("email", m.t("profile-email"), &value_of("email")).control("email").required(true),
        FormField {
            vietnamese: true,
            ..FormField::text("about", m.t("profile-about"), &value_of("about")).control("textarea")
        }
        .help(Some(m.t("form-notes-help"))),
        FormField::text("password1", m.t("profile-new-password"), "")
            .control("password")
            .help(Some(m.t("profile-new-password-help"))),
        FormField::text("password2", m.t("profile-confirm-password"), "").control("password"),
        FormField::text("old_password", m.t("profile-old-password"), "")
            .control("password")
            .help(Some(m.t("profile-old-password-help"))),
    ]
}

fn render_form(
    ctx: &Ctx,
    name: &str,
    value_of: &dyn Fn(&str) -> String,
    errors: Vec<(String, String)>,
) -> Result<String, PageError> {
    let m = ctx.m;
    let mut fields = form_fields(&m, value_of);
    let errors = place_errors(&m, &mut fields, errors, &[("password", "password1")]);
    let heading = m.t("profile-edit");
    let title = if errors.is_empty() { heading } else { m.with("form-error-title", &[("title", &heading)]) };
    let view = UserFormView {
        chrome: Chrome::new(ctx, title, "user"),
        m,
        vi_attr: vi_attr(&m),
        name: name.to_string(),
        fields,
        errors,
    };
    Ok(view.render()?)
}

/// The user the caller may edit (`Forbidden` otherwise).
fn editable(ctx: &Ctx, name: &str) -> Result<Map<String, Value>, PageError> {
    let user = typed::user_show(&ctx.action, name, false)?;
    if !may_edit(ctx, &user) {
        return Err(PageError::Forbidden);
    }
    Ok(user)
}

/// `GET /user/edit/{name}`.
pub async fn edit_form(request: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    let name = path_param(&request, "name");
    signed_page(request, services, move |ctx| {
        let user = editable(ctx, &name)?;
        let value_of = |key: &str| text(&user, key).to_string();
        Ok(Answer::ok(render_form(ctx, text(&user, "name"), &value_of, Vec::new())?))
    })
    .await
}

/// `POST /user/edit/{name}`.
pub async fn update(request: HttpRequest, services: web::Data<Services>, body: web::Bytes) -> HttpResponse {
    let name = path_param(&request, "name");
    signed_form(request, services, body, move |ctx, form| {
        let user = editable(ctx, &name)?;
        let m = ctx.m;
        let value_of = |key: &str| form.get(key).to_string();
        let (email, password) = (form.get("email").trim(), form.get("password1"));
        let mut errors = Vec::new();
        if password != form.get("password2") {
            errors.push(("password2".to_string(), m.t("profile-passwords-differ")));
        }
        let sensitive = !password.is_empty() || !email.eq_ignore_ascii_case(text(&user, "email"));
        let proven = ctx
            .action
            .caller
            .active_user()
            .is_some_and(|me| crate::auth::password::verify(form.get("old_password"), &me.password_hash));
        if sensitive && !proven {
            errors.push(("old_password".to_string(), m.t("profile-old-password-wrong")));
        }
        if !errors.is_empty() {
            return Ok(Answer::ok(render_form(ctx, text(&user, "name"), &value_of, errors)?));
        }
        let mut changes = Map::new();
        for key in ["fullname", "about"] {
            changes.insert(key.into(), Value::String(form.get(key).trim().to_string()));
        }
        changes.insert("email".into(), Value::String(email.to_string()));
        if !password.is_empty() {
            changes.insert("password".into(), Value::String(password.to_string()));
        }
        match typed::user_patch(&ctx.action, text(&user, "id"), changes) {
            Ok(saved) => {
                let prefix = ctx.lang.prefix();
                let page = format!("{prefix}/user/{}", text(&saved, "name"));
                // A new password ended every session of the account, this one included.
                let signed_out = !password.is_empty() && ctx.action.caller.user_id() == Some(text(&user, "id"));
                Ok(Answer::Redirect(if signed_out {
                    format!("{prefix}/user/login?came_from={}", crate::portal::views::encode(&page))
                } else {
                    page
                }))
            }
            Err(error) => Ok(Answer::ok(render_form(ctx, text(&user, "name"), &value_of, field_errors(error)?)?)),
        }
    })
    .await
}
