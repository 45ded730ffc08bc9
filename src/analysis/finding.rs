//! Findings and rule registries shared by every rule family (cluster health, config audit, lag).
//! Pure data: a rule is `{id, severity, title, doc, check}`; a finding is what a rule reports.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How bad a finding is. Ordered: `Info < Warn < Error < Critical`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; nothing is at risk.
    Info,
    /// Degraded or risky; act soon.
    Warn,
    /// Broken for some clients now, or data at risk on the next failure.
    Error,
    /// Data loss or unavailability now.
    Critical,
}

impl Severity {
    /// Parses `info|warn|warning|error|critical|crit` (any case).
    pub fn parse(s: &str) -> Option<Severity> {
        match s.to_ascii_lowercase().as_str() {
            "info" => Some(Severity::Info),
            "warn" | "warning" => Some(Severity::Warn),
            "error" => Some(Severity::Error),
            "critical" | "crit" => Some(Severity::Critical),
            _ => None,
        }
    }
}

/// The evidence behind a finding: how many things are affected and the first few of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Evidence {
    /// How many items are affected in total.
    pub count: usize,
    /// The first affected items (at most [`EVIDENCE_ITEMS`]), e.g. `orders-3` or `broker 2`.
    pub items: Vec<String>,
    /// One line with the values that triggered the rule, e.g. `isr=1 < min.insync.replicas=2`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
}

/// How many affected items a finding lists; the rest are only counted.
pub const EVIDENCE_ITEMS: usize = 10;

impl Evidence {
    /// Builds evidence from every affected item, keeping the first [`EVIDENCE_ITEMS`].
    pub fn from_items<I: IntoIterator<Item = String>>(items: I, detail: impl Into<String>) -> Self {
        let mut count = 0;
        let mut kept = Vec::new();
        for item in items {
            if kept.len() < EVIDENCE_ITEMS {
                kept.push(item);
            }
            count += 1;
        }
        Evidence {
            count,
            items: kept,
            detail: detail.into(),
        }
    }
}

/// How many affected items a finding's title names; the rest are counted as `(+N more)`.
pub const TITLE_ITEMS: usize = 3;

impl Evidence {
    /// The first `n` items and how many more, e.g. `orders-0, orders-3 (+4 more)`; `None` when
    /// the evidence names no item.
    pub fn names(&self, n: usize) -> Option<String> {
        if self.items.is_empty() {
            return None;
        }
        let shown: Vec<&str> = self.items.iter().take(n).map(String::as_str).collect();
        let more = self.count.saturating_sub(shown.len());
        Some(if more > 0 {
            format!("{} (+{more} more)", shown.join(", "))
        } else {
            shown.join(", ")
        })
    }
}

/// `title` followed by the first [`TITLE_ITEMS`] affected items, so the line an agent reads first
/// says what is affected: `2 partition(s) below min.insync.replicas: orders-0, orders-3 (+4 more)`.
pub fn titled(title: &str, evidence: &Evidence) -> String {
    match evidence.names(TITLE_ITEMS) {
        Some(names) => format!("{title}: {names}"),
        None => title.to_string(),
    }
}

/// One problem a rule found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Finding {
    /// Stable rule id, kebab-case (e.g. `under-min-isr`). Ids are never reused.
    pub id: String,
    /// How bad it is.
    pub severity: Severity,
    /// One line: what is wrong.
    pub title: String,
    /// What was seen: counts and the first affected items.
    pub evidence: Evidence,
    /// What to do, as an exact command or config change where one exists.
    pub remediation: String,
}

/// Sorts findings worst first, then by id, so output is stable.
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| b.severity.cmp(&a.severity).then_with(|| a.id.cmp(&b.id)));
}
