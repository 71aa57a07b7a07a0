//! Vietnamese text analysis for the index: NFC, lower case, one tone placement, syllables as
//! tokens; and the folded form (tones and marks removed, `đ`→`d`) for queries typed without
//! diacritics. The same functions analyse documents and queries.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// The five tone marks, as combining characters.
const TONE_MARKS: [char; 5] = ['\u{300}', '\u{301}', '\u{303}', '\u{309}', '\u{323}'];
const VOWELS: &str = "aăâeêioôơuưy";
const MARKED_VOWELS: &str = "ăâêôơư";

/// Returns `text` in NFC, lower case, with every syllable's tone mark on one canonical vowel
/// (`hòa` and `hoà` both become `hoà`, `thủy` and `thuỷ` both `thuỷ`).
pub fn normalize(text: &str) -> String {
    let composed = match unicode_normalization::is_nfc_quick(text.chars()) {
        unicode_normalization::IsNormalized::Yes => std::borrow::Cow::Borrowed(text),
        _ => std::borrow::Cow::Owned(text.nfc().collect::<String>()),
    };
    let lowered = composed.to_lowercase();
    let mut out = String::with_capacity(lowered.len());
    let mut word = String::new();
    for c in lowered.chars() {
        if c.is_alphanumeric() {
            word.push(c);
        } else {
            out.push_str(&canonical_tone(&word));
            word.clear();
            out.push(c);
        }
    }
    out.push_str(&canonical_tone(&word));
    out
}

/// Returns `text` lower-cased with every diacritic removed and `đ` as `d`.
pub fn fold(text: &str) -> String {
    text.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .map(|c| if c == 'đ' { 'd' } else { c })
        .collect()
}

/// Toneless letters with a tone mark (a combining character, or "" for none), the mark on the
/// vowel that carries it (`tieng` + acute → `tiếng`); `None` without a vowel.
pub fn with_tone(letters: &str, mark: &str) -> Option<String> {
    // The mark after the first vowel composes with it; `normalize` then moves it to the vowel
    // that carries the tone.
    let at = letters.char_indices().find(|(_, c)| VOWELS.contains(*c)).map(|(i, c)| i + c.len_utf8())?;
    let (head, tail) = letters.split_at(at);
    Some(normalize(&format!("{head}{mark}{tail}")))
}

/// Splits analysed text into syllables (runs of letters and digits).
pub fn syllables(text: &str, folded: bool) -> Vec<String> {
    let normalized = normalize(text);
    let analysed = if folded { fold(&normalized) } else { normalized };
    analysed.split(|c: char| !c.is_alphanumeric()).filter(|s| !s.is_empty()).map(str::to_string).collect()
}

thread_local! {
    /// Syllables seen by this thread and their canonical form (Vietnamese has a few thousand).
    static CANONICAL: std::cell::RefCell<std::collections::HashMap<String, String>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}
const CANONICAL_CACHE_LIMIT: usize = 50_000;

/// Places one syllable's tone mark by a single rule (see the module comment).
fn canonical_tone(word: &str) -> String {
    if word.is_empty() || word.is_ascii() {
        return word.to_string();
    }
    if let Some(known) = CANONICAL.with(|cache| cache.borrow().get(word).cloned()) {
        return known;
    }
    let canonical = place_tone(word);
    CANONICAL.with(|cache| {
        let mut cache = cache.borrow_mut();
        if cache.len() >= CANONICAL_CACHE_LIMIT {
            cache.clear();
        }
        cache.insert(word.to_string(), canonical.clone());
    });
    canonical
}

fn place_tone(word: &str) -> String {
    let decomposed: Vec<char> = word.nfd().collect();
    let Some(tone) = decomposed.iter().copied().find(|c| TONE_MARKS.contains(c)) else {
        return word.to_string();
    };
    if decomposed.iter().filter(|c| TONE_MARKS.contains(c)).count() > 1 {
        return word.to_string();
    }
    let letters: Vec<char> = decomposed.iter().filter(|c| !TONE_MARKS.contains(c)).collect::<String>().nfc().collect();
    let Some(position) = tone_position(&letters) else { return word.to_string() };
    let mut out = String::with_capacity(word.len() + 2);
    for (index, letter) in letters.iter().enumerate() {
        out.push(*letter);
        if index == position {
            out.push(tone);
        }
    }
    out.nfc().collect()
}

