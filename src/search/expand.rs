//! Free-text expansions that forgive how citizens type (the portal's search box and `q`
//! without fields): i/y spelling variants (`kĩ sư` / `kỹ sư`, `qui định` / `quy định`),
//! abbreviations of public administration in either direction (`UBND` / `Ủy ban nhân dân`),
//! place names typed as one word (`Daklak`, `Hanoi`, `Saigon`), and provinces merged away in
//! 2025 and their districts (`Bình Định`, `Quy Nhơn` also find Gia Lai's datasets, by text and
//! by administrative-unit code), Telex or VNI keystrokes typed with the input method off
//! (`tieengs vieetj`), and — for a word the index does not hold — a tone or one-letter typo
//! correction from the index ([`correct`]). Each is an alternative of the typed word or phrase,
//! weighted below an exact and a folded match, in this order of trust: [`EXPANSION_WEIGHT`],
//! [`KEYSTROKES_WEIGHT`], [`TYPO_WEIGHT`].
//! The data lives in `lexicon/*.tsv`, with its sources.

use std::collections::HashMap;
use std::sync::LazyLock;

use super::analysis::{fold, normalize, syllables, with_tone};
use super::correct::{self, Dictionary, TYPO_WEIGHT};

/// An expansion's weight against the typed text (a folded match counts 0.5).
pub const EXPANSION_WEIGHT: f32 = 0.4;
/// Keystrokes decoded as Telex or VNI rank below the other expansions.
pub const KEYSTROKES_WEIGHT: f32 = 0.3;
/// The longest typed phrase looked up (`bà rịa vũng tàu`: 4 words).
const LONGEST_PHRASE: usize = 4;

/// Why an alternative is searched (the portal names it beside the results).
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// The other accepted i/y spelling.
    Spelling,
    /// An abbreviation's long form, or a long form's abbreviation.
    Abbreviation,
    /// A place's name, typed as one word or in its international form.
    Place,
    /// The 2025 province that now contains a former province or district, with its code.
    Merged(String),
    /// Telex or VNI keystrokes, decoded.
    Keystrokes,
    /// The word with other tone marks (typed with marks the index never saw).
    Tone,
    /// A word of the index one letter away.
    Typo,
}

/// Something searched instead of a typed word or phrase, weighted below it.
#[derive(Debug, Clone, PartialEq)]
pub struct Alternative {
    pub text: String,
    /// A phrase (several syllables searched next to each other).
    pub quoted: bool,
    pub weight: f32,
    pub kind: Kind,
}

impl Alternative {
    fn new(text: &str, kind: Kind) -> Self {
        let weight = match kind {
            Kind::Keystrokes => KEYSTROKES_WEIGHT,
            Kind::Tone | Kind::Typo => TYPO_WEIGHT,
            _ => EXPANSION_WEIGHT,
        };
        Alternative { text: text.to_string(), quoted: syllables(text, true).len() > 1, weight, kind }
    }
}

/// One typed word, or a typed phrase the lexicon knows, with its alternatives.
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    pub modifier: Option<char>,
    pub text: String,
    /// A phrase (a quoted text, or words the lexicon joined).
    pub quoted: bool,
    pub alternatives: Vec<Alternative>,
    /// How the word was probably meant (keystrokes decoded, tone or typo corrected).
    pub correction: Option<String>,
}

