//! The dataset dict (default and provincial schema) → DCAT-AP 3 triples (spec `dcat-ap.md` §2
//! and §7), and the catalogue page around them with hydra paging (§1.5, §1.6).

use oxrdf::{BlankNode, Literal, NamedNode, NamedOrBlankNode, Term, Triple};
use serde_json::{Map, Value};

use super::vocab::Vocabularies;

pub const DCAT: &str = "http://www.w3.org/ns/dcat#";
pub const DCT: &str = "http://purl.org/dc/terms/";
pub const FOAF: &str = "http://xmlns.com/foaf/0.1/";
pub const VCARD: &str = "http://www.w3.org/2006/vcard/ns#";
pub const HYDRA: &str = "http://www.w3.org/ns/hydra/core#";
pub const XSD: &str = "http://www.w3.org/2001/XMLSchema#";
pub const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
pub const DCATAP: &str = "http://data.europa.eu/r5r/";
const PUBLISHER_TYPE: &str = "http://purl.org/adms/publishertype/RegionalAuthority";
const LINGUISTIC_SYSTEM: &str = "http://purl.org/dc/terms/LinguisticSystem";
const FREQUENCY: &str = "http://purl.org/dc/terms/Frequency";
const RIGHTS_STATEMENT: &str = "http://purl.org/dc/terms/RightsStatement";
const MEDIA_TYPE_OR_EXTENT: &str = "http://purl.org/dc/terms/MediaTypeOrExtent";
const LICENSE_DOCUMENT: &str = "http://purl.org/dc/terms/LicenseDocument";
const LOCATION: &str = "http://purl.org/dc/terms/Location";
const GSP_WKT: &str = "http://www.opengis.net/ont/geosparql#wktLiteral";
/// Viet Nam's bounding box and centroid, for the country's `dct:Location`.
const VIET_NAM_BBOX: &str = "POLYGON((102.14 8.18, 109.47 8.18, 109.47 23.39, 102.14 23.39, 102.14 8.18))";
const VIET_NAM_CENTROID: &str = "POINT(105.8 16.0)";

/// The prefixes written by the serialisers.
pub const PREFIXES: &[(&str, &str)] = &[
    ("dcat", DCAT),
    ("dct", DCT),
    ("foaf", FOAF),
    ("vcard", VCARD),
    ("hydra", HYDRA),
    ("xsd", XSD),
    ("dcatap", DCATAP),
    ("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
    ("skos", "http://www.w3.org/2004/02/skos/core#"),
];

/// What the mapping needs besides the dicts.
pub struct Site<'a> {
    /// The public site URL without a trailing slash (never the request's Host).
    pub url: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    pub locale: &'a str,
    pub vocabularies: &'a Vocabularies,
    /// Licence register: id → (title, url).
    pub licences: &'a [Value],
}

const SKOS: &str = "http://www.w3.org/2004/02/skos/core#";

/// A list of triples under construction, and the vocabulary values it uses (each described
/// once at the end, as the SHACL range and vocabulary shapes need: spec §7).
#[derive(Default)]
pub struct Graph {
    pub triples: Vec<Triple>,
    concepts: std::collections::BTreeMap<String, (Option<&'static str>, String)>,
}

/// Returns `text` as an IRI when it is an http(s) URL (CKAN's `URIRefOrLiteral`), with the
/// characters ckanext-dcat's `CleanedURIRef` escapes percent-encoded.
pub fn iri(text: &str) -> Option<NamedNode> {
    let trimmed = text.trim();
    if !(trimmed.starts_with("http://") || trimmed.starts_with("https://")) {
        return None;
    }
    let mut cleaned = String::with_capacity(trimmed.len());
    for c in trimmed.chars() {
        if " !\"$'()*,;<>[]{|}\\^`".contains(c) {
            cleaned.push_str(&format!("%{:02X}", c as u32));
        } else {
            cleaned.push(c);
        }
    }
    NamedNode::new(cleaned).ok()
}

fn node(iri_text: &str) -> NamedNode {
    NamedNode::new_unchecked(iri_text)
}

fn vi(text: &str) -> Literal {
    Literal::new_language_tagged_literal_unchecked(text, "vi")
}

fn typed(value: impl Into<String>, datatype: &str) -> Literal {
    Literal::new_typed_literal(value, node(&format!("{XSD}{datatype}")))
}

/// CKAN's timestamp (`2025-07-01T02:00:00.512345`) as `xsd:dateTime`.
fn date_time(value: &str) -> Literal {
    typed(value, "dateTime")
}

impl Graph {
    pub fn add(&mut self, subject: impl Into<NamedOrBlankNode>, predicate: &str, object: impl Into<Term>) {
        self.triples.push(Triple::new(subject, node(predicate), object));
    }

