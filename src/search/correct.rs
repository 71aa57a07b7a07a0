//! Corrections from the index's own words, for a typed word the index does not hold: a missing
//! or wrong tone mark (`dân sô` → `dân số`), and a one-letter typo — a letter missing, extra,
//! wrong, or two letters swapped (`benh vein` → `bệnh viện`). A correction is searched as an
//! alternative of the typed word below every other expansion ([`TYPO_WEIGHT`]); a word the
//! index holds is never corrected, so a correction never outranks an exact or folded match.
//! When a search finds nothing, [`suggest`] also corrects words the index holds but never next
//! to their neighbours (`dân sổ` when only `dân số` is written), for "Did you mean".

use super::analysis::{fold, normalize, syllables, with_tone};

/// A correction's weight against the typed text (keystrokes weigh 0.3, a folded match 0.5).
pub const TYPO_WEIGHT: f32 = 0.25;
/// Shorter words are not corrected for typos: too many words lie one letter away.
const SHORTEST_TYPO: usize = 3;
/// Letters in the longest Vietnamese syllable (`nghiêng`, `nghiệp`).
const LONGEST_SYLLABLE: usize = 7;
/// The letters of folded Vietnamese words (no f, j, w, z).
const LETTERS: &str = "abcdeghiklmnopqrstuvxy";
const TONES: [&str; 6] = ["", "\u{301}", "\u{300}", "\u{309}", "\u{303}", "\u{323}"];

/// What the index holds: in how many documents a syllable, or two adjacent syllables, appear.
pub trait Dictionary {
    fn documents(&self, lookup: Lookup, text: &str) -> u64;
}

/// A syllable with its diacritics or folded; a pair of adjacent syllables likewise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lookup {
    Word,
    FoldedWord,
    Pair,
    FoldedPair,
}

/// A typed word's correction: the text to search (folded: any diacritics match) and how it is
/// best written, for display.
#[derive(Debug, Clone, PartialEq)]
pub struct Correction {
    pub search: String,
    pub spelling: String,
    pub typo: bool,
}

/// Corrects a typed word the index does not hold; `left` and `right` are the typed neighbours,
/// which choose between candidates (`vein` after `benh` is `viện`, not `vẽn`).
pub fn correct(word: &str, left: Option<&str>, right: Option<&str>, dictionary: &dyn Dictionary) -> Option<Correction> {
    let syllable = single_syllable(word)?;
    let folded = fold(&syllable);
    let context = Context::new(left, right, dictionary);
    if folded != syllable {
        if dictionary.documents(Lookup::Word, &syllable) > 0 {
            return None;
        }
        if dictionary.documents(Lookup::FoldedWord, &folded) > 0 {
            let spelling = context.best_spelling_beside(&folded);
            return Some(Correction { search: folded, spelling, typo: false });
        }
    } else if dictionary.documents(Lookup::FoldedWord, &folded) > 0 {
        return None;
    }
    let candidate = context.best_typo(&folded)?;
    let spelling = context.best_spelling_beside(&candidate);
    Some(Correction { search: candidate, spelling, typo: true })
}

/// The query as it was probably meant, when it differs from what was typed: each word the index
/// does not hold corrected, and each word it holds but never beside a typed neighbour replaced
/// by a spelling that is (its other tones, then one-letter typos).
pub fn suggest(q: &str, dictionary: &dyn Dictionary) -> Option<String> {
    let words: Vec<&str> = q.split_whitespace().collect();
    let mut changed = false;
    let mut out = Vec::with_capacity(words.len());
    for (i, word) in words.iter().enumerate() {
        let left = i.checked_sub(1).and_then(|j| words.get(j)).copied();
        let right = words.get(i + 1).copied();
        let context = Context::new(left, right, dictionary);
        let fixed = correct(word, left, right, dictionary).map(|c| c.spelling).or_else(|| context.fit_neighbours(word));
        match fixed {
            Some(spelling) if normalize(&spelling) != normalize(word) => {
                changed = true;
                out.push(spelling);
            }
            // A word typed without marks is shown as it is written beside its neighbours.
            _ => out.push(match single_syllable(word) {
                Some(syllable) if fold(&syllable) == syllable => context.best_spelling_beside(&syllable),
                _ => (*word).to_string(),
            }),
        }
    }
    changed.then(|| out.join(" "))
}

