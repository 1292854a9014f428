//! Snapshot structs straight to the CEL values rules see, in one pass: a
//! serde serializer that builds the same [`Facts`] as
//! [`super::value::to_val`] of the JSON would, without building the JSON
//! first, and with each [`crate::snapshot::Section`] unwrapped: its data if
//! it was read, else an unavailable marker ([`super::unavailable`]).

use std::collections::HashMap;

use cel::common::types::{
    CelBool, CelDouble, CelInt, CelList, CelMap, CelMapKey, CelNull, CelString,
};
use serde::ser::{self, Serialize};

use super::unavailable;
use super::value::{Facts, Shared};

/// Why a value could not be converted (a map key that is not a string).
#[derive(Debug)]
pub struct FactsError(String);

impl std::fmt::Display for FactsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FactsError {}

impl ser::Error for FactsError {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        FactsError(msg.to_string())
    }
}

/// Converts a serializable value (a snapshot account) to facts. Values that
/// have a compact form (policy documents, which rules do not read) take it.
pub fn to_facts<T: Serialize + ?Sized>(value: &T) -> Result<Facts, FactsError> {
    value.serialize(FactsSerializer { readable: false })
}

/// Converts a serializable value to facts in full, as its JSON has it
/// (policy documents as JSON): the `org` view, and the shapes rule paths are
/// checked against.
pub fn to_readable_facts<T: Serialize + ?Sized>(value: &T) -> Result<Facts, FactsError> {
    value.serialize(FactsSerializer { readable: true })
}

/// The name serde gives `Section` (internally tagged by `status`).
const SECTION: &str = "Section";

#[derive(Clone, Copy)]
struct FactsSerializer {
    /// What `is_human_readable` answers.
    readable: bool,
}

fn map(entries: HashMap<CelMapKey<'static>, Facts>) -> Facts {
    Shared::boxed(CelMap::from(entries))
}

fn list(items: Vec<Facts>) -> Facts {
    Shared::boxed(CelList::from(items))
}

impl ser::Serializer for FactsSerializer {
    type Ok = Facts;
    type Error = FactsError;
    type SerializeSeq = SeqBuilder;
    type SerializeTuple = SeqBuilder;
    type SerializeTupleStruct = SeqBuilder;
    type SerializeTupleVariant = VariantBuilder<SeqBuilder>;
    type SerializeMap = MapBuilder;
    type SerializeStruct = StructBuilder;
    type SerializeStructVariant = VariantBuilder<StructBuilder>;

    fn is_human_readable(&self) -> bool {
        self.readable
    }

