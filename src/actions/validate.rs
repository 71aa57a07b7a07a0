//! CKAN's default validators (`ckan/logic/validators.py`) with CKAN's messages.

use serde_json::Value;

use super::Params;
use crate::error::FieldErrors;

/// Checks CKAN's name rules (datasets, users, organisations and groups share them).
pub fn name(errors: &mut FieldErrors, field: &str, value: &str) {
    if value.chars().count() < 2 {
        errors.add(field, "Must be at least 2 characters long");
    } else if value.chars().count() > 100 {
        errors.add(field, "Name must be a maximum of 100 characters long");
    } else if !value.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_') {
        errors.add(field, "Must be purely lowercase alphanumeric (ascii) characters and these symbols: -_");
    } else if matches!(value, "new" | "edit" | "search") {
        errors.add(field, "That name cannot be used");
    }
}

/// Reads and checks a name parameter: required, a string, and CKAN's name rules. Returns the
/// name when it is usable.
pub fn name_param(errors: &mut FieldErrors, params: &Params, field: &str) -> Option<String> {
    match params.get(field) {
        None | Some(Value::Null) => {
            errors.add(field, "Missing value");
            None
        }
        Some(Value::String(text)) if text.trim().is_empty() => {
            errors.add(field, "Missing value");
            None
        }
        Some(Value::String(text)) => {
            name(errors, field, text);
            Some(text.clone())
        }
        Some(_) => {
            errors.add(field, "Names must be strings");
            None
        }
    }
}

/// Checks an e-mail address against CKAN's HTML5-style pattern.
pub fn email(errors: &mut FieldErrors, field: &str, value: &str) {
    if !is_email(value) {
        errors.add(field, format!("Email {value} is not a valid format"));
    }
}

/// Whether Kho's e-mail check (`user_create`, `maintainer_email`, …) accepts `value`.
pub fn is_email(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    let local_ok =
        !local.is_empty() && local.chars().all(|c| c.is_ascii_alphanumeric() || ".!#$%&'*+/=?^_`{|}~-".contains(c));
    let labels_ok = !domain.is_empty()
        && domain.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        });
    local_ok && labels_ok
}

/// Checks CKAN's password rule.
pub fn password(errors: &mut FieldErrors, field: &str, value: &str) {
    if value.chars().count() < 8 {
        errors.add(field, "Your password must be 8 characters or longer");
    }
}

/// Returns the id of a new object: a fresh UUID, or the caller's choice when a sysadmin gives a
/// valid one (CKAN 2.11+); anything else is a field error on `id`.
pub fn new_object_id(errors: &mut FieldErrors, chosen: Option<String>, is_sysadmin: bool) -> String {
    match chosen {
        None => crate::store::new_id(),
        Some(_) if !is_sysadmin => {
            errors.add("id", "The input field id was not expected.");
            String::new()
        }
        Some(id) if !is_uuid(&id) => {
            errors.add("id", "Invalid id provided");
            String::new()
        }
        Some(id) => id,
    }
}

/// Returns whether `value` is a UUID (CKAN 2.11+ requires one for caller-chosen ids).
pub fn is_uuid(value: &str) -> bool {
    uuid::Uuid::parse_str(value).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(check: impl Fn(&mut FieldErrors)) -> Option<serde_json::Value> {
        let mut errors = FieldErrors::default();
        check(&mut errors);
        errors.into_result().err().map(|e| e.to_error_object()["x"].clone())
    }

    #[test]
    fn names_follow_ckans_rules() {
        assert_eq!(messages(|e| name(e, "x", "so-y-te_2")), None);
        assert_eq!(messages(|e| name(e, "x", "a")).unwrap()[0], "Must be at least 2 characters long");
        assert_eq!(
            messages(|e| name(e, "x", &"a".repeat(101))).unwrap()[0],
            "Name must be a maximum of 100 characters long"
        );
        assert!(
            messages(|e| name(e, "x", "Sở Y tế")).unwrap()[0].as_str().unwrap().starts_with("Must be purely lowercase")
        );
        assert_eq!(messages(|e| name(e, "x", "new")).unwrap()[0], "That name cannot be used");
    }

    #[test]
    fn emails_need_a_local_part_and_a_dotted_domain() {
        assert_eq!(messages(|e| email(e, "x", "an.nguyen@example.gov.vn")), None);
        assert_eq!(messages(|e| email(e, "x", "a@localhost")), None);
        assert_eq!(
            messages(|e| email(e, "x", "khong-phai-email")).unwrap()[0],
            "Email khong-phai-email is not a valid format"
        );
        assert!(messages(|e| email(e, "x", "a@b..vn")).is_some());
        assert!(messages(|e| email(e, "x", "a b@c.vn")).is_some());
    }

    #[test]
    fn passwords_need_eight_characters() {
        assert!(messages(|e| password(e, "x", "1234")).is_some());
        assert_eq!(messages(|e| password(e, "x", "mật khẩu")), None);
    }
}
