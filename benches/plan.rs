//! `opctl plan` against a real cluster (the integration tests' `TestCluster`: etcd,
//! kube-apiserver, kube-controller-manager and kube-scheduler of Kubernetes 1.37.2 with the kubelet
//! stand-in, on loopback), compared in the same run with
//! `kubectl diff --server-side --field-manager=opctl -f <the same rendered objects>` (the
//! objects from `opctl render`; opctl's field manager so that both make the same dry-run apply).
//!
//! Scenarios, each with one warm-up run per tool and then `OPCTL_BENCH_RUNS` (default 15, at
//! least 10) interleaved runs; every figure is the wall time of the whole process:
//! - **steady**: the devnet example was applied once (`opctl apply --yes --no-wait`, with the
//!   Secrets it names) and the controllers finished rolling it out, so both tools compare against
//!   settled live objects (opctl's plan is checked to be empty: `--exit-code` 0);
//! - **empty**: a namespace that exists and holds nothing, so every object is a create.
//! - **20 chains**: 20 copies of the devnet example (own name and namespace each) in one
//!   `opctl plan` invocation, empty and steady; kubectl diffs the 20 renders in one file
//!   (`OPCTL_BENCH_KUBECTL20_RUNS`, default 3, because it is slow).
//!
//! The apiserver's own `apiserver_request_total` counters (`/metrics`), read before and after one
//! run of each tool, give the number of HTTP requests each tool makes, by verb.
//!
//! Run: `scripts/bench-plan` (builds the release binary, then `cargo bench --bench plan`).
//! Env: `OPCTL_BENCH_OPCTL` (default `target/release/opctl`), `OPCTL_BENCH_KUBECTL`
//! (default: the kubectl of the harness's own release, built by `scripts/provision`), `OPCTL_BENCH_RUNS`, `OPCTL_BENCH_KUBECTL20_RUNS`;
//! `OPCTL_BENCH_COMPARE=<another opctl binary>` times a second build next to the first (rows
//! marked `[OPCTL_BENCH_COMPARE build]`), e.g. before/after a fix; `OPCTL_BENCH_HOLD=1` keeps the
//! cluster up at the end for profiling by hand.
//!
//! Not a test: `cargo test`/`cargo nextest` run or list this binary without `--bench`; it then
//! does nothing.

#[path = "../tests/it/support/mod.rs"]
mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, ListParams};
use support::cluster::TestCluster;

const TARGET_RATIO: f64 = 1.0 / 3.0;
const BEACON_URL: &str = "https://beacon.bench.example.org/v1";
const CHAINS: usize = 20;
const COMPARE_LABEL: &str = "opctl plan [OPCTL_BENCH_COMPARE build]";

/// A command to time: program + args, and the exit codes that count as success.
struct Tool {
    label: String,
    program: PathBuf,
    args: Vec<String>,
    ok_codes: &'static [i32],
}

impl Tool {
    fn command(&self) -> Command {
        let mut c = Command::new(&self.program);
        c.args(&self.args)
            .env("L1_BEACON_URL", BEACON_URL)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null());
        c
    }

    /// One timed run; panics (with the output) on an unexpected exit code.
    fn run(&self) -> (Duration, Output) {
        let start = Instant::now();
        let out = self
            .command()
            .output()
            .unwrap_or_else(|e| panic!("run {}: {e}", self.program.display()));
        let took = start.elapsed();
        let code = out.status.code().unwrap_or(-1);
        if !self.ok_codes.contains(&code) {
            panic!(
                "{} exited {code} (expected one of {:?})\n--- stdout ---\n{}\n--- stderr ---\n{}",
                self.label,
                self.ok_codes,
                tail(&out.stdout),
                tail(&out.stderr)
            );
        }
        (took, out)
    }
}

fn tail(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}

#[derive(Clone, Default)]
struct Stats {
    samples: Vec<Duration>,
    /// CPU time of the tool's process (and its children, e.g. kubectl's `diff`), summed.
    client_cpu: Duration,
    /// CPU time of kube-apiserver and etcd while the tool ran, summed.
    server_cpu: Duration,
}

impl Stats {
    fn sorted(&self) -> Vec<Duration> {
        let mut s = self.samples.clone();
        s.sort();
        s
    }
    fn median(&self) -> Duration {
        let s = self.sorted();
        let n = s.len();
        if n % 2 == 1 {
            s[n / 2]
        } else {
            (s[n / 2 - 1] + s[n / 2]) / 2
        }
    }
    fn min(&self) -> Duration {
        self.sorted()[0]
    }
    fn max(&self) -> Duration {
        *self.sorted().last().expect("at least one sample")
    }
    fn client_cpu_per_run(&self) -> Duration {
        self.client_cpu / self.samples.len().max(1) as u32
    }
    fn server_cpu_per_run(&self) -> Duration {
        self.server_cpu / self.samples.len().max(1) as u32
    }
}

