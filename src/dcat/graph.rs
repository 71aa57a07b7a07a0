//! The dataset dict (default and provincial schema) → DCAT-AP 3 triples (spec `dcat-ap.md` §2
//! and §7), and the catalogue page around them with hydra paging (§1.5, §1.6).

use std::collections::BTreeMap;

use serde_json::Value;

use super::dict::{Dataset, Organization, Resource};
use super::term::{Node, Object, Triple, dcat, dcatap, dct, foaf, gsp, hydra, rdf, rdfs, skos, vcard, xsd};
use super::vocab::Vocabularies;

const PUBLISHER_TYPE: &str = "http://purl.org/adms/publishertype/RegionalAuthority";
/// Viet Nam's bounding box and centroid, for the country's `dct:Location`.
const VIET_NAM_BBOX: &str = "POLYGON((102.14 8.18, 109.47 8.18, 109.47 23.39, 102.14 23.39, 102.14 8.18))";
const VIET_NAM_CENTROID: &str = "POINT(105.8 16.0)";

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
    /// The licence of datasets created without one: the catalogue's `dct:license`.
    pub default_licence: Option<&'a str>,
}

impl<'a> Site<'a> {
    /// The site as configured, for the public URL `url`.
    pub fn of(services: &'a crate::actions::Services, url: &'a str) -> Site<'a> {
        Site {
            url,
            title: &services.config.site_title,
            description: &services.config.site_description,
            locale: &services.config.locale_default,
            vocabularies: &services.vocabularies,
            licences: &services.licenses,
            default_licence: services.config.default_license.as_deref(),
        }
    }
}

/// How a value used on the page is described once, at the end (the SHACL range and vocabulary
/// shapes look only at the graph: spec §7).
#[derive(Default)]
struct Description {
    /// Its class besides `skos:Concept`.
    class: Option<&'static str>,
    /// The concept scheme it belongs to; `None` for a value that is not a concept (a licence
    /// document outside the EU vocabulary).
    scheme: Option<String>,
    /// `dct:title` (a licence's title in CKAN's register, which CKAN harvesters match on).
    title: Option<String>,
    /// A Vietnamese `skos:prefLabel` and a `dct:identifier` (an administrative unit's name and
    /// code).
    label: Option<(String, String)>,
}

/// The triples of one answer under construction, borrowing the dicts' text.
#[derive(Default)]
pub struct Graph<'a> {
    pub triples: Vec<Triple<'a>>,
    described: BTreeMap<String, Description>,
    blank_nodes: u32,
}

/// Returns `text` as an IRI when it is an http(s) URL (CKAN's `URIRefOrLiteral`), with the
/// characters ckanext-dcat's `CleanedURIRef` escapes percent-encoded.
pub fn iri(text: &str) -> Option<Node> {
    let trimmed = text.trim();
    if !(trimmed.starts_with("http://") || trimmed.starts_with("https://")) {
        return None;
    }
    let mut cleaned = String::with_capacity(trimmed.len());
    for c in trimmed.chars() {
        if " !\"$'()*,;<>[]{|}\\^`".contains(c) || c.is_control() {
            cleaned.push_str(&format!("%{:02X}", c as u32));
        } else {
            cleaned.push(c);
        }
    }
    oxrdf::NamedNode::new(cleaned).ok().map(|valid| Node::iri(valid.into_string()))
}

fn vi(text: &str) -> Object<'_> {
    Object::lang(text, "vi")
}

/// CKAN's timestamp (`2025-07-01T02:00:00.512345`) as `xsd:dateTime`.
fn date_time(value: &str) -> Object<'_> {
    Object::typed(value, xsd!("dateTime"))
}

impl<'a> Graph<'a> {
    pub fn add(&mut self, subject: &Node, predicate: &'static str, object: impl Into<Object<'a>>) {
        self.triples.push(Triple { subject: subject.clone(), predicate, object: object.into() });
    }

    fn typed_as(&mut self, subject: &Node, class: &'static str) {
        self.add(subject, rdf!("type"), Node::iri(class));
    }

    fn blank_node(&mut self) -> Node {
        self.blank_nodes += 1;
        Node::Blank(self.blank_nodes)
    }

