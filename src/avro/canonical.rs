//! Parsing Canonical Form and its CRC-64-AVRO (Rabin) fingerprint, written from the specification
//! ("Parsing Canonical Form for Schemas", "Schema Fingerprints") over a resolved [`Schema`].
//! Our own rather than apache-avro's: 0.22 writes `{"type":"long"}` for a logical `long` and keeps
//! `precision`, `scale` and field `order`, which the spec's [PRIMITIVES] and [STRIP] rules remove
//! (the spec's test vector 026 strips `order`). Elsewhere the two agree (see the tests).

use super::model::{Body, Schema, Ty};

/// Parsing Canonical Form: fullnames, only `name type fields symbols items values size`,
/// in that order, no whitespace, each named type written in full at its first use only.
pub(crate) fn canonical_form(schema: &Schema) -> String {
    let mut out = String::new();
    let mut written = vec![false; schema.named.len()];
    write(schema, &schema.root, &mut written, &mut out);
    out
}

fn write(schema: &Schema, ty: &Ty, written: &mut [bool], out: &mut String) {
    match ty {
        Ty::Null => out.push_str("\"null\""),
        Ty::Boolean => out.push_str("\"boolean\""),
        Ty::Int => out.push_str("\"int\""),
        Ty::Long => out.push_str("\"long\""),
        Ty::Float => out.push_str("\"float\""),
        Ty::Double => out.push_str("\"double\""),
        Ty::Bytes => out.push_str("\"bytes\""),
        Ty::String => out.push_str("\"string\""),
        Ty::Array(items) => {
            out.push_str("{\"type\":\"array\",\"items\":");
            write(schema, items, written, out);
            out.push('}');
        }
        Ty::Map(values) => {
            out.push_str("{\"type\":\"map\",\"values\":");
            write(schema, values, written, out);
            out.push('}');
        }
        Ty::Union(branches) => {
            out.push('[');
            for (i, b) in branches.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(schema, b, written, out);
            }
            out.push(']');
        }
        Ty::Named(i) => {
            let named = &schema.named[*i];
            if written[*i] {
                push_str_literal(out, &named.fullname);
                return;
            }
            written[*i] = true;
            out.push_str("{\"name\":");
            push_str_literal(out, &named.fullname);
            out.push_str(",\"type\":\"");
            out.push_str(named.body.kind());
            out.push('"');
            match &named.body {
                Body::Record { fields } => {
                    out.push_str(",\"fields\":[");
                    for (j, f) in fields.iter().enumerate() {
                        if j > 0 {
                            out.push(',');
                        }
                        out.push_str("{\"name\":");
                        push_str_literal(out, &f.name);
                        out.push_str(",\"type\":");
                        write(schema, &f.ty, written, out);
                        out.push('}');
                    }
                    out.push(']');
                }
                Body::Enum { symbols, .. } => {
                    out.push_str(",\"symbols\":[");
                    for (j, s) in symbols.iter().enumerate() {
                        if j > 0 {
                            out.push(',');
                        }
                        push_str_literal(out, s);
                    }
                    out.push(']');
                }
                Body::Fixed { size } => {
                    out.push_str(",\"size\":");
                    out.push_str(&size.to_string());
                }
            }
            out.push('}');
        }
    }
}

/// Names and symbols are `[A-Za-z0-9_.]` once validated, so quoting needs no escapes.
fn push_str_literal(out: &mut String, s: &str) {
    out.push('"');
    out.push_str(s);
    out.push('"');
}

const EMPTY: u64 = 0xc15d_213a_a4d7_a795;

const TABLE: [u64; 256] = {
    let mut table = [0u64; 256];
    let mut i = 0;
    while i < 256 {
        let mut fp = i as u64;
        let mut j = 0;
        while j < 8 {
            fp = (fp >> 1) ^ (EMPTY & 0u64.wrapping_sub(fp & 1));
            j += 1;
        }
        table[i] = fp;
        i += 1;
    }
    table
};

/// CRC-64-AVRO over `bytes`, as the spec's reference `fingerprint64`.
pub(crate) fn rabin(bytes: &[u8]) -> u64 {
    let mut fp = EMPTY;
    for &b in bytes {
        fp = (fp >> 8) ^ TABLE[((fp ^ u64::from(b)) & 0xff) as usize];
    }
    fp
}
