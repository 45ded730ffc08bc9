//! The text summary of a config_audit answer.

use super::*;

impl Summary for ConfigAuditOutput {
    fn summary(&self) -> String {
        let c = &self.counts;
        let mut s = if self.scope == "explain" {
            format!("{} rule(s)", self.rules.len())
        } else {
            let verdict = if c.critical > 0 {
                "CRITICAL"
            } else if c.error > 0 {
                "ERROR"
            } else if c.warn > 0 {
                "WARN"
            } else if c.info > 0 {
                "INFO"
            } else if self.notes.is_empty() {
                "OK"
            } else {
                "NO FINDINGS (partial audit, see notes)"
            };
            let on = self
                .cluster
                .as_deref()
                .map(|n| format!(" on cluster {n}"))
                .unwrap_or_default();
            format!(
                "{verdict} {} audit{on}: {} finding(s): {} critical, {} error, {} warn, {} info ({} rules run)",
                self.scope,
                c.total(),
                c.critical,
                c.error,
                c.warn,
                c.info,
                self.rules_run
            )
        };
        if let Some(cov) = &self.coverage {
            s.push_str(&format!(
                "; read {} topic(s), configs of {}/{} broker(s)",
                cov.topics, cov.brokers_with_configs, cov.live_brokers
            ));
        }
        for t in &self.top {
            s.push_str(&format!(
                "\n- [{}] {}: {}\n  fix: {}",
                sev(t.severity),
                t.id,
                t.title,
                t.fix
            ));
        }
        if c.total() > self.top.len() {
            s.push_str(&format!(
                "\n- … {} more finding(s) in `findings`",
                c.total() - self.top.len()
            ));
        }
        if let Some(next) = self.page.as_ref().and_then(|p| p.next_cursor.as_deref()) {
            s.push_str(&format!("\nnext page: cursor={next}"));
        }
        for r in &self.rules {
            s.push_str(&format!("\n{} [{}]: {}", r.id, sev(r.severity), r.title));
            if let Some(d) = &r.doc {
                s.push_str(&format!("\n{d}"));
            }
        }
        for n in &self.notes {
            s.push_str(&format!("\nnote: {n}"));
        }
        s
    }
}

// ---------------------------------------------------------------------------------------------------------
// Pure helpers

fn sev(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "critical",
        Severity::Error => "error",
        Severity::Warn => "warn",
        Severity::Info => "info",
    }
}
