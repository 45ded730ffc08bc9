//! MCP resources and prompts. Resources return the same budgeted summaries as the tools, for
//! clients that attach resources as context: `kafka://clusters`, `kafka://{cluster}/health`,
//! `kafka://{cluster}/topics/{topic}`, `kafka://{cluster}/groups/{group}`. Prompts are short,
//! correct workflows over the tools. Completions (`completion/complete`) fill in the templates'
//! and prompts' arguments: cluster names, topic and group names, schema files.

use std::collections::HashMap;
use std::time::Duration;

use rmcp::model::{
    ArgumentInfo, CompletionInfo, GetPromptResult, Prompt, PromptArgument, PromptMessage,
    ReadResourceResult, Reference, Resource, ResourceContents, ResourceTemplate, Role,
};
use serde_json::{json, Map, Value};

use crate::app::KafkaMcp;
use crate::error::ToolError;
use crate::mcp_tools::cluster_health::{ClusterHealthInput, Detail};
use crate::mcp_tools::consumer_groups::{ConsumerGroupsInput, GroupAction};
use crate::mcp_tools::topic_manage::TopicManageInput;
use crate::mcp_tools::Progress;

/// What a `kafka://` URI names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KafkaUri {
    /// `kafka://clusters`
    Clusters,
    /// `kafka://{cluster}/health`
    Health(String),
    /// `kafka://{cluster}/topics/{topic}`
    Topic(String, String),
    /// `kafka://{cluster}/groups/{group}`
    Group(String, String),
}

/// Parses a `kafka://` URI (percent-decoding the path parts).
pub fn parse_uri(uri: &str) -> Result<KafkaUri, String> {
    let bad = || {
        format!(
            "unknown resource {uri:?}: use kafka://clusters, kafka://{{cluster}}/health, kafka://{{cluster}}/topics/{{topic}} or kafka://{{cluster}}/groups/{{group}}"
        )
    };
    let rest = uri.strip_prefix("kafka://").ok_or_else(bad)?;
    let parts: Vec<String> = rest.split('/').map(percent_decode).collect();
    match parts
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["clusters"] => Ok(KafkaUri::Clusters),
        [c, "health"] if !c.is_empty() => Ok(KafkaUri::Health(c.to_string())),
        [c, "topics", t] if !c.is_empty() && !t.is_empty() => {
            Ok(KafkaUri::Topic(c.to_string(), t.to_string()))
        }
        [c, "groups", g] if !c.is_empty() && !g.is_empty() => {
            Ok(KafkaUri::Group(c.to_string(), g.to_string()))
        }
        _ => Err(bad()),
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Some(b) = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The static resources: the cluster list and each cluster's health.
pub fn list(server: &KafkaMcp) -> Vec<Resource> {
    let mut v = vec![Resource::new("kafka://clusters", "clusters")
        .with_description(
            "Configured Kafka clusters: default, read-only or writable (secrets masked).",
        )
        .with_mime_type("application/json")];
    for name in server.config().clusters.keys() {
        v.push(
            Resource::new(format!("kafka://{name}/health"), format!("{name} health"))
                .with_description(format!("cluster_health summary of {name}."))
                .with_mime_type("application/json"),
        );
    }
    v
}

/// The template of one cluster's health.
pub const TEMPLATE_HEALTH: &str = "kafka://{cluster}/health";
/// The template of one topic.
pub const TEMPLATE_TOPIC: &str = "kafka://{cluster}/topics/{topic}";
/// The template of one consumer group.
pub const TEMPLATE_GROUP: &str = "kafka://{cluster}/groups/{group}";

/// The resource templates.
pub fn templates() -> Vec<ResourceTemplate> {
    vec![
        ResourceTemplate::new(TEMPLATE_HEALTH, "cluster health")
            .with_description("Status, quorum and findings (as cluster_health).")
            .with_mime_type("application/json"),
        ResourceTemplate::new(TEMPLATE_TOPIC, "topic")
            .with_description(
                "Partitions, offsets, configs and health of one topic (as topic_manage describe).",
            )
            .with_mime_type("application/json"),
        ResourceTemplate::new(TEMPLATE_GROUP, "consumer group")
            .with_description("Lag of one group, worst partitions first (as consumer_groups lag).")
            .with_mime_type("application/json"),
    ]
}

/// What a template or prompt argument completes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Completes {
    /// Configured cluster names.
    Cluster,
    /// Topic names of the cluster.
    Topic,
    /// Consumer group ids of the cluster.
    Group,
    /// Files under `schema_dir`.
    SchemaFile,
    /// Free text (a subject, a change): no suggestions.
    Nothing,
}