    /// Adds `subject predicate <value>` for a controlled-vocabulary value of class `class`
    /// (besides `skos:Concept`) in the scheme its IRI's parent path names.
    fn vocabulary(&mut self, subject: &Node, predicate: &'static str, value: &str, class: Option<&'static str>) {
        self.add(subject, predicate, Node::iri(value));
        if !self.described.contains_key(value) {
            let scheme = value.rsplit_once('/').map(|(scheme, _)| scheme.to_string());
            self.described.insert(value.to_string(), Description { class, scheme, ..Description::default() });
        }
    }

    /// Writes the descriptions of the values used; call once, at the end.
    pub fn describe_vocabularies(&mut self) {
        let described = std::mem::take(&mut self.described);
        let mut schemes = std::collections::BTreeSet::new();
        for (value, description) in described {
            let subject = Node::iri(value.as_str());
            if let Some(media_type) = value.strip_prefix("https://www.iana.org/assignments/media-types/") {
                // The label makes a CKAN harvester store `format=CSV`, `mimetype=text/csv`
                // (spec §6, trap 7).
                self.typed_as(&subject, dct!("MediaType"));
                self.add(&subject, rdfs!("label"), Object::plain(media_type.to_string()));
                continue;
            }
            if let Some(class) = description.class {
                self.typed_as(&subject, class);
            }
            if let Some(title) = description.title {
                self.add(&subject, dct!("title"), Object::plain(title));
            }
            if let Some((label, identifier)) = description.label {
                self.add(&subject, skos!("prefLabel"), Object::lang(label, "vi"));
                self.add(&subject, dct!("identifier"), Object::plain(identifier));
            }
            let Some(scheme) = description.scheme else { continue };
            self.typed_as(&subject, skos!("Concept"));
            let label = if value == Vocabularies::viet_nam() {
                "Viet Nam".to_string()
            } else {
                value.rsplit('/').next().unwrap_or_default().replace('_', " ")
            };
            self.add(&subject, skos!("prefLabel"), Object::lang(label, "en"));
            self.add(&subject, skos!("inScheme"), Node::iri(scheme.as_str()));
            if value == Vocabularies::viet_nam() {
                self.add(&subject, dcat!("bbox"), Object::typed(VIET_NAM_BBOX, gsp!("wktLiteral")));
                self.add(&subject, dcat!("centroid"), Object::typed(VIET_NAM_CENTROID, gsp!("wktLiteral")));
            }
            schemes.insert(scheme);
        }
        for scheme in schemes {
            let title = scheme
                .rsplit('/')
                .find(|part| !part.is_empty() && *part != "1.0")
                .unwrap_or_default()
                .replace('-', " ");
            let subject = Node::iri(scheme);
            self.typed_as(&subject, skos!("ConceptScheme"));
            self.add(&subject, dct!("title"), Object::lang(title, "en"));
        }
    }
}

/// The IRI of a dataset: its `uri` field when it has one, else `{site}/dataset/{id}` — stable
/// when the title or name changes.
pub fn dataset_iri(site: &Site, dict: &Dataset) -> Node {
    dict.uri
        .get()
        .and_then(iri)
        .unwrap_or_else(|| Node::iri(format!("{}/dataset/{}", site.url, dict.id.get().unwrap_or_default())))
}

