//! Records framed in Confluent's wire format, read without a registry: split the frame, then
//! decode the payload with the writer's schema (fetched by id by the caller) into JSON. Pure:
//! bytes and schema texts in, JSON out.
//!
//! The frame: magic byte `0`, the schema id (4 bytes, big-endian), then for Protobuf only the
//! message indexes (a zigzag varint count, then that many zigzag varints naming the message:
//! the first is a top-level message of the file, each next one a message nested in the
//! previous; the single byte `0` is short for `[0]`, the file's first message), then the
//! payload: Avro binary, Protobuf binary, or JSON text.
//!
//! ```
//! use kafka_mcp::schema_format::framing::{decode, parse_frame};
//! use kafka_mcp::schema_format::{Format, Refs};
//!
//! let bytes = [0, 0, 0, 0, 7, b'{', b'}'];
//! let frame = parse_frame(&bytes, Format::Json).unwrap();
//! assert_eq!(frame.schema_id, 7);
//! let decoded = decode(Format::Json, r#"{"type":"object"}"#, &Refs::new(), &frame).unwrap();
//! assert_eq!(decoded.value, serde_json::json!({}));
//! ```

use base64::Engine as _;
use prost_reflect::{DynamicMessage, Kind, MapKey, MessageDescriptor, Value as PValue};
use serde_json::{Map, Number, Value};

use super::{Format, Refs};

/// The magic byte that starts every framed record.
pub const MAGIC: u8 = 0;

/// A framed record, split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame<'a> {
    /// The writer's schema id in the registry.
    pub schema_id: u32,
    /// Protobuf: the path to the message type (`[0]` is the file's first message, `[1, 0]` the
    /// first message nested in the second). Empty for Avro and JSON.
    pub message_indexes: Vec<i32>,
    /// The encoded record.
    pub payload: &'a [u8],
}

/// A decoded record.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    /// The record as JSON: Avro records as objects (unions unwrapped, bytes and fixed as arrays
    /// of numbers), Protobuf in its JSON mapping (JSON field names, 64-bit integers as
    /// strings, bytes in base64, enums by name, fields left at their default omitted), JSON
    /// as sent.
    pub value: Value,
    /// Remarks that do not stop the decoding: the message type picked, a JSON record that
    /// does not match its schema (each violation), trailing bytes.
    pub notes: Vec<String>,
}

/// Split a framed record: None when it does not start with the magic byte or is shorter than
/// the 5-byte header, or (Protobuf) its message indexes are truncated or malformed.
/// `format` says whether message indexes follow the id (Protobuf only).
pub fn parse_frame(bytes: &[u8], format: Format) -> Option<Frame<'_>> {
    let (&magic, rest) = bytes.split_first()?;
    if magic != MAGIC || rest.len() < 4 {
        return None;
    }
    let (id, payload) = rest.split_at(4);
    let schema_id = u32::from_be_bytes([id[0], id[1], id[2], id[3]]);
    let (message_indexes, payload) = match format {
        Format::Protobuf => split_protobuf_indexes(payload)?,
        Format::Avro | Format::Json => (Vec::new(), payload),
    };
    Some(Frame {
        schema_id,
        message_indexes,
        payload,
    })
}

/// The message indexes at the start of a Protobuf payload, and the rest. The single byte `0`
/// (a count of 0) means `[0]`. None when a varint is truncated or too long, or the count is
/// negative or larger than the bytes left.
pub fn split_protobuf_indexes(payload: &[u8]) -> Option<(Vec<i32>, &[u8])> {
    let (count, mut rest) = zigzag(payload)?;
    if count == 0 {
        return Some((vec![0], rest));
    }
    // Each index takes at least one byte: a count beyond the bytes left is not a frame.
    if count < 0 || count as usize > rest.len() {
        return None;
    }
    let mut indexes = Vec::with_capacity(count as usize);
    for _ in 0..count {
        let (i, r) = zigzag(rest)?;
        indexes.push(i);
        rest = r;
    }
    Some((indexes, rest))
}

