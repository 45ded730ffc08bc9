//! `schema_validate` checker timings, no broker needed:
//! `cargo run --release --example bench -- schema`. For each format, a history of 50 versions
//! × 200 fields (see `kafka_mcp::schema_format::synthetic_history`), compatible and breaking:
//! median time of one BACKWARD_TRANSITIVE check, one FULL_TRANSITIVE check and `modes` (the
//! seven modes), and the size of the tool's answer (structured JSON + text summary) for the
//! FULL_TRANSITIVE check after the answer budget.

use std::time::{Duration, Instant};

use kafka_mcp::avro::Mode;
use kafka_mcp::mcp_tools::schema_validate::{budget, SchemaAction, SchemaValidateOutput};
use kafka_mcp::output::Summary;
use kafka_mcp::schema_format::{self, Format, Refs};

const ITERS: usize = 15;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn answer_bytes(format: Format, report: schema_format::CheckReport) -> usize {
    let out = SchemaValidateOutput {
        action: SchemaAction::Check,
        format,
        validation: None,
        check: Some(report),
        mode_source: Some("input".into()),
        modes: None,
        previous_versions: (1..=50).map(|i| format!("version {i}")).collect(),
        references: Vec::new(),
        registry: None,
        notes: Vec::new(),
    };
    serde_json::to_string(&out).map_or(0, |s| s.len()) + out.summary().len()
}

/// The markdown table.
pub fn report() -> String {
    let refs = Refs::new();
    let mut s = String::from(
        "| format | history | check BACKWARD_TRANSITIVE (median) | check FULL_TRANSITIVE (median) | modes, 7 modes (median) | incompatibilities (FULL_TRANSITIVE) | answer bytes |\n|---|---|---|---|---|---|---|\n",
    );
    for format in [Format::Avro, Format::Protobuf, Format::Json] {
        for breaking in [false, true] {
            let (new, previous) = schema_format::synthetic_history(format, 50, 200, breaking);
            let mut backs = Vec::with_capacity(ITERS);
            for _ in 0..ITERS {
                let t = Instant::now();
                let _ =
                    schema_format::check(format, &new, &previous, &refs, Mode::BackwardTransitive)
                        .expect("synthetic schemas are valid");
                backs.push(t.elapsed());
            }
            let mut checks = Vec::with_capacity(ITERS);
            let mut last = None;
            for _ in 0..ITERS {
                let t = Instant::now();
                let r = schema_format::check(format, &new, &previous, &refs, Mode::FullTransitive)
                    .expect("synthetic schemas are valid");
                checks.push(t.elapsed());
                last = Some(r);
            }
            let mut modes = Vec::with_capacity(ITERS);
            for _ in 0..ITERS {
                let t = Instant::now();
                let _ = schema_format::modes(format, &new, &previous, &refs);
                modes.push(t.elapsed());
            }
            let mut r = last.expect("ran");
            let found = r.incompatibilities.len();
            budget(&mut r);
            s.push_str(&format!(
                "| {format} | 50 × 200, {} | {:.1} ms | {:.1} ms | {:.1} ms | {found} | {} |\n",
                if breaking { "breaking" } else { "compatible" },
                median(backs).as_secs_f64() * 1e3,
                median(checks).as_secs_f64() * 1e3,
                median(modes).as_secs_f64() * 1e3,
                answer_bytes(format, r)
            ));
        }
    }
    s
}
