//! The resolved form of a valid schema, shared by `canonical` and `compat`.
//! Named types live once in a table, in definition (document) order; every use is an index into it,
//! so recursive types are plain data. Logical types are dropped: resolution and canonical form both
//! work on the underlying type, as the specification says.

use serde_json::Value;

/// The eight primitive type names; they can never name a record, enum or fixed.
pub(crate) const PRIMITIVES: [&str; 8] = [
    "null", "boolean", "int", "long", "float", "double", "bytes", "string",
];

/// A type at one position of a schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Ty {
    Null,
    Boolean,
    Int,
    Long,
    Float,
    Double,
    Bytes,
    String,
    Array(Box<Ty>),
    Map(Box<Ty>),
    Union(Vec<Ty>),
    /// Index into [`Schema::named`].
    Named(usize),
}

/// A record, enum or fixed, with its fullname and its aliases (fully qualified).
#[derive(Debug, Clone)]
pub(crate) struct Named {
    pub fullname: String,
    pub aliases: Vec<String>,
    pub body: Body,
}

#[derive(Debug, Clone)]
pub(crate) enum Body {
    Record {
        fields: Vec<Field>,
    },
    Enum {
        symbols: Vec<String>,
        default: Option<String>,
    },
    Fixed {
        size: u64,
    },
}

#[derive(Debug, Clone)]
pub(crate) struct Field {
    pub name: String,
    pub aliases: Vec<String>,
    pub ty: Ty,
    pub default: Option<Value>,
}

/// A whole valid schema: its top-level type plus the named types it defines.
#[derive(Debug, Clone)]
pub(crate) struct Schema {
    pub root: Ty,
    pub named: Vec<Named>,
}

impl Body {
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Body::Record { .. } => "record",
            Body::Enum { .. } => "enum",
            Body::Fixed { .. } => "fixed",
        }
    }
}

/// The primitive type with this name, if it is one.
pub(crate) fn primitive(name: &str) -> Option<Ty> {
    Some(match name {
        "null" => Ty::Null,
        "boolean" => Ty::Boolean,
        "int" => Ty::Int,
        "long" => Ty::Long,
        "float" => Ty::Float,
        "double" => Ty::Double,
        "bytes" => Ty::Bytes,
        "string" => Ty::String,
        _ => return None,
    })
}

/// Avro name grammar for one component: `[A-Za-z_][A-Za-z0-9_]*`.
pub(crate) fn valid_name(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() || c == '_' => {}
        _ => return false,
    }
    chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The last dotted component of a fullname.
pub(crate) fn short_name(fullname: &str) -> &str {
    fullname.rsplit('.').next().unwrap_or(fullname)
}

/// `name` qualified by `namespace` unless it already contains a dot or the namespace is null.
pub(crate) fn qualify(name: &str, namespace: &str) -> String {
    if name.contains('.') || namespace.is_empty() {
        name.to_string()
    } else {
        format!("{namespace}.{name}")
    }
}

impl Schema {
    /// The one-word name of a type as a union branch or a path segment: `int`, `array`,
    /// `com.acme.Address`.
    pub(crate) fn branch_name(&self, ty: &Ty) -> String {
        match ty {
            Ty::Array(_) => "array".into(),
            Ty::Map(_) => "map".into(),
            Ty::Union(_) => "union".into(),
            Ty::Named(i) => self.named[*i].fullname.clone(),
            prim => prim_name(prim).into(),
        }
    }

    /// A short human description of a type: `array<string>`, `[null, int]`, `record com.acme.Address`.
    pub(crate) fn describe(&self, ty: &Ty) -> String {
        match ty {
            Ty::Array(items) => format!("array<{}>", self.describe_inner(items)),
            Ty::Map(values) => format!("map<{}>", self.describe_inner(values)),
            Ty::Union(branches) => format!(
                "[{}]",
                branches
                    .iter()
                    .map(|b| self.describe_inner(b))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Ty::Named(i) => {
                let n = &self.named[*i];
                format!("{} {}", n.body.kind(), n.fullname)
            }
            prim => prim_name(prim).into(),
        }
    }

    fn describe_inner(&self, ty: &Ty) -> String {
        match ty {
            Ty::Named(i) => self.named[*i].fullname.clone(),
            other => self.describe(other),
        }
    }

    /// A JSON default that fits `ty`, for fix suggestions (`null`, `0`, `""`, `[]`, ...).
    pub(crate) fn example_default(&self, ty: &Ty) -> String {
        self.example_at(ty, 0)
    }

    fn example_at(&self, ty: &Ty, depth: usize) -> String {
        if depth > 3 {
            return "{...}".into();
        }
        match ty {
            Ty::Null => "null".into(),
            Ty::Boolean => "false".into(),
            Ty::Int | Ty::Long => "0".into(),
            Ty::Float | Ty::Double => "0.0".into(),
            Ty::Bytes | Ty::String => "\"\"".into(),
            Ty::Array(_) => "[]".into(),
            Ty::Map(_) => "{}".into(),
            Ty::Union(branches) => match branches.first() {
                Some(first) => self.example_at(first, depth + 1),
                None => "null".into(),
            },
            Ty::Named(i) => match &self.named[*i].body {
                Body::Enum { symbols, .. } => symbols
                    .first()
                    .map_or_else(|| "\"\"".into(), |s| format!("\"{s}\"")),
                Body::Fixed { size } => format!("\"{}\"", "\\u0000".repeat(*size as usize)),
                Body::Record { fields } => {
                    let inner: Vec<String> = fields
                        .iter()
                        .filter(|f| f.default.is_none())
                        .map(|f| format!("\"{}\": {}", f.name, self.example_at(&f.ty, depth + 1)))
                        .collect();
                    format!("{{{}}}", inner.join(", "))
                }
            },
        }
    }
}

/// The type's keyword: `int`, `array`, `union`; `named` for records, enums and fixed.
pub(crate) fn prim_name(ty: &Ty) -> &'static str {
    match ty {
        Ty::Null => "null",
        Ty::Boolean => "boolean",
        Ty::Int => "int",
        Ty::Long => "long",
        Ty::Float => "float",
        Ty::Double => "double",
        Ty::Bytes => "bytes",
        Ty::String => "string",
        Ty::Array(_) => "array",
        Ty::Map(_) => "map",
        Ty::Union(_) => "union",
        Ty::Named(_) => "named",
    }
}
