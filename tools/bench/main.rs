//! Benchmarks of kafka-mcp on the local nisshi broker: cold start, and each heavy read tool next
//! to the raw admin round trips its answer needs, measured in the same run and interleaved.
//!
//! Run `tools/bench/run.sh` (starts the broker on 19600, builds release, runs this, stops the
//! broker), or by hand against a running broker:
//! `cargo run --release --example bench -- [--bootstrap 127.0.0.1:19600] [--iters 20]`
//! (`--cold-iters 20`, `--timeout-ms 30000`, `--bin target/release/kafka-mcp`,
//! `--only cold,health,groups,topics` to run some phases).
//!
//! Seeds what it needs, idempotently, in phases so a fresh broker holds exactly what each
//! benchmark names: 200 topics × 10 partitions (cluster_health); one 12-partition topic and 500
//! groups committed on it (consumer_groups list with_lag); a 100-partition topic and filler
//! topics up to 5,000 (topic_manage list/describe, then cluster_health again at that size).
//! Tools are timed over one long-lived stdio session (after one warm-up call), as an MCP client
//! sees them: request written → response line read. The raw side uses one warm admin client in
//! this process. Each iteration runs both, alternating which goes first. Prints markdown.
#![allow(clippy::print_stdout)]

mod mcp;
mod raw;
mod schema;
mod seed;

use std::collections::BTreeMap;
use std::future::Future;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use kafka_mcp::config::{Config, Settings};
use kafka_mcp::kafka::quorum::{self, QuorumSecurity};
use kafka_mcp::server::{AppState, KafkaMcp};
use serde_json::{json, Value};
use tokio::runtime::Runtime;

use mcp::Session;
use raw::{Raw, ResourceType};

/// Tool concurrency for ListConsumerGroupOffsets (`src/kafka/groups.rs` `CONCURRENCY`).
const TOOL_GROUP_CONCURRENCY: usize = 32;

struct Args {
    bootstrap: String,
    bin: PathBuf,
    iters: usize,
    cold_iters: usize,
    timeout: Duration,
    phases: Vec<String>,
}

/// The benchmark phases, in the order they run (each seeds what it needs).
const PHASES: [&str; 4] = ["cold", "health", "groups", "topics"];

