//! Parsed queries → tantivy queries, and CKAN's DisMax free-text query (spec §5.4) with
//! Vietnamese ranking: exact diacritics above folded matches, adjacent syllables above
//! scattered ones, titles above descriptions.

use std::ops::Bound;

use chrono::{DateTime as ChronoDateTime, Datelike, Duration, Months, NaiveDate, NaiveDateTime, Timelike, Utc};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, DisjunctionMaxQuery, EmptyQuery, ExistsQuery, Occur as TantivyOccur,
    PhraseQuery, Query, RangeQuery, RegexQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DateTime, Term};
use unicode_normalization::UnicodeNormalization;

use super::analysis::{bigrams, fold, normalize, syllables};
use super::correct::Dictionary;
use super::expand::{Alternative, Kind, Unit};
use super::fields::{FieldRef, Fields, KV_SEPARATOR};
use super::query::{Node, Occur, SyntaxError, TermKind};

/// How much a folded (diacritics-free) match counts against an exact one.
const FOLDED_WEIGHT: f32 = 0.5;
/// Boost of the whole-query phrase clause (adjacent syllables).
const PHRASE_WEIGHT: f32 = 2.0;
/// A dataset's administrative-unit code, matched for a former unit's name (as a tag counts).
const UNIT_CODE_WEIGHT: f32 = 2.0;

type BoxQuery = Box<dyn Query>;

fn occur(occur: Occur) -> TantivyOccur {
    match occur {
        Occur::Must => TantivyOccur::Must,
        Occur::Should => TantivyOccur::Should,
        Occur::MustNot => TantivyOccur::MustNot,
    }
}

/// Builds tantivy queries against the index's fields.
pub struct QueryBuilder<'a> {
    pub fields: &'a Fields,
    pub now: NaiveDateTime,
}