/// The lexicon: keys folded and lower-cased.
struct Lexicon {
    /// Abbreviation → long forms; a one-word place or former unit → names.
    words: HashMap<String, Vec<(String, Kind)>>,
    /// A phrase (long form, former province or district, place) → alternatives.
    phrases: HashMap<String, Vec<(String, Kind)>>,
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
        lexicon.words.entry(abbreviation.to_string()).or_default().push((long.to_string(), Kind::Abbreviation));
        if syllables(long, true).len() > 1 {
            lexicon.phrases.entry(key(long)).or_default().push((abbreviation.to_uppercase(), Kind::Abbreviation));
        }
    }
    for (typed, name) in rows(include_str!("../../lexicon/places.tsv")) {
        lexicon.words.entry(typed.to_string()).or_default().push((name.to_string(), Kind::Place));
    }
    let former_units =
        [include_str!("../../lexicon/provinces-2025.tsv"), include_str!("../../lexicon/districts-2025.tsv")];
    for (former, current) in former_units.iter().flat_map(|text| rows(text)) {
        let (name, code) = current.split_once('\t').unwrap_or((current, ""));
        let merged = (name.trim().to_string(), Kind::Merged(code.trim().to_string()));
        let map = if syllables(former, true).len() > 1 { &mut lexicon.phrases } else { &mut lexicon.words };
        map.entry(key(former)).or_default().push(merged);
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

/// The alternatives of one typed word from the lexicon, its spelling and its keystrokes.
fn word_alternatives(word: &str) -> Vec<Alternative> {
    let mut alternatives = Vec::new();
    if let Some(found) = LEXICON.words.get(&abbreviation_key(word)) {
        alternatives.extend(found.iter().map(|(text, kind)| Alternative::new(text, kind.clone())));
    }
    let parts = syllables(word, false);
    if parts.len() == 1
        && let Some(variant) = parts.first().and_then(|s| iy_variant(s))
    {
        alternatives.push(Alternative::new(&variant, Kind::Spelling));
    }
    if let Some(decoded) = keystrokes(word) {
        alternatives.push(Alternative::new(&decoded, Kind::Keystrokes));
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
pub fn is_syllable(letters: &str, tone: Option<char>) -> bool {
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
    with_tone(&letters, mark)
}

/// Groups typed words into units with their alternatives: a run of plain words the lexicon
/// knows as a phrase becomes one unit; other plain words get their word alternatives, or else
/// a correction from the index's `dictionary`; quoted, `+` and `-` words are left as typed (a
/// `+` word keeps its alternatives).
pub fn units(words: &[(Option<char>, String, bool)], dictionary: Option<&dyn Dictionary>) -> Vec<Unit> {
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
                    alternatives.iter().map(|(text, kind)| Alternative::new(text, kind.clone())).collect();
                units.push(Unit { modifier: None, text: phrase, quoted: true, alternatives, correction: None });
                i += n;
                continue;
            }
        }
        let mut unit = Unit {
            modifier: *modifier,
            text: text.clone(),
            quoted: *quoted,
            alternatives: Vec::new(),
            correction: None,
        };
        if *modifier != Some('-') && !*quoted {
            unit.alternatives = word_alternatives(text);
            unit.correction = unit.alternatives.iter().find(|a| a.kind == Kind::Keystrokes).map(|a| a.text.clone());
            // A word the lexicon does not know, or its keystrokes decoded, corrected from the
            // index when the index does not hold it (`truyeen` → `truyên` → `truyền`).
            if unit.alternatives.iter().all(|a| a.kind == Kind::Keystrokes)
                && let Some(dictionary) = dictionary
            {
                let neighbour = |at: Option<usize>| at.and_then(|j| words.get(j)).map(|w| w.1.as_str());
                let (left, right) = (neighbour(i.checked_sub(1)), neighbour(Some(i + 1)));
                let target = unit.correction.clone().unwrap_or_else(|| text.clone());
                if let Some(fixed) = correct::correct(&target, left, right, dictionary) {
                    let kind = if fixed.typo { Kind::Typo } else { Kind::Tone };
                    unit.alternatives.push(Alternative::new(&fixed.search, kind));
                    unit.correction = Some(fixed.spelling);
                }
            }
        }
        units.push(unit);
        i += 1;
    }
    units
}