/// Adds one dataset and its distributions.
pub fn add_dataset<'a>(graph: &mut Graph<'a>, site: &Site, dict: &'a Dataset<'a>) {
    let subject = dataset_iri(site, dict);
    let id = dict.id.get().unwrap_or_default();
    graph.typed_as(&subject, dcat!("Dataset"));
    let title = dict.title.get().or_else(|| dict.name.get()).unwrap_or(id);
    graph.add(&subject, dct!("title"), vi(title));
    graph.add(&subject, dct!("description"), vi(dict.notes.get().unwrap_or(title)));
    graph.add(&subject, dct!("identifier"), Object::plain(id));
    for name in dict.tags.iter().filter_map(|tag| tag.name.get()) {
        graph.add(&subject, dcat!("keyword"), vi(name));
    }
    let mut themes: Vec<String> = dict
        .groups
        .iter()
        .filter_map(|g| g.name.get())
        .chain(dict.linh_vuc.get())
        .filter_map(|key| site.vocabularies.theme(key))
        .collect();
    themes.sort();
    themes.dedup();
    for theme in themes {
        graph.vocabulary(&subject, dcat!("theme"), &theme, None);
    }
    if let Some(created) = dict.metadata_created.get() {
        graph.add(&subject, dct!("issued"), date_time(created));
    }
    if let Some(modified) = dict.metadata_modified.get() {
        graph.add(&subject, dct!("modified"), date_time(modified));
    }
    if let Some(version) = dict.version.get() {
        graph.add(&subject, dcat!("version"), Object::plain(version));
    }
    let landing = dict
        .url
        .get()
        .and_then(iri)
        .unwrap_or_else(|| Node::iri(format!("{}/dataset/{}", site.url, dict.name.get().unwrap_or(id))));
    graph.add(&subject, dcat!("landingPage"), landing.clone());
    graph.typed_as(&landing, foaf!("Document"));
    graph.vocabulary(&subject, dct!("language"), &Vocabularies::language(site.locale), Some(dct!("LinguisticSystem")));
    if let Some(frequency) = dict.tan_suat_cap_nhat.get().and_then(|f| site.vocabularies.frequency(f)) {
        graph.vocabulary(&subject, dct!("accrualPeriodicity"), &frequency, Some(dct!("Frequency")));
    }
    let access = dict
        .muc_do_chia_se
        .get()
        .and_then(|a| site.vocabularies.access_right(a))
        .unwrap_or_else(Vocabularies::public_access);
    graph.vocabulary(&subject, dct!("accessRights"), &access, Some(dct!("RightsStatement")));
    if let Some(legislation) = dict.co_so_phap_ly.get().and_then(iri) {
        graph.add(&subject, dcatap!("applicableLegislation"), legislation);
    }
    add_spatial(graph, site, &subject, dict);
    add_temporal(graph, &subject, dict);
    if let Some(org) = &dict.organization.0 {
        add_publisher(graph, site, &subject, dict, org);
    }
    let licence_node = dict.license_id.get().and_then(|id| licence_by_id(graph, site, id, dict.license_url.get()));
    let availability = dict.thoi_han_truc_tuyen.get().and_then(|a| site.vocabularies.availability(a));
    for resource in dict.resources.iter() {
        add_distribution(graph, site, &subject, dict, resource, (licence_node.as_ref(), availability.as_deref()));
    }
}

/// The administrative units of `pham_vi_khong_gian` as Kho-local locations
/// (`{site}/dia-ban/{code}`, no official IRI scheme exists), else Viet Nam.
fn add_spatial(graph: &mut Graph, site: &Site, subject: &Node, dict: &Dataset) {
    let codes = dict.pham_vi_khong_gian.get().into_iter().flat_map(|v| v.split(',')).map(str::trim);
    let mut any = false;
    for code in codes.filter(|c| !c.is_empty() && c.bytes().all(|b| b.is_ascii_digit())) {
        let unit = format!("{}/dia-ban/{code}", site.url);
        graph.add(subject, dct!("spatial"), Node::iri(unit.as_str()));
        let label = match site.vocabularies.administrative_unit(code) {
            Some(name) => name.to_string(),
            None => format!("Đơn vị hành chính {code}"),
        };
        graph.described.entry(unit).or_insert_with(|| Description {
            class: Some(dct!("Location")),
            label: Some((label, code.to_string())),
            ..Description::default()
        });
        any = true;
    }
    if !any {
        graph.vocabulary(subject, dct!("spatial"), &Vocabularies::viet_nam(), Some(dct!("Location")));
    }
}

fn add_temporal<'a>(graph: &mut Graph<'a>, subject: &Node, dict: &'a Dataset<'a>) {
    let (start, end) = (dict.thoi_gian_bat_dau.get(), dict.thoi_gian_ket_thuc.get());
    if start.is_none() && end.is_none() {
        return;
    }
    let period = graph.blank_node();
    graph.add(subject, dct!("temporal"), period.clone());
    graph.typed_as(&period, dct!("PeriodOfTime"));
    for (value, predicate) in [(start, dcat!("startDate")), (end, dcat!("endDate"))] {
        if let Some(date) = value {
            let datatype = if date.len() == 10 { xsd!("date") } else { xsd!("dateTime") };
            graph.add(&period, predicate, Object::typed(date, datatype));
        }
    }
}