    fn typed_as(&mut self, subject: impl Into<NamedOrBlankNode> + Clone, class: &str) {
        self.add(subject, RDF_TYPE, node(class));
    }

    /// Adds `subject predicate <value>` for a controlled-vocabulary value of class `class`
    /// (besides `skos:Concept`) in the scheme its IRI's parent path names.
    fn vocabulary(
        &mut self,
        subject: impl Into<NamedOrBlankNode>,
        predicate: &str,
        value: &str,
        class: Option<&'static str>,
    ) {
        self.add(subject, predicate, node(value));
        let scheme = value.rsplit_once('/').map(|(scheme, _)| scheme.to_string()).unwrap_or_default();
        self.concepts.entry(value.to_string()).or_insert((class, scheme));
    }

    /// Writes the descriptions of the vocabulary values used; call once, at the end.
    pub fn describe_vocabularies(&mut self) {
        let concepts = std::mem::take(&mut self.concepts);
        let mut schemes = std::collections::BTreeSet::new();
        for (value, (class, scheme)) in concepts {
            let subject = node(&value);
            if value.starts_with("https://www.iana.org/") {
                self.typed_as(subject, &format!("{DCT}MediaType"));
                continue;
            }
            if let Some(class) = class {
                self.typed_as(subject.clone(), class);
            }
            self.typed_as(subject.clone(), &format!("{SKOS}Concept"));
            let label = value.rsplit('/').next().unwrap_or_default().replace('_', " ");
            self.add(
                subject.clone(),
                &format!("{SKOS}prefLabel"),
                Literal::new_language_tagged_literal_unchecked(label, "en"),
            );
            self.add(subject.clone(), &format!("{SKOS}inScheme"), node(&scheme));
            if class == Some(LOCATION) && value == Vocabularies::viet_nam() {
                self.add(
                    subject.clone(),
                    &format!("{DCAT}bbox"),
                    Literal::new_typed_literal(VIET_NAM_BBOX, node(GSP_WKT)),
                );
                self.add(
                    subject,
                    &format!("{DCAT}centroid"),
                    Literal::new_typed_literal(VIET_NAM_CENTROID, node(GSP_WKT)),
                );
            }
            schemes.insert(scheme);
        }
        for scheme in schemes {
            let title = scheme
                .rsplit('/')
                .find(|part| !part.is_empty() && *part != "1.0")
                .unwrap_or_default()
                .replace('-', " ");
            self.typed_as(node(&scheme), &format!("{SKOS}ConceptScheme"));
            self.add(
                node(&scheme),
                &format!("{DCT}title"),
                Literal::new_language_tagged_literal_unchecked(title, "en"),
            );
        }
    }
}

fn text<'a>(dict: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    dict.get(key).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty())
}

/// The IRI of a dataset: its `uri` field when it has one, else `{site}/dataset/{id}` — stable
/// when the title or name changes.
pub fn dataset_iri(site: &Site, dict: &Map<String, Value>) -> NamedNode {
    text(dict, "uri")
        .and_then(iri)
        .unwrap_or_else(|| node(&format!("{}/dataset/{}", site.url, text(dict, "id").unwrap_or_default())))
}

