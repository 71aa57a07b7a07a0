//! User accounts: `user_create`, `user_show`, `user_list`, `user_update`, `user_patch`, `user_delete`.

use serde_json::{Map, Value, json};

use super::dict::{self, UserDetail};
use super::{ActionContext, Params, validate};
use crate::auth::password;
use crate::error::{ActionError, ActionResult, FieldErrors};
use crate::store::{self, Tx, members, users, users::UserRow};

/// Returns how a user dict may be shown to the caller: in full to themselves and sysadmins.
fn detail_for(context: &ActionContext, user: &UserRow) -> UserDetail {
    if context.caller.is_sysadmin() || context.caller.user_id() == Some(user.id.as_str()) {
        UserDetail::Private
    } else {
        UserDetail::Public
    }
}

/// Returns the user dict as the caller may see it.
pub fn user_dict(tx: &mut Tx, context: &ActionContext, user: &UserRow) -> ActionResult<Map<String, Value>> {
    let created = crate::actions::package::count_created_by(tx, &context.caller, &user.id)?;
    Ok(dict::user(user, detail_for(context, user), created))
}

/// Checks name and e-mail uniqueness inside the write transaction.
fn check_unique(
    tx: &mut Tx,
    errors: &mut FieldErrors,
    name: Option<&str>,
    email: Option<&str>,
    except_id: Option<&str>,
) -> ActionResult<()> {
    if let Some(name) = name.filter(|_| !errors.has("name"))
        && users::find(tx, name)?.is_some_and(|u| Some(u.id.as_str()) != except_id)
    {
        errors.add("name", "The username is already associated with another account. Please use a different username.");
    }
    if let Some(email) = email.filter(|_| !errors.has("email"))
        && users::email_taken(tx, email, except_id)?
    {
        errors.add("email", format!("The email address '{}' belongs to a registered user.", email.to_lowercase()));
    }
    Ok(())
}

/// `user_create`: sysadmins only, unless `auth.create_user_via_api` is on.
pub fn user_create(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    let caller = &context.caller;
    let is_sysadmin = caller.is_sysadmin();
    if !is_sysadmin && !context.config().auth.create_user_via_api {
        return Err(ActionError::denied(format!("User {} not authorized to create users via the API", caller.name())));
    }
    let mut errors = FieldErrors::default();
    let name = validate::name_param(&mut errors, params, "name");
    let email = params.non_empty("email").map(|e| e.trim().to_string());
    let password_text = params.non_empty("password");
    let password_hash = params.non_empty("password_hash").filter(|_| is_sysadmin);
    match &email {
        None => errors.add("email", "Missing value"),
        Some(e) => validate::email(&mut errors, "email", e),
    }
    match (&password_text, &password_hash) {
        (_, Some(_)) => {}
        (None, None) => errors.add("password", "Missing value"),
        (Some(p), None) => validate::password(&mut errors, "password", p),
    }
    let id = validate::new_object_id(&mut errors, params.non_empty("id"), is_sysadmin);
    let stored_hash = match (&password_hash, &password_text) {
        (Some(hash), _) => hash.clone(),
        (None, Some(p)) if !errors.has("password") => password::hash(p)?,
        _ => String::new(),
    };
    let row = UserRow {
        id,
        name: name.clone().unwrap_or_default(),
        fullname: params.text("fullname"),
        email: email.clone(),
        password_hash: stored_hash,
        about: params.text("about"),
        image_url: params.text("image_url"),
        sysadmin: is_sysadmin && params.truthy("sysadmin"),
        state: params.non_empty("state").filter(|_| is_sysadmin).unwrap_or_else(|| "active".into()),
        created: store::now(),
        last_active: None,
    };
    let with_apitoken = params.truthy("with_apitoken");
    let token = context.store().write(|tx| {
        check_unique(tx, &mut errors, name.as_deref(), email.as_deref(), None)?;
        std::mem::take(&mut errors).into_result()?;
        users::insert(tx, &row)?;
        crate::actions::activity::record_user(
            tx,
            &context.caller,
            &dict::user(&row, UserDetail::Public, 0),
            "new user",
        )?;
        if !with_apitoken {
            return Ok::<_, ActionError>(None);
        }
        let (token, _) = super::token::issue(tx, &context.services.signer, &row.id, "default")?;
        Ok(Some(token))
    })?;
    tracing::info!(user.name = %row.name, "user created");
    let mut dict = dict::user(&row, UserDetail::Private, 0);
    if let Some(token) = token {
        dict.insert("token".into(), json!(token));
    }
    Ok(Value::Object(dict))
}

