//! An organisation's members, for its administrators (`/organization/members/{id}`): the list
//! with each member's role, a form that adds a user (by name or e-mail) or changes a role
//! (`/organization/member_new/{id}`), and removal with confirmation
//! (`/organization/member_delete/{id}?user=`), all through the member actions.

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde_json::Value;

use crate::actions::{Services, typed};
use crate::model::{Group, text};
use crate::portal::forms::{
    Answer, Choice, ErrorLine, FormField, confirm_page, field_errors, path_param, place_errors, refusal, signed_form,
    signed_page,
};
use crate::portal::i18n::Msgs;
use crate::portal::views::vi_attr;
use crate::portal::{Chrome, Ctx, PageError};

/// The roles of an organisation, most powerful first.
const ROLES: [&str; 3] = ["admin", "editor", "member"];

pub struct MemberLine {
    pub name: String,
    pub display_name: String,
    pub role: String,
    pub roles: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "members.html")]
struct MembersView {
    chrome: Chrome,
    m: Msgs,
    vi_attr: &'static str,
    organization: String,
    organization_title: String,
    members: Vec<MemberLine>,
    fields: Vec<FormField>,
    errors: Vec<ErrorLine>,
}

fn role_choices(m: &Msgs, current: &str) -> Vec<Choice> {
    Choice::list(ROLES.iter().map(|r| (r.to_string(), m.t(&format!("role-{r}")))), current)
}

/// The organisation, when the caller may manage its members (`Forbidden` when it may only see it).
fn managed(ctx: &Ctx, id: &str) -> Result<Group, PageError> {
    let organization = typed::group_show(&ctx.action, id, true)?;
    let managed = typed::organizations_of_caller(&ctx.action, "membership")?;
    if !managed.iter().any(|g| g.id() == organization.id()) {
        return Err(PageError::Forbidden);
    }
    Ok(organization)
}

fn render(
    ctx: &Ctx,
    organization: &Group,
    user: &str,
    role: &str,
    errors: Vec<(String, String)>,
) -> Result<String, PageError> {
    let m = ctx.m;
    let members = organization
        .0
        .get("users")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .map(|u| {
            let role = text(u, "capacity").to_string();
            let display = [text(u, "fullname"), text(u, "display_name"), text(u, "name")]
                .into_iter()
                .find(|n| !n.is_empty())
                .unwrap_or_default();
            MemberLine {
                name: text(u, "name").to_string(),
                display_name: display.to_string(),
                roles: role_choices(&m, &role),
                role: m.t(&format!("role-{role}")),
            }
        })
        .collect();
    let mut fields = vec![
        FormField::text("username", m.t("members-user"), user).help(Some(m.t("members-user-help"))).required(true),
        FormField::select("role", m.t("members-role"), role_choices(&m, if role.is_empty() { "editor" } else { role }))
            .help(Some(m.t("members-role-help"))),
    ];
    let errors = place_errors(&m, &mut fields, errors, &[("id", "username")]);
    let heading = m.with("members-heading", &[("title", organization.display_title())]);
    let title = if errors.is_empty() { heading } else { m.with("form-error-title", &[("title", &heading)]) };
    let view = MembersView {
        chrome: Chrome::new(ctx, title, "organization"),
        m,
        vi_attr: vi_attr(&m),
        organization: organization.name().to_string(),
        organization_title: organization.display_title().to_string(),
        members,
        fields,
        errors,
    };
    Ok(view.render()?)
}

/// `GET /organization/members/{id}`.
pub async fn page(request: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    let id = path_param(&request, "id");
    signed_page(request, services, move |ctx| Ok(Answer::ok(render(ctx, &managed(ctx, &id)?, "", "", Vec::new())?)))
        .await
}

/// `POST /organization/member_new/{id}`: adds a member or changes a member's role.
pub async fn save(request: HttpRequest, services: web::Data<Services>, body: web::Bytes) -> HttpResponse {
    let id = path_param(&request, "id");
    signed_form(request, services, body, move |ctx, form| {
        let organization = managed(ctx, &id)?;
        let (user, role) = (form.get("username").trim(), form.get("role"));
        let outcome = if user.is_empty() {
            Err(vec![("username".to_string(), "Missing value".to_string())])
        } else {
            match typed::organization_member_create(&ctx.action, organization.id(), user, role) {
                Ok(()) => Ok(()),
                Err(error) => Err(field_errors(error)?),
            }
        };
        match outcome {
            Ok(()) => {
                Ok(Answer::Redirect(format!("{}/organization/members/{}", ctx.lang.prefix(), organization.name())))
            }
            Err(errors) => Ok(Answer::ok(render(ctx, &organization, user, role, errors)?)),
        }
    })
    .await
}

/// `GET /organization/member_delete/{id}?user=`: asks to confirm.
pub async fn delete_form(request: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    let id = path_param(&request, "id");
    signed_page(request, services, move |ctx| {
        let organization = managed(ctx, &id)?;
        let user = ctx.param("user").unwrap_or_default().to_string();
        let m = ctx.m;
        let prefix = ctx.lang.prefix();
        let html = confirm_page(
            ctx,
            m.t("members-remove-heading"),
            m.with("members-remove-question", &[("user", &user), ("title", organization.display_title())]),
            m.t("members-remove"),
            format!(
                "{prefix}/organization/member_delete/{}?user={}",
                organization.name(),
                crate::portal::views::encode(&user)
            ),
            format!("{prefix}/organization/members/{}", organization.name()),
        )?;
        Ok(Answer::ok(html))
    })
    .await
}

/// `POST /organization/member_delete/{id}?user=`: removes the member.
pub async fn delete(request: HttpRequest, services: web::Data<Services>, body: web::Bytes) -> HttpResponse {
    let id = path_param(&request, "id");
    signed_form(request, services, body, move |ctx, _| {
        let organization = managed(ctx, &id)?;
        let user = ctx.param("user").unwrap_or_default().to_string();
        typed::organization_member_delete(&ctx.action, organization.id(), &user).map_err(refusal)?;
        Ok(Answer::Redirect(format!("{}/organization/members/{}", ctx.lang.prefix(), organization.name())))
    })
    .await
}
