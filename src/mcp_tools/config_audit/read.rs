//! One read of the cluster for the audit: the brokers and topics in scope, their configs, and
//! null-key samples of compacted topics (`kafka::audit_snapshot`).

use super::*;

impl KafkaMcp {
    /// Metadata → topic selection → configs of the brokers the scope needs and of the selected
    /// topics, plus null-key samples. Returns the audit input and how many topics were sampled.
    pub(super) async fn read_for_audit(
        &self,
        cluster: &std::sync::Arc<Cluster>,
        scope: AuditScope,
        input: &ConfigAuditInput,
        notes: &mut Vec<String>,
    ) -> Result<(AuditInput, usize), ToolError> {
        let (brokers, topics) = admin::metadata(cluster, None).await?;
        let live: Vec<i32> = brokers.iter().map(|b| b.id).collect();
        let broker_ids: Vec<i32> = match input.broker {
            Some(id) if !live.contains(&id) => {
                return Err(ToolError::not_found(format!(
                    "broker {id} is not a live broker; live brokers: {}",
                    live.iter()
                        .map(|i| i.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                )))
            }
            Some(id) => vec![id],
            // Every live broker: broker rules compare them, and topic keys fall back to their defaults.
            None => live.clone(),
        };
        let patterns: Option<Vec<String>> = input.topics.as_ref().map(|t| {
            t.iter()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        });
        let strict = scope != AuditScope::Cluster;
        let selected = match (scope, &patterns) {
            // A client audit without topics needs only the brokers' defaults.
            (AuditScope::Client, None) => Vec::new(),
            _ => select_topics(topics, patterns.as_deref(), strict, notes)?,
        };
        let sample = (scope != AuditScope::Client && input.sample_null_keys.unwrap_or(true))
            .then(SampleLimits::default);
        let read = audit_snapshot::read(cluster, live, &broker_ids, selected, sample).await?;
        notes.extend(read.notes);
        let c = read.configs;
        let input = AuditInput {
            live_broker_ids: c.live_broker_ids,
            brokers: c.brokers,
            topics: c.topics,
            client: None,
        };
        Ok((input, read.sampled_topics))
    }
}
