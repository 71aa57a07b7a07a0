//! What the portal says about a free-text search: which expansions found datasets (`UBND` →
//! "ủy ban nhân dân", `benh vein` → "bệnh viện"), counted among the datasets the caller may
//! see, so a word that only private datasets hold is never shown; and the index's term
//! dictionary the corrections read.

use tantivy::collector::Count;
use tantivy::query::{BooleanQuery, Occur, Query};
use tantivy::{Searcher, Term};

use super::SearchError;
use super::build::QueryBuilder;
use super::correct::{Dictionary, Lookup};
use super::expand::{Kind, Unit};
use super::fields::Fields;

/// An expansion that found datasets: what was typed, what was searched, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Expansion {
    pub typed: String,
    pub searched: String,
    pub kind: Kind,
}

/// The catch-all text's terms: syllables and adjacent pairs, with and without diacritics.
pub struct IndexDictionary<'a> {
    pub searcher: &'a Searcher,
    pub fields: &'a Fields,
}

impl Dictionary for IndexDictionary<'_> {
    fn documents(&self, lookup: Lookup, text: &str) -> u64 {
        let Some((vi, folded)) = self.fields.text("text") else { return 0 };
        let field = match lookup {
            Lookup::Word => vi,
            Lookup::FoldedWord => folded,
            Lookup::Pair => self.fields.pairs.0,
            Lookup::FoldedPair => self.fields.pairs.1,
        };
        self.searcher.doc_freq(&Term::from_field_text(field, text)).unwrap_or(0)
    }
}

/// The alternatives among the search's answers (`answers`: the whole query with its filters
/// and visibility): one count per alternative, so only when the portal asks.
pub fn expansions(
    units: &[Unit],
    answers: &BooleanQuery,
    builder: &QueryBuilder,
    searcher: &Searcher,
) -> Result<Vec<Expansion>, SearchError> {
    let mut found = Vec::new();
    for unit in units {
        for alternative in &unit.alternatives {
            let both: Vec<(Occur, Box<dyn Query>)> =
                vec![(Occur::Must, Box::new(answers.clone())), (Occur::Must, builder.alternative(alternative))];
            if searcher.search(&BooleanQuery::new(both), &Count).map_err(SearchError::Index)? == 0 {
                continue;
            }
            let searched = match alternative.kind {
                Kind::Keystrokes | Kind::Tone | Kind::Typo => unit.correction.clone(),
                _ => None,
            };
            let expansion = Expansion {
                typed: unit.text.clone(),
                searched: searched.unwrap_or_else(|| alternative.text.clone()),
                kind: alternative.kind.clone(),
            };
            if !found.contains(&expansion) {
                found.push(expansion);
            }
        }
    }
    Ok(found)
}
