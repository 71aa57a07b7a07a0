//! Tag vocabularies: `vocabulary_create/list/show/update/delete` (sysadmins write).

use serde_json::{Value, json};
use unicode_normalization::UnicodeNormalization;

use super::{ActionContext, Params};
use crate::error::{ActionError, ActionResult};
use crate::store::vocabularies::{self, VocabularyRow};
use crate::store::{Tx, tags};

fn vocabulary_dict(tx: &mut Tx, row: &VocabularyRow) -> ActionResult<Value> {
    let list: Vec<Value> = tags::in_vocabulary(tx, &row.id)?
        .iter()
        .map(|t| json!({"id": t.id, "name": t.name, "vocabulary_id": row.id, "display_name": t.name}))
        .collect();
    Ok(json!({"id": row.id, "name": row.name, "tags": list}))
}

/// Returns the tag names of a `tags` parameter (`[{"name"}]`), NFC-normalised.
fn tag_names(params: &Params) -> ActionResult<Vec<String>> {
    let Some(value) = params.get("tags") else { return Ok(Vec::new()) };
    let Value::Array(items) = value else {
        return Err(ActionError::Integrity("Only lists of dicts can be placed against subschema ('tags',)".into()));
    };
    let mut names = Vec::new();
    for item in items {
        let name = item.get("name").and_then(Value::as_str).map(|n| n.trim().nfc().collect::<String>());
        match name.filter(|n| n.chars().count() >= 2 && n.chars().count() <= 100) {
            Some(name) => names.push(name),
            None => return Err(ActionError::field("tags", "Tag name must be 2 to 100 characters")),
        }
    }
    Ok(names)
}

/// `vocabulary_create`.
pub fn vocabulary_create(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    if !context.caller.is_sysadmin() {
        return Err(ActionError::Authorization(None));
    }
    let name = params.non_empty("name").ok_or_else(|| ActionError::field("name", "Missing value"))?;
    // CKAN's vocabulary_name_validator.
    if !(2..=100).contains(&name.chars().count()) {
        return Err(ActionError::field("name", "Name must be 2 to 100 characters long"));
    }
    let names = tag_names(params)?;
    context.store().write(|tx| {
        if vocabularies::find(tx, &name)?.is_some() {
            return Err(ActionError::field("name", "That vocabulary name is already in use."));
        }
        let row = VocabularyRow { id: crate::store::new_id(), name: name.clone() };
        vocabularies::insert(tx, &row)?;
        for tag in &names {
            tags::find_or_create(tx, tag, &row.id)?;
        }
        vocabulary_dict(tx, &row)
    })
}

fn find(tx: &mut Tx, id: &str) -> ActionResult<VocabularyRow> {
    vocabularies::find(tx, id)?.ok_or_else(|| ActionError::not_found(format!("Could not find vocabulary \"{id}\"")))
}

/// `vocabulary_list`.
pub fn vocabulary_list(context: &ActionContext, _params: &Params) -> ActionResult<Value> {
    context.store().read(|tx| {
        let mut list = Vec::new();
        for row in vocabularies::all(tx)? {
            list.push(vocabulary_dict(tx, &row)?);
        }
        Ok(Value::Array(list))
    })
}

/// `vocabulary_show`.
pub fn vocabulary_show(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    let id = params.non_empty("id").ok_or_else(|| ActionError::field("id", "Missing value"))?;
    context.store().read(|tx| {
        let row = find(tx, &id)?;
        vocabulary_dict(tx, &row)
    })
}

/// `vocabulary_update`: adds the listed tags (tags in use by datasets are never dropped).
pub fn vocabulary_update(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    if !context.caller.is_sysadmin() {
        return Err(ActionError::Authorization(None));
    }
    let id = params.non_empty("id").ok_or_else(|| ActionError::field("id", "Missing value"))?;
    let names = tag_names(params)?;
    context.store().write(|tx| {
        let row = find(tx, &id)?;
        for tag in &names {
            tags::find_or_create(tx, tag, &row.id)?;
        }
        vocabulary_dict(tx, &row)
    })
}

/// `vocabulary_delete`: only a vocabulary no dataset uses.
pub fn vocabulary_delete(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    if !context.caller.is_sysadmin() {
        return Err(ActionError::Authorization(None));
    }
    let id = params.non_empty("id").ok_or_else(|| ActionError::field("id", "Missing value"))?;
    context.store().write(|tx| {
        let row = find(tx, &id)?;
        for tag in tags::in_vocabulary(tx, &row.id)? {
            if !tags::package_ids_with(tx, &tag.id)?.is_empty() {
                return Err(ActionError::message("Vocabulary is in use by datasets"));
            }
        }
        vocabularies::delete(tx, &row.id)?;
        Ok(Value::Null)
    })
}

/// Returns the tag names of a vocabulary for `tag_list` (404 with CKAN's message when unknown).
pub fn vocabulary_tag_names(tx: &mut Tx, id: &str) -> ActionResult<Vec<tags::TagRow>> {
    let row = vocabularies::find(tx, id)?
        .ok_or_else(|| ActionError::not_found(format!("could not find vocabulary '{id}'")))?;
    Ok(tags::in_vocabulary(tx, &row.id)?)
}
