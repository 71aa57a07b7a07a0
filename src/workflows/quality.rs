//! Metadata quality along data.europa.eu's Metadata Quality Assessment (MQA) dimensions,
//! computed from what Kho's own DCAT-AP mapping publishes for a dataset (the triples a
//! harvester reads), with the MQA's weights (405 points):
//!
//! | dimension | indicator (points) |
//! |---|---|
//! | findability (100) | keywords 30, themes 30, spatial coverage 20, temporal coverage 20 |
//! | accessibility (100) | access URL 50, download URL 20, download URL usable 30 |
//! | interoperability (110) | format 20, media type 10, format from a vocabulary 10, non-proprietary format 20, machine-readable format 20, DCAT-AP mandatory properties 30 |
//! | reusability (75) | licence 20, licence from the EU vocabulary 10, access rights 10, access rights from the EU vocabulary 5, contact point 20, publisher 10 |
//! | contextuality (20) | rights 5, byte size 5, issued 5, modified 5 |
//!
//! Distribution indicators score the share of distributions that have them, as the MQA does.
//! Two differences, because Kho does not send requests to check: an access or download URL
//! counts when it is given (the MQA also requires it to answer 200), and the DCAT-AP indicator
//! checks the mandatory properties Kho can know (title, description, and an access URL on
//! every distribution) instead of running the SHACL shapes. Ratings: excellent 351–405, good
//! 221–350, sufficient 121–220, bad 0–120.

use serde_json::{Value, json};

use crate::dcat::dict::Dataset;
use crate::dcat::graph::{Graph, Site, add_dataset, dataset_iri};
use crate::dcat::term::{Node, Object, Triple};

/// The highest score.
pub const MAX_SCORE: u32 = 405;
const EU_FILE_TYPE: &str = "http://publications.europa.eu/resource/authority/file-type/";
const IANA_MEDIA_TYPE: &str = "https://www.iana.org/assignments/media-types/";
const EU_LICENCE: &str = "http://publications.europa.eu/resource/authority/licence/";
const EU_ACCESS_RIGHT: &str = "http://publications.europa.eu/resource/authority/access-right/";

/// Formats a program reads without a person (the MQA's machine-readable list, as EU file types).
const MACHINE_READABLE: &[&str] = &[
    "CSV",
    "TSV",
    "JSON",
    "JSON_LD",
    "GEOJSON",
    "XML",
    "RDF_XML",
    "RDF",
    "RDF_TURTLE",
    "TURTLE",
    "N3",
    "RDF_N_TRIPLES",
    "XLSX",
    "XLS",
    "ODS",
    "KML",
    "KMZ",
    "GML",
    "SHP",
    "GPKG",
    "NETCDF",
    "PARQUET",
    "SPARQLQ",
];
/// Formats whose specification is open (the MQA's non-proprietary list, as EU file types).
const NON_PROPRIETARY: &[&str] = &[
    "CSV",
    "TSV",
    "JSON",
    "JSON_LD",
    "GEOJSON",
    "XML",
    "RDF_XML",
    "RDF",
    "RDF_TURTLE",
    "TURTLE",
    "N3",
    "RDF_N_TRIPLES",
    "ODS",
    "ODT",
    "KML",
    "GML",
    "GPKG",
    "NETCDF",
    "PARQUET",
    "TXT",
    "HTML",
    "PDFA1B",
];

/// A dataset's scores per dimension (points), their total and rating.
#[derive(Debug, Clone, PartialEq)]
pub struct Quality {
    pub findability: u32,
    pub accessibility: u32,
    pub interoperability: u32,
    pub reusability: u32,
    pub contextuality: u32,
}

/// Each dimension's name and highest score.
pub const DIMENSIONS: [(&str, u32); 5] = [
    ("findability", 100),
    ("accessibility", 100),
    ("interoperability", 110),
    ("reusability", 75),
    ("contextuality", 20),
];

impl Quality {
    pub fn total(&self) -> u32 {
        self.findability + self.accessibility + self.interoperability + self.reusability + self.contextuality
    }

    /// The dimensions' scores, in [`DIMENSIONS`] order.
    pub fn scores(&self) -> [u32; 5] {
        [self.findability, self.accessibility, self.interoperability, self.reusability, self.contextuality]
    }

    pub fn to_json(&self) -> Value {
        let mut dimensions = serde_json::Map::new();
        for ((name, max), score) in DIMENSIONS.iter().zip(self.scores()) {
            dimensions.insert((*name).into(), json!({"score": score, "max": max}));
        }
        json!({"score": self.total(), "max": MAX_SCORE, "rating": rating(self.total()), "dimensions": dimensions})
    }
}

/// The MQA's rating of a total score.
pub fn rating(total: u32) -> &'static str {
    match total {
        351.. => "excellent",
        221..=350 => "good",
        121..=220 => "sufficient",
        _ => "bad",
    }
}

