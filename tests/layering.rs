//! The house plan, checked: arrows run one way. The pure core (`src/analysis/`, the format
//! checkers, `src/snapshot/`) names no runtime, Kafka client, MCP SDK or shell; nothing outside
//! `src/kafka/` names librdkafka's FFI; the shell names no MCP type and no core verdict code; the
//! tools import the handler from `crate::app`, never the router in `crate::server`.
//!
//! Reads the sources as text (comments skipped), so a violation fails here with the file and line
//! before anyone has to find it in review.

use std::path::{Path, PathBuf};

/// One rule: files under `dirs` must not contain any of `forbidden` in code.
struct Rule {
    what: &'static str,
    dirs: &'static [&'static str],
    forbidden: &'static [&'static str],
}

const RULES: &[Rule] = &[
    Rule {
        what: "the pure core (analysis, snapshots, format checkers) does no I/O and knows no shell or MCP",
        dirs: &[
            "src/analysis",
            "src/snapshot",
            "src/avro",
                                    "src/schema_format",
        ],
        forbidden: &[
            "tokio::",
            "rdkafka::",
            "rdkafka_sys::",
            "rmcp::",
            "reqwest::",
            "crate::kafka",
            "crate::app",
            "crate::server",
            "crate::mcp_tools",
            "crate::registry",
            "crate::error",
            "crate::http",
            "crate::stdio",
            "crate::schema_dir",
        ],
    },
    Rule {
        what: "snapshots are plain data: they import no core module either",
        dirs: &["src/snapshot"],
        forbidden: &["crate::analysis", "crate::avro", "crate::schema_format"],
    },
    Rule {
        what: "the shell (src/kafka) names no MCP type, no tool and no core verdict code",
        dirs: &["src/kafka"],
        forbidden: &[
            "rmcp::",
            "crate::error",
            "ToolError",
            "crate::mcp_tools",
            "crate::app",
            "crate::server",
            "crate::analysis",
        ],
    },
    Rule {
        what: "tools and resources import the handler from crate::app, never the router module",
        dirs: &["src/mcp_tools", "src/resources.rs", "src/app.rs"],
        forbidden: &["crate::server"],
    },
];

/// Files outside `src/kafka/` must not name librdkafka's FFI module.
const FFI_WORDS: &[&str] = &["ffi::", "kafka::ffi", "rdkafka_sys"];

fn rust_files(root: &Path) -> Vec<PathBuf> {
    if root.is_file() {
        return vec![root.to_path_buf()];
    }
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Code lines (1-based number, text) with line comments and doc comments dropped.
fn code_lines(path: &Path) -> Vec<(usize, String)> {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim_start().starts_with("//"))
        .map(|(i, l)| {
            // A trailing comment (not inside a string: good enough for `use` paths).
            let code = match l.find(" // ") {
                Some(at) if !l[..at].contains('"') => &l[..at],
                _ => l,
            };
            (i + 1, code.to_string())
        })
        .collect()
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn violations(dirs: &[&str], forbidden: &[&str], skip: impl Fn(&Path) -> bool) -> Vec<String> {
    let mut out = Vec::new();
    for dir in dirs {
        for file in rust_files(&root().join(dir)) {
            if skip(&file) {
                continue;
            }
            for (n, line) in code_lines(&file) {
                for word in forbidden {
                    if line.contains(word) {
                        let rel = file.strip_prefix(root()).unwrap().display().to_string();
                        out.push(format!("{rel}:{n}: `{word}` in `{}`", line.trim()));
                    }
                }
            }
        }
    }
    out
}

#[test]
fn arrows_run_one_way() {
    let mut failures = Vec::new();
    for rule in RULES {
        let v = violations(rule.dirs, rule.forbidden, |_| false);
        if !v.is_empty() {
            failures.push(format!("{}:\n  {}", rule.what, v.join("\n  ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn ffi_stays_inside_the_shell() {
    let kafka = root().join("src/kafka");
    // The benchmark's raw baseline calls librdkafka directly on purpose (it is what the tools are
    // measured against); this file lists the forbidden words.
    let exempt = [
        root().join("tools/bench/raw.rs"),
        root().join("tests/layering.rs"),
    ];
    let v = violations(&["src", "tests", "tools"], FFI_WORDS, |f| {
        f.starts_with(&kafka) || exempt.iter().any(|e| e == f)
    });
    assert!(
        v.is_empty(),
        "librdkafka's FFI is named outside src/kafka/ (convert its answers into crate::snapshot types in the shell):\n  {}",
        v.join("\n  ")
    );
}

#[test]
fn unsafe_lives_only_in_the_ffi_module() {
    let ffi = root().join("src/kafka/ffi");
    let v = violations(&["src"], &["unsafe "], |f| f.starts_with(&ffi));
    assert!(
        v.is_empty(),
        "unsafe outside src/kafka/ffi/:\n  {}",
        v.join("\n  ")
    );
}

#[test]
fn the_checks_see_a_violation() {
    // The scanner itself must find a forbidden word in code and skip it in comments.
    let dir = std::env::temp_dir().join(format!("kafka-mcp-layering-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("probe.rs");
    std::fs::write(
        &file,
        "//! mentions tokio:: in a doc\nuse tokio::sync::Mutex;\n",
    )
    .unwrap();
    let lines = code_lines(&file);
    assert_eq!(lines.len(), 1);
    assert!(lines[0].1.contains("tokio::"));
    assert_eq!(lines[0].0, 2);
    std::fs::remove_dir_all(&dir).unwrap();
}
