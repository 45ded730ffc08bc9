//! The text summary of a consumer_groups answer.

use super::*;

impl Summary for ConsumerGroupsOutput {
    fn summary(&self) -> String {
        let mut s = String::new();
        if let Some(groups) = &self.groups {
            let total = self.page.as_ref().map(|p| p.total).unwrap_or(groups.len());
            s.push_str(&format!("{total} group(s) on {}", self.cluster));
            for g in groups.iter().take(10) {
                s.push_str(&format!("\n- {} [{} {}]", g.group, g.state, g.group_type));
                if let Some(l) = &g.total_lag {
                    s.push_str(&format!(" lag {l}"));
                    if g.lag_complete == Some(false) {
                        s.push('+');
                    }
                }
                if let Some(w) = &g.worst_partition {
                    s.push_str(&format!(" (worst {w})"));
                }
            }
        }
        if let Some(g) = &self.group {
            s.push_str(&format!(
                "group {} [{} {}] assignor {:?}, {} member(s)",
                g.group,
                g.state,
                g.group_type,
                g.assignor,
                g.members.len()
            ));
            for m in g.members.iter().take(10) {
                s.push_str(&format!(
                    "\n- {} ({}) {}",
                    m.client_id,
                    m.host,
                    m.assignment.join(",")
                ));
            }
        }
        if let Some(l) = &self.lag {
            s.push_str(&format!(
                "group {} lag {}{} over {} partition(s); {} never committed",
                l.group,
                l.total_lag_messages,
                if l.total_lag_complete {
                    ""
                } else {
                    "+ (incomplete)"
                },
                l.partition_count,
                l.partitions_without_commit
            ));
            if let Some(w) = &l.worst_partition {
                s.push_str(&format!("; worst {}", w.label()));
            }
            if let Some(n) = lag::never_committed_summary(l) {
                s.push_str(&format!("\n{n}"));
            }
        }
        if let Some(v) = &self.verdict {
            s.push_str(&format!(
                "group {}: {:?} ({:?}); {}",
                v.group, v.status, v.burrow_status, v.next_step
            ));
        }
        if let Some(p) = &self.plan {
            s.push_str(&format!("plan {}: {}", p.plan_id, p.summary));
        }
        for h in &self.hints {
            s.push_str(&format!("\n- [{:?}] {}", h.severity, h.title));
        }
        for n in &self.notes {
            s.push_str(&format!("\nnote: {n}"));
        }
        s
    }
}
