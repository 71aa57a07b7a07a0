//! The serialisations, written straight into a byte buffer in one pass: Turtle (also served as
//! N3), N-Triples and RDF/XML. Triples are grouped by subject, in the order subjects first
//! appear. JSON-LD goes through `oxjsonld` (see `Format::serialize`).

use std::collections::HashMap;
use std::io::Write as _;

use super::term::{Kind, Node, Object, PREFIXES, Triple, prefixed, rdf};

/// The triples' indexes grouped by subject (stable: subjects in order of first appearance,
/// triples in insertion order within a subject).
fn grouped(triples: &[Triple]) -> Vec<usize> {
    let mut first_seen: HashMap<SubjectKey, usize> = HashMap::with_capacity(triples.len() / 4);
    let mut keyed: Vec<(usize, usize)> = triples
        .iter()
        .enumerate()
        .map(|(index, triple)| {
            let next = first_seen.len();
            (*first_seen.entry(SubjectKey::of(&triple.subject)).or_insert(next), index)
        })
        .collect();
    keyed.sort_by_key(|(group, _)| *group);
    keyed.into_iter().map(|(_, index)| index).collect()
}

/// A subject as a map key: the address of its shared IRI text (cheap to hash; an IRI built
/// twice from equal text makes two blocks of the same subject, which is still correct), or
/// its blank node number.
#[derive(Hash, PartialEq, Eq)]
enum SubjectKey {
    Iri(*const u8),
    Blank(u32),
}

impl SubjectKey {
    fn of(node: &Node) -> Self {
        match node {
            Node::Iri(iri) => SubjectKey::Iri(iri.as_ptr()),
            Node::Blank(n) => SubjectKey::Blank(*n),
        }
    }
}

fn forbidden_in_iri(byte: u8) -> bool {
    matches!(byte, b'\0'..=b' ' | b'<' | b'>' | b'"' | b'{' | b'}' | b'|' | b'^' | b'`' | b'\\')
}

/// Writes an IRI between `<>` with the characters IRIREF forbids as `\u` escapes.
fn write_iriref(out: &mut Vec<u8>, iri: &str) {
    out.push(b'<');
    if !iri.bytes().any(forbidden_in_iri) {
        out.extend_from_slice(iri.as_bytes());
        out.push(b'>');
        return;
    }
    for c in iri.chars() {
        match c {
            '\0'..=' ' | '<' | '>' | '"' | '{' | '}' | '|' | '^' | '`' | '\\' => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            _ => push_char(out, c),
        }
    }
    out.push(b'>');
}

fn push_char(out: &mut Vec<u8>, c: char) {
    let mut buffer = [0; 4];
    out.extend_from_slice(c.encode_utf8(&mut buffer).as_bytes());
}

/// Writes a string literal's quoted form (Turtle and N-Triples `STRING_LITERAL_QUOTE`).
fn write_quoted(out: &mut Vec<u8>, value: &str) {
    out.push(b'"');
    let mut rest = value;
    while let Some(at) = rest.find(['"', '\\', '\n', '\r']) {
        out.extend_from_slice(rest.get(..at).unwrap_or_default().as_bytes());
        out.extend_from_slice(match rest.as_bytes().get(at) {
            Some(b'"') => b"\\\"",
            Some(b'\\') => b"\\\\",
            Some(b'\n') => b"\\n",
            _ => b"\\r",
        });
        rest = rest.get(at + 1..).unwrap_or_default();
    }
    out.extend_from_slice(rest.as_bytes());
    out.push(b'"');
}

/// Turtle (`compact`: prefixed names and `a`) or N-Triples terms.
fn write_term_iri(out: &mut Vec<u8>, iri: &str, compact: bool) {
    match prefixed(iri).filter(|_| compact) {
        Some((prefix, local)) => {
            out.extend_from_slice(prefix.as_bytes());
            out.push(b':');
            out.extend_from_slice(local.as_bytes());
        }
        None => write_iriref(out, iri),
    }
}

