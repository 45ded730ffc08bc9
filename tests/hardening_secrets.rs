//! Secrets: with known secrets configured everywhere they can be (SASL password, OAuth client
//! secret and config, SSL key and keystore passwords, a Java JAAS config, Schema Registry
//! password, the HTTP bearer token) and sensitive values planted in the broker's
//! DescribeConfigs answers, a run through every tool, the CLI and HTTP at trace level with
//! librdkafka debug logging never shows any of them: not in tool output, errors, stdout,
//! stderr logs or the audit log.

mod common;
mod hardening;

use hardening::*;
use serde_json::json;

/// Every secret value starts with this, so one search finds any of them.
const MARK: &str = "Pw-";

const SASL_PW: &str = "Pw-sasl-5b1e0c";
const OIDC_SECRET: &str = "Pw-oidc-client-8d2f";
const OAUTH_CONFIG_SECRET: &str = "Pw-oauthcfg-c2d5";
const SSL_KEY_PW: &str = "Pw-sslkey-3a9c";
const KEYSTORE_PW: &str = "Pw-keystore-71e4";
const JAAS_PW: &str = "Pw-jaas-1c5f";
const REGISTRY_PW: &str = "Pw-registry-0f6a";
const HTTP_TOKEN: &str = "Pw-httptoken-44d1";
const PLANTED: &str = "Pw-planted-6b2a";
const AGENT_PW: &str = "Pw-agent-given-e90d";

fn assert_clean(what: &str, text: &str) {
    if let Some(i) = text.find(MARK) {
        let from = text[..i]
            .char_indices()
            .rev()
            .nth(200)
            .map(|(j, _)| j)
            .unwrap_or(0);
        let to = text[i..]
            .char_indices()
            .nth(200)
            .map(|(j, _)| i + j)
            .unwrap_or(text.len());
        panic!("{what} shows a secret: …{}…", &text[from..to]);
    }
}

