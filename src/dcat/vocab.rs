//! The DCAT-AP vocabulary mappings of `dcat/vocabularies.json` (data, not code): themes,
//! frequencies, access rights, licences and formats to EU authority IRIs and IANA media types,
//! and the names of Viet Nam's 2025 provincial units.

use std::collections::HashMap;

use serde::Deserialize;

const AUTHORITY: &str = "http://publications.europa.eu/resource/authority";
const IANA: &str = "https://www.iana.org/assignments/media-types";

/// The mappings, loaded once.
#[derive(Debug, Deserialize)]
pub struct Vocabularies {
    themes: HashMap<String, String>,
    frequencies: HashMap<String, String>,
    access_rights: HashMap<String, String>,
    licences: HashMap<String, String>,
    formats: HashMap<String, (String, String)>,
    availability: HashMap<String, String>,
    administrative_units: HashMap<String, String>,
}

impl Vocabularies {
    /// Returns the built-in mappings (`dcat/vocabularies.json`, embedded in the binary).
    pub fn built_in() -> anyhow::Result<Vocabularies> {
        Ok(serde_json::from_str(include_str!("../../dcat/vocabularies.json"))?)
    }

    /// Whether `code` is one of the 34 provincial unit codes of 2025 (the built-in list).
    pub fn is_province_code(code: &str) -> bool {
        static BUILT_IN: std::sync::OnceLock<Option<Vocabularies>> = std::sync::OnceLock::new();
        BUILT_IN
            .get_or_init(|| Vocabularies::built_in().ok())
            .as_ref()
            .is_some_and(|v| v.administrative_units.contains_key(code))
    }

    /// The name of a 2025 provincial unit by its code (`52` → Gia Lai); `None` for commune
    /// codes and unknown ones.
    pub fn administrative_unit(&self, code: &str) -> Option<&str> {
        self.administrative_units.get(code).map(String::as_str)
    }

    /// The 34 provincial units of 2025 as `(code, name)`, by code.
    pub fn provinces(&self) -> Vec<(&str, &str)> {
        let mut all: Vec<(&str, &str)> =
            self.administrative_units.iter().map(|(code, name)| (code.as_str(), name.as_str())).collect();
        all.sort();
        all
    }

    /// The EU data-theme IRI of a Kho theme (group name or `linh_vuc` value).
    pub fn theme(&self, key: &str) -> Option<String> {
        self.themes.get(key).map(|code| format!("{AUTHORITY}/data-theme/{code}"))
    }

    /// The EU frequency IRI of a `tan_suat_cap_nhat` value.
    pub fn frequency(&self, key: &str) -> Option<String> {
        self.frequencies.get(key).map(|code| format!("{AUTHORITY}/frequency/{code}"))
    }

    /// The EU access-right IRI of a `muc_do_chia_se` value.
    pub fn access_right(&self, key: &str) -> Option<String> {
        self.access_rights.get(key).map(|code| format!("{AUTHORITY}/access-right/{code}"))
    }

    /// The EU access-right IRI for data published openly.
    pub fn public_access() -> String {
        format!("{AUTHORITY}/access-right/PUBLIC")
    }

    /// The EU planned-availability IRI of a `thoi_han_truc_tuyen` value.
    pub fn availability(&self, key: &str) -> Option<String> {
        self.availability.get(key).map(|code| format!("{AUTHORITY}/planned-availability/{code}"))
    }

    /// The EU country IRI of Viet Nam (the spatial coverage of every provincial dataset).
    pub fn viet_nam() -> String {
        format!("{AUTHORITY}/country/VNM")
    }

    /// The EU licence IRI of a CKAN licence id.
    pub fn licence(&self, id: &str) -> Option<String> {
        self.licences.get(id).map(|code| format!("{AUTHORITY}/licence/{code}"))
    }

    /// The EU file-type IRI and IANA media-type IRI of a resource format (case-insensitive).
    pub fn format(&self, format: &str) -> Option<(String, String)> {
        self.formats
            .get(&format.trim().to_ascii_uppercase())
            .map(|(file_type, media)| (format!("{AUTHORITY}/file-type/{file_type}"), format!("{IANA}/{media}")))
    }

    /// The EU language IRI of a locale (`vi` → VIE).
    pub fn language(locale: &str) -> String {
        let code = match locale {
            "en" => "ENG",
            _ => "VIE",
        };
        format!("{AUTHORITY}/language/{code}")
    }

    /// The EU data-theme scheme.
    pub fn theme_scheme() -> String {
        format!("{AUTHORITY}/data-theme")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_mappings_load_and_map() {
        let v = Vocabularies::built_in().unwrap();
        assert_eq!(v.theme("y-te").unwrap(), "http://publications.europa.eu/resource/authority/data-theme/HEAL");
        assert_eq!(
            v.frequency("hang-quy").unwrap(),
            "http://publications.europa.eu/resource/authority/frequency/QUARTERLY"
        );
        assert_eq!(v.licence("cc-by").unwrap(), "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0");
        let (file_type, media) = v.format("csv").unwrap();
        assert!(file_type.ends_with("/file-type/CSV"));
        assert_eq!(media, "https://www.iana.org/assignments/media-types/text/csv");
        assert!(v.format("unknown").is_none());
        assert_eq!(v.administrative_units.len(), 34);
        assert_eq!(v.administrative_unit("52"), Some("Gia Lai"));
        assert!(Vocabularies::is_province_code("79") && !Vocabularies::is_province_code("02"));
    }
}