/// The one syllable of a word of letters only (no digits, codes or several syllables), at most
/// as long as the longest Vietnamese syllable (`nghiêng`) and a typo.
fn single_syllable(word: &str) -> Option<String> {
    if word.chars().count() > LONGEST_SYLLABLE + 1 {
        return None;
    }
    let parts = syllables(word, false);
    let [syllable] = parts.as_slice() else { return None };
    syllable.chars().all(char::is_alphabetic).then(|| syllable.clone())
}

/// A typed neighbour of a word: as typed (normalised) and folded.
struct Neighbour {
    typed: String,
    folded: String,
    /// How it is written, for adjacent-pair lookups: as typed, or (typed without marks) its
    /// most frequent spelling, looked up once.
    written: std::cell::OnceCell<String>,
}

/// The typed neighbours of a word, which choose between candidates.
struct Context<'a> {
    left: Option<Neighbour>,
    right: Option<Neighbour>,
    dictionary: &'a dyn Dictionary,
}

impl<'a> Context<'a> {
    fn new(left: Option<&str>, right: Option<&str>, dictionary: &'a dyn Dictionary) -> Self {
        let neighbour = |w: Option<&str>| {
            w.and_then(single_syllable).map(|typed| Neighbour {
                folded: fold(&typed),
                typed,
                written: Default::default(),
            })
        };
        Context { left: neighbour(left), right: neighbour(right), dictionary }
    }

    /// Documents where a syllable stands beside the neighbours: folded, or as written (the
    /// neighbours as typed, or as they are most often written when typed without marks).
    fn beside(&self, syllable: &str, lookup: Lookup) -> u64 {
        let form = |n: &'_ Neighbour| -> String {
            match lookup {
                Lookup::Pair if n.typed == n.folded => n.written.get_or_init(|| self.best_spelling(&n.folded)).clone(),
                Lookup::Pair => n.typed.clone(),
                _ => n.folded.clone(),
            }
        };
        let pair = |a: &str, b: &str| self.dictionary.documents(lookup, &format!("{a} {b}"));
        self.left.as_ref().map_or(0, |l| pair(&form(l), syllable))
            + self.right.as_ref().map_or(0, |r| pair(syllable, &form(r)))
    }

    /// The word one letter away the index holds, preferring one beside the neighbours, then
    /// the most frequent.
    fn best_typo(&self, folded: &str) -> Option<String> {
        if folded.chars().count() < SHORTEST_TYPO {
            return None;
        }
        one_letter_away(folded)
            .into_iter()
            .filter(|c| is_folded_syllable(c))
            .filter_map(|c| {
                let documents = self.dictionary.documents(Lookup::FoldedWord, &c);
                (documents > 0).then(|| ((self.beside(&c, Lookup::FoldedPair), documents), c))
            })
            .max_by(by_score)
            .map(|(_, c)| c)
    }

    /// How a folded syllable is most often written in the index (`so` → `số`).
    fn best_spelling(&self, folded: &str) -> String {
        self.best_of(folded, |_| 0)
    }

    /// How a folded syllable is most often written beside the neighbours (`so` after `dân`
    /// → `số`), then anywhere.
    fn best_spelling_beside(&self, folded: &str) -> String {
        self.best_of(folded, |spelling| self.beside(spelling, Lookup::Pair))
    }

    fn best_of(&self, folded: &str, beside: impl Fn(&str) -> u64) -> String {
        // The bare folded form also comes from names (`giao-vien-dat-chuan`): a written
        // spelling is preferred to it.
        spellings(folded)
            .into_iter()
            .filter(|s| s != folded)
            .filter_map(|s| {
                let documents = self.dictionary.documents(Lookup::Word, &s);
                (documents > 0).then(|| ((beside(&s), documents), s))
            })
            .max_by(by_score)
            .map_or_else(|| folded.to_string(), |(_, s)| s)
    }

    /// A word the index holds but never beside its typed neighbours: the spelling (another
    /// tone, then a word one letter away) that is, if any.
    fn fit_neighbours(&self, word: &str) -> Option<String> {
        let syllable = single_syllable(word)?;
        let folded = fold(&syllable);
        if self.left.is_none() && self.right.is_none() {
            return None;
        }
        if self.beside(&folded, Lookup::FoldedPair) > 0 {
            if folded == syllable || self.beside(&syllable, Lookup::Pair) > 0 {
                return None;
            }
            let spelling = self.best_spelling_beside(&folded);
            return (spelling != syllable).then_some(spelling);
        }
        let candidate = self.best_typo(&folded).filter(|c| self.beside(c, Lookup::FoldedPair) > 0)?;
        Some(self.best_spelling_beside(&candidate))
    }
}

