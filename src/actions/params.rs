//! An action's input (`data_dict`) and CKAN's lenient conversions: GET and form posts deliver
//! strings, so booleans and numbers arrive as text.

use serde_json::{Map, Value};

use crate::error::{ActionError, ActionResult};

/// A file sent in a multipart request (`upload`, `image_upload`).
#[derive(Debug, Clone)]
pub struct Upload {
    /// The form field it came in.
    pub field: String,
    pub filename: String,
    pub content_type: Option<String>,
    pub bytes: std::sync::Arc<Vec<u8>>,
}

/// The parameters of one action call, and the files that came with it.
#[derive(Debug, Clone, Default)]
pub struct Params(pub Map<String, Value>, pub Vec<Upload>);

impl Params {
    /// Wraps a JSON object; anything else is CKAN's "needs to be a dictionary" error.
    pub fn from_value(value: Value) -> ActionResult<Params> {
        match value {
            Value::Object(map) => Ok(Params(map, Vec::new())),
            Value::Null => Ok(Params::default()),
            _ => Err(ActionError::message("Request data needs to be a dictionary")),
        }
    }

    /// Returns the file uploaded in a form field.
    pub fn upload(&self, field: &str) -> Option<&Upload> {
        self.1.iter().find(|u| u.field == field)
    }

    /// Returns the raw value of a key.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.get(key)
    }

    /// Returns whether the key was given at all (even as `null`).
    pub fn has(&self, key: &str) -> bool {
        self.0.contains_key(key)
    }

    /// Returns a key as text: strings as they are, numbers and booleans printed, `null` and
    /// lists/objects as `None`.
    pub fn text(&self, key: &str) -> Option<String> {
        value_text(self.0.get(key)?)
    }

    /// Returns a key as non-blank text (CKAN's `not_empty` treats `""` as missing).
    pub fn non_empty(&self, key: &str) -> Option<String> {
        self.text(key).filter(|s| !s.trim().is_empty())
    }

    /// Returns a boolean with CKAN's `asbool` rules (`true|yes|on|y|t|1`, `false|no|off|n|f|0`);
    /// any other value is a 409 rather than CKAN's 500.
    pub fn flag(&self, key: &str, default: bool) -> ActionResult<bool> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(default),
            Some(value) => as_bool(value).ok_or_else(|| ActionError::message("Parameter is not an bool")),
        }
    }

    /// Returns a boolean with CKAN's `boolean_validator` rules: anything not truthy is false.
    pub fn truthy(&self, key: &str) -> bool {
        match self.0.get(key) {
            Some(Value::Bool(b)) => *b,
            Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0),
            Some(Value::String(s)) => {
                matches!(s.to_lowercase().as_str(), "true" | "yes" | "t" | "y" | "1")
            }
            _ => false,
        }
    }

    /// Returns a natural number (≥ 0) with CKAN's messages, or `None` when absent.
    pub fn natural(&self, key: &str) -> ActionResult<Option<i64>> {
        let Some(value) = self.0.get(key).filter(|v| !v.is_null()) else {
            return Ok(None);
        };
        let parsed = match value {
            Value::Number(n) => n.as_i64(),
            Value::String(s) if s.trim().is_empty() => return Ok(None),
            Value::String(s) => s.trim().parse::<i64>().ok(),
            _ => None,
        };
        match parsed {
            None => Err(ActionError::field(key, "Invalid integer")),
            Some(n) if n < 0 => Err(ActionError::field(key, "Must be a natural number")),
            Some(n) => Ok(Some(n)),
        }
    }

    /// Returns a parameter that may arrive as a JSON string (CKAN's `convert_to_json_if_string`):
    /// text is decoded, anything else is taken as it is.
    pub fn json(&self, key: &str) -> ActionResult<Option<Value>> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(text)) => serde_json::from_str(text)
                .map(Some)
                .map_err(|_| ActionError::field(key, "Could not parse as valid JSON")),
            Some(other) => Ok(Some(other.clone())),
        }
    }

    /// Refuses text no store can keep: the NUL character, anywhere in a value, a key or an
    /// uploaded file's name (PostgreSQL rejects it; CKAN answers it with a 500). The error
    /// names the top-level parameter.
    pub fn check_text(&self) -> ActionResult<()> {
        let has_nul = |text: &str| text.contains('\0');
        if let Some(key) = key_holding(&self.0, '\0') {
            return Err(ActionError::field(&key, NUL_MESSAGE));
        }
        match self.1.iter().find(|upload| has_nul(&upload.filename) || has_nul(&upload.field)) {
            Some(upload) => Err(ActionError::field(&upload.field.replace('\0', ""), NUL_MESSAGE)),
            None => Ok(()),
        }
    }

    /// Returns a list of strings from a JSON list, a repeated parameter, or a comma-separated string.
    pub fn string_list(&self, key: &str) -> Option<Vec<String>> {
        match self.0.get(key)? {
            Value::Array(items) => Some(items.iter().filter_map(value_text).collect()),
            Value::String(s) => Some(s.split(',').map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect()),
            _ => None,
        }
    }
}

