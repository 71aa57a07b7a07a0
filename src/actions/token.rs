//! API tokens: `api_token_create`, `api_token_list`, `api_token_revoke` (CKAN 2.10+ semantics).

use serde_json::{Value, json};

use super::dict::{timestamp, timestamp_opt};
use super::{ActionContext, Params};
use crate::auth::TokenSigner;
use crate::auth::token::new_token_id;
use crate::error::{ActionError, ActionResult};
use crate::store::{self, Tx, tokens, tokens::TokenRow, users, users::UserRow};

/// Returns the user a token action targets, enforcing "only yourself, unless sysadmin".
fn target_user(context: &ActionContext, id_or_name: &str) -> ActionResult<UserRow> {
    let caller = &context.caller;
    if caller.active_user().is_none() {
        return Err(ActionError::Authorization(None));
    }
    let found = context.store().read(|tx| users::find(tx, id_or_name))?;
    match found {
        None if caller.is_sysadmin() => Err(ActionError::not_found("User not found")),
        Some(user) if caller.is_sysadmin() || caller.user_id() == Some(user.id.as_str()) => Ok(user),
        _ => Err(ActionError::Authorization(None)),
    }
}

/// Stores a new token for `user_id` named `name` in the caller's transaction; returns
/// `(token, id)`.
pub fn issue(tx: &mut Tx, signer: &TokenSigner, user_id: &str, name: &str) -> ActionResult<(String, String)> {
    let row = TokenRow {
        id: new_token_id(),
        user_id: user_id.to_string(),
        name: name.to_string(),
        created_at: store::now(),
        last_access: None,
        package_ids: None,
        expires: None,
    };
    tokens::insert(tx, &row)?;
    let token = signer.issue(&row.id, row.created_at.and_utc().timestamp());
    Ok((token, row.id))
}

/// `api_token_create`: returns `{"token", "id"}` (CKAN 2.12).
pub fn api_token_create(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    if context.caller.active_user().is_none() {
        return Err(ActionError::Authorization(None));
    }
    let user_ref = params.non_empty("user").ok_or_else(|| ActionError::field("user", "Missing value"))?;
    let user = target_user(context, &user_ref)?;
    let name = params.non_empty("name").ok_or_else(|| ActionError::field("name", "Missing value"))?;
    let (token, id) = context.store().write(|tx| issue(tx, &context.services.signer, &user.id, &name))?;
    Ok(json!({"token": token, "id": id}))
}

/// `api_token_list`: the user's tokens, oldest first; never the token strings.
pub fn api_token_list(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    let user_ref = params
        .non_empty("user_id")
        .or_else(|| params.non_empty("user"))
        .ok_or_else(|| ActionError::field("user_id", "Missing value"))?;
    let user = target_user(context, &user_ref)?;
    let rows = context.store().read(|tx| tokens::list_for_user(tx, &user.id))?;
    let list = rows
        .iter()
        .map(|row| {
            let mut dict = json!({
                "id": row.id,
                "name": row.name,
                "user_id": row.user_id,
                "created_at": timestamp(row.created_at),
                "last_access": timestamp_opt(row.last_access),
            });
            // A connection account's token says what it reads and until when.
            if let (Some(scope), Value::Object(map)) = (&row.package_ids, &mut dict) {
                map.insert("package_ids".into(), serde_json::from_str(scope).unwrap_or(Value::Null));
                map.insert("expires".into(), timestamp_opt(row.expires));
            }
            dict
        })
        .collect();
    Ok(Value::Array(list))
}

/// `api_token_revoke`: by `jti`, or by the full `token`. Unknown ids are 403, as in CKAN
/// (a 404 would let callers probe for token ids).
pub fn api_token_revoke(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    let caller = &context.caller;
    let Some(caller_user) = caller.active_user() else {
        return Err(ActionError::Authorization(None));
    };
    let token_id = match params.non_empty("jti") {
        Some(jti) => Some(jti),
        None => params.non_empty("token").and_then(|t| context.services.signer.token_id(&t)),
    };
    let token_id = token_id.ok_or(ActionError::Authorization(None))?;
    let is_sysadmin = caller.is_sysadmin();
    let caller_id = caller_user.id.clone();
    context.store().write(|tx| {
        let row = tokens::find(tx, &token_id)?.ok_or(ActionError::Authorization(None))?;
        if !is_sysadmin && row.user_id != caller_id {
            return Err(ActionError::Authorization(None));
        }
        tokens::delete(tx, &row.id)?;
        Ok(Value::Null)
    })
}