/// Orders scored candidates: the higher score, then (for a stable choice) the first in
/// alphabetical order.
fn by_score(a: &((u64, u64), String), b: &((u64, u64), String)) -> std::cmp::Ordering {
    a.0.cmp(&b.0).then_with(|| b.1.cmp(&a.1))
}

/// Whether folded letters can be a Vietnamese syllable.
fn is_folded_syllable(letters: &str) -> bool {
    super::expand::is_syllable(letters, None)
}

/// Every string one edit away: a letter deleted, inserted or replaced, or two neighbours swapped.
fn one_letter_away(word: &str) -> Vec<String> {
    let chars: Vec<char> = word.chars().collect();
    let at = |range: std::ops::Range<usize>| chars.get(range).map(|c| c.iter().collect::<String>()).unwrap_or_default();
    let n = chars.len();
    let mut out = Vec::new();
    for i in 0..=n {
        let (head, tail) = (at(0..i), at(i..n));
        for letter in LETTERS.chars() {
            out.push(format!("{head}{letter}{tail}"));
        }
        if i < n {
            let rest = at(i + 1..n);
            out.push(format!("{head}{rest}"));
            for letter in LETTERS.chars() {
                out.push(format!("{head}{letter}{rest}"));
            }
            if i + 1 < n {
                let swapped = format!("{head}{}{}{}", at(i + 1..i + 2), at(i..i + 1), at(i + 2..n));
                out.push(swapped);
            }
        }
    }
    out.sort();
    out.dedup();
    out.retain(|c| c != word && !c.is_empty());
    out
}