fn write_node(out: &mut Vec<u8>, node: &Node, compact: bool) {
    match node {
        Node::Iri(iri) => write_term_iri(out, iri, compact),
        Node::Blank(n) => {
            let _ = write!(out, "_:b{n}");
        }
    }
}

fn write_object(out: &mut Vec<u8>, object: &Object, compact: bool) {
    match object {
        Object::Node(node) => write_node(out, node, compact),
        Object::Literal(value, kind) => {
            write_quoted(out, value);
            match kind {
                Kind::Plain => {}
                Kind::Lang(tag) => {
                    out.push(b'@');
                    out.extend_from_slice(tag.as_bytes());
                }
                Kind::Typed(datatype) => {
                    out.extend_from_slice(b"^^");
                    write_term_iri(out, datatype, compact);
                }
            }
        }
    }
}

/// Turtle: prefixes, then one block per subject (`;` between predicates, `,` between objects
/// of one predicate).
pub fn turtle(triples: &[Triple], out: &mut Vec<u8>) {
    for (prefix, namespace) in PREFIXES {
        let _ = writeln!(out, "@prefix {prefix}: <{namespace}> .");
    }
    let mut previous: Option<&Triple> = None;
    for index in grouped(triples) {
        let Some(triple) = triples.get(index) else { continue };
        match previous {
            Some(last) if last.subject == triple.subject && last.predicate == triple.predicate => {
                out.extend_from_slice(b" ,\n        ");
            }
            Some(last) if last.subject == triple.subject => {
                out.extend_from_slice(b" ;\n    ");
                write_predicate(out, triple.predicate);
            }
            _ => {
                if previous.is_some() {
                    out.extend_from_slice(b" .\n");
                }
                out.push(b'\n');
                write_node(out, &triple.subject, true);
                out.push(b' ');
                write_predicate(out, triple.predicate);
            }
        }
        out.push(b' ');
        write_object(out, &triple.object, true);
        previous = Some(triple);
    }
    if previous.is_some() {
        out.extend_from_slice(b" .\n");
    }
}

fn write_predicate(out: &mut Vec<u8>, predicate: &str) {
    if predicate == rdf!("type") {
        out.push(b'a');
    } else {
        write_term_iri(out, predicate, true);
    }
}

/// N-Triples: one full triple per line.
pub fn ntriples(triples: &[Triple], out: &mut Vec<u8>) {
    for triple in triples {
        write_node(out, &triple.subject, false);
        out.push(b' ');
        write_iriref(out, triple.predicate);
        out.push(b' ');
        write_object(out, &triple.object, false);
        out.extend_from_slice(b" .\n");
    }
}

/// Writes text for XML character data or a double-quoted attribute; characters XML 1.0 cannot
/// carry are dropped.
fn write_xml_text(out: &mut Vec<u8>, text: &str) {
    let plain = |b: &u8| !matches!(b, b'&' | b'<' | b'>' | b'"' | b'\0'..=b'\x1F' | 0xEF);
    if text.as_bytes().iter().all(plain) {
        out.extend_from_slice(text.as_bytes());
        return;
    }
    for c in text.chars() {
        match c {
            '&' => out.extend_from_slice(b"&amp;"),
            '<' => out.extend_from_slice(b"&lt;"),
            '>' => out.extend_from_slice(b"&gt;"),
            '"' => out.extend_from_slice(b"&quot;"),
            '\r' => out.extend_from_slice(b"&#13;"),
            '\n' => out.extend_from_slice(b"&#10;"),
            '\t' => out.extend_from_slice(b"&#9;"),
            '\0'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}' => {}
            _ => push_char(out, c),
        }
    }
}