impl QueryBuilder<'_> {
    /// Converts a parsed query; unfielded terms go to `default_field`.
    pub fn build(&self, node: &Node, default_field: &str) -> Result<BoxQuery, SyntaxError> {
        match node {
            Node::All => Ok(Box::new(AllQuery)),
            Node::Bool(clauses) => {
                let mut built = Vec::with_capacity(clauses.len() + 1);
                for (o, clause) in clauses {
                    built.push((occur(*o), self.build(clause, default_field)?));
                }
                // A purely negative query matches everything else, as Solr does.
                if !built.is_empty() && built.iter().all(|(o, _)| *o == TantivyOccur::MustNot) {
                    built.push((TantivyOccur::Must, Box::new(AllQuery)));
                }
                if built.is_empty() {
                    return Ok(Box::new(EmptyQuery));
                }
                Ok(Box::new(BooleanQuery::new(built)))
            }
            Node::Term { field, text, kind, boost } => {
                let name = field.as_deref().unwrap_or(default_field);
                let query = self.term(name, text, *kind)?;
                Ok(match boost {
                    Some(b) => Box::new(BoostQuery::new(query, *b)),
                    None => query,
                })
            }
            Node::Range { field, lower, upper, lower_inclusive, upper_inclusive } => {
                let name = field.as_deref().unwrap_or(default_field);
                self.range(name, lower.as_deref(), upper.as_deref(), *lower_inclusive, *upper_inclusive)
            }
            Node::Exists(name) => Ok(self.exists(name)),
        }
    }

    fn term(&self, name: &str, text: &str, kind: TermKind) -> Result<BoxQuery, SyntaxError> {
        match self.fields.resolve(name) {
            FieldRef::String(field) => Ok(exact(field, text, kind)),
            FieldRef::Dynamic(key) => Ok(exact(self.fields.kv, &format!("{key}{KV_SEPARATOR}{text}"), kind)),
            FieldRef::Text(vi, folded) => Ok(analysed(vi, folded, text, kind, 1.0)),
            FieldRef::Date(field) => {
                let date = parse_date(text, self.now).ok_or_else(|| invalid_date(text))?;
                Ok(Box::new(RangeQuery::new(
                    Bound::Included(date_term(field, date)),
                    Bound::Included(date_term(field, date)),
                )))
            }
        }
    }

    fn range(
        &self,
        name: &str,
        lower: Option<&str>,
        upper: Option<&str>,
        lower_inclusive: bool,
        upper_inclusive: bool,
    ) -> Result<BoxQuery, SyntaxError> {
        let bound = |term: Option<Term>, inclusive: bool| match term {
            None => Bound::Unbounded,
            Some(t) if inclusive => Bound::Included(t),
            Some(t) => Bound::Excluded(t),
        };
        let (field, lower_term, upper_term) = match self.fields.resolve(name) {
            FieldRef::Date(field) => {
                let parse = |text: &str| parse_date(text, self.now).ok_or_else(|| invalid_date(text));
                let lower = lower.map(parse).transpose()?.map(|d| date_term(field, d));
                let upper = upper.map(parse).transpose()?.map(|d| date_term(field, d));
                (field, lower, upper)
            }
            FieldRef::String(field) => {
                (field, lower.map(|t| Term::from_field_text(field, t)), upper.map(|t| Term::from_field_text(field, t)))
            }
            FieldRef::Text(_, folded) => {
                let fold = |t: &str| Term::from_field_text(folded, &syllables(t, true).join(" "));
                (folded, lower.map(fold), upper.map(fold))
            }
            FieldRef::Dynamic(key) => {
                let kv = self.fields.kv;
                let value_term = |value: &str| Term::from_field_text(kv, &format!("{key}{KV_SEPARATOR}{value}"));
                let lower = match lower {
                    Some(l) => bound(Some(value_term(l)), lower_inclusive),
                    None => Bound::Included(value_term("")),
                };
                let upper = match upper {
                    Some(u) => bound(Some(value_term(u)), upper_inclusive),
                    None => Bound::Excluded(Term::from_field_text(kv, &format!("{key}\u{2}"))),
                };
                return Ok(Box::new(RangeQuery::new(lower, upper)));
            }
        };
        if lower_term.is_none() && upper_term.is_none() {
            return Ok(self.exists(self.fields.schema.get_field_name(field)));
        }
        Ok(Box::new(RangeQuery::new(bound(lower_term, lower_inclusive), bound(upper_term, upper_inclusive))))
    }

    fn exists(&self, name: &str) -> BoxQuery {
        match self.fields.resolve(name) {
            FieldRef::String(field) | FieldRef::Date(field) => {
                Box::new(ExistsQuery::new(self.fields.schema.get_field_name(field).to_string(), false))
            }
            FieldRef::Dynamic(key) => regex(self.fields.kv, &format!("{}{KV_SEPARATOR}.*", regex_escape(&key))),
            FieldRef::Text(_, folded) => regex(folded, ".*"),
        }
    }

    /// CKAN's DisMax query for free text (no `:` in `q`): every word searched across
    /// `name^4 title^4 tags^2 groups^2 text`, with Solr's minimum-should-match `2<-1 5<80%`.
    pub fn dismax(&self, units: &[Unit]) -> BoxQuery {
        let mut clauses: Vec<(TantivyOccur, BoxQuery)> = Vec::new();
        let mut optional = 0;
        let mut phrase_syllables: Vec<String> = Vec::new();
        for unit in units {
            let query = self.dismax_unit(unit);
            let o = match unit.modifier {
                Some('+') => TantivyOccur::Must,
                Some('-') => TantivyOccur::MustNot,
                _ => {
                    optional += 1;
                    phrase_syllables.extend(syllables(&unit.text, false));
                    TantivyOccur::Should
                }
            };
            clauses.push((o, query));
        }
        if clauses.is_empty() {
            return Box::new(AllQuery);
        }
        if clauses.iter().all(|(o, _)| *o == TantivyOccur::MustNot) {
            clauses.push((TantivyOccur::Must, Box::new(AllQuery)));
        }
        let main = Box::new(BooleanQuery::with_minimum_required_clauses(clauses, minimum_should_match(optional)));
        if phrase_syllables.len() < 2 {
            return main;
        }
        let mut boosts: Vec<(TantivyOccur, BoxQuery)> = vec![(TantivyOccur::Must, main)];
        let text = phrase_syllables.join(" ");
        if let Some((vi, folded)) = self.fields.text("title") {
            boosts.push((TantivyOccur::Should, analysed(vi, folded, &text, TermKind::Phrase, 4.0 * PHRASE_WEIGHT)));
        }
        // Adjacent syllables anywhere: one term per pair (no positions to read).
        let normalized = normalize(&text);
        let typed_with_diacritics = fold(&normalized) != normalized;
        let (pairs, pairs_folded) = self.fields.pairs;
        let mut pair_terms = vec![(pairs, false, PHRASE_WEIGHT)];
        if !typed_with_diacritics {
            pair_terms.push((pairs_folded, true, PHRASE_WEIGHT * FOLDED_WEIGHT));
        }
        for (field, folded_form, weight) in pair_terms {
            for pair in bigrams(&syllables(&text, folded_form)) {
                let term = TermQuery::new(Term::from_field_text(field, &pair), IndexRecordOption::WithFreqs);
                boosts.push((TantivyOccur::Should, Box::new(BoostQuery::new(Box::new(term), weight))));
            }
        }
        Box::new(BooleanQuery::new(boosts))
    }

    /// `package_autocomplete` (CKAN matches `name_ngram` and `title_ngram`): a name that
    /// contains the text, or a title whose words start with the text's syllables, with or
    /// without diacritics.
    pub fn autocomplete(&self, text: &str) -> BoxQuery {
        let mut either: Vec<(TantivyOccur, BoxQuery)> = Vec::new();
        if let Some(name) = self.fields.string("name") {
            let pattern = format!(".*{}.*", regex_escape(&text.trim().to_lowercase()));
            either.push((TantivyOccur::Should, Box::new(BoostQuery::new(regex(name, &pattern), 2.0))));
        }
        // Titles that start with the text come first.
        if let Some(title) = self.fields.string("title_string") {
            let typed: String = text.trim().nfc().collect();
            let mut chars = typed.chars();
            let capitalised: String = chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default();
            for start in [typed.clone(), capitalised] {
                let pattern = format!("{}.*", regex_escape(&start));
                either.push((TantivyOccur::Should, Box::new(BoostQuery::new(regex(title, &pattern), 3.0))));
            }
        }
        if let Some((vi, folded)) = self.fields.text("title") {
            let words = |field: Field, fold_it: bool| -> BoxQuery {
                let clauses: Vec<(TantivyOccur, BoxQuery)> = syllables(text, fold_it)
                    .iter()
                    .map(|s| (TantivyOccur::Must, regex(field, &format!("{}.*", regex_escape(s)))))
                    .collect();
                if clauses.is_empty() { Box::new(EmptyQuery) } else { Box::new(BooleanQuery::new(clauses)) }
            };
            either.push((TantivyOccur::Should, words(vi, false)));
            // Typed with diacritics, the diacritics must match; typed without, any will do.
            let normalized = normalize(text);
            if fold(&normalized) == normalized {
                either.push((TantivyOccur::Should, Box::new(BoostQuery::new(words(folded, true), FOLDED_WEIGHT))));
            }
        }
        Box::new(BooleanQuery::new(either))
    }

    /// A typed word or phrase, or one of its expansions (weighted below what was typed).
    fn dismax_unit(&self, unit: &Unit) -> BoxQuery {
        let typed = self.dismax_word(&unit.text, unit.quoted);
        if unit.alternatives.is_empty() {
            return typed;
        }
        let mut disjuncts = vec![typed];
        // Per syllable: an expansion to a longer text (`THPT` → four syllables) would otherwise
        // outscore the typed word by its length, one to a shorter text score too little.
        let typed_syllables = syllables(&unit.text, true).len().max(1) as f32;
        for alternative in &unit.alternatives {
            let ratio = typed_syllables / syllables(&alternative.text, true).len().max(1) as f32;
            let weight = (alternative.weight * ratio).min(1.0);
            disjuncts.push(Box::new(BoostQuery::new(self.alternative(alternative), weight)));
        }
        Box::new(DisjunctionMaxQuery::new(disjuncts))
    }

    /// An alternative's own query (unweighted): its text, and for a former unit the datasets
    /// whose administrative-unit field or `spatial_code` holds the current unit's code.
    pub fn alternative(&self, alternative: &Alternative) -> BoxQuery {
        let text = self.dismax_word(&alternative.text, alternative.quoted);
        let Kind::Merged(code) = &alternative.kind else { return text };
        if code.is_empty() {
            return text;
        }
        let mut disjuncts = vec![text];
        if let Some(field) = self.fields.string("pham_vi_khong_gian") {
            disjuncts.push(Box::new(BoostQuery::new(exact(field, code, TermKind::Plain), UNIT_CODE_WEIGHT)));
        }
        let spatial = format!("spatial_code{KV_SEPARATOR}{code}");
        disjuncts.push(Box::new(BoostQuery::new(exact(self.fields.kv, &spatial, TermKind::Plain), UNIT_CODE_WEIGHT)));
        Box::new(DisjunctionMaxQuery::with_tie_breaker(disjuncts, 0.1))
    }

    fn dismax_word(&self, text: &str, quoted: bool) -> BoxQuery {
        let kind = if quoted { TermKind::Phrase } else { TermKind::Plain };
        let mut disjuncts: Vec<BoxQuery> = Vec::new();
        for (name, weight) in [("name", 4.0), ("tags", 2.0), ("groups", 2.0)] {
            if let Some(field) = self.fields.string(name) {
                disjuncts.push(Box::new(BoostQuery::new(exact(field, text, TermKind::Plain), weight)));
            }
        }
        for (name, weight) in [("title", 4.0), ("text", 1.0)] {
            if let Some((vi, folded)) = self.fields.text(name) {
                disjuncts.push(analysed_parts(vi, folded, text, kind, weight));
            }
        }
        Box::new(DisjunctionMaxQuery::with_tie_breaker(disjuncts, 0.1))
    }
}

