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

/// The `visit_*` methods of a visitor for scalar values, each answering `$value`.
macro_rules! scalars_answer {
    ($value:expr) => {
        fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_none<E>(self) -> Result<Self::Value, E> {
            Ok($value)
        }
    };
}

fn drain_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<(), A::Error> {
    while seq.next_element::<IgnoredAny>()?.is_some() {}
    Ok(())
}

fn drain_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<(), A::Error> {
    while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
    Ok(())
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
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Some(Cow::Borrowed(v))))
            }
            fn visit_string<E>(self, v: String) -> Result<Text<'de>, E> {
                Ok(Text(Some(Cow::Owned(v))))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Text<'de>, A::Error> {
                drain_seq(seq).map(|_| Text(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Text<'de>, A::Error> {
                drain_map(map).map(|_| Text(None))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Text<'de>, E> {
                Ok(Text(None))
            }
            fn visit_i64<E>(self, _: i64) -> Result<Text<'de>, E> {
                Ok(Text(None))
            }
            fn visit_u64<E>(self, _: u64) -> Result<Text<'de>, E> {
                Ok(Text(None))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Text<'de>, E> {
                Ok(Text(None))
            }
            fn visit_str<E>(self, v: &str) -> Result<Text<'de>, E> {
                Ok(Text(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_unit<E>(self) -> Result<Text<'de>, E> {
                Ok(Text(None))
            }
            fn visit_none<E>(self) -> Result<Text<'de>, E> {
                Ok(Text(None))
            }
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
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Object<T>, A::Error> {
                T::deserialize(MapAccessDeserializer::new(map)).map(|value| Object(Some(value)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Object<T>, A::Error> {
                drain_seq(seq).map(|_| Object(None))
            }
            scalars_answer!(Object(None));
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
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<List<T>, A::Error> {
                let mut items = Vec::new();
                while let Some(Object(item)) = seq.next_element::<Object<T>>()? {
                    items.extend(item);
                }
                Ok(List(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<List<T>, A::Error> {
                drain_map(map).map(|_| List(Vec::new()))
            }
            scalars_answer!(List(Vec::new()));
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
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_u64<E>(self, v: u64) -> Result<Size, E> {
                Ok(Size(Some(v)))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Size, E> {
                Ok(Size(u64::try_from(v).ok()))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Size, E> {
                Ok(Size(None))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Size, E> {
                Ok(Size(None))
            }
            fn visit_str<E>(self, _: &str) -> Result<Size, E> {
                Ok(Size(None))
            }
            fn visit_unit<E>(self) -> Result<Size, E> {
                Ok(Size(None))
            }
            fn visit_none<E>(self) -> Result<Size, E> {
                Ok(Size(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Size, A::Error> {
                drain_seq(seq).map(|_| Size(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Size, A::Error> {
                drain_map(map).map(|_| Size(None))
            }
        }
        deserializer.deserialize_any(SizeVisitor)
    }
}

/// A tag or a group: only the name is read.
#[derive(Debug, Default, Deserialize)]
pub struct Named<'a> {
    #[serde(borrow, default)]
    pub name: Text<'a>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Organization<'a> {
    #[serde(borrow, default)]
    pub id: Text<'a>,
    #[serde(borrow, default)]
    pub title: Text<'a>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Resource<'a> {
    #[serde(borrow, default)]
    pub id: Text<'a>,
    #[serde(borrow, default)]
    pub uri: Text<'a>,
    #[serde(borrow, default)]
    pub name: Text<'a>,
    #[serde(borrow, default)]
    pub description: Text<'a>,
    #[serde(borrow, default)]
    pub url: Text<'a>,
    #[serde(borrow, default)]
    pub format: Text<'a>,
    #[serde(default)]
    pub size: Size,
    #[serde(borrow, default)]
    pub created: Text<'a>,
    #[serde(borrow, default)]
    pub metadata_modified: Text<'a>,
    #[serde(borrow, default)]
    pub last_modified: Text<'a>,
}

/// A dataset as the mapping reads it (default and provincial schema fields).
#[derive(Debug, Default, Deserialize)]
pub struct Dataset<'a> {
    #[serde(borrow, default)]
    pub id: Text<'a>,
    #[serde(borrow, default)]
    pub name: Text<'a>,
    #[serde(borrow, default)]
    pub uri: Text<'a>,
    #[serde(borrow, default)]
    pub title: Text<'a>,
    #[serde(borrow, default)]
    pub notes: Text<'a>,
    #[serde(borrow, default)]
    pub url: Text<'a>,
    #[serde(borrow, default)]
    pub version: Text<'a>,
    #[serde(borrow, default)]
    pub metadata_created: Text<'a>,
    #[serde(borrow, default)]
    pub metadata_modified: Text<'a>,
    #[serde(borrow, default)]
    pub license_id: Text<'a>,
    #[serde(borrow, default)]
    pub license_url: Text<'a>,
    #[serde(borrow, default)]
    pub author: Text<'a>,
    #[serde(borrow, default)]
    pub author_email: Text<'a>,
    #[serde(borrow, default)]
    pub maintainer: Text<'a>,
    #[serde(borrow, default)]
    pub maintainer_email: Text<'a>,
    #[serde(borrow, default)]
    pub tags: List<Named<'a>>,
    #[serde(borrow, default)]
    pub groups: List<Named<'a>>,
    #[serde(borrow, default)]
    pub organization: Object<Organization<'a>>,
    #[serde(borrow, default)]
    pub resources: List<Resource<'a>>,
    // The provincial schema (`schemas/vn_dataset.json`).
    #[serde(borrow, default)]
    pub linh_vuc: Text<'a>,
    #[serde(borrow, default)]
    pub tan_suat_cap_nhat: Text<'a>,
    #[serde(borrow, default)]
    pub muc_do_chia_se: Text<'a>,
    #[serde(borrow, default)]
    pub co_so_phap_ly: Text<'a>,
    #[serde(borrow, default)]
    pub thoi_gian_bat_dau: Text<'a>,
    #[serde(borrow, default)]
    pub thoi_gian_ket_thuc: Text<'a>,
    #[serde(borrow, default)]
    pub thoi_han_truc_tuyen: Text<'a>,
    #[serde(borrow, default)]
    pub pham_vi_khong_gian: Text<'a>,
}

impl<'a> Dataset<'a> {
    /// Reads a stored dict (JSON text); `None` when it is not JSON.
    pub fn parse(text: &'a str) -> Option<Dataset<'a>> {
        serde_json::from_str(text).ok()
    }

    /// Reads a dict already parsed (`package_show`'s answer).
    pub fn from_value(value: &'a serde_json::Value) -> Option<Dataset<'a>> {
        Dataset::deserialize(value).ok()
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