/// What one subject has in the graph.
struct Subject<'g, 'a> {
    triples: Vec<&'g Triple<'a>>,
}

impl Subject<'_, '_> {
    fn has(&self, predicate: &str) -> bool {
        self.triples.iter().any(|t| t.predicate == predicate)
    }

    /// The IRIs of its objects for `predicate`.
    fn iris(&self, predicate: &str) -> Vec<String> {
        self.triples
            .iter()
            .filter(|t| t.predicate == predicate)
            .filter_map(|t| match &t.object {
                Object::Node(Node::Iri(iri)) => Some(iri.to_string()),
                _ => None,
            })
            .collect()
    }

    fn has_iri_in(&self, predicate: &str, namespace: &str) -> bool {
        self.iris(predicate).iter().any(|iri| iri.starts_with(namespace))
    }
}

fn subject<'g, 'a>(graph: &'g Graph<'a>, node: &Node) -> Subject<'g, 'a> {
    Subject { triples: graph.triples.iter().filter(|t| &t.subject == node).collect() }
}

/// `points` times the share of distributions passing `test` (0 without distributions).
fn share(distributions: &[Subject], points: u32, test: impl Fn(&Subject) -> bool) -> u32 {
    if distributions.is_empty() {
        return 0;
    }
    let passing = distributions.iter().filter(|d| test(d)).count() as u32;
    (points * passing + distributions.len() as u32 / 2) / distributions.len() as u32
}

fn file_type(distribution: &Subject) -> Option<String> {
    distribution
        .iris(crate::dcat::term::dct!("format"))
        .into_iter()
        .find_map(|iri| iri.strip_prefix(EU_FILE_TYPE).map(str::to_string))
}

/// Scores a dataset dict as Kho publishes it in DCAT-AP.
pub fn assess(site: &Site, dict: &Dataset) -> Quality {
    use crate::dcat::term::{dcat, dct};
    let mut graph = Graph::default();
    add_dataset(&mut graph, site, dict);
    let node = dataset_iri(site, dict);
    let dataset = subject(&graph, &node);
    let distribution_nodes: Vec<Node> = dataset
        .triples
        .iter()
        .filter(|t| t.predicate == dcat!("distribution"))
        .filter_map(|t| match &t.object {
            Object::Node(n) => Some(n.clone()),
            Object::Literal(..) => None,
        })
        .collect();
    let distributions: Vec<Subject> = distribution_nodes.iter().map(|n| subject(&graph, n)).collect();
    let points = |present: bool, weight: u32| if present { weight } else { 0 };

    let findability = points(dataset.has(dcat!("keyword")), 30)
        + points(dataset.has(dcat!("theme")), 30)
        + points(dataset.has(dct!("spatial")), 20)
        + points(dataset.has(dct!("temporal")), 20);
    let accessibility = share(&distributions, 50, |d| d.has(dcat!("accessURL")))
        + share(&distributions, 20, |d| d.has(dcat!("downloadURL")))
        + share(&distributions, 30, |d| d.has(dcat!("downloadURL")));
    let listed = |list: &[&str], d: &Subject| file_type(d).is_some_and(|f| list.contains(&f.as_str()));
    let mandatory = dataset.has(dct!("title"))
        && dataset.has(dct!("description"))
        && distributions.iter().all(|d| d.has(dcat!("accessURL")));
    let interoperability = share(&distributions, 20, |d| d.has(dct!("format")))
        + share(&distributions, 10, |d| d.has(dcat!("mediaType")))
        + share(&distributions, 10, |d| {
            d.has_iri_in(dct!("format"), EU_FILE_TYPE) || d.has_iri_in(dcat!("mediaType"), IANA_MEDIA_TYPE)
        })
        + share(&distributions, 20, |d| listed(NON_PROPRIETARY, d))
        + share(&distributions, 20, |d| listed(MACHINE_READABLE, d))
        + points(mandatory, 30);
    let reusability = share(&distributions, 20, |d| d.has(dct!("license")))
        + share(&distributions, 10, |d| d.has_iri_in(dct!("license"), EU_LICENCE))
        + points(dataset.has(dct!("accessRights")), 10)
        + points(dataset.has_iri_in(dct!("accessRights"), EU_ACCESS_RIGHT), 5)
        + points(dataset.has(dcat!("contactPoint")), 20)
        + points(dataset.has(dct!("publisher")), 10);
    let contextuality = share(&distributions, 5, |d| d.has(dct!("rights")))
        + share(&distributions, 5, |d| d.has(dcat!("byteSize")))
        + share(&distributions, 5, |d| d.has(dct!("issued")))
        + share(&distributions, 5, |d| d.has(dct!("modified")));
    Quality { findability, accessibility, interoperability, reusability, contextuality }
}