fn args() -> Result<Args> {
    let exe = std::env::current_exe()?;
    // target/release/examples/bench → target/release/kafka-mcp
    let default_bin = exe
        .parent()
        .and_then(|d| d.parent())
        .map(|d| d.join("kafka-mcp"))
        .unwrap_or_default();
    let mut a = Args {
        bootstrap: "127.0.0.1:19600".into(),
        bin: default_bin,
        iters: 20,
        cold_iters: 20,
        timeout: Duration::from_secs(30),
        phases: PHASES.iter().map(|p| p.to_string()).collect(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().with_context(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--bootstrap" => a.bootstrap = value()?,
            "--bin" => a.bin = PathBuf::from(value()?),
            "--iters" => a.iters = value()?.parse()?,
            "--cold-iters" => a.cold_iters = value()?.parse()?,
            "--timeout-ms" => a.timeout = Duration::from_millis(value()?.parse()?),
            "--only" => {
                a.phases = value()?.split(',').map(|p| p.trim().to_string()).collect();
                if let Some(bad) = a.phases.iter().find(|p| !PHASES.contains(&p.as_str())) {
                    bail!("unknown phase {bad}: pick from {}", PHASES.join(","));
                }
            }
            other => bail!("unknown flag {other}; see the header of tools/bench/main.rs"),
        }
    }
    if a.iters < 10 || a.cold_iters < 10 {
        bail!("use at least 10 iterations (--iters, --cold-iters)");
    }
    if !a.bin.is_file() {
        bail!(
            "{} is not built: cargo build --release (or pass --bin)",
            a.bin.display()
        );
    }
    Ok(a)
}

// ---------------------------------------------------------------------------------------------
// Statistics
// ---------------------------------------------------------------------------------------------

fn sorted(v: &[Duration]) -> Vec<Duration> {
    let mut s = v.to_vec();
    s.sort_unstable();
    s
}

fn median(v: &[Duration]) -> Duration {
    let s = sorted(v);
    let n = s.len();
    if n % 2 == 1 {
        s[n / 2]
    } else {
        (s[n / 2 - 1] + s[n / 2]) / 2
    }
}

/// Nearest-rank 90th percentile.
fn p90(v: &[Duration]) -> Duration {
    let s = sorted(v);
    let rank = (s.len() * 9).div_ceil(10).max(1);
    s[rank - 1]
}

fn ms(d: Duration) -> String {
    let m = d.as_secs_f64() * 1000.0;
    if m < 10.0 {
        format!("{m:.2} ms")
    } else if m < 100.0 {
        format!("{m:.1} ms")
    } else {
        format!("{m:.0} ms")
    }
}

// ---------------------------------------------------------------------------------------------
// Measurements
// ---------------------------------------------------------------------------------------------

/// One tool-vs-raw comparison.
struct Comparison {
    name: String,
    cluster: String,
    tool: Vec<Duration>,
    raw: Vec<Duration>,
    /// Max tool/raw median ratio, and an absolute bound on the tool median.
    target: (Option<f64>, Option<Duration>),
    check: String,
}

impl Comparison {
    fn ratio(&self) -> f64 {
        median(&self.tool).as_secs_f64() / median(&self.raw).as_secs_f64()
    }

    fn verdict(&self) -> String {
        let (ratio, abs) = self.target;
        if ratio.is_none() && abs.is_none() {
            return "—".into();
        }
        let mut parts = Vec::new();
        let mut ok = true;
        if let Some(a) = abs {
            ok &= median(&self.tool) <= a;
            parts.push(format!("≤ {}", ms(a)));
        }
        if let Some(r) = ratio {
            ok &= self.ratio() <= r;
            parts.push(format!("≤ {r}×"));
        }
        format!(
            "{} {}",
            parts.join(", "),
            if ok { "**met**" } else { "**missed**" }
        )
    }
}

/// Times `iters` tool calls and `iters` raw answers, interleaved (which side goes first
/// alternates), after one warm-up of each. `check` describes the last answers of both sides.
fn compare<T, F, Fut>(
    rt: &Runtime,
    s: &mut Session,
    iters: usize,
    tool: &str,
    input: &Value,
    raw: F,
    check: impl Fn(&Value, &T) -> Result<String>,
) -> Result<(Vec<Duration>, Vec<Duration>, String)>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let time_raw = || -> Result<(Duration, T)> {
        let t0 = Instant::now();
        let v = rt.block_on(raw())?;
        Ok((t0.elapsed(), v))
    };
    let (_, mut last_tool) = s.call(tool, input)?;
    let (_, mut last_raw) = time_raw()?;
    let (mut tools, mut raws) = (Vec::new(), Vec::new());
    for i in 0..iters {
        let mut tool_once = |s: &mut Session| -> Result<()> {
            let (d, v) = s.call(tool, input)?;
            tools.push(d);
            last_tool = v;
            Ok(())
        };
        if i % 2 == 0 {
            tool_once(s)?;
            let (d, v) = time_raw()?;
            raws.push(d);
            last_raw = v;
        } else {
            let (d, v) = time_raw()?;
            raws.push(d);
            last_raw = v;
            tool_once(s)?;
        }
    }
    let c = check(&last_tool, &last_raw)?;
    Ok((tools, raws, c))
}

/// Times `iters` runs each of two raw operations, interleaved as in `compare`, after one
/// warm-up of each (diagnostics: two ways of making the same calls).
fn time_pair<A, B, FA, FB, FutA, FutB>(
    rt: &Runtime,
    iters: usize,
    fa: FA,
    fb: FB,
) -> Result<(Vec<Duration>, Vec<Duration>)>
where
    FA: Fn() -> FutA,
    FB: Fn() -> FutB,
    FutA: Future<Output = Result<A>>,
    FutB: Future<Output = Result<B>>,
{
    rt.block_on(fa())?;
    rt.block_on(fb())?;
    let (mut va, mut vb) = (Vec::new(), Vec::new());
    for i in 0..iters {
        for first in [i % 2 == 0, i % 2 == 1] {
            let t0 = Instant::now();
            if first {
                rt.block_on(fa())?;
                va.push(t0.elapsed());
            } else {
                rt.block_on(fb())?;
                vb.push(t0.elapsed());
            }
        }
    }
    Ok((va, vb))
}

