//! Parsing and validating a submitted dataset dict (CKAN's default create/update schema).

use serde_json::{Map, Value, json};
use unicode_normalization::UnicodeNormalization;

use crate::actions::params::value_text;
use crate::actions::{Params, validate};
use crate::error::{ActionError, ActionResult, FieldErrors};

/// The free-text columns of a dataset; omitted on update means cleared (CKAN).
pub const TEXT_FIELDS: [&str; 9] =
    ["title", "author", "author_email", "maintainer", "maintainer_email", "license_id", "notes", "url", "version"];

/// Top-level keys an extra may not use.
const RESERVED_KEYS: [&str; 27] = [
    "id",
    "name",
    "title",
    "author",
    "author_email",
    "maintainer",
    "maintainer_email",
    "license_id",
    "notes",
    "url",
    "version",
    "state",
    "type",
    "owner_org",
    "private",
    "tags",
    "tag_string",
    "resources",
    "groups",
    "extras",
    "metadata_created",
    "metadata_modified",
    "creator_user_id",
    "organization",
    "num_tags",
    "num_resources",
    "isopen",
];

/// Field errors of a dataset, including CKAN's nested shapes (`extras`/`resources` lists).
#[derive(Debug, Default)]
pub struct Errors {
    pub fields: FieldErrors,
    pub nested: Map<String, Value>,
}

impl Errors {
    /// Returns `Ok` when nothing was recorded.
    pub fn into_result(self) -> ActionResult<()> {
        let mut map = match self.fields.into_result() {
            Ok(()) => Map::new(),
            Err(ActionError::Validation(map)) => map,
            Err(other) => return Err(other),
        };
        map.extend(self.nested);
        if map.is_empty() { Ok(()) } else { Err(ActionError::Validation(map)) }
    }
}

/// A submitted tag.
#[derive(Debug, Clone, PartialEq)]
pub struct TagInput {
    pub name: String,
    pub vocabulary_id: String,
}

/// A parsed dataset submission. `None` means the key was not given.
#[derive(Debug, Default)]
pub struct DatasetInput {
    pub id: Option<String>,
    pub name: Option<String>,
    pub text: Vec<(&'static str, Option<String>)>,
    pub private: Option<bool>,
    pub state: Option<String>,
    pub package_type: Option<String>,
    pub owner_org: Option<String>,
    pub tags: Option<Vec<TagInput>>,
    pub extras: Option<Vec<(String, String)>>,
    pub groups: Option<Vec<String>>,
    pub resources: Option<Vec<Map<String, Value>>>,
}

fn list_of_objects(params: &Params, key: &str) -> ActionResult<Option<Vec<Map<String, Value>>>> {
    match params.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| match item {
                Value::Object(map) => Ok(map.clone()),
                _ => Err(ActionError::Integrity(format!(
                    "Only lists of dicts can be placed against subschema ('{key}',), not <class 'list'>"
                ))),
            })
            .collect::<ActionResult<Vec<_>>>()
            .map(Some),
        Some(Value::String(_)) => Err(ActionError::Integrity(format!(
            "Only lists of dicts can be placed against subschema ('{key}',), not <class 'str'>"
        ))),
        Some(_) => Err(ActionError::Integrity(format!(
            "Only lists of dicts can be placed against subschema ('{key}',), not <class 'dict'>"
        ))),
    }
}

fn check_tag(errors: &mut Errors, name: &str) {
    let length = name.chars().count();
    if length < 2 {
        errors.fields.add("tags", format!("Tag \"{name}\" length is less than minimum 2"));
    } else if length > 100 {
        errors.fields.add("tags", format!("Tag \"{name}\" length is more than maximum 100"));
    }
    if !name.chars().all(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.')) {
        errors.fields.add(
            "tags",
            format!("Tag \"{name}\" can only contain alphanumeric characters, spaces (\" \"), hyphens (\"-\"), underscores (\"_\") or dots (\".\")"),
        );
    }
}

