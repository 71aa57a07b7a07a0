//! The portal's languages: Vietnamese at the site's addresses, English under `/en/`. Every
//! interface text is a message in `messages/{vi,en}.ftl` (Fluent); numbers and dates are
//! written as each language writes them (`1.234,5` and `dd/MM/yyyy` in Vietnamese).

use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

/// A page's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Vi,
    En,
}

impl Lang {
    /// Reads the language from a request path (`/en` or `/en/…` is English).
    pub fn of_path(path: &str) -> Lang {
        if path == "/en" || path.starts_with("/en/") { Lang::En } else { Lang::Vi }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    /// The path prefix of the language's pages.
    pub fn prefix(self) -> &'static str {
        match self {
            Lang::Vi => "",
            Lang::En => "/en",
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Vi => Lang::En,
            Lang::En => Lang::Vi,
        }
    }
}

pub const VI_MESSAGES: &str = include_str!("messages/vi.ftl");
pub const EN_MESSAGES: &str = include_str!("messages/en.ftl");

fn bundle(lang: &str, source: &str) -> FluentBundle<FluentResource> {
    let language = lang.parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![language]);
    bundle.set_use_isolating(false);
    match FluentResource::try_new(source.to_string()) {
        Ok(resource) => {
            if let Err(errors) = bundle.add_resource(resource) {
                tracing::error!(?errors, lang, "duplicate messages");
            }
        }
        Err((resource, errors)) => {
            tracing::error!(?errors, lang, "message catalogue has syntax errors");
            let _ = bundle.add_resource(resource);
        }
    }
    bundle
}

static VI: LazyLock<FluentBundle<FluentResource>> = LazyLock::new(|| bundle("vi", VI_MESSAGES));
static EN: LazyLock<FluentBundle<FluentResource>> = LazyLock::new(|| bundle("en", EN_MESSAGES));

/// The messages and formats of one language, for templates (`m.t` with a message id).
#[derive(Debug, Clone, Copy)]
pub struct Msgs {
    pub lang: Lang,
}