/// Times `iters` runs of one raw operation (diagnostics), after one warm-up.
fn time_only<T, F, Fut>(rt: &Runtime, iters: usize, f: F) -> Result<Vec<Duration>>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    rt.block_on(f())?;
    (0..iters)
        .map(|_| {
            let t0 = Instant::now();
            rt.block_on(f())?;
            Ok(t0.elapsed())
        })
        .collect()
}

fn cluster_facts(rt: &Runtime, raw: &Raw) -> Result<String> {
    let m = rt.block_on(raw.metadata(None))?;
    let groups = rt.block_on(raw.list_groups())?.len();
    Ok(format!(
        "{} topics, {} partitions, {} groups",
        m.topics.len(),
        m.partitions(),
        groups
    ))
}

fn u(v: &Value, path: &[&str]) -> u64 {
    let mut cur = v;
    for p in path {
        cur = &cur[*p];
    }
    cur.as_u64().unwrap_or(0)
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// The server's state for `bootstrap`, configured as the bench's stdio session configures it.
fn app_state(bootstrap: &str) -> Result<std::sync::Arc<AppState>> {
    let env: BTreeMap<String, String> =
        [("KAFKA_BOOTSTRAP_SERVERS".to_string(), bootstrap.to_string())].into();
    AppState::new(Config::load(&Settings::default(), &env)?)
}

/// `KafkaMcp::new` in this process: the tool router with its schemas, built at every start.
fn router_build(bootstrap: &str, iters: usize) -> Result<(Duration, Vec<Duration>)> {
    let state = app_state(bootstrap)?;
    let once = || {
        let t0 = Instant::now();
        let k = KafkaMcp::new(state.clone());
        let d = t0.elapsed();
        drop(k);
        d
    };
    let first = once();
    Ok((first, (0..iters).map(|_| once()).collect()))
}

/// The raw `cluster_health` calls warm (the baseline) and with DescribeCluster alongside
/// Metadata (the tool's first call and its once-a-minute refresh), interleaved: two diagnostics.
fn health_variants(
    rt: &Runtime,
    raw: &Raw,
    bootstrap: &[String],
    iters: usize,
    facts: &str,
) -> Result<Vec<(String, String, Vec<Duration>)>> {
    let (warm, refresh) = time_pair(
        rt,
        iters,
        || raw.health(bootstrap),
        || raw.health_with_describe_cluster(bootstrap),
    )?;
    Ok(vec![
        (
            facts.to_string(),
            "raw cluster_health calls, warm (as the baseline above)".into(),
            warm,
        ),
        (
            facts.to_string(),
            "raw cluster_health calls with DescribeCluster alongside Metadata, as the tool's first call and its once-a-minute refresh (interleaved with the line above)".into(),
            refresh,
        ),
    ])
}

/// `cluster_health` without MCP, in this process: the shell's calls and conversions
/// (`cluster_snapshot`, warm), then the pure evaluation and answer shaping of that snapshot.
fn in_process_health(
    rt: &Runtime,
    raw: &Raw,
    bootstrap: &str,
    iters: usize,
) -> Result<(Vec<Duration>, Vec<Duration>, Vec<Duration>)> {
    let state = app_state(bootstrap)?;
    let cluster = state.kafka.cluster(None)?;
    let list = vec![bootstrap.to_string()];
    let (raw_t, shell) = time_pair(
        rt,
        iters,
        || raw.health(&list),
        || async {
            Ok(kafka_mcp::kafka::admin::cluster_snapshot(
                &cluster,
                kafka_mcp::kafka::admin::all_topics(),
            )
            .await?)
        },
    )?;
    let (snap, notes) = rt.block_on(kafka_mcp::kafka::admin::cluster_snapshot(
        &cluster,
        kafka_mcp::kafka::admin::all_topics(),
    ))?;
    let settings = kafka_mcp::analysis::health::HealthSettings::default();
    let pure = (0..=iters)
        .map(|_| {
            let t0 = Instant::now();
            let out = kafka_mcp::mcp_tools::cluster_health::evaluate(
                "default",
                &snap,
                notes.clone(),
                &settings,
                &[],
                kafka_mcp::mcp_tools::cluster_health::Detail::Summary,
            );
            let result = kafka_mcp::output::Answer {
                value: out,
                max_bytes: state.config.max_output_bytes,
            }
            .into_result();
            std::hint::black_box(result);
            t0.elapsed()
        })
        .skip(1)
        .collect();
    Ok((raw_t, shell, pure))
}

fn run() -> Result<()> {
    let a = args()?;
    let load_before = loadavg();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let raw = Raw::new(&a.bootstrap, a.timeout)?;
    rt.block_on(raw.metadata(None)).with_context(|| {
        format!(
            "no broker answers at {}: tools/broker.sh start 19600",
            a.bootstrap
        )
    })?;
    let timeout_ms = a.timeout.as_millis().to_string();
    let env = [
        ("KAFKA_BOOTSTRAP_SERVERS", a.bootstrap.as_str()),
        ("KAFKA_MCP_TIMEOUT_MS", timeout_ms.as_str()),
    ];
    let n = a.iters;
    let bootstrap = vec![a.bootstrap.clone()];
    let mut rows: Vec<Comparison> = Vec::new();
    // (cluster at the time, what, samples)
    let mut diag: Vec<(String, String, Vec<Duration>)> = Vec::new();

    let on = |phase: &str| a.phases.iter().any(|p| p == phase);
    let mut cold: Vec<Duration> = Vec::new();
    let mut size = 0;
    // 1. Cold start.
    if on("cold") {
        eprintln!("bench: cold start × {} (+1 warm-up)", a.cold_iters);
        mcp::cold_start(&a.bin, &env)?;
        cold = (0..a.cold_iters)
            .map(|_| mcp::cold_start(&a.bin, &env))
            .collect::<Result<_>>()?;
        size = std::fs::metadata(&a.bin)?.len();
        let floor = |program: &std::path::Path, args: &[&str]| -> Result<Vec<Duration>> {
            mcp::spawn_exit(program, args)?;
            (0..a.cold_iters)
                .map(|_| mcp::spawn_exit(program, args))
                .collect()
        };
        diag.push((
            "—".into(),
            "spawn and reap `true` (process start floor)".into(),
            floor("true".as_ref(), &[])?,
        ));
        diag.push((
            "—".into(),
            "spawn and reap `kafka-mcp --version` (binary load, runtime, clap; no router, no stdio)".into(),
            floor(&a.bin, &["--version"])?,
        ));
        let (first, rest) = router_build(&a.bootstrap, a.cold_iters)?;
        diag.push((
            "—".into(),
            "`KafkaMcp::new` in-process, first call (what each start pays)".into(),
            vec![first],
        ));
        diag.push((
            "—".into(),
            "`KafkaMcp::new` in-process, later calls".into(),
            rest,
        ));
    }

    let mut s = Session::start(&a.bin, &env)?;

    // 2. cluster_health on 200 × 10.
    let health_check = |v: &Value, parts: &usize| -> Result<String> {
        let tool_parts = u(v, &["counts", "partitions"]);
        if tool_parts as usize != *parts {
            bail!("cluster_health counted {tool_parts} partitions, Metadata has {parts}");
        }
        Ok(format!(
            "status {}, {} partitions both sides",
            v["status"], tool_parts
        ))
    };
    if on("health") {
        eprintln!(
            "bench: seeding {} topics × {} partitions",
            seed::HEALTH_TOPICS,
            seed::HEALTH_PARTITIONS
        );
        rt.block_on(seed::health(&raw))?;
        let facts = cluster_facts(&rt, &raw)?;
        eprintln!("bench: cluster_health × {n} ({facts})");
        let (tool, rawt, check) = compare(
            &rt,
            &mut s,
            n,
            "cluster_health",
            &json!({}),
            || raw.health(&bootstrap),
            health_check,
        )?;
        rows.push(Comparison {
            name: "`cluster_health` (Metadata ∥ DescribeQuorum → DescribeConfigs of min.insync.replicas, 200 topics + 1 broker; DescribeCluster's facts cached)".into(),
            cluster: facts.clone(),
            tool,
            raw: rawt,
            target: (Some(1.2), None),
            check,
        });
        eprintln!("bench: diagnostics at {facts}");
        let pings: Vec<Duration> = (0..=n).map(|_| s.ping()).collect::<Result<_>>()?;
        diag.push((
            facts.clone(),
            "stdio `ping` round trip (transport floor of a tool call)".into(),
            pings[1..].to_vec(),
        ));
        diag.extend(health_variants(&rt, &raw, &bootstrap, n, &facts)?);
        let (raw_t, shell, pure) = in_process_health(&rt, &raw, &a.bootstrap, n)?;
        diag.push((
            facts.clone(),
            "raw cluster_health calls, warm (interleaved with the next line)".into(),
            raw_t,
        ));
        diag.push((
            facts.clone(),
            "kafka-mcp's shell in this process, no MCP: `kafka::admin::cluster_snapshot`, warm"
                .into(),
            shell,
        ));
        diag.push((
            facts.clone(),
            "kafka-mcp's pure part: health rules + answer shaping (structuredContent and text)"
                .into(),
            pure,
        ));
        diag.push((
            facts.clone(),
            "Metadata, all topics".into(),
            time_only(&rt, n, || raw.metadata(None))?,
        ));
        diag.push((
            facts.clone(),
            "DescribeCluster".into(),
            time_only(&rt, n, || raw.describe_cluster())?,
        ));
        let m = rt.block_on(raw.metadata(None))?;
        let mut resources: Vec<(ResourceType, String)> = m
            .topics
            .keys()
            .map(|t| (ResourceType::Topic, t.clone()))
            .collect();
        resources.push((
            ResourceType::Broker,
            m.brokers.first().copied().unwrap_or(0).to_string(),
        ));
        diag.push((
            facts.clone(),
            format!("DescribeConfigs, {} resources", resources.len()),
            time_only(&rt, n, || raw.describe_configs(resources.clone(), &[]))?,
        ));
        let security = QuorumSecurity::plaintext();
        diag.push((
            facts.clone(),
            "DescribeQuorum (new connection each call; the stand-in answers unsupported)".into(),
            time_only(&rt, n, || async {
                Ok::<_, anyhow::Error>(
                    quorum::describe_quorum(&bootstrap, &security, a.timeout).await,
                )
            })?,
        ));
    }

    // 4. consumer_groups list with_lag on 500 groups × 12 partitions.
    if on("groups") {
        eprintln!(
            "bench: seeding {} groups on {} ({} partitions)",
            seed::GROUPS,
            seed::GROUP_TOPIC,
            seed::GROUP_PARTITIONS
        );
        rt.block_on(seed::groups(&raw, &a.bootstrap))?;
        let facts = cluster_facts(&rt, &raw)?;
        eprintln!("bench: consumer_groups list with_lag × {n} ({facts})");
        let groups_check = |v: &Value, r: &(usize, usize, i64)| -> Result<String> {
            let total = u(v, &["page", "total"]);
            if total as usize != r.0 {
                bail!("consumer_groups listed {total} groups, raw {}", r.0);
            }
            if let Some(bad) = v["groups"]
                .as_array()
                .and_then(|g| g.iter().find(|g| g.get("error").is_some()))
            {
                bail!("a group row has an error: {bad}");
            }
            Ok(format!(
                "{total} groups, worst lag {} (raw: {} partitions, total lag {})",
                v["groups"][0]["total_lag"], r.1, r.2
            ))
        };
        let input = json!({"action": "list", "with_lag": true});
        let (tool, rawt, check) = compare(
            &rt,
            &mut s,
            n,
            "consumer_groups",
            &input,
            || raw.groups_with_lag(TOOL_GROUP_CONCURRENCY),
            groups_check,
        )?;
        rows.push(Comparison {
        name: format!(
            "`consumer_groups list with_lag` (ListConsumerGroups → 500 × ListConsumerGroupOffsets, {TOOL_GROUP_CONCURRENCY} in flight, ∥ Metadata; then ListOffsets earliest ∥ latest)"
        ),
        cluster: facts.clone(),
        tool,
        raw: rawt,
        target: (Some(1.2), Some(Duration::from_millis(500))),
        check,
    });
        eprintln!("bench: diagnostics at {facts}");
        let (c32, c500) = time_pair(
            &rt,
            n,
            || raw.groups_with_lag(TOOL_GROUP_CONCURRENCY),
            || raw.groups_with_lag(seed::GROUPS),
        )?;
        diag.push((facts.clone(), format!("raw consumer_groups calls, {TOOL_GROUP_CONCURRENCY} ListConsumerGroupOffsets in flight"), c32));
        diag.push((
            facts.clone(),
            "raw consumer_groups calls, all 500 in flight (interleaved with the line above)".into(),
            c500,
        ));
        diag.push((
            facts.clone(),
            "ListConsumerGroups".into(),
            time_only(&rt, n, || raw.list_groups())?,
        ));
        diag.push((
            facts.clone(),
            "one ListConsumerGroupOffsets (12 partitions)".into(),
            time_only(&rt, n, || raw.committed(seed::group(0)))?,
        ));
    }

    // 3. topic_manage list on 5,000 topics, describe of a 100-partition topic.
    if on("topics") {
        eprintln!(
            "bench: seeding {} and topics up to {}",
            seed::DESCRIBE_TOPIC,
            seed::LIST_TOPICS
        );
        rt.block_on(seed::topics(&raw, &a.bootstrap))?;
        let facts = cluster_facts(&rt, &raw)?;
        eprintln!("bench: topic_manage list/describe × {n} ({facts})");
        let list_check = |v: &Value, topics: &usize| -> Result<String> {
            let total = u(v, &["page", "total"]);
            Ok(format!(
                "tool: {total} non-internal topics (page of {}); Metadata: {topics} topics",
                u(v, &["page", "returned"])
            ))
        };
        let (tool, rawt, check) = compare(
            &rt,
            &mut s,
            n,
            "topic_manage",
            &json!({"action": "list"}),
            || raw.list(),
            list_check,
        )?;
        rows.push(Comparison {
            name: "`topic_manage list` (Metadata)".into(),
            cluster: facts.clone(),
            tool,
            raw: rawt,
            target: (None, None),
            check,
        });
        let describe_check = |v: &Value, msgs: &i64| -> Result<String> {
            let d = &v["described"][0];
            if d["messages"] != json!(msgs.to_string()) {
                bail!(
                    "describe says {} messages, raw ListOffsets {msgs}",
                    d["messages"]
                );
            }
            Ok(format!(
                "{} partitions, {} messages both sides",
                d["partition_count"], msgs
            ))
        };
        let input = json!({"action": "describe", "topic": seed::DESCRIBE_TOPIC, "limit": 100});
        let (tool, rawt, check) = compare(
            &rt,
            &mut s,
            n,
            "topic_manage",
            &input,
            || raw.describe(seed::DESCRIBE_TOPIC, false),
            describe_check,
        )?;
        rows.push(Comparison {
        name: "`topic_manage describe` 100 partitions (Metadata of the topic → ListOffsets earliest ∥ latest ∥ DescribeConfigs ∥ DescribeTopics)"
            .into(),
        cluster: facts.clone(),
        tool,
        raw: rawt,
        target: (None, None),
        check,
    });
        let (tool, rawt, check) = compare(
            &rt,
            &mut s,
            n,
            "cluster_health",
            &json!({}),
            || raw.health(&bootstrap),
            health_check,
        )?;
        rows.push(Comparison {
            name: "`cluster_health` at 5,000 topics (same calls, DescribeConfigs of every topic)"
                .into(),
            cluster: facts.clone(),
            tool,
            raw: rawt,
            target: (None, None),
            check,
        });
        eprintln!("bench: diagnostics at {facts}");
        let (one, all) = time_pair(
            &rt,
            n,
            || raw.describe(seed::DESCRIBE_TOPIC, false),
            || raw.describe(seed::DESCRIBE_TOPIC, true),
        )?;
        diag.push((
            facts.clone(),
            "raw describe calls, Metadata of the one topic (as the baseline above)".into(),
            one,
        ));
        diag.push((
            facts.clone(),
            "raw describe calls, Metadata of ALL topics as the tool asks it (interleaved with the line above)".into(),
            all,
        ));
        diag.extend(health_variants(&rt, &raw, &bootstrap, n, &facts)?);
        diag.push((
            facts.clone(),
            "Metadata, all topics".into(),
            time_only(&rt, n, || raw.metadata(None))?,
        ));
        diag.push((
            facts.clone(),
            "Metadata, one topic".into(),
            time_only(&rt, n, || raw.metadata(Some(seed::DESCRIBE_TOPIC)))?,
        ));
        diag.push((
            facts.clone(),
            "DescribeCluster".into(),
            time_only(&rt, n, || raw.describe_cluster())?,
        ));
    }
    drop(s);
    let load_after = loadavg();

    // Report.
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    println!("## kafka-mcp benchmarks\n");
    println!(
        "Machine: {cores} cores, CPU `{cpu}`, load average {load_before} before / {load_after} after; broker at {} ({}, loopback). Iterations: {n} per side (cold start: {}).\n",
        a.bootstrap,
        std::env::var("KAFKA_MCP_BENCH_BROKER")
            .unwrap_or_else(|_| "nisshi, in-memory".to_string()),
        a.cold_iters
    );
    if !cold.is_empty() {
        println!("### Cold start (spawn → `initialize` response over stdio)\n");
        println!("| binary | size | median | p90 | min | max | target |");
        println!("|---|---|---|---|---|---|---|");
        let cold_ok = median(&cold) <= Duration::from_millis(10);
        println!(
            "| `{}` | {:.1} MiB | {} | {} | {} | {} | ≤ 10 ms median **{}** |\n",
            a.bin.display(),
            size as f64 / (1024.0 * 1024.0),
            ms(median(&cold)),
            ms(p90(&cold)),
            ms(sorted(&cold)[0]),
            ms(sorted(&cold)[cold.len() - 1]),
            if cold_ok { "met" } else { "missed" }
        );
    }
    println!(
        "### Tools (warm stdio session) vs the raw admin round trips, same run, interleaved\n"
    );
    println!("| benchmark | cluster | tool median | tool p90 | raw median | raw p90 | ratio (medians) | target |");
    println!("|---|---|---|---|---|---|---|---|");
    for r in &rows {
        println!(
            "| {} | {} | {} | {} | {} | {} | {:.2}× | {} |",
            r.name,
            r.cluster,
            ms(median(&r.tool)),
            ms(p90(&r.tool)),
            ms(median(&r.raw)),
            ms(p90(&r.raw)),
            r.ratio(),
            r.verdict()
        );
    }
    println!("\nChecks (last answers of each side):\n");
    for r in &rows {
        println!(
            "- {}: {}",
            r.name.split(" (").next().unwrap_or(&r.name),
            r.check
        );
    }
    println!("\n### Diagnostics (each after one warm-up; {n} samples unless one)\n");
    println!("| cluster | what | median | p90 |");
    println!("|---|---|---|---|");
    for (stage, name, v) in &diag {
        println!("| {stage} | {name} | {} | {} |", ms(median(v)), ms(p90(v)));
    }
    Ok(())
}

fn main() -> ExitCode {
    // `bench schema`: the schema checker's figures, no broker needed.
    if std::env::args().nth(1).as_deref() == Some("schema") {
        print!("{}", schema::report());
        return ExitCode::SUCCESS;
    }
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench: {e:#}");
            ExitCode::FAILURE
        }
    }
}