/// Writes `prefix:local` for a predicate, or `ns:local` when no declared prefix fits (with the
/// namespace declared on the element when `declare`: in an opening tag).
fn write_xml_name(out: &mut Vec<u8>, iri: &str, declare: bool) {
    if let Some((prefix, local)) = prefixed(iri) {
        out.extend_from_slice(prefix.as_bytes());
        out.push(b':');
        out.extend_from_slice(local.as_bytes());
        return;
    }
    let split = iri.rfind(['#', '/']).map_or(0, |at| at + 1);
    let (namespace, local) = iri.split_at(split);
    out.extend_from_slice(b"ns:");
    out.extend_from_slice(local.as_bytes());
    if declare {
        out.extend_from_slice(b" xmlns:ns=\"");
        write_xml_text(out, namespace);
        out.push(b'"');
    }
}

fn write_xml_subject(out: &mut Vec<u8>, node: &Node) {
    match node {
        Node::Iri(iri) => {
            out.extend_from_slice(b"  <rdf:Description rdf:about=\"");
            write_xml_text(out, iri);
            out.extend_from_slice(b"\">\n");
        }
        Node::Blank(n) => {
            let _ = writeln!(out, "  <rdf:Description rdf:nodeID=\"b{n}\">");
        }
    }
}

/// RDF/XML: one `rdf:Description` per subject, a property element per triple.
pub fn rdf_xml(triples: &[Triple], out: &mut Vec<u8>) {
    out.extend_from_slice(b"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rdf:RDF");
    for (prefix, namespace) in PREFIXES {
        let _ = write!(out, "\n   xmlns:{prefix}=\"{namespace}\"");
    }
    out.extend_from_slice(b">\n");
    let mut subject: Option<&Node> = None;
    for index in grouped(triples) {
        let Some(triple) = triples.get(index) else { continue };
        if subject != Some(&triple.subject) {
            if subject.is_some() {
                out.extend_from_slice(b"  </rdf:Description>\n");
            }
            write_xml_subject(out, &triple.subject);
            subject = Some(&triple.subject);
        }
        out.extend_from_slice(b"    <");
        write_xml_name(out, triple.predicate, true);
        match &triple.object {
            Object::Node(Node::Iri(iri)) => {
                out.extend_from_slice(b" rdf:resource=\"");
                write_xml_text(out, iri);
                out.extend_from_slice(b"\"/>\n");
                continue;
            }
            Object::Node(Node::Blank(n)) => {
                let _ = writeln!(out, " rdf:nodeID=\"b{n}\"/>");
                continue;
            }
            Object::Literal(value, kind) => {
                match kind {
                    Kind::Plain => {}
                    Kind::Lang(tag) => {
                        let _ = write!(out, " xml:lang=\"{tag}\"");
                    }
                    Kind::Typed(datatype) => {
                        out.extend_from_slice(b" rdf:datatype=\"");
                        write_xml_text(out, datatype);
                        out.push(b'"');
                    }
                }
                out.push(b'>');
                write_xml_text(out, value);
                out.extend_from_slice(b"</");
                write_xml_name(out, triple.predicate, false);
                out.extend_from_slice(b">\n");
            }
        }
    }
    if subject.is_some() {
        out.extend_from_slice(b"  </rdf:Description>\n");
    }
    out.extend_from_slice(b"</rdf:RDF>\n");
}

