//! Values read from DCAT made acceptable to Kho's `package_create`: licences matched against
//! the register, resource formats, and the checks the provincial schema and CKAN's validators
//! apply (dates, e-mail addresses, tags, administrative unit codes), so that a harvested dict
//! never carries a value the target would reject.

use chrono::NaiveDate;
use serde_json::Value;

use super::vocab_reverse::{Reverse, comparable};

const IANA: &str = "www.iana.org/assignments/media-types/";

/// How a licence was recognised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Licence {
    /// A licence id of the register (or of the EU mapping).
    Id(String),
    /// Not in the register: the licence's IRI, kept as the `license_url` extra.
    Url(String),
    None,
}

/// What the page says about a dataset's licence.
pub struct LicenceFacts<'a> {
    /// The object of `dct:license` when it is an IRI.
    pub iri: Option<&'a str>,
    /// The object when it is a literal (a licence id or title, in some foreign catalogues).
    pub literal: Option<&'a str>,
    /// The licence document's `dct:title`s (CKAN harvesters match on them).
    pub titles: Vec<&'a str>,
}

fn text<'v>(licence: &'v Value, key: &str) -> Option<&'v str> {
    licence.get(key).and_then(Value::as_str).map(str::trim).filter(|t| !t.is_empty())
}

fn same_title(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// Matches a licence: the EU mapping reversed, the register's URL, the register's title, a
/// literal naming a register id or title; else the IRI as a URL.
pub fn licence(reverse: &Reverse, register: &[Value], facts: &LicenceFacts) -> Licence {
    let by_id = |id: &str| register.iter().find_map(|l| text(l, "id").filter(|own| *own == id.trim()));
    if let Some(iri) = facts.iri {
        if let Some(id) = reverse.licence(iri) {
            return Licence::Id(id.to_string());
        }
        let wanted = comparable(iri);
        let registered = register.iter().find(|l| text(l, "url").is_some_and(|u| comparable(u) == wanted));
        if let Some(id) = registered.and_then(|l| text(l, "id")) {
            return Licence::Id(id.to_string());
        }
    }
    let by_title = |title: &str| {
        register.iter().find(|l| text(l, "title").is_some_and(|t| same_title(t, title))).and_then(|l| text(l, "id"))
    };
    if let Some(id) = facts.titles.iter().find_map(|title| by_title(title)) {
        return Licence::Id(id.to_string());
    }
    if let Some(id) = facts.literal.and_then(|l| by_id(l).or_else(|| by_title(l))) {
        return Licence::Id(id.to_string());
    }
    match facts.iri {
        Some(iri) => Licence::Url(iri.to_string()),
        None => Licence::None,
    }
}

/// A media type without the IANA prefix (`text/csv`), when it looks like one.
pub fn media_type(iri_or_literal: &str) -> Option<String> {
    let bare = comparable(iri_or_literal);
    let bare = bare.strip_prefix(IANA).unwrap_or(bare);
    let (kind, sub) = bare.split_once('/')?;
    let token = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "!#$&-^_.+".contains(c));
    (token(kind) && token(sub)).then(|| bare.to_ascii_lowercase())
}

/// What the page says about a distribution's format.
pub struct FormatFacts<'a> {
    /// `dct:format` when it is an IRI.
    pub iri: Option<&'a str>,
    /// `dct:format` as a literal, or the label or value of a format node.
    pub label: Option<&'a str>,
    /// `dcat:mediaType`, an IRI or a literal.
    pub media: Option<&'a str>,
}

/// The resource format: the mappings reversed (file type, then media type, then a literal
/// naming a mapped format), else the literal, the format IRI's last segment uppercased, or
/// the media type.
pub fn format(reverse: &Reverse, facts: &FormatFacts) -> Option<String> {
    let mapped = facts
        .iri
        .and_then(|iri| reverse.format(iri))
        .or_else(|| facts.media.and_then(|m| reverse.format(m).or_else(|| reverse.format(&format!("{IANA}{m}")))))
        .or_else(|| facts.label.and_then(|l| reverse.format_key(l)));
    if let Some(key) = mapped {
        return Some(key.to_string());
    }
    if let Some(label) = facts.label.map(str::trim).filter(|l| !l.is_empty()) {
        return Some(label.to_string());
    }
    let last_segment = facts.iri.and_then(|iri| comparable(iri).rsplit(['/', '#']).next()).filter(|s| !s.is_empty());
    if let Some(segment) = last_segment {
        return Some(segment.to_ascii_uppercase());
    }
    facts.media.and_then(media_type)
}

/// A byte size: a non-negative integer literal (`1024`, `1024.0`).
pub fn size(literal: &str) -> Option<u64> {
    let trimmed = literal.trim();
    if let Ok(n) = trimmed.parse::<u64>() {
        return Some(n);
    }
    let float: f64 = trimmed.parse().ok()?;
    // Whole numbers up to 2^53 convert exactly.
    (float.is_finite() && float >= 0.0 && float.fract() == 0.0 && float < 9.0e15).then_some(float as u64)
}

/// Whether the provincial schema's `date` preset accepts `value`.
pub fn is_date(value: &str) -> bool {
    NaiveDate::parse_from_str(value, "%Y-%m-%d").is_ok()
}