/// One zigzag-encoded varint (32-bit), and the bytes after it.
fn zigzag(bytes: &[u8]) -> Option<(i32, &[u8])> {
    let mut raw: u64 = 0;
    for (i, &b) in bytes.iter().enumerate().take(5) {
        raw |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            let n = u32::try_from(raw).ok()?;
            let v = ((n >> 1) as i32) ^ -((n & 1) as i32);
            return Some((v, &bytes[i + 1..]));
        }
    }
    None
}

/// Decode a frame's payload with the writer's schema (`schema_text`, importing `refs` by
/// name) into JSON. The error says what did not decode: an invalid schema, a message index
/// the schema does not have, bytes that do not match the schema.
pub fn decode(
    format: Format,
    schema_text: &str,
    refs: &Refs,
    frame: &Frame<'_>,
) -> Result<Decoded, String> {
    match format {
        Format::Avro => decode_avro(schema_text, refs, frame.payload),
        Format::Protobuf => {
            decode_protobuf(schema_text, refs, &frame.message_indexes, frame.payload)
        }
        Format::Json => decode_json(schema_text, frame.payload),
    }
}

fn decode_avro(schema_text: &str, refs: &Refs, payload: &[u8]) -> Result<Decoded, String> {
    use apache_avro::reader::datum::GenericDatumReader;
    let (schema, named) = apache_avro::Schema::parse_str_with_list(schema_text, refs.values())
        .map_err(|e| format!("the Avro writer schema does not parse: {e}"))?;
    let reader = GenericDatumReader::builder(&schema)
        .writer_schemata(named.iter().collect())
        .and_then(|b| b.build())
        .map_err(|e| format!("the Avro writer schema does not resolve: {e}"))?;
    let mut input = EofWatch {
        rest: payload,
        ran_out: false,
    };
    let datum = reader
        .read_value(&mut input)
        .map_err(|e| format!("the payload is not Avro binary of the writer schema: {e}"))?;
    // apache-avro reads a string or bytes cut short as null: a read past the end means the
    // payload ended inside the record.
    if input.ran_out {
        return Err(
            "the payload is not Avro binary of the writer schema: it ends inside the record".into(),
        );
    }
    let value =
        Value::try_from(datum).map_err(|e| format!("the Avro record has no JSON form: {e}"))?;
    let mut notes = Vec::new();
    if !input.rest.is_empty() {
        notes.push(trailing(input.rest.len()));
    }
    Ok(Decoded { value, notes })
}

/// A reader over the payload that remembers whether anyone asked for bytes past its end.
struct EofWatch<'a> {
    rest: &'a [u8],
    ran_out: bool,
}

impl std::io::Read for EofWatch<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if !buf.is_empty() && self.rest.is_empty() {
            self.ran_out = true;
        }
        self.rest.read(buf)
    }
}

fn trailing(n: usize) -> String {
    format!("{n} byte(s) follow the record: the writer schema may not be the one the producer used")
}

fn decode_protobuf(
    schema_text: &str,
    refs: &Refs,
    indexes: &[i32],
    payload: &[u8],
) -> Result<Decoded, String> {
    let file =
        crate::schema_format::proto::file_descriptor(schema_text, refs).map_err(|problems| {
            let first = problems
                .iter()
                .take(3)
                .map(|p| format!("{}: {}", p.path, p.message))
                .collect::<Vec<_>>()
                .join("; ");
            format!("the Protobuf writer schema does not compile: {first}")
        })?;
    let message = pick_message(&file, indexes)?;
    let dynamic = DynamicMessage::decode(message.clone(), payload).map_err(|e| {
        format!(
            "the payload is not Protobuf binary of `{}`: {e}",
            message.full_name()
        )
    })?;
    Ok(Decoded {
        value: message_json(&dynamic),
        notes: vec![format!(
            "message {} (indexes {indexes:?})",
            message.full_name()
        )],
    })
}

