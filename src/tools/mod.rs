//! The MCP skin: one file per tool, each holding its documented input/output types and a thin
//! handler (parse → `crate::kafka` snapshot → `crate::analysis` verdict → `crate::output` budget).

pub mod cluster_health;
pub mod consumer_groups;

use rmcp::model::{ProgressNotificationParam, ProgressToken, RequestMetaObject};
use rmcp::{Peer, RoleServer};

/// MCP progress notifications for one call; silent when the client sent no progress token.
pub struct Progress {
    peer: Option<Peer<RoleServer>>,
    token: Option<ProgressToken>,
}

impl Progress {
    /// Progress for the request whose `_meta` is `meta`.
    pub fn new(peer: Peer<RoleServer>, meta: &RequestMetaObject) -> Progress {
        Progress { token: meta.get_progress_token(), peer: Some(peer) }
    }

    /// No notifications (resources, CLI).
    pub fn none() -> Progress {
        Progress { peer: None, token: None }
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