/// `user_show`: a user by id or name; the caller when no id is given.
pub fn user_show(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    let caller = &context.caller;
    if !context.config().auth.public_user_details && caller.active_user().is_none() {
        return Err(ActionError::denied("Not authorized to see this user"));
    }
    let user = match params.non_empty("id") {
        Some(id) => context.store().read(|tx| users::find(tx, &id))?,
        None => caller.active_user().cloned(),
    };
    let user = user.ok_or(ActionError::NotFound(None))?;
    let include_datasets = params.flag("include_datasets", false)?;
    let include_num_followers = params.flag("include_num_followers", false)?;
    context.store().read(|tx| {
        let mut dict = user_dict(tx, context, &user)?;
        if include_num_followers {
            dict.insert("num_followers".into(), json!(0));
        }
        if include_datasets {
            let datasets = crate::actions::package::dicts_created_by(tx, context, &user.id, 50)?;
            dict.insert("datasets".into(), Value::Array(datasets));
        }
        Ok(Value::Object(dict))
    })
}

const USER_ORDERS: [&str; 8] =
    ["display_name", "name", "id", "fullname", "created", "about", "sysadmin", "number_created_packages"];

/// `user_list`: active users, filtered by `q`/`email`, ordered by `order_by`.
pub fn user_list(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    let caller = &context.caller;
    if !context.config().auth.public_user_details && caller.active_user().is_none() {
        return Err(ActionError::denied("Not authorized to list users"));
    }
    let order_by = params.non_empty("order_by").unwrap_or_else(|| "display_name".into());
    if order_by == "edits" {
        return Err(ActionError::message("order_by=edits is no longer supported"));
    }
    if !USER_ORDERS.contains(&order_by.as_str()) {
        return Err(ActionError::field("order_by", format!("Cannot order by field `{order_by}`")));
    }
    let email_filter = params.non_empty("email");
    if email_filter.is_some() && !caller.is_sysadmin() {
        return Err(ActionError::denied("Only sysadmins may filter users by e-mail"));
    }
    let query = params.non_empty("q").map(|q| q.to_lowercase());
    let all_fields = params.flag("all_fields", true)?;
    let mut found: Vec<UserRow> = context
        .store()
        .read(users::all)?
        .into_iter()
        .filter(|u| u.state != "deleted")
        .filter(|u| match &email_filter {
            Some(e) => u.email.as_deref().is_some_and(|m| m.eq_ignore_ascii_case(e)),
            None => true,
        })
        .filter(|u| match &query {
            None => true,
            Some(q) => {
                let contains = |s: &Option<String>| s.as_deref().is_some_and(|v| v.to_lowercase().contains(q));
                u.name.contains(q.as_str()) || contains(&u.fullname) || (caller.is_sysadmin() && contains(&u.email))
            }
        })
        .collect();
    let display = |u: &UserRow| u.fullname.clone().filter(|f| !f.is_empty()).unwrap_or_else(|| u.name.clone());
    match order_by.as_str() {
        "name" => found.sort_by(|a, b| a.name.cmp(&b.name)),
        "id" => found.sort_by(|a, b| a.id.cmp(&b.id)),
        "fullname" => found.sort_by(|a, b| a.fullname.cmp(&b.fullname)),
        "created" => found.sort_by_key(|u| u.created),
        "about" => found.sort_by(|a, b| a.about.cmp(&b.about)),
        "sysadmin" => found.sort_by_key(|u| u.sysadmin),
        _ => found.sort_by_key(display),
    }
    context.store().read(|tx| {
        let mut list = Vec::new();
        for user in &found {
            list.push(if all_fields { Value::Object(user_dict(tx, context, user)?) } else { json!(user.name) });
        }
        Ok(Value::Array(list))
    })
}

