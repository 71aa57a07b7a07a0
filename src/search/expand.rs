//! Free-text expansions that forgive how citizens type (the portal's search box and `q`
//! without fields): i/y spelling variants (`kĩ sư` / `kỹ sư`, `qui định` / `quy định`),
//! abbreviations of public administration in either direction (`UBND` / `Ủy ban nhân dân`),
//! place names typed as one word (`Daklak`, `Hanoi`, `Saigon`), and provinces merged away in
//! 2025 (`Bình Định` also finds Gia Lai's datasets), and Telex or VNI keystrokes typed with the
//! input method off (`tieengs vieetj`). Each expansion is an alternative of the typed word or
//! phrase, weighted below an exact and a folded match ([`EXPANSION_WEIGHT`]; keystrokes
//! [`KEYSTROKES_WEIGHT`]).
//! The data lives in `lexicon/*.tsv`, with its sources.

use std::collections::HashMap;
use std::sync::LazyLock;

use super::analysis::{fold, normalize, syllables};

/// An expansion's weight against the typed text (a folded match counts 0.5).
pub const EXPANSION_WEIGHT: f32 = 0.4;
/// Keystrokes decoded as Telex or VNI rank below the other expansions.
pub const KEYSTROKES_WEIGHT: f32 = 0.3;
/// The longest typed phrase looked up (`bà rịa vũng tàu`: 4 words).
const LONGEST_PHRASE: usize = 4;

/// One typed word, or a typed phrase the lexicon knows, with its alternatives.
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    pub modifier: Option<char>,
    pub text: String,
    /// A phrase (a quoted text, or words the lexicon joined).
    pub quoted: bool,
    /// Alternatives: `(text, quoted, weight)`.
    pub alternatives: Vec<(String, bool, f32)>,
}

/// The lexicon: keys folded and lower-cased.
struct Lexicon {
    /// Abbreviation → long forms; a one-word place → names.
    words: HashMap<String, Vec<String>>,
    /// A phrase (long form, former province, place) → alternatives.
    phrases: HashMap<String, Vec<String>>,
}

fn rows(text: &str) -> impl Iterator<Item = (&str, &str)> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split_once('\t'))
        .map(|(a, b)| (a.trim(), b.trim()))
}

/// A text's lookup key: lower case, folded, syllables joined by one space.
fn key(text: &str) -> String {
    syllables(text, true).join(" ")
}

/// An abbreviation's key: `TP.HCM`, `GD&ĐT`, `KT-XH` → `tphcm`, `gddt`, `ktxh`.
fn abbreviation_key(word: &str) -> String {
    fold(&normalize(word)).chars().filter(|c| c.is_alphanumeric()).collect::<String>().to_lowercase()
}

static LEXICON: LazyLock<Lexicon> = LazyLock::new(|| {
    let mut lexicon = Lexicon { words: HashMap::new(), phrases: HashMap::new() };
    for (abbreviation, long) in rows(include_str!("../../lexicon/abbreviations.tsv")) {
        lexicon.words.entry(abbreviation.to_string()).or_default().push(long.to_string());
        if syllables(long, true).len() > 1 {
            lexicon.phrases.entry(key(long)).or_default().push(abbreviation.to_uppercase());
        }
    }
    for (typed, name) in rows(include_str!("../../lexicon/places.tsv")) {
        lexicon.words.entry(typed.to_string()).or_default().push(name.to_string());
    }
    for (former, current) in rows(include_str!("../../lexicon/provinces-2025.tsv")) {
        lexicon.phrases.entry(key(former)).or_default().push(current.to_string());
    }
    lexicon
});

/// The same syllable with `i` and `y` swapped when both spellings are accepted: a final `i`/`y`
/// (with its tone) after h, k, l, m, s, t, v or qu (`kĩ` ↔ `kỹ`, `qui` ↔ `quy`, `ly` ↔ `li`).
pub fn iy_variant(syllable: &str) -> Option<String> {
    const PAIRS: [(char, char); 6] = [('i', 'y'), ('í', 'ý'), ('ì', 'ỳ'), ('ỉ', 'ỷ'), ('ĩ', 'ỹ'), ('ị', 'ỵ')];
    let word: String = normalize(syllable);
    let last = word.chars().last()?;
    let head: String = word.chars().take(word.chars().count() - 1).collect();
    if !["h", "k", "l", "m", "s", "t", "v", "qu"].contains(&head.as_str()) {
        return None;
    }
    let swapped = PAIRS.iter().find_map(|(i, y)| match last {
        c if c == *i => Some(*y),
        c if c == *y => Some(*i),
        _ => None,
    })?;
    Some(format!("{head}{swapped}"))
}

