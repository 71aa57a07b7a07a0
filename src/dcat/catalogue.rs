//! One catalogue page, written in one pass over the page's stored dataset dicts: the catalogue
//! node and hydra paging, each dataset, then the vocabulary values the page used.

use super::Format;
use super::dict::Dataset;
use super::graph::{self, Graph, Page, Site};
use super::term::Node;

/// Writes a catalogue page holding `documents` (stored dataset dicts as JSON text, in page
/// order).
pub fn write_page(format: Format, site: &Site, page: &Page, documents: &[String]) -> std::io::Result<Vec<u8>> {
    let dicts: Vec<Dataset> = documents
        .iter()
        .filter_map(|document| {
            let parsed = Dataset::parse(document);
            if parsed.is_none() {
                // Never expected (the index stores Kho's own dicts); a harvester would delete
                // the dataset downstream, so say so loudly.
                tracing::error!(document = %document.chars().take(200).collect::<String>(), "stored dataset dict is not JSON; left out of the DCAT page");
            }
            parsed
        })
        .collect();
    let mut rdf = Graph::default();
    let datasets: Vec<Node> = dicts.iter().map(|dict| graph::dataset_iri(site, dict)).collect();
    graph::add_catalog(&mut rdf, site, page, &datasets);
    for dict in &dicts {
        graph::add_dataset(&mut rdf, site, dict);
    }
    rdf.describe_vocabularies();
    format.serialize(&rdf)
}