/// Free text's units: its words and known phrases, with their expansions and corrections.
pub fn free_text_units(q: &str, dictionary: Option<&dyn Dictionary>) -> Vec<Unit> {
    super::expand::units(&split_words(q), dictionary)
}

/// Splits free text into words: `(modifier, text, quoted)`.
fn split_words(q: &str) -> Vec<(Option<char>, String, bool)> {
    let mut words = Vec::new();
    let mut chars = q.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let modifier = if c == '+' || c == '-' {
            chars.next();
            Some(c)
        } else {
            None
        };
        if chars.peek() == Some(&'"') {
            chars.next();
            let text: String = chars.by_ref().take_while(|c| *c != '"').collect();
            words.push((modifier, text, true));
        } else {
            let text: String = std::iter::from_fn(|| chars.next_if(|c| !c.is_whitespace())).collect();
            if !text.is_empty() {
                words.push((modifier, text, false));
            }
        }
    }
    words.retain(|(_, text, _)| !syllables(text, false).is_empty() || !text.trim().is_empty());
    words
}

/// Solr's `mm=2<-1 5<80%`: one or two words all match; three to five all but one; more 80 %.
fn minimum_should_match(optional: usize) -> usize {
    match optional {
        0..=2 => optional,
        3..=5 => optional - 1,
        n => n * 4 / 5,
    }
}

