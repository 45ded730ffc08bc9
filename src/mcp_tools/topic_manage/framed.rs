//! peek's framed records: keys and values in Confluent's wire format (magic byte 0, schema id)
//! decoded with their writer schema from the Schema Registry — Avro, Protobuf and JSON Schema
//! alike (`schema_format::framing` decodes; this file fetches schemas by id, once per id per
//! call, with their references). Anything that does not decode is shown as before (JSON, text
//! or base64) with a note saying why.

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;
use std::time::Duration;

use crate::analysis::payload::{decode, decoded, Payload};
use crate::config::Config;
use crate::registry::{Registry, VersionRef};
use crate::schema_format::framing::{self, MAGIC};
use crate::schema_format::{Format, Refs};

/// Most schema references fetched for one writer schema.
const MAX_REFERENCES: usize = 64;

/// A writer schema, ready to decode with.
struct Writer {
    format: Format,
    schema: String,
    refs: Refs,
}

/// Decodes the payloads of one peek; remembers schemas by id and collects notes.
pub(super) struct FramedDecoder {
    registry: Result<Registry, String>,
    writers: BTreeMap<u32, Result<Writer, String>>,
    notes: BTreeSet<String>,
}

impl FramedDecoder {
    /// A decoder over the configured registry (without one, framed records are only noted).
    pub(super) fn new(config: &Config) -> FramedDecoder {
        let registry = match &config.schema_registry {
            None => Err("no Schema Registry is configured: add [server.schema_registry] url = \"http://host:8081\" to decode them".to_string()),
            Some(cfg) => Registry::new(cfg, Duration::from_millis(config.timeout_ms))
                .map_err(|e| e.to_string()),
        };
        FramedDecoder {
            registry,
            writers: BTreeMap::new(),
            notes: BTreeSet::new(),
        }
    }

    /// The payload of `bytes`: decoded with its writer schema when framed, else as before.
    pub(super) async fn payload(&mut self, bytes: &[u8], max: usize) -> Payload {
        let Some(id) = schema_id(bytes) else {
            return decode(bytes, max);
        };
        if let Err(why) = &self.registry {
            self.notes.insert(format!(
                "records framed with schema id {id} were not decoded: {why}"
            ));
            return decode(bytes, max);
        }
        if !self.writers.contains_key(&id) {
            let w = self.fetch(id).await;
            self.writers.insert(id, w);
        }
        let writer = match &self.writers[&id] {
            Ok(w) => w,
            Err(why) => {
                self.notes.insert(format!(
                    "schema id {id}: {why}; those records are shown undecoded"
                ));
                return decode(bytes, max);
            }
        };
        let Some(frame) = framing::parse_frame(bytes, writer.format) else {
            self.notes.insert(format!(
                "a record names schema id {id} but its frame is malformed (message indexes cut short): shown undecoded"
            ));
            return decode(bytes, max);
        };
        match framing::decode(writer.format, &writer.schema, &writer.refs, &frame) {
            Ok(d) => {
                for n in d.notes {
                    self.notes.insert(format!("schema id {id}: {n}"));
                }
                let encoding = match writer.format {
                    Format::Avro => "avro",
                    Format::Protobuf => "protobuf",
                    Format::Json => "json-schema",
                };
                decoded(encoding, d.value, bytes.len(), id, max)
            }
            Err(why) => {
                self.notes.insert(format!(
                    "a record framed with schema id {id} did not decode ({why}): shown undecoded"
                ));
                decode(bytes, max)
            }
        }
    }

    /// Notes for the answer (at most a few distinct ones).
    pub(super) fn into_notes(self) -> Vec<String> {
        let total = self.notes.len();
        let mut notes: Vec<String> = self.notes.into_iter().take(5).collect();
        if total > 5 {
            notes.push(format!("… {} more note(s) on framed records", total - 5));
        }
        notes
    }

    /// The writer schema `id` and, transitively, the schemas it references.
    async fn fetch(&self, id: u32) -> Result<Writer, String> {
        let registry = self.registry.as_ref().map_err(Clone::clone)?;
        let s = registry
            .schema_by_id(id)
            .await
            .map_err(|e| e.to_string())?
            .ok_or_else(|| "the registry knows no such id".to_string())?;
        let format = Format::from_str(&s.schema_type).map_err(|_| {
            format!(
                "schemaType {} is not one of AVRO, PROTOBUF, JSON",
                s.schema_type
            )
        })?;
        let mut refs = Refs::new();
        let mut queue = s.references.clone();
        let mut seen = BTreeSet::new();
        while let Some(r) = queue.pop() {
            if refs.contains_key(&r.name) || !seen.insert((r.subject.clone(), r.version)) {
                continue;
            }
            if seen.len() > MAX_REFERENCES {
                return Err(format!("more than {MAX_REFERENCES} schema references"));
            }
            let referenced = registry
                .schema(&r.subject, VersionRef::Number(r.version))
                .await
                .map_err(|e| format!("reference {}: {e}", r.name))?;
            queue.extend(referenced.references.iter().cloned());
            refs.insert(r.name.clone(), referenced.schema);
        }
        Ok(Writer {
            format,
            schema: s.schema,
            refs,
        })
    }
}

/// The schema id of a framed payload: magic byte 0, then 4 bytes big-endian, then at least the
/// start of a payload (5 bytes alone are a frame with nothing in it, still framed).
fn schema_id(bytes: &[u8]) -> Option<u32> {
    match bytes {
        [MAGIC, a, b, c, d, ..] => Some(u32::from_be_bytes([*a, *b, *c, *d])),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_magic_byte_zero_and_four_id_bytes_are_framed() {
        assert_eq!(schema_id(&[0, 0, 0, 0, 7, 2]), Some(7));
        assert_eq!(schema_id(&[0, 0, 0, 1, 0]), Some(256));
        assert_eq!(schema_id(&[1, 0, 0, 0, 7, 2]), None);
        assert_eq!(schema_id(&[0, 0, 0, 7]), None);
        assert_eq!(schema_id(b"{\"a\":1}"), None);
    }

    #[tokio::test]
    async fn without_a_registry_framed_records_are_noted_and_shown_as_bytes() {
        let config = Config::load(&Default::default(), &Default::default()).unwrap();
        assert!(config.schema_registry.is_none());
        let mut d = FramedDecoder::new(&config);
        let p = d.payload(&[0, 0, 0, 0, 7, 0xff, 0x02], 1024).await;
        assert_eq!((p.encoding.as_str(), p.schema_id), ("base64", None));
        let plain = d.payload(b"{\"a\":1}", 1024).await;
        assert_eq!(plain.encoding, "json");
        let notes = d.into_notes();
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(notes[0].contains("schema id 7") && notes[0].contains("[server.schema_registry]"));
    }
}
