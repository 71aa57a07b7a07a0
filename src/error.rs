//! The one error type of actions, and its mapping to CKAN's error envelope and HTTP status
//! (CKAN: `ckan/views/api.py`). Nothing else decides an error's `__type` or status.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::store::StoreError;

/// What an action can fail with; one variant per CKAN `__type`.
#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    /// Field errors (`{"name": ["Missing value"]}`) or a `{"message": …}` object.
    #[error("validation error: {0:?}")]
    Validation(Map<String, Value>),
    /// `Not found` with an optional detail.
    #[error("not found")]
    NotFound(Option<String>),
    /// `Access denied` with an optional detail.
    #[error("access denied")]
    Authorization(Option<String>),
    /// Malformed nested data (CKAN's `DataError`).
    #[error("integrity error: {0}")]
    Integrity(String),
    /// A search request CKAN rejects before searching (400 `Search Query Error`).
    #[error("search query error: {0}")]
    SearchQuery(String),
    /// A query the search engine could not run (409 `Search Error`).
    #[error("search error: {0}")]
    Search(String),
    /// The database could not be reached in time.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// Anything else: logged once, never shown.
    #[error("internal error: {0}")]
    Internal(#[from] anyhow::Error),
}

/// Result of an action.
pub type ActionResult<T = Value> = Result<T, ActionError>;

impl ActionError {
    /// A validation error on one field with one message: `{"field": ["message"]}`.
    pub fn field(field: &str, message: impl Into<String>) -> ActionError {
        let mut map = Map::new();
        map.insert(field.into(), json!([message.into()]));
        ActionError::Validation(map)
    }

    /// A validation error without a field: `{"message": "…"}`.
    pub fn message(message: impl Into<String>) -> ActionError {
        let mut map = Map::new();
        map.insert("message".into(), Value::String(message.into()));
        ActionError::Validation(map)
    }

    /// `Not found: <detail>`.
    pub fn not_found(detail: impl Into<String>) -> ActionError {
        ActionError::NotFound(Some(detail.into()))
    }

    /// `Access denied: <detail>`.
    pub fn denied(detail: impl Into<String>) -> ActionError {
        ActionError::Authorization(Some(detail.into()))
    }

    /// Returns the HTTP status CKAN uses for this error.
    pub fn status(&self) -> u16 {
        match self {
            ActionError::Validation(_) => 409,
            ActionError::NotFound(_) => 404,
            ActionError::Authorization(_) => 403,
            ActionError::Integrity(_) | ActionError::SearchQuery(_) => 400,
            ActionError::Search(_) => 409,
            ActionError::Unavailable(_) => 503,
            ActionError::Internal(_) => 500,
        }
    }

    /// Returns CKAN's `__type` string for this error.
    pub fn type_name(&self) -> &'static str {
        match self {
            ActionError::Validation(_) => "Validation Error",
            ActionError::NotFound(_) => "Not Found Error",
            ActionError::Authorization(_) => "Authorization Error",
            ActionError::Integrity(_) => "Integrity Error",
            ActionError::SearchQuery(_) => "Search Query Error",
            ActionError::Search(_) => "Search Error",
            ActionError::Unavailable(_) | ActionError::Internal(_) => "Internal Server Error",
        }
    }

    /// Returns the `error` object of CKAN's envelope.
    pub fn to_error_object(&self) -> Value {
        let mut object = Map::new();
        let with_detail = |prefix: &str, detail: &Option<String>| match detail {
            Some(d) => format!("{prefix}: {d}"),
            None => prefix.to_string(),
        };
        match self {
            ActionError::Validation(fields) => {
                object.extend(fields.clone());
                object.insert("__type".into(), json!(self.type_name()));
                return Value::Object(object);
            }
            ActionError::NotFound(detail) => {
                object.insert("message".into(), json!(with_detail("Not found", detail)));
            }
            ActionError::Authorization(detail) => {
                object.insert("message".into(), json!(with_detail("Access denied", detail)));
            }
            ActionError::Integrity(message) | ActionError::SearchQuery(message) | ActionError::Search(message) => {
                object.insert("message".into(), json!(message));
            }
            ActionError::Unavailable(_) => {
                object.insert("message".into(), json!("Service Unavailable"));
            }
            ActionError::Internal(_) => {
                object.insert("message".into(), json!("Internal Server Error"));
            }
        }
        let mut ordered = Map::new();
        ordered.insert("__type".into(), json!(self.type_name()));
        ordered.extend(object);
        Value::Object(ordered)
    }
}

