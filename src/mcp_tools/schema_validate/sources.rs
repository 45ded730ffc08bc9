//! Where schemas come from: inline, files under schema_dir (`crate::schema_dir`), or a Schema
//! Registry subject (`crate::registry`), with the files and references they import.

use super::*;

impl KafkaMcp {
    pub(super) fn registry(&self) -> Result<Registry, ToolError> {
        let Some(cfg) = &self.config().schema_registry else {
            return Err(ToolError::invalid(
                "no Schema Registry is configured: add [server.schema_registry] url = \"http://host:8081\" to the config file, or send the previous versions inline with `previous`.",
            ));
        };
        Ok(Registry::new(
            cfg,
            Duration::from_millis(self.config().timeout_ms),
        )?)
    }

    pub(super) async fn new_schema(
        &self,
        input: &SchemaValidateInput,
    ) -> Result<NewSchema, ToolError> {
        match (&input.schema, &input.schema_file) {
            (Some(_), Some(_)) => Err(ToolError::invalid(
                "send either `schema` or `schema_file`, not both.",
            )),
            (Some(v), None) => Ok(NewSchema {
                label: "schema".into(),
                raw: Raw::Inline(v.clone()),
                file: None,
            }),
            (None, Some(f)) => Ok(NewSchema {
                label: format!("schema_file {f}"),
                raw: Raw::Text(self.read_schema_file(f).await?),
                file: Some(f.clone()),
            }),
            (None, None) => Err(ToolError::invalid(
                "no schema: send `schema` (Avro JSON text or object, e.g. {\"type\": \"record\", \"name\": \"Order\", \"fields\": []}; a .proto text with format PROTOBUF; a JSON Schema with format JSON) or `schema_file` (a path under schema_dir).",
            )),
        }
    }

    /// The previous versions, oldest first, from the one source sent, with their registry
    /// version numbers and schema type when they came from a subject.
    pub(super) async fn previous(
        &self,
        input: &SchemaValidateInput,
        mode: Option<Mode>,
        all: bool,
        refs: &mut Refs,
        out: &mut SchemaValidateOutput,
    ) -> Result<Fetched, ToolError> {
        let previous = if let Some(list) = &input.previous {
            list.iter()
                .enumerate()
                .map(|(i, v)| NewSchema {
                    label: format!("version {}", i + 1),
                    raw: Raw::Inline(v.clone()),
                    file: None,
                })
                .collect()
        } else if let Some(files) = &input.previous_files {
            let mut v = Vec::with_capacity(files.len());
            for f in files {
                v.push(NewSchema {
                    label: f.clone(),
                    raw: Raw::Text(self.read_schema_file(f).await?),
                    file: Some(f.clone()),
                });
            }
            v
        } else if let Some(subject) = &input.subject {
            let want_all = all || mode.is_some_and(Mode::transitive);
            return self
                .subject_versions(subject, input.versions.as_deref(), want_all, refs, out)
                .await;
        } else if mode == Some(Mode::None) {
            // NONE checks nothing: no history needed.
            Vec::new()
        } else {
            return Err(ToolError::invalid(format!(
                "{} compares the new schema with earlier versions, but none were sent. Send the registered versions oldest first (latest last) as `previous` (inline), `previous_files`, or `subject` (Schema Registry); `previous: []` checks a subject's first schema.",
                mode.map_or("modes".to_string(), |m| format!("mode {m}"))
            )));
        };
        Ok(Fetched {
            previous,
            versions: Vec::new(),
            registry_format: None,
            latest_refs: Vec::new(),
        })
    }

