//! One `dcat:Dataset` of a read page → a CKAN dataset dict for `package_create`: the reverse of
//! `crate::dcat::graph::add_dataset`. Core and provincial schema fields go at the top level,
//! and only with values the schema accepts; the rest (`uri`, `identifier`, `issued`, the
//! publisher, values outside Kho's vocabularies…) go in `extras`, named as ckanext-dcat names
//! them.

use std::collections::HashSet;

use oxrdf::{NamedOrBlankNode, Term};
use serde_json::{Map, Value, json};

use super::dcat_read::{Record, RecordError, Store};
use super::dcat_values::{self as values, FormatFacts, Licence, LicenceFacts};
use super::vocab_reverse::{Reverse, comparable};
use crate::dcat::Vocabularies;
use crate::dcat::term::{dcat, dcatap, dct, foaf, vcard};

const OWL_VERSION_INFO: &str = "http://www.w3.org/2002/07/owl#versionInfo";
const SCHEMA_START: &str = "http://schema.org/startDate";
const SCHEMA_END: &str = "http://schema.org/endDate";
/// CKAN's limit on `version`.
const VERSION_LENGTH: usize = 100;

/// Extras in the order found; each key once.
#[derive(Default)]
struct Extras(Vec<(&'static str, String)>);

impl Extras {
    fn push(&mut self, key: &'static str, value: &str) {
        if !self.0.iter().any(|(k, _)| *k == key) {
            self.0.push((key, value.to_string()));
        }
    }

    fn into_value(self) -> Value {
        Value::Array(self.0.into_iter().map(|(key, value)| json!({"key": key, "value": value})).collect())
    }
}

/// Reads datasets of one page.
pub(super) struct Mapper<'p> {
    store: &'p Store,
    reverse: Reverse,
    licences: &'p [Value],
    /// URL prefixes of dataset pages that a Kho (or CKAN) feed writes as the landing page when
    /// a dataset has no source URL: `{catalogue}/dataset/`.
    own_pages: Vec<String>,
}

impl<'p> Mapper<'p> {
    pub(super) fn new(
        store: &'p Store,
        vocabularies: &Vocabularies,
        licences: &'p [Value],
        bases: Vec<String>,
    ) -> Mapper<'p> {
        let own_pages = bases.iter().map(|base| format!("{}/dataset/", base.trim_end_matches('/'))).collect();
        Mapper { store, reverse: Reverse::new(vocabularies), licences, own_pages }
    }

    pub(super) fn record(&self, node: &NamedOrBlankNode) -> Result<Record, RecordError> {
        let s = self.store;
        let identifier = s.text(node, dct!("identifier"));
        let guid = match node {
            NamedOrBlankNode::NamedNode(iri) => iri.as_str().to_string(),
            _ => match identifier {
                Some(identifier) => identifier.to_string(),
                None => {
                    let message = "The dataset has neither an IRI nor a dct:identifier".to_string();
                    return Err(RecordError { guid: None, message });
                }
            },
        };
        let Some(title) = s.literal(node, dct!("title")) else {
            return Err(RecordError { guid: Some(guid), message: "The dataset has no dct:title".to_string() });
        };
        let mut dict = Map::new();
        let mut extras = Extras::default();
        dict.insert("title".into(), json!(title));
        // Kho writes the title as the description when the notes are empty.
        let notes = s.literal(node, dct!("description")).filter(|notes| *notes != title);
        dict.insert("notes".into(), json!(notes.unwrap_or_default()));
        let mut seen = HashSet::new();
        let tags: Vec<Value> = (s.literals(node, dcat!("keyword")).into_iter().filter_map(values::tag))
            .filter(|tag| seen.insert(tag.clone()))
            .map(|tag| json!({ "name": tag }))
            .collect();
        dict.insert("tags".into(), Value::Array(tags));
        if let NamedOrBlankNode::NamedNode(iri) = node {
            extras.push("uri", iri.as_str());
        }
        if let Some(identifier) = identifier {
            extras.push("identifier", identifier);
        }
        self.describe(node, &mut dict, &mut extras);
        self.classify(node, &mut dict, &mut extras);
        self.coverage(node, &mut dict, &mut extras);
        self.agents(node, &mut dict, &mut extras);
        let distributions = s.nodes(node, dcat!("distribution"));
        self.terms_of_use(node, &distributions, &mut dict, &mut extras);
        let resources = distributions.iter().map(|d| self.resource(d)).collect();
        dict.insert("resources".into(), Value::Array(resources));
        dict.insert("extras".into(), extras.into_value());
        Ok(Record { guid, dataset: dict })
    }

    /// Landing page, version, dates and type.
    fn describe(&self, node: &NamedOrBlankNode, dict: &mut Map<String, Value>, extras: &mut Extras) {
        let s = self.store;
        let landing = s.text(node, dcat!("landingPage"));
        if let Some(url) = landing.filter(|url| !self.own_pages.iter().any(|own| url.starts_with(own.as_str()))) {
            dict.insert("url".into(), json!(url));
        }
        let version = s.text(node, dcat!("version")).or_else(|| s.text(node, OWL_VERSION_INFO));
        if let Some(version) = version.filter(|v| v.chars().count() <= VERSION_LENGTH) {
            dict.insert("version".into(), json!(version));
        }
        for (predicate, key) in [(dct!("issued"), "issued"), (dct!("modified"), "modified")] {
            if let Some(date) = s.text(node, predicate) {
                extras.push(key, date);
            }
        }
        if let Some(kind) = s.objects(node, dct!("type")).find_map(|t| s.label(t)) {
            extras.push("dcat_type", kind);
        }
    }

    /// A controlled value: its Kho key in `field` when the mapping knows it, else its IRI or
    /// label in the `extra` extra.
    fn controlled<'a>(
        &'a self,
        term: Option<&'a Term>,
        lookup: impl Fn(&str) -> Option<&'static str>,
        (field, extra): (&'static str, &'static str),
        dict: &mut Map<String, Value>,
        extras: &mut Extras,
    ) {
        let Some(text) = term.and_then(|t| self.store.label(t)) else { return };
        match matches!(term, Some(Term::NamedNode(_))).then(|| lookup(text)).flatten() {
            Some(key) => {
                dict.insert(field.into(), json!(key));
            }
            None => extras.push(extra, text),
        }
    }

    /// Themes, frequency, access rights and legal basis.
    fn classify(&self, node: &NamedOrBlankNode, dict: &mut Map<String, Value>, extras: &mut Extras) {
        let s = self.store;
        let themes = s.iris(node, dcat!("theme"));
        if let Some(theme) = themes.iter().find_map(|iri| self.reverse.theme(iri)) {
            dict.insert("linh_vuc".into(), json!(theme));
        }
        if !themes.is_empty() {
            extras.push("theme", &json!(themes).to_string());
        }
        let r = &self.reverse;
        let frequency = s.objects(node, dct!("accrualPeriodicity")).next();
        self.controlled(frequency, |i| r.frequency(i), ("tan_suat_cap_nhat", "frequency"), dict, extras);
        let access = s.objects(node, dct!("accessRights")).next();
        self.controlled(access, |i| r.access_right(i), ("muc_do_chia_se", "access_rights"), dict, extras);
        if let Some(legislation) = s.iri(node, dcatap!("applicableLegislation")) {
            dict.insert("co_so_phap_ly".into(), json!(legislation));
        }
    }

    /// Spatial (Kho's administrative units; Viet Nam as a whole is the default) and temporal
    /// coverage.
    fn coverage(&self, node: &NamedOrBlankNode, dict: &mut Map<String, Value>, extras: &mut Extras) {
        let s = self.store;
        let viet_nam = Vocabularies::viet_nam();
        let mut codes: Vec<&str> = Vec::new();
        for iri in s.iris(node, dct!("spatial")) {
            match values::unit_code(iri) {
                Some(code) if !codes.contains(&code) => codes.push(code),
                Some(_) => {}
                None if comparable(iri) == comparable(&viet_nam) => {}
                None => extras.push("spatial_uri", iri),
            }
        }
        if !codes.is_empty() {
            dict.insert("pham_vi_khong_gian".into(), json!(codes.join(",")));
        }
        let periods = s.nodes(node, dct!("temporal"));
        let dates = |period: &NamedOrBlankNode| {
            let start = s.literal(period, dcat!("startDate")).or_else(|| s.literal(period, SCHEMA_START));
            let end = s.literal(period, dcat!("endDate")).or_else(|| s.literal(period, SCHEMA_END));
            (start.is_some() || end.is_some()).then_some((start, end))
        };
        let Some((start, end)) = periods.iter().find_map(dates) else { return };
        for (value, field, extra) in
            [(start, "thoi_gian_bat_dau", "temporal_start"), (end, "thoi_gian_ket_thuc", "temporal_end")]
        {
            let Some(value) = value else { continue };
            // The schema takes a date: a date-time keeps its date there and its text in extras.
            if values::is_date(value) {
                dict.insert(field.into(), json!(value));
                continue;
            }
            if let Some(date) = value.get(..10).filter(|d| values::is_date(d)) {
                dict.insert(field.into(), json!(date));
            }
            extras.push(extra, value);
        }
    }

    /// Publisher and contact point.
    fn agents(&self, node: &NamedOrBlankNode, dict: &mut Map<String, Value>, extras: &mut Extras) {
        let s = self.store;
        if let Some(publisher) = s.nodes(node, dct!("publisher")).first() {
            if let Some(name) = s.literal(publisher, foaf!("name")) {
                extras.push("publisher_name", name);
            }
            if let NamedOrBlankNode::NamedNode(iri) = publisher {
                extras.push("publisher_uri", iri.as_str());
            }
            if let Some(kind) = s.iri(publisher, dct!("type")) {
                extras.push("publisher_type", kind);
            }
        }
        let Some(contact) = s.nodes(node, dcat!("contactPoint")).into_iter().next() else { return };
        if let Some(name) = s.literal(&contact, vcard!("fn")) {
            dict.insert("maintainer".into(), json!(name));
        }
        if let Some(email) = s.text(&contact, vcard!("hasEmail")) {
            let bare = match email.get(..7) {
                Some(scheme) if scheme.eq_ignore_ascii_case("mailto:") => email.get(7..).unwrap_or_default().trim(),
                _ => email,
            };
            if values::is_email(bare) {
                dict.insert("maintainer_email".into(), json!(bare));
            } else {
                extras.push("contact_email", bare);
            }
        }
        if let NamedOrBlankNode::NamedNode(iri) = &contact {
            extras.push("contact_uri", iri.as_str());
        }
    }

    /// The licence and the planned availability: on the dataset, else on its first
    /// distribution that has one (Kho writes both on every distribution).
    fn terms_of_use(
        &self,
        node: &NamedOrBlankNode,
        distributions: &[NamedOrBlankNode],
        dict: &mut Map<String, Value>,
        extras: &mut Extras,
    ) {
        let s = self.store;
        let first = |predicate: &'static str| {
            s.objects(node, predicate)
                .next()
                .or_else(|| distributions.iter().find_map(|d| s.objects(d, predicate).next()))
        };
        if let Some(term) = first(dct!("license")) {
            let titles = match term {
                Term::Literal(_) => Vec::new(),
                _ => super::dcat_read::node_of(term).map(|n| s.all_literals(&n, dct!("title"))).unwrap_or_default(),
            };
            let facts = LicenceFacts {
                iri: matches!(term, Term::NamedNode(_)).then(|| s.label(term)).flatten(),
                literal: matches!(term, Term::Literal(_)).then(|| s.label(term)).flatten(),
                titles,
            };
            match values::licence(&self.reverse, self.licences, &facts) {
                Licence::Id(id) => {
                    dict.insert("license_id".into(), json!(id));
                }
                Licence::Url(url) => extras.push("license_url", &url),
                Licence::None => {}
            }
        }
        let r = &self.reverse;
        let availability = first(dcatap!("availability"));
        self.controlled(availability, |i| r.availability(i), ("thoi_han_truc_tuyen", "availability"), dict, extras);
    }

    /// A distribution as a resource; `uri` (its IRI) lets the harvester keep resource ids.
    fn resource(&self, node: &NamedOrBlankNode) -> Value {
        let s = self.store;
        let own_iri = match node {
            NamedOrBlankNode::NamedNode(iri) => Some(iri.as_str()),
            _ => None,
        };
        let mut resource = Map::new();
        if let Some(name) = s.literal(node, dct!("title")) {
            resource.insert("name".into(), json!(name));
        }
        if let Some(description) = s.literal(node, dct!("description")) {
            resource.insert("description".into(), json!(description));
        }
        let download = s.text(node, dcat!("downloadURL"));
        // Kho writes the distribution's own IRI as the access URL of a resource without a URL.
        let access = s.text(node, dcat!("accessURL")).filter(|url| Some(*url) != own_iri);
        resource.insert("url".into(), json!(download.or(access).unwrap_or_default()));
        if let (Some(download), Some(access)) = (download, access)
            && download != access
        {
            resource.insert("access_url".into(), json!(access));
        }
        let format_term = s.objects(node, dct!("format")).next();
        let media = s.objects(node, dcat!("mediaType")).find_map(|t| s.label(t));
        let facts = FormatFacts {
            iri: format_term.filter(|t| matches!(t, Term::NamedNode(_))).and_then(|t| s.label(t)),
            label: format_term.filter(|t| !matches!(t, Term::NamedNode(_))).and_then(|t| s.label(t)),
            media,
        };
        if let Some(mut format) = values::format(&self.reverse, &facts) {
            // Kho writes an API as JSON with an access URL and no download URL.
            if format == "JSON" && download.is_none() && access.is_some() {
                format = "API".to_string();
            }
            resource.insert("format".into(), json!(format));
        }
        if let Some(mimetype) = media.and_then(values::media_type) {
            resource.insert("mimetype".into(), json!(mimetype));
        }
        if let Some(size) = s.literal(node, dcat!("byteSize")).and_then(values::size) {
            resource.insert("size".into(), json!(size));
        }
        if let Some(iri) = own_iri {
            resource.insert("uri".into(), json!(iri));
        }
        for (predicate, key) in [(dct!("issued"), "created"), (dct!("modified"), "last_modified")] {
            if let Some(date) = s.literal(node, predicate).filter(|d| values::is_timestamp(d)) {
                resource.insert(key.into(), json!(date));
            }
        }
        Value::Object(resource)
    }
}