impl Msgs {
    fn bundle(self) -> &'static FluentBundle<FluentResource> {
        match self.lang {
            Lang::Vi => &VI,
            Lang::En => &EN,
        }
    }

    fn format(self, key: &str, args: Option<&FluentArgs>) -> String {
        let bundle = self.bundle();
        let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
            tracing::error!(key, lang = self.lang.code(), "missing message");
            return key.to_string();
        };
        let mut errors = Vec::new();
        bundle.format_pattern(pattern, args, &mut errors).into_owned()
    }

    /// A message without arguments.
    pub fn t(&self, key: &str) -> String {
        self.format(key, None)
    }

    /// A message with a count (`$count` selects the plural, `$n` is the count written out).
    pub fn count(&self, key: &str, count: impl std::borrow::Borrow<u64>) -> String {
        let count = *count.borrow();
        let mut args = FluentArgs::new();
        args.set("count", FluentValue::from(count));
        args.set("n", FluentValue::from(self.number(count)));
        self.format(key, Some(&args))
    }

    /// A message with text arguments.
    pub fn with(&self, key: &str, values: &[(&str, &str)]) -> String {
        let mut args = FluentArgs::new();
        for (name, value) in values {
            args.set(*name, FluentValue::from(value.to_string()));
        }
        self.format(key, Some(&args))
    }

    /// An integer with the language's digit grouping (`12.345` / `12,345`).
    pub fn number(&self, value: impl std::borrow::Borrow<u64>) -> String {
        let value = *value.borrow();
        let separator = if self.lang == Lang::Vi { '.' } else { ',' };
        let digits = value.to_string();
        let mut out = String::with_capacity(digits.len() + digits.len() / 3);
        for (index, digit) in digits.chars().enumerate() {
            if index > 0 && (digits.len() - index).is_multiple_of(3) {
                out.push(separator);
            }
            out.push(digit);
        }
        out
    }

    /// A decimal number with one place (`1.234,5` / `1,234.5`).
    pub fn decimal(&self, value: f64) -> String {
        let tenths = (value.abs() * 10.0).round() as u64;
        let sign = if value < 0.0 && tenths > 0 { "-" } else { "" };
        let mark = if self.lang == Lang::Vi { ',' } else { '.' };
        format!("{sign}{}{mark}{}", self.number(tenths / 10), tenths % 10)
    }

    /// A file size (`1,5 MB`).
    pub fn size(&self, bytes: u64) -> String {
        match bytes {
            0..1024 => format!("{} B", self.number(bytes)),
            1024..1_048_576 => format!("{} KB", self.decimal(bytes as f64 / 1024.0)),
            1_048_576..1_073_741_824 => format!("{} MB", self.decimal(bytes as f64 / 1_048_576.0)),
            _ => format!("{} GB", self.decimal(bytes as f64 / 1_073_741_824.0)),
        }
    }

    /// A date from CKAN's ISO text (`2026-12-02T10:00:00.123456`): `02/12/2026` in Vietnamese,
    /// `2 Dec 2026` in English; text that is not a date is returned as it is.
    pub fn date(&self, iso: &str) -> String {
        let day = iso.get(..10).and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
        match (day, self.lang) {
            (Some(day), Lang::Vi) => day.format("%d/%m/%Y").to_string(),
            (Some(day), Lang::En) => day.format("%-d %b %Y").to_string(),
            (None, _) => iso.to_string(),
        }
    }

    /// A moment from CKAN's ISO text (UTC) in the province's time: `03/12/2026 10:42` in
    /// Vietnamese, `3 Dec 2026 10:42` in English; other text as it is.
    pub fn date_time(&self, iso: &str) -> String {
        let Some(utc) = chrono::NaiveDateTime::parse_from_str(iso.trim_end_matches('Z'), "%Y-%m-%dT%H:%M:%S%.f").ok()
        else {
            return iso.to_string();
        };
        let local = utc + chrono::Duration::hours(crate::compliance::UTC_OFFSET_HOURS);
        match self.lang {
            Lang::Vi => local.format("%d/%m/%Y %H:%M").to_string(),
            Lang::En => local.format("%-d %b %Y %H:%M").to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn keys(source: &str) -> BTreeSet<String> {
        let resource = FluentResource::try_new(source.to_string()).expect("the catalogue parses");
        resource
            .entries()
            .filter_map(|entry| match entry {
                fluent_syntax::ast::Entry::Message(message) => Some(message.id.name.to_string()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn both_catalogues_have_the_same_messages() {
        let (vi, en) = (keys(VI_MESSAGES), keys(EN_MESSAGES));
        assert!(vi.len() > 50);
        assert_eq!(vi.difference(&en).collect::<Vec<_>>(), Vec::<&String>::new(), "missing in English");
        assert_eq!(en.difference(&vi).collect::<Vec<_>>(), Vec::<&String>::new(), "missing in Vietnamese");
    }

    #[test]
    fn every_message_the_code_and_templates_use_exists() {
        let known = keys(VI_MESSAGES);
        let pattern = regex::Regex::new(r#"\.(?:t|count|with)\("([a-z0-9-]+)""#).unwrap();
        let mut sources = Vec::new();
        for folder in ["templates", "src/portal", "src/portal/pages"] {
            for entry in std::fs::read_dir(folder).unwrap() {
                let path = entry.unwrap().path();
                if path.is_file() {
                    sources.push((path.clone(), std::fs::read_to_string(&path).unwrap()));
                }
            }
        }
        let mut missing = Vec::new();
        // Ids held in tables and chosen in code (facets, sorts, activity kinds, licence terms):
        // every string literal of a page's code that has the form of an id.
        let literal = regex::Regex::new(r#""([a-z]+(?:-[a-z0-9]+)+)""#).unwrap();
        for (path, text) in sources.iter().filter(|(p, _)| p.extension().is_some_and(|e| e == "rs")) {
            let code = text.split("#[cfg(test)]").next().unwrap_or_default();
            for capture in literal.captures_iter(code) {
                let id = &capture[1];
                // HTTP header names and values are not messages.
                let http = [
                    "no-cache",
                    "no-store",
                    "sec-fetch-site",
                    "same-origin",
                    "strict-origin-when-cross-origin",
                    "x-forwarded-for",
                    "datetime-local",
                    "access-request",
                ];
                let not_a_message = http.contains(&id)
                    || id.starts_with("cc-")
                    || id.starts_with("odc-")
                    || id.starts_with("other-")
                    || matches!(id, "uk-ogl" | "vn-state-open-data" | "vn-dataset")
                    || ["linh_vuc", "pham_vi", "tan_suat"].iter().any(|f| id.contains(f));
                if !not_a_message && !known.contains(id) {
                    missing.push(format!("{}: {id}", path.display()));
                }
            }
        }
        for (path, text) in &sources {
            for capture in pattern.captures_iter(text) {
                if !known.contains(&capture[1]) {
                    missing.push(format!("{}: {}", path.display(), &capture[1]));
                }
            }
        }
        assert!(missing.is_empty(), "messages missing from the catalogues: {missing:#?}");
    }

    #[test]
    fn numbers_and_dates_as_each_language_writes_them() {
        let (vi, en) = (Msgs { lang: Lang::Vi }, Msgs { lang: Lang::En });
        assert_eq!(vi.number(1_234_567), "1.234.567");
        assert_eq!(en.number(1_234_567), "1,234,567");
        assert_eq!(vi.decimal(1234.5), "1.234,5");
        assert_eq!(vi.size(1_572_864), "1,5 MB");
        assert_eq!(vi.date("2026-03-07T10:00:00.5"), "07/03/2026");
        assert_eq!(en.date("2026-03-07T10:00:00.5"), "7 Mar 2026");
        assert_eq!(en.count("search-found", 1), "1 dataset found");
        assert_eq!(vi.count("search-found", 12345), "Tìm thấy 12.345 tập dữ liệu");
    }
}