/// An exact term (or pattern) on a string field.
fn exact(field: Field, text: &str, kind: TermKind) -> BoxQuery {
    if kind == TermKind::Wildcard {
        return regex(field, &wildcard_regex(text));
    }
    Box::new(TermQuery::new(Term::from_field_text(field, text), IndexRecordOption::Basic))
}

/// An analysed match on a text field: the diacritics-kept field, or the folded one with less
/// weight. Several syllables make a phrase.
fn analysed(vi: Field, folded: Field, text: &str, kind: TermKind, weight: f32) -> BoxQuery {
    Box::new(BooleanQuery::new(analysed_clauses(vi, folded, text, kind, weight)))
}

fn analysed_parts(vi: Field, folded: Field, text: &str, kind: TermKind, weight: f32) -> BoxQuery {
    let clauses = analysed_clauses(vi, folded, text, kind, weight);
    Box::new(DisjunctionMaxQuery::with_tie_breaker(clauses.into_iter().map(|(_, q)| q).collect(), 0.1))
}

fn analysed_clauses(
    vi: Field,
    folded: Field,
    text: &str,
    kind: TermKind,
    weight: f32,
) -> Vec<(TantivyOccur, BoxQuery)> {
    if kind == TermKind::Wildcard {
        let folded_text = fold(&normalize(text));
        return vec![(TantivyOccur::Should, regex(folded, &wildcard_regex(&folded_text)))];
    }
    let mut clauses: Vec<(TantivyOccur, BoxQuery)> = Vec::new();
    // Words typed with diacritics match those diacritics only; words typed without them match
    // any (the folded field), with less weight than an exact match.
    let normalized = normalize(text);
    let typed_with_diacritics = fold(&normalized) != normalized;
    let forms: &[(Field, bool, f32)] = if typed_with_diacritics {
        &[(vi, false, weight)]
    } else {
        &[(vi, false, weight), (folded, true, weight * FOLDED_WEIGHT)]
    };
    for &(field, folded_form, field_weight) in forms {
        let terms: Vec<Term> = syllables(text, folded_form).iter().map(|s| Term::from_field_text(field, s)).collect();
        let query: BoxQuery = match terms.len() {
            0 => continue,
            1 => match terms.into_iter().next() {
                Some(term) => Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)),
                None => continue,
            },
            _ => Box::new(PhraseQuery::new(terms)),
        };
        clauses.push((TantivyOccur::Should, Box::new(BoostQuery::new(query, field_weight))));
    }
    if clauses.is_empty() {
        clauses.push((TantivyOccur::Should, Box::new(EmptyQuery)));
    }
    clauses
}