    fn serialize_bool(self, v: bool) -> Result<Facts, FactsError> {
        Ok(Box::new(CelBool::from(v)))
    }
    fn serialize_i8(self, v: i8) -> Result<Facts, FactsError> {
        self.serialize_i64(v.into())
    }
    fn serialize_i16(self, v: i16) -> Result<Facts, FactsError> {
        self.serialize_i64(v.into())
    }
    fn serialize_i32(self, v: i32) -> Result<Facts, FactsError> {
        self.serialize_i64(v.into())
    }
    fn serialize_i64(self, v: i64) -> Result<Facts, FactsError> {
        Ok(Box::new(CelInt::from(v)))
    }
    fn serialize_u8(self, v: u8) -> Result<Facts, FactsError> {
        self.serialize_i64(v.into())
    }
    fn serialize_u16(self, v: u16) -> Result<Facts, FactsError> {
        self.serialize_i64(v.into())
    }
    fn serialize_u32(self, v: u32) -> Result<Facts, FactsError> {
        self.serialize_i64(v.into())
    }
    fn serialize_u64(self, v: u64) -> Result<Facts, FactsError> {
        // As from JSON: an integer if it fits, else a double.
        match i64::try_from(v) {
            Ok(i) => self.serialize_i64(i),
            Err(_) => self.serialize_f64(v as f64),
        }
    }
    fn serialize_f32(self, v: f32) -> Result<Facts, FactsError> {
        self.serialize_f64(v.into())
    }
    fn serialize_f64(self, v: f64) -> Result<Facts, FactsError> {
        // JSON has no NaN or infinity: serde_json writes them as null.
        if v.is_finite() {
            Ok(Box::new(CelDouble::from(v)))
        } else {
            self.serialize_unit()
        }
    }
    fn serialize_char(self, v: char) -> Result<Facts, FactsError> {
        Ok(Box::new(CelString::from(v.to_string())))
    }
    fn serialize_str(self, v: &str) -> Result<Facts, FactsError> {
        Ok(Box::new(CelString::from(v.to_string())))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Facts, FactsError> {
        // As serde_json: a list of numbers.
        Ok(list(
            v.iter()
                .map(|b| Box::new(CelInt::from(i64::from(*b))) as Facts)
                .collect(),
        ))
    }
    fn serialize_none(self) -> Result<Facts, FactsError> {
        self.serialize_unit()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Facts, FactsError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Facts, FactsError> {
        Ok(Box::new(CelNull))
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<Facts, FactsError> {
        self.serialize_unit()
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Facts, FactsError> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<Facts, FactsError> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Facts, FactsError> {
        let mut entries = HashMap::with_capacity(1);
        entries.insert(CelMapKey::from(variant.to_string()), value.serialize(self)?);
        Ok(map(entries))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<SeqBuilder, FactsError> {
        Ok(SeqBuilder {
            items: Vec::with_capacity(len.unwrap_or(0)),
            ser: self,
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<SeqBuilder, FactsError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<SeqBuilder, FactsError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<VariantBuilder<SeqBuilder>, FactsError> {
        Ok(VariantBuilder {
            variant,
            inner: self.serialize_seq(Some(len))?,
        })
    }
    fn serialize_map(self, len: Option<usize>) -> Result<MapBuilder, FactsError> {
        Ok(MapBuilder {
            entries: HashMap::with_capacity(len.unwrap_or(0)),
            key: None,
            ser: self,
        })
    }
    fn serialize_struct(self, name: &'static str, len: usize) -> Result<StructBuilder, FactsError> {
        Ok(StructBuilder {
            section: name == SECTION,
            entries: HashMap::with_capacity(len),
            ser: self,
        })
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<VariantBuilder<StructBuilder>, FactsError> {
        Ok(VariantBuilder {
            variant,
            inner: StructBuilder {
                section: false,
                entries: HashMap::with_capacity(len),
                ser: self,
            },
        })
    }
}

struct SeqBuilder {
    items: Vec<Facts>,
    ser: FactsSerializer,
}

impl ser::SerializeSeq for SeqBuilder {
    type Ok = Facts;
    type Error = FactsError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), FactsError> {
        self.items.push(value.serialize(self.ser)?);
        Ok(())
    }
    fn end(self) -> Result<Facts, FactsError> {
        Ok(list(self.items))
    }
}

impl ser::SerializeTuple for SeqBuilder {
    type Ok = Facts;
    type Error = FactsError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), FactsError> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<Facts, FactsError> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleStruct for SeqBuilder {
    type Ok = Facts;
    type Error = FactsError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), FactsError> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<Facts, FactsError> {
        ser::SerializeSeq::end(self)
    }
}

struct MapBuilder {
    entries: HashMap<CelMapKey<'static>, Facts>,
    key: Option<String>,
    ser: FactsSerializer,
}

impl ser::SerializeMap for MapBuilder {
    type Ok = Facts;
    type Error = FactsError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), FactsError> {
        let key = key.serialize(self.ser)?;
        match <&str>::try_from(&*key) {
            Ok(s) => {
                self.key = Some(s.to_string());
                Ok(())
            }
            Err(_) => Err(FactsError("a map key is not a string".to_string())),
        }
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), FactsError> {
        let key = self
            .key
            .take()
            .ok_or_else(|| FactsError("a map value without its key".to_string()))?;
        self.entries
            .insert(CelMapKey::from(key), value.serialize(self.ser)?);
        Ok(())
    }
    fn end(self) -> Result<Facts, FactsError> {
        Ok(map(self.entries))
    }
}

/// A struct's fields; a `Section` is unwrapped when it ends: its data if
/// `ok`, else the unavailable marker holding its record (`status` and
/// `error` or `reason`).
struct StructBuilder {
    section: bool,
    entries: HashMap<CelMapKey<'static>, Facts>,
    ser: FactsSerializer,
}

impl ser::SerializeStruct for StructBuilder {
    type Ok = Facts;
    type Error = FactsError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), FactsError> {
        self.entries
            .insert(CelMapKey::from(key), value.serialize(self.ser)?);
        Ok(())
    }
    fn end(mut self) -> Result<Facts, FactsError> {
        if !self.section {
            return Ok(map(self.entries));
        }
        let status = self.entries.get(&CelMapKey::from("status"));
        if status.and_then(|s| <&str>::try_from(&**s).ok()) == Some("ok") {
            return Ok(self
                .entries
                .remove(&CelMapKey::from("data"))
                .unwrap_or_else(|| Box::new(CelNull)));
        }
        Ok(unavailable::marker(map(self.entries)))
    }
}

impl ser::SerializeStructVariant for VariantBuilder<StructBuilder> {
    type Ok = Facts;
    type Error = FactsError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), FactsError> {
        ser::SerializeStruct::serialize_field(&mut self.inner, key, value)
    }
    fn end(self) -> Result<Facts, FactsError> {
        let inner = ser::SerializeStruct::end(self.inner)?;
        let mut entries = HashMap::with_capacity(1);
        entries.insert(CelMapKey::from(self.variant.to_string()), inner);
        Ok(map(entries))
    }
}

/// An enum variant with content: `{variant: content}`, as serde_json does.
struct VariantBuilder<B> {
    variant: &'static str,
    inner: B,
}

impl ser::SerializeTupleVariant for VariantBuilder<SeqBuilder> {
    type Ok = Facts;
    type Error = FactsError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), FactsError> {
        ser::SerializeSeq::serialize_element(&mut self.inner, value)
    }
    fn end(self) -> Result<Facts, FactsError> {
        let inner = ser::SerializeSeq::end(self.inner)?;
        let mut entries = HashMap::with_capacity(1);
        entries.insert(CelMapKey::from(self.variant.to_string()), inner);
        Ok(map(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value as Json;

    /// What the serializer does, on JSON: each section (an object of a
    /// section's shape) unwrapped, to its data or to the marker of its
    /// record.
    fn unwrap_sections(json: Json) -> Json {
        match json {
            Json::Object(mut map) => {
                let status = map.get("status").and_then(Json::as_str).map(str::to_string);
                match status.as_deref() {
                    Some("ok") if map.len() == 2 => {
                        return unwrap_sections(map.remove("data").unwrap_or(Json::Null))
                    }
                    Some("error" | "not_collected") if map.len() == 2 => {
                        return serde_json::json!({ unavailable::UNAVAILABLE_KEY: map })
                    }
                    _ => {}
                }
                Json::Object(
                    map.into_iter()
                        .map(|(k, v)| (k, unwrap_sections(v)))
                        .collect(),
                )
            }
            Json::Array(items) => Json::Array(items.into_iter().map(unwrap_sections).collect()),
            other => other,
        }
    }

    /// The serializer gives the same facts as going through JSON, but for
    /// policy documents, which it keeps as their text (rules read the
    /// analysis of them, not the documents); readable facts keep them as
    /// JSON.
    #[test]
    fn same_facts_as_through_json() {
        fn documents_as_text(v: &mut Json) {
            match v {
                Json::Object(m) => {
                    for (k, x) in m.iter_mut() {
                        if k == "document" {
                            *x = Json::String(x.to_string());
                        } else {
                            documents_as_text(x);
                        }
                    }
                }
                Json::Array(a) => a.iter_mut().for_each(documents_as_text),
                _ => {}
            }
        }
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/demo-org.json"
        ))
        .unwrap();
        let mut snapshot = crate::snapshot::Snapshot::from_json(&text, "demo").unwrap();
        snapshot.accounts[0].iam.users =
            crate::snapshot::Section::error(crate::snapshot::CollectError {
                operation: "iam:ListUsers".into(),
                code: "AccessDenied".into(),
                message: "no".into(),
                region: None,
            });
        for account in &snapshot.accounts {
            let json = serde_json::to_value(account).unwrap();
            let readable = to_readable_facts(account).unwrap();
            let through_json = super::super::value::to_val(unwrap_sections(json.clone()));
            assert!(readable.equals(&*through_json), "account {}", account.id);
            let direct = to_facts(account).unwrap();
            let mut json = json;
            documents_as_text(&mut json);
            let through_json = super::super::value::to_val(unwrap_sections(json));
            assert!(
                direct.equals(&*through_json),
                "account {}: {direct:?} != {through_json:?}",
                account.id
            );
        }
    }
}
