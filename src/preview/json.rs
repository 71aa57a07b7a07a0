//! JSON previews: a list of records (or of rows), at the top or under one key of an object.

use serde_json::Value;

use super::{MAX_ROWS, Preview, PreviewError, table};

fn cell(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Finds the list to show: the document itself, or the first list-valued key of an object.
fn records(document: &Value) -> Option<&Vec<Value>> {
    match document {
        Value::Array(items) => Some(items),
        Value::Object(fields) => fields.values().find_map(|v| v.as_array().filter(|a| !a.is_empty())),
        _ => None,
    }
}

/// The preview of a JSON file.
pub fn preview(bytes: &[u8]) -> Result<Preview, PreviewError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let document: Value = serde_json::from_slice(bytes).map_err(|e| PreviewError::Unreadable(e.to_string()))?;
    let Some(items) = records(&document) else {
        // A single object: its keys and values as two columns.
        let rows = match &document {
            Value::Object(fields) => fields.iter().map(|(k, v)| vec![k.clone(), cell(v)]).collect(),
            other => vec![vec![cell(other)]],
        };
        let mut preview =
            table("json", std::iter::once(vec!["key".into(), "value".into()]).chain(rows).collect(), false);
        if !document.is_object() {
            preview.columns = vec!["value".into()];
        }
        return Ok(preview);
    };
    let shown = items.get(..items.len().min(MAX_ROWS)).unwrap_or_default();
    let more = items.len() > MAX_ROWS;
    if shown.iter().all(Value::is_object) {
        let mut columns: Vec<String> = Vec::new();
        for item in shown {
            for key in item.as_object().into_iter().flat_map(|o| o.keys()) {
                if !columns.contains(key) {
                    columns.push(key.clone());
                }
            }
        }
        let rows = shown.iter().map(|item| columns.iter().map(|c| item.get(c).map(cell).unwrap_or_default()).collect());
        return Ok(table("json", std::iter::once(columns.clone()).chain(rows).collect(), more));
    }
    // Rows as lists: the first is the header when it holds only text.
    let rows: Vec<Vec<String>> = shown
        .iter()
        .map(|item| match item {
            Value::Array(cells) => cells.iter().map(cell).collect(),
            other => vec![cell(other)],
        })
        .collect();
    let header_given = shown.first().and_then(Value::as_array).is_some_and(|cells| cells.iter().all(Value::is_string));
    if header_given {
        Ok(table("json", rows, more))
    } else {
        let width = rows.iter().map(Vec::len).max().unwrap_or(0);
        let header: Vec<String> = (1..=width).map(|i| i.to_string()).collect();
        Ok(table("json", std::iter::once(header).chain(rows).collect(), more))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_become_columns_in_order_of_first_appearance() {
        let preview =
            preview(br#"{"data": [{"xa": "Pleiku", "dan_so": 1}, {"xa": "An Khe", "dien_tich": 2.5}]}"#).unwrap();
        assert_eq!(preview.columns, vec!["xa", "dan_so", "dien_tich"]);
        assert_eq!(preview.rows[1], vec!["An Khe", "", "2.5"]);
    }

    #[test]
    fn lists_of_rows_and_broken_files() {
        let preview = preview(br#"[["a","b"],[1,2]]"#).unwrap();
        assert_eq!(preview.columns, vec!["a", "b"]);
        assert!(matches!(super::preview(b"{not json"), Err(PreviewError::Unreadable(_))));
    }
}
