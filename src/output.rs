//! Response budget: summary first, top-N pages with opaque cursors, and a hard byte cap.
//! Pure: values in, values out. Every tool answer passes through [`Answer`], so no answer can
//! exceed the configured cap (default 64 KiB, ~16 k tokens) whatever a cluster holds.

use base64::Engine as _;
use rmcp::handler::server::tool::IntoCallToolResult;
use rmcp::model::{CallToolResponse, CallToolResult, ContentBlock};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

/// Where a page starts and how to get the next one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct PageInfo {
    /// Items matching the request, across all pages.
    pub total: usize,
    /// Items in this answer.
    pub returned: usize,
    /// Pass as `cursor` to get the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// Default page size when a call gives no `limit`.
pub const DEFAULT_LIMIT: usize = 50;
/// Largest page a call may ask for.
pub const MAX_LIMIT: usize = 500;

/// Cuts `items` to one page. `scope` ties the cursor to the query that made it (e.g. the tool,
/// action and filter), so a cursor from another query is refused instead of silently misused.
pub fn paginate<T>(
    items: Vec<T>,
    limit: Option<usize>,
    cursor: Option<&str>,
    scope: &str,
) -> Result<(Vec<T>, PageInfo), String> {
    let limit = limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
    let start = match cursor {
        None => 0,
        Some(c) => decode_cursor(c, scope)?,
    };
    let total = items.len();
    let page: Vec<T> = items.into_iter().skip(start).take(limit).collect();
    let end = start + page.len();
    Ok((
        page,
        PageInfo {
            total,
            returned: end - start.min(end),
            next_cursor: (end < total).then(|| encode_cursor(end, scope)),
        },
    ))
}

fn scope_tag(scope: &str) -> u32 {
    // FNV-1a: stable across runs and processes.
    scope.bytes().fold(0x811c_9dc5u32, |h, b| {
        (h ^ b as u32).wrapping_mul(0x0100_0193)
    })
}

/// An opaque cursor for `offset` within `scope`.
pub fn encode_cursor(offset: usize, scope: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(format!("v1:{offset}:{:08x}", scope_tag(scope)))
}

/// The offset a cursor points at, if it was made for `scope`.
pub fn decode_cursor(cursor: &str, scope: &str) -> Result<usize, String> {
    let bad = || {
        "invalid cursor: pass back the `next_cursor` of the previous answer unchanged, with the same filters, or omit `cursor` to start over".to_string()
    };
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor.trim())
        .map_err(|_| bad())?;
    let text = String::from_utf8(raw).map_err(|_| bad())?;
    let mut parts = text.split(':');
    let (Some("v1"), Some(off), Some(tag), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    if tag != format!("{:08x}", scope_tag(scope)) {
        return Err("this cursor belongs to a different query (other action or filters): repeat the original call, or omit `cursor` to start over".to_string());
    }
    off.parse().map_err(|_| bad())
}

/// Shrinks `value` until its JSON is at most `max_bytes`: the longest arrays lose their tail
/// first. Returns a note naming what was cut, or `None` when nothing was.
pub fn cap(value: &mut Value, max_bytes: usize) -> Option<String> {
    let mut size = json_len(value);
    if size <= max_bytes {
        return None;
    }
    let original = size;
    let mut cut: Vec<String> = Vec::new();
    // Each pass halves the largest array; bounded because arrays only shrink.
    for _ in 0..200 {
        if size <= max_bytes {
            break;
        }
        let Some(path) = largest_array(value, String::new()).map(|(p, _)| p) else {
            break;
        };
        let arr = pointer_array(value, &path).expect("path just found");
        let keep = arr.len() / 2;
        arr.truncate(keep);
        if !cut.contains(&path) {
            cut.push(path);
        }
        size = json_len(value);
    }
    if size > max_bytes {
        // No arrays left to cut: replace long strings.
        shorten_strings(value, 256);
    }
    let where_ = if cut.is_empty() {
        "long text".to_string()
    } else {
        cut.join(", ")
    };
    Some(format!(
        "answer cut from {original} to at most {max_bytes} bytes by shortening {where_}; narrow the request (filters, limit, cursor) to see the rest"
    ))
}

fn json_len(v: &Value) -> usize {
    serde_json::to_vec(v).map(|b| b.len()).unwrap_or(usize::MAX)
}

fn largest_array(v: &Value, path: String) -> Option<(String, usize)> {
    let mut best: Option<(String, usize)> = None;
    let mut consider = |c: Option<(String, usize)>| {
        if let Some((p, n)) = c {
            if best.as_ref().is_none_or(|(_, b)| n > *b) {
                best = Some((p, n));
            }
        }
    };
    match v {
        Value::Array(a) => {
            if a.len() > 1 {
                consider(Some((path.clone(), json_len(v))));
            }
            for (i, x) in a.iter().enumerate() {
                consider(largest_array(x, format!("{path}/{i}")));
            }
        }
        Value::Object(o) => {
            for (k, x) in o {
                consider(largest_array(
                    x,
                    format!("{path}/{}", k.replace('~', "~0").replace('/', "~1")),
                ));
            }
        }
        _ => {}
    }
    best
}