/// Clock ticks per second of `/proc/*/stat` times (USER_HZ, 100 on Linux).
const USER_HZ: u64 = 100;

/// `/proc/<pid>/stat` fields after the command name, 0 = field 3 (state).
fn proc_stat_fields(pid: &str) -> Vec<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let rest = text.rsplit_once(") ").map_or("", |(_, r)| r);
    rest.split_whitespace()
        .map(|f| f.parse().unwrap_or(0))
        .collect()
}

fn ticks(t: u64) -> Duration {
    Duration::from_millis(t * 1000 / USER_HZ)
}

/// CPU (user + system) of the waited-for children of this process (cutime + cstime).
fn children_cpu() -> Duration {
    let f = proc_stat_fields("self");
    ticks(f.get(13).copied().unwrap_or(0) + f.get(14).copied().unwrap_or(0))
}

/// CPU (user + system) of the given processes (utime + stime).
fn processes_cpu(pids: &[u32]) -> Duration {
    pids.iter()
        .map(|p| {
            let f = proc_stat_fields(&p.to_string());
            ticks(f.get(11).copied().unwrap_or(0) + f.get(12).copied().unwrap_or(0))
        })
        .sum()
}

fn ms(d: Duration) -> String {
    format!("{:.0}", d.as_secs_f64() * 1000.0)
}

/// One warm-up per tool, then `runs` rounds; the order of the tools rotates every round so that
/// none always runs right after another.
/// `server` are the pids of kube-apiserver and etcd, whose CPU is charged to the tool that ran.
fn measure(tools: &[&Tool], runs: usize, server: &[u32]) -> Vec<Stats> {
    for t in tools {
        t.run();
    }
    let mut stats: Vec<Stats> = tools.iter().map(|_| Stats::default()).collect();
    for round in 0..runs {
        for k in 0..tools.len() {
            let i = (round + k) % tools.len();
            let (client, srv) = (children_cpu(), processes_cpu(server));
            stats[i].samples.push(tools[i].run().0);
            stats[i].client_cpu += children_cpu().saturating_sub(client);
            stats[i].server_cpu += processes_cpu(server).saturating_sub(srv);
        }
    }
    stats
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// `apiserver_request_total` by label set, from the apiserver's `/metrics`.
async fn request_counters(cluster: &TestCluster) -> BTreeMap<String, f64> {
    let client = cluster.admin_client().await;
    let request = http::Request::get("/metrics")
        .body(Vec::new())
        .expect("a static request is valid");
    let text = client
        .request_text(request)
        .await
        .unwrap_or_else(|e| panic!("read /metrics: {e}"));
    text.lines()
        .filter(|l| l.starts_with("apiserver_request_total{"))
        .filter_map(|l| {
            let (labels, value) = l.rsplit_once(' ')?;
            Some((labels.to_string(), value.parse().ok()?))
        })
        .collect()
}

fn label<'a>(labels: &'a str, name: &str) -> &'a str {
    let key = format!("{name}=\"");
    labels
        .find(&key)
        .map(|i| {
            let rest = &labels[i + key.len()..];
            &rest[..rest.find('"').unwrap_or(rest.len())]
        })
        .unwrap_or("")
}

/// Requests by kind ("GET", "PATCH dry-run", "GET (non-resource: discovery, openapi)", ...).
type Counts = BTreeMap<String, i64>;

fn classify(before: &BTreeMap<String, f64>, after: &BTreeMap<String, f64>) -> Counts {
    let mut counts = Counts::new();
    for (labels, value) in after {
        let delta = (value - before.get(labels).copied().unwrap_or(0.0)).round() as i64;
        if delta == 0 {
            continue;
        }
        let verb = label(labels, "verb");
        let resource = label(labels, "resource");
        let key = if resource.is_empty() {
            format!("{verb} non-resource (discovery, openapi)")
        } else if label(labels, "dry_run").is_empty() {
            verb.to_string()
        } else {
            format!("{verb} dry-run")
        };
        *counts.entry(key).or_default() += delta;
    }
    counts
}

