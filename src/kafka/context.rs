//! librdkafka's error and log callbacks, captured so the real cause of a failure (connection
//! refused, DNS, SASL, TLS) reaches the tool error, and forwarded to tracing (stderr) with
//! secrets scrubbed.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use rdkafka::client::ClientContext;
use rdkafka::config::RDKafkaLogLevel;
use rdkafka::consumer::ConsumerContext;
use rdkafka::error::KafkaError;

const KEEP: usize = 32;

/// Shared by every client of one cluster.
#[derive(Clone)]
pub struct KafkaContext {
    cluster: String,
    secrets: Arc<Vec<String>>,
    recent: Arc<Mutex<VecDeque<(Instant, String)>>>,
}

impl KafkaContext {
    /// A context for `cluster`; `secrets` are scrubbed from everything it records or logs.
    pub fn new(cluster: String, secrets: Vec<String>) -> KafkaContext {
        KafkaContext {
            cluster,
            secrets: Arc::new(secrets),
            recent: Arc::new(Mutex::new(VecDeque::new())),
        }
    }

    /// `text` with every configured secret replaced by `********`.
    pub fn scrub(&self, text: &str) -> String {
        let mut out = text.to_string();
        for s in self.secrets.iter() {
            if out.contains(s.as_str()) {
                out = out.replace(s.as_str(), "********");
            }
        }
        out
    }

    fn record(&self, msg: &str) {
        // "N/M brokers are down" repeats every reconnect attempt and says nothing about why:
        // keep the ring for the lines that name a cause.
        if msg.contains("brokers are down") {
            return;
        }
        let msg = self.scrub(msg);
        let mut q = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        if q.back().is_some_and(|(_, last)| *last == msg) {
            return;
        }
        if q.len() == KEEP {
            q.pop_front();
        }
        q.push_back((Instant::now(), msg));
    }

    /// Handles one event from the admin client's main queue.
    pub fn on_event(&self, event: super::ffi::ClientEvent) {
        match event {
            super::ffi::ClientEvent::Log {
                level,
                fac,
                message,
            } => {
                let level = match level {
                    0 => RDKafkaLogLevel::Emerg,
                    1 => RDKafkaLogLevel::Alert,
                    2 => RDKafkaLogLevel::Critical,
                    3 => RDKafkaLogLevel::Error,
                    4 => RDKafkaLogLevel::Warning,
                    5 => RDKafkaLogLevel::Notice,
                    6 => RDKafkaLogLevel::Info,
                    _ => RDKafkaLogLevel::Debug,
                };
                self.log(level, &fac, &message);
            }
            super::ffi::ClientEvent::Error(e) => {
                let msg = self.scrub(&format!("{}: {}", e.name, e.message));
                tracing::debug!(cluster = %self.cluster, "librdkafka error: {msg}");
                self.record(&msg);
            }
        }
    }

    /// Recent error/log lines (last 60 s), oldest first.
    pub fn recent(&self) -> Vec<String> {
        let q = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        q.iter()
            .filter(|(t, _)| t.elapsed().as_secs() < 60)
            .map(|(_, m)| m.clone())
            .collect()
    }

    /// The most telling recent cause and the next step, from what librdkafka reported.
    pub fn explain_failure(&self) -> (Option<String>, String) {
        explain(&self.recent())
    }
}

/// Picks the most specific cause among librdkafka's messages, with the next step.
pub fn explain(recent: &[String]) -> (Option<String>, String) {
    let rules: &[(&str, &str, &str)] = &[
        ("SASL authentication error", "SASL authentication failed", "Check sasl.mechanism, sasl.username and sasl.password for this cluster."),
        ("Authentication failed", "SASL authentication failed", "Check sasl.mechanism, sasl.username and sasl.password for this cluster."),
        ("mechanism handshake failed", "SASL handshake failed: the broker does not accept this sasl.mechanism", "Set sasl.mechanism to one the broker lists in the message (none listed: its listener has no SASL; try security.protocol=PLAINTEXT or SSL)."),
        ("OAUTHBEARER", "OAUTHBEARER token failed", "Check sasl.oauthbearer.* (method, client id and secret, token endpoint) for this cluster."),
        ("_AUTHENTICATION", "authentication failed", "Check security.protocol, sasl.* and ssl.* for this cluster."),
        ("certificate verify failed", "TLS certificate verification failed", "Point ssl.ca.location at the CA that signed the broker certificate."),
        ("SSL handshake failed", "TLS handshake failed", "Check security.protocol=SSL/SASL_SSL, ssl.ca.location and the broker certificate's host name."),
        ("Failed to resolve", "DNS lookup failed", "Check the host names in bootstrap.servers."),
        ("Connection refused", "connection refused", "Check bootstrap.servers and that the broker is running and listening there."),
        ("requesting ApiVersion", "the broker closed the connection during the handshake", "The listener probably expects another security.protocol (PLAINTEXT vs SSL vs SASL)."),
        ("Connection setup timed out", "connection setup timed out", "Check network reachability (firewall, wrong port) of bootstrap.servers."),
        ("Disconnected", "the broker disconnected", "Check the broker's health and that security.protocol matches its listener."),
        ("timed out", "the broker did not answer in time", "The broker may be overloaded or paused; retry, or raise --timeout-ms."),
    ];
    for (needle, cause, hint) in rules {
        if let Some(line) = recent.iter().rev().find(|m| m.contains(needle)) {
            let short: String = line.chars().take(200).collect();
            return (Some(format!("{cause} ({short})")), hint.to_string());
        }
    }
    (
        None,
        "Check that the broker is up and reachable, or raise --timeout-ms if it is just slow."
            .to_string(),
    )
}

