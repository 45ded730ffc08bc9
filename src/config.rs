//! Settings, defined once: the clap derive is the flag list (doc → `--help`, env, default), and
//! the TOML file (`--config`) adds named clusters and the same server settings. `Cli` → `Config`.
//!
//! Precedence: command-line flag / its env var > TOML `[server]` > built-in default. Clusters
//! come from the TOML file, or from `KAFKA_BOOTSTRAP_SERVERS` + `KAFKA_<PROPERTY>` env vars as a
//! cluster named `default`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use serde::Deserialize;

/// kafka-mcp: an MCP server that lets AI agents operate Apache Kafka safely.
///
/// With no command it serves MCP over stdio (what Claude Code and Cursor launch).
#[derive(Debug, Parser)]
#[command(name = "kafka-mcp", version, about, long_about = None)]
pub struct Cli {
    /// Global settings shared by every command.
    #[command(flatten)]
    pub settings: Settings,
    /// What to do; default: serve MCP over stdio.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve MCP: over stdio (default) or over HTTP with `--http ADDR`.
    Serve(ServeArgs),
    /// Call one tool and print its structured result as JSON (or `--text` for the summary).
    Call {
        /// Tool name, e.g. `cluster_health`.
        tool: String,
        /// Tool arguments as a JSON object, e.g. '{"detail":"full"}'.
        #[arg(default_value = "{}")]
        args: String,
        /// Print the short text summary instead of the JSON result.
        #[arg(long)]
        text: bool,
    },
    /// List the tools with descriptions and input/output schemas (JSON).
    Tools,
    /// Configuration commands.
    Config {
        /// What to do with the configuration.
        #[command(subcommand)]
        action: ConfigAction,
    },
}

/// `kafka-mcp config ...`
#[derive(Debug, Subcommand)]
pub enum ConfigAction {
    /// Print the effective config (secrets masked) and test connectivity to every cluster.
    Check,
}

/// `kafka-mcp serve` options.
#[derive(Args, Default)]
pub struct ServeArgs {
    /// Serve streamable HTTP at `/mcp` and legacy SSE at `/sse` + `/messages` on this address
    /// (e.g. 127.0.0.1:8080). Without it, serve stdio.
    #[arg(long, value_name = "ADDR")]
    pub http: Option<String>,
    /// Bearer token clients must send (`Authorization: Bearer ...`). Required when ADDR is not
    /// loopback. Prefer `--token-file` or the env var over the command line.
    #[arg(long, env = "KAFKA_MCP_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// File holding the bearer token (first line).
    #[arg(long, env = "KAFKA_MCP_TOKEN_FILE")]
    pub token_file: Option<PathBuf>,
    /// Extra Host header values accepted (DNS-rebinding protection); loopback names are always
    /// accepted on a loopback bind.
    #[arg(long = "allowed-host", value_name = "HOST")]
    pub allowed_hosts: Vec<String>,
    /// Browser Origins accepted (e.g. https://app.example.com:443). Requests with any other
    /// Origin are refused; requests without Origin pass.
    #[arg(long = "allowed-origin", value_name = "ORIGIN")]
    pub allowed_origins: Vec<String>,
    /// Idle HTTP sessions expire after this many seconds.
    #[arg(long, default_value_t = 1800)]
    pub session_idle_secs: u64,
}

impl std::fmt::Debug for ServeArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServeArgs")
            .field("http", &self.http)
            .field("token", &self.token.as_ref().map(|_| "********"))
            .field("token_file", &self.token_file)
            .field("allowed_hosts", &self.allowed_hosts)
            .field("allowed_origins", &self.allowed_origins)
            .field("session_idle_secs", &self.session_idle_secs)
            .finish()
    }
}

/// Settings shared by every command; each can also be set in the TOML `[server]` table.
#[derive(Debug, Args, Default, Clone)]
pub struct Settings {
    /// TOML config file with named clusters and server settings.
    #[arg(long, global = true, env = "KAFKA_MCP_CONFIG")]
    pub config: Option<PathBuf>,
    /// Deadline for every admin call, in ms (default 10000). Past it, the tool error names the
    /// broker it waited on.
    #[arg(long, global = true, env = "KAFKA_MCP_TIMEOUT_MS")]
    pub timeout_ms: Option<u64>,
    /// Hard cap on one tool answer, in bytes (default 65536); longer answers are cut with a note.
    #[arg(long, global = true, env = "KAFKA_MCP_MAX_OUTPUT_BYTES")]
    pub max_output_bytes: Option<usize>,
    /// Enable `apply_change` (writes). Read-only is the default.
    #[arg(long, global = true, env = "KAFKA_MCP_ALLOW_WRITES")]
    pub allow_writes: bool,
    /// Append a JSON line per plan and apply to this file (also always logged on stderr).
    #[arg(long, global = true, env = "KAFKA_MCP_AUDIT_LOG")]
    pub audit_log: Option<PathBuf>,
}