/// The message an index path names: the first index among the file's top-level messages,
/// each next one among the previous message's nested messages (map entries count, as in the
/// descriptor).
fn pick_message(
    file: &prost_reflect::FileDescriptor,
    indexes: &[i32],
) -> Result<MessageDescriptor, String> {
    let path = if indexes.is_empty() {
        &[0][..]
    } else {
        indexes
    };
    let mut candidates: Vec<MessageDescriptor> = file.messages().collect();
    let mut picked: Option<MessageDescriptor> = None;
    for (depth, &i) in path.iter().enumerate() {
        let found = usize::try_from(i)
            .ok()
            .and_then(|i| candidates.get(i))
            .cloned();
        let Some(m) = found else {
            let within = picked
                .as_ref()
                .map_or("the file".to_string(), |m| format!("`{}`", m.full_name()));
            return Err(format!(
                "message index {i} (position {depth} of {path:?}) does not exist: {within} has {} message(s). The frame was written with another schema, or the indexes are corrupt",
                candidates.len()
            ));
        };
        candidates = m.child_messages().collect();
        picked = Some(m);
    }
    picked.ok_or_else(|| "no message index".to_string())
}

/// A message in Protobuf's JSON mapping (the fields that are set).
fn message_json(m: &DynamicMessage) -> Value {
    let mut out = Map::new();
    for (f, v) in m.fields() {
        out.insert(f.json_name().to_string(), value_json(v, &f.kind()));
    }
    Value::Object(out)
}

fn value_json(v: &PValue, kind: &Kind) -> Value {
    match v {
        PValue::Bool(b) => Value::Bool(*b),
        PValue::I32(n) => Value::from(*n),
        PValue::U32(n) => Value::from(*n),
        PValue::I64(n) => Value::String(n.to_string()),
        PValue::U64(n) => Value::String(n.to_string()),
        PValue::F32(x) => float_json(f64::from(*x)),
        PValue::F64(x) => float_json(*x),
        PValue::String(s) => Value::String(s.clone()),
        PValue::Bytes(b) => Value::String(base64::engine::general_purpose::STANDARD.encode(b)),
        PValue::EnumNumber(n) => match kind {
            Kind::Enum(e) => e.get_value(*n).map_or_else(
                || Value::from(*n),
                |ev| Value::String(ev.name().to_string()),
            ),
            _ => Value::from(*n),
        },
        PValue::Message(m) => message_json(m),
        PValue::List(items) => Value::Array(items.iter().map(|x| value_json(x, kind)).collect()),
        PValue::Map(entries) => {
            let value_kind = match kind {
                Kind::Message(entry) => entry.map_entry_value_field().kind(),
                other => other.clone(),
            };
            let mut keys: Vec<(&MapKey, &PValue)> = entries.iter().collect();
            keys.sort_by(|a, b| a.0.cmp(b.0));
            Value::Object(
                keys.into_iter()
                    .map(|(k, v)| (map_key(k), value_json(v, &value_kind)))
                    .collect(),
            )
        }
    }
}

fn map_key(k: &MapKey) -> String {
    match k {
        MapKey::Bool(b) => b.to_string(),
        MapKey::I32(n) => n.to_string(),
        MapKey::I64(n) => n.to_string(),
        MapKey::U32(n) => n.to_string(),
        MapKey::U64(n) => n.to_string(),
        MapKey::String(s) => s.clone(),
    }
}

/// A number, or (as Protobuf's JSON mapping writes them) `"NaN"`, `"Infinity"`, `"-Infinity"`.
fn float_json(x: f64) -> Value {
    match Number::from_f64(x) {
        Some(n) => Value::Number(n),
        None if x.is_nan() => Value::String("NaN".into()),
        None if x > 0.0 => Value::String("Infinity".into()),
        None => Value::String("-Infinity".into()),
    }
}

fn decode_json(schema_text: &str, payload: &[u8]) -> Result<Decoded, String> {
    let value: Value =
        serde_json::from_slice(payload).map_err(|e| format!("the payload is not JSON: {e}"))?;
    let mut notes = Vec::new();
    match serde_json::from_str::<Value>(schema_text) {
        Err(e) => notes.push(format!("not validated: the schema is not JSON ({e})")),
        Ok(schema) => match jsonschema::validator_for(&schema) {
            Err(e) => notes.push(format!("not validated: the schema does not compile ({e})")),
            Ok(v) => {
                for e in v.iter_errors(&value) {
                    let at = e.instance_path().as_str().to_string();
                    notes.push(format!(
                        "does not match the schema at {}: {e}",
                        if at.is_empty() { "/" } else { &at }
                    ));
                }
            }
        },
    }
    Ok(Decoded { value, notes })
}