impl ClientContext for KafkaContext {
    fn log(&self, level: RDKafkaLogLevel, fac: &str, log_message: &str) {
        let msg = self.scrub(log_message);
        match level {
            RDKafkaLogLevel::Emerg | RDKafkaLogLevel::Alert | RDKafkaLogLevel::Critical => {
                tracing::warn!(cluster = %self.cluster, fac, "librdkafka: {msg}");
                self.record(&msg);
            }
            // Connection failures repeat on every reconnect; the tool error carries the cause.
            // librdkafka reports a connection closed with a request in flight (e.g. a PLAINTEXT
            // client on a TLS listener) as an info-level FAIL line.
            RDKafkaLogLevel::Error | RDKafkaLogLevel::Warning => {
                tracing::debug!(cluster = %self.cluster, fac, "librdkafka: {msg}");
                self.record(&msg);
            }
            RDKafkaLogLevel::Notice | RDKafkaLogLevel::Info if fac == "FAIL" => {
                tracing::debug!(cluster = %self.cluster, fac, "librdkafka: {msg}");
                self.record(&msg);
            }
            _ => tracing::trace!(cluster = %self.cluster, fac, "librdkafka: {msg}"),
        }
    }

    fn error(&self, error: KafkaError, reason: &str) {
        let msg = self.scrub(&format!("{error}: {reason}"));
        tracing::debug!(cluster = %self.cluster, "librdkafka error: {msg}");
        self.record(&msg);
    }
}

impl ConsumerContext for KafkaContext {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explains_the_most_specific_cause() {
        let (cause, hint) = explain(&[
            "127.0.0.1:1/bootstrap: Connect to ipv4#127.0.0.1:1 failed: Connection refused (after 0ms in state CONNECT)".into(),
        ]);
        assert!(cause.unwrap().starts_with("connection refused"));
        assert!(hint.contains("bootstrap.servers"));
        let (cause, hint) = explain(&["127.0.0.1:9093/bootstrap: Disconnected: connection closed by peer: receive 0 after POLLIN: requesting ApiVersion: might be caused by incorrect security.protocol configuration (connecting to a SSL listener?) or broker version is < 0.10 (see api.version.request) (after 1ms in state APIVERSION_QUERY)".into()]);
        assert!(cause
            .unwrap()
            .starts_with("the broker closed the connection during the handshake"));
        assert!(hint.contains("security.protocol"));
        let (cause, _) = explain(&[
            "SASL authentication error: Authentication failed: Invalid username or password".into(),
        ]);
        assert!(cause.unwrap().starts_with("SASL authentication failed"));
        let (cause, hint) = explain(&["_AUTHENTICATION: sasl_plaintext://h:9092/bootstrap: SASL SCRAM-SHA-512 mechanism handshake failed: Broker: Request not valid in current SASL state: broker's supported mechanisms:  (after 0ms in state AUTH_HANDSHAKE)".into()]);
        assert!(cause.unwrap().starts_with("SASL handshake failed"));
        assert!(hint.contains("sasl.mechanism"));
        let (cause, hint) = explain(&["_SSL: ssl://h:9093/bootstrap: SSL handshake failed: error:0A000086:SSL routines::certificate verify failed: broker certificate could not be verified".into()]);
        assert!(
            cause
                .unwrap()
                .starts_with("TLS certificate verification failed"),
            "the specific cause wins"
        );
        assert!(hint.contains("ssl.ca.location"));
        let (cause, hint) = explain(&[]);
        assert!(cause.is_none());
        assert!(hint.contains("timeout"));
    }

    #[test]
    fn scrubs_secrets_from_records() {
        let c = KafkaContext::new("c".into(), vec!["hunter22".into()]);
        c.record("auth failed for password hunter22");
        assert_eq!(
            c.recent(),
            vec!["auth failed for password ********".to_string()]
        );
    }
}