/// Every way a folded syllable may be written: its vowels with or without their marks, `d` or
/// `đ`, and each of the six tones (`so` → `so`, `số`, `sổ`, `sơ`, `sở`, …).
fn spellings(folded: &str) -> Vec<String> {
    let mut forms = vec![String::new()];
    for (i, c) in folded.chars().enumerate() {
        let options: Vec<char> = match c {
            'a' => vec!['a', 'ă', 'â'],
            'e' => vec!['e', 'ê'],
            'o' => vec!['o', 'ô', 'ơ'],
            'u' => vec!['u', 'ư'],
            'd' if i == 0 => vec!['d', 'đ'],
            other => vec![other],
        };
        forms = forms.iter().flat_map(|f| options.iter().map(move |o| format!("{f}{o}"))).collect();
        if forms.len() > 200 {
            return vec![folded.to_string()];
        }
    }
    forms.iter().flat_map(|letters| TONES.iter().filter_map(move |tone| with_tone(letters, tone))).collect()
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::search::analysis::bigrams;

    /// An index of a few titles, counted as tantivy counts documents per term.
    struct Titles(HashMap<(Lookup, String), u64>);

    impl Titles {
        fn new(titles: &[&str]) -> Self {
            let mut counts = HashMap::new();
            for title in titles {
                let mut seen = std::collections::HashSet::new();
                for folded in [false, true] {
                    let words = syllables(title, folded);
                    let (word, pair) =
                        if folded { (Lookup::FoldedWord, Lookup::FoldedPair) } else { (Lookup::Word, Lookup::Pair) };
                    for key in
                        words.iter().map(|w| (word, w.clone())).chain(bigrams(&words).into_iter().map(|p| (pair, p)))
                    {
                        if seen.insert(key.clone()) {
                            *counts.entry(key).or_insert(0) += 1;
                        }
                    }
                }
            }
            Titles(counts)
        }
    }

    impl Dictionary for Titles {
        fn documents(&self, lookup: Lookup, text: &str) -> u64 {
            self.0.get(&(lookup, text.to_string())).copied().unwrap_or(0)
        }
    }

    fn titles() -> Titles {
        Titles::new(&[
            "Danh sách bệnh viện tỉnh Gia Lai",
            "Giường bệnh tại các bệnh viện",
            "Dân số trung bình",
            "Dân số theo giới tính",
            "Sổ tay thủ tục hành chính",
            "Vẽ bản đồ quy hoạch",
            "Chợ truyền thống",
        ])
    }

    #[test]
    fn a_wrong_or_missing_tone_mark_searches_the_folded_word_and_shows_the_usual_spelling() {
        let index = titles();
        let fixed = correct("sô", Some("dân"), None, &index).unwrap();
        assert_eq!(fixed, Correction { search: "so".into(), spelling: "số".into(), typo: false });
        assert_eq!(correct("số", Some("dân"), None, &index), None, "a word the index holds is left alone");
        assert_eq!(correct("so", Some("dan"), None, &index), None, "folded words match any marks already");
    }

    #[test]
    fn a_one_letter_typo_becomes_the_indexed_word_beside_the_neighbours() {
        let index = titles();
        let vien = correct("vein", Some("benh"), None, &index).unwrap();
        assert_eq!((vien.search.as_str(), vien.spelling.as_str(), vien.typo), ("vien", "viện", true));
        assert_eq!(correct("benhh", None, Some("vien"), &index).unwrap().spelling, "bệnh");
        assert_eq!(correct("truyeen", Some("chợ"), None, &index).unwrap().spelling, "truyền");
        assert_eq!(correct("xq", None, None, &index), None, "two letters are too short to guess");
        assert_eq!(correct("2024", None, None, &index), None);
        assert_eq!(correct("qwerty", None, None, &index), None, "nothing one letter away");
        assert_eq!(correct(&"ư".repeat(512 * 1024), None, None, &index), None, "not a syllable: never edited");
    }

    #[test]
    fn suggestions_fix_unknown_words_and_words_that_never_stand_together() {
        let index = titles();
        assert_eq!(suggest("benh vein", &index).as_deref(), Some("bệnh viện"));
        assert_eq!(suggest("dân sổ", &index).as_deref(), Some("dân số"), "sổ is indexed, never after dân");
        assert_eq!(suggest("dân số", &index), None);
        assert_eq!(suggest("dan so", &index), None);
        assert_eq!(suggest("sổ tay", &index), None);
    }

    #[test]
    fn every_edit_and_spelling_is_generated() {
        let edits = one_letter_away("vein");
        for expected in ["vien", "ven", "vei", "veinh", "vin", "bein"] {
            assert!(edits.contains(&expected.to_string()), "{expected}");
        }
        let forms = spellings("so");
        for expected in ["so", "số", "sổ", "sơ", "sở", "sộ"] {
            assert!(forms.contains(&expected.to_string()), "{expected}");
        }
        assert!(spellings("duong").contains(&"đường".to_string()));
    }
}
