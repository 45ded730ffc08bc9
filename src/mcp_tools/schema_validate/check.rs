//! action=check: the mode, the history, the local verdict and (asked) the registry's.

use super::*;

impl KafkaMcp {
    /// The format, the new schema's text, the previous versions (texts in that format), their
    /// registry version numbers, and the references of the latest registered version.
    #[allow(clippy::type_complexity)]
    pub(super) async fn history(
        &self,
        input: &SchemaValidateInput,
        new: &NewSchema,
        mode: Option<Mode>,
        all: bool,
        refs: &mut Refs,
        out: &mut SchemaValidateOutput,
    ) -> Result<(Format, String, Vec<Labeled>, Vec<i32>, Vec<SchemaRef>), ToolError> {
        let fetched = self.previous(input, mode, all, refs, out).await?;
        let mut files: Vec<Option<&str>> = vec![new.file.as_deref()];
        files.extend(fetched.previous.iter().map(|p| p.file.as_deref()));
        let format = pick_format(input.format, fetched.registry_format, &files, out)?;
        let new_text = new.text(format);
        let previous: Vec<Labeled> = fetched
            .previous
            .into_iter()
            .map(|p| Labeled {
                label: p.label,
                text: p.raw.text(format),
                file: p.file,
            })
            .collect();
        if format == Format::Avro {
            require_json(&new.label, &new_text)?;
            for p in &previous {
                require_json(&p.label, &p.text)?;
            }
        }
        let mut texts: Vec<(&str, bool)> = vec![(new_text.as_str(), new.file.is_some())];
        texts.extend(previous.iter().map(|p| (p.text.as_str(), p.file.is_some())));
        self.load_imports(format, &texts, refs).await?;
        Ok((
            format,
            new_text,
            previous,
            fetched.versions,
            fetched.latest_refs,
        ))
    }

    pub(super) async fn run_check(
        &self,
        input: &SchemaValidateInput,
        new: &NewSchema,
        refs: &mut Refs,
        out: &mut SchemaValidateOutput,
    ) -> Result<(), ToolError> {
        if input.ask_registry && input.subject.is_none() {
            return Err(ToolError::invalid(
                "ask_registry needs `subject`: name the registry subject to ask (e.g. orders-value), or drop ask_registry.",
            ));
        }
        // The subject's level: needed for the default mode and for comparing with the registry.
        let mut level: Option<(String, LevelSource)> = None;
        if let Some(subject) = &input.subject {
            if input.mode.is_none() || input.ask_registry {
                level = Some(self.registry()?.level(subject).await?);
            }
        }
        let (mode, source) = match (&input.mode, &level) {
            (Some(m), _) => (Mode::from_str(m).map_err(avro_error)?, "input"),
            (None, Some((l, src))) => match Mode::from_str(l) {
                Ok(m) => (
                    m,
                    if *src == LevelSource::Subject {
                        "registry subject level"
                    } else {
                        "registry global level"
                    },
                ),
                Err(_) => {
                    out.notes.push(format!(
                        "the registry's level {l:?} is not one of the seven modes; used BACKWARD"
                    ));
                    (Mode::Backward, "default")
                }
            },
            (None, None) => (Mode::Backward, "default"),
        };
        out.mode_source = Some(source.to_string());
        if input.mode.is_none() {
            out.notes
                .push(format!("no mode sent: used {mode} ({source})"));
        }
        let (format, new_text, previous, versions, latest_refs) = self
            .history(input, new, Some(mode), false, refs, out)
            .await?;
        let mut report = schema_format::check(format, &new_text, &pairs(&previous), refs, mode)
            .map_err(format_error)?;
        if previous.is_empty() {
            out.notes.push(
                "no earlier versions: a subject's first schema is compatible under every mode"
                    .into(),
            );
        }
        if !mode.transitive() && mode != Mode::None && previous.len() > 1 {
            out.notes.push(format!(
                "{mode} compares with the latest version only ({}); use {mode}_TRANSITIVE to compare with all {}",
                report.compared_with.join(", "),
                previous.len()
            ));
        }
        out.previous_versions = previous.iter().map(|p| p.label.clone()).collect();
        if input.ask_registry && !previous.is_empty() {
            let subject = input.subject.as_deref().unwrap_or_default();
            // The versions the local verdict compared with (NONE: the latest, so the registry
            // still gets a question).
            let asked: Vec<usize> = if mode.transitive() {
                (0..previous.len()).collect()
            } else {
                previous.len().checked_sub(1).into_iter().collect()
            };
            let registry = self.registry()?;
            let mut is_compatible = true;
            let mut messages = Vec::new();
            for &i in &asked {
                let v = versions[i];
                let a = registry
                    .compatibility(
                        subject,
                        VersionRef::Number(v),
                        &new_text,
                        format.as_str(),
                        &latest_refs,
                    )
                    .await?;
                is_compatible &= a.is_compatible;
                let prefix = if asked.len() > 1 {
                    format!("version {v}: ")
                } else {
                    String::new()
                };
                messages.extend(a.messages.into_iter().map(|m| format!("{prefix}{m}")));
            }
            let level_name = level.as_ref().map(|(l, _)| l.clone()).unwrap_or_default();
            let local_compatible = match Mode::from_str(&level_name) {
                Ok(l) => {
                    if l != mode {
                        out.notes.push(format!(
                            "the registry judges under its level {l}, not {mode}; agrees_with_local compares the local verdict under {l} on the same versions"
                        ));
                    }
                    let same: Vec<(String, String)> = asked
                        .iter()
                        .map(|&i| (previous[i].label.clone(), previous[i].text.clone()))
                        .collect();
                    schema_format::check(format, &new_text, &same, refs, pairwise(l))
                        .map_err(format_error)?
                        .compatible
                }
                Err(_) => report.compatible,
            };
            let agrees = local_compatible == is_compatible;
            if !agrees {
                out.notes.push(format!(
                    "the registry says {}, the local check says {}: registering follows the registry; compare its messages with the incompatibilities listed",
                    if is_compatible { "compatible" } else { "incompatible" },
                    if local_compatible { "compatible" } else { "incompatible" }
                ));
            }
            if let Some(r) = out.registry.as_mut() {
                r.verdict = Some(RegistryVerdictOut {
                    is_compatible,
                    messages,
                    local_compatible,
                    agrees_with_local: agrees,
                });
            }
        }
        if let (Some(r), Some((l, _))) = (out.registry.as_mut(), level) {
            r.level = Some(l);
        }
        budget(&mut report);
        out.check = Some(report);
        Ok(())
    }
}