/// The `[server]` table of the TOML file.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerToml {
    /// Admin-call deadline in ms.
    pub timeout_ms: Option<u64>,
    /// Hard cap on one answer, bytes.
    pub max_output_bytes: Option<usize>,
    /// Enable writes for every cluster (a cluster may still set `allow_writes = false`).
    pub allow_writes: Option<bool>,
    /// Topic globs writes must never touch (added to the built-in `__*`, `_schemas`, `_confluent*`).
    #[serde(default)]
    pub protected_topics: Vec<String>,
    /// Topic globs writes may touch (default: all).
    #[serde(default)]
    pub write_allow: Vec<String>,
    /// Topic globs writes may never touch.
    #[serde(default)]
    pub write_deny: Vec<String>,
    /// Audit log file (JSON lines).
    pub audit_log: Option<PathBuf>,
    /// Plan lifetime in seconds (default 600).
    pub plan_ttl_secs: Option<u64>,
    /// Rule ids to disable (health and audit).
    #[serde(default)]
    pub disabled_rules: Vec<String>,
    /// Leader/replica skew tolerance, percent (default 10).
    pub skew_tolerance_pct: Option<f64>,
    /// Replicas per broker above which health and audit warn (default 4000).
    pub max_partitions_per_broker: Option<usize>,
    /// Directory `schema_validate` may read schema files from.
    pub schema_dir: Option<PathBuf>,
    /// Confluent Schema Registry used by `schema_validate`.
    pub schema_registry: Option<RegistryToml>,
}

/// A Schema Registry endpoint. Its `Debug` masks the password and token.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistryToml {
    /// Base URL, e.g. http://localhost:8081.
    pub url: String,
    /// Basic auth user.
    pub username: Option<String>,
    /// Basic auth password (use `${VAR}`).
    pub password: Option<String>,
    /// Bearer token (use `${VAR}`).
    pub bearer_token: Option<String>,
}

impl std::fmt::Debug for RegistryToml {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegistryToml")
            .field("url", &self.url)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "********"))
            .field(
                "bearer_token",
                &self.bearer_token.as_ref().map(|_| "********"),
            )
            .finish()
    }
}

/// The whole TOML file. Its `Debug` leaves out the cluster properties (they hold secrets).
#[derive(Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileToml {
    /// Cluster used when a tool call names none.
    pub default_cluster: Option<String>,
    /// Server settings.
    #[serde(default)]
    pub server: ServerToml,
    /// Named clusters: librdkafka properties, plus `allow_writes`, `expected_brokers` and
    /// `description`.
    #[serde(default)]
    pub clusters: BTreeMap<String, BTreeMap<String, toml::Value>>,
}

impl std::fmt::Debug for FileToml {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileToml")
            .field("default_cluster", &self.default_cluster)
            .field("server", &self.server)
            .field("clusters", &self.clusters.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// One configured cluster. Its `Debug` shows the properties masked.
#[derive(Clone, PartialEq)]
pub struct ClusterConfig {
    /// Its name (`default` when it came from env vars).
    pub name: String,
    /// librdkafka properties, `${VAR}` already expanded.
    pub properties: BTreeMap<String, String>,
    /// Writes allowed on this cluster (server setting unless overridden per cluster).
    pub allow_writes: bool,
    /// Broker ids that must be present (health: brokers-missing).
    pub expected_brokers: Vec<i32>,
    /// Free text shown in `kafka://clusters`.
    pub description: Option<String>,
}

impl std::fmt::Debug for ClusterConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClusterConfig")
            .field("name", &self.name)
            .field("properties", &self.masked_properties())
            .field("allow_writes", &self.allow_writes)
            .field("expected_brokers", &self.expected_brokers)
            .field("description", &self.description)
            .finish()
    }
}

impl ClusterConfig {
    /// `bootstrap.servers`, or an empty string.
    pub fn bootstrap(&self) -> &str {
        self.properties
            .get("bootstrap.servers")
            .map(String::as_str)
            .unwrap_or("")
    }

    /// Properties with every secret masked, for display.
    pub fn masked_properties(&self) -> BTreeMap<String, String> {
        self.properties
            .iter()
            .map(|(k, v)| {
                let shown = if is_secret_key(k) {
                    "********".to_string()
                } else {
                    v.clone()
                };
                (k.clone(), shown)
            })
            .collect()
    }

    /// Secret values of this cluster (for scrubbing error text).
    pub fn secret_values(&self) -> Vec<String> {
        self.properties
            .iter()
            .filter(|(k, v)| is_secret_key(k) && !v.is_empty())
            .map(|(_, v)| v.clone())
            .collect()
    }
}

