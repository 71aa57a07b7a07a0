//! RDF terms as the DCAT mapping builds them, cheap to make in bulk (a catalogue page holds
//! about 8,000 triples): predicates and classes are static IRIs (the namespace macros below),
//! node IRIs are shared by reference count, and literals borrow the dataset dicts' text.

use std::borrow::Cow;
use std::rc::Rc;

/// `dcat!("Dataset")` is the static IRI `http://www.w3.org/ns/dcat#Dataset`; likewise for the
/// other namespaces Kho writes.
macro_rules! namespace {
    ($($name:ident => $iri:literal),* $(,)?) => {
        $(
            #[allow(unused_macros)]
            macro_rules! $name {
                ($local:literal) => { concat!($iri, $local) };
            }
            #[allow(unused_imports)]
            pub(crate) use $name;
        )*
    };
}

namespace! {
    dcat => "http://www.w3.org/ns/dcat#",
    dct => "http://purl.org/dc/terms/",
    foaf => "http://xmlns.com/foaf/0.1/",
    vcard => "http://www.w3.org/2006/vcard/ns#",
    hydra => "http://www.w3.org/ns/hydra/core#",
    xsd => "http://www.w3.org/2001/XMLSchema#",
    rdf => "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    rdfs => "http://www.w3.org/2000/01/rdf-schema#",
    skos => "http://www.w3.org/2004/02/skos/core#",
    dcatap => "http://data.europa.eu/r5r/",
    gsp => "http://www.opengis.net/ont/geosparql#",
}

/// The prefixes the serialisations declare (and use to shorten IRIs).
pub const PREFIXES: &[(&str, &str)] = &[
    ("dcat", dcat!("")),
    ("dct", dct!("")),
    ("foaf", foaf!("")),
    ("vcard", vcard!("")),
    ("hydra", hydra!("")),
    ("xsd", xsd!("")),
    ("dcatap", dcatap!("")),
    ("rdf", rdf!("")),
    ("rdfs", rdfs!("")),
    ("skos", skos!("")),
    ("gsp", gsp!("")),
];

/// A subject, or an object that is not a literal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Iri(Rc<str>),
    /// A blank node, numbered within its graph.
    Blank(u32),
}

impl Node {
    /// An IRI known to be valid (built by Kho, or cleaned by `graph::iri`).
    pub fn iri(text: impl Into<Rc<str>>) -> Node {
        Node::Iri(text.into())
    }
}

/// What a literal is: a plain string, a language-tagged string or a typed value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Plain,
    Lang(&'static str),
    /// The datatype's IRI.
    Typed(&'static str),
}

/// The object of a triple.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Object<'a> {
    Node(Node),
    Literal(Cow<'a, str>, Kind),
}

impl From<Node> for Object<'_> {
    fn from(node: Node) -> Self {
        Object::Node(node)
    }
}

impl<'a> Object<'a> {
    pub fn plain(value: impl Into<Cow<'a, str>>) -> Object<'a> {
        Object::Literal(value.into(), Kind::Plain)
    }

    pub fn lang(value: impl Into<Cow<'a, str>>, tag: &'static str) -> Object<'a> {
        Object::Literal(value.into(), Kind::Lang(tag))
    }

    pub fn typed(value: impl Into<Cow<'a, str>>, datatype: &'static str) -> Object<'a> {
        Object::Literal(value.into(), Kind::Typed(datatype))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Triple<'a> {
    pub subject: Node,
    pub predicate: &'static str,
    pub object: Object<'a>,
}

/// Splits an IRI into a declared prefix and a local name that may follow it in a prefixed
/// name (Turtle) and a qualified name (RDF/XML): letters, digits, `_` and `-`, not starting
/// with a digit or `-`.
pub fn prefixed(iri: &str) -> Option<(&'static str, &str)> {
    let (prefix, namespace) = PREFIXES.iter().filter(|(_, ns)| iri.starts_with(ns)).max_by_key(|(_, ns)| ns.len())?;
    let local = iri.get(namespace.len()..)?;
    let mut chars = local.chars();
    let first = chars.next()?;
    let simple = (first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    simple.then_some((prefix, local))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespace_macros_and_prefixed_names() {
        assert_eq!(dcat!("Dataset"), "http://www.w3.org/ns/dcat#Dataset");
        assert_eq!(prefixed(dct!("title")), Some(("dct", "title")));
        assert_eq!(prefixed("http://data.europa.eu/r5r/availability"), Some(("dcatap", "availability")));
        assert_eq!(prefixed("http://purl.org/dc/terms/2020"), None, "a local name may not start with a digit");
        assert_eq!(prefixed("http://purl.org/dc/terms/a.b"), None);
        assert_eq!(prefixed("http://purl.org/dc/terms/"), None);
        assert_eq!(prefixed("https://example.org/x"), None);
    }
}