fn regex(field: Field, pattern: &str) -> BoxQuery {
    match RegexQuery::from_pattern(pattern, field) {
        Ok(query) => Box::new(query),
        Err(_) => Box::new(EmptyQuery),
    }
}

fn regex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\.+*?()|[]{}^$#&-~\"@<>".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Turns a Lucene wildcard (`*` any run, `?` one character) into a regex.
fn wildcard_regex(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '*' => ".*".to_string(),
            '?' => ".".to_string(),
            other => regex_escape(&other.to_string()),
        })
        .collect()
}

fn date_term(field: Field, date: NaiveDateTime) -> Term {
    Term::from_field_date(field, DateTime::from_timestamp_micros(date.and_utc().timestamp_micros()))
}

fn invalid_date(text: &str) -> SyntaxError {
    SyntaxError(format!("Invalid Date String:'{text}'"))
}

/// Parses a Solr date with date math: `NOW`, `2025-05-01T09:00:00.123456Z`, then any of
/// `+7DAYS`, `-1MONTH`, `/DAY`.
pub fn parse_date(text: &str, now: NaiveDateTime) -> Option<NaiveDateTime> {
    let (mut date, mut rest) = if let Some(rest) = text.strip_prefix("NOW") {
        (now, rest)
    } else {
        let end = text.find('Z').map(|i| i + 1).unwrap_or_else(|| text.find(['+', '/']).unwrap_or(text.len()));
        let (base, rest) = text.split_at(end);
        (parse_base_date(base)?, rest)
    };
    while !rest.is_empty() {
        let op = rest.chars().next()?;
        let body = rest.get(1..)?;
        let split = body.find(['+', '-', '/']).unwrap_or(body.len());
        let (term, next) = body.split_at(split);
        rest = next;
        date = match op {
            '/' => round_down(date, term)?,
            '+' | '-' => {
                let digits: String = term.chars().take_while(char::is_ascii_digit).collect();
                let amount: i64 = digits.parse().ok()?;
                let unit = term.get(digits.len()..)?;
                shift(date, if op == '-' { -amount } else { amount }, unit)?
            }
            _ => return None,
        };
    }
    Some(date)
}