/// The triples as `oxrdf` triples (for the JSON-LD serialiser and for tests).
pub fn to_oxrdf(triples: &[Triple]) -> Vec<oxrdf::Triple> {
    let node = |node: &Node| -> oxrdf::NamedOrBlankNode {
        match node {
            Node::Iri(iri) => oxrdf::NamedNode::new_unchecked(iri.to_string()).into(),
            Node::Blank(n) => oxrdf::BlankNode::new_unchecked(format!("b{n}")).into(),
        }
    };
    triples
        .iter()
        .map(|triple| {
            let object: oxrdf::Term = match &triple.object {
                Object::Node(n) => node(n).into(),
                Object::Literal(value, Kind::Plain) => oxrdf::Literal::new_simple_literal(value.as_ref()).into(),
                Object::Literal(value, Kind::Lang(tag)) => {
                    oxrdf::Literal::new_language_tagged_literal_unchecked(value.as_ref(), *tag).into()
                }
                Object::Literal(value, Kind::Typed(datatype)) => {
                    oxrdf::Literal::new_typed_literal(value.as_ref(), oxrdf::NamedNode::new_unchecked(*datatype)).into()
                }
            };
            oxrdf::Triple::new(node(&triple.subject), oxrdf::NamedNode::new_unchecked(triple.predicate), object)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::dcat::term::{dct, xsd};

    /// Triples with every kind of term and the characters each syntax must escape.
    fn sample() -> Vec<Triple<'static>> {
        let dataset = Node::iri("http://kho.localhost/dataset/1");
        let odd = Node::iri("http://kho.localhost/a%20b?x=1&y='2'#frag");
        let blank = Node::Blank(3);
        let texts = ["Dân số \"trung bình\" \\ <b> & 'x'", "dòng 1\ndòng 2\r\n\ttab", "hoà\u{0301} NFD\u{1}", ""];
        let mut triples = vec![Triple {
            subject: dataset.clone(),
            predicate: rdf!("type"),
            object: Node::iri("http://www.w3.org/ns/dcat#Dataset").into(),
        }];
        for text in texts {
            triples.push(Triple {
                subject: dataset.clone(),
                predicate: dct!("title"),
                object: Object::lang(text, "vi"),
            });
            triples.push(Triple { subject: odd.clone(), predicate: dct!("description"), object: Object::plain(text) });
        }
        triples.push(Triple {
            subject: blank.clone(),
            predicate: dct!("issued"),
            object: Object::typed("2025-01-02", xsd!("date")),
        });
        triples.push(Triple { subject: dataset.clone(), predicate: dct!("temporal"), object: blank.into() });
        triples.push(Triple {
            subject: dataset.clone(),
            predicate: "http://example.org/other#prop",
            object: odd.into(),
        });
        triples.push(Triple { subject: dataset, predicate: "http://example.org/path/p-2", object: Object::plain("x") });
        triples
    }

    /// The triples as N-Triples lines, with what XML cannot carry removed.
    fn expected(triples: &[Triple], xml: bool) -> BTreeSet<String> {
        to_oxrdf(triples)
            .into_iter()
            .map(|t| {
                let line = t.to_string();
                if xml { line.replace("\\u0001", "") } else { line }
            })
            .collect()
    }

    fn parsed(parser: impl Iterator<Item = oxrdf::Triple>) -> BTreeSet<String> {
        parser.map(|t| t.to_string()).collect()
    }

    #[test]
    fn every_syntax_parses_back_to_the_same_triples() {
        let triples = sample();
        let mut out = Vec::new();
        turtle(&triples, &mut out);
        let back = oxttl::TurtleParser::new().for_slice(&out).collect::<Result<Vec<_>, _>>();
        assert_eq!(parsed(back.expect("valid Turtle").into_iter()), expected(&triples, false));

        let mut out = Vec::new();
        ntriples(&triples, &mut out);
        let back = oxttl::NTriplesParser::new().for_slice(&out).collect::<Result<Vec<_>, _>>();
        assert_eq!(parsed(back.expect("valid N-Triples").into_iter()), expected(&triples, false));

        let mut out = Vec::new();
        rdf_xml(&triples, &mut out);
        let back = oxrdfxml::RdfXmlParser::new().for_slice(&out).collect::<Result<Vec<_>, _>>();
        let back = back.unwrap_or_else(|e| panic!("valid RDF/XML: {e}\n{}", String::from_utf8_lossy(&out)));
        assert_eq!(parsed(back.into_iter()), expected(&triples, true));
    }

    #[test]
    fn turtle_groups_a_subject_in_one_block() {
        let triples = sample();
        let mut out = Vec::new();
        turtle(&triples, &mut out);
        let text = String::from_utf8(out).unwrap_or_default();
        assert_eq!(text.matches("\n<http://kho.localhost/dataset/1> a dcat:Dataset ;").count(), 1, "{text}");
        assert!(text.contains("dct:title \"Dân số \\\"trung bình\\\" \\\\ <b> & 'x'\"@vi ,"), "{text}");
    }
}
