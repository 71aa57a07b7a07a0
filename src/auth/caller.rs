//! The identity behind a request. An invalid, revoked or unknown token is not an error: the
//! request proceeds as anonymous, as in CKAN (spec §2.1).

use chrono::Duration;

use crate::store::{self, Store, StoreResult, tokens, users, users::UserRow};

use super::TokenSigner;

/// How long a token's `last_access` and a user's `last_active` may lag before they are
/// written again: every request would otherwise be a write.
const TOUCH_INTERVAL_SECONDS: i64 = 60;

/// The caller of an action.
#[derive(Debug, Clone, Default)]
pub struct Caller {
    /// The authenticated user, if any (possibly a deleted one: then every check fails).
    pub user: Option<UserRow>,
    /// A connection account's scoped token: the caller is anonymous except that it may read
    /// these datasets, public or not.
    pub scoped_packages: Vec<String>,
}

impl Caller {
    /// Returns the anonymous caller.
    pub fn anonymous() -> Caller {
        Caller { user: None, scoped_packages: Vec::new() }
    }

    /// Returns the caller acting as this user (the command line and the demo loader use it).
    pub fn as_user(user: UserRow) -> Caller {
        Caller { user: Some(user), scoped_packages: Vec::new() }
    }

    /// Returns the site's own sysadmin identity, used by the command line (CKAN's "site user").
    /// It is not stored: nothing it creates makes it a member of anything.
    pub fn system() -> Caller {
        Caller::as_user(UserRow {
            id: "kho-site-user".into(),
            name: "kho".into(),
            fullname: None,
            email: None,
            password_hash: String::new(),
            about: None,
            image_url: None,
            sysadmin: true,
            state: "active".into(),
            created: store::now(),
            last_active: None,
        })
    }

    /// Returns the active user behind the call, if any.
    pub fn active_user(&self) -> Option<&UserRow> {
        self.user.as_ref().filter(|u| u.state == "active")
    }

    /// Returns whether the caller is an active sysadmin.
    pub fn is_sysadmin(&self) -> bool {
        self.active_user().is_some_and(|u| u.sysadmin)
    }

    /// Returns whether a token of a deleted user was sent: CKAN then fails every check.
    pub fn is_disabled(&self) -> bool {
        self.user.as_ref().is_some_and(|u| u.state != "active")
    }

    /// Returns the caller's user id.
    pub fn user_id(&self) -> Option<&str> {
        self.active_user().map(|u| u.id.as_str())
    }

    /// Returns whether a scoped token lets the caller read this dataset.
    pub fn scope_grants(&self, package_id: &str) -> bool {
        self.scoped_packages.iter().any(|id| id == package_id)
    }

    /// Returns the user name CKAN puts in messages: empty for anonymous callers.
    pub fn name(&self) -> &str {
        self.user.as_ref().map(|u| u.name.as_str()).unwrap_or("")
    }
}

/// Returns the token from the request headers: `Authorization` (raw or `Bearer `-prefixed),
/// else `X-CKAN-API-Key`.
pub fn token_from_headers<'a>(authorization: Option<&'a str>, api_key: Option<&'a str>) -> Option<&'a str> {
    let from_authorization = authorization
        .map(|value| value.trim())
        .map(|value| value.strip_prefix("Bearer ").unwrap_or(value).trim())
        .filter(|value| !value.is_empty());
    from_authorization.or(api_key.map(str::trim).filter(|v| !v.is_empty()))
}

/// Resolves a token to the caller; records the token's and the user's last use.
pub fn resolve(store: &Store, signer: &TokenSigner, token: Option<&str>) -> StoreResult<Caller> {
    let Some(token_id) = token.and_then(|t| signer.token_id(t)) else {
        return Ok(Caller::anonymous());
    };
    let found = store.read(|tx| tokens::find_with_user(tx, &token_id))?;
    let Some((token_row, mut user)) = found else {
        tracing::info!("unknown or revoked api token: treated as anonymous");
        return Ok(Caller::anonymous());
    };
    let now = store::now();
    let stale =
        |at: Option<chrono::NaiveDateTime>| at.is_none_or(|t| now - t > Duration::seconds(TOUCH_INTERVAL_SECONDS));
    if token_row.expires.is_some_and(|expires| expires <= now) {
        tracing::info!("expired api token: treated as anonymous");
        return Ok(Caller::anonymous());
    }
    if let Some(scope) = &token_row.package_ids {
        if user.state != "active" {
            return Ok(Caller::anonymous());
        }
        if stale(token_row.last_access) {
            store.write(|tx| tokens::touch(tx, &token_row.id, now))?;
        }
        let scoped_packages = serde_json::from_str(scope).unwrap_or_default();
        return Ok(Caller { user: None, scoped_packages });
    }
    if stale(token_row.last_access) || stale(user.last_active) {
        store.write(|tx| -> StoreResult<()> {
            tokens::touch(tx, &token_row.id, now)?;
            users::touch_last_active(tx, &user.id, now)
        })?;
        user.last_active = Some(now);
    }
    Ok(Caller::as_user(user))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorization_wins_and_a_bearer_prefix_is_accepted() {
        assert_eq!(token_from_headers(Some("abc"), Some("def")), Some("abc"));
        assert_eq!(token_from_headers(Some("Bearer abc"), None), Some("abc"));
        assert_eq!(token_from_headers(None, Some("def")), Some("def"));
        assert_eq!(token_from_headers(Some("  "), None), None);
    }
}