/// True for property names that hold secrets (passwords, keys, tokens, JAAS configs): every
/// property librdkafka marks sensitive except `sasl.username` and the certificate/key paths
/// (`ssl.key.location`, `ssl.ca.pem` is public), plus Java-style names.
pub fn is_secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    [
        "password",
        "passphrase",
        "secret",
        "jaas",
        "token",
        "ssl.key.pem",
        "ssl_key",
        "keystore.key",
        "credential",
        "private",
        "oauthbearer.config",
    ]
    .iter()
    .any(|s| k.contains(s))
}

/// The effective configuration of one process.
#[derive(Debug, Clone)]
pub struct Config {
    /// Clusters by name.
    pub clusters: BTreeMap<String, ClusterConfig>,
    /// Default cluster name.
    pub default_cluster: Option<String>,
    /// Admin-call deadline.
    pub timeout_ms: u64,
    /// Hard cap on one answer, bytes.
    pub max_output_bytes: usize,
    /// Writes enabled server-wide.
    pub allow_writes: bool,
    /// Protected topic globs (built-ins + configured).
    pub protected_topics: Vec<String>,
    /// Topic globs writes may touch (empty = all).
    pub write_allow: Vec<String>,
    /// Topic globs writes may never touch.
    pub write_deny: Vec<String>,
    /// Audit log file.
    pub audit_log: Option<PathBuf>,
    /// Plan lifetime, seconds.
    pub plan_ttl_secs: u64,
    /// Disabled rule ids.
    pub disabled_rules: Vec<String>,
    /// Skew tolerance as a fraction.
    pub skew_tolerance: f64,
    /// Replicas per broker threshold.
    pub max_partitions_per_broker: usize,
    /// Schema directory for `schema_validate` files.
    pub schema_dir: Option<PathBuf>,
    /// Schema Registry.
    pub schema_registry: Option<RegistryToml>,
}

/// Topics writes never touch unless the operator removes them from this list in code.
pub const BUILTIN_PROTECTED: &[&str] = &["__*", "_schemas", "_confluent*"];

/// Configuration errors, each saying what to fix.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The TOML file could not be read.
    #[error("cannot read config file {path}: {source}. Check --config / KAFKA_MCP_CONFIG.")]
    Read {
        /// Path.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// The TOML file is invalid.
    #[error("invalid config file {path}: {message}")]
    Parse {
        /// Path.
        path: PathBuf,
        /// Parser message.
        message: String,
    },
    /// `${VAR}` names an unset variable.
    #[error("config refers to ${{{var}}} but that environment variable is not set (cluster {cluster:?}, key {key:?}). Export it or remove the reference.")]
    MissingVar {
        /// Variable.
        var: String,
        /// Cluster.
        cluster: String,
        /// Key.
        key: String,
    },
    /// `${VAR}` in `[server.schema_registry]` names an unset variable.
    #[error("[server.schema_registry] {key} refers to ${{{var}}} but that environment variable is not set. Export it or remove the reference.")]
    MissingRegistryVar {
        /// Variable.
        var: String,
        /// Key.
        key: String,
    },
    /// A cluster entry has a non-string value where a property is expected.
    #[error("cluster {cluster:?}: property {key:?} must be a string, number or boolean")]
    BadValue {
        /// Cluster.
        cluster: String,
        /// Key.
        key: String,
    },
    /// `default_cluster` names no cluster.
    #[error("default_cluster = {name:?} is not one of the configured clusters ({known}).")]
    UnknownDefault {
        /// Name.
        name: String,
        /// Known names.
        known: String,
    },
}