/// The organisation as publisher (`{site}/organization/{id}`) and contact point.
fn add_publisher<'a>(
    graph: &mut Graph<'a>,
    site: &Site,
    subject: &Node,
    dict: &'a Dataset<'a>,
    org: &'a Organization<'a>,
) {
    let org_id = org.id.get().unwrap_or_default();
    let org_title = org.title.get().unwrap_or(org_id);
    let publisher = Node::iri(format!("{}/organization/{org_id}", site.url));
    graph.add(subject, dct!("publisher"), publisher.clone());
    graph.typed_as(&publisher, foaf!("Agent"));
    graph.typed_as(&publisher, foaf!("Organization"));
    graph.add(&publisher, foaf!("name"), vi(org_title));
    graph.vocabulary(&publisher, dct!("type"), PUBLISHER_TYPE, None);
    let contact = Node::iri(format!("{}/organization/{org_id}#contact", site.url));
    graph.add(subject, dcat!("contactPoint"), contact.clone());
    graph.typed_as(&contact, vcard!("Kind"));
    graph.typed_as(&contact, vcard!("Organization"));
    let name = dict.maintainer.get().or_else(|| dict.author.get()).unwrap_or(org_title);
    graph.add(&contact, vcard!("fn"), vi(name));
    if let Some(email) = dict.maintainer_email.get().or_else(|| dict.author_email.get())
        && let Ok(mailto) = oxrdf::NamedNode::new(format!("mailto:{email}"))
    {
        graph.add(&contact, vcard!("hasEmail"), Node::iri(mailto.into_string()));
    }
}

/// The IRI of licence `id`, described once for the answer: the EU IRI it maps to, else the
/// register's URL, the dataset's `license_url`, or the licence's page on this site. The
/// description carries the register's title (CKAN harvesters map licences back by it).
fn licence_by_id(graph: &mut Graph, site: &Site, id: &str, license_url: Option<&str>) -> Option<Node> {
    let registered = site.licences.iter().find(|l| l.get("id").and_then(Value::as_str) == Some(id));
    let title = registered.and_then(|l| l.get("title").and_then(Value::as_str)).map(str::to_string);
    let (iri_text, scheme) = match site.vocabularies.licence(id) {
        Some(eu) => {
            let scheme = eu.rsplit_once('/').map(|(scheme, _)| scheme.to_string());
            (eu, scheme)
        }
        None => {
            let own = registered
                .and_then(|l| l.get("url").and_then(Value::as_str))
                .and_then(iri)
                .or_else(|| license_url.and_then(iri))
                .or_else(|| registered.map(|_| Node::iri(format!("{}/licence/{id}", site.url))));
            match own {
                Some(Node::Iri(url)) => (url.to_string(), None),
                _ => return None,
            }
        }
    };
    let node = Node::iri(iri_text.as_str());
    graph.described.entry(iri_text).or_insert_with(|| Description {
        class: Some(dct!("LicenseDocument")),
        scheme,
        title,
        label: None,
    });
    Some(node)
}