/// Parses the submission. Structural problems are an `Integrity Error` at once; field problems
/// are collected in `errors`.
pub fn parse(params: &Params, errors: &mut Errors, name_required: bool) -> ActionResult<DatasetInput> {
    let mut input = DatasetInput::default();
    if params.has("name") || name_required {
        input.name = validate::name_param(&mut errors.fields, params, "name");
        if let Some(name) = &input.name
            && name.chars().count() < 2
        {
            errors.fields.add("name", format!("Name \"{name}\" length is less than minimum 2"));
        }
    }
    input.id = params.non_empty("id");
    for field in TEXT_FIELDS {
        let value = params.text(field).map(|v| if field.ends_with("email") { v.trim().to_string() } else { v });
        let value = value.filter(|v| !(field.ends_with("email") && v.is_empty()));
        if let Some(v) = &value {
            if field.ends_with("email") {
                validate::email(&mut errors.fields, field, v);
            }
            if field == "version" && v.chars().count() > 100 {
                errors.fields.add("version", "Version must be a maximum of 100 characters long");
            }
        }
        input.text.push((field, value));
    }
    if params.has("private") {
        input.private = Some(params.truthy("private"));
    }
    input.state = params.non_empty("state");
    input.package_type = params.non_empty("type");
    input.owner_org = params.non_empty("owner_org");
    let tag_objects = list_of_objects(params, "tags")?;
    let mut tags: Option<Vec<TagInput>> = None;
    if let Some(objects) = tag_objects {
        let mut list = Vec::new();
        for object in objects {
            let Some(name) = object.get("name").and_then(value_text) else {
                errors.fields.add("tags", "Missing value");
                continue;
            };
            let name: String = name.trim().nfc().collect();
            check_tag(errors, &name);
            let vocabulary_id = object.get("vocabulary_id").and_then(value_text).unwrap_or_default();
            list.push(TagInput { name, vocabulary_id });
        }
        tags = Some(list);
    }
    if let Some(tag_string) = params.text("tag_string").filter(|_| tags.is_none()) {
        let mut list = Vec::new();
        for name in tag_string.split(',').map(|t| t.trim().nfc().collect::<String>()).filter(|t| !t.is_empty()) {
            check_tag(errors, &name);
            list.push(TagInput { name, vocabulary_id: String::new() });
        }
        tags = Some(list);
    }
    if let Some(list) = &mut tags {
        let mut seen = std::collections::HashSet::new();
        list.retain(|t| seen.insert((t.name.clone(), t.vocabulary_id.clone())));
    }
    input.tags = tags;
    if let Some(objects) = list_of_objects(params, "extras")? {
        let mut item_errors = Vec::new();
        let mut extras = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut any_item_error = false;
        for object in objects {
            if object.get("deleted").is_some_and(|d| d == &json!(true) || d == &json!("on")) {
                continue;
            }
            let mut item = FieldErrors::default();
            let key = object.get("key").and_then(value_text).filter(|k| !k.is_empty());
            match &key {
                None => item.add("key", "Missing value"),
                Some(k) if RESERVED_KEYS.contains(&k.as_str()) => {
                    item.add("key", "There is a schema field with the same name")
                }
                Some(k) if !seen.insert(k.clone()) => {
                    errors.fields.add("extras_validation", format!("Duplicate key \"{k}\""))
                }
                _ => {}
            }
            let value = match object.get("value") {
                None | Some(Value::Null) => {
                    item.add("value", "Missing value");
                    String::new()
                }
                Some(Value::String(s)) => s.clone(),
                Some(other) => other.to_string(),
            };
            match item.into_result() {
                Ok(()) => item_errors.push(json!({})),
                Err(ActionError::Validation(map)) => {
                    any_item_error = true;
                    item_errors.push(Value::Object(map.into_iter().filter(|(k, _)| k != "__type").collect()));
                }
                Err(other) => return Err(other),
            }
            if let Some(k) = key {
                extras.push((k, value));
            }
        }
        if any_item_error {
            errors.nested.insert("extras".into(), Value::Array(item_errors));
        }
        input.extras = Some(extras);
    }
    if let Some(objects) = list_of_objects(params, "groups")? {
        let names = objects
            .iter()
            .filter_map(|g| g.get("id").and_then(value_text).or_else(|| g.get("name").and_then(value_text)))
            .collect();
        input.groups = Some(names);
    }
    input.resources = list_of_objects(params, "resources")?;
    Ok(input)
}