    pub(super) async fn subject_versions(
        &self,
        subject: &str,
        versions: Option<&[i32]>,
        all: bool,
        refs: &mut Refs,
        out: &mut SchemaValidateOutput,
    ) -> Result<Fetched, ToolError> {
        let registry = self.registry()?;
        let registered = registry.versions(subject).await?;
        let Some(&latest) = registered.last() else {
            return Err(ToolError::not_found(format!(
                "subject {subject:?} has no registered versions. Check the name, or send the previous versions inline with `previous`."
            )));
        };
        let mut chosen: Vec<i32> = match versions {
            Some([]) => {
                return Err(ToolError::invalid(format!(
                    "`versions` is empty: omit it, or pick from the registered versions of {subject:?}: {registered:?}."
                )))
            }
            Some(list) => {
                let mut v: Vec<i32> = list.iter().map(|&n| if n == -1 { latest } else { n }).collect();
                v.sort_unstable();
                v.dedup();
                if let Some(missing) = v.iter().find(|n| !registered.contains(n)) {
                    return Err(ToolError::not_found(format!(
                        "subject {subject:?} has no version {missing}; registered versions: {registered:?}. Pick from those, or omit `versions`."
                    )));
                }
                v
            }
            None if all => registered.clone(),
            None => vec![latest],
        };
        if chosen.len() > MAX_VERSIONS {
            out.notes.push(format!(
                "{subject:?} has {} versions to compare; used the newest {MAX_VERSIONS}. Pass `versions` to pick others",
                chosen.len()
            ));
            chosen.drain(..chosen.len() - MAX_VERSIONS);
        }
        let mut fetched = Vec::with_capacity(chosen.len());
        for batch in chosen.chunks(4) {
            let calls: Vec<_> = batch
                .iter()
                .map(|&v| registry.schema(subject, VersionRef::Number(v)))
                .collect();
            fetched.extend(futures::future::try_join_all(calls).await?);
        }
        let mut previous = Vec::with_capacity(fetched.len());
        let mut format: Option<Format> = None;
        let mut latest_refs = Vec::new();
        for s in fetched {
            let f = Format::from_str(&s.schema_type).map_err(|_| {
                ToolError::unsupported(format!(
                    "version {} of {subject:?} has schemaType {}; schema_validate checks AVRO, PROTOBUF and JSON.",
                    s.version, s.schema_type
                ))
            })?;
            match format {
                Some(prev) if prev != f => {
                    return Err(ToolError::invalid(format!(
                        "the versions of {subject:?} mix schema types ({prev} and {f} at version {}); compare versions of one type with `versions`.",
                        s.version
                    )))
                }
                _ => format = Some(f),
            }
            self.fetch_references(&registry, &s.references, refs, out)
                .await?;
            latest_refs = s.references.clone();
            previous.push(NewSchema {
                label: format!("version {}", s.version),
                raw: Raw::Text(s.schema),
                file: None,
            });
        }
        out.registry = Some(RegistryOut {
            subject: subject.to_string(),
            versions: chosen.clone(),
            level: None,
            verdict: None,
        });
        Ok(Fetched {
            previous,
            versions: chosen,
            registry_format: format,
            latest_refs,
        })
    }

    /// Registry references, and theirs, by name (bounded by `MAX_REFERENCES`). A name sent in
    /// `references` wins over the registry's.
    pub(super) async fn fetch_references(
        &self,
        registry: &Registry,
        wanted: &[SchemaRef],
        refs: &mut Refs,
        out: &mut SchemaValidateOutput,
    ) -> Result<(), ToolError> {
        let mut queue: Vec<SchemaRef> = wanted.to_vec();
        let mut seen: Vec<(String, i32)> = Vec::new();
        while let Some(r) = queue.pop() {
            if refs.contains_key(&r.name) || seen.contains(&(r.subject.clone(), r.version)) {
                continue;
            }
            if seen.len() >= MAX_REFERENCES {
                out.notes.push(format!(
                    "more than {MAX_REFERENCES} schema references; the rest were not fetched"
                ));
                break;
            }
            seen.push((r.subject.clone(), r.version));
            let s = registry
                .schema(&r.subject, VersionRef::Number(r.version))
                .await?;
            queue.extend(s.references.iter().cloned());
            refs.insert(r.name.clone(), s.schema);
        }
        Ok(())
    }

    /// Files imported by schemas read from schema_dir (Protobuf `import`s, JSON Schema `$ref`s
    /// to other files), read from schema_dir too, transitively. A missing one is left to the
    /// validator, which reports it where it is imported.
    pub(super) async fn load_imports(
        &self,
        format: Format,
        texts: &[(&str, bool)],
        refs: &mut Refs,
    ) -> Result<(), ToolError> {
        if format == Format::Avro || self.config().schema_dir.is_none() {
            return Ok(());
        }
        let mut queue: Vec<String> = texts
            .iter()
            .filter(|(_, from_file)| *from_file)
            .flat_map(|(t, _)| imports_of(format, t))
            .collect();
        let mut loaded = 0;
        while let Some(name) = queue.pop() {
            if refs.contains_key(&name) || loaded >= MAX_REFERENCES {
                continue;
            }
            if name.starts_with("google/protobuf/") || relative_inside(&name).is_err() {
                continue;
            }
            match self.read_schema_file(&name).await {
                Ok(text) => {
                    queue.extend(imports_of(format, &text));
                    refs.insert(name, text);
                    loaded += 1;
                }
                Err(_) => continue,
            }
        }
        Ok(())
    }

    pub(super) async fn read_schema_file(&self, rel: &str) -> Result<String, ToolError> {
        Ok(schema_dir::read(self.config().schema_dir.as_deref(), rel).await?)
    }
}
