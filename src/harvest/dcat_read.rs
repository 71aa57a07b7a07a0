//! Reading one page of a DCAT-AP 2 or 3 catalogue (RDF/XML, Turtle, JSON-LD, N-Triples) into
//! CKAN dataset dicts for the harvester. It reverses Kho's own feed (`crate::dcat::graph`), so
//! Kho → Kho over DCAT loses nothing the feed carries, and reads any other DCAT-AP catalogue.
//! One page's bytes in, that page's records out: nothing is kept between pages. The mapping of
//! one dataset is in `dcat_map.rs`.

use std::collections::{HashMap, HashSet};
use std::fmt;

use oxjsonld::{JsonLdErrorCode, JsonLdParser};
use oxrdf::{Literal, NamedNode, NamedOrBlankNode, Term, Triple};
use oxrdfxml::RdfXmlParser;
use oxttl::{NTriplesParser, TurtleParser};
use serde_json::{Map, Value};

use super::dcat_map::Mapper;
use crate::dcat::Vocabularies;
use crate::dcat::term::{dcat, dct, hydra, rdf, rdfs, skos};

const REMOTE_CONTEXT: &str = "The JSON-LD page uses a remote @context, which is not fetched: ask for Turtle or RDF/XML";

/// One page of a catalogue, read.
#[derive(Debug, Clone, PartialEq)]
pub struct RdfPage {
    /// One per dataset, in the order the page first names them.
    pub records: Vec<Result<Record, RecordError>>,
    /// `hydra:next` (or `hydra:nextPage`), resolved against the page URL.
    pub next: Option<String>,
    /// `hydra:totalItems`.
    pub total: Option<u64>,
}

/// A dataset read: its harvest guid and its CKAN dict (without `name` and `owner_org`).
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub guid: String,
    pub dataset: Map<String, Value>,
}

/// A dataset that cannot be harvested, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordError {
    pub guid: Option<String>,
    pub message: String,
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.guid {
            Some(guid) => write!(f, "{guid}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// A page that is not RDF in its format; line and column are 1-based.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub message: String,
    pub line: Option<u64>,
    pub column: Option<u64>,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(line), Some(column)) => write!(f, "{} (line {line}, column {column})", self.message),
            (Some(line), None) => write!(f, "{} (line {line})", self.message),
            _ => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for ParseError {}

/// The RDF syntaxes a catalogue page may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RdfFormat {
    RdfXml,
    Turtle,
    JsonLd,
    NTriples,
}

/// The syntax of a page: by its media type, else its URL's extension, else its first bytes.
/// `text/plain` (N-Triples) gives way to a known extension or a Turtle directive.
pub fn format_of(content_type: Option<&str>, url: &str, body: &[u8]) -> RdfFormat {
    let media = content_type.and_then(|c| c.split(';').next()).map(|m| m.trim().to_ascii_lowercase());
    let by_extension = extension_format(url);
    match media.as_deref() {
        Some("application/rdf+xml" | "application/xml" | "text/xml") => RdfFormat::RdfXml,
        Some("text/turtle" | "text/n3" | "application/x-turtle" | "application/turtle") => RdfFormat::Turtle,
        Some("application/ld+json" | "application/json") => RdfFormat::JsonLd,
        Some("application/n-triples") => RdfFormat::NTriples,
        Some("text/plain") => by_extension.unwrap_or(match sniff(body) {
            RdfFormat::Turtle if starts_like_turtle(body) => RdfFormat::Turtle,
            _ => RdfFormat::NTriples,
        }),
        _ => by_extension.unwrap_or_else(|| sniff(body)),
    }
}