impl Config {
    /// Builds the effective config from CLI settings, the optional TOML file, and `env`.
    pub fn load(
        settings: &Settings,
        env: &BTreeMap<String, String>,
    ) -> Result<Config, ConfigError> {
        let file = match &settings.config {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                    path: path.clone(),
                    source,
                })?;
                toml::from_str::<FileToml>(&text).map_err(|e| ConfigError::Parse {
                    path: path.clone(),
                    message: e.message().to_string(),
                })?
            }
            None => FileToml::default(),
        };
        Self::from_parts(settings, file, env)
    }

    /// Same as [`Config::load`] with the TOML already parsed (tests).
    pub fn from_parts(
        settings: &Settings,
        file: FileToml,
        env: &BTreeMap<String, String>,
    ) -> Result<Config, ConfigError> {
        let s = &file.server;
        let allow_writes = settings.allow_writes || s.allow_writes.unwrap_or(false);
        let mut clusters = BTreeMap::new();
        for (name, table) in &file.clusters {
            let mut properties = BTreeMap::new();
            let mut cluster_writes = None;
            let mut expected = Vec::new();
            let mut description = None;
            for (key, value) in table {
                match (key.as_str(), value) {
                    ("allow_writes", toml::Value::Boolean(b)) => cluster_writes = Some(*b),
                    ("expected_brokers", toml::Value::Array(a)) => {
                        expected = a
                            .iter()
                            .filter_map(|v| v.as_integer())
                            .map(|i| i as i32)
                            .collect()
                    }
                    ("description", toml::Value::String(d)) => description = Some(d.clone()),
                    (_, v) => {
                        let raw = match v {
                            toml::Value::String(s) => s.clone(),
                            toml::Value::Integer(i) => i.to_string(),
                            toml::Value::Boolean(b) => b.to_string(),
                            toml::Value::Float(f) => f.to_string(),
                            _ => {
                                return Err(ConfigError::BadValue {
                                    cluster: name.clone(),
                                    key: key.clone(),
                                })
                            }
                        };
                        let value =
                            interpolate(&raw, env).map_err(|var| ConfigError::MissingVar {
                                var,
                                cluster: name.clone(),
                                key: key.clone(),
                            })?;
                        properties.insert(key.clone(), value);
                    }
                }
            }
            clusters.insert(
                name.clone(),
                ClusterConfig {
                    name: name.clone(),
                    properties,
                    // A cluster can only narrow the server setting, never widen it.
                    allow_writes: allow_writes && cluster_writes.unwrap_or(true),
                    expected_brokers: expected,
                    description,
                },
            );
        }
        if clusters.is_empty() {
            if let Some(c) = cluster_from_env(env, allow_writes) {
                clusters.insert(c.name.clone(), c);
            }
        }
        let default_cluster = match &file.default_cluster {
            Some(name) if !clusters.contains_key(name) => {
                return Err(ConfigError::UnknownDefault {
                    name: name.clone(),
                    known: clusters.keys().cloned().collect::<Vec<_>>().join(", "),
                })
            }
            Some(name) => Some(name.clone()),
            None => clusters.keys().next().cloned(),
        };
        let mut protected: Vec<String> = BUILTIN_PROTECTED.iter().map(|s| s.to_string()).collect();
        protected.extend(s.protected_topics.iter().cloned());
        Ok(Config {
            clusters,
            default_cluster,
            timeout_ms: settings
                .timeout_ms
                .or(s.timeout_ms)
                .unwrap_or(10_000)
                .max(100),
            max_output_bytes: settings
                .max_output_bytes
                .or(s.max_output_bytes)
                .unwrap_or(64 * 1024)
                .max(1024),
            allow_writes,
            protected_topics: protected,
            write_allow: s.write_allow.clone(),
            write_deny: s.write_deny.clone(),
            audit_log: settings.audit_log.clone().or_else(|| s.audit_log.clone()),
            plan_ttl_secs: s.plan_ttl_secs.unwrap_or(600),
            disabled_rules: s.disabled_rules.clone(),
            skew_tolerance: s.skew_tolerance_pct.unwrap_or(10.0) / 100.0,
            max_partitions_per_broker: s.max_partitions_per_broker.unwrap_or(4000),
            schema_dir: s.schema_dir.clone(),
            schema_registry: s
                .schema_registry
                .clone()
                .map(|r| registry_with_env(r, env))
                .transpose()?,
        })
    }

    /// The cluster a tool call means: the named one, or the default.
    pub fn cluster(&self, name: Option<&str>) -> Result<&ClusterConfig, String> {
        let known = || self.clusters.keys().cloned().collect::<Vec<_>>().join(", ");
        match name.or(self.default_cluster.as_deref()) {
            Some(n) => self.clusters.get(n).ok_or_else(|| {
                if self.clusters.is_empty() {
                    format!("unknown cluster {n:?}: no cluster is configured. Set KAFKA_BOOTSTRAP_SERVERS or add [clusters.{n}] to the config file.")
                } else {
                    format!("unknown cluster {n:?}. Configured clusters: {}. Pass one of them as `cluster`, or omit it for the default.", known())
                }
            }),
            None => Err("no Kafka cluster is configured. Set KAFKA_BOOTSTRAP_SERVERS=host:port (plus KAFKA_<PROPERTY> for auth) or pass --config with a [clusters.NAME] table.".to_string()),
        }
    }

    /// Every secret value configured anywhere (to scrub from errors and logs).
    pub fn secret_values(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .clusters
            .values()
            .flat_map(|c| c.secret_values())
            .collect();
        if let Some(r) = &self.schema_registry {
            v.extend(r.password.iter().cloned());
            v.extend(r.bearer_token.iter().cloned());
        }
        v.retain(|s| s.len() >= 3);
        v
    }
}