fn parse_base_date(text: &str) -> Option<NaiveDateTime> {
    let trimmed = text.trim_end_matches('Z');
    if let Ok(date) = NaiveDateTime::parse_from_str(trimmed, "%Y-%m-%dT%H:%M:%S%.f") {
        return Some(date);
    }
    if let Ok(date) = ChronoDateTime::parse_from_rfc3339(text) {
        return Some(date.with_timezone(&Utc).naive_utc());
    }
    NaiveDate::parse_from_str(trimmed, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0))
}

fn unit_of(text: &str) -> &str {
    text.strip_suffix('S').unwrap_or(text)
}

fn shift(date: NaiveDateTime, amount: i64, unit: &str) -> Option<NaiveDateTime> {
    let months = |n: i64| -> Option<NaiveDateTime> {
        let magnitude = Months::new(u32::try_from(n.unsigned_abs()).ok()?);
        if n < 0 { date.checked_sub_months(magnitude) } else { date.checked_add_months(magnitude) }
    };
    match unit_of(unit) {
        "YEAR" => months(amount.checked_mul(12)?),
        "MONTH" => months(amount),
        "DAY" | "DATE" => date.checked_add_signed(Duration::try_days(amount)?),
        "HOUR" => date.checked_add_signed(Duration::try_hours(amount)?),
        "MINUTE" => date.checked_add_signed(Duration::try_minutes(amount)?),
        "SECOND" => date.checked_add_signed(Duration::try_seconds(amount)?),
        "MILLI" | "MILLISECOND" => date.checked_add_signed(Duration::try_milliseconds(amount)?),
        _ => None,
    }
}

fn round_down(date: NaiveDateTime, unit: &str) -> Option<NaiveDateTime> {
    let day = date.date();
    match unit_of(unit) {
        "YEAR" => NaiveDate::from_ymd_opt(day.year(), 1, 1)?.and_hms_opt(0, 0, 0),
        "MONTH" => NaiveDate::from_ymd_opt(day.year(), day.month(), 1)?.and_hms_opt(0, 0, 0),
        "DAY" | "DATE" => day.and_hms_opt(0, 0, 0),
        "HOUR" => day.and_hms_opt(date.hour(), 0, 0),
        "MINUTE" => day.and_hms_opt(date.hour(), date.minute(), 0),
        "SECOND" => day.and_hms_opt(date.hour(), date.minute(), date.second()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solr_date_math() {
        let now = parse_base_date("2025-07-15T10:30:00").unwrap();
        assert_eq!(parse_date("NOW/DAY", now), parse_base_date("2025-07-15T00:00:00"));
        assert_eq!(parse_date("NOW-7DAYS", now), parse_base_date("2025-07-08T10:30:00"));
        assert_eq!(parse_date("NOW-1MONTH/DAY", now), parse_base_date("2025-06-15T00:00:00"));
        assert_eq!(parse_date("2025-07-01T02:00:00.512345Z", now), parse_base_date("2025-07-01T02:00:00.512345"));
        assert_eq!(parse_date("2025-07-01T02:00:00Z+1DAY", now), parse_base_date("2025-07-02T02:00:00"));
        assert_eq!(parse_date("yesterday", now), None);
    }

    #[test]
    fn minimum_should_match_follows_ckan() {
        assert_eq!([1, 2, 3, 5, 6, 10].map(minimum_should_match), [1, 2, 2, 4, 4, 8]);
    }
}