/// Returns the first top-level key (without `wanted` in it) whose own text, or any text or key
/// nested in its value, holds the character `wanted`. Iterative: nesting depth costs no stack.
pub fn key_holding(map: &Map<String, Value>, wanted: char) -> Option<String> {
    let holds = |text: &str| text.contains(wanted);
    map.iter().find_map(|(key, value)| {
        let mut pending = vec![value];
        let mut found = holds(key);
        while let Some(value) = pending.pop().filter(|_| !found) {
            match value {
                Value::String(text) => found = holds(text),
                Value::Array(items) => pending.extend(items),
                Value::Object(inner) => {
                    found = inner.keys().any(|k| holds(k));
                    pending.extend(inner.values());
                }
                _ => {}
            }
        }
        found.then(|| key.replace(wanted, ""))
    })
}

/// The validation message for text holding the NUL character.
pub const NUL_MESSAGE: &str = "Must not contain the NUL character (\\u0000)";

/// Returns a scalar JSON value as text.
pub fn value_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(if *b { "True".into() } else { "False".into() }),
        _ => None,
    }
}

fn as_bool(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => n.as_i64().map(|i| i != 0),
        Value::String(s) => match s.trim().to_lowercase().as_str() {
            "true" | "yes" | "on" | "y" | "t" | "1" => Some(true),
            "false" | "no" | "off" | "n" | "f" | "0" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn params(value: Value) -> Params {
        Params::from_value(value).unwrap()
    }

    #[test]
    fn flags_accept_ckans_spellings_and_reject_the_rest() {
        let p = params(json!({"a": "Yes", "b": "0", "c": true, "d": "co", "e": ""}));
        assert!(p.flag("a", false).unwrap());
        assert!(!p.flag("b", true).unwrap());
        assert!(p.flag("c", false).unwrap());
        assert!(p.flag("missing", true).unwrap());
        assert!(p.flag("d", false).is_err());
        assert!(p.flag("e", false).is_err());
    }

    #[test]
    fn naturals_give_ckans_messages() {
        let p = params(json!({"a": "10", "b": "-1", "c": "x", "d": 3}));
        assert_eq!(p.natural("a").unwrap(), Some(10));
        assert_eq!(p.natural("d").unwrap(), Some(3));
        assert_eq!(p.natural("b").unwrap_err().to_error_object()["b"], json!(["Must be a natural number"]));
        assert_eq!(p.natural("c").unwrap_err().to_error_object()["c"], json!(["Invalid integer"]));
    }

    #[test]
    fn lists_come_from_json_lists_or_comma_separated_text() {
        let p = params(json!({"a": ["x", "y"], "b": "x, y"}));
        assert_eq!(p.string_list("a").unwrap(), ["x", "y"]);
        assert_eq!(p.string_list("b").unwrap(), ["x", "y"]);
    }

    #[test]
    fn nul_anywhere_is_refused_naming_the_parameter() {
        assert!(params(json!({"title": "a b", "tags": [{"name": "x"}]})).check_text().is_ok());
        for bad in
            [json!({"title": "a\u{0}b"}), json!({"tags": [{"name": "x\u{0}"}]}), json!({"tags": [{"na\u{0}me": 1}]})]
        {
            let key = bad.as_object().unwrap().keys().next().unwrap().clone();
            let error = params(bad).check_text().unwrap_err().to_error_object();
            assert_eq!(error[key.as_str()], json!([NUL_MESSAGE]));
        }
    }

    #[test]
    fn json_parameters_come_as_text_or_as_themselves() {
        let p = params(json!({"a": "[\"x\"]", "b": ["x"], "c": "nope"}));
        assert_eq!(p.json("a").unwrap(), Some(json!(["x"])));
        assert_eq!(p.json("b").unwrap(), Some(json!(["x"])));
        assert!(p.json("c").is_err());
    }

    #[test]
    fn non_objects_are_rejected() {
        assert!(Params::from_value(json!([1])).is_err());
    }
}
