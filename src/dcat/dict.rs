//! The parts of a `package_show` dict the DCAT mapping reads, deserialised straight from the
//! stored JSON text, borrowing its strings (a catalogue page parses 100 dicts; a generic JSON
//! map of every key cost as much as mapping and writing the page together). Values of an
//! unexpected type read as absent, never as an error.

use std::borrow::Cow;
use std::fmt;

use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::value::MapAccessDeserializer;
use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// `visit_*` methods answering `$value` for the listed kinds of JSON value (`seq` and `map`
/// consume the list or object first, so the surrounding dict stays readable).
macro_rules! answer {
    ($value:expr; $($kind:ident),*) => { $(answer!(@ $kind $value);)* };
    (@ bool $value:expr) => { fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> { Ok($value) } };
    (@ i64 $value:expr) => { fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> { Ok($value) } };
    (@ u64 $value:expr) => { fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> { Ok($value) } };
    (@ f64 $value:expr) => { fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> { Ok($value) } };
    (@ str $value:expr) => { fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> { Ok($value) } };
    (@ unit $value:expr) => { fn visit_unit<E>(self) -> Result<Self::Value, E> { Ok($value) } };
    (@ none $value:expr) => { fn visit_none<E>(self) -> Result<Self::Value, E> { Ok($value) } };
    (@ seq $value:expr) => {
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok($value)
        }
    };
    (@ map $value:expr) => {
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok($value)
        }
    };
}

/// The `expecting` of a visitor that takes any JSON value.
macro_rules! any_value {
    () => {
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("any JSON value")
        }
    };
}

/// A text value: a JSON string, or absent (null, missing, or another type).
#[derive(Debug, Default, Clone)]
pub struct Text<'a>(Option<Cow<'a, str>>);

impl Text<'_> {
    /// The value without surrounding white space, `None` when empty.
    pub fn get(&self) -> Option<&str> {
        self.0.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl<'de> Visitor<'de> for TextVisitor {
            type Value = Text<'de>;
            any_value!();
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Some(Cow::Borrowed(v))))
            }
            fn visit_str<E>(self, v: &str) -> Result<Text<'de>, E> {
                Ok(Text(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_string<E>(self, v: String) -> Result<Text<'de>, E> {
                Ok(Text(Some(Cow::Owned(v))))
            }
            answer!(Text(None); bool, i64, u64, f64, unit, none, seq, map);
        }
        deserializer.deserialize_any(TextVisitor)
    }
}

/// An object, or `None` for any other value.
#[derive(Debug)]
pub struct Object<T>(pub Option<T>);

impl<T> Default for Object<T> {
    fn default() -> Self {
        Object(None)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Object<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectVisitor<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectVisitor<T> {
            type Value = Object<T>;
            any_value!();
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Object<T>, A::Error> {
                T::deserialize(MapAccessDeserializer::new(map)).map(|value| Object(Some(value)))
            }
            answer!(Object(None); bool, i64, u64, f64, str, unit, none, seq);
        }
        deserializer.deserialize_any(ObjectVisitor(PhantomData))
    }
}

/// A list of objects; any other value, and items that are not objects, are left out.
#[derive(Debug)]
pub struct List<T>(pub Vec<T>);

impl<T> Default for List<T> {
    fn default() -> Self {
        List(Vec::new())
    }
}

impl<T> std::ops::Deref for List<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.0
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ListVisitor<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for ListVisitor<T> {
            type Value = List<T>;
            any_value!();
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<List<T>, A::Error> {
                let mut items = Vec::new();
                while let Some(Object(item)) = seq.next_element::<Object<T>>()? {
                    items.extend(item);
                }
                Ok(List(items))
            }
            answer!(List(Vec::new()); bool, i64, u64, f64, str, unit, none, map);
        }
        deserializer.deserialize_any(ListVisitor(PhantomData))
    }
}

/// A size in bytes: a non-negative integer, or `None` for any other value.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Size(pub Option<u64>);