fn add_distribution<'a>(
    graph: &mut Graph<'a>,
    site: &Site,
    dataset: &Node,
    dict: &'a Dataset<'a>,
    resource: &'a Resource<'a>,
    (licence, availability): (Option<&Node>, Option<&str>),
) {
    let resource_id = resource.id.get().unwrap_or_default();
    let subject = resource.uri.get().and_then(iri).unwrap_or_else(|| {
        Node::iri(format!("{}/dataset/{}/resource/{resource_id}", site.url, dict.id.get().unwrap_or_default()))
    });
    graph.add(dataset, dcat!("distribution"), subject.clone());
    graph.typed_as(&subject, dcat!("Distribution"));
    if let Some(name) = resource.name.get() {
        graph.add(&subject, dct!("title"), vi(name));
    }
    if let Some(description) = resource.description.get() {
        graph.add(&subject, dct!("description"), vi(description));
    }
    let url = resource.url.get().and_then(iri);
    let access = url.clone().unwrap_or_else(|| subject.clone());
    graph.add(&subject, dcat!("accessURL"), access);
    if let Some(url) = url.filter(|_| resource.format.get().is_some_and(|f| !f.eq_ignore_ascii_case("API"))) {
        graph.add(&subject, dcat!("downloadURL"), url);
    }
    if let Some((file_type, media)) = resource.format.get().and_then(|f| site.vocabularies.format(f)) {
        graph.vocabulary(&subject, dct!("format"), &file_type, Some(dct!("MediaTypeOrExtent")));
        graph.vocabulary(&subject, dcat!("mediaType"), &media, None);
    }
    if let Some(size) = resource.size.0 {
        graph.add(&subject, dcat!("byteSize"), Object::typed(size.to_string(), xsd!("nonNegativeInteger")));
    }
    if let Some(licence) = licence {
        graph.add(&subject, dct!("license"), licence.clone());
    }
    if let Some(availability) = availability {
        graph.vocabulary(&subject, dcatap!("availability"), availability, None);
    }
    if let Some(created) = resource.created.get() {
        graph.add(&subject, dct!("issued"), date_time(created));
    }
    if let Some(modified) = resource.metadata_modified.get().or_else(|| resource.last_modified.get()) {
        graph.add(&subject, dct!("modified"), date_time(modified));
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
    /// When the catalogue's oldest dataset was created and its newest changed.
    pub dates: &'a crate::search::CatalogueDates,
}

/// Adds the catalogue node (repeated on every page) and the links to its datasets' IRIs.
pub fn add_catalog<'a>(graph: &mut Graph<'a>, site: &Site<'a>, page: &Page<'a>, datasets: &[Node]) {
    let catalog = Node::iri(site.url);
    graph.typed_as(&catalog, dcat!("Catalog"));
    graph.add(&catalog, dct!("title"), vi(site.title));
    let description = if site.description.is_empty() { site.title } else { site.description };
    graph.add(&catalog, dct!("description"), vi(description));
    let homepage = Node::iri(format!("{}/", site.url));
    graph.add(&catalog, foaf!("homepage"), homepage.clone());
    graph.typed_as(&homepage, foaf!("Document"));
    graph.vocabulary(&catalog, dct!("language"), &Vocabularies::language(site.locale), Some(dct!("LinguisticSystem")));
    let publisher = Node::iri(format!("{}#publisher", site.url));
    graph.add(&catalog, dct!("publisher"), publisher.clone());
    graph.typed_as(&publisher, foaf!("Agent"));
    graph.add(&publisher, foaf!("name"), vi(site.title));
    graph.vocabulary(&publisher, dct!("type"), PUBLISHER_TYPE, None);
    graph.vocabulary(&catalog, dct!("spatial"), &Vocabularies::viet_nam(), Some(dct!("Location")));
    let themes = Node::iri(Vocabularies::theme_scheme());
    graph.add(&catalog, dcat!("themeTaxonomy"), themes.clone());
    graph.typed_as(&themes, skos!("ConceptScheme"));
    graph.add(&themes, dct!("title"), Object::lang("Data theme", "en"));
    if let Some(issued) = page.dates.issued.as_deref() {
        graph.add(&catalog, dct!("issued"), date_time(issued));
    }
    if let Some(modified) = page.dates.modified.as_deref() {
        graph.add(&catalog, dct!("modified"), date_time(modified));
    }
    if let Some(licence) = site.default_licence.and_then(|id| licence_by_id(graph, site, id, None)) {
        graph.add(&catalog, dct!("license"), licence);
    }
    for dataset in datasets {
        graph.add(&catalog, dcat!("dataset"), dataset.clone());
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
        format!("{}?{}", page.path, parameters.join("&"))
    };
    let this = Node::iri(link(page.number));
    let last = page.total.div_ceil(page.per_page).max(1);
    graph.typed_as(&this, hydra!("PagedCollection"));
    graph.typed_as(&this, hydra!("PartialCollectionView"));
    graph.add(&this, hydra!("totalItems"), Object::typed(page.total.to_string(), xsd!("integer")));
    graph.add(&this, hydra!("itemsPerPage"), Object::typed(page.per_page.to_string(), xsd!("integer")));
    for (old, new, number) in [(hydra!("firstPage"), hydra!("first"), 1), (hydra!("lastPage"), hydra!("last"), last)] {
        graph.add(&this, old, Object::plain(link(number)));
        graph.add(&this, new, Object::plain(link(number)));
    }
    if page.number * page.per_page < page.total {
        graph.add(&this, hydra!("nextPage"), Object::plain(link(page.number + 1)));
        graph.add(&this, hydra!("next"), Object::plain(link(page.number + 1)));
    }
    if page.number > 1 {
        let previous = (page.number - 1).min(last);
        graph.add(&this, hydra!("previousPage"), Object::plain(link(previous)));
        graph.add(&this, hydra!("previous"), Object::plain(link(previous)));
    }
}