/// Longest wait for Kafka while completing (a person is typing); past it, no suggestions.
pub const COMPLETION_DEADLINE: Duration = Duration::from_secs(3);

/// What `argument` of `reference` completes to, or why it names nothing this server has
/// (an unknown template, prompt or argument: `-32602` in MCP's completion spec). Pure.
pub fn argument_kind(reference: &Reference, argument: &str) -> Result<Completes, String> {
    let args: Vec<&str> = match reference {
        Reference::Resource(r) => {
            let known = [TEMPLATE_HEALTH, TEMPLATE_TOPIC, TEMPLATE_GROUP];
            let Some(t) = known.iter().find(|t| **t == r.uri) else {
                return Err(format!(
                    "unknown resource template {:?}; the templates are {}",
                    r.uri,
                    known.join(", ")
                ));
            };
            t.split('{')
                .skip(1)
                .filter_map(|p| p.split_once('}').map(|(a, _)| a))
                .collect()
        }
        Reference::Prompt(p) => {
            let Some(def) = PROMPTS.iter().find(|d| d.name == p.name) else {
                return Err(format!(
                    "unknown prompt {:?}; the prompts are {}",
                    p.name,
                    PROMPTS
                        .iter()
                        .map(|d| d.name)
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            };
            def.args.iter().map(|(n, _, _)| *n).collect()
        }
        _ => return Err("unknown reference type: use ref/resource or ref/prompt".into()),
    };
    if !args.contains(&argument) {
        return Err(format!(
            "no argument {argument:?} here; the arguments are {}",
            args.join(", ")
        ));
    }
    Ok(match argument {
        "cluster" => Completes::Cluster,
        "topic" => Completes::Topic,
        "group" => Completes::Group,
        "schema_file" => Completes::SchemaFile,
        _ => Completes::Nothing,
    })
}

/// The candidates that match what was typed, best first: those starting with it
/// (case-insensitively), then those containing it, each group sorted; at most MCP's 100, with
/// the total and whether there are more. Pure.
pub fn rank(candidates: Vec<String>, typed: &str) -> CompletionInfo {
    let typed = typed.to_lowercase();
    let mut starts = Vec::new();
    let mut contains = Vec::new();
    for c in candidates {
        let lower = c.to_lowercase();
        if lower.starts_with(&typed) {
            starts.push(c);
        } else if lower.contains(&typed) {
            contains.push(c);
        }
    }
    starts.sort();
    starts.dedup();
    contains.sort();
    contains.dedup();
    starts.extend(contains);
    let total = starts.len();
    starts.truncate(CompletionInfo::MAX_VALUES);
    let has_more = total > starts.len();
    CompletionInfo::with_pagination(starts, Some(total as u32), has_more).unwrap_or_default()
}

/// Files under `dir` (and one level of subdirectories), as paths relative to it.
fn schema_files(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    let entries = |d: &std::path::Path| {
        std::fs::read_dir(d)
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .take(1000)
            .collect::<Vec<_>>()
    };
    for e in entries(dir) {
        let name = e.file_name().to_string_lossy().into_owned();
        match e.file_type() {
            Ok(t) if t.is_file() => out.push(name),
            Ok(t) if t.is_dir() => out.extend(
                entries(&e.path())
                    .into_iter()
                    .filter(|s| s.file_type().is_ok_and(|t| t.is_file()))
                    .map(|s| format!("{name}/{}", s.file_name().to_string_lossy())),
            ),
            _ => {}
        }
    }
    out
}

/// Suggestions for one argument. `known` holds the arguments already filled in (`cluster`
/// picks whose topics and groups are suggested; the default cluster otherwise). Kafka gets
/// [`COMPLETION_DEADLINE`] (or the configured timeout, when shorter); when it does not answer
/// there are simply no suggestions.
pub async fn complete(
    server: &KafkaMcp,
    reference: &Reference,
    argument: &ArgumentInfo,
    known: &HashMap<String, String>,
) -> Result<CompletionInfo, String> {
    let kind = argument_kind(reference, &argument.name)?;
    let candidates: Vec<String> = match kind {
        Completes::Cluster => server.config().clusters.keys().cloned().collect(),
        Completes::SchemaFile => server
            .config()
            .schema_dir
            .as_deref()
            .map(schema_files)
            .unwrap_or_default(),
        Completes::Nothing => Vec::new(),
        Completes::Topic | Completes::Group => {
            let name = known
                .get("cluster")
                .map(String::as_str)
                .filter(|c| !c.is_empty());
            let Ok(cluster) = server.cluster(name) else {
                return Ok(CompletionInfo::default());
            };
            let deadline =
                COMPLETION_DEADLINE.min(Duration::from_millis(server.config().timeout_ms));
            let fetch = async {
                if kind == Completes::Topic {
                    crate::kafka::admin::metadata(&cluster, None)
                        .await
                        .map(|(_, topics)| topics.into_iter().map(|t| t.name).collect())
                } else {
                    crate::kafka::groups::list_groups(&cluster)
                        .await
                        .map(|(groups, _)| groups.into_iter().map(|g| g.group_id).collect())
                }
            };
            match tokio::time::timeout(deadline, fetch).await {
                Ok(Ok(names)) => names,
                Ok(Err(e)) => {
                    tracing::debug!("no completions: {e}");
                    Vec::new()
                }
                Err(_) => {
                    tracing::debug!(?deadline, "no completions: Kafka did not answer in time");
                    Vec::new()
                }
            }
        }
    };
    Ok(rank(candidates, &argument.value))
}

/// Reads one resource as JSON text, capped like a tool answer.
pub async fn read(server: &KafkaMcp, uri: &str) -> Result<ReadResourceResult, ToolError> {
    let value: Value = match parse_uri(uri).map_err(ToolError::invalid)? {
        KafkaUri::Clusters => {
            let c = server.config();
            json!({
                "default_cluster": c.default_cluster,
                "clusters": c.clusters.values().map(|k| json!({
                    "name": k.name,
                    "default": c.default_cluster.as_deref() == Some(k.name.as_str()),
                    "read_only": !(c.allow_writes && k.allow_writes),
                    "bootstrap": k.bootstrap(),
                    "description": k.description,
                    "properties": k.masked_properties(),
                })).collect::<Vec<_>>(),
            })
        }
        KafkaUri::Health(cluster) => {
            let input = ClusterHealthInput {
                cluster: Some(cluster),
                detail: Detail::Summary,
                topics: None,
            };
            serde_json::to_value(server.cluster_health_output(&input).await?).unwrap_or_default()
        }
        KafkaUri::Topic(cluster, topic) => {
            let input = topic_input(cluster, topic);
            serde_json::to_value(server.topic_manage_output(&input).await?).unwrap_or_default()
        }
        KafkaUri::Group(cluster, group) => {
            let input = group_input(cluster, group);
            let out = server
                .consumer_groups_output(&input, Progress::none(), Default::default())
                .await?;
            serde_json::to_value(out).unwrap_or_default()
        }
    };
    let mut value = value;
    if let Some(note) = crate::output::cap(&mut value, server.config().max_output_bytes) {
        if let Value::Object(o) = &mut value {
            o.insert("truncated".into(), note.into());
        }
    }
    let text = serde_json::to_string(&value).unwrap_or_default();
    Ok(ReadResourceResult::new(vec![ResourceContents::text(
        text, uri,
    )
    .with_mime_type("application/json")]))
}

fn topic_input(cluster: String, topic: String) -> TopicManageInput {
    serde_json::from_value(json!({"action": "describe", "cluster": cluster, "topic": topic}))
        .expect("valid input")
}

fn group_input(cluster: String, group: String) -> ConsumerGroupsInput {
    let v = json!({"action": "lag", "cluster": cluster, "group": group, "limit": 20});
    let input: ConsumerGroupsInput = serde_json::from_value(v).expect("valid input");
    debug_assert_eq!(input.action, GroupAction::Lag);
    input
}

struct PromptDef {
    name: &'static str,
    description: &'static str,
    args: &'static [(&'static str, &'static str, bool)],
    body: fn(&Map<String, Value>) -> String,
}

fn arg<'a>(a: &'a Map<String, Value>, k: &str, default: &'a str) -> String {
    a.get(k)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .unwrap_or(default)
        .to_string()
}

fn cluster_clause(a: &Map<String, Value>) -> String {
    match a
        .get("cluster")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
    {
        Some(c) => format!(", \"cluster\": \"{c}\""),
        None => String::new(),
    }
}

const PROMPTS: &[PromptDef] = &[
    PromptDef {
        name: "diagnose-consumer-lag",
        description: "Why is a consumer group behind? Lag → Burrow verdict → members/assignments → partition leadership → cause and next step.",
        args: &[("group", "Consumer group id", true), ("cluster", "Cluster name (default if omitted)", false)],
        body: |a| {
            let g = arg(a, "group", "<group>");
            let c = cluster_clause(a);
            format!(
                "Diagnose why consumer group `{g}` is lagging. Use the kafka tools in this order and stop when the cause is clear:\n\
1. consumer_groups {{\"action\": \"lag\", \"group\": \"{g}\"{c}}} — total lag, worst partitions, partitions never committed (committed null is NOT lag 0), messages lost to retention.\n\
2. consumer_groups {{\"action\": \"evaluate\", \"group\": \"{g}\", \"sample_seconds\": 30{c}}} — Burrow verdict per partition: STALL (member alive, offsets frozen: stuck/poison message), STOP (no one consuming), WARN (consumer slower than producers: scale out), REWIND (offsets were reset), OK (catching up; read the catch-up time).\n\
3. consumer_groups {{\"action\": \"describe\", \"group\": \"{g}\"{c}}} — members and assignments: members without partitions, more partitions than members, one member holding the hot partitions.\n\
4. For the worst partitions: topic_manage {{\"action\": \"describe\", \"topic\": \"<topic>\"{c}}} and cluster_health — offline/under-replicated partitions or a leader on an unhealthy broker slow fetches.\n\
Then answer: the verdict, the most likely cause with the evidence (numbers), and the next step (e.g. restart or scale the consumer, fix the stuck record, or plan_reset_offsets only if the user accepts skipping or re-reading messages). Do not reset offsets without the user's explicit approval."
            )
        },
    },
    PromptDef {
        name: "cluster-health-review",
        description: "Review a cluster's health and configuration and list what to fix first.",
        args: &[("cluster", "Cluster name (default if omitted)", false)],
        body: |a| {
            let c = cluster_clause(a);
            let c0 = c.trim_start_matches(", ");
            format!(
                "Review the health of the Kafka cluster.\n\
1. cluster_health {{\"detail\": \"full\"{c}}} — status, the KRaft quorum leader (never trust Metadata's controller id), and findings.\n\
2. config_audit {{\"scope\": \"cluster\", \"min_severity\": \"warn\"{c}}} — risky broker and topic configs with exact fixes.\n\
3. consumer_groups {{\"action\": \"list\", \"with_lag\": true, \"limit\": 10{c}}} — the groups furthest behind.\n\
Report: overall status first; then CRIT/critical items (offline partitions, under min ISR, lost quorum), then errors, then warnings, each with the evidence and the remediation command from the findings. Say explicitly what could not be checked (notes). {}",
                if c0.is_empty() { String::new() } else { format!("Arguments: {{{c0}}}.") }
            )
        },
    },
    PromptDef {
        name: "pre-deploy-schema-check",
        description: "Before deploying a schema change: validate it, check it against the registry subject, pick a safe compatibility mode.",
        args: &[("schema_file", "Schema file under the configured schema_dir", true), ("subject", "Schema Registry subject", true)],
        body: |a| {
            let f = arg(a, "schema_file", "<schema.avsc>");
            let s = arg(a, "subject", "<subject>");
            format!(
                "Check the schema in `{f}` before it is deployed for subject `{s}`.\n\
1. schema_validate {{\"action\": \"validate\", \"schema_file\": \"{f}\"}} — stop and report every problem if it is invalid.\n\
2. schema_validate {{\"action\": \"check\", \"schema_file\": \"{f}\", \"subject\": \"{s}\", \"ask_registry\": true}} — compatible under the subject's mode? List every incompatibility with its path and fix, and whether the registry agrees.\n\
3. schema_validate {{\"action\": \"modes\", \"schema_file\": \"{f}\", \"subject\": \"{s}\"}} — which modes this change satisfies.\n\
Verdict: SAFE TO DEPLOY only if compatible under the subject's configured mode; otherwise BLOCKED with the fixes, and say which mode would accept it and what that would mean for existing consumers (never suggest NONE lightly)."
            )
        },
    },
    PromptDef {
        name: "safe-topic-change",
        description: "Change a topic safely: plan, review the impact with the user, then apply.",
        args: &[("topic", "Topic name", true), ("change", "What to change, e.g. 'retention to 14 days' or 'add partitions to 12'", true)],
        body: |a| {
            let t = arg(a, "topic", "<topic>");
            let ch = arg(a, "change", "<change>");
            format!(
                "Make this change to topic `{t}`: {ch}.\n\
1. topic_manage {{\"action\": \"describe\", \"topic\": \"{t}\"}} — current partitions, configs and health.\n\
2. Make a plan with the matching action: plan_alter_configs (configs / delete_configs), plan_add_partitions (new total), plan_purge, plan_delete, or plan_create. Never guess config names: an unknown key is refused with a suggestion.\n\
3. Show the user the plan's summary, impact (e.g. share of keys that move partitions, messages deleted, groups affected) and warnings, and ask for approval.\n\
4. Only after explicit approval: apply_change {{\"plan_id\": \"<plan_id>\", \"confirm\": \"{t}\"}}. If apply_change is not available, writes are disabled: give the user the plan and stop.\n\
5. Verify with topic_manage describe."
            )
        },
    },
];

/// The prompts.
pub fn prompts() -> Vec<Prompt> {
    PROMPTS
        .iter()
        .map(|p| {
            let args = p
                .args
                .iter()
                .map(|(n, d, req)| {
                    PromptArgument::new(*n)
                        .with_description(*d)
                        .with_required(*req)
                })
                .collect();
            Prompt::new(p.name, Some(p.description), Some(args))
        })
        .collect()
}

/// Renders one prompt with its arguments.
pub fn get_prompt(name: &str, args: Option<Map<String, Value>>) -> Result<GetPromptResult, String> {
    let p = PROMPTS.iter().find(|p| p.name == name).ok_or_else(|| {
        format!(
            "unknown prompt {name:?}; available: {}",
            PROMPTS
                .iter()
                .map(|p| p.name)
                .collect::<Vec<_>>()
                .join(", ")
        )
    })?;
    let args = args.unwrap_or_default();
    for (n, _, required) in p.args {
        if *required
            && args
                .get(*n)
                .and_then(Value::as_str)
                .is_none_or(str::is_empty)
        {
            return Err(format!("prompt {name} needs the argument {n:?}"));
        }
    }
    Ok(
        GetPromptResult::new(vec![PromptMessage::new_text(Role::User, (p.body)(&args))])
            .with_description(p.description),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_uris() {
        assert_eq!(parse_uri("kafka://clusters"), Ok(KafkaUri::Clusters));
        assert_eq!(
            parse_uri("kafka://prod/health"),
            Ok(KafkaUri::Health("prod".into()))
        );
        assert_eq!(
            parse_uri("kafka://prod/topics/orders.v1"),
            Ok(KafkaUri::Topic("prod".into(), "orders.v1".into()))
        );
        assert_eq!(
            parse_uri("kafka://prod/groups/billing%2Dx"),
            Ok(KafkaUri::Group("prod".into(), "billing-x".into()))
        );
        assert!(parse_uri("kafka://prod/nope").is_err());
        assert!(parse_uri("http://x").is_err());
        assert!(parse_uri("kafka:///health").is_err());
    }

    #[test]
    fn prompts_render_with_arguments_and_refuse_missing_ones() {
        let mut a = Map::new();
        a.insert("group".into(), "billing".into());
        let r = get_prompt("diagnose-consumer-lag", Some(a)).unwrap();
        let text = serde_json::to_string(&r).unwrap();
        assert!(text.contains("\\\"group\\\": \\\"billing\\\""), "{text}");
        assert!(text.contains("evaluate"));
        assert!(get_prompt("diagnose-consumer-lag", None)
            .unwrap_err()
            .contains("group"));
        assert!(get_prompt("nope", None)
            .unwrap_err()
            .contains("safe-topic-change"));
        assert_eq!(prompts().len(), 4);
        for p in PROMPTS {
            let mut a = Map::new();
            for (n, _, _) in p.args {
                a.insert((*n).into(), "x".into());
            }
            assert!(get_prompt(p.name, Some(a)).is_ok());
        }
    }

    #[test]
    fn completion_arguments_follow_templates_and_prompts() {
        let res = |u: &str| Reference::for_resource(u);
        assert_eq!(
            argument_kind(&res(TEMPLATE_TOPIC), "topic"),
            Ok(Completes::Topic)
        );
        assert_eq!(
            argument_kind(&res(TEMPLATE_GROUP), "cluster"),
            Ok(Completes::Cluster)
        );
        assert!(argument_kind(&res(TEMPLATE_HEALTH), "topic")
            .unwrap_err()
            .contains("cluster"));
        assert!(argument_kind(&res("kafka://nope"), "cluster")
            .unwrap_err()
            .contains(TEMPLATE_TOPIC));
        let prompt = |n: &str| Reference::for_prompt(n);
        assert_eq!(
            argument_kind(&prompt("diagnose-consumer-lag"), "group"),
            Ok(Completes::Group)
        );
        assert_eq!(
            argument_kind(&prompt("safe-topic-change"), "topic"),
            Ok(Completes::Topic)
        );
        assert_eq!(
            argument_kind(&prompt("safe-topic-change"), "change"),
            Ok(Completes::Nothing)
        );
        assert_eq!(
            argument_kind(&prompt("pre-deploy-schema-check"), "schema_file"),
            Ok(Completes::SchemaFile)
        );
        assert!(argument_kind(&prompt("nope"), "group")
            .unwrap_err()
            .contains("diagnose-consumer-lag"));
        assert!(argument_kind(&prompt("cluster-health-review"), "group").is_err());
    }

    #[test]
    fn completions_rank_prefix_matches_first_and_cap_at_100() {
        let names = [
            "orders",
            "billing-orders",
            "Orders.v2",
            "payments",
            "orders",
        ]
        .map(String::from)
        .to_vec();
        let c = rank(names.clone(), "ord");
        assert_eq!(c.values, ["Orders.v2", "orders", "billing-orders"]);
        assert_eq!((c.total, c.has_more), (Some(3), Some(false)));
        assert_eq!(rank(names.clone(), "").values.len(), 4);
        assert!(rank(names, "zzz").values.is_empty());
        let many: Vec<String> = (0..250).map(|i| format!("t{i:03}")).collect();
        let c = rank(many, "t");
        assert_eq!(c.values.len(), 100);
        assert_eq!((c.total, c.has_more), (Some(250), Some(true)));
        assert_eq!(c.values[0], "t000");
    }
}
