//! Domain types the typed actions take and return (no I/O). A dataset or resource is CKAN's
//! dict, kept whole (every client, schema field and extra stays as CKAN shapes it), with typed
//! accessors for what in-process callers (the portal, the harvester, DCAT, downloads) read.

use serde_json::{Map, Value};
use unicode_normalization::UnicodeNormalization;

/// Returns a text field of a dict ("" when absent or not text).
pub fn text<'a>(dict: &'a Map<String, Value>, key: &str) -> &'a str {
    dict.get(key).and_then(Value::as_str).unwrap_or_default()
}

/// Declares a dict model: the dict itself, with the id, name and JSON value every one has.
macro_rules! dict_model {
    ($(#[$doc:meta])* $model:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Default)]
        pub struct $model(pub Map<String, Value>);

        impl $model {
            pub fn id(&self) -> &str {
                text(&self.0, "id")
            }

            pub fn name(&self) -> &str {
                text(&self.0, "name")
            }

            /// Returns the dict as a JSON value (what the Action API answers).
            pub fn into_value(self) -> Value {
                Value::Object(self.0)
            }
        }
    };
}

dict_model!(
    /// A dataset as `package_show` returns it.
    Dataset
);
dict_model!(
    /// A resource as `resource_show` returns it.
    Resource
);
dict_model!(
    /// An organisation or group as `organization_show` / `group_show` return it.
    Group
);

impl Dataset {
    /// The title, or the name when the dataset has none (as CKAN shows it).
    pub fn display_title(&self) -> &str {
        if self.title().is_empty() { self.name() } else { self.title() }
    }

    pub fn title(&self) -> &str {
        text(&self.0, "title")
    }

    /// `active`, `draft` or `deleted`.
    pub fn state(&self) -> &str {
        text(&self.0, "state")
    }

    pub fn is_private(&self) -> bool {
        self.0.get("private").and_then(Value::as_bool).unwrap_or(false)
    }

    /// The owning organisation's id ("" for none).
    pub fn owner_org(&self) -> &str {
        text(&self.0, "owner_org")
    }

    /// CKAN's timestamp text (`2026-12-02T16:51:05.387581`).
    pub fn metadata_modified(&self) -> &str {
        text(&self.0, "metadata_modified")
    }

    /// The dataset's resources, in order.
    pub fn resources(&self) -> Vec<Resource> {
        let listed = self.0.get("resources").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
        listed.iter().filter_map(|r| r.as_object().cloned()).map(Resource).collect()
    }
}

impl Resource {
    pub fn package_id(&self) -> &str {
        text(&self.0, "package_id")
    }

    pub fn url(&self) -> &str {
        text(&self.0, "url")
    }

    pub fn format(&self) -> &str {
        text(&self.0, "format")
    }

    /// Whether the file was uploaded to Kho (`url_type` `upload`) rather than linked.
    pub fn is_upload(&self) -> bool {
        text(&self.0, "url_type") == "upload"
    }
}

impl Group {
    /// The title, or the name when the group has none (as CKAN shows it).
    pub fn display_title(&self) -> &str {
        if self.title().is_empty() { self.name() } else { self.title() }
    }

    pub fn title(&self) -> &str {
        text(&self.0, "title")
    }

    pub fn description(&self) -> &str {
        text(&self.0, "description")
    }

    pub fn image_url(&self) -> &str {
        text(&self.0, "image_display_url")
    }

    pub fn is_organization(&self) -> bool {
        self.0.get("is_organization").and_then(Value::as_bool).unwrap_or(false)
    }

    /// The datasets the caller may see in it (when the dict was asked with its count).
    pub fn package_count(&self) -> Option<u64> {
        self.0.get("package_count").and_then(Value::as_u64)
    }
}

/// A dataset name (URL) made from a title: diacritics removed, lower case, words joined by
/// hyphens, at most 100 characters (CKAN's limit).
pub fn slug(text: &str) -> String {
    let folded: String = text
        .nfd()
        .filter(|c| !('\u{300}'..='\u{36f}').contains(c))
        .map(|c| match c {
            'đ' => 'd',
            'Đ' => 'd',
            other => other.to_ascii_lowercase(),
        })
        .collect();
    let mut out = String::new();
    for c in folded.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out: String = out.trim_matches('-').chars().take(100).collect();
    out.trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_dataset_reads_its_fields_and_resources() {
        let Value::Object(dict) = json!({"id": "1", "name": "dan-so", "private": true,
            "resources": [{"id": "r", "package_id": "1", "url_type": "upload"}]})
        else {
            unreachable!()
        };
        let dataset = Dataset(dict);
        assert_eq!((dataset.id(), dataset.name(), dataset.title(), dataset.is_private()), ("1", "dan-so", "", true));
        let resources = dataset.resources();
        assert_eq!(resources.len(), 1);
        assert!(resources.first().is_some_and(|r| r.is_upload() && r.package_id() == "1"));
    }
}