fn subtract(a: &Counts, b: &Counts) -> Counts {
    let mut out = a.clone();
    for (k, v) in b {
        *out.entry(k.clone()).or_default() -= v;
    }
    out.retain(|_, v| *v != 0);
    out
}

fn total(c: &Counts) -> i64 {
    c.values().sum()
}

/// Requests one run of `tool` makes, as the apiserver counted them: the delta of its counters
/// around the run minus the delta around nothing (the `/metrics` read itself, background work).
/// Three tries, the smallest total wins (the apiserver's own background requests only add).
async fn count_requests(cluster: &TestCluster, tool: &Tool) -> Counts {
    let mut idle: Option<Counts> = None;
    for _ in 0..3 {
        let a = request_counters(cluster).await;
        let b = request_counters(cluster).await;
        let c = classify(&a, &b);
        if idle.as_ref().is_none_or(|i| total(&c) < total(i)) {
            idle = Some(c);
        }
    }
    let idle = idle.expect("three tries");
    let mut best: Option<Counts> = None;
    for _ in 0..3 {
        let a = request_counters(cluster).await;
        tool.run();
        let b = request_counters(cluster).await;
        let c = subtract(&classify(&a, &b), &idle);
        if best.as_ref().is_none_or(|x| total(&c) < total(x)) {
            best = Some(c);
        }
    }
    best.expect("three tries")
}

fn format_counts(c: &Counts) -> String {
    let parts: Vec<String> = c.iter().map(|(k, v)| format!("{v} {k}")).collect();
    format!("{} = {}", total(c), parts.join(", "))
}

/// kubectl's own account (`-v=6` logs one line per HTTP request, and client-side throttling).
fn kubectl_log_requests(tool: &Tool) -> (usize, usize) {
    let mut args = tool.args.clone();
    args.push("-v=6".into());
    let verbose = Tool {
        label: format!("{} -v=6", tool.label),
        program: tool.program.clone(),
        args,
        ok_codes: tool.ok_codes,
    };
    let (_, out) = verbose.run();
    let log = String::from_utf8_lossy(&out.stderr);
    let requests = log
        .lines()
        .filter(|l| l.contains("\"Response\"") || l.contains(" milliseconds"))
        .count();
    let throttled = log
        .lines()
        .filter(|l| l.contains("client-side throttling"))
        .count();
    (requests, throttled)
}

/// The devnet example under `dir`, renamed and moved to `namespace`; returns the chain file.
fn write_chain(dir: &Path, file: &str, name: &str, namespace: &str) -> PathBuf {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let devnet = dir.join("devnet");
    if !devnet.is_dir() {
        std::fs::create_dir_all(&devnet).expect("mkdir devnet");
        for f in ["rollup.json", "genesis.json"] {
            std::fs::copy(examples.join("devnet").join(f), devnet.join(f)).expect("copy");
        }
    }
    let text = std::fs::read_to_string(examples.join("devnet.toml")).expect("read devnet.toml");
    assert!(text.contains("name = \"devnet\"") && text.contains("namespace = \"op-devnet\""));
    let text = text
        .replacen("name = \"devnet\"", &format!("name = \"{name}\""), 1)
        .replacen(
            "namespace = \"op-devnet\"",
            &format!("namespace = \"{namespace}\""),
            1,
        );
    let path = dir.join(file);
    std::fs::write(&path, text).expect("write chain file");
    path
}

/// The Secrets the devnet example names (random values; nothing runs in the pods), so its pods
/// start and the steady state is a settled one.
async fn provide_secrets(cluster: &TestCluster, ns: &str) {
    let hex = || {
        format!(
            "{:032x}{:032x}",
            rand::random::<u128>(),
            rand::random::<u128>()
        )
    };
    for (name, keys) in [
        ("l1-endpoints", vec!["rpc"]),
        (
            "devnet-keys",
            vec!["sequencer", "batcher", "proposer", "challenger"],
        ),
    ] {
        let values: Vec<String> = keys.iter().map(|_| hex()).collect();
        let data: Vec<(&str, &str)> = keys
            .iter()
            .copied()
            .zip(values.iter().map(String::as_str))
            .collect();
        cluster.create_secret(ns, name, &data).await;
    }
}