impl<'de> Deserialize<'de> for Size {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SizeVisitor;
        impl<'de> Visitor<'de> for SizeVisitor {
            type Value = Size;
            any_value!();
            fn visit_u64<E>(self, v: u64) -> Result<Size, E> {
                Ok(Size(Some(v)))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Size, E> {
                Ok(Size(u64::try_from(v).ok()))
            }
            answer!(Size(None); bool, f64, str, unit, none, seq, map);
        }
        deserializer.deserialize_any(SizeVisitor)
    }
}

/// A tag or a group: only the name is read.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Named<'a> {
    #[serde(borrow)]
    pub name: Text<'a>,
}

/// An extra: `{"key", "value"}`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Extra<'a> {
    #[serde(borrow)]
    pub key: Text<'a>,
    #[serde(borrow)]
    pub value: Text<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Organization<'a> {
    #[serde(borrow)]
    pub id: Text<'a>,
    #[serde(borrow)]
    pub title: Text<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Resource<'a> {
    #[serde(borrow)]
    pub id: Text<'a>,
    #[serde(borrow)]
    pub uri: Text<'a>,
    #[serde(borrow)]
    pub name: Text<'a>,
    #[serde(borrow)]
    pub description: Text<'a>,
    #[serde(borrow)]
    pub url: Text<'a>,
    #[serde(borrow)]
    pub format: Text<'a>,
    pub size: Size,
    #[serde(borrow)]
    pub created: Text<'a>,
    #[serde(borrow)]
    pub metadata_modified: Text<'a>,
    #[serde(borrow)]
    pub last_modified: Text<'a>,
}

/// A dataset as the mapping reads it (default and provincial schema fields).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Dataset<'a> {
    #[serde(borrow)]
    pub id: Text<'a>,
    #[serde(borrow)]
    pub name: Text<'a>,
    #[serde(borrow)]
    pub uri: Text<'a>,
    #[serde(borrow)]
    pub title: Text<'a>,
    #[serde(borrow)]
    pub notes: Text<'a>,
    #[serde(borrow)]
    pub url: Text<'a>,
    #[serde(borrow)]
    pub version: Text<'a>,
    #[serde(borrow)]
    pub metadata_created: Text<'a>,
    #[serde(borrow)]
    pub metadata_modified: Text<'a>,
    #[serde(borrow)]
    pub license_id: Text<'a>,
    #[serde(borrow)]
    pub license_url: Text<'a>,
    #[serde(borrow)]
    pub author: Text<'a>,
    #[serde(borrow)]
    pub author_email: Text<'a>,
    #[serde(borrow)]
    pub maintainer: Text<'a>,
    #[serde(borrow)]
    pub maintainer_email: Text<'a>,
    #[serde(borrow)]
    pub tags: List<Named<'a>>,
    #[serde(borrow)]
    pub groups: List<Named<'a>>,
    #[serde(borrow)]
    pub organization: Object<Organization<'a>>,
    #[serde(borrow)]
    pub resources: List<Resource<'a>>,
    // The provincial schema (`schemas/vn_dataset.json`).
    #[serde(borrow)]
    pub linh_vuc: Text<'a>,
    #[serde(borrow)]
    pub tan_suat_cap_nhat: Text<'a>,
    #[serde(borrow)]
    pub muc_do_chia_se: Text<'a>,
    #[serde(borrow)]
    pub co_so_phap_ly: Text<'a>,
    #[serde(borrow)]
    pub thoi_gian_bat_dau: Text<'a>,
    #[serde(borrow)]
    pub thoi_gian_ket_thuc: Text<'a>,
    #[serde(borrow)]
    pub thoi_han_truc_tuyen: Text<'a>,
    #[serde(borrow)]
    pub pham_vi_khong_gian: Text<'a>,
    #[serde(borrow)]
    pub extras: List<Extra<'a>>,
}