impl From<StoreError> for ActionError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => ActionError::NotFound(None),
            StoreError::UniqueViolation(taken) => match taken.as_str() {
                "packages.name" | "groups.name" => ActionError::field("name", "That URL is already in use."),
                "users.name" => ActionError::field("name", "That login name is not available."),
                "vocabularies.name" => ActionError::field("name", "That vocabulary name is already in use."),
                "tags.name" => ActionError::field("tags", "That tag already exists."),
                other => {
                    let field = other.rsplit('.').next().unwrap_or(other);
                    ActionError::field(field, format!("That value is already in use ({other})."))
                }
            },
            StoreError::InvalidValue(message) => ActionError::message(format!("Invalid value: {message}")),
            StoreError::Unavailable(message) => ActionError::Unavailable(message),
            other => ActionError::Internal(anyhow::Error::new(other)),
        }
    }
}

/// Collects field errors before an action fails with all of them at once, as CKAN does.
#[derive(Debug, Default)]
pub struct FieldErrors(BTreeMap<String, Vec<String>>);

impl FieldErrors {
    /// Records one message against a field.
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.entry(field.to_string()).or_default().push(message.into());
    }

    /// Returns whether the field already has an error.
    pub fn has(&self, field: &str) -> bool {
        self.0.contains_key(field)
    }

    /// Returns whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Returns `Ok` when nothing was recorded, else the validation error.
    pub fn into_result(self) -> ActionResult<()> {
        if self.0.is_empty() {
            return Ok(());
        }
        let map = self.0.into_iter().map(|(field, messages)| (field, json!(messages))).collect();
        Err(ActionError::Validation(map))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unique_violation_says_what_is_taken_and_a_refused_value_is_no_server_error() {
        let field = |taken: &str| ActionError::from(StoreError::UniqueViolation(taken.into())).to_error_object();
        assert_eq!(field("packages.name")["name"], json!(["That URL is already in use."]));
        assert_eq!(field("users.name")["name"], json!(["That login name is not available."]));
        assert_eq!(field("api_tokens.name")["name"], json!(["That value is already in use (api_tokens.name)."]));
        let refused = ActionError::from(StoreError::InvalidValue("invalid byte sequence".into()));
        assert_eq!(refused.status(), 409);
    }

    #[test]
    fn every_variant_has_ckans_status_and_type() {
        let table: Vec<(ActionError, u16, &str)> = vec![
            (ActionError::field("name", "Missing value"), 409, "Validation Error"),
            (ActionError::NotFound(None), 404, "Not Found Error"),
            (ActionError::Authorization(None), 403, "Authorization Error"),
            (ActionError::Integrity("x".into()), 400, "Integrity Error"),
            (ActionError::Unavailable("x".into()), 503, "Internal Server Error"),
            (ActionError::Internal(anyhow::anyhow!("secret")), 500, "Internal Server Error"),
        ];
        for (error, status, type_name) in table {
            assert_eq!(error.status(), status, "{error:?}");
            assert_eq!(error.to_error_object()["__type"], type_name);
        }
    }

    #[test]
    fn messages_carry_ckans_prefixes_and_hide_internal_details() {
        assert_eq!(
            ActionError::not_found("Group was not found.").to_error_object()["message"],
            "Not found: Group was not found."
        );
        assert_eq!(ActionError::NotFound(None).to_error_object()["message"], "Not found");
        assert_eq!(ActionError::denied("x").to_error_object()["message"], "Access denied: x");
        assert_eq!(
            ActionError::Internal(anyhow::anyhow!("password=1")).to_error_object()["message"],
            "Internal Server Error"
        );
    }

    #[test]
    fn field_errors_are_lists_keyed_by_field_in_order() {
        let mut errors = FieldErrors::default();
        errors.add("password", "Missing value");
        errors.add("email", "Missing value");
        let object = errors.into_result().unwrap_err().to_error_object();
        let keys: Vec<&String> = object.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["email", "password", "__type"]);
        assert_eq!(object["email"], json!(["Missing value"]));
    }
}