/// Returns the index of the vowel that carries the tone in a toneless syllable.
fn tone_position(letters: &[char]) -> Option<usize> {
    let is_vowel = |c: &char| VOWELS.contains(*c);
    let first = letters.iter().position(is_vowel)?;
    let mut start = first;
    let end = first + letters.iter().skip(first).take_while(|c| is_vowel(c)).count();
    let previous = first.checked_sub(1).and_then(|i| letters.get(i));
    let starts_cluster = |initial: char, vowel: char| previous == Some(&initial) && letters.get(first) == Some(&vowel);
    // `qu` and `gi` are initials: the vowel after them carries the tone.
    if end - start > 1 && (starts_cluster('q', 'u') || starts_cluster('g', 'i')) {
        start += 1;
    }
    let cluster = letters.get(start..end)?;
    if let Some(marked) = cluster.iter().rposition(|c| MARKED_VOWELS.contains(*c)) {
        return Some(start + marked);
    }
    let closed = end < letters.len();
    Some(match cluster.len() {
        0 | 1 => start,
        _ if closed => end - 1,
        3.. => start + 1,
        _ if matches!(cluster, ['o', 'a'] | ['o', 'e'] | ['u', 'y']) => start + 1,
        _ => start,
    })
}

/// Returns the pairs of adjacent syllables ("chất lượng nước" → "chất lượng", "lượng nước"):
/// one term per pair lets adjacency be scored without reading positions.
pub fn bigrams(syllables: &[String]) -> Vec<String> {
    syllables.windows(2).map(|pair| pair.join(" ")).collect()
}

/// tantivy tokenizer over [`syllables`]: `vi` keeps diacritics, `vi_folded` removes them;
/// with `pairs`, the tokens are [`bigrams`].
#[derive(Clone)]
pub struct VietnameseTokenizer {
    folded: bool,
    pairs: bool,
    token: Token,
}

impl VietnameseTokenizer {
    /// Returns the tokenizer; `folded` removes diacritics, `pairs` makes syllable pairs.
    pub fn new(folded: bool, pairs: bool) -> Self {
        VietnameseTokenizer { folded, pairs, token: Token::default() }
    }
}

/// The tokens of one text.
pub struct SyllableStream<'a> {
    syllables: std::vec::IntoIter<String>,
    position: usize,
    token: &'a mut Token,
}

impl Tokenizer for VietnameseTokenizer {
    type TokenStream<'a> = SyllableStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> SyllableStream<'a> {
        self.token.reset();
        let tokens = syllables(text, self.folded);
        let tokens = if self.pairs { bigrams(&tokens) } else { tokens };
        SyllableStream { syllables: tokens.into_iter(), position: 0, token: &mut self.token }
    }
}

impl TokenStream for SyllableStream<'_> {
    fn advance(&mut self) -> bool {
        let Some(syllable) = self.syllables.next() else { return false };
        self.token.offset_from = self.token.offset_to;
        self.token.offset_to += syllable.len();
        self.token.position = self.position;
        self.token.position_length = 1;
        self.token.text = syllable;
        self.position += 1;
        true
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nfd_input_and_both_tone_styles_give_the_same_syllables() {
        let nfd: String = "Việt Nam".nfd().collect();
        assert_eq!(syllables(&nfd, false), vec!["việt", "nam"]);
        assert_eq!(normalize("hòa"), normalize("hoà"));
        assert_eq!(normalize("thủy"), normalize("thuỷ"));
        assert_eq!(normalize("Khánh Hòa"), "khánh hoà");
        assert_eq!(normalize("quý"), "quý");
        assert_eq!(normalize("già"), "già");
        assert_eq!(normalize("gì"), "gì");
        assert_eq!(normalize("người"), "người");
        assert_eq!(normalize("hoàng"), "hoàng");
        assert_eq!(normalize("khuỷu"), normalize("khủyu"));
    }

    #[test]
    fn folding_removes_tones_marks_and_d_bar() {
        assert_eq!(syllables("Dân số ĐẮK LẮK", true), vec!["dan", "so", "dak", "lak"]);
        assert_eq!(syllables("DÂN SỐ", false), syllables("dân số", false));
    }
}