/// Adds one dataset and its distributions.
pub fn add_dataset(graph: &mut Graph, site: &Site, dict: &Map<String, Value>) {
    let subject = dataset_iri(site, dict);
    let id = text(dict, "id").unwrap_or_default();
    graph.typed_as(subject.clone(), &format!("{DCAT}Dataset"));
    let title = text(dict, "title").or_else(|| text(dict, "name")).unwrap_or(id);
    graph.add(subject.clone(), &format!("{DCT}title"), vi(title));
    graph.add(subject.clone(), &format!("{DCT}description"), vi(text(dict, "notes").unwrap_or(title)));
    graph.add(subject.clone(), &format!("{DCT}identifier"), Literal::new_simple_literal(id));
    for tag in dict.get("tags").and_then(Value::as_array).into_iter().flatten() {
        if let Some(name) = tag.get("name").and_then(Value::as_str) {
            graph.add(subject.clone(), &format!("{DCAT}keyword"), vi(name));
        }
    }
    let mut themes: Vec<String> = dict
        .get("groups")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|g| g.get("name").and_then(Value::as_str))
        .chain(text(dict, "linh_vuc"))
        .filter_map(|key| site.vocabularies.theme(key))
        .collect();
    themes.sort();
    themes.dedup();
    for theme in themes {
        graph.vocabulary(subject.clone(), &format!("{DCAT}theme"), &theme, None);
    }
    if let Some(created) = text(dict, "metadata_created") {
        graph.add(subject.clone(), &format!("{DCT}issued"), date_time(created));
    }
    if let Some(modified) = text(dict, "metadata_modified") {
        graph.add(subject.clone(), &format!("{DCT}modified"), date_time(modified));
    }
    if let Some(version) = text(dict, "version") {
        graph.add(subject.clone(), &format!("{DCAT}version"), Literal::new_simple_literal(version));
    }
    let landing = text(dict, "url")
        .and_then(iri)
        .unwrap_or_else(|| node(&format!("{}/dataset/{}", site.url, text(dict, "name").unwrap_or(id))));
    graph.add(subject.clone(), &format!("{DCAT}landingPage"), landing.clone());
    graph.typed_as(landing, &format!("{FOAF}Document"));
    graph.vocabulary(
        subject.clone(),
        &format!("{DCT}language"),
        &Vocabularies::language(site.locale),
        Some(LINGUISTIC_SYSTEM),
    );
    if let Some(frequency) = text(dict, "tan_suat_cap_nhat").and_then(|f| site.vocabularies.frequency(f)) {
        graph.vocabulary(subject.clone(), &format!("{DCT}accrualPeriodicity"), &frequency, Some(FREQUENCY));
    }
    let access = text(dict, "muc_do_chia_se")
        .and_then(|a| site.vocabularies.access_right(a))
        .unwrap_or_else(Vocabularies::public_access);
    graph.vocabulary(subject.clone(), &format!("{DCT}accessRights"), &access, Some(RIGHTS_STATEMENT));
    if let Some(legislation) = text(dict, "co_so_phap_ly").and_then(iri) {
        graph.add(subject.clone(), &format!("{DCATAP}applicableLegislation"), legislation);
    }
    // Every provincial dataset lies in Viet Nam (finer units: next step, see docs/dcat.md).
    graph.vocabulary(subject.clone(), &format!("{DCT}spatial"), &Vocabularies::viet_nam(), Some(LOCATION));
    add_temporal(graph, &subject, dict);
    if let Some(org) = dict.get("organization").and_then(Value::as_object) {
        add_publisher(graph, site, &subject, dict, org);
    }
    let licence = licence_iri(site, dict);
    let availability = text(dict, "thoi_han_truc_tuyen").and_then(|a| site.vocabularies.availability(a));
    for resource in dict.get("resources").and_then(Value::as_array).into_iter().flatten() {
        if let Some(resource) = resource.as_object() {
            add_distribution(graph, site, &subject, dict, resource, (licence.as_ref(), availability.as_deref()));
        }
    }
}

fn add_temporal(graph: &mut Graph, subject: &NamedNode, dict: &Map<String, Value>) {
    let (start, end) = (text(dict, "thoi_gian_bat_dau"), text(dict, "thoi_gian_ket_thuc"));
    if start.is_none() && end.is_none() {
        return;
    }
    let period = BlankNode::default();
    graph.add(subject.clone(), &format!("{DCT}temporal"), period.clone());
    graph.typed_as(period.clone(), &format!("{DCT}PeriodOfTime"));
    for (value, predicate) in [(start, "startDate"), (end, "endDate")] {
        if let Some(date) = value {
            let datatype = if date.len() == 10 { "date" } else { "dateTime" };
            graph.add(period.clone(), &format!("{DCAT}{predicate}"), typed(date, datatype));
        }
    }
}