/// Polls until every StatefulSet and Deployment in `ns` has finished rolling out (the
/// controllers' own status), so no rollout is in flight while the steady state is measured.
async fn wait_rolled_out(cluster: &TestCluster, ns: &str) {
    let client = cluster.admin_client().await;
    let sets = Api::<StatefulSet>::namespaced(client.clone(), ns);
    let deps = Api::<Deployment>::namespaced(client, ns);
    let done = support::poll(|| async {
        let sets_done = sets
            .list(&ListParams::default())
            .await
            .ok()?
            .items
            .iter()
            .all(|s| {
                s.status.as_ref().is_some_and(|st| {
                    st.observed_generation == s.metadata.generation
                        && st.ready_replicas == s.spec.as_ref().and_then(|sp| sp.replicas)
                        && st.current_revision == st.update_revision
                })
            });
        let deps_done = deps
            .list(&ListParams::default())
            .await
            .ok()?
            .items
            .iter()
            .all(|d| {
                d.status.as_ref().is_some_and(|st| {
                    st.observed_generation == d.metadata.generation
                        && st.available_replicas == d.spec.as_ref().and_then(|sp| sp.replicas)
                })
            });
        (sets_done && deps_done).then_some(())
    })
    .await;
    assert!(done.is_some(), "the rollouts in {ns} never finished");
}

/// The sequencer's peer ID from the p2p Secret apply generated, so the offline render matches
/// what `opctl plan` renders against the cluster (replicas' `--p2p.static`).
async fn sequencer_peer_id(cluster: &TestCluster, ns: &str, chain: &str) -> Option<String> {
    let secrets = Api::<Secret>::namespaced(cluster.admin_client().await, ns);
    let secret = secrets
        .get_opt(&format!("{chain}-sequencer-p2p"))
        .await
        .expect("read the p2p Secret")?;
    let raw = secret.data?.get("p2p-key")?.0.clone();
    let key = String::from_utf8(raw).ok()?;
    opctl::render::identity::peer_id_from_private_key_hex(&key).ok()
}

/// `opctl render` of each chain, concatenated into one YAML file for kubectl.
fn render_to(opctl: &Path, chains: &[(PathBuf, Option<String>)], out: &Path) {
    let mut all = Vec::new();
    for (chain, peer) in chains {
        let mut c = Command::new(opctl);
        c.arg("render").arg(chain).env("L1_BEACON_URL", BEACON_URL);
        if let Some(p) = peer {
            c.args(["--sequencer-peer-id", p]);
        }
        let o = c.output().expect("run opctl render");
        assert!(
            o.status.success(),
            "opctl render {} failed: {}",
            chain.display(),
            tail(&o.stderr)
        );
        all.extend_from_slice(&o.stdout);
        all.push(b'\n');
    }
    std::fs::write(out, all).expect("write the rendered objects");
}

fn count_objects(path: &Path) -> usize {
    std::fs::read_to_string(path)
        .expect("read rendered objects")
        .lines()
        .filter(|l| l.starts_with("kind: "))
        .count()
}

struct Bench {
    opctl: PathBuf,
    /// `OPCTL_BENCH_COMPARE`: a second opctl build timed next to the first (e.g. a fix).
    compare: Option<PathBuf>,
    kubectl: PathBuf,
    kubeconfig: PathBuf,
    cache: PathBuf,
}

impl Bench {
    fn opctl(&self, label: &str, args: &[&str], chains: &[PathBuf], ok: &'static [i32]) -> Tool {
        let mut a: Vec<String> = vec!["--kubeconfig".into(), self.kubeconfig.display().to_string()];
        a.extend(args.iter().map(|s| s.to_string()));
        a.extend(chains.iter().map(|c| c.display().to_string()));
        Tool {
            label: label.into(),
            program: self.opctl.clone(),
            args: a,
            ok_codes: ok,
        }
    }

    /// The same command with the `OPCTL_BENCH_COMPARE` build, if one was given.
    fn compare(&self, label: &str, args: &[&str], chains: &[PathBuf]) -> Option<Tool> {
        let program = self.compare.clone()?;
        let mut tool = self.opctl(label, args, chains, &[0]);
        tool.program = program;
        tool.label = format!("{label} [compare build]");
        Some(tool)
    }

    fn kubectl_diff(&self, label: &str, file: &Path, extra: &[&str]) -> Tool {
        let mut a: Vec<String> = vec![
            "--kubeconfig".into(),
            self.kubeconfig.display().to_string(),
            "--cache-dir".into(),
            self.cache.display().to_string(),
            "diff".into(),
            "--server-side".into(),
            // opctl's field manager: the identical dry-run opctl makes. With kubectl's default
            // manager the steady state fails with a 409 on `.spec.volumeClaimTemplates` (an
            // atomic list opctl owns, and the server defaulted), after 4 retries.
            "--field-manager=opctl".into(),
            "-f".into(),
            file.display().to_string(),
        ];
        a.extend(extra.iter().map(|s| s.to_string()));
        Tool {
            label: label.into(),
            program: self.kubectl.clone(),
            args: a,
            // kubectl diff: 0 no differences, 1 differences found, >1 error.
            ok_codes: &[0, 1],
        }
    }
}

