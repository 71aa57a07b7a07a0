//! The index schema, with CKAN's index field names (spec §5.6), and how a field name in a
//! query or a facet request maps to it.
//!
//! - Exact ("string") fields that clients filter and facet on most have their own tantivy
//!   field. Every other exact field (extras under their bare key and as `extras_<key>`,
//!   provincial schema fields, `site_id`, `private`, `num_resources`, …) is one term
//!   `key\u{1}value` in the shared field `kv`, so any name works without a schema change.
//! - Text fields are indexed twice: `vi` (diacritics kept) and folded (`<name>_f`).

use tantivy::schema::{
    DateOptions, DateTimePrecision, FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions,
};

use super::analysis::VietnameseTokenizer;

/// Separates key and value in the `kv` field.
pub const KV_SEPARATOR: char = '\u{1}';
/// Bumped whenever the schema or the analysis changes: an index built by another version is
/// rebuilt at start-up.
pub const SCHEMA_VERSION: u32 = 4;

/// Exact fields with their own tantivy field (filterable, facetable, sortable when single).
pub const STRING_FIELDS: &[&str] = &[
    "id",
    "name",
    "tags",
    "groups",
    "organization",
    "owner_org",
    "res_format",
    "license_id",
    "capacity",
    "state",
    "dataset_type",
    "creator_user_id",
    "title_string",
    "title_sort",
    // The provincial schema's fields the portal facets on: their own columns, so a facet does
    // not walk every key-value term of each match (10 ms each at 86,000 matches in `kv`).
    "linh_vuc",
    "pham_vi_khong_gian",
    "tan_suat_cap_nhat",
];

/// Dataset keys (schema fields or extras) indexed in their own exact field rather than `kv`.
pub const PROMOTED_KEYS: &[&str] = &["linh_vuc", "pham_vi_khong_gian", "tan_suat_cap_nhat"];

/// Analysed fields (each indexed as `vi` and folded).
pub const TEXT_FIELDS: &[&str] = &["title", "notes", "text", "res_name", "res_description", "author", "maintainer"];

/// Date fields.
pub const DATE_FIELDS: &[&str] = &["metadata_created", "metadata_modified"];

/// The tantivy schema and its fields, looked up by name once.
#[derive(Clone)]
pub struct Fields {
    pub schema: Schema,
    pub id: Field,
    pub kv: Field,
    /// Adjacent syllable pairs of the catch-all text: (diacritics kept, folded).
    pub pairs: (Field, Field),
    /// The id as a number that orders like the id (`id asc` sorts and ties).
    pub id_order: Field,
    pub labels: Field,
    pub data: Field,
    strings: Vec<(&'static str, Field)>,
    texts: Vec<(&'static str, Field, Field)>,
    dates: Vec<(&'static str, Field)>,
}

/// What a field name in a query refers to.
#[derive(Debug, Clone)]
pub enum FieldRef {
    /// An exact field of its own.
    String(Field),
    /// An exact field stored as `key\u{1}value` terms in `kv`.
    Dynamic(String),
    /// An analysed field: (diacritics kept, folded).
    Text(Field, Field),
    Date(Field),
}

impl Fields {
    /// Builds the schema.
    pub fn new() -> Fields {
        let mut builder = Schema::builder();
        let strings =
            STRING_FIELDS.iter().map(|name| (*name, builder.add_text_field(name, STRING | FAST))).collect::<Vec<_>>();
        let text_options = |tokenizer: &str| {
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(tokenizer)
                    .set_index_option(IndexRecordOption::WithFreqsAndPositions),
            )
        };
        let texts = TEXT_FIELDS
            .iter()
            .map(|name| {
                let vi = builder.add_text_field(name, text_options("vi"));
                let folded = builder.add_text_field(&format!("{name}_f"), text_options("vi_folded"));
                (*name, vi, folded)
            })
            .collect();
        let date_options = DateOptions::from(INDEXED).set_fast().set_precision(DateTimePrecision::Microseconds);
        let dates =
            DATE_FIELDS.iter().map(|name| (*name, builder.add_date_field(name, date_options.clone()))).collect();
        let pairs_options = |tokenizer: &str| {
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default().set_tokenizer(tokenizer).set_index_option(IndexRecordOption::WithFreqs),
            )
        };
        let pairs = (
            builder.add_text_field("text_pairs", pairs_options("vi_pairs")),
            builder.add_text_field("text_pairs_f", pairs_options("vi_folded_pairs")),
        );
        let kv = builder.add_text_field("kv", STRING | FAST);
        let id_order = builder.add_u64_field("id_order", FAST);
        let labels = builder.add_text_field("permission_labels", STRING);
        let data = builder.add_text_field("data", STORED);
        let id = strings.iter().find(|(n, _)| *n == "id").map_or(kv, |(_, f)| *f);
        Fields { schema: builder.build(), id, kv, id_order, pairs, labels, data, strings, texts, dates }
    }

    /// Registers the tokenizers the schema names on an index.
    pub fn register_tokenizers(index: &tantivy::Index) {
        let manager = index.tokenizers();
        manager.register("vi", VietnameseTokenizer::new(false, false));
        manager.register("vi_folded", VietnameseTokenizer::new(true, false));
        manager.register("vi_pairs", VietnameseTokenizer::new(false, true));
        manager.register("vi_folded_pairs", VietnameseTokenizer::new(true, true));
    }

    /// Returns the exact field `name` (one of [`STRING_FIELDS`]).
    pub fn string(&self, name: &str) -> Option<Field> {
        self.strings.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
    }

    /// Returns the analysed pair for `name` (one of [`TEXT_FIELDS`]).
    pub fn text(&self, name: &str) -> Option<(Field, Field)> {
        self.texts.iter().find(|(n, _, _)| *n == name).map(|(_, vi, folded)| (*vi, *folded))
    }

    /// Returns the date field `name`.
    pub fn date(&self, name: &str) -> Option<Field> {
        self.dates.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
    }

    /// Resolves a field name used in a query, a filter or a facet request.
    pub fn resolve(&self, name: &str) -> FieldRef {
        let name = match name {
            "type" => "dataset_type",
            other => other,
        };
        if let Some(field) = self.string(name) {
            return FieldRef::String(field);
        }
        if let Some((vi, folded)) = self.text(name) {
            return FieldRef::Text(vi, folded);
        }
        if let Some(field) = self.date(name) {
            return FieldRef::Date(field);
        }
        FieldRef::Dynamic(name.to_string())
    }

    /// Returns the name of the fast column holding an exact field and the prefix of its values.
    pub fn column(&self, name: &str) -> (String, String) {
        match self.resolve(name) {
            FieldRef::String(field) => (self.schema.get_field_name(field).to_string(), String::new()),
            _ => ("kv".to_string(), format!("{name}{KV_SEPARATOR}")),
        }
    }
}

impl Default for Fields {
    fn default() -> Self {
        Fields::new()
    }
}

/// Returns a number that orders like the id string: the first 64 bits of a UUID, or the
/// first eight bytes of any other id.
pub fn id_order(id: &str) -> u64 {
    let is_uuid = id.len() == 36 && id.bytes().enumerate().all(|(i, b)| matches!(i, 8 | 13 | 18 | 23) == (b == b'-'));
    if is_uuid {
        let hex: String = id.chars().filter(|c| *c != '-').take(16).collect();
        if let Ok(number) = u64::from_str_radix(&hex, 16) {
            return number;
        }
    }
    let mut bytes = [0u8; 8];
    for (slot, byte) in bytes.iter_mut().zip(id.bytes()) {
        *slot = byte;
    }
    u64::from_be_bytes(bytes)
}
