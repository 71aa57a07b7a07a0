//! The account of a person signed in with OpenID Connect: the user linked to the provider's
//! `(issuer, subject)`; at a first sign-in, the active user with the same *verified* e-mail
//! address (then linked; only where the provider's `link_by_email` is on), or a new user (with no password: the provider is the way in). Then
//! the organisation roles the provider's roles claim maps to: in every organisation the mapping
//! names, the role follows the claim (given, changed or removed). Users and memberships are
//! written through `user_create` and the member actions, as the site.

use serde_json::json;

use super::{ActionContext, Params};
use crate::auth::oidc::Identity;
use crate::auth::roles;
use crate::config::OidcProvider;
use crate::error::{ActionError, ActionResult};
use crate::store::identities::{self, IdentityRow};
use crate::store::users::{self, UserRow};
use crate::store::{groups, members};

/// The stored password hash of accounts made by a provider: no password matches it.
const NO_PASSWORD: &str = "!oidc";

/// A user name from the provider's (lower case, `a-z0-9_-`, 2–100 characters).
fn user_name_from(wanted: &str) -> String {
    let name: String = crate::model::slug(wanted).chars().take(90).collect();
    if name.chars().count() < 2 { format!("nguoi-dung-{name}") } else { name }
}

/// The user for a verified identity, created or linked at the first sign-in, with the
/// provider's roles applied. `context` must be the site's (`Caller::system()`).
pub fn user_for_identity(
    context: &ActionContext,
    provider: &OidcProvider,
    identity: &Identity,
) -> ActionResult<UserRow> {
    let linked = context.store().read(|tx| -> ActionResult<Option<UserRow>> {
        match identities::user_of(tx, &identity.issuer, &identity.subject)? {
            Some(id) => Ok(users::find(tx, &id)?),
            None => Ok(None),
        }
    })?;
    let user = match linked {
        Some(user) if user.state == "active" => user,
        Some(_) => return Err(ActionError::denied("This account has been deleted")),
        None => link_or_create(context, provider, identity)?,
    };
    apply_roles(context, provider, identity, &user)?;
    Ok(user)
}

fn link_or_create(context: &ActionContext, provider: &OidcProvider, identity: &Identity) -> ActionResult<UserRow> {
    let email =
        identity.email.clone().ok_or_else(|| ActionError::field("email", "The provider gave no e-mail address"))?;
    let existing = if identity.email_verified && provider.link_by_email {
        context.store().read(|tx| users::find_active_by_email(tx, &email))?
    } else {
        None
    };
    let user = match existing {
        Some(user) => user,
        None => {
            let wanted =
                identity.username.clone().unwrap_or_else(|| email.split('@').next().unwrap_or_default().to_string());
            let base = user_name_from(&wanted);
            let name = context.store().read(|tx| -> ActionResult<String> {
                let mut candidate = base.clone();
                let mut n = 2;
                while users::find(tx, &candidate)?.is_some() {
                    candidate = format!("{base}-{n}");
                    n += 1;
                }
                Ok(candidate)
            })?;
            let params = Params::from_value(json!({
                "name": name, "email": email, "password_hash": NO_PASSWORD,
                "fullname": identity.fullname.clone().unwrap_or_default(),
            }))?;
            super::user::user_create(context, &params)?;
            context.store().read(|tx| users::find(tx, &name))?.ok_or(ActionError::NotFound(None))?
        }
    };
    context.store().write(|tx| {
        identities::insert(
            tx,
            &IdentityRow {
                issuer: identity.issuer.clone(),
                subject: identity.subject.clone(),
                user_id: user.id.clone(),
                created_at: crate::store::now(),
            },
        )
    })?;
    tracing::info!(user.name = %user.name, issuer = %identity.issuer, "OpenID Connect identity linked");
    Ok(user)
}

/// The strongest of two roles.
fn stronger(a: Option<String>, b: &str) -> Option<String> {
    let rank = |r: &str| ["member", "editor", "admin"].iter().position(|x| *x == r);
    match a {
        Some(current) if rank(&current) >= rank(b) => Some(current),
        _ => Some(b.to_string()),
    }
}

fn apply_roles(
    context: &ActionContext,
    provider: &OidcProvider,
    identity: &Identity,
    user: &UserRow,
) -> ActionResult<()> {
    let mut organizations: Vec<&str> = provider.roles.iter().map(|r| r.organization.as_str()).collect();
    organizations.sort();
    organizations.dedup();
    for organization in organizations {
        let granted = provider
            .roles
            .iter()
            .filter(|r| r.organization == organization && identity.roles.contains(&r.value))
            .filter(|r| roles::roles_for(true).contains(&r.role.as_str()))
            .fold(None, |best, r| stronger(best, &r.role));
        let current = context.store().read(|tx| -> ActionResult<Option<(String, Option<String>)>> {
            let Some(group) = groups::find(tx, organization)?.filter(|g| g.is_organization && g.state == "active")
            else {
                return Ok(None);
            };
            Ok(Some((group.id.clone(), members::find(tx, &group.id, "user", &user.id)?.map(|m| m.capacity))))
        })?;
        let Some((group_id, held)) = current else {
            tracing::warn!(%organization, "an OpenID Connect role maps to an organisation that does not exist");
            continue;
        };
        match (granted, held) {
            (Some(role), held) if held.as_deref() != Some(role.as_str()) => {
                let params = Params::from_value(json!({"id": group_id, "username": user.id, "role": role}))?;
                super::member::organization_member_create(context, &params)?;
            }
            (None, Some(_)) => {
                let params = Params::from_value(json!({"id": group_id, "username": user.id}))?;
                super::member::organization_member_delete(context, &params)?;
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_strongest_mapped_role_wins() {
        assert_eq!(stronger(None, "member").as_deref(), Some("member"));
        assert_eq!(stronger(Some("editor".into()), "member").as_deref(), Some("editor"));
        assert_eq!(stronger(Some("editor".into()), "admin").as_deref(), Some("admin"));
    }

    #[test]
    fn provider_names_become_kho_names() {
        assert_eq!(user_name_from("Nguyễn.Văn.An"), "nguyen-van-an");
        assert_eq!(user_name_from("x"), "nguoi-dung-x");
    }
}