#[test]
fn no_configured_or_planted_secret_appears_in_any_output_log_or_audit_line() {
    let Some(backend) = broker_backend() else {
        return;
    };
    let test_broker = common::bootstrap().unwrap();
    let broker = OwnBroker::start_with(&backend, 19508, 19509, &[]);
    let plant = vec![
        (
            "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config".to_string(),
            format!("ScramLoginModule required password=\"{PLANTED}\";"),
        ),
        ("ssl.keystore.password".to_string(), PLANTED.to_string()),
    ];
    let _proxy = KafkaProxy::start(19509, 19508, plant);
    let b = broker.bootstrap();
    let topic = common::unique("secrets");
    common::kafka::create_topic(&b, &topic, 2, &[]);
    common::kafka::produce(&b, &topic, 5, 1);
    let dir = temp_dir("secrets");
    let certs = make_certs(&dir, "the-right-key-password");
    let registry = FakeHttp::start(401, r#"{"error_code":40101,"message":"Unauthorized"}"#);
    let audit = dir.join("audit.jsonl");
    let config = dir.join("kafka-mcp.toml");
    std::fs::write(
        &config,
        format!(
            r#"default_cluster = "local"
[server]
audit_log = {audit:?}
[server.schema_registry]
url = "{registry}"
username = "reg-user"
password = "${{REGISTRY_PW}}"
[clusters.local]
"bootstrap.servers" = "{b}"
debug = "all"
"sasl.username" = "alice"
"sasl.password" = "${{SASL_PW}}"
"ssl.keystore.password" = "{KEYSTORE_PW}"
[clusters.scram]
"bootstrap.servers" = "{test_broker}"
"security.protocol" = "SASL_PLAINTEXT"
"sasl.mechanism" = "SCRAM-SHA-512"
"sasl.username" = "alice"
"sasl.password" = "{SASL_PW}"
debug = "security,broker,protocol"
[clusters.plain]
"bootstrap.servers" = "{test_broker}"
"security.protocol" = "SASL_PLAINTEXT"
"sasl.mechanism" = "PLAIN"
"sasl.username" = "alice"
"sasl.password" = "{SASL_PW}"
debug = "all"
[clusters.oauth]
"bootstrap.servers" = "{test_broker}"
"security.protocol" = "SASL_PLAINTEXT"
"sasl.mechanism" = "OAUTHBEARER"
"enable.sasl.oauthbearer.unsecure.jwt" = "true"
"sasl.oauthbearer.config" = "principal=alice extension_traceId={OAUTH_CONFIG_SECRET}"
debug = "all"
[clusters.oidc]
"bootstrap.servers" = "{test_broker}"
"security.protocol" = "SASL_PLAINTEXT"
"sasl.mechanism" = "OAUTHBEARER"
"sasl.oauthbearer.method" = "oidc"
"sasl.oauthbearer.client.id" = "kafka-mcp"
"sasl.oauthbearer.client.secret" = "{OIDC_SECRET}"
"sasl.oauthbearer.token.endpoint.url" = "{registry}/token"
[clusters.keypw]
"bootstrap.servers" = "{test_broker}"
"security.protocol" = "SSL"
"ssl.ca.location" = {ca:?}
"ssl.certificate.location" = {cert:?}
"ssl.key.location" = {key:?}
"ssl.key.password" = "{SSL_KEY_PW}"
debug = "security"
[clusters.java]
"bootstrap.servers" = "{test_broker}"
"sasl.jaas.config" = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"alice\" password=\"{JAAS_PW}\";"
"#,
            registry = registry.url,
            ca = certs.ca.display().to_string(),
            cert = certs.client_cert.display().to_string(),
            key = certs.client_key.display().to_string(),
        ),
    )
    .unwrap();
    let cfg = config.to_str().unwrap();
    let env = [
        ("RUST_LOG", "trace"),
        ("SASL_PW", SASL_PW),
        ("REGISTRY_PW", REGISTRY_PW),
    ];

    // stdio: every tool on the planted cluster, every cluster's connect path, the registry.
    let mut m = Mcp::start(
        &["--config", cfg, "--allow-writes", "--timeout-ms", "3000"],
        &env,
        &dir,
    );
    let mut calls = vec![
        ("cluster_health", json!({"detail": "full"})),
        (
            "topic_manage",
            json!({"action": "list", "with_counts": true}),
        ),
        (
            "topic_manage",
            json!({"action": "describe", "topic": topic, "all_configs": true}),
        ),
        ("topic_manage", json!({"action": "peek", "topic": topic})),
        (
            "topic_manage",
            json!({"action": "plan_alter_configs", "topic": topic, "configs": {"retention.ms": "3600000"}}),
        ),
        (
            "consumer_groups",
            json!({"action": "list", "with_lag": true}),
        ),
        ("config_audit", json!({"scope": "cluster"})),
        ("config_audit", json!({"scope": "topic", "topics": [topic]})),
        (
            "config_audit",
            json!({"scope": "client", "client": {"properties": {
                "sasl.jaas.config": format!("PlainLoginModule required username=\"a\" password=\"{AGENT_PW}\";"),
                "sasl.password": AGENT_PW, "ssl.key.password": AGENT_PW, "acks": "1"}}}),
        ),
        (
            "schema_validate",
            json!({"action": "check", "schema": "\"string\"", "subject": "orders-value"}),
        ),
        (
            "apply_change",
            json!({"plan_id": "plan-nope", "confirm": topic}),
        ),
    ];
    for cluster in ["scram", "plain", "oauth", "oidc", "keypw", "java"] {
        calls.push(("cluster_health", json!({"cluster": cluster})));
        calls.push((
            "topic_manage",
            json!({"cluster": cluster, "action": "list"}),
        ));
    }
    let mut described = String::new();
    for (t, a) in &calls {
        let r = m.call(t, a.clone());
        let shown = r.to_string();
        assert_clean(&format!("{t} {a}"), &shown);
        if a["action"] == "describe" {
            described = shown;
        }
    }
    // The planted entries did reach the server, as sensitive and without a value.
    assert!(
        described.contains("ssl.keystore.password"),
        "the proxy planted a sensitive config: {described}"
    );
    let plan = m.call(
        "topic_manage",
        json!({"action": "plan_delete", "topic": topic}),
    );
    let plan_id = plan["structuredContent"]["plan"]["plan_id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = m.call(
        "apply_change",
        json!({"plan_id": plan_id, "confirm": "wrong"}),
    );
    assert!(is_error(&r));
    m.drain();
    for l in &m.lines {
        assert_clean("stdout", l);
    }
    assert!(
        registry
            .requests
            .lock()
            .unwrap()
            .iter()
            // Header names are case-insensitive (HTTP/1.1 §5.1); the client may send either.
            .any(|r| r.to_ascii_lowercase().contains("authorization: basic")),
        "the registry was asked with credentials"
    );

    // The CLI: config check, tools, call.
    for args in [
        vec!["config", "check"],
        vec!["tools"],
        vec!["call", "cluster_health", "{}"],
        vec!["call", "cluster_health", r#"{"cluster":"java"}"#],
    ] {
        let mut cmd = std::process::Command::new(bin());
        cmd.args(&args)
            .args(["--config", cfg, "--timeout-ms", "2000"]);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        assert_clean(
            &format!("{args:?} stdout"),
            &String::from_utf8_lossy(&out.stdout),
        );
        assert_clean(
            &format!("{args:?} stderr"),
            &String::from_utf8_lossy(&out.stderr),
        );
        if args[0] == "config" {
            assert!(
                String::from_utf8_lossy(&out.stdout).contains("********"),
                "config check masks"
            );
        }
    }

    // HTTP at trace level: a session, a tool call, a wrong token.
    let s = HttpProc::start(
        &["--config", cfg],
        &[env[0], env[1], env[2], ("KAFKA_MCP_TOKEN", HTTP_TOKEN)],
        &dir,
    );
    let mut c = common::McpHttp::connect(&s.addr, Some(HTTP_TOKEN));
    let r = c.request(
        "tools/call",
        json!({"name": "cluster_health", "arguments": {"cluster": "plain"}}),
    );
    assert_clean("HTTP tool result", &r.to_string());
    let r = common::http(
        &s.addr,
        "POST",
        "/mcp",
        &[("Authorization", "Bearer Pw-wrong-token")],
        "{}",
    );
    assert_eq!(r.status, 401);
    let http_log = s.stderr();
    assert!(
        http_log.contains("TRACE") || http_log.contains("DEBUG"),
        "trace logging on"
    );
    assert_clean("HTTP stderr", &http_log);
    drop(s);

    // Everything the stdio server logged, and the audit log.
    let stderr_path = m.stderr_path.clone();
    drop(m);
    let stderr = std::fs::read_to_string(&stderr_path).unwrap();
    assert!(
        stderr.lines().count() > 100,
        "trace logs were written ({} lines)",
        stderr.lines().count()
    );
    assert!(stderr.contains("SASL"), "librdkafka's SASL logs are there");
    assert_clean("stderr (trace + librdkafka debug)", &stderr);
    let audit_log = std::fs::read_to_string(&audit).unwrap();
    assert!(audit_log.lines().count() >= 2, "{audit_log}");
    assert_clean("audit log", &audit_log);
}
