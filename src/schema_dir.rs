//! Reading schema files from `[server] schema_dir`: only plain relative paths, never outside the
//! directory (symlinks included), only files up to [`MAX_FILE_BYTES`] of UTF-8. The imperative
//! edge of `schema_validate`; the format checkers never touch the disk.

use std::path::{Component, Path, PathBuf};

/// Largest schema file read from `schema_dir`.
pub const MAX_FILE_BYTES: u64 = 1 << 20;

/// Why a schema file could not be read; the message says what to do next.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SchemaFileError {
    /// Category.
    pub kind: SchemaFileErrorKind,
    /// What happened and what to do.
    pub message: String,
}

/// Categories of [`SchemaFileError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaFileErrorKind {
    /// Not a schema file (a directory, too big, not UTF-8) or no schema_dir configured.
    Invalid,
    /// A path that would leave schema_dir.
    Refused,
    /// No such file.
    NotFound,
    /// The directory or file cannot be opened.
    Unavailable,
}

impl SchemaFileError {
    fn new(kind: SchemaFileErrorKind, message: impl Into<String>) -> Self {
        SchemaFileError {
            kind,
            message: message.into(),
        }
    }
    fn invalid(m: impl Into<String>) -> Self {
        Self::new(SchemaFileErrorKind::Invalid, m)
    }
    fn refused(m: impl Into<String>) -> Self {
        Self::new(SchemaFileErrorKind::Refused, m)
    }
    fn not_found(m: impl Into<String>) -> Self {
        Self::new(SchemaFileErrorKind::NotFound, m)
    }
    fn unavailable(m: impl Into<String>) -> Self {
        Self::new(SchemaFileErrorKind::Unavailable, m)
    }
}

/// The text of schema file `rel` under `dir` (`None`: no schema_dir configured).
pub async fn read(dir: Option<&Path>, rel: &str) -> Result<String, SchemaFileError> {
    let Some(dir) = dir else {
        return Err(SchemaFileError::invalid(format!(
            "cannot read schema file {rel:?}: no schema directory is configured. Set [server] schema_dir = \"/path/to/schemas\" in the config file, or send the schema inline."
        )));
    };
    let inside = relative_inside(rel).map_err(|why| {
        SchemaFileError::refused(format!(
            "schema file {rel:?} refused: {why}. Send a path relative to schema_dir, e.g. `orders/order-v2.avsc`."
        ))
    })?;
    let root = tokio::fs::canonicalize(dir).await.map_err(|e| {
        SchemaFileError::unavailable(format!(
            "schema_dir {} cannot be opened ({e}). Fix [server] schema_dir in the config file.",
            dir.display()
        ))
    })?;
    let real = match tokio::fs::canonicalize(root.join(&inside)).await {
        Ok(p) => p,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(SchemaFileError::not_found(format!(
                "no schema file {rel:?} under schema_dir {}. Check the name (paths are relative to schema_dir).",
                root.display()
            )));
        }
        Err(e) => {
            return Err(SchemaFileError::unavailable(format!(
                "cannot open schema file {rel:?}: {e}."
            )))
        }
    };
    if !real.starts_with(&root) {
        return Err(SchemaFileError::refused(format!(
            "schema file {rel:?} refused: it is a symlink that leads outside schema_dir {}. Copy the schema into schema_dir, or send it inline.",
            root.display()
        )));
    }
    let meta = tokio::fs::metadata(&real).await.map_err(|e| {
        SchemaFileError::unavailable(format!("cannot open schema file {rel:?}: {e}."))
    })?;
    if !meta.is_file() {
        return Err(SchemaFileError::invalid(format!(
            "{rel:?} is not a file under schema_dir; name a schema file (.avsc)."
        )));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(SchemaFileError::invalid(format!(
            "schema file {rel:?} is {} bytes; the limit is {MAX_FILE_BYTES}. Is it really one Avro schema?",
            meta.len()
        )));
    }
    let bytes = tokio::fs::read(&real).await.map_err(|e| {
        SchemaFileError::unavailable(format!("cannot read schema file {rel:?}: {e}."))
    })?;
    String::from_utf8(bytes).map_err(|_| {
        SchemaFileError::invalid(format!(
            "schema file {rel:?} is not UTF-8 text; an .avsc file holds JSON."
        ))
    })
}

/// Refuses anything but a plain relative path (no root, no `..`), before touching the disk.
pub fn relative_inside(rel: &str) -> Result<PathBuf, String> {
    let p = Path::new(rel.trim());
    if rel.trim().is_empty() {
        return Err("the path is empty".into());
    }
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::Normal(x) => out.push(x),
            Component::CurDir => {}
            Component::ParentDir => {
                return Err("it contains `..`, which could leave schema_dir".into())
            }
            Component::RootDir | Component::Prefix(_) => {
                return Err("it is absolute; only paths relative to schema_dir are read".into())
            }
        }
    }
    if out.as_os_str().is_empty() {
        return Err("the path names no file".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_must_stay_inside() {
        assert_eq!(
            relative_inside("a/b.avsc").unwrap(),
            PathBuf::from("a/b.avsc")
        );
        assert_eq!(
            relative_inside("./a.avsc").unwrap(),
            PathBuf::from("a.avsc")
        );
        assert!(relative_inside("../etc/passwd").unwrap_err().contains(".."));
        assert!(relative_inside("a/../../b").unwrap_err().contains(".."));
        assert!(
            relative_inside("a/../b").is_err(),
            "any `..` is refused, even one that stays inside"
        );
        assert!(relative_inside("/etc/passwd")
            .unwrap_err()
            .contains("absolute"));
        assert!(relative_inside("").is_err());
        assert!(relative_inside(".").is_err());
    }

    #[tokio::test]
    async fn files_are_read_only_inside_the_directory() {
        let dir = std::env::temp_dir().join(format!("kafka-mcp-schema-dir-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("orders")).unwrap();
        std::fs::write(dir.join("orders/v1.avsc"), "\"string\"").unwrap();
        assert_eq!(
            read(Some(&dir), "orders/v1.avsc").await.unwrap(),
            "\"string\""
        );
        let e = read(Some(&dir), "orders/v2.avsc").await.unwrap_err();
        assert_eq!(e.kind, SchemaFileErrorKind::NotFound, "{e}");
        let e = read(Some(&dir), "../x.avsc").await.unwrap_err();
        assert_eq!(e.kind, SchemaFileErrorKind::Refused, "{e}");
        let e = read(Some(&dir), "orders").await.unwrap_err();
        assert_eq!(e.kind, SchemaFileErrorKind::Invalid, "{e}");
        let e = read(None, "orders/v1.avsc").await.unwrap_err();
        assert!(
            e.message.contains("no schema directory is configured"),
            "{e}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