/// The alternatives of one typed word.
fn word_alternatives(word: &str) -> Vec<(String, bool, f32)> {
    let mut alternatives = Vec::new();
    if let Some(longs) = LEXICON.words.get(&abbreviation_key(word)) {
        alternatives.extend(longs.iter().map(|l| (l.clone(), syllables(l, true).len() > 1, EXPANSION_WEIGHT)));
    }
    let parts = syllables(word, false);
    if parts.len() == 1
        && let Some(variant) = parts.first().and_then(|s| iy_variant(s))
    {
        alternatives.push((variant, false, EXPANSION_WEIGHT));
    }
    if let Some(decoded) = keystrokes(word) {
        alternatives.push((decoded, false, KEYSTROKES_WEIGHT));
    }
    alternatives
}

/// Onsets of Vietnamese syllables, longest first.
const ONSETS: [&str; 27] = [
    "ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr", "b", "c", "d", "đ", "g", "h", "k", "l", "m",
    "n", "p", "r", "s", "t", "v", "x",
];
const CODAS: [&str; 8] = ["ch", "ng", "nh", "c", "m", "n", "p", "t"];

/// Whether toneless letters form a Vietnamese syllable: an onset, one to three vowels, a coda;
/// a stop coda (c, ch, p, t) only with the sắc or nặng tone.
fn is_syllable(letters: &str, tone: Option<char>) -> bool {
    let onset = ONSETS.iter().find(|o| letters.starts_with(**o)).map_or("", |o| *o);
    let rest = letters.get(onset.len()..).unwrap_or_default();
    let vowels = rest.chars().take_while(|c| VOWEL_LETTERS.contains(*c)).count();
    let coda: String = rest.chars().skip(vowels).collect();
    let stop = matches!(coda.as_str(), "c" | "ch" | "p" | "t");
    (1..=3).contains(&vowels)
        && (coda.is_empty() || CODAS.contains(&coda.as_str()))
        && !(stop && matches!(tone, Some('f' | 'r' | 'x')))
}
const VOWEL_LETTERS: &str = "aăâeêioôơuưy";

/// A word typed as Telex (`tieengs` → `tiếng`, `owr` → `ở`, `dduwowngf` → `đường`) or VNI
/// (`tie6ng1` → `tiếng`) keystrokes with the input method off, decoded when the result is a
/// Vietnamese syllable; `None` for anything else (a word already in Vietnamese, English, a
/// code).
pub fn keystrokes(word: &str) -> Option<String> {
    let lower = word.to_lowercase();
    if lower.len() < 2 || lower.len() > 12 || !lower.chars().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    // VNI: letter marks and tones as digits, written as the Telex keys they stand for.
    let mut telex = String::new();
    let mut tone = None;
    let mut chars = lower.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('a' | 'e' | 'o', Some('6')) | ('d', Some('9')) => {
                telex.push(c);
                telex.push(c);
                chars.next();
            }
            ('o' | 'u', Some('7')) | ('a', Some('8')) => {
                telex.push(c);
                telex.push('w');
                chars.next();
            }
            ('1'..='5', _) if tone.is_none() && !telex.is_empty() => {
                tone = "sfrxj".chars().nth(c as usize - '1' as usize);
            }
            (c, _) if c.is_ascii_digit() => return None,
            (c, _) => telex.push(c),
        }
    }
    if tone.is_none() && telex.len() > 1 && telex.ends_with(['s', 'f', 'r', 'x', 'j']) {
        tone = telex.pop();
    }
    let mut letters = telex.clone();
    for (keys, letter) in [
        ("uwow", "ươ"),
        ("uow", "ươ"),
        ("uw", "ư"),
        ("ow", "ơ"),
        ("aw", "ă"),
        ("aa", "â"),
        ("ee", "ê"),
        ("oo", "ô"),
        ("dd", "đ"),
    ] {
        letters = letters.replace(keys, letter);
    }
    if (letters == telex && tone.is_none()) || letters.contains('w') || !is_syllable(&letters, tone) {
        return None;
    }
    let mark = match tone {
        Some('s') => "\u{301}",
        Some('f') => "\u{300}",
        Some('r') => "\u{309}",
        Some('x') => "\u{303}",
        Some('j') => "\u{323}",
        _ => "",
    };
    // The mark after the first vowel composes with it; `normalize` then moves it to the vowel
    // that carries the tone.
    let at = letters.char_indices().find(|(_, c)| VOWEL_LETTERS.contains(*c)).map(|(i, c)| i + c.len_utf8())?;
    let (head, tail) = letters.split_at(at);
    Some(normalize(&format!("{head}{mark}{tail}")))
}