/// `${VAR}` expanded in every registry setting; an unset variable is an error (kept literally,
/// it would be sent as the password).
fn registry_with_env(
    mut r: RegistryToml,
    env: &BTreeMap<String, String>,
) -> Result<RegistryToml, ConfigError> {
    fn missing(key: &'static str) -> impl Fn(String) -> ConfigError {
        move |var| ConfigError::MissingRegistryVar {
            var,
            key: key.to_string(),
        }
    }
    r.url = interpolate(&r.url, env).map_err(missing("url"))?;
    for (key, field) in [
        ("username", &mut r.username),
        ("password", &mut r.password),
        ("bearer_token", &mut r.bearer_token),
    ] {
        if let Some(v) = field.as_mut() {
            *v = interpolate(v, env).map_err(missing(key))?;
        }
    }
    Ok(r)
}

/// The `default` cluster from `KAFKA_BOOTSTRAP_SERVERS` and `KAFKA_<PROPERTY>` variables
/// (`KAFKA_SECURITY_PROTOCOL` → `security.protocol`). `KAFKA_MCP_*` variables are ours, not
/// librdkafka's, and are skipped.
pub fn cluster_from_env(
    env: &BTreeMap<String, String>,
    allow_writes: bool,
) -> Option<ClusterConfig> {
    env.get("KAFKA_BOOTSTRAP_SERVERS")
        .filter(|v| !v.trim().is_empty())?;
    let mut properties = BTreeMap::new();
    for (k, v) in env {
        match env_property(k) {
            EnvProperty::Client(name) => {
                properties.insert(name, v.clone());
            }
            EnvProperty::NotOurs => {}
            EnvProperty::Unknown(name) => tracing::warn!(
                variable = %k,
                "ignored: {name:?} is not a librdkafka client property (see librdkafka's CONFIGURATION.md, or set it in a --config file)"
            ),
        }
    }
    Some(ClusterConfig {
        name: "default".to_string(),
        properties,
        allow_writes,
        expected_brokers: Vec::new(),
        description: Some("from KAFKA_* environment variables".to_string()),
    })
}

/// What a `KAFKA_*` environment variable is to kafka-mcp.
#[derive(Debug, PartialEq, Eq)]
pub enum EnvProperty {
    /// A librdkafka client property (`KAFKA_SASL_MECHANISMS` → `sasl.mechanisms`).
    Client(String),
    /// Not for the client: kafka-mcp's own `KAFKA_MCP_*`, Kafka's own script variables (`KAFKA_HOME`, `KAFKA_HEAP_OPTS`, `KAFKA_OPTS`, …),
    /// and anything not starting with `KAFKA_`.
    NotOurs,
    /// Looks like a property but librdkafka has none by that name (a typo, or a Java-client-only
    /// setting): ignored with a warning that names the variable, never its value.
    Unknown(String),
}

/// Kafka's own shell scripts read these; a machine with Kafka installed has them set.
const KAFKA_SCRIPT_VARIABLES: &[&str] = &[
    "KAFKA_HOME",
    "KAFKA_HEAP_OPTS",
    "KAFKA_OPTS",
    "KAFKA_JMX_OPTS",
    "KAFKA_LOG4J_OPTS",
    "KAFKA_JVM_PERFORMANCE_OPTS",
    "KAFKA_GC_LOG_OPTS",
    "KAFKA_DEBUG",
    "KAFKA_CLUSTER_ID",
    "KAFKA_LOG_DIR",
    "KAFKA_LOG_DIRS",
    "KAFKA_CONF_DIR",
    "KAFKA_VERSION",
    "KAFKA_USER",
    "KAFKA_JAVA_OPTS",
    "KAFKA_CLASSPATH",
    "KAFKA_NODE_ID",
    "KAFKA_PROCESS_ROLES",
];