#[cfg(test)]
mod tests {
    use super::*;
    use apache_avro::types::{Record, Value as AvroValue};
    use apache_avro::writer::datum::GenericDatumWriter;
    use prost_reflect::prost::Message as _;
    use serde_json::json;

    /// A zigzag varint.
    fn zz(v: i32, out: &mut Vec<u8>) {
        let mut n = ((v << 1) ^ (v >> 31)) as u32;
        loop {
            if n < 0x80 {
                out.push(n as u8);
                return;
            }
            out.push((n as u8 & 0x7f) | 0x80);
            n >>= 7;
        }
    }

    /// A framed record; `indexes` None for Avro and JSON, `Some(&[])` for the short `[0]`.
    fn frame(id: u32, indexes: Option<&[i32]>, payload: &[u8]) -> Vec<u8> {
        let mut out = vec![MAGIC];
        out.extend(id.to_be_bytes());
        match indexes {
            None => {}
            Some([]) => out.push(0),
            Some(ix) => {
                zz(ix.len() as i32, &mut out);
                for &i in ix {
                    zz(i, &mut out);
                }
            }
        }
        out.extend(payload);
        out
    }

    const AVRO: &str = r#"{"type":"record","name":"Order","namespace":"com.acme","fields":[
        {"name":"id","type":"long"},
        {"name":"note","type":["null","string"],"default":null},
        {"name":"tags","type":{"type":"array","items":"string"}},
        {"name":"ship_to","type":"com.acme.Address"}]}"#;
    const ADDRESS: &str = r#"{"type":"record","name":"Address","namespace":"com.acme","fields":[
        {"name":"zip","type":"string"}]}"#;

    #[test]
    fn avro_round_trip_with_a_reference() {
        let refs: Refs = [("address.avsc".to_string(), ADDRESS.to_string())].into();
        let (schema, named) =
            apache_avro::Schema::parse_str_with_list(AVRO, refs.values()).unwrap();
        let mut address = Record::new(&named[0]).unwrap();
        address.put("zip", "75001");
        let mut order = Record::new(&schema).unwrap();
        order.put("id", 42i64);
        order.put(
            "note",
            AvroValue::Union(1, Box::new(AvroValue::String("rush".into()))),
        );
        order.put(
            "tags",
            AvroValue::Array(vec![
                AvroValue::String("a".into()),
                AvroValue::String("b".into()),
            ]),
        );
        order.put("ship_to", address);
        let payload = GenericDatumWriter::builder(&schema)
            .schemata(named.iter().collect())
            .unwrap()
            .build()
            .unwrap()
            .write_value_to_vec(order)
            .unwrap();
        let bytes = frame(300, None, &payload);
        let f = parse_frame(&bytes, Format::Avro).unwrap();
        assert_eq!(f.schema_id, 300);
        assert!(f.message_indexes.is_empty());
        let d = decode(Format::Avro, AVRO, &refs, &f).unwrap();
        assert_eq!(
            d.value,
            json!({"id": 42, "note": "rush", "tags": ["a", "b"], "ship_to": {"zip": "75001"}})
        );
        assert!(d.notes.is_empty(), "{:?}", d.notes);
        // A payload cut short does not decode; one with bytes after the record says so.
        let cut = frame(300, None, &payload[..payload.len() - 2]);
        let err = decode(
            Format::Avro,
            AVRO,
            &refs,
            &parse_frame(&cut, Format::Avro).unwrap(),
        );
        assert!(err.unwrap_err().contains("not Avro binary"));
        let mut longer = payload.clone();
        longer.extend([1, 2]);
        let long = frame(300, None, &longer);
        let d = decode(
            Format::Avro,
            AVRO,
            &refs,
            &parse_frame(&long, Format::Avro).unwrap(),
        )
        .unwrap();
        assert!(d.notes[0].starts_with("2 byte(s) follow"), "{:?}", d.notes);
        // Without the reference, the schema does not parse.
        let err = decode(
            Format::Avro,
            AVRO,
            &Refs::new(),
            &parse_frame(&bytes, Format::Avro).unwrap(),
        );
        assert!(err.unwrap_err().contains("does not parse"));
    }

    #[test]
    fn bad_magic_and_truncated_frames_are_not_frames() {
        assert_eq!(parse_frame(&[1, 0, 0, 0, 1, 2], Format::Avro), None);
        assert_eq!(parse_frame(&[], Format::Json), None);
        assert_eq!(parse_frame(&[0, 0, 0, 1], Format::Avro), None);
        // The 5-byte header alone is a frame with an empty payload.
        let f = parse_frame(&[0, 0, 0, 1, 0], Format::Json).unwrap();
        assert_eq!((f.schema_id, f.payload), (256, &[][..]));
        // Protobuf: indexes cut short, an unterminated varint, a negative count.
        assert_eq!(parse_frame(&[0, 0, 0, 0, 1], Format::Protobuf), None);
        assert_eq!(parse_frame(&[0, 0, 0, 0, 1, 4, 2], Format::Protobuf), None);
        assert_eq!(
            parse_frame(&[0, 0, 0, 0, 1, 2, 0x80], Format::Protobuf),
            None
        );
        assert_eq!(parse_frame(&[0, 0, 0, 0, 1, 1, 0], Format::Protobuf), None);
        assert_eq!(
            split_protobuf_indexes(&[0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
            None
        );
        // The single byte 0 is [0].
        let f = parse_frame(&[0, 0, 0, 0, 9, 0, 8, 1], Format::Protobuf).unwrap();
        assert_eq!(
            (f.message_indexes.as_slice(), f.payload),
            (&[0][..], &[8, 1][..])
        );
    }

    const PROTO: &str = r#"syntax = "proto3";
package acme;
import "common.proto";
message Order {
  string id = 1;
  message Line { int32 qty = 1; }
  message Note { string text = 1; common.Level level = 2; }
}
message Payment {
  int64 amount = 1;
  bytes token = 2;
  Method method = 3;
  map<string, int32> fees = 4;
  repeated double rates = 5;
  enum Method { CASH = 0; CARD = 1; }
}
"#;
    const COMMON: &str = r#"syntax = "proto3";
package common;
enum Level { LOW = 0; HIGH = 1; }
"#;

    fn proto_refs() -> Refs {
        [("common.proto".to_string(), COMMON.to_string())].into()
    }

    fn message(path: &[i32]) -> MessageDescriptor {
        let file = crate::schema_format::proto::file_descriptor(PROTO, &proto_refs()).unwrap();
        pick_message(&file, path).unwrap()
    }

    #[test]
    fn protobuf_round_trips_by_message_index() {
        let refs = proto_refs();
        // [1]: the second top-level message.
        let desc = message(&[1]);
        assert_eq!(desc.full_name(), "acme.Payment");
        let mut m = DynamicMessage::new(desc.clone());
        m.set_field_by_name("amount", PValue::I64(-12_000_000_000));
        m.set_field_by_name("token", PValue::Bytes(vec![1u8, 2, 3].into()));
        m.set_field_by_name("method", PValue::EnumNumber(1));
        m.set_field_by_name(
            "fees",
            PValue::Map([(MapKey::String("vat".into()), PValue::I32(20))].into()),
        );
        m.set_field_by_name(
            "rates",
            PValue::List(vec![PValue::F64(0.5), PValue::F64(f64::NAN)]),
        );
        let bytes = frame(12, Some(&[1]), &m.encode_to_vec());
        let f = parse_frame(&bytes, Format::Protobuf).unwrap();
        assert_eq!((f.schema_id, f.message_indexes.as_slice()), (12, &[1][..]));
        let d = decode(Format::Protobuf, PROTO, &refs, &f).unwrap();
        assert_eq!(
            d.value,
            json!({"amount": "-12000000000", "token": "AQID", "method": "CARD",
                   "fees": {"vat": 20}, "rates": [0.5, "NaN"]})
        );
        assert_eq!(
            d.notes,
            vec!["message acme.Payment (indexes [1])".to_string()]
        );

        // [0, 1]: the second message nested in the first, with an imported enum.
        let desc = message(&[0, 1]);
        assert_eq!(desc.full_name(), "acme.Order.Note");
        let mut m = DynamicMessage::new(desc);
        m.set_field_by_name("text", PValue::String("leave at door".into()));
        m.set_field_by_name("level", PValue::EnumNumber(1));
        let bytes = frame(12, Some(&[0, 1]), &m.encode_to_vec());
        let d = decode(
            Format::Protobuf,
            PROTO,
            &refs,
            &parse_frame(&bytes, Format::Protobuf).unwrap(),
        )
        .unwrap();
        assert_eq!(d.value, json!({"text": "leave at door", "level": "HIGH"}));

        // The single byte 0: the first message.
        let mut m = DynamicMessage::new(message(&[0]));
        m.set_field_by_name("id", PValue::String("o-1".into()));
        let bytes = frame(12, Some(&[]), &m.encode_to_vec());
        assert_eq!(bytes[5], 0);
        let d = decode(
            Format::Protobuf,
            PROTO,
            &refs,
            &parse_frame(&bytes, Format::Protobuf).unwrap(),
        )
        .unwrap();
        assert_eq!(d.value, json!({"id": "o-1"}));
    }

    #[test]
    fn protobuf_unknown_indexes_and_bad_payloads_are_named() {
        let refs = proto_refs();
        for (ix, needle) in [
            (
                &[5][..],
                "message index 5 (position 0 of [5]) does not exist: the file has 2",
            ),
            (
                &[0, 7][..],
                "message index 7 (position 1 of [0, 7]) does not exist: `acme.Order` has 2",
            ),
            (&[-1][..], "message index -1"),
        ] {
            let bytes = frame(3, Some(ix), &[]);
            let f = parse_frame(&bytes, Format::Protobuf).unwrap();
            let err = decode(Format::Protobuf, PROTO, &refs, &f).unwrap_err();
            assert!(err.contains(needle), "{err}");
        }
        // Not Protobuf of that message: a field with a truncated length.
        let bytes = frame(3, Some(&[1]), &[0x12, 0x05, 1]);
        let err = decode(
            Format::Protobuf,
            PROTO,
            &refs,
            &parse_frame(&bytes, Format::Protobuf).unwrap(),
        )
        .unwrap_err();
        assert!(
            err.contains("not Protobuf binary of `acme.Payment`"),
            "{err}"
        );
        // A missing import: the schema does not compile.
        let bytes = frame(3, Some(&[0]), &[]);
        let err = decode(
            Format::Protobuf,
            PROTO,
            &Refs::new(),
            &parse_frame(&bytes, Format::Protobuf).unwrap(),
        )
        .unwrap_err();
        assert!(err.contains("does not compile"), "{err}");
    }

    #[test]
    fn json_payloads_decode_and_violations_are_notes() {
        let schema = r#"{"type":"object","properties":{"age":{"type":"integer","minimum":0}},"required":["age"]}"#;
        let ok = frame(5, None, br#"{"age": 3}"#);
        let d = decode(
            Format::Json,
            schema,
            &Refs::new(),
            &parse_frame(&ok, Format::Json).unwrap(),
        )
        .unwrap();
        assert_eq!((d.value, d.notes.len()), (json!({"age": 3}), 0));
        let bad = frame(5, None, br#"{"age": -1}"#);
        let d = decode(
            Format::Json,
            schema,
            &Refs::new(),
            &parse_frame(&bad, Format::Json).unwrap(),
        )
        .unwrap();
        assert_eq!(d.value, json!({"age": -1}));
        assert!(
            d.notes[0].starts_with("does not match the schema at /age"),
            "{:?}",
            d.notes
        );
        let garbage = frame(5, None, b"{not json");
        let err = decode(
            Format::Json,
            schema,
            &Refs::new(),
            &parse_frame(&garbage, Format::Json).unwrap(),
        )
        .unwrap_err();
        assert!(err.contains("not JSON"), "{err}");
    }
}
