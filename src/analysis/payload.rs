//! Rendering record bytes for an agent: JSON when the bytes are a JSON object or array, else
//! UTF-8 text, else base64 — cut to a byte budget. Pure: bytes in, [`Payload`] out.

use base64::Engine as _;
use schemars::JsonSchema;
use serde::Serialize;

/// A decoded key or value.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Payload {
    /// json, utf8 or base64; avro, protobuf or json-schema for a framed record decoded with
    /// its writer schema.
    pub encoding: String,
    /// The decoded data (JSON value for json).
    pub data: serde_json::Value,
    /// Size in bytes.
    pub bytes: usize,
    /// True when cut to max_value_bytes.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
    /// Schema Registry id of a framed record's writer schema (encoding avro, protobuf or
    /// json-schema).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema_id: Option<u32>,
}

/// Decodes bytes as JSON, else UTF-8, else base64, keeping at most `max` bytes.
pub fn decode(bytes: &[u8], max: usize) -> Payload {
    let truncated = bytes.len() > max;
    let kept = &bytes[..bytes.len().min(max)];
    if let Ok(text) = std::str::from_utf8(bytes) {
        if !truncated {
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(text) {
                if v.is_object() || v.is_array() {
                    return Payload {
                        encoding: "json".into(),
                        data: v,
                        bytes: bytes.len(),
                        truncated: false,
                        schema_id: None,
                    };
                }
            }
        }
        let mut end = kept.len();
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        return Payload {
            encoding: "utf8".into(),
            data: text[..end].into(),
            bytes: bytes.len(),
            truncated,
            schema_id: None,
        };
    }
    Payload {
        encoding: "base64".into(),
        data: base64::engine::general_purpose::STANDARD
            .encode(kept)
            .into(),
        bytes: bytes.len(),
        truncated,
        schema_id: None,
    }
}

/// A framed record decoded with its writer schema: the JSON value, or (when its text is over
/// `max` bytes) the start of that text, marked truncated.
pub fn decoded(
    encoding: &str,
    value: serde_json::Value,
    bytes: usize,
    schema_id: u32,
    max: usize,
) -> Payload {
    let text = value.to_string();
    let (data, truncated) = if text.len() > max {
        let mut end = max;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        (serde_json::Value::String(text[..end].to_string()), true)
    } else {
        (value, false)
    };
    Payload {
        encoding: encoding.to_string(),
        data,
        bytes,
        truncated,
        schema_id: Some(schema_id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_prefers_json_then_utf8_then_base64() {
        assert_eq!(decode(br#"{"a":1}"#, 100).encoding, "json");
        let p = decode(b"hello", 100);
        assert_eq!(
            (p.encoding.as_str(), p.data.as_str()),
            ("utf8", Some("hello"))
        );
        let p = decode(&[0xff, 0x00, 0x10], 100);
        assert_eq!(p.encoding, "base64");
        assert_eq!(p.data, "/wAQ");
        let p = decode("héllo wörld".as_bytes(), 2);
        assert!(p.truncated);
        assert_eq!(p.data, "h");
        // A number is valid JSON, but shown as text.
        assert_eq!(decode(b"42", 100).encoding, "utf8");
    }

    #[test]
    fn decoded_values_keep_their_schema_id_and_are_cut_to_the_budget() {
        let v = serde_json::json!({"id": "o1", "note": "héllo"});
        let p = decoded("avro", v.clone(), 9, 7, 1024);
        assert_eq!(
            (p.data, p.schema_id, p.truncated),
            (v.clone(), Some(7), false)
        );
        let p = decoded("avro", v, 9, 7, 5);
        assert!(p.truncated);
        assert_eq!(p.data, "{\"id\"");
    }
}
