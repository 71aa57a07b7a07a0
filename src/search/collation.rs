//! Sort keys that order Vietnamese titles as a Vietnamese reader expects: by the alphabet
//! a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y (with f j w z in their Latin
//! places), then by tone (none, huyền, hỏi, ngã, sắc, nặng), then by case. Byte order of the
//! key is the collation order, so the key can be sorted as a plain string.

use unicode_normalization::UnicodeNormalization;

const ALPHABET: &str = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz";
/// Tone marks in dictionary order (no mark sorts first).
const TONES: [char; 5] = ['\u{300}', '\u{309}', '\u{303}', '\u{301}', '\u{323}'];

/// Returns the collation key of `text`: syllable by syllable, letters first, then the tone
/// (as a dictionary orders "ban" < "bàn" < "bản" < "banh"), then case for the whole text.
pub fn sort_key(text: &str) -> String {
    let mut key = String::with_capacity(text.len() * 2);
    let mut case = String::new();
    for (index, word) in
        text.split(|c: char| c.is_whitespace() || c.is_ascii_punctuation()).filter(|w| !w.is_empty()).enumerate()
    {
        if index > 0 {
            key.push('\u{1}');
        }
        let mut tones = String::new();
        for letter in word.nfc() {
            let lower = letter.to_lowercase().next().unwrap_or(letter);
            case.push(if lower == letter { '0' } else { '1' });
            let decomposed: Vec<char> = lower.to_string().nfd().collect();
            let tone = decomposed.iter().find_map(|c| TONES.iter().position(|t| t == c)).map_or(0, |i| i + 1);
            let base: String = decomposed.iter().filter(|c| !TONES.contains(c)).collect::<String>().nfc().collect();
            let mut base_chars = base.chars();
            let base_letter = match (base_chars.next(), base_chars.next()) {
                (Some(only), None) => only,
                _ => lower,
            };
            key.push(primary_weight(base_letter));
            tones.push(char::from(b'0' + u8::try_from(tone).unwrap_or(0)));
        }
        key.push('\u{2}');
        key.push_str(&tones);
    }
    key.push('\u{0}');
    key.push_str(&case);
    key
}

/// Digits first, then the alphabet, then everything else.
fn primary_weight(letter: char) -> char {
    if letter.is_ascii_digit() {
        return letter;
    }
    match ALPHABET.chars().position(|c| c == letter) {
        Some(rank) => char::from(b'A' + u8::try_from(rank).unwrap_or(0)),
        None => letter,
    }
}

#[cfg(test)]
mod tests {
    use super::sort_key;

    #[test]
    fn vietnamese_alphabet_and_tone_order() {
        let mut titles = vec!["Đường bộ", "Dân số", "Ăn uống", "An toàn", "Âm nhạc", "Bản đồ", "ban hành", "Bàn giao"];
        titles.sort_by_key(|t| sort_key(t));
        assert_eq!(
            titles,
            vec!["An toàn", "Ăn uống", "Âm nhạc", "ban hành", "Bàn giao", "Bản đồ", "Dân số", "Đường bộ"]
        );
    }
}
