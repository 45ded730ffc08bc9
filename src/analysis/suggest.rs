//! "Did you mean" for mistyped names: Levenshtein edit distance and the nearest candidate within a
//! typo threshold. Pure; used for topic config keys and values (`analysis::topic`), audit rule ids
//! (`analysis::audit`) and the names `tools::config_audit` is given.
//!
//! The callers disagreed on small things before they shared this module (what one edit and one
//! unit of length count, the minimum threshold, how ties fall), and each kept its behaviour: a
//! [`Typo`] spells those choices out instead of hiding them in three copies.

/// What one edit, or one unit of a word's length, counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A byte: right for ASCII-only names (config keys), where it is also the cheapest.
    Byte,
    /// A `char` (Unicode scalar value).
    Char,
}

/// Which candidate wins when several are equally near.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tie {
    /// The first in the order given.
    First,
    /// The smallest string (byte-wise), whatever the order given.
    Least,
}

/// How near a candidate must be to a word to be offered as what the caller meant: at most
/// `max(floor, len(word) / 3)` edits, with edits counted in `edits` and the length in `length`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Typo {
    /// What one edit counts.
    pub edits: Unit,
    /// What the word's length counts, for the `len / 3` part of the threshold.
    pub length: Unit,
    /// Edits always allowed, however short the word.
    pub floor: usize,
    /// Which candidate wins a tie.
    pub tie: Tie,
}

impl Typo {
    /// The most edits that still count as a typo of `word`.
    pub fn limit(&self, word: &str) -> usize {
        let len = match self.length {
            Unit::Byte => word.len(),
            Unit::Char => word.chars().count(),
        };
        (len / 3).max(self.floor)
    }

    /// The candidate nearest to `word` within [`Typo::limit`] edits, if any.
    pub fn nearest<'a>(
        &self,
        word: &str,
        candidates: impl IntoIterator<Item = &'a str>,
    ) -> Option<&'a str> {
        let limit = self.limit(word);
        let near = candidates
            .into_iter()
            .map(|c| (edit_distance(word, c, self.edits), c))
            .filter(|(d, _)| *d <= limit);
        match self.tie {
            Tie::First => near.min_by_key(|(d, _)| *d),
            Tie::Least => near.min(),
        }
        .map(|(_, c)| c)
    }
}

/// Levenshtein distance between `a` and `b`: the fewest insertions, deletions and substitutions of
/// one `unit` that turn `a` into `b`.
pub fn edit_distance(a: &str, b: &str, unit: Unit) -> usize {
    match unit {
        Unit::Byte => levenshtein(a.as_bytes(), b.as_bytes()),
        Unit::Char => {
            let a: Vec<char> = a.chars().collect();
            let b: Vec<char> = b.chars().collect();
            levenshtein(&a, &b)
        }
    }
}

fn levenshtein<T: PartialEq>(a: &[T], b: &[T]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    const BYTES_FIRST: Typo = Typo {
        edits: Unit::Byte,
        length: Unit::Byte,
        floor: 2,
        tie: Tie::First,
    };

    #[test]
    fn edit_distance_basics() {
        for unit in [Unit::Byte, Unit::Char] {
            assert_eq!(edit_distance("", "", unit), 0);
            assert_eq!(edit_distance("abc", "", unit), 3);
            assert_eq!(edit_distance("", "abc", unit), 3);
            assert_eq!(edit_distance("kitten", "sitting", unit), 3);
            assert_eq!(edit_distance("flaw", "lawn", unit), 2);
            assert_eq!(edit_distance("retention.ms", "retention.ms", unit), 0);
        }
    }

    #[test]
    fn bytes_and_chars_differ_only_off_ascii() {
        // `é` is two bytes: one char substitution, but two byte edits.
        assert_eq!(edit_distance("cafe", "café", Unit::Char), 1);
        assert_eq!(edit_distance("cafe", "café", Unit::Byte), 2);
    }

    #[test]
    fn limit_is_a_third_of_the_length_with_a_floor() {
        assert_eq!(BYTES_FIRST.limit(""), 2);
        assert_eq!(BYTES_FIRST.limit("retention.ms"), 4);
        let chars = Typo {
            length: Unit::Char,
            floor: 3,
            ..BYTES_FIRST
        };
        assert_eq!(chars.limit("ab"), 3);
        assert_eq!(chars.limit("éééééééééééé"), 4, "12 chars, 24 bytes");
        assert_eq!(BYTES_FIRST.limit("éééééééééééé"), 8);
    }

    #[test]
    fn nearest_within_the_limit() {
        let keys = ["retention.ms", "retention.bytes", "segment.ms"];
        assert_eq!(
            BYTES_FIRST.nearest("retention.mss", keys),
            Some("retention.ms")
        );
        assert_eq!(BYTES_FIRST.nearest("zzz", keys), None);
        assert_eq!(BYTES_FIRST.nearest("x", Vec::<&str>::new()), None);
    }

    #[test]
    fn ties_fall_to_the_first_or_the_least() {
        // "ab" is one edit from both.
        let candidates = ["ac", "aa"];
        assert_eq!(BYTES_FIRST.nearest("ab", candidates), Some("ac"));
        let least = Typo {
            tie: Tie::Least,
            ..BYTES_FIRST
        };
        assert_eq!(least.nearest("ab", candidates), Some("aa"));
    }
}