fn extension_format(url: &str) -> Option<RdfFormat> {
    let path = url::Url::parse(url)
        .map(|u| u.path().to_string())
        .unwrap_or_else(|_| url.split(['?', '#']).next().unwrap_or_default().to_string());
    let (_, extension) = path.rsplit('/').next()?.rsplit_once('.')?;
    Some(match extension.to_ascii_lowercase().as_str() {
        "rdf" | "xml" | "owl" => RdfFormat::RdfXml,
        "ttl" | "n3" => RdfFormat::Turtle,
        "jsonld" | "json" => RdfFormat::JsonLd,
        "nt" => RdfFormat::NTriples,
        _ => return None,
    })
}

/// The body from its first byte that is not white space (after a UTF-8 byte order mark).
fn content_start(body: &[u8]) -> &[u8] {
    let text = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let first = text.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(text.len());
    text.get(first..).unwrap_or_default()
}

fn starts_like_turtle(body: &[u8]) -> bool {
    let start = content_start(body);
    let word: Vec<u8> = start.iter().take(6).map(u8::to_ascii_lowercase).collect();
    start.first() == Some(&b'@') || word.starts_with(b"prefix") || word.starts_with(b"base")
}

/// JSON for `{` and `[`; XML for a tag (`<?`, `<!`, or white space before the first `>`);
/// Turtle otherwise (it also reads N-Triples).
fn sniff(body: &[u8]) -> RdfFormat {
    let start = content_start(body);
    match start.first() {
        Some(b'{' | b'[') => RdfFormat::JsonLd,
        Some(b'<') => {
            let tag = start.iter().skip(1).take(512).take_while(|b| **b != b'>');
            let xml = matches!(start.get(1), Some(b'?' | b'!')) || tag.clone().any(u8::is_ascii_whitespace);
            if xml { RdfFormat::RdfXml } else { RdfFormat::Turtle }
        }
        _ => RdfFormat::Turtle,
    }
}

/// Reads one page: its datasets as CKAN dicts, and its paging.
pub fn read_page(
    body: &[u8],
    format: RdfFormat,
    page_url: &str,
    vocabularies: &Vocabularies,
    licences: &[Value],
) -> Result<RdfPage, ParseError> {
    let mut store = Store::default();
    parse(body, format, page_url, &mut store)?;
    let mut own_bases: Vec<String> = store.catalogs.clone();
    if let Ok(directory) = url::Url::parse(page_url).and_then(|u| u.join("./")) {
        own_bases.push(directory.to_string());
    }
    let mapper = Mapper::new(&store, vocabularies, licences, own_bases);
    let records = store.datasets().map(|node| mapper.record(node)).collect();
    let next = store.next.as_deref().or(store.next_page.as_deref()).and_then(|link| resolve(page_url, link));
    Ok(RdfPage { records, next, total: store.total })
}

/// A link resolved against the page URL; `None` when it leads back to the page itself.
fn resolve(page_url: &str, link: &str) -> Option<String> {
    let base = url::Url::parse(page_url);
    let resolved = match &base {
        Ok(base) => base.join(link.trim()).ok()?,
        Err(_) => url::Url::parse(link.trim()).ok()?,
    };
    (base.ok().as_ref() != Some(&resolved)).then(|| resolved.to_string())
}

fn parse(body: &[u8], format: RdfFormat, base: &str, store: &mut Store) -> Result<(), ParseError> {
    match format {
        RdfFormat::Turtle => {
            let parser = TurtleParser::new();
            for triple in parser.clone().with_base_iri(base).unwrap_or(parser).for_slice(body) {
                store.add(triple.map_err(turtle_error)?);
            }
        }
        RdfFormat::NTriples => {
            for triple in NTriplesParser::new().for_slice(body) {
                store.add(triple.map_err(turtle_error)?);
            }
        }
        RdfFormat::RdfXml => {
            let parser = RdfXmlParser::new();
            let mut triples = parser.clone().with_base_iri(base).unwrap_or(parser).for_slice(body);
            loop {
                match triples.next() {
                    Some(Ok(triple)) => store.add(triple),
                    Some(Err(error)) => {
                        let (line, column) = position(body, triples.buffer_position());
                        return Err(ParseError { message: error.to_string(), line: Some(line), column: Some(column) });
                    }
                    None => break,
                }
            }
        }
        RdfFormat::JsonLd => {
            let parser = JsonLdParser::new();
            for quad in parser.clone().with_base_iri(base).unwrap_or(parser).for_slice(body) {
                let quad = quad.map_err(|error| {
                    let start = error.location().map(|range| range.start);
                    let remote = matches!(error.code(), Some(JsonLdErrorCode::LoadingRemoteContextFailed));
                    ParseError {
                        message: if remote { REMOTE_CONTEXT.to_string() } else { error.to_string() },
                        line: start.map(|p| p.line + 1),
                        column: start.map(|p| p.column + 1),
                    }
                })?;
                store.add(Triple::from(quad));
            }
        }
    }
    Ok(())
}

