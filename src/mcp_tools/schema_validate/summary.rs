//! The text summary of a schema_validate answer.

use super::*;

impl Summary for SchemaValidateOutput {
    fn summary(&self) -> String {
        let mut s = String::new();
        if let Some(v) = &self.validation {
            let (errors, warnings) = count_levels(v);
            let dialect = v
                .dialect
                .as_deref()
                .map(|d| format!(" ({d})"))
                .unwrap_or_default();
            if v.valid {
                s.push_str(&format!(
                    "VALID {} schema{dialect}; fingerprint {} ({} warning(s))",
                    v.format.display_name(),
                    v.fingerprint_rabin.as_deref().unwrap_or("-"),
                    warnings
                ));
            } else {
                s.push_str(&format!(
                    "INVALID {} schema{dialect}: {errors} error(s), {warnings} warning(s)",
                    v.format.display_name()
                ));
            }
            for p in v.problems.iter().take(10) {
                s.push_str(&format!(
                    "\n- [{}] {} {}: {} Fix: {}",
                    level_str(p.level),
                    p.path,
                    p.kind,
                    p.message,
                    p.fix
                ));
            }
            more(&mut s, v.problems.len(), 10, "problem");
        }
        if let Some(c) = &self.check {
            let verdict = if c.compatible {
                "COMPATIBLE"
            } else {
                "INCOMPATIBLE"
            };
            let with = if c.compared_with.is_empty() {
                "nothing (NONE checks nothing)".to_string()
            } else {
                c.compared_with.join(", ")
            };
            let total = c.incompatibilities.len() + c.omitted;
            s.push_str(&format!(
                "{verdict} ({}) under {} (mode from {}) with {with}: {total} incompatibilit{}",
                c.format,
                c.mode,
                self.mode_source.as_deref().unwrap_or("input"),
                if total == 1 { "y" } else { "ies" }
            ));
            for i in c.incompatibilities.iter().take(3) {
                s.push_str(&format!(
                    "\n- {} reads {}: {} {}: {} Fix: {}",
                    i.reader, i.writer, i.path, i.kind, i.message, i.fix
                ));
            }
            more(&mut s, total, 3, "incompatibility");
            if let Some(m) = &c.content_model {
                s.push_str(&format!("\ncontent model assumed: {m}"));
            }
        }
        if let Some(m) = &self.modes {
            let ok: Vec<&str> = m
                .iter()
                .filter(|v| v.compatible)
                .map(|v| v.mode.as_str())
                .collect();
            let bad: Vec<String> = m
                .iter()
                .filter(|v| !v.compatible)
                .map(|v| format!("{} ({})", v.mode, v.incompatibilities))
                .collect();
            s.push_str(&format!(
                "Satisfies: {}; breaks: {} (against {} previous version(s))",
                ok.join(", "),
                if bad.is_empty() {
                    "none".to_string()
                } else {
                    bad.join(", ")
                },
                self.previous_versions.len()
            ));
        }
        if let Some(r) = &self.registry {
            s.push_str(&format!(
                "\nregistry subject {} versions {:?}",
                r.subject, r.versions
            ));
            if let Some(l) = &r.level {
                s.push_str(&format!(", level {l}"));
            }
            if let Some(v) = &r.verdict {
                s.push_str(&format!(
                    "; registry says {}, {}",
                    if v.is_compatible {
                        "compatible"
                    } else {
                        "incompatible"
                    },
                    if v.agrees_with_local {
                        "agrees with local"
                    } else {
                        "DISAGREES with local"
                    }
                ));
            }
        }
        for n in &self.notes {
            s.push_str(&format!("\nnote: {n}"));
        }
        if let Some(c) = &self.check {
            for n in c.notes.iter().take(1) {
                s.push_str(&format!("\nnote: {n}"));
            }
        }
        s
    }
}

fn count_levels(v: &SchemaValidation) -> (usize, usize) {
    let errors = v
        .problems
        .iter()
        .filter(|p| p.level == Level::Error)
        .count();
    (errors, v.problems.len() - errors)
}

fn level_str(l: Level) -> &'static str {
    match l {
        Level::Error => "error",
        Level::Warning => "warning",
    }
}

fn more(s: &mut String, total: usize, shown: usize, what: &str) {
    if total > shown {
        s.push_str(&format!(
            "\n- … {} more {what}(s) in the structured answer",
            total - shown
        ));
    }
}
