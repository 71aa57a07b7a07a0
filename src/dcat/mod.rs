//! DCAT-AP 3 publication (spec `dcat-ap.md`): the mapping of dataset dicts to RDF
//! (`graph.rs`, vocabularies in `dcat/vocabularies.json`), the serialisations and their media
//! types, and content negotiation. The HTTP routes are in `http/dcat.rs`.

pub mod catalogue;
pub mod dict;
pub mod graph;
pub mod term;
pub mod vocab;
mod write;

use oxjsonld::JsonLdSerializer;
use oxrdf::{GraphNameRef, QuadRef};

pub use graph::{Graph, Page, Site};
pub use vocab::Vocabularies;

/// An RDF serialisation Kho serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Turtle,
    /// `.n3`: Turtle syntax with ckanext-dcat's `text/n3` media type.
    N3,
    NTriples,
    RdfXml,
    JsonLd,
}

impl Format {
    /// The format of a file extension (`ttl`, `n3`, `nt`, `rdf`, `xml`, `jsonld`).
    pub fn from_extension(extension: &str) -> Option<Format> {
        Some(match extension {
            "ttl" => Format::Turtle,
            "n3" => Format::N3,
            "nt" => Format::NTriples,
            "rdf" | "xml" => Format::RdfXml,
            "jsonld" => Format::JsonLd,
            _ => return None,
        })
    }

    /// The `Content-Type` ckanext-dcat sends (harvesters pick their parser from it).
    pub fn media_type(self) -> &'static str {
        match self {
            Format::Turtle => "text/turtle",
            Format::N3 => "text/n3",
            Format::NTriples => "application/n-triples",
            Format::RdfXml => "application/rdf+xml",
            Format::JsonLd => "application/ld+json",
        }
    }

    /// The extension used in links.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Turtle => "ttl",
            Format::N3 => "n3",
            Format::NTriples => "nt",
            Format::RdfXml => "rdf",
            Format::JsonLd => "jsonld",
        }
    }

    /// The format an `Accept` header asks for, by ckanext-dcat's rules (spec §1.3), `None` for
    /// HTML. Kho also knows `application/n-triples` and allows a `charset` parameter.
    pub fn negotiate(accept: &str) -> Option<Format> {
        let mut items: Vec<(f32, usize, String)> = Vec::new();
        for (index, item) in accept.split(',').enumerate() {
            let mut parts = item.split(';').map(str::trim);
            let media = parts.next().unwrap_or_default().to_ascii_lowercase();
            if !media.contains('/') {
                continue;
            }
            let mut quality = 1.0;
            let mut acceptable = true;
            for parameter in parts {
                match parameter.split_once('=').map(|(k, v)| (k.trim(), v.trim())) {
                    Some(("q", value)) => quality = value.parse().unwrap_or(0.0),
                    Some(("charset", _)) => {}
                    _ => acceptable = false,
                }
            }
            if acceptable {
                items.push((quality, index, media));
            }
        }
        items.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        for (_, _, media) in items {
            let format = match media.as_str() {
                "text/html" => return None,
                "application/rdf+xml" | "application/*" => Format::RdfXml,
                "text/turtle" => Format::Turtle,
                "text/n3" | "text/*" => Format::N3,
                "application/ld+json" => Format::JsonLd,
                "application/n-triples" => Format::NTriples,
                _ => continue,
            };
            return Some(format);
        }
        None
    }

    /// Writes the triples in this format.
    pub fn serialize(self, graph: &Graph) -> std::io::Result<Vec<u8>> {
        // About 55 bytes per triple in Turtle, 70 in RDF/XML.
        let mut out = Vec::with_capacity(graph.triples.len() * 64);
        match self {
            Format::Turtle | Format::N3 => write::turtle(&graph.triples, &mut out),
            Format::NTriples => write::ntriples(&graph.triples, &mut out),
            Format::RdfXml => write::rdf_xml(&graph.triples, &mut out),
            Format::JsonLd => return write_json_ld(graph),
        }
        Ok(out)
    }
}

/// JSON-LD through `oxjsonld` (with Kho's prefixes as its context).
fn write_json_ld(graph: &Graph) -> std::io::Result<Vec<u8>> {
    let mut serializer = JsonLdSerializer::new();
    for (prefix, iri) in term::PREFIXES {
        serializer = serializer.with_prefix(*prefix, *iri).map_err(std::io::Error::other)?;
    }
    let mut writer = serializer.for_writer(Vec::new());
    for triple in write::to_oxrdf(&graph.triples) {
        writer.serialize_quad(QuadRef::new(
            triple.subject.as_ref(),
            triple.predicate.as_ref(),
            triple.object.as_ref(),
            GraphNameRef::DefaultGraph,
        ))?;
    }
    writer.finish()
}

#[cfg(test)]
mod tests {
    use super::Format;

    #[test]
    fn accept_headers_follow_ckanext_dcat() {
        assert_eq!(Format::negotiate("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"), None);
        assert_eq!(Format::negotiate("application/ld+json;q=0.6, text/turtle;q=0.9"), Some(Format::Turtle));
        assert_eq!(Format::negotiate("text/html;q=0.1, text/turtle"), Some(Format::Turtle));
        assert_eq!(Format::negotiate("application/rdf+xml"), Some(Format::RdfXml));
        assert_eq!(Format::negotiate("text/*"), Some(Format::N3));
        assert_eq!(Format::negotiate("application/ld+json;profile=x"), None);
        assert_eq!(Format::negotiate("*/*"), None);
    }
}
