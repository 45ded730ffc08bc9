//! MCP resources and prompts. Resources return the same budgeted summaries as the tools, for
//! clients that attach resources as context: `kafka://clusters`, `kafka://{cluster}/health`,
//! `kafka://{cluster}/topics/{topic}`, `kafka://{cluster}/groups/{group}`. Prompts are short,
//! correct workflows over the tools.

use rmcp::model::{
    GetPromptResult, Prompt, PromptArgument, PromptMessage, ReadResourceResult, Resource,
    ResourceContents, ResourceTemplate, Role,
};
use serde_json::{json, Map, Value};

use crate::error::ToolError;
use crate::server::KafkaMcp;
use crate::tools::cluster_health::{ClusterHealthInput, Detail};
use crate::tools::consumer_groups::{ConsumerGroupsInput, GroupAction};
use crate::tools::topic_manage::TopicManageInput;
use crate::tools::Progress;

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

/// The resource templates.
pub fn templates() -> Vec<ResourceTemplate> {
    vec![
        ResourceTemplate::new("kafka://{cluster}/health", "cluster health")
            .with_description("Status, quorum and findings (as cluster_health).")
            .with_mime_type("application/json"),
        ResourceTemplate::new("kafka://{cluster}/topics/{topic}", "topic")
            .with_description(
                "Partitions, offsets, configs and health of one topic (as topic_manage describe).",
            )
            .with_mime_type("application/json"),
        ResourceTemplate::new("kafka://{cluster}/groups/{group}", "consumer group")
            .with_description("Lag of one group, worst partitions first (as consumer_groups lag).")
            .with_mime_type("application/json"),
    ]
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
}
