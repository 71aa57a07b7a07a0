//! The DCAT-AP vocabulary mappings read backwards: an EU authority IRI (or IANA media type)
//! → the Kho value that `crate::dcat::Vocabularies` maps to it. The keys come from
//! `dcat/vocabularies.json` itself, in file order; the IRIs from the site's `Vocabularies`, so
//! the two directions always agree. When several keys map to one IRI the first key in the
//! file wins (`ECON` → `kinh-te-thuong-mai-dau-tu`, not `tai-chinh-ngan-sach`).

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::dcat::Vocabularies;

/// The keys of each mapping, in file order (the values are read through `Vocabularies`).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Keys {
    themes: Map<String, Value>,
    frequencies: Map<String, Value>,
    access_rights: Map<String, Value>,
    licences: Map<String, Value>,
    formats: Map<String, Value>,
    availability: Map<String, Value>,
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| serde_json::from_str(include_str!("../../dcat/vocabularies.json")).unwrap_or_default())
}

/// An IRI compared without its scheme and trailing slashes (`https://` and `http://` variants
/// of the EU and IANA IRIs are both in use).
pub fn comparable(iri: &str) -> &str {
    let trimmed = iri.trim();
    let without_scheme = trimmed.split_once("://").map_or(trimmed, |(_, rest)| rest);
    without_scheme.trim_end_matches('/')
}

/// IRI → key, first key wins.
fn reversed(keys: &Map<String, Value>, forward: impl Fn(&str) -> Option<String>) -> HashMap<String, &str> {
    let mut map = HashMap::new();
    for key in keys.keys() {
        if let Some(iri) = forward(key) {
            map.entry(comparable(&iri).to_string()).or_insert(key.as_str());
        }
    }
    map
}

/// The reverse mappings for one page (about 60 entries; cheap to build).
#[derive(Debug)]
pub struct Reverse {
    themes: HashMap<String, &'static str>,
    frequencies: HashMap<String, &'static str>,
    access_rights: HashMap<String, &'static str>,
    licences: HashMap<String, &'static str>,
    /// EU file-type IRIs and IANA media-type IRIs.
    formats: HashMap<String, &'static str>,
    format_keys: HashSet<&'static str>,
    availability: HashMap<String, &'static str>,
}

impl Reverse {
    pub fn new(vocabularies: &Vocabularies) -> Reverse {
        let keys = keys();
        let mut formats = HashMap::new();
        let mut format_keys = HashSet::new();
        for key in keys.formats.keys() {
            if let Some((file_type, media)) = vocabularies.format(key) {
                formats.entry(comparable(&file_type).to_string()).or_insert(key.as_str());
                formats.entry(comparable(&media).to_string()).or_insert(key.as_str());
                format_keys.insert(key.as_str());
            }
        }
        Reverse {
            themes: reversed(&keys.themes, |k| vocabularies.theme(k)),
            frequencies: reversed(&keys.frequencies, |k| vocabularies.frequency(k)),
            access_rights: reversed(&keys.access_rights, |k| vocabularies.access_right(k)),
            licences: reversed(&keys.licences, |k| vocabularies.licence(k)),
            formats,
            format_keys,
            availability: reversed(&keys.availability, |k| vocabularies.availability(k)),
        }
    }

    /// The `linh_vuc` value (also a group name) of an EU data-theme IRI.
    pub fn theme(&self, iri: &str) -> Option<&'static str> {
        self.themes.get(comparable(iri)).copied()
    }

    /// The `tan_suat_cap_nhat` value of an EU frequency IRI.
    pub fn frequency(&self, iri: &str) -> Option<&'static str> {
        self.frequencies.get(comparable(iri)).copied()
    }

    /// The `muc_do_chia_se` value of an EU access-right IRI (`PUBLIC` → `mo`).
    pub fn access_right(&self, iri: &str) -> Option<&'static str> {
        self.access_rights.get(comparable(iri)).copied()
    }

    /// The CKAN licence id of an EU licence IRI.
    pub fn licence(&self, iri: &str) -> Option<&'static str> {
        self.licences.get(comparable(iri)).copied()
    }

    /// The `thoi_han_truc_tuyen` value of an EU planned-availability IRI.
    pub fn availability(&self, iri: &str) -> Option<&'static str> {
        self.availability.get(comparable(iri)).copied()
    }

    /// The resource format of an EU file-type IRI or an IANA media-type IRI.
    pub fn format(&self, iri: &str) -> Option<&'static str> {
        self.formats.get(comparable(iri)).copied()
    }

    /// The format key a literal names (`csv` → `CSV`), when it is a mapped format.
    pub fn format_key(&self, literal: &str) -> Option<&'static str> {
        let upper = literal.trim().to_ascii_uppercase();
        self.format_keys.get(upper.as_str()).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_forward_mapping_comes_back_to_its_first_key() {
        let v = Vocabularies::built_in().unwrap();
        let r = Reverse::new(&v);
        assert_eq!(r.theme(&v.theme("y-te").unwrap()), Some("y-te"));
        assert_eq!(r.theme(&v.theme("tai-chinh-ngan-sach").unwrap()), Some("kinh-te-thuong-mai-dau-tu"));
        assert_eq!(r.theme(&v.theme("van-hoa-du-lich").unwrap()), Some("giao-duc"));
        assert_eq!(r.frequency(&v.frequency("6-thang").unwrap()), Some("6-thang"));
        assert_eq!(r.access_right(&Vocabularies::public_access()), Some("mo"));
        assert_eq!(r.licence("https://publications.europa.eu/resource/authority/licence/CC_BY_4_0/"), Some("cc-by"));
        assert_eq!(r.availability(&v.availability("10-nam").unwrap()), Some("vinh-vien"));
        let (file_type, media) = v.format("api").unwrap();
        assert_eq!((r.format(&file_type), r.format(&media)), (Some("JSON"), Some("JSON")));
        assert_eq!(r.format("http://www.iana.org/assignments/media-types/text/turtle"), Some("TTL"));
        assert_eq!(r.format_key(" csv "), Some("CSV"));
        assert_eq!(r.format_key("wms"), None);
        for key in keys().themes.keys().chain(keys().frequencies.keys()) {
            let iri = v.theme(key).or_else(|| v.frequency(key)).unwrap();
            assert!(r.theme(&iri).or_else(|| r.frequency(&iri)).is_some(), "{key}");
        }
    }
}