/// The organisation as publisher (`{site}/organization/{id}`) and contact point.
fn add_publisher(
    graph: &mut Graph,
    site: &Site,
    subject: &NamedNode,
    dict: &Map<String, Value>,
    org: &Map<String, Value>,
) {
    let org_id = org.get("id").and_then(Value::as_str).unwrap_or_default();
    let org_title = org.get("title").and_then(Value::as_str).filter(|t| !t.is_empty()).unwrap_or(org_id);
    let publisher = node(&format!("{}/organization/{org_id}", site.url));
    graph.add(subject.clone(), &format!("{DCT}publisher"), publisher.clone());
    graph.typed_as(publisher.clone(), &format!("{FOAF}Agent"));
    graph.typed_as(publisher.clone(), &format!("{FOAF}Organization"));
    graph.add(publisher.clone(), &format!("{FOAF}name"), vi(org_title));
    graph.vocabulary(publisher, &format!("{DCT}type"), PUBLISHER_TYPE, None);
    let contact = node(&format!("{}/organization/{org_id}#contact", site.url));
    graph.add(subject.clone(), &format!("{DCAT}contactPoint"), contact.clone());
    graph.typed_as(contact.clone(), &format!("{VCARD}Kind"));
    graph.typed_as(contact.clone(), &format!("{VCARD}Organization"));
    let name = text(dict, "maintainer").or_else(|| text(dict, "author")).unwrap_or(org_title);
    graph.add(contact.clone(), &format!("{VCARD}fn"), vi(name));
    if let Some(email) = text(dict, "maintainer_email").or_else(|| text(dict, "author_email"))
        && let Ok(mailto) = NamedNode::new(format!("mailto:{email}"))
    {
        graph.add(contact, &format!("{VCARD}hasEmail"), mailto);
    }
}

/// The dataset's licence: the EU IRI its id maps to, else the register's URL.
fn licence_iri(site: &Site, dict: &Map<String, Value>) -> Option<NamedNode> {
    let id = text(dict, "license_id")?;
    if let Some(eu) = site.vocabularies.licence(id) {
        return Some(node(&eu));
    }
    site.licences
        .iter()
        .find(|l| l.get("id").and_then(Value::as_str) == Some(id))
        .and_then(|l| l.get("url").and_then(Value::as_str))
        .and_then(iri)
        .or_else(|| text(dict, "license_url").and_then(iri))
}

fn add_distribution(
    graph: &mut Graph,
    site: &Site,
    dataset: &NamedNode,
    dict: &Map<String, Value>,
    resource: &Map<String, Value>,
    (licence, availability): (Option<&NamedNode>, Option<&str>),
) {
    let resource_id = text(resource, "id").unwrap_or_default();
    let subject = text(resource, "uri").and_then(iri).unwrap_or_else(|| {
        node(&format!("{}/dataset/{}/resource/{resource_id}", site.url, text(dict, "id").unwrap_or_default()))
    });
    graph.add(dataset.clone(), &format!("{DCAT}distribution"), subject.clone());
    graph.typed_as(subject.clone(), &format!("{DCAT}Distribution"));
    if let Some(name) = text(resource, "name") {
        graph.add(subject.clone(), &format!("{DCT}title"), vi(name));
    }
    if let Some(description) = text(resource, "description") {
        graph.add(subject.clone(), &format!("{DCT}description"), vi(description));
    }
    let url = text(resource, "url").and_then(iri);
    let access = url.clone().unwrap_or_else(|| subject.clone());
    graph.add(subject.clone(), &format!("{DCAT}accessURL"), access);
    if let Some(url) = url.filter(|_| text(resource, "format").is_some_and(|f| !f.eq_ignore_ascii_case("API"))) {
        graph.add(subject.clone(), &format!("{DCAT}downloadURL"), url);
    }
    if let Some((file_type, media)) = text(resource, "format").and_then(|f| site.vocabularies.format(f)) {
        graph.vocabulary(subject.clone(), &format!("{DCT}format"), &file_type, Some(MEDIA_TYPE_OR_EXTENT));
        graph.vocabulary(subject.clone(), &format!("{DCAT}mediaType"), &media, None);
    }
    if let Some(size) = resource.get("size").and_then(Value::as_u64) {
        graph.add(subject.clone(), &format!("{DCAT}byteSize"), typed(size.to_string(), "nonNegativeInteger"));
    }
    if let Some(licence) = licence {
        if licence.as_str().starts_with("http://publications.europa.eu/") {
            graph.vocabulary(subject.clone(), &format!("{DCT}license"), licence.as_str(), Some(LICENSE_DOCUMENT));
        } else {
            graph.add(subject.clone(), &format!("{DCT}license"), licence.clone());
            graph.typed_as(licence.clone(), &format!("{DCT}LicenseDocument"));
        }
    }
    if let Some(availability) = availability {
        graph.vocabulary(subject.clone(), &format!("{DCATAP}availability"), availability, None);
    }
    if let Some(created) = text(resource, "created") {
        graph.add(subject.clone(), &format!("{DCT}issued"), date_time(created));
    }
    if let Some(modified) = text(resource, "metadata_modified").or_else(|| text(resource, "last_modified")) {
        graph.add(subject, &format!("{DCT}modified"), date_time(modified));
    }
}