/// Groups typed words into units with their alternatives: a run of plain words the lexicon
/// knows as a phrase becomes one unit; other plain words get their word alternatives; quoted,
/// `+` and `-` words are left as typed (a `+` word keeps its alternatives).
pub fn units(words: &[(Option<char>, String, bool)]) -> Vec<Unit> {
    let mut units = Vec::new();
    let mut i = 0;
    let plain = |w: &(Option<char>, String, bool)| w.0.is_none() && !w.2;
    while let Some(word @ (modifier, text, quoted)) = words.get(i) {
        if plain(word) {
            let joined = (2..=LONGEST_PHRASE).rev().find_map(|n| {
                let run = words.get(i..i + n)?;
                if !run.iter().all(plain) {
                    return None;
                }
                let phrase = run.iter().map(|w| w.1.as_str()).collect::<Vec<_>>().join(" ");
                LEXICON.phrases.get(&key(&phrase)).map(|alternatives| (n, phrase, alternatives))
            });
            if let Some((n, phrase, alternatives)) = joined {
                let alternatives =
                    alternatives.iter().map(|a| (a.clone(), syllables(a, true).len() > 1, EXPANSION_WEIGHT)).collect();
                units.push(Unit { modifier: None, text: phrase, quoted: true, alternatives });
                i += n;
                continue;
            }
        }
        let alternatives = if *modifier == Some('-') || *quoted { Vec::new() } else { word_alternatives(text) };
        units.push(Unit { modifier: *modifier, text: text.clone(), quoted: *quoted, alternatives });
        i += 1;
    }
    units
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(q: &str) -> Vec<(Option<char>, String, bool)> {
        q.split_whitespace().map(|w| (None, w.to_string(), false)).collect()
    }

    #[test]
    fn i_and_y_swap_only_where_both_spellings_are_accepted() {
        assert_eq!(iy_variant("kĩ").as_deref(), Some("kỹ"));
        assert_eq!(iy_variant("lý").as_deref(), Some("lí"));
        assert_eq!(iy_variant("qui").as_deref(), Some("quy"));
        assert_eq!(iy_variant("Mỹ").as_deref(), Some("mĩ"));
        assert_eq!(iy_variant("ky").as_deref(), Some("ki"));
        assert_eq!(iy_variant("bi"), None, "bi is never written by");
        assert_eq!(iy_variant("tin"), None);
        assert_eq!(iy_variant("y"), None);
    }

    #[test]
    fn telex_and_vni_keystrokes_decode_to_syllables_only() {
        let decoded = |w: &str| keystrokes(w);
        assert_eq!(decoded("tieengs").as_deref(), Some("tiếng"));
        assert_eq!(decoded("vieetj").as_deref(), Some("việt"));
        assert_eq!(decoded("nhaf").as_deref(), Some("nhà"));
        assert_eq!(decoded("owr").as_deref(), Some("ở"));
        assert_eq!(decoded("dduwowngf").as_deref(), Some("đường"));
        assert_eq!(decoded("nguwowif").as_deref(), Some("người"));
        assert_eq!(decoded("tie6ng1").as_deref(), Some("tiếng"));
        assert_eq!(decoded("d9u7o7ng2").as_deref(), Some("đường"));
        assert_eq!(decoded("dan"), None, "no keystroke: the word as typed");
        assert_eq!(decoded("bus").as_deref(), Some("bú"), "Telex as the keys say; ranked below what was typed");
        assert_eq!(decoded("xyz"), None, "not a syllable");
        assert_eq!(decoded("tiếng"), None);
        assert_eq!(decoded("2024"), None);
        assert_eq!(decoded("tootf"), None, "a stop coda takes no grave tone");
        assert_eq!(decoded("csdl"), None);
    }

    #[test]
    fn abbreviations_expand_both_ways_and_former_provinces_find_the_current_one() {
        let ubnd = units(&plain("UBND tỉnh"));
        assert_eq!(ubnd[0].alternatives, [("ủy ban nhân dân".to_string(), true, EXPANSION_WEIGHT)]);
        let long = units(&plain("uỷ ban nhân dân tỉnh"));
        assert_eq!(long.len(), 2);
        assert_eq!((long[0].text.as_str(), long[0].quoted), ("uỷ ban nhân dân", true));
        assert_eq!(long[0].alternatives, [("UBND".to_string(), false, EXPANSION_WEIGHT)]);
        assert_eq!(units(&plain("TP.HCM"))[0].alternatives, [("hồ chí minh".to_string(), true, EXPANSION_WEIGHT)]);
        assert_eq!(
            units(&plain("GD&ĐT"))[0].alternatives,
            [("giáo dục và đào tạo".to_string(), true, EXPANSION_WEIGHT)]
        );
        let merged = units(&plain("dân số binh dinh"));
        assert_eq!(merged.len(), 3);
        assert_eq!(merged[2].alternatives, [("gia lai".to_string(), true, EXPANSION_WEIGHT)]);
        assert_eq!(units(&plain("Daklak"))[0].alternatives, [("đắk lắk".to_string(), true, EXPANSION_WEIGHT)]);
        let quoted = units(&[(None, "UBND".into(), true), (Some('-'), "kĩ".into(), false)]);
        assert!(quoted.iter().all(|u| u.alternatives.is_empty()), "quoted and excluded words are as typed");
    }
}