fn pointer_array<'a>(v: &'a mut Value, path: &str) -> Option<&'a mut Vec<Value>> {
    v.pointer_mut(path).and_then(Value::as_array_mut)
}

fn shorten_strings(v: &mut Value, max: usize) {
    match v {
        Value::String(s) if s.len() > max => {
            let mut end = max;
            while !s.is_char_boundary(end) {
                end -= 1;
            }
            s.truncate(end);
            s.push('…');
        }
        Value::Array(a) => a.iter_mut().for_each(|x| shorten_strings(x, max)),
        Value::Object(o) => o.values_mut().for_each(|x| shorten_strings(x, max)),
        _ => {}
    }
}

/// A tool's short text rendering, for clients that show only text content.
pub trait Summary {
    /// A few lines: the verdict first, then the most important facts.
    fn summary(&self) -> String;
}

/// A successful tool answer: `structuredContent` (capped) plus the text summary.
pub struct Answer<T> {
    /// The structured output, matching the tool's output schema.
    pub value: T,
    /// Byte cap for the structured output.
    pub max_bytes: usize,
}

impl<T: Serialize + Summary> Answer<T> {
    /// Renders to the MCP result (also used by the CLI `call` path through MCP).
    pub fn into_result(self) -> CallToolResult {
        let mut text = self.value.summary();
        let mut value = serde_json::to_value(&self.value).unwrap_or_else(
            |e| serde_json::json!({ "error": format!("could not serialize the answer: {e}") }),
        );
        if let Some(note) = cap(
            &mut value,
            self.max_bytes
                .saturating_sub(text.len().min(self.max_bytes / 4)),
        ) {
            if let Value::Object(o) = &mut value {
                o.insert("truncated".to_string(), Value::String(note.clone()));
            }
            text.push_str("\n(");
            text.push_str(&note);
            text.push(')');
        }
        let mut r = CallToolResult::success(vec![ContentBlock::text(text)]);
        r.structured_content = Some(value);
        r
    }
}

impl<T: Serialize + Summary + 'static> IntoCallToolResult for Answer<T> {
    fn into_call_tool_result(self) -> Result<CallToolResponse, rmcp::ErrorData> {
        Ok(self.into_result().into())
    }
}

/// An i64 offset on the wire: a string, so JSON number precision never bites.
pub fn off(v: i64) -> String {
    v.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pages_and_cursors_round_trip() {
        let items: Vec<u32> = (0..120).collect();
        let (p1, i1) = paginate(items.clone(), Some(50), None, "q").unwrap();
        assert_eq!(p1.len(), 50);
        assert_eq!(i1.total, 120);
        let c = i1.next_cursor.unwrap();
        let (p2, i2) = paginate(items.clone(), Some(50), Some(&c), "q").unwrap();
        assert_eq!(p2[0], 50);
        let (p3, i3) = paginate(items.clone(), Some(50), i2.next_cursor.as_deref(), "q").unwrap();
        assert_eq!(p3.len(), 20);
        assert_eq!(i3.next_cursor, None);
        assert!(paginate(items.clone(), Some(50), Some(&c), "other")
            .unwrap_err()
            .contains("different query"));
        assert!(paginate(items, None, Some("garbage!"), "q")
            .unwrap_err()
            .contains("invalid cursor"));
    }

    #[test]
    fn limit_is_clamped() {
        let (p, _) = paginate((0..2000).collect::<Vec<u32>>(), Some(100_000), None, "q").unwrap();
        assert_eq!(p.len(), MAX_LIMIT);
        let (p, _) = paginate((0..5).collect::<Vec<u32>>(), Some(0), None, "q").unwrap();
        assert_eq!(p.len(), 1);
    }

    #[test]
    fn cap_cuts_the_largest_array_and_says_so() {
        let mut v =
            json!({"summary": "x", "items": (0..5000).collect::<Vec<_>>(), "small": [1, 2]});
        let note = cap(&mut v, 2000).unwrap();
        assert!(serde_json::to_vec(&v).unwrap().len() <= 2000);
        assert!(note.contains("/items"), "{note}");
        assert_eq!(v["small"], json!([1, 2]));
        assert_eq!(v["summary"], "x");
    }

    #[test]
    fn cap_leaves_small_answers_alone() {
        let mut v = json!({"a": [1, 2, 3]});
        assert_eq!(cap(&mut v, 1000), None);
        assert_eq!(v, json!({"a": [1, 2, 3]}));
    }

    #[test]
    fn cap_shortens_huge_strings() {
        let mut v = json!({"s": "x".repeat(10_000)});
        assert!(cap(&mut v, 1000).is_some());
        assert!(serde_json::to_vec(&v).unwrap().len() <= 1000);
    }
}