struct Row {
    scenario: String,
    tool: String,
    stats: Stats,
}

fn print_table(rows: &[Row]) {
    let w0 = rows
        .iter()
        .map(|r| r.scenario.len())
        .max()
        .unwrap_or(8)
        .max(8);
    let w1 = rows.iter().map(|r| r.tool.len()).max().unwrap_or(4).max(4);
    println!(
        "{:<w0$}  {:<w1$}  {:>4}  {:>8}  {:>7}  {:>7}  {:>10}  {:>10}",
        "scenario", "tool", "runs", "median", "min", "max", "tool CPU", "server CPU"
    );
    for r in rows {
        println!(
            "{:<w0$}  {:<w1$}  {:>4}  {:>5} ms  {:>4} ms  {:>4} ms  {:>7} ms  {:>7} ms",
            r.scenario,
            r.tool,
            r.stats.samples.len(),
            ms(r.stats.median()),
            ms(r.stats.min()),
            ms(r.stats.max()),
            ms(r.stats.client_cpu_per_run()),
            ms(r.stats.server_cpu_per_run()),
        );
    }
    println!(
        "(tool CPU: user+sys of the process and its children; server CPU: kube-apiserver + etcd \
         while it ran; both means per run, 10 ms ticks)"
    );
}

fn ratio_line(name: &str, opctl: &Stats, kubectl: &Stats) -> String {
    let med = opctl.median().as_secs_f64() / kubectl.median().as_secs_f64();
    let min = opctl.min().as_secs_f64() / kubectl.min().as_secs_f64();
    let verdict = if med <= TARGET_RATIO {
        "meets"
    } else {
        "MISSES"
    };
    format!(
        "{name}: opctl/kubectl = {med:.2} (median), {min:.2} (min); target <= {TARGET_RATIO:.2}: {verdict}"
    )
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if !args.iter().any(|a| a == "--bench") {
        // `cargo test` runs benches in test mode and `cargo nextest` lists them: no tests here.
        if !args.iter().any(|a| a == "--list") {
            eprintln!("benches/plan: a benchmark, not a test; run `scripts/bench-plan`");
        }
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(bench());
}

async fn bench() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let opctl = std::env::var_os("OPCTL_BENCH_OPCTL")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target/release/opctl"));
    assert!(
        opctl.is_file(),
        "{} not found: build it with `cargo build --release --bin opctl` (scripts/bench-plan does)",
        opctl.display()
    );
    let kubectl = std::env::var_os("OPCTL_BENCH_KUBECTL")
        .map(PathBuf::from)
        .unwrap_or_else(support::kubectl_binary);
    assert!(
        kubectl.is_file(),
        "kubectl not found at {}",
        kubectl.display()
    );
    let runs = env_usize("OPCTL_BENCH_RUNS", 15).max(10);
    let kubectl20_runs = env_usize("OPCTL_BENCH_KUBECTL20_RUNS", 3);
    let load_start = load_average();
    let started = Instant::now();

    let cluster = TestCluster::start().await;
    let server = cluster.pids();
    let work = support::temp_dir("opctl-bench-plan-");
    let compare = std::env::var_os("OPCTL_BENCH_COMPARE")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from);
    if let Some(c) = &compare {
        assert!(
            c.is_file(),
            "OPCTL_BENCH_COMPARE={} is not a file",
            c.display()
        );
    }
    let b = Bench {
        opctl: opctl.clone(),
        compare: compare.clone(),
        kubectl: kubectl.clone(),
        kubeconfig: cluster.admin_kubeconfig().to_path_buf(),
        cache: work.path().join("kubectl-cache"),
    };
    let version = |p: &Path, arg: &[&str]| {
        Command::new(p)
            .args(arg)
            .output()
            .map(|o| {
                String::from_utf8_lossy(&o.stdout)
                    .lines()
                    .next()
                    .unwrap_or("")
                    .to_string()
            })
            .unwrap_or_default()
    };
    let opctl_version = version(&opctl, &["--version"]);
    let kubectl_version = version(&kubectl, &["version", "--client"]);
    let mut rows: Vec<Row> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    let mut counts: Vec<(String, Counts)> = Vec::new();

    // --- one chain: steady state -----------------------------------------------------------
    let ns_steady = cluster.fresh_namespace().await;
    provide_secrets(&cluster, &ns_steady).await;
    let dir1 = work.path().join("one");
    std::fs::create_dir_all(&dir1).expect("mkdir");
    let chain1 = write_chain(&dir1, "devnet.toml", "devnet", &ns_steady);
    let apply = b.opctl(
        "opctl apply",
        &["apply", "--yes", "--no-wait"],
        std::slice::from_ref(&chain1),
        &[0],
    );
    let (took, _) = apply.run();
    notes.push(format!(
        "opctl apply --yes --no-wait (devnet, fresh): {} ms",
        ms(took)
    ));
    wait_rolled_out(&cluster, &ns_steady).await;
    let check = b.opctl(
        "opctl plan --exit-code",
        &["plan", "--exit-code"],
        std::slice::from_ref(&chain1),
        &[0, 2],
    );
    let (_, out) = check.run();
    notes.push(match out.status.code() {
        Some(0) => "steady state: `opctl plan --exit-code` exits 0 (no changes)".into(),
        c => format!(
            "steady state: `opctl plan --exit-code` exits {c:?}: the plan is NOT empty after apply:\n{}",
            tail(&out.stdout)
        ),
    });
    let peer = sequencer_peer_id(&cluster, &ns_steady, "devnet").await;
    let yaml_steady = dir1.join("steady.yaml");
    render_to(&opctl, &[(chain1.clone(), peer)], &yaml_steady);
    let objects = count_objects(&yaml_steady);

    let plan_steady = b.opctl("opctl plan", &["plan"], std::slice::from_ref(&chain1), &[0]);
    let kdiff_steady = b.kubectl_diff("kubectl diff", &yaml_steady, &[]);
    let kdiff_steady_c = b.kubectl_diff("kubectl diff", &yaml_steady, &["--concurrency=8"]);
    let (_, kout) = kdiff_steady.run();
    notes.push(format!(
        "steady state: `kubectl diff --server-side` exits {:?} ({} diff lines: defaulted/ownership noise)",
        kout.status.code(),
        String::from_utf8_lossy(&kout.stdout).lines().count()
    ));
    let render1 = Tool {
        label: "opctl render".into(),
        program: opctl.clone(),
        args: vec!["render".into(), chain1.display().to_string()],
        ok_codes: &[0],
    };
    let cmp_steady = b.compare("opctl plan", &["plan"], std::slice::from_ref(&chain1));
    let mut tools = vec![&plan_steady, &kdiff_steady, &kdiff_steady_c, &render1];
    tools.extend(cmp_steady.as_ref());
    let s = measure(&tools, runs, &server);
    let scenario = format!("1 chain, steady ({objects} objects)");
    for (tool, st) in [
        ("opctl plan", &s[0]),
        ("kubectl diff --server-side", &s[1]),
        ("kubectl diff --server-side --concurrency=8", &s[2]),
        ("opctl render (offline floor)", &s[3]),
    ] {
        rows.push(Row {
            scenario: scenario.clone(),
            tool: tool.into(),
            stats: st.clone(),
        });
    }
    let mut ratios = vec![ratio_line("1 chain, steady", &s[0], &s[1])];
    if let Some(st) = s.get(4) {
        rows.push(Row {
            scenario: scenario.clone(),
            tool: COMPARE_LABEL.into(),
            stats: st.clone(),
        });
        ratios.push(ratio_line("1 chain, steady, compare build", st, &s[1]));
    }
    counts.push((
        "opctl plan, steady".into(),
        count_requests(&cluster, &plan_steady).await,
    ));
    counts.push((
        "kubectl diff, steady".into(),
        count_requests(&cluster, &kdiff_steady).await,
    ));
    let (kreq, kthrottle) = kubectl_log_requests(&kdiff_steady);
    notes.push(format!(
        "kubectl -v=6, steady: {kreq} requests logged, {kthrottle} client-side throttling waits"
    ));

    // --- one chain: empty namespace --------------------------------------------------------
    let ns_empty = cluster.fresh_namespace().await;
    let chain_e = write_chain(&dir1, "devnet-empty.toml", "devnet", &ns_empty);
    let yaml_empty = dir1.join("empty.yaml");
    render_to(&opctl, &[(chain_e.clone(), None)], &yaml_empty);
    let plan_empty = b.opctl(
        "opctl plan",
        &["plan"],
        std::slice::from_ref(&chain_e),
        &[0],
    );
    let kdiff_empty = b.kubectl_diff("kubectl diff", &yaml_empty, &[]);
    let kdiff_empty_c = b.kubectl_diff("kubectl diff", &yaml_empty, &["--concurrency=8"]);
    let cmp_empty = b.compare("opctl plan", &["plan"], std::slice::from_ref(&chain_e));
    let mut tools = vec![&plan_empty, &kdiff_empty, &kdiff_empty_c];
    tools.extend(cmp_empty.as_ref());
    let e = measure(&tools, runs, &server);
    let scenario = format!("1 chain, empty ns ({objects} objects)");
    for (tool, st) in [
        ("opctl plan", &e[0]),
        ("kubectl diff --server-side", &e[1]),
        ("kubectl diff --server-side --concurrency=8", &e[2]),
    ] {
        rows.push(Row {
            scenario: scenario.clone(),
            tool: tool.into(),
            stats: st.clone(),
        });
    }
    ratios.push(ratio_line("1 chain, empty ns", &e[0], &e[1]));
    if let Some(st) = e.get(3) {
        rows.push(Row {
            scenario: scenario.clone(),
            tool: COMPARE_LABEL.into(),
            stats: st.clone(),
        });
        ratios.push(ratio_line("1 chain, empty ns, compare build", st, &e[1]));
    }
    counts.push((
        "opctl plan, empty".into(),
        count_requests(&cluster, &plan_empty).await,
    ));
    counts.push((
        "kubectl diff, empty".into(),
        count_requests(&cluster, &kdiff_empty).await,
    ));

    // --- 20 chains in one invocation ------------------------------------------------------
    let dir20 = work.path().join("twenty");
    std::fs::create_dir_all(&dir20).expect("mkdir");
    let mut files = Vec::new();
    let mut names = Vec::new();
    for i in 1..=CHAINS {
        let ns = cluster.fresh_namespace().await;
        provide_secrets(&cluster, &ns).await;
        let name = format!("devnet{i:02}");
        files.push(write_chain(&dir20, &format!("{name}.toml"), &name, &ns));
        names.push((name, ns));
    }
    let yaml20_empty = dir20.join("empty.yaml");
    render_to(
        &opctl,
        &files.iter().map(|f| (f.clone(), None)).collect::<Vec<_>>(),
        &yaml20_empty,
    );
    let objects20 = count_objects(&yaml20_empty);
    let plan20 = b.opctl("opctl plan (20 chains)", &["plan"], &files, &[0]);
    let kdiff20_empty = b.kubectl_diff("kubectl diff (20 chains)", &yaml20_empty, &[]);
    let cmp20 = b.compare("opctl plan (20 chains)", &["plan"], &files);
    let mut tools = vec![&plan20];
    tools.extend(cmp20.as_ref());
    let e20 = measure(&tools, runs, &server);
    rows.push(Row {
        scenario: format!("20 chains, empty ns ({objects20} objects)"),
        tool: "opctl plan (one invocation)".into(),
        stats: e20[0].clone(),
    });
    if let Some(st) = e20.get(1) {
        rows.push(Row {
            scenario: format!("20 chains, empty ns ({objects20} objects)"),
            tool: COMPARE_LABEL.into(),
            stats: st.clone(),
        });
    }
    let k20e = (kubectl20_runs > 0).then(|| measure(&[&kdiff20_empty], kubectl20_runs, &server));
    if let Some(k) = &k20e {
        rows.push(Row {
            scenario: format!("20 chains, empty ns ({objects20} objects)"),
            tool: "kubectl diff --server-side (one file)".into(),
            stats: k[0].clone(),
        });
    }
    counts.push((
        "opctl plan, 20 chains, empty".into(),
        count_requests(&cluster, &plan20).await,
    ));

    let apply20 = b.opctl(
        "opctl apply (20 chains)",
        &["apply", "--yes", "--no-wait"],
        &files,
        &[0],
    );
    let (took, _) = apply20.run();
    for (_, ns) in &names {
        wait_rolled_out(&cluster, ns).await;
    }
    notes.push(format!(
        "opctl apply --yes --no-wait (20 chains, fresh, one invocation): {} ms",
        ms(took)
    ));
    let check20 = b.opctl(
        "opctl plan --exit-code (20)",
        &["plan", "--exit-code"],
        &files,
        &[0, 2],
    );
    let (_, out) = check20.run();
    notes.push(format!(
        "20 chains steady: `opctl plan --exit-code` exits {:?}",
        out.status.code()
    ));
    let mut with_peers = Vec::new();
    for (f, (name, ns)) in files.iter().zip(&names) {
        with_peers.push((f.clone(), sequencer_peer_id(&cluster, ns, name).await));
    }
    let yaml20_steady = dir20.join("steady.yaml");
    render_to(&opctl, &with_peers, &yaml20_steady);
    let kdiff20_steady = b.kubectl_diff("kubectl diff (20 chains)", &yaml20_steady, &[]);
    let s20 = measure(&tools, runs, &server);
    rows.push(Row {
        scenario: format!("20 chains, steady ({objects20} objects)"),
        tool: "opctl plan (one invocation)".into(),
        stats: s20[0].clone(),
    });
    if let Some(st) = s20.get(1) {
        rows.push(Row {
            scenario: format!("20 chains, steady ({objects20} objects)"),
            tool: COMPARE_LABEL.into(),
            stats: st.clone(),
        });
    }
    let k20s = (kubectl20_runs > 0).then(|| measure(&[&kdiff20_steady], kubectl20_runs, &server));
    if let Some(k) = &k20s {
        rows.push(Row {
            scenario: format!("20 chains, steady ({objects20} objects)"),
            tool: "kubectl diff --server-side (one file)".into(),
            stats: k[0].clone(),
        });
    }
    counts.push((
        "opctl plan, 20 chains, steady".into(),
        count_requests(&cluster, &plan20).await,
    ));
    let load_end = load_average();

    // --- report ---------------------------------------------------------------------------
    println!();
    println!("== opctl plan vs kubectl diff --server-side (wall time per process) ==");
    println!("opctl:   {} ({})", opctl.display(), opctl_version);
    if let Some(c) = &compare {
        println!("compare: {} (OPCTL_BENCH_COMPARE)", c.display());
    }
    println!("kubectl: {} ({})", kubectl.display(), kubectl_version);
    println!(
        "apiserver: kube-apiserver {} + etcd on loopback ({})",
        support::KUBE_APISERVER_VERSION,
        cluster.url()
    );
    println!(
        "cpus: {}; load average (1/5/15 min) at start: {load_start}; at end: {load_end}",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!("runs: {runs} per tool after 1 warm-up ({kubectl20_runs} for kubectl on 20 chains), interleaved");
    println!();
    print_table(&rows);
    println!();
    for r in &ratios {
        println!("{r}");
    }
    let per_chain_s = s20[0].median().as_secs_f64() / CHAINS as f64;
    println!(
        "20 chains: opctl median {} ms steady ({:.0} ms per chain), {} ms empty; 1 chain steady {} ms",
        ms(s20[0].median()),
        per_chain_s * 1000.0,
        ms(e20[0].median()),
        ms(s[0].median()),
    );
    if let Some(k) = &k20s {
        println!(
            "20 chains steady: opctl/kubectl = {:.2} (median)",
            s20[0].median().as_secs_f64() / k[0].median().as_secs_f64()
        );
    }
    println!();
    println!(
        "HTTP requests per run (apiserver_request_total delta, min of 3 runs, non-resource \
         requests such as discovery included):"
    );
    for (name, c) in &counts {
        println!("  {name:<32} {}", format_counts(c));
    }
    println!();
    for n in &notes {
        println!("note: {n}");
    }
    println!("total bench time: {:.1} s", started.elapsed().as_secs_f64());
    hold(&cluster, work.path(), &[&chain1, &chain_e], &files);
}

/// `OPCTL_BENCH_HOLD=1`: keep the cluster and files up for profiling by hand until the printed
/// file is removed (so the cluster is still torn down by `Drop`).
fn hold(cluster: &TestCluster, work: &Path, one: &[&Path], twenty: &[PathBuf]) {
    if std::env::var_os("OPCTL_BENCH_HOLD").is_none_or(|v| v.is_empty()) {
        return;
    }
    let flag = work.join("hold");
    std::fs::write(&flag, "").expect("write the hold file");
    println!();
    println!(
        "holding (OPCTL_BENCH_HOLD): the cluster stays up until `rm {}`",
        flag.display()
    );
    println!(
        "  export KUBECONFIG={} L1_BEACON_URL={BEACON_URL}",
        cluster.admin_kubeconfig().display()
    );
    println!("  apiserver, etcd pids: {:?}", cluster.pids());
    for c in one {
        println!("  chain: {}", c.display());
    }
    println!(
        "  20 chains: {}/devnet*.toml",
        twenty[0].parent().map_or(work, |p| p).display()
    );
    while flag.exists() {
        std::thread::sleep(Duration::from_millis(500));
    }
}
