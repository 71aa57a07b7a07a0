//! Dataset schemas in ckanext-scheming's file format (`schemas/*.json`): the default CKAN
//! schema and the Vietnamese provincial schema (`type: vn-dataset`). Fields that are not CKAN
//! core fields are stored as extras and shown at the top level of the dataset dict, as
//! scheming does.

use serde_json::Value;

use crate::error::FieldErrors;

const BUILT_IN: [&str; 2] = [include_str!("../schemas/ckan_dataset.json"), include_str!("../schemas/vn_dataset.json")];

/// CKAN's own dataset fields: a schema's other fields are custom.
const CORE_FIELDS: [&str; 16] = [
    "title",
    "name",
    "notes",
    "tag_string",
    "tags",
    "owner_org",
    "license_id",
    "url",
    "version",
    "author",
    "author_email",
    "maintainer",
    "maintainer_email",
    "private",
    "groups",
    "resources",
];

/// One custom field of a schema.
#[derive(Debug, Clone)]
pub struct Field {
    pub name: String,
    pub required: bool,
    pub preset: Option<String>,
    pub choices: Option<Vec<String>>,
}

/// One dataset schema.
#[derive(Debug, Clone)]
pub struct Schema {
    pub dataset_type: String,
    pub custom_fields: Vec<Field>,
    pub document: Value,
}

/// Every schema the site knows.
#[derive(Debug, Clone, Default)]
pub struct Schemas(pub Vec<Schema>);

impl Schemas {
    /// Loads the built-in schemas.
    pub fn built_in() -> anyhow::Result<Schemas> {
        let mut schemas = Vec::new();
        for text in BUILT_IN {
            let document: Value = serde_json::from_str(text)?;
            let dataset_type = at(&document, "dataset_type").as_str().unwrap_or("dataset").to_string();
            let custom_fields = at(&document, "dataset_fields")
                .as_array()
                .map(|fields| {
                    fields
                        .iter()
                        .filter_map(|f| {
                            let name = at(f, "field_name").as_str()?.to_string();
                            if CORE_FIELDS.contains(&name.as_str()) {
                                return None;
                            }
                            let choices = at(f, "choices").as_array().map(|c| {
                                c.iter().filter_map(|v| at(v, "value").as_str().map(str::to_string)).collect()
                            });
                            Some(Field {
                                name,
                                required: at(f, "required").as_bool().unwrap_or(false),
                                preset: at(f, "preset").as_str().map(str::to_string),
                                choices,
                            })
                        })
                        .collect()
                })
                .unwrap_or_default();
            schemas.push(Schema { dataset_type, custom_fields, document });
        }
        Ok(Schemas(schemas))
    }

    /// Returns the schema of a dataset type.
    pub fn for_type(&self, dataset_type: &str) -> Option<&Schema> {
        self.0.iter().find(|s| s.dataset_type == dataset_type)
    }

    /// Returns the names of a type's custom fields (empty for types without a schema).
    pub fn custom_field_names(&self, dataset_type: &str) -> Vec<String> {
        self.for_type(dataset_type)
            .map(|s| s.custom_fields.iter().map(|f| f.name.clone()).collect())
            .unwrap_or_default()
    }
}

/// Returns a member of a JSON object, or `null`.
fn at<'a>(value: &'a Value, key: &str) -> &'a Value {
    value.get(key).unwrap_or(&Value::Null)
}

/// A 2025 administrative unit code (Decision 19/2025/QĐ-TTg): one of the 34 provincial codes
/// (listed in `dcat/vocabularies.json`) or a 5-digit commune code.
fn is_admin_unit(code: &str) -> bool {
    crate::dcat::Vocabularies::is_province_code(code) || (code.len() == 5 && code.bytes().all(|b| b.is_ascii_digit()))
}

impl Schema {
    /// Validates the custom fields of a submission; returns the values to store as extras.
    pub fn validate(
        &self,
        value_of: impl Fn(&str) -> Option<String>,
        errors: &mut FieldErrors,
    ) -> Vec<(String, String)> {
        let mut stored = Vec::new();
        for field in &self.custom_fields {
            let Some(value) = value_of(&field.name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty()) else {
                if field.required {
                    errors.add(&field.name, "Missing value");
                }
                continue;
            };
            if field.choices.as_ref().is_some_and(|choices| !choices.contains(&value)) {
                errors.add(&field.name, "unexpected choice value");
                continue;
            }
            match field.preset.as_deref() {
                Some("date") if chrono::NaiveDate::parse_from_str(&value, "%Y-%m-%d").is_err() => {
                    errors.add(&field.name, "Date format incorrect");
                    continue;
                }
                Some("vn_admin_unit") => {
                    let bad: Vec<&str> = value.split(',').map(str::trim).filter(|c| !is_admin_unit(c)).collect();
                    if !bad.is_empty() {
                        errors.add(&field.name, format!("Not a 2025 administrative unit code: {}", bad.join(", ")));
                        continue;
                    }
                }
                _ => {}
            }
            stored.push((field.name.clone(), value));
        }
        stored
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_provincial_schema_has_the_regulations_fields() {
        let schemas = Schemas::built_in().unwrap();
        let names = schemas.custom_field_names("vn-dataset");
        for field in [
            "linh_vuc",
            "tan_suat_cap_nhat",
            "pham_vi_khong_gian",
            "co_so_phap_ly",
            "muc_do_chia_se",
            "thoi_han_truc_tuyen",
            "dau_moi_lien_he",
            "muc_tieu",
            "pham_vi",
            "du_lieu_chu",
            "doi_tuong_muc_dich_khai_thac",
            "nguon_thong_tin",
            "phuong_thuc_chia_se",
        ] {
            assert!(names.contains(&field.to_string()), "{field}");
        }
        assert!(schemas.custom_field_names("dataset").is_empty());
    }

    #[test]
    fn custom_fields_are_validated() {
        let schemas = Schemas::built_in().unwrap();
        let schema = schemas.for_type("vn-dataset").unwrap();
        let mut errors = FieldErrors::default();
        let values = |name: &str| match name {
            "linh_vuc" => Some("y-te".to_string()),
            "tan_suat_cap_nhat" => Some("hang-tuan".to_string()),
            "pham_vi_khong_gian" => Some("52, 99, 23456".to_string()),
            "thoi_gian_bat_dau" => Some("01/01/2025".to_string()),
            _ => None,
        };
        let stored = schema.validate(values, &mut errors);
        assert_eq!(stored, [("linh_vuc".to_string(), "y-te".to_string())]);
        let object = errors.into_result().unwrap_err().to_error_object();
        assert_eq!(object["tan_suat_cap_nhat"][0], "unexpected choice value");
        assert_eq!(object["pham_vi_khong_gian"][0], "Not a 2025 administrative unit code: 99");
        assert_eq!(object["thoi_gian_bat_dau"][0], "Date format incorrect");
        assert_eq!(object["muc_tieu"][0], "Missing value");
    }
}