/// The query as probably meant, when the typed one differs: keystrokes decoded, tones and
/// typos corrected (see [`correct::suggest`]).
pub fn suggestion(q: &str, dictionary: &dyn Dictionary) -> Option<String> {
    let decoded: Vec<String> = q.split_whitespace().map(|w| keystrokes(w).unwrap_or_else(|| w.to_string())).collect();
    let decoded = decoded.join(" ");
    match correct::suggest(&decoded, dictionary) {
        Some(corrected) => Some(corrected),
        None => (decoded != q.split_whitespace().collect::<Vec<_>>().join(" ")).then_some(decoded),
    }
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

    /// `(text, phrase, kind)` of a unit's alternatives.
    fn found(unit: &Unit) -> Vec<(&str, bool, Kind)> {
        unit.alternatives.iter().map(|a| (a.text.as_str(), a.quoted, a.kind.clone())).collect()
    }

    #[test]
    fn abbreviations_expand_both_ways_and_former_units_find_the_current_province() {
        let ubnd = units(&plain("UBND tỉnh"), None);
        assert_eq!(found(&ubnd[0]), [("ủy ban nhân dân", true, Kind::Abbreviation)]);
        assert_eq!(ubnd[0].alternatives[0].weight, EXPANSION_WEIGHT);
        let long = units(&plain("uỷ ban nhân dân tỉnh"), None);
        assert_eq!(long.len(), 2);
        assert_eq!((long[0].text.as_str(), long[0].quoted), ("uỷ ban nhân dân", true));
        assert_eq!(found(&long[0]), [("UBND", false, Kind::Abbreviation)]);
        assert_eq!(found(&units(&plain("TP.HCM"), None)[0]), [("hồ chí minh", true, Kind::Abbreviation)]);
        assert_eq!(found(&units(&plain("GD&ĐT"), None)[0]), [("giáo dục và đào tạo", true, Kind::Abbreviation)]);
        let merged = units(&plain("dân số binh dinh"), None);
        assert_eq!(merged.len(), 3);
        assert_eq!(found(&merged[2]), [("gia lai", true, Kind::Merged("52".into()))]);
        let district = units(&plain("giá đất Quy Nhơn"), None);
        assert_eq!(found(&district[2]), [("gia lai", true, Kind::Merged("52".into()))]);
        let shared = units(&plain("an lão"), None);
        assert_eq!(
            found(&shared[0]),
            [("hải phòng", true, Kind::Merged("31".into())), ("gia lai", true, Kind::Merged("52".into()))],
            "a district name two provinces had finds both"
        );
        assert_eq!(found(&units(&plain("Pleiku"), None)[0]), [("gia lai", true, Kind::Merged("52".into()))]);
        assert_eq!(found(&units(&plain("Hoàn Kiếm"), None)[0]), [("hà nội", true, Kind::Merged("01".into()))]);
        assert_eq!(found(&units(&plain("Tuy Hòa"), None)[0]), [("đắk lắk", true, Kind::Merged("66".into()))]);
        assert_eq!(found(&units(&plain("Daklak"), None)[0]), [("đắk lắk", true, Kind::Place)]);
        let quoted = units(&[(None, "UBND".into(), true), (Some('-'), "kĩ".into(), false)], None);
        assert!(quoted.iter().all(|u| u.alternatives.is_empty()), "quoted and excluded words are as typed");
    }

    #[test]
    fn keystrokes_are_corrections_and_unknown_words_are_corrected_from_the_index() {
        struct Holds(&'static [&'static str]);
        impl Dictionary for Holds {
            fn documents(&self, lookup: correct::Lookup, text: &str) -> u64 {
                let held = self.0.iter().any(|w| match lookup {
                    correct::Lookup::Word | correct::Lookup::Pair => *w == text,
                    _ => fold(w) == text,
                });
                u64::from(held)
            }
        }
        let index = Holds(&["bệnh", "viện", "tiếng", "việt", "truyền"]);
        let typed = units(&plain("tieengs benh vein"), Some(&index));
        assert_eq!(typed[0].correction.as_deref(), Some("tiếng"));
        assert_eq!(found(&typed[0]), [("tiếng", false, Kind::Keystrokes)]);
        assert!(typed[1].alternatives.is_empty(), "a word the index holds is searched as typed");
        assert_eq!(found(&typed[2]), [("vien", false, Kind::Typo)]);
        assert_eq!(typed[2].correction.as_deref(), Some("viện"));
        assert_eq!(typed[2].alternatives[0].weight, TYPO_WEIGHT);
        assert!(units(&plain("benh vein"), None)[1].alternatives.is_empty(), "no index, no correction");
        let decoded = units(&plain("truyeen"), Some(&index));
        assert_eq!(found(&decoded[0]), [("truyên", false, Kind::Keystrokes), ("truyen", false, Kind::Tone)]);
        assert_eq!(decoded[0].correction.as_deref(), Some("truyền"), "keystrokes decoded, then their tone");
        assert_eq!(suggestion("tieengs vieetj", &index).as_deref(), Some("tiếng việt"));
        assert_eq!(suggestion("benh vein", &index).as_deref(), Some("bệnh viện"));
        assert_eq!(suggestion("bệnh viện", &index), None);
    }
}