/// `user_update`: the user themselves or a sysadmin; `email` is required, as in CKAN.
pub fn user_update(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    let caller = &context.caller;
    let id = params.non_empty("id").unwrap_or_default();
    let existing = context.store().read(|tx| users::find(tx, &id))?;
    let existing = existing.ok_or_else(|| ActionError::not_found("User was not found."))?;
    if caller.active_user().is_none() {
        return Err(ActionError::denied("Have to be logged in to edit user"));
    }
    let is_sysadmin = caller.is_sysadmin();
    if !is_sysadmin && caller.user_id() != Some(existing.id.as_str()) {
        return Err(ActionError::denied(format!("User {} not authorized to edit user {}", caller.name(), existing.id)));
    }
    let mut errors = FieldErrors::default();
    let name = if params.has("name") { validate::name_param(&mut errors, params, "name") } else { None };
    let email = params.non_empty("email").map(|e| e.trim().to_string());
    match &email {
        None => errors.add("email", "Missing value"),
        Some(e) => validate::email(&mut errors, "email", e),
    }
    let new_password = params.non_empty("password");
    if let Some(p) = &new_password {
        validate::password(&mut errors, "password", p);
    }
    let mut row = existing.clone();
    if let Some(n) = &name {
        row.name = n.clone();
    }
    row.email = email.clone();
    for (key, slot) in [("fullname", &mut row.fullname), ("about", &mut row.about), ("image_url", &mut row.image_url)] {
        if params.has(key) {
            *slot = params.text(key);
        }
    }
    if is_sysadmin && params.has("sysadmin") {
        row.sysadmin = params.truthy("sysadmin");
    }
    if let Some(state) = params.non_empty("state").filter(|_| is_sysadmin) {
        row.state = state;
    }
    let password_changed = new_password.is_some() && !errors.has("password");
    if let Some(p) = new_password.filter(|_| !errors.has("password")) {
        row.password_hash = password::hash(&p)?;
    }
    context.store().write(|tx| {
        check_unique(tx, &mut errors, name.as_deref(), email.as_deref(), Some(&existing.id))?;
        std::mem::take(&mut errors).into_result()?;
        users::update(tx, &row)?;
        // A new password, or an account no longer active, ends every portal session.
        if password_changed || row.state != "active" {
            crate::store::sessions::delete_for_user(tx, &row.id)?;
        }
        crate::actions::activity::record_user(
            tx,
            &context.caller,
            &dict::user(&row, UserDetail::Public, 0),
            "changed user",
        )?;
        Ok::<_, ActionError>(())
    })?;
    context.store().read(|tx| Ok(Value::Object(user_dict(tx, context, &row)?)))
}

/// `user_patch`: `user_show` overlaid with the given keys, then `user_update`.
pub fn user_patch(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    let id = params.non_empty("id").unwrap_or_default();
    let existing = context.store().read(|tx| users::find(tx, &id))?.ok_or(ActionError::NotFound(None))?;
    let mut merged = context.store().read(|tx| user_dict(tx, context, &existing))?;
    merged.extend(params.0.clone());
    user_update(context, &Params(merged, params.1.clone()))
}

/// `user_delete`: sysadmins only; the account is kept with `state=deleted` and loses its memberships.
pub fn user_delete(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    if !context.caller.is_sysadmin() {
        return Err(ActionError::Authorization(None));
    }
    let id = params.non_empty("id").unwrap_or_default();
    context.store().write(|tx| {
        let mut user =
            users::find(tx, &id)?.ok_or_else(|| ActionError::not_found(format!("User \"{id}\" was not found.")))?;
        user.state = "deleted".into();
        users::update(tx, &user)?;
        members::delete_for_object(tx, "user", &user.id)?;
        crate::store::sessions::delete_for_user(tx, &user.id)?;
        Ok(Value::Null)
    })
}