/// Whether a resource's `created`/`last_modified` accepts `value` (the write path's parser).
pub fn is_timestamp(value: &str) -> bool {
    crate::actions::parse_datetime(value).is_some()
}

/// Whether Kho's e-mail check accepts `value` (the write path's check).
pub fn is_email(value: &str) -> bool {
    crate::actions::is_email(value)
}

/// A keyword as a CKAN tag: characters CKAN refuses become spaces, runs of spaces one, at
/// most 100 characters; `None` when fewer than 2 remain. Valid keywords are unchanged.
pub fn tag(keyword: &str) -> Option<String> {
    let allowed = |c: char| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.');
    let replaced: String = keyword.chars().map(|c| if allowed(c) { c } else { ' ' }).collect();
    let collapsed: String = replaced.split_whitespace().collect::<Vec<_>>().join(" ");
    let cut: String = collapsed.chars().take(100).collect();
    let cut = cut.trim_end().to_string();
    (cut.chars().count() >= 2).then_some(cut)
}

/// The administrative unit code of a Kho location IRI (`{site}/dia-ban/{code}`), when the
/// schema accepts it (a 2025 provincial code or a 5-digit commune code).
pub fn unit_code(iri: &str) -> Option<&str> {
    let (path, code) = iri.trim_end_matches('/').rsplit_once('/')?;
    let valid = code.bytes().all(|b| b.is_ascii_digit())
        && (crate::dcat::Vocabularies::is_province_code(code) || code.len() == 5);
    (path.ends_with("/dia-ban") && valid).then_some(code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn licences_match_by_eu_iri_register_url_title_or_literal() {
        let v = crate::dcat::Vocabularies::built_in().unwrap();
        let r = Reverse::new(&v);
        let register = vec![
            json!({"id": "cc-by", "title": "Creative Commons Attribution", "url": "http://www.opendefinition.org/licenses/cc-by"}),
            json!({"id": "notspecified", "title": "License not specified", "url": ""}),
            json!({"id": "vn-open", "title": "Giấy phép dữ liệu mở", "url": "https://data.gov.vn/licence"}),
        ];
        let facts = |iri, literal, titles| LicenceFacts { iri, literal, titles };
        let eu = "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0";
        assert_eq!(licence(&r, &register, &facts(Some(eu), None, vec![])), Licence::Id("cc-by".into()));
        let own = facts(Some("http://data.gov.vn/licence/"), None, vec![]);
        assert_eq!(licence(&r, &register, &own), Licence::Id("vn-open".into()));
        let site_page = facts(Some("https://kho.example/licence/notspecified"), None, vec!["License Not Specified"]);
        assert_eq!(licence(&r, &register, &site_page), Licence::Id("notspecified".into()));
        assert_eq!(licence(&r, &register, &facts(None, Some("cc-by"), vec![])), Licence::Id("cc-by".into()));
        let other = facts(Some("https://example.org/l"), None, vec!["Other"]);
        assert_eq!(licence(&r, &register, &other), Licence::Url("https://example.org/l".into()));
        assert_eq!(licence(&r, &register, &facts(None, Some("??"), vec![])), Licence::None);
    }

    #[test]
    fn formats_sizes_and_checks() {
        let v = crate::dcat::Vocabularies::built_in().unwrap();
        let r = Reverse::new(&v);
        let f = |iri, label, media| format(&r, &FormatFacts { iri, label, media });
        assert_eq!(
            f(Some("http://publications.europa.eu/resource/authority/file-type/RDF_XML"), None, None),
            Some("RDF".into())
        );
        assert_eq!(f(None, None, Some("text/csv")), Some("CSV".into()));
        assert_eq!(f(None, Some("shp"), None), Some("SHP".into()));
        assert_eq!(f(None, Some("WMS"), None), Some("WMS".into()));
        assert_eq!(
            f(Some("http://publications.europa.eu/resource/authority/file-type/netcdf"), None, None),
            Some("NETCDF".into())
        );
        assert_eq!(
            f(None, None, Some("https://www.iana.org/assignments/media-types/text/x-foo")),
            Some("text/x-foo".into())
        );
        assert_eq!(media_type("not a media type"), None);
        assert_eq!(
            (size("1024"), size("2048.0"), size("-1"), size("NaN"), size("1e400")),
            (Some(1024), Some(2048), None, None, None)
        );
        assert!(is_date("2025-01-31") && !is_date("2025-02-30") && !is_date("2025-01-31T00:00:00"));
        assert!(
            is_timestamp("2025-07-01T02:00:00.512345") && is_timestamp("2025-07-01T02:00:00Z") && !is_timestamp("July")
        );
        assert!(is_email("so-yte@gialai.gov.vn") && !is_email("a b@c") && !is_email("x@-y.vn"));
        assert_eq!(tag("dân số"), Some("dân số".into()));
        assert_eq!(tag("COVID-19 (2021)"), Some("COVID-19 2021".into()));
        assert_eq!(tag("!"), None);
        assert_eq!(unit_code("https://kho.example/dia-ban/52"), Some("52"));
        assert_eq!(unit_code("https://kho.example/dia-ban/23456"), Some("23456"));
        assert_eq!(unit_code("https://kho.example/dia-ban/99"), None);
        assert_eq!(unit_code("https://example.org/place/52"), None);
    }
}