impl<'a> Dataset<'a> {
    /// Reads a stored dict (JSON text); `None` when it is not JSON.
    pub fn parse(text: &'a str) -> Option<Dataset<'a>> {
        serde_json::from_str(text).ok().map(Dataset::with_extras)
    }

    /// Reads a dict already parsed (`package_show`'s answer).
    pub fn from_value(value: &'a serde_json::Value) -> Option<Dataset<'a>> {
        Dataset::deserialize(value).ok().map(Dataset::with_extras)
    }

    /// The provincial fields a dataset of another type holds as extras (a harvested record)
    /// read as if they were its own, when it has no such field itself.
    fn with_extras(mut self) -> Dataset<'a> {
        let extras = std::mem::take(&mut self.extras);
        for extra in extras.iter() {
            let (Some(key), Text(Some(value))) = (extra.key.get(), &extra.value) else { continue };
            let field = match key {
                "linh_vuc" => &mut self.linh_vuc,
                "tan_suat_cap_nhat" => &mut self.tan_suat_cap_nhat,
                "muc_do_chia_se" => &mut self.muc_do_chia_se,
                "co_so_phap_ly" => &mut self.co_so_phap_ly,
                "thoi_gian_bat_dau" => &mut self.thoi_gian_bat_dau,
                "thoi_gian_ket_thuc" => &mut self.thoi_gian_ket_thuc,
                "thoi_han_truc_tuyen" => &mut self.thoi_han_truc_tuyen,
                "pham_vi_khong_gian" => &mut self.pham_vi_khong_gian,
                _ => continue,
            };
            if field.get().is_none() {
                *field = Text(Some(value.clone()));
            }
        }
        self.extras = extras;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odd_values_read_as_absent_and_text_is_borrowed() {
        let text = r#"{"id": "a1", "title": "  Dân số \"2025\" ", "notes": null, "version": 3,
            "url": {"x": [1]}, "tags": null, "groups": [{"name": "y-te", "title": "Y tế"}],
            "organization": {"id": "o1", "title": "Sở Y tế", "extra": [1, 2]},
            "resources": [{"id": "r1", "size": "12"}, {"id": "r2", "size": 1024, "url": "http://a/b.csv"}],
            "unknown": {"deep": [{"a": null}]}, "linh_vuc": "y-te"}"#;
        let dataset = Dataset::parse(text).expect("a dataset");
        assert_eq!(dataset.id.get(), Some("a1"));
        assert!(matches!(dataset.id.0, Some(Cow::Borrowed(_))), "plain strings are borrowed");
        assert_eq!(dataset.title.get(), Some("Dân số \"2025\""));
        assert_eq!((dataset.notes.get(), dataset.version.get(), dataset.url.get()), (None, None, None));
        assert!(dataset.tags.is_empty());
        assert_eq!(dataset.groups.first().and_then(|g| g.name.get()), Some("y-te"));
        assert_eq!(dataset.organization.0.as_ref().and_then(|o| o.title.get()), Some("Sở Y tế"));
        let sizes: Vec<Option<u64>> = dataset.resources.iter().map(|r| r.size.0).collect();
        assert_eq!(sizes, vec![None, Some(1024)]);
        assert_eq!(dataset.linh_vuc.get(), Some("y-te"));
        assert!(Dataset::parse("{\"id\": ").is_none(), "broken JSON");
        let odd = r#"{"id": "b", "tags": "x", "groups": [5, {"name": "g"}, "h"], "organization": [1, {}],
            "resources": {"a": [1]}, "title": "after the odd values"}"#;
        let dataset = Dataset::parse(odd).expect("odd types do not fail the dict");
        assert!(dataset.tags.is_empty() && dataset.resources.is_empty());
        assert_eq!(dataset.groups.iter().map(|g| g.name.get()).collect::<Vec<_>>(), vec![Some("g")]);
        assert!(dataset.organization.0.is_none());
        assert_eq!(dataset.title.get(), Some("after the odd values"));
        let value: serde_json::Value = serde_json::from_str(text).expect("JSON");
        assert_eq!(Dataset::from_value(&value).and_then(|d| d.id.get().map(str::to_string)), Some("a1".into()));
    }
}