fn turtle_error(error: oxttl::TurtleSyntaxError) -> ParseError {
    let start = error.location().start;
    ParseError { message: error.message().to_string(), line: Some(start.line + 1), column: Some(start.column + 1) }
}

/// The 1-based line and column (in characters) of a byte offset.
fn position(body: &[u8], offset: u64) -> (u64, u64) {
    let end = usize::try_from(offset).unwrap_or(usize::MAX).min(body.len());
    let before = body.get(..end).unwrap_or_default();
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let line_start = before.iter().rposition(|b| *b == b'\n').map_or(0, |at| at + 1);
    let column = String::from_utf8_lossy(before.get(line_start..).unwrap_or_default()).chars().count() + 1;
    (line as u64, column as u64)
}

/// The page's triples by subject, and what the page says about itself.
#[derive(Default)]
pub(super) struct Store {
    statements: HashMap<NamedOrBlankNode, Vec<(NamedNode, Term)>>,
    /// Nodes typed `dcat:Dataset` or listed by `dcat:dataset`, in order of first mention.
    mentioned: Vec<NamedOrBlankNode>,
    seen: HashSet<NamedOrBlankNode>,
    typed: HashSet<NamedOrBlankNode>,
    /// The IRIs of the `dcat:Catalog`s (a Kho catalogue's IRI is its site URL).
    catalogs: Vec<String>,
    next: Option<String>,
    next_page: Option<String>,
    total: Option<u64>,
}

/// The node a term names, unless it is a literal.
pub(super) fn node_of(term: &Term) -> Option<NamedOrBlankNode> {
    match term {
        Term::NamedNode(iri) => Some(iri.clone().into()),
        Term::BlankNode(blank) => Some(blank.clone().into()),
        _ => None,
    }
}

/// A literal's value or an IRI, trimmed; `None` when empty.
fn term_text(term: &Term) -> Option<&str> {
    let text = match term {
        Term::NamedNode(iri) => iri.as_str(),
        Term::Literal(literal) => literal.value(),
        _ => return None,
    };
    Some(text.trim()).filter(|t| !t.is_empty())
}

/// The language preference: Vietnamese, no tag, English, any other.
fn rank(literal: &Literal) -> u8 {
    let is = |tag: &str, base: &str| tag.split('-').next().is_some_and(|primary| primary.eq_ignore_ascii_case(base));
    match literal.language() {
        Some(tag) if is(tag, "vi") => 0,
        None => 1,
        Some(tag) if is(tag, "en") => 2,
        Some(_) => 3,
    }
}

impl Store {
    fn mention(&mut self, node: NamedOrBlankNode) {
        if self.seen.insert(node.clone()) {
            self.mentioned.push(node);
        }
    }