/// librdkafka 2.12's configuration properties (global and topic), from its CONFIGURATION.md,
/// without the callback-only ones (`*_cb`) that no string can set.
pub const LIBRDKAFKA_PROPERTIES: &[&str] = &[
    "acks",
    "allow.auto.create.topics",
    "api.version.fallback.ms",
    "api.version.request",
    "api.version.request.timeout.ms",
    "auto.commit.enable",
    "auto.commit.interval.ms",
    "auto.offset.reset",
    "batch.num.messages",
    "batch.size",
    "bootstrap.servers",
    "broker.address.family",
    "broker.address.ttl",
    "broker.version.fallback",
    "check.crcs",
    "client.dns.lookup",
    "client.id",
    "client.rack",
    "compression.codec",
    "compression.level",
    "compression.type",
    "connections.max.idle.ms",
    "consume.callback.max.messages",
    "coordinator.query.interval.ms",
    "debug",
    "delivery.report.only.error",
    "delivery.timeout.ms",
    "enable.auto.commit",
    "enable.auto.offset.store",
    "enable.gapless.guarantee",
    "enable.idempotence",
    "enable.metrics.push",
    "enable.partition.eof",
    "enable.random.seed",
    "enable.sasl.oauthbearer.unsecure.jwt",
    "enable.ssl.certificate.verification",
    "fetch.error.backoff.ms",
    "fetch.max.bytes",
    "fetch.message.max.bytes",
    "fetch.min.bytes",
    "fetch.queue.backoff.ms",
    "fetch.wait.max.ms",
    "group.id",
    "group.instance.id",
    "group.protocol",
    "group.protocol.type",
    "group.remote.assignor",
    "heartbeat.interval.ms",
    "https.ca.location",
    "https.ca.pem",
    "interceptors",
    "internal.termination.signal",
    "isolation.level",
    "linger.ms",
    "log.connection.close",
    "log.queue",
    "log.thread.name",
    "max.in.flight",
    "max.in.flight.requests.per.connection",
    "max.partition.fetch.bytes",
    "max.poll.interval.ms",
    "message.copy.max.bytes",
    "message.max.bytes",
    "message.send.max.retries",
    "message.timeout.ms",
    "metadata.broker.list",
    "metadata.max.age.ms",
    "metadata.recovery.rebootstrap.trigger.ms",
    "metadata.recovery.strategy",
    "offset.store.method",
    "offset.store.path",
    "offset.store.sync.interval.ms",
    "opaque",
    "partition.assignment.strategy",
    "partitioner",
    "plugin.library.paths",
    "produce.offset.report",
    "queue.buffering.backpressure.threshold",
    "queue.buffering.max.kbytes",
    "queue.buffering.max.messages",
    "queue.buffering.max.ms",
    "queued.max.messages.kbytes",
    "queued.min.messages",
    "queuing.strategy",
    "receive.message.max.bytes",
    "reconnect.backoff.jitter.ms",
    "reconnect.backoff.max.ms",
    "reconnect.backoff.ms",
    "request.required.acks",
    "request.timeout.ms",
    "retries",
    "retry.backoff.max.ms",
    "retry.backoff.ms",
    "sasl.kerberos.keytab",
    "sasl.kerberos.kinit.cmd",
    "sasl.kerberos.min.time.before.relogin",
    "sasl.kerberos.principal",
    "sasl.kerberos.service.name",
    "sasl.mechanism",
    "sasl.mechanisms",
    "sasl.oauthbearer.assertion.algorithm",
    "sasl.oauthbearer.assertion.claim.aud",
    "sasl.oauthbearer.assertion.claim.exp.seconds",
    "sasl.oauthbearer.assertion.claim.iss",
    "sasl.oauthbearer.assertion.claim.jti.include",
    "sasl.oauthbearer.assertion.claim.nbf.seconds",
    "sasl.oauthbearer.assertion.claim.sub",
    "sasl.oauthbearer.assertion.file",
    "sasl.oauthbearer.assertion.jwt.template.file",
    "sasl.oauthbearer.assertion.private.key.file",
    "sasl.oauthbearer.assertion.private.key.passphrase",
    "sasl.oauthbearer.assertion.private.key.pem",
    "sasl.oauthbearer.client.credentials.client.id",
    "sasl.oauthbearer.client.credentials.client.secret",
    "sasl.oauthbearer.client.id",
    "sasl.oauthbearer.client.secret",
    "sasl.oauthbearer.config",
    "sasl.oauthbearer.extensions",
    "sasl.oauthbearer.grant.type",
    "sasl.oauthbearer.metadata.authentication.type",
    "sasl.oauthbearer.method",
    "sasl.oauthbearer.scope",
    "sasl.oauthbearer.token.endpoint.url",
    "sasl.password",
    "sasl.username",
    "security.protocol",
    "session.timeout.ms",
    "socket.blocking.max.ms",
    "socket.connection.setup.timeout.ms",
    "socket.keepalive.enable",
    "socket.max.fails",
    "socket.nagle.disable",
    "socket.receive.buffer.bytes",
    "socket.send.buffer.bytes",
    "socket.timeout.ms",
    "ssl.ca.certificate.stores",
    "ssl.ca.location",
    "ssl.ca.pem",
    "ssl.certificate.location",
    "ssl.certificate.pem",
    "ssl.cipher.suites",
    "ssl.crl.location",
    "ssl.curves.list",
    "ssl.endpoint.identification.algorithm",
    "ssl.engine.id",
    "ssl.engine.location",
    "ssl.key.location",
    "ssl.key.password",
    "ssl.key.pem",
    "ssl.keystore.location",
    "ssl.keystore.password",
    "ssl.providers",
    "ssl.sigalgs.list",
    "statistics.interval.ms",
    "sticky.partitioning.linger.ms",
    "topic.blacklist",
    "topic.metadata.propagation.max.ms",
    "topic.metadata.refresh.fast.cnt",
    "topic.metadata.refresh.fast.interval.ms",
    "topic.metadata.refresh.interval.ms",
    "topic.metadata.refresh.sparse",
    "transaction.timeout.ms",
    "transactional.id",
];

