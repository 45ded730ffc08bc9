//! The MCP skin: one file per tool, each holding its documented input/output types and a thin
//! handler (parse → `crate::kafka` snapshot → `crate::analysis` verdict → `crate::output` budget).

pub mod apply_change;
pub mod cluster_health;
pub mod config_audit;
pub mod consumer_groups;
pub mod schema_validate;
pub mod topic_manage;

use rmcp::model::{ProgressNotificationParam, ProgressToken, RequestMetaObject};
use rmcp::service::ElicitationError;
use rmcp::{Peer, RoleServer};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::ToolError;
use crate::plans::Plan;

/// What the human answers in the apply confirmation dialog.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct ApplyConfirmation {
    /// Apply this change to the cluster now?
    pub approve: bool,
}
rmcp::elicit_safe!(ApplyConfirmation);

/// Asks the human to approve `plan` when the client supports elicitation. Returns `Ok(true)`
/// when approved or when the client cannot ask (then the `confirm` argument is the approval).
pub async fn confirm_with_human(peer: &Peer<RoleServer>, plan: &Plan) -> Result<bool, ToolError> {
    let message = format!(
        "kafka-mcp wants to apply a change to cluster {}:\n{}\nTarget: {}{}",
        plan.cluster,
        plan.summary,
        plan.change.target(),
        if plan.change.destructive() {
            "\nThis deletes data or offsets and cannot be undone."
        } else {
            ""
        }
    );
    match peer.elicit::<ApplyConfirmation>(message).await {
        Ok(Some(a)) => Ok(a.approve),
        Ok(None) => Ok(false),
        Err(ElicitationError::UserDeclined) | Err(ElicitationError::UserCancelled) => Ok(false),
        Err(ElicitationError::CapabilityNotSupported) => Ok(true),
        Err(e) => {
            // A client that advertised elicitation but failed to answer: do not write.
            Err(ToolError::unavailable(format!("could not get the human's confirmation ({e}); nothing was changed. Retry apply_change.")))
        }
    }
}

/// MCP progress notifications for one call; silent when the client sent no progress token.
pub struct Progress {
    peer: Option<Peer<RoleServer>>,
    token: Option<ProgressToken>,
}

impl Progress {
    /// Progress for the request whose `_meta` is `meta`.
    pub fn new(peer: Peer<RoleServer>, meta: &RequestMetaObject) -> Progress {
        Progress {
            token: meta.get_progress_token(),
            peer: Some(peer),
        }
    }

    /// No notifications (resources, CLI).
    pub fn none() -> Progress {
        Progress {
            peer: None,
            token: None,
        }
    }

    /// Reports `done` of `total`, with a message.
    pub async fn step(&self, done: f64, total: f64, message: &str) {
        if let (Some(peer), Some(token)) = (&self.peer, &self.token) {
            let mut p = ProgressNotificationParam::new(token.clone(), done).with_total(total);
            p.message = Some(message.to_string());
            if let Err(e) = peer.notify_progress(p).await {
                tracing::debug!("progress notification not sent: {e}");
            }
        }
    }
}