/// One page of the catalogue: which page, of how many datasets, and the page's own URL
/// parameters (without `page`).
pub struct Page<'a> {
    pub number: usize,
    pub per_page: usize,
    pub total: usize,
    /// `{site}/catalog.{fmt}` — the page links' base.
    pub path: &'a str,
    /// Query parameters to keep in the links (already URL-encoded `k=v` pairs).
    pub kept: &'a [String],
    /// `metadata_modified` of the newest dataset in the catalogue.
    pub modified: Option<&'a str>,
}

/// Adds the catalogue node (repeated on every page) and its datasets' links.
pub fn add_catalog(graph: &mut Graph, site: &Site, page: &Page, datasets: &[Map<String, Value>]) {
    let catalog = node(site.url);
    graph.typed_as(catalog.clone(), &format!("{DCAT}Catalog"));
    graph.add(catalog.clone(), &format!("{DCT}title"), vi(site.title));
    let description = if site.description.is_empty() { site.title } else { site.description };
    graph.add(catalog.clone(), &format!("{DCT}description"), vi(description));
    let homepage = node(&format!("{}/", site.url));
    graph.add(catalog.clone(), &format!("{FOAF}homepage"), homepage.clone());
    graph.typed_as(homepage, &format!("{FOAF}Document"));
    graph.vocabulary(
        catalog.clone(),
        &format!("{DCT}language"),
        &Vocabularies::language(site.locale),
        Some(LINGUISTIC_SYSTEM),
    );
    let publisher = node(&format!("{}#publisher", site.url));
    graph.add(catalog.clone(), &format!("{DCT}publisher"), publisher.clone());
    graph.typed_as(publisher.clone(), &format!("{FOAF}Agent"));
    graph.add(publisher.clone(), &format!("{FOAF}name"), vi(site.title));
    graph.vocabulary(publisher, &format!("{DCT}type"), PUBLISHER_TYPE, None);
    graph.vocabulary(catalog.clone(), &format!("{DCT}spatial"), &Vocabularies::viet_nam(), Some(LOCATION));
    let themes = node(&Vocabularies::theme_scheme());
    graph.add(catalog.clone(), &format!("{DCAT}themeTaxonomy"), themes.clone());
    graph.typed_as(themes.clone(), &format!("{SKOS}ConceptScheme"));
    graph.add(themes, &format!("{DCT}title"), Literal::new_language_tagged_literal_unchecked("Data theme", "en"));
    if let Some(modified) = page.modified {
        graph.add(catalog.clone(), &format!("{DCT}modified"), date_time(modified));
    }
    for dict in datasets {
        graph.add(catalog.clone(), &format!("{DCAT}dataset"), dataset_iri(site, dict));
    }
    add_paging(graph, page);
}

/// Hydra paging with the old and the new names (ckanext-dcat reads one set, piveau the other);
/// links are plain literals, as upstream writes them.
fn add_paging(graph: &mut Graph, page: &Page) {
    if page.total == 0 {
        return;
    }
    let link = |number: usize| {
        let mut parameters: Vec<String> = page.kept.to_vec();
        parameters.push(format!("page={number}"));
        Literal::new_simple_literal(format!("{}?{}", page.path, parameters.join("&")))
    };
    let this = node(&{
        let mut parameters: Vec<String> = page.kept.to_vec();
        parameters.push(format!("page={}", page.number));
        format!("{}?{}", page.path, parameters.join("&"))
    });
    let last = page.total.div_ceil(page.per_page).max(1);
    graph.typed_as(this.clone(), &format!("{HYDRA}PagedCollection"));
    graph.typed_as(this.clone(), &format!("{HYDRA}PartialCollectionView"));
    graph.add(this.clone(), &format!("{HYDRA}totalItems"), typed(page.total.to_string(), "integer"));
    graph.add(this.clone(), &format!("{HYDRA}itemsPerPage"), typed(page.per_page.to_string(), "integer"));
    for (old, new, number) in [("firstPage", "first", 1), ("lastPage", "last", last)] {
        graph.add(this.clone(), &format!("{HYDRA}{old}"), link(number));
        graph.add(this.clone(), &format!("{HYDRA}{new}"), link(number));
    }
    if page.number * page.per_page < page.total {
        graph.add(this.clone(), &format!("{HYDRA}nextPage"), link(page.number + 1));
        graph.add(this.clone(), &format!("{HYDRA}next"), link(page.number + 1));
    }
    if page.number > 1 {
        let previous = (page.number - 1).min(last);
        graph.add(this.clone(), &format!("{HYDRA}previousPage"), link(previous));
        graph.add(this, &format!("{HYDRA}previous"), link(previous));
    }
}