/// Classifies one environment variable (name only; values are never looked at).
pub fn env_property(variable: &str) -> EnvProperty {
    let Some(rest) = variable.strip_prefix("KAFKA_") else {
        return EnvProperty::NotOurs;
    };
    if variable.starts_with("KAFKA_MCP_")
        || KAFKA_SCRIPT_VARIABLES.contains(&variable)
        || variable.starts_with("KAFKA_CFG_")
    {
        // KAFKA_CFG_* is the broker-container convention (server.properties), not a client's.
        return EnvProperty::NotOurs;
    }
    let name = rest.to_ascii_lowercase().replace('_', ".");
    if LIBRDKAFKA_PROPERTIES.contains(&name.as_str()) {
        EnvProperty::Client(name)
    } else {
        EnvProperty::Unknown(name)
    }
}

/// Expands `${VAR}` from `env`; `$${` escapes a literal `${`. Err(var) for an unset variable.
pub fn interpolate(raw: &str, env: &BTreeMap<String, String>) -> Result<String, String> {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(i) = rest.find("${") {
        if rest[..i].ends_with('$') {
            out.push_str(&rest[..i - 1]);
            out.push_str("${");
            rest = &rest[i + 2..];
            continue;
        }
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[i..]);
            return Ok(out);
        };
        let var = &after[..end];
        out.push_str(env.get(var).ok_or_else(|| var.to_string())?);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn env_cluster_maps_property_names() {
        let e = env(&[
            ("KAFKA_BOOTSTRAP_SERVERS", "b:9092"),
            ("KAFKA_SECURITY_PROTOCOL", "SASL_SSL"),
            ("KAFKA_SASL_PASSWORD", "hunter22"),
            ("KAFKA_MCP_TIMEOUT_MS", "5"),
        ]);
        let c = Config::from_parts(&Settings::default(), FileToml::default(), &e).unwrap();
        let d = c.cluster(None).unwrap();
        assert_eq!(d.name, "default");
        assert_eq!(d.bootstrap(), "b:9092");
        assert_eq!(d.properties["security.protocol"], "SASL_SSL");
        assert!(!d.properties.contains_key("mcp.timeout.ms"));
        assert_eq!(d.masked_properties()["sasl.password"], "********");
        assert_eq!(c.secret_values(), vec!["hunter22".to_string()]);
    }

    #[test]
    fn kafka_script_variables_are_not_client_properties() {
        // A machine with Kafka installed as usual: its scripts' variables must not reach
        // librdkafka (they used to fail every tool with `No such configuration property`).
        let e = env(&[
            ("KAFKA_BOOTSTRAP_SERVERS", "b:9092"),
            ("KAFKA_HOME", "/opt/kafka"),
            ("KAFKA_HEAP_OPTS", "-Xmx1g"),
            ("KAFKA_OPTS", "-Dx=y"),
            ("KAFKA_JMX_OPTS", "-Dcom.sun.management.jmxremote"),
            ("KAFKA_LOG4J_OPTS", "-Dlog4j.configuration=file:x"),
            ("KAFKA_CFG_NODE_ID", "1"),
            ("KAFKA_SASL_PASWORD", "typo-secret"),
            ("KAFKA_SASL_MECHANISMS", "SCRAM-SHA-512"),
            ("KAFKA_SSL_CA_LOCATION", "/ca.pem"),
            ("KAFKA_ENABLE_SSL_CERTIFICATE_VERIFICATION", "false"),
        ]);
        let c = Config::from_parts(&Settings::default(), FileToml::default(), &e).unwrap();
        let d = c.cluster(None).unwrap();
        let keys: Vec<&str> = d.properties.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "bootstrap.servers",
                "enable.ssl.certificate.verification",
                "sasl.mechanisms",
                "ssl.ca.location"
            ]
        );
        assert_eq!(env_property("KAFKA_HOME"), EnvProperty::NotOurs);
        assert_eq!(env_property("KAFKA_MCP_TOKEN"), EnvProperty::NotOurs);
        assert_eq!(env_property("PATH"), EnvProperty::NotOurs);
        assert_eq!(
            env_property("KAFKA_SASL_PASWORD"),
            EnvProperty::Unknown("sasl.pasword".into())
        );
        assert_eq!(
            env_property("KAFKA_ISOLATION_LEVEL"),
            EnvProperty::Client("isolation.level".into())
        );
    }

    #[test]
    fn toml_clusters_interpolate_and_narrow_writes() {
        let file: FileToml = toml::from_str(
            r#"
            default_cluster = "prod"
            [server]
            allow_writes = true
            timeout_ms = 2500
            protected_topics = ["billing.*"]
            [clusters.prod]
            "bootstrap.servers" = "p:9092"
            "sasl.password" = "${PROD_PW}"
            allow_writes = false
            expected_brokers = [1, 2, 3]
            [clusters.dev]
            "bootstrap.servers" = "d:9092"
            "#,
        )
        .unwrap();
        let c =
            Config::from_parts(&Settings::default(), file, &env(&[("PROD_PW", "s3cret")])).unwrap();
        assert_eq!(c.default_cluster.as_deref(), Some("prod"));
        assert_eq!(c.timeout_ms, 2500);
        let prod = c.cluster(Some("prod")).unwrap();
        assert_eq!(prod.properties["sasl.password"], "s3cret");
        assert!(!prod.allow_writes);
        assert_eq!(prod.expected_brokers, vec![1, 2, 3]);
        assert!(c.cluster(Some("dev")).unwrap().allow_writes);
        assert!(c.protected_topics.contains(&"billing.*".to_string()));
        assert!(c.protected_topics.contains(&"__*".to_string()));
        let err = c.cluster(Some("nope")).unwrap_err();
        assert!(err.contains("dev, prod"), "{err}");
    }

    #[test]
    fn missing_variable_is_an_error_naming_it() {
        let file: FileToml =
            toml::from_str("[clusters.a]\n\"sasl.password\" = \"${NOPE}\"\n").unwrap();
        let err = Config::from_parts(&Settings::default(), file, &BTreeMap::new()).unwrap_err();
        assert!(err.to_string().contains("${NOPE}"), "{err}");
    }

    #[test]
    fn registry_variables_must_be_set() {
        let file: FileToml = toml::from_str(
            "[server.schema_registry]\nurl = \"http://r:8081\"\npassword = \"${REG_PW}\"\n",
        )
        .unwrap();
        let err =
            Config::from_parts(&Settings::default(), file.clone(), &BTreeMap::new()).unwrap_err();
        assert!(
            err.to_string().contains("${REG_PW}") && err.to_string().contains("password"),
            "{err}"
        );
        let c = Config::from_parts(
            &Settings::default(),
            file,
            &env(&[("REG_PW", "pw-from-env")]),
        )
        .unwrap();
        assert_eq!(
            c.schema_registry.as_ref().unwrap().password.as_deref(),
            Some("pw-from-env")
        );
        assert!(c.secret_values().contains(&"pw-from-env".to_string()));
    }

    #[test]
    fn debug_output_never_shows_secrets() {
        let file: FileToml = toml::from_str(
            "[server.schema_registry]\nurl = \"http://r\"\npassword = \"reg-pw-123\"\nbearer_token = \"reg-tok-456\"\n\
             [clusters.a]\n\"bootstrap.servers\" = \"h:1\"\n\"sasl.password\" = \"sasl-pw-789\"\n\
             \"sasl.oauthbearer.config\" = \"principal=x secret=oauth-cfg-000\"\n\"ssl.key.password\" = \"key-pw-111\"\n",
        )
        .unwrap();
        let c = Config::from_parts(&Settings::default(), file.clone(), &BTreeMap::new()).unwrap();
        let serve = ServeArgs {
            token: Some("http-tok-222".into()),
            ..ServeArgs::default()
        };
        let shown = format!("{c:?} {c:#?} {file:?} {serve:?}");
        for secret in [
            "reg-pw-123",
            "reg-tok-456",
            "sasl-pw-789",
            "oauth-cfg-000",
            "key-pw-111",
            "http-tok-222",
        ] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert!(shown.contains("h:1") && shown.contains("********"));
        assert_eq!(
            c.secret_values().len(),
            5,
            "{:?}",
            c.clusters["a"].masked_properties()
        );
    }

    #[test]
    fn interpolation_escapes() {
        let e = env(&[("A", "x")]);
        assert_eq!(interpolate("${A}-$${A}-${A}", &e).unwrap(), "x-${A}-x");
        assert_eq!(interpolate("plain", &e).unwrap(), "plain");
    }

    #[test]
    fn cli_flag_beats_file() {
        let s = Settings {
            timeout_ms: Some(700),
            ..Settings::default()
        };
        let file: FileToml = toml::from_str("[server]\ntimeout_ms = 2500\n").unwrap();
        let c = Config::from_parts(&s, file, &BTreeMap::new()).unwrap();
        assert_eq!(c.timeout_ms, 700);
        assert!(c
            .cluster(None)
            .unwrap_err()
            .contains("KAFKA_BOOTSTRAP_SERVERS"));
    }

    #[test]
    fn unknown_default_cluster() {
        let file: FileToml = toml::from_str(
            "default_cluster = \"x\"\n[clusters.a]\n\"bootstrap.servers\" = \"h:1\"\n",
        )
        .unwrap();
        assert!(Config::from_parts(&Settings::default(), file, &BTreeMap::new()).is_err());
    }
}
