//! Glob patterns for topic and group filters: `*` (any run of characters, even none), `?` (exactly
//! one character), anything else matches itself. Case-sensitive, whole-string, no escapes, no
//! `[...]` classes. Pure; used wherever an input takes a topic or group filter (e.g.
//! protected-topic globs).

/// True when `text` matches `pattern` as a whole.
///
/// `*` matches any sequence of characters (including none), `?` exactly one character (a Unicode
/// scalar value, not a byte), every other character only itself. Matching is case-sensitive, since
/// Kafka topic and group names are. There is no escape: a literal `*` or `?` cannot be matched on
/// its own (topic names cannot contain them; group ids rarely do).
///
/// Runs in O(pattern × text) time in the worst case and never recurses.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0usize, 0usize);
    // Where the last `*` was seen, and the text position it is currently assumed to stop at.
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(&c) if c == '?' || c == t[ti] => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                // Let the last `*` swallow one more character and retry from there.
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    // Text used up: only `*`s may remain in the pattern.
    p[pi..].iter().all(|&c| c == '*')
}

/// True when `text` matches at least one of `patterns`.
pub fn glob_match_any<S: AsRef<str>>(patterns: &[S], text: &str) -> bool {
    patterns.iter().any(|p| glob_match(p.as_ref(), text))
}

/// True when `pattern` contains a wildcard (`*` or `?`), i.e. is more than a literal name.
pub fn is_glob(pattern: &str) -> bool {
    pattern.contains(['*', '?'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_match_only_themselves() {
        assert!(glob_match("orders", "orders"));
        assert!(!glob_match("orders", "orders2"));
        assert!(!glob_match("orders", "order"));
        assert!(!glob_match("Orders", "orders"), "case-sensitive");
        assert!(glob_match("", ""));
        assert!(!glob_match("", "a"));
    }

    #[test]
    fn star_matches_any_run_including_empty() {
        assert!(glob_match("*", ""));
        assert!(glob_match("*", "anything.at_all-1"));
        assert!(glob_match("__*", "__consumer_offsets"));
        assert!(!glob_match("__*", "_schemas"));
        assert!(glob_match("orders*", "orders"));
        assert!(glob_match("*.dlq", "payments.dlq"));
        assert!(!glob_match("*.dlq", "payments.dlq2"));
        assert!(glob_match("a*b*c", "abc"));
        assert!(glob_match("a*b*c", "aXXbYYc"));
        assert!(!glob_match("a*b*c", "aXXbYY"));
        assert!(glob_match("**", "x"));
    }

    #[test]
    fn star_backtracks() {
        // The first `b` is a false start; the match needs the star to extend past it.
        assert!(glob_match("*bc", "abxbc"));
        assert!(glob_match("a*aab", "aaaaab"));
        assert!(!glob_match("a*aab", "aaaaba"));
        assert!(glob_match("*a*a*a*", "banana.a"));
    }

    #[test]
    fn question_mark_matches_exactly_one_char() {
        assert!(glob_match("orders-?", "orders-1"));
        assert!(!glob_match("orders-?", "orders-"));
        assert!(!glob_match("orders-?", "orders-10"));
        assert!(
            glob_match("??", "é!"),
            "one char is one Unicode scalar, not one byte"
        );
        assert!(glob_match("?*", "x"));
        assert!(!glob_match("?*", ""));
    }

    #[test]
    fn any_and_is_glob() {
        let pats = vec!["__*".to_string(), "_confluent*".to_string()];
        assert!(glob_match_any(&pats, "_confluent-metrics"));
        assert!(!glob_match_any(&pats, "orders"));
        assert!(!glob_match_any::<&str>(&[], "orders"));
        assert!(is_glob("ord?rs"));
        assert!(is_glob("ord*"));
        assert!(!is_glob("orders"));
    }

    #[test]
    fn long_pathological_input_terminates() {
        let text = "a".repeat(2_000);
        let pattern = format!("{}b", "*a".repeat(50));
        assert!(!glob_match(&pattern, &text));
    }
}