    fn add(&mut self, triple: Triple) {
        let Triple { subject, predicate, object } = triple;
        match predicate.as_str() {
            rdf!("type") => match &object {
                Term::NamedNode(class) if class.as_str() == dcat!("Dataset") => {
                    self.typed.insert(subject.clone());
                    self.mention(subject.clone());
                }
                Term::NamedNode(class) if class.as_str() == dcat!("Catalog") => {
                    if let NamedOrBlankNode::NamedNode(iri) = &subject {
                        self.catalogs.push(iri.as_str().to_string());
                    }
                }
                _ => {}
            },
            dcat!("dataset") => {
                if let Some(node) = node_of(&object) {
                    self.mention(node);
                }
            }
            hydra!("next") if self.next.is_none() => self.next = term_text(&object).map(str::to_string),
            hydra!("nextPage") if self.next_page.is_none() => self.next_page = term_text(&object).map(str::to_string),
            hydra!("totalItems") if self.total.is_none() => {
                self.total = term_text(&object).and_then(|t| t.parse().ok());
            }
            _ => {}
        }
        self.statements.entry(subject).or_default().push((predicate, object));
    }

    /// The datasets: typed `dcat:Dataset`, or listed and described.
    fn datasets(&self) -> impl Iterator<Item = &NamedOrBlankNode> {
        self.mentioned.iter().filter(|node| self.typed.contains(*node) || self.statements.contains_key(*node))
    }

    pub(super) fn objects<'s>(
        &'s self,
        subject: &NamedOrBlankNode,
        predicate: &'static str,
    ) -> impl Iterator<Item = &'s Term> + use<'s> {
        let statements = self.statements.get(subject).map(Vec::as_slice).unwrap_or_default();
        statements.iter().filter(move |(p, _)| p.as_str() == predicate).map(|(_, object)| object)
    }

    /// The literals in the preferred language present (trimmed, non-empty, in page order).
    pub(super) fn literals(&self, subject: &NamedOrBlankNode, predicate: &'static str) -> Vec<&str> {
        let mut best = u8::MAX;
        let mut found = Vec::new();
        for term in self.objects(subject, predicate) {
            let Term::Literal(literal) = term else { continue };
            let value = literal.value().trim();
            let rank = rank(literal);
            if value.is_empty() || rank > best {
                continue;
            }
            if rank < best {
                best = rank;
                found.clear();
            }
            if !found.contains(&value) {
                found.push(value);
            }
        }
        found
    }

    /// The literal in the preferred language.
    pub(super) fn literal(&self, subject: &NamedOrBlankNode, predicate: &'static str) -> Option<&str> {
        self.literals(subject, predicate).first().copied()
    }

    /// Every literal, in any language.
    pub(super) fn all_literals(&self, subject: &NamedOrBlankNode, predicate: &'static str) -> Vec<&str> {
        self.objects(subject, predicate).filter(|t| matches!(t, Term::Literal(_))).filter_map(term_text).collect()
    }

    pub(super) fn iris(&self, subject: &NamedOrBlankNode, predicate: &'static str) -> Vec<&str> {
        let iris = self.objects(subject, predicate).filter(|t| matches!(t, Term::NamedNode(_)));
        iris.filter_map(term_text).collect()
    }

    pub(super) fn iri(&self, subject: &NamedOrBlankNode, predicate: &'static str) -> Option<&str> {
        self.iris(subject, predicate).first().copied()
    }

    pub(super) fn nodes(&self, subject: &NamedOrBlankNode, predicate: &'static str) -> Vec<NamedOrBlankNode> {
        self.objects(subject, predicate).filter_map(node_of).collect()
    }

    /// A literal in the preferred language, else an IRI.
    pub(super) fn text(&self, subject: &NamedOrBlankNode, predicate: &'static str) -> Option<&str> {
        self.literal(subject, predicate).or_else(|| self.iri(subject, predicate))
    }

    /// A term as text: a literal's value, an IRI, or a blank node's label or value.
    pub(super) fn label<'s>(&'s self, term: &'s Term) -> Option<&'s str> {
        let Term::BlankNode(blank) = term else { return term_text(term) };
        let node = NamedOrBlankNode::from(blank.clone());
        [rdfs!("label"), skos!("prefLabel"), dct!("title"), rdf!("value")]
            .into_iter()
            .find_map(|predicate| self.literal(&node, predicate))
    }
}

#[cfg(test)]
mod tests;
