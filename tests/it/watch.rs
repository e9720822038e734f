//! `opctl watch` as an operator runs it: the real binary against the harness's kube-apiserver (and
//! anvil for L1). Drift repaired (or only reported), chain-file edits, the API server and the L1
//! RPC going away, two watchers behind one lease, SIGTERM, the rendered Role as the only rights,
//! `/healthz` `/readyz` `/metrics`, and an on-chain batcher rotation. Every wait polls for its
//! condition under the shared generous deadline (`support::DEADLINE`); these tests assert what
//! happens, not how fast (repair latency is measured by `benches/watch.rs`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::authorization::v1::SubjectAccessReview;
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{ConfigMap, Event, Namespace, Pod, Secret, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::api::rbac::v1::{Role, RoleBinding};
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams};
use kube::Client;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::support::chain::{key_hex, Flavor, TestChain, L1_CHAIN_ID};
use crate::support::cluster::{TestCluster, LIMITED_USER};
use crate::support::kubelet::NEVER_READY;
use crate::support::{devnet_with_watch, free_port, poll, DEADLINE};

/// The series `/metrics` documents (`opctl::watch::metrics::SERIES`).
const SERIES: [&str; 28] = [
    "opctl_watch_passes_total",
    "opctl_watch_pass_failures_total",
    "opctl_watch_pass_duration_seconds",
    "opctl_watch_objects_changed_total",
    "opctl_watch_drift_corrections_total",
    "opctl_watch_drift_reported_total",
    "opctl_watch_last_success_timestamp_seconds",
    "opctl_watch_discoveries_total",
    "opctl_watch_l1_changes_total",
    "opctl_watch_l1_change_held",
    "opctl_watch_check_failed",
    "opctl_watch_leader",
    "opctl_watch_triggers_total",
    "opctl_watch_rollout_unfinished",
    "opctl_node_head_block",
    "opctl_node_lag_blocks",
    "opctl_node_l1_origin_lag_blocks",
    "opctl_node_execution_head_block",
    "opctl_node_peers",
    "opctl_node_up",
    "opctl_node_state",
    "opctl_node_blocks_per_minute",
    "opctl_node_caught_up",
    "opctl_signer_balance_eth",
    "opctl_signer_low_balance",
    "opctl_signer_nonce_gap",
    "opctl_signer_last_tx_age_seconds",
    "opctl_challenger_games_in_progress",
];

const BATCHER_IMAGE: &str = "us-docker.pkg.dev/oplabs-tools-artifacts/images/op-batcher:v1.16.13";
const PROPOSER_IMAGE: &str = "us-docker.pkg.dev/oplabs-tools-artifacts/images/op-proposer:v1.16.3";

fn random_hex() -> String {
    (0..4)
        .map(|_| format!("{:016x}", rand::random::<u64>()))
        .collect()
}

/// A cluster, a namespace, and the devnet example (with `[watch]` settings) in a temp dir.
struct Env {
    cluster: TestCluster,
    ns: String,
    dir: tempfile::TempDir,
    chain: PathBuf,
    beacon_url: String,
    /// Every secret value in play; none may show in a log line or an Event.
    secrets: Vec<String>,
}

impl Env {
    async fn start(watch: &str) -> Env {
        Env::start_on(TestCluster::start().await, watch).await
    }

    async fn start_on(cluster: TestCluster, watch: &str) -> Env {
        let ns = cluster.fresh_namespace().await;
        let (dir, chain) = devnet_with_watch(watch);
        let keys: Vec<String> = (0..4).map(|_| random_hex()).collect();
        let roles = ["sequencer", "batcher", "proposer", "challenger"];
        let pairs: Vec<(&str, &str)> = roles
            .iter()
            .copied()
            .zip(keys.iter().map(String::as_str))
            .collect();
        cluster.create_secret(&ns, "devnet-keys", &pairs).await;
        let beacon_url = format!("https://beacon.example.org/v1/{}", random_hex());
        // The L1 RPC Secret the example names: without it no pod would start.
        let rpc_url = format!("https://l1.example.org/v1/{}", random_hex());
        cluster
            .create_secret(&ns, "l1-endpoints", &[("rpc", rpc_url.as_str())])
            .await;
        let mut secrets = keys;
        secrets.push(beacon_url.clone());
        secrets.push(rpc_url);
        Env {
            cluster,
            ns,
            dir,
            chain,
            beacon_url,
            secrets,
        }
    }

    fn chain(&self) -> &str {
        self.chain.to_str().expect("utf-8 path")
    }

    fn edit(&self, from: &str, to: &str) {
        let text = std::fs::read_to_string(&self.chain).expect("read");
        assert!(text.contains(from), "`{from}` not in the chain file");
        std::fs::write(&self.chain, text.replacen(from, to, 1)).expect("write");
    }

    async fn client(&self) -> Client {
        self.cluster.admin_client().await
    }

    fn watch(&self, kubeconfig: &Path, identity: &str, args: &[&str]) -> Watcher {
        Watcher::spawn(
            self,
            kubeconfig,
            identity,
            &[vec![self.chain()], args.to_vec()].concat(),
        )
    }

    fn opctl(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_opctl"))
            .env("L1_BEACON_URL", &self.beacon_url)
            .env_remove("KUBECONFIG")
            .env("NO_COLOR", "1")
            .arg("--kubeconfig")
            .arg(self.cluster.admin_kubeconfig())
            .args(["-n", &self.ns])
            .args(args)
            .output()
            .expect("opctl runs")
    }

    /// Messages of the Events recorded on the chain's ApplySet parent.
    async fn events(&self) -> Vec<(String, String)> {
        Api::<Event>::namespaced(self.client().await, &self.ns)
            .list(&ListParams::default())
            .await
            .expect("list events")
            .items
            .into_iter()
            .filter(|e| e.involved_object.name.as_deref() == Some("devnet-applyset"))
            .map(|e| (e.reason.unwrap_or_default(), e.message.unwrap_or_default()))
            .collect()
    }

    async fn wait_event(&self, reason: &str) -> String {
        self.wait_event_about(reason, "").await
    }

    /// The first Event of `reason` whose message contains `about`.
    async fn wait_event_about(&self, reason: &str, about: &str) -> String {
        let found = poll(|| async {
            self.events()
                .await
                .into_iter()
                .find(|(r, m)| r == reason && m.contains(about))
                .map(|(_, m)| m)
        })
        .await;
        match found {
            Some(message) => message,
            None => {
                let reasons: Vec<String> =
                    self.events().await.into_iter().map(|(r, _)| r).collect();
                panic!("no {reason} Event after {DEADLINE:?}; recorded: {reasons:?}")
            }
        }
    }

    /// No secret value in any log or Event.
    async fn assert_no_secrets(&self, logs: &[String]) {
        let events: Vec<String> = self
            .events()
            .await
            .into_iter()
            .map(|(r, m)| format!("{r}: {m}"))
            .collect();
        for text in logs.iter().chain(events.iter()) {
            for s in &self.secrets {
                assert!(!text.contains(s.as_str()), "a secret value leaked:\n{text}");
            }
        }
    }

    async fn service_exists(&self, name: &str) -> bool {
        Api::<Service>::namespaced(self.client().await, &self.ns)
            .get_opt(name)
            .await
            .expect("get service")
            .is_some()
    }

    async fn delete_service(&self, name: &str) {
        Api::<Service>::namespaced(self.client().await, &self.ns)
            .delete(name, &DeleteParams::default())
            .await
            .expect("delete service");
    }

    /// Deletes a Service and waits until it is back.
    async fn delete_and_wait_recreated(&self, name: &str) {
        assert!(self.service_exists(name).await, "{name} must exist first");
        self.delete_service(name).await;
        let back = poll(|| async { self.service_exists(name).await.then_some(()) }).await;
        assert!(
            back.is_some(),
            "Service {name} not repaired after {DEADLINE:?}"
        );
    }

    async fn image(&self, deployment: &str) -> String {
        Api::<Deployment>::namespaced(self.client().await, &self.ns)
            .get(deployment)
            .await
            .expect("get deployment")
            .spec
            .and_then(|s| s.template.spec)
            .and_then(|p| p.containers.first().and_then(|c| c.image.clone()))
            .unwrap_or_default()
    }

    async fn args(&self, deployment: &str) -> Vec<String> {
        Api::<Deployment>::namespaced(self.client().await, &self.ns)
            .get(deployment)
            .await
            .expect("get deployment")
            .spec
            .and_then(|s| s.template.spec)
            .and_then(|p| p.containers.first().and_then(|c| c.args.clone()))
            .unwrap_or_default()
    }

    async fn sts_args(&self, name: &str) -> Vec<String> {
        Api::<StatefulSet>::namespaced(self.client().await, &self.ns)
            .get(name)
            .await
            .expect("get statefulset")
            .spec
            .and_then(|s| s.template.spec)
            .and_then(|p| p.containers.first().and_then(|c| c.args.clone()))
            .unwrap_or_default()
    }

    /// Changes a Deployment's image the way `kubectl edit` does: an update by another manager.
    async fn edit_image(&self, deployment: &str, image: &str) {
        let api = Api::<Deployment>::namespaced(self.client().await, &self.ns);
        let mut live = api.get(deployment).await.expect("get");
        if let Some(c) = live
            .spec
            .as_mut()
            .and_then(|s| s.template.spec.as_mut())
            .and_then(|p| p.containers.first_mut())
        {
            c.image = Some(image.to_string());
        }
        live.metadata.managed_fields = None;
        let pp = PostParams {
            field_manager: Some("kubectl-edit".into()),
            ..Default::default()
        };
        api.replace(deployment, &pp, &live)
            .await
            .expect("update as kubectl-edit");
    }

    /// Waits until a Deployment's image is `image`.
    async fn wait_image(&self, deployment: &str, image: &str) {
        let done = poll(|| async { (self.image(deployment).await == image).then_some(()) }).await;
        assert!(
            done.is_some(),
            "{deployment} image not {image} after {DEADLINE:?} (is {})",
            self.image(deployment).await
        );
    }

    async fn lease_holder(&self) -> Option<String> {
        Api::<Lease>::namespaced(self.client().await, &self.ns)
            .get_opt("devnet-opctl-watch")
            .await
            .expect("get lease")
            .and_then(|l| l.spec)
            .and_then(|s| s.holder_identity)
            .filter(|h| !h.is_empty())
    }
}

/// An `opctl watch` process, killed on drop.
struct Watcher {
    child: Child,
    port: u16,
    identity: String,
    log: PathBuf,
}

impl Watcher {
    fn spawn(env: &Env, kubeconfig: &Path, identity: &str, args: &[&str]) -> Watcher {
        let port = free_port();
        let mut argv: Vec<String> = ["-n", &env.ns, "watch"]
            .iter()
            .map(|a| a.to_string())
            .collect();
        argv.extend(args.iter().map(|a| a.to_string()));
        argv.extend(["--listen".to_string(), format!("127.0.0.1:{port}")]);
        Self::spawn_argv(env, kubeconfig, identity, port, &argv)
    }

    /// Exactly the watcher pod's command line: the rendered container's arguments, with the
    /// ConfigMap mount at `dir` instead of `/etc/opctl` and the HTTP port on loopback.
    fn spawn_pod(
        env: &Env,
        kubeconfig: &Path,
        identity: &str,
        args: &[String],
        dir: &Path,
    ) -> Watcher {
        let port = free_port();
        let argv: Vec<String> = args
            .iter()
            .map(|a| {
                if a.starts_with("--listen=") {
                    format!("--listen=127.0.0.1:{port}")
                } else {
                    a.replace("/etc/opctl", &dir.display().to_string())
                }
            })
            .collect();
        Self::spawn_argv(env, kubeconfig, identity, port, &argv)
    }

    fn spawn_argv(
        env: &Env,
        kubeconfig: &Path,
        identity: &str,
        port: u16,
        argv: &[String],
    ) -> Watcher {
        let log = env.dir.path().join(format!("watch-{identity}.log"));
        let out = std::fs::File::create(&log).expect("log file");
        let err = out.try_clone().expect("clone");
        let child = Command::new(env!("CARGO_BIN_EXE_opctl"))
            .env("L1_BEACON_URL", &env.beacon_url)
            .env_remove("KUBECONFIG")
            .env_remove("RUST_LOG")
            .env("POD_NAME", identity)
            .env("NO_COLOR", "1")
            .arg("--kubeconfig")
            .arg(kubeconfig)
            .args(argv)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .expect("spawn opctl watch");
        Watcher {
            child,
            port,
            identity: identity.to_string(),
            log,
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// `GET path` on the watcher's HTTP port: (status, body); `None` when nothing answers.
    async fn get(&self, path: &str) -> Option<(u16, String)> {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).await.ok()?;
        s.write_all(format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n").as_bytes())
            .await
            .ok()?;
        let mut text = String::new();
        s.read_to_string(&mut text).await.ok()?;
        let status = text.split_whitespace().nth(1)?.parse().ok()?;
        let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string())?;
        Some((status, body))
    }

    async fn metrics(&self) -> String {
        self.get("/metrics")
            .await
            .map(|(_, b)| b)
            .unwrap_or_default()
    }

    /// Sum of the samples of `name` whose labels include every pair of `labels`.
    async fn value(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        sample(&self.metrics().await, name, labels)
    }

    async fn wait_value(
        &self,
        name: &str,
        labels: &[(&str, &str)],
        ok: impl Fn(f64) -> bool,
    ) -> f64 {
        let found = poll(|| async {
            let v = self.value(name, labels).await;
            ok(v).then_some(v)
        })
        .await;
        match found {
            Some(v) => v,
            None => panic!(
                "{name}{labels:?} did not satisfy the condition after {DEADLINE:?} (is {}); log:\n{}",
                self.value(name, labels).await,
                self.log()
            ),
        }
    }

    /// Waits until this watcher leads, a pass of it succeeded last, and the cluster matches the
    /// chain file (`opctl plan --exit-code` finds nothing to change): the first pass and the
    /// converging one after it (onto the sequencer's peer ID) have written everything.
    async fn wait_settled(&self, env: &Env) {
        let settled = poll(|| async {
            let leads =
                matches!(self.get("/readyz").await, Some((200, ref b)) if b.contains("leader"));
            let passed = self.value("opctl_watch_passes_total", &[]).await >= 1.0;
            let matches = || {
                env.opctl(&["plan", env.chain(), "--exit-code"])
                    .status
                    .code()
                    == Some(0)
            };
            (leads && passed && matches()).then_some(())
        })
        .await;
        assert!(
            settled.is_some(),
            "watcher {} did not settle (leading, a pass succeeded, nothing left to plan) after {DEADLINE:?}; log:\n{}",
            self.identity,
            self.log()
        );
    }

    fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.child.id().to_string())
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -{signal} failed");
    }

    /// Waits for the process to exit; `None` if it still runs after [`DEADLINE`].
    async fn wait_exit(&mut self) -> Option<ExitStatus> {
        let child = &mut self.child;
        poll(|| std::future::ready(child.try_wait().ok().flatten())).await
    }

    fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        if std::thread::panicking() || std::env::var_os("OPCTL_TEST_WATCH_LOG").is_some() {
            eprintln!(
                "--- opctl watch {} (log) ---\n{}",
                self.identity,
                self.log()
            );
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn sample(metrics: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    metrics
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let (series, value) = l.rsplit_once(' ')?;
            let (n, rest) = series.split_once('{').unwrap_or((series, ""));
            (n == name
                && labels
                    .iter()
                    .all(|(k, v)| rest.contains(&format!("{k}=\"{v}\""))))
            .then(|| value.parse::<f64>().ok())?
        })
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_creates_everything_repairs_deleted_and_edited_objects_and_serves_health_and_metrics()
{
    let env = Env::start("rediscover = \"0\"").await;
    let w = env.watch(env.cluster.admin_kubeconfig(), "solo", &[]);
    w.wait_settled(&env).await;

    let client = env.client().await;
    let deps = Api::<Deployment>::namespaced(client.clone(), &env.ns)
        .list(&ListParams::default().labels("opctl.io/chain=devnet"))
        .await
        .expect("list");
    assert_eq!(deps.items.len(), 2, "batcher and proposer");
    assert_eq!(env.image("devnet-batcher").await, BATCHER_IMAGE);
    for svc in [
        "devnet-batcher",
        "devnet-sequencer",
        "devnet-replica-1-headless",
    ] {
        assert!(env.service_exists(svc).await, "{svc}");
    }

    env.delete_and_wait_recreated("devnet-sequencer").await;

    env.edit_image("devnet-batcher", "example.org/op-batcher:hacked")
        .await;
    env.wait_image("devnet-batcher", BATCHER_IMAGE).await;

    let corrected = w
        .wait_value("opctl_watch_drift_corrections_total", &[], |v| v >= 2.0)
        .await;
    assert!(corrected >= 2.0);
    let msg = env.wait_event("DriftCorrected").await;
    assert!(
        msg.contains("Service/devnet-sequencer") || msg.contains("Deployment/devnet-batcher"),
        "{msg}"
    );

    // Health and metrics.
    let (status, body) = w.get("/healthz").await.expect("healthz answers");
    assert_eq!((status, body.as_str()), (200, "ok\n"));
    let (status, body) = w.get("/readyz").await.expect("readyz answers");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("leader"), "{body}");
    assert_eq!(w.get("/nope").await.map(|(s, _)| s), Some(404));
    let metrics = w.metrics().await;
    for name in SERIES {
        assert!(
            metrics.contains(&format!("# TYPE {name} ")),
            "{name} missing:\n{metrics}"
        );
    }
    assert_eq!(
        sample(&metrics, "opctl_watch_leader", &[("identity", "solo")]),
        1.0
    );
    assert!(sample(&metrics, "opctl_watch_passes_total", &[]) >= 3.0);
    assert!(
        sample(
            &metrics,
            "opctl_watch_objects_changed_total",
            &[("op", "create")]
        ) >= 20.0
    );
    assert!(sample(&metrics, "opctl_watch_last_success_timestamp_seconds", &[]) > 1.7e9);
    assert!(sample(&metrics, "opctl_watch_pass_duration_seconds_count", &[]) >= 3.0);
    assert!(
        sample(
            &metrics,
            "opctl_watch_triggers_total",
            &[("source", "watch")]
        ) >= 2.0
    );
    assert_eq!(
        sample(&metrics, "opctl_watch_pass_failures_total", &[]),
        0.0
    );

    // The same pass as apply: nothing left to change.
    let plan = env.opctl(&["plan", env.chain(), "--exit-code"]);
    assert_eq!(
        plan.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&plan.stdout)
    );
    env.assert_no_secrets(&[w.log()]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_re_creates_a_deleted_statefulset_that_adopts_its_running_pod_and_reports_a_stalled_rollout(
) {
    let env = Env::start("rediscover = \"0\"\nresync = \"2s\"").await;
    let w = env.watch(env.cluster.admin_kubeconfig(), "solo", &[]);
    w.wait_settled(&env).await;
    let client = env.client().await;
    let sets = Api::<StatefulSet>::namespaced(client.clone(), &env.ns);
    let pods = Api::<Pod>::namespaced(client.clone(), &env.ns);
    let pod_ready = |p: &Pod| {
        p.status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
    };
    // The replica's rollout is complete (the converging pass rolled it onto the sequencer's peer
    // ID once): its pod runs the StatefulSet's current revision and is ready.
    let running = poll(|| async {
        let set = sets.get_opt("devnet-replica-1").await.expect("get")?;
        let status = set.status?;
        let done = status.observed_generation == set.metadata.generation
            && status.ready_replicas == Some(1)
            && status.current_revision.is_some()
            && status.current_revision == status.update_revision;
        let pod = pods.get_opt("devnet-replica-1-0").await.expect("get pod")?;
        let revision = pod
            .metadata
            .labels
            .as_ref()?
            .get("controller-revision-hash")
            .cloned();
        (done && pod_ready(&pod) && revision == status.update_revision).then_some(pod)
    })
    .await
    .expect("the controllers and the kubelet stand-in never finished the replica's rollout");
    let set_before = sets.get("devnet-replica-1").await.expect("get");

    // Someone deletes the StatefulSet but leaves its pod running (`--cascade=orphan`): the
    // watcher re-creates it, and the new StatefulSet adopts the pod instead of restarting it.
    sets.delete("devnet-replica-1", &DeleteParams::orphan())
        .await
        .expect("delete the statefulset");
    let adopted = poll(|| async {
        let set = sets.get_opt("devnet-replica-1").await.expect("get")?;
        if set.metadata.uid == set_before.metadata.uid {
            return None;
        }
        let pod = pods.get_opt("devnet-replica-1-0").await.expect("get pod")?;
        let owner = pod.metadata.owner_references.as_ref()?.first()?.uid.clone();
        (Some(owner) == set.metadata.uid).then_some(pod)
    })
    .await
    .expect("the StatefulSet was not re-created, or its pod was not adopted");
    assert_eq!(
        adopted.metadata.uid, running.metadata.uid,
        "the running pod was restarted instead of adopted"
    );

    // A rollout that stalls (an image that never becomes ready) is reported on /metrics.
    let text = std::fs::read_to_string(&env.chain).expect("read");
    std::fs::write(
        &env.chain,
        format!("{text}\n[images]\nop_reth = \"ghcr.io/paradigmxyz/op-reth:v9-{NEVER_READY}\"\n"),
    )
    .expect("write");
    let stalled = w
        .wait_value(
            "opctl_watch_rollout_unfinished",
            &[("workload", "StatefulSet/devnet-replica-0")],
            |v| v == 1.0,
        )
        .await;
    assert_eq!(stalled, 1.0);
    assert!(w.log().contains("rollout unfinished"), "{}", w.log());
    env.assert_no_secrets(&[w.log()]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_drift_warn_deleted_and_edited_objects_are_only_reported_unless_the_role_says_correct()
{
    let env =
        Env::start("rediscover = \"0\"\ndrift = \"warn\"\n[watch.roles]\nproposer = \"correct\"")
            .await;
    let w = env.watch(env.cluster.admin_kubeconfig(), "warn", &[]);
    w.wait_settled(&env).await;
    assert!(
        env.service_exists("devnet-sequencer").await,
        "the first pass creates everything"
    );

    env.delete_service("devnet-sequencer").await;
    env.edit_image("devnet-batcher", "example.org/op-batcher:hacked")
        .await;
    w.wait_value("opctl_watch_drift_reported_total", &[], |v| v >= 2.0)
        .await;
    let msg = env.wait_event("DriftDetected").await;
    assert!(msg.contains("drift = \"warn\""), "{msg}");
    // A chain-file change is applied under warn, and the pass it triggers still leaves the drift.
    let passes = w.value("opctl_watch_passes_total", &[]).await;
    env.edit(
        "prestates_url = \"https://storage.googleapis.com/",
        "prestates_url = \"https://prestates.example.org/",
    );
    let applied = poll(|| async {
        env.sts_args("devnet-challenger")
            .await
            .iter()
            .any(|a| a.starts_with("--prestates-url=https://prestates.example.org/"))
            .then_some(())
    })
    .await;
    assert!(
        applied.is_some(),
        "the chain file's change was not applied:\n{}",
        w.log()
    );
    w.wait_value("opctl_watch_passes_total", &[], |v| v > passes)
        .await;
    assert!(
        !env.service_exists("devnet-sequencer").await,
        "warn must not recreate"
    );
    assert_eq!(
        env.image("devnet-batcher").await,
        "example.org/op-batcher:hacked"
    );

    // The proposer's override is `correct`.
    env.edit_image("devnet-proposer", "example.org/op-proposer:hacked")
        .await;
    env.wait_image("devnet-proposer", PROPOSER_IMAGE).await;
    assert_eq!(
        env.image("devnet-batcher").await,
        "example.org/op-batcher:hacked"
    );
    env.assert_no_secrets(&[w.log()]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edited_chain_file_is_applied_an_invalid_one_is_kept_out_and_a_disabled_role_is_pruned()
{
    let env = Env::start("rediscover = \"0\"\nprune = true").await;
    let w = env.watch(env.cluster.admin_kubeconfig(), "edit", &[]);
    w.wait_settled(&env).await;

    env.edit(
        "[batcher]\n",
        "[images]\nop_batcher = \"example.org/op-batcher:v9.9.9\"\n\n[batcher]\n",
    );
    env.wait_image("devnet-batcher", "example.org/op-batcher:v9.9.9")
        .await;
    env.wait_event("Applied").await;

    env.edit(
        "max_channel_duration = 1500",
        "max_channel_duration = \"often\"",
    );
    let msg = env.wait_event("ChainFileInvalid").await;
    assert!(msg.contains("batcher.max_channel_duration"), "{msg}");
    let mut w = w;
    assert!(w.is_running(), "an invalid file never stops the watcher");
    // Drift is still repaired from the last valid file.
    env.delete_and_wait_recreated("devnet-batcher").await;
    assert_eq!(
        env.image("devnet-batcher").await,
        "example.org/op-batcher:v9.9.9"
    );

    // Valid again, without the proposer: with `prune = true` its objects go.
    env.edit(
        "max_channel_duration = \"often\"",
        "max_channel_duration = 1500",
    );
    env.edit("[proposer]\n", "[proposer]\nenabled = false\n");
    let deployments = Api::<Deployment>::namespaced(env.client().await, &env.ns);
    let pruned = poll(|| async {
        let gone = deployments.get_opt("devnet-proposer").await.ok()?.is_none();
        (gone && !env.service_exists("devnet-proposer").await).then_some(())
    })
    .await;
    assert!(
        pruned.is_some(),
        "the disabled proposer was not pruned:\n{}",
        w.log()
    );
    assert!(env.service_exists("devnet-batcher").await);
    w.wait_value(
        "opctl_watch_objects_changed_total",
        &[("op", "prune")],
        |v| v >= 2.0,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_server_going_away_for_ten_seconds_is_survived_and_reconciled_once_it_returns() {
    let env = Env::start("rediscover = \"0\"").await;
    let mut w = env.watch(env.cluster.admin_kubeconfig(), "outage", &[]);
    w.wait_settled(&env).await;

    env.cluster.stop_apiserver();
    let down = Instant::now();
    // A change while the API is gone: the passes it triggers fail and back off.
    env.edit("max_channel_duration = 1500", "max_channel_duration = 1600");
    w.wait_value(
        "opctl_watch_pass_failures_total",
        &[("reason", "api-unreachable")],
        |v| v >= 1.0,
    )
    .await;
    let unready = poll(|| async {
        match w.get("/readyz").await {
            Some((503, body)) => Some(body),
            _ => None,
        }
    })
    .await;
    assert!(
        unready.is_some(),
        "/readyz never said 503 during the outage:\n{}",
        w.log()
    );
    assert_eq!(w.get("/healthz").await.map(|(s, _)| s), Some(200));
    // The outage lasts 10 s: the scenario, not a wait for a condition. The process lives
    // throughout.
    loop {
        assert!(
            w.is_running(),
            "the watcher died with the API server:\n{}",
            w.log()
        );
        if down.elapsed() >= Duration::from_secs(10) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    env.cluster.start_apiserver().await;
    let applied = poll(|| async {
        env.args("devnet-batcher")
            .await
            .iter()
            .any(|a| a == "--max-channel-duration=1600")
            .then_some(())
    })
    .await;
    assert!(
        applied.is_some(),
        "not reconciled after the API server returned:\n{}",
        w.log()
    );

    // The watch streams are back too.
    env.delete_and_wait_recreated("devnet-sequencer").await;
    let (status, _) = w.get("/readyz").await.expect("readyz");
    assert_eq!(status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_watchers_only_the_lease_holder_writes_and_a_killed_holder_is_replaced() {
    let env = Env::start("rediscover = \"0\"").await;
    let kc = env.cluster.admin_kubeconfig();
    let a = env.watch(kc, "first", &["--lease-duration", "5s"]);
    a.wait_settled(&env).await;
    let mut b = env.watch(kc, "second", &["--lease-duration", "5s"]);
    let standby = poll(|| async {
        match b.get("/readyz").await {
            Some((200, body)) if body.contains("standby") => Some(body),
            _ => None,
        }
    })
    .await;
    assert!(standby.is_some_and(|s| s.contains("first")), "{}", b.log());
    assert_eq!(env.lease_holder().await.as_deref(), Some("first"));

    env.delete_and_wait_recreated("devnet-sequencer").await;
    let m = b.metrics().await;
    assert_eq!(sample(&m, "opctl_watch_leader", &[]), 0.0);
    assert_eq!(
        sample(&m, "opctl_watch_passes_total", &[]),
        0.0,
        "the standby ran a pass"
    );
    assert_eq!(sample(&m, "opctl_watch_objects_changed_total", &[]), 0.0);
    a.wait_value("opctl_watch_drift_corrections_total", &[], |v| v >= 1.0)
        .await;

    let mut a = a;
    a.signal("KILL");
    assert!(a.wait_exit().await.is_some());
    b.wait_value("opctl_watch_leader", &[], |v| v == 1.0).await;
    assert_eq!(env.lease_holder().await.as_deref(), Some("second"));
    b.wait_settled(&env).await;
    env.delete_and_wait_recreated("devnet-batcher").await;
    assert!(b.is_running());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_exits_zero_and_releases_the_lease() {
    let env = Env::start("rediscover = \"0\"").await;
    let mut w = env.watch(
        env.cluster.admin_kubeconfig(),
        "term",
        &["--log-format", "json"],
    );
    w.wait_settled(&env).await;
    assert_eq!(env.lease_holder().await.as_deref(), Some("term"));
    // A manual apply from another copy of the file is warned, and the watcher takes it back.
    let laptop = env.dir.path().join("laptop.toml");
    let text = std::fs::read_to_string(&env.chain).expect("read");
    std::fs::write(
        &laptop,
        text.replace("max_channel_duration = 1500", "max_channel_duration = 1700"),
    )
    .expect("write");
    let out = env.opctl(&[
        "apply",
        laptop.to_str().expect("utf-8"),
        "--yes",
        "--no-wait",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("`opctl watch` (term) holds the lease devnet-opctl-watch"),
        "{stderr}"
    );
    let back = poll(|| async {
        env.args("devnet-batcher")
            .await
            .iter()
            .any(|a| a == "--max-channel-duration=1500")
            .then_some(())
    })
    .await;
    assert!(
        back.is_some(),
        "the watcher did not take the manual change back"
    );
    // Mid-pass: a change is on its way when the signal arrives.
    env.delete_service("devnet-sequencer").await;
    w.signal("TERM");
    let status = w.wait_exit().await;
    let status =
        status.unwrap_or_else(|| panic!("still running {DEADLINE:?} after SIGTERM:\n{}", w.log()));
    assert_eq!(status.code(), Some(0), "{}", w.log());
    assert_eq!(
        env.lease_holder().await,
        None,
        "lease not released:\n{}",
        w.log()
    );
    let log = w.log();
    assert!(log.contains("released the lease"), "{log}");
    for line in log.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("not a JSON log line ({e}): {line}"));
        assert!(v["level"].is_string() && v["message"].is_string(), "{line}");
    }
}

/// Binds the harness's `limited` user to the rendered Role and waits until the authorizer honours it.
async fn bind_limited_user_to(env: &Env, role: &str) {
    let client = env.client().await;
    let binding: RoleBinding = serde_json::from_value(json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
        "metadata": {"name": "limited-as-watcher", "namespace": env.ns},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": role},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": LIMITED_USER}],
    }))
    .expect("binding");
    Api::<RoleBinding>::namespaced(client.clone(), &env.ns)
        .create(&PostParams::default(), &binding)
        .await
        .expect("bind limited");
    let review: SubjectAccessReview = serde_json::from_value(json!({
        "apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
        "spec": {"user": LIMITED_USER, "resourceAttributes": {
            "namespace": env.ns, "verb": "get", "group": "coordination.k8s.io",
            "resource": "leases", "name": "devnet-opctl-watch"}},
    }))
    .expect("review");
    let reviews = Api::<SubjectAccessReview>::all(client);
    let granted = poll(|| async {
        reviews
            .create(&PostParams::default(), &review)
            .await
            .ok()
            .and_then(|r| r.status)
            .filter(|s| s.allowed)
    })
    .await;
    assert!(granted.is_some(), "binding to {role} took no effect");
}

fn forbidden<T: std::fmt::Debug>(r: Result<T, kube::Error>) -> bool {
    matches!(r, Err(kube::Error::Api(ref s)) if s.code == 403)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_watcher_pod_runs_from_its_mounted_files_with_the_rendered_role_and_nothing_more() {
    let env =
        Env::start("rediscover = \"0\"\ndeploy = true\nimage = \"example.org/opctl:v0.1.0\"").await;
    let applied = env.opctl(&["apply", env.chain(), "--yes", "--no-wait"]);
    assert_eq!(
        applied.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&applied.stderr)
    );
    let client = env.client().await;
    let role = Api::<Role>::namespaced(client.clone(), &env.ns)
        .get("devnet-opctl-watch")
        .await
        .expect("the watcher's Role is rendered and applied");
    for rule in role.rules.iter().flatten() {
        for v in &rule.verbs {
            assert_ne!(v, "*", "{rule:?}");
        }
        for r in rule.resources.iter().flatten() {
            assert_ne!(r, "*", "{rule:?}");
        }
        if rule.resources.iter().flatten().any(|r| r == "secrets")
            && rule.verbs.iter().any(|v| v == "get" || v == "list")
        {
            assert!(
                rule.resource_names.is_some(),
                "Secrets readable by name only: {rule:?}"
            );
        }
    }
    let dep = Api::<Deployment>::namespaced(client.clone(), &env.ns)
        .get("devnet-opctl-watch")
        .await
        .expect("the watcher's Deployment");
    let pod = dep.spec.and_then(|s| s.template.spec).expect("pod spec");
    assert_eq!(
        pod.service_account_name.as_deref(),
        Some("devnet-opctl-watch")
    );
    let cm = Api::<ConfigMap>::namespaced(client.clone(), &env.ns)
        .get("devnet-opctl-watch")
        .await
        .expect("the watcher's ConfigMap");
    let text = std::fs::read_to_string(&env.chain).expect("read");
    assert_eq!(
        cm.data.unwrap_or_default().get("devnet.toml"),
        Some(&text),
        "the ConfigMap carries the chain file"
    );

    // The pod's view: the projected volume's files from the cluster's ConfigMaps, the container's
    // arguments, and only the Role's rights (the harness's `limited` user bound to it).
    // Every projected volume is laid out as the kubelet would (ConfigMap `data` and
    // `binaryData` items), then the pod's init step — its exact script, under busybox, the image
    // it runs in — copies the chain files and assembles the genesis into the container's view.
    let pod_root = env.dir.path().join("pod");
    let reroot = |p: &str| pod_root.join(p.trim_start_matches('/'));
    for volume in pod.volumes.iter().flatten() {
        let Some(projected) = volume.projected.as_ref() else {
            continue;
        };
        let at = pod
            .init_containers
            .iter()
            .flatten()
            .chain(pod.containers.iter())
            .flat_map(|c| c.volume_mounts.iter().flatten())
            .find(|m| m.name == volume.name)
            .map(|m| m.mount_path.clone())
            .expect("the projected volume is mounted");
        for source in projected.sources.iter().flatten() {
            let projection = source.config_map.as_ref().expect("ConfigMap sources");
            let cm = Api::<ConfigMap>::namespaced(client.clone(), &env.ns)
                .get(&projection.name)
                .await
                .expect("mounted ConfigMap exists");
            let mut files: std::collections::BTreeMap<String, Vec<u8>> = cm
                .data
                .unwrap_or_default()
                .into_iter()
                .map(|(k, v)| (k, v.into_bytes()))
                .collect();
            files.extend(
                cm.binary_data
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(k, v)| (k, v.0)),
            );
            for item in projection.items.iter().flatten() {
                let path = reroot(&at).join(&item.path);
                std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
                std::fs::write(&path, &files[&item.key]).expect("write mounted file");
            }
        }
    }
    let init = pod
        .init_containers
        .iter()
        .flatten()
        .find(|c| c.name == "assemble-genesis")
        .expect("the watcher pod assembles the custom genesis");
    let mut step = Command::new("busybox");
    step.args(["sh", "-c", &init.args.as_ref().expect("args")[1]]);
    for var in init.env.iter().flatten() {
        match (var.name.as_str(), var.value.as_deref()) {
            ("HOME", _) | (_, None) => {}
            ("GENESIS_SHA256", Some(v)) => {
                step.env(&var.name, v);
            }
            (_, Some(path)) => {
                step.env(&var.name, reroot(path));
            }
        }
    }
    std::fs::create_dir_all(reroot(opctl::render::watcher::CONFIG_DIR)).expect("mkdir");
    let ran = step.output().expect("run busybox");
    assert!(
        ran.status.success(),
        "the init step failed: {}",
        String::from_utf8_lossy(&ran.stderr)
    );
    let mount = reroot(opctl::render::watcher::CONFIG_DIR);
    assert_eq!(
        std::fs::read(mount.join("devnet/genesis.json")).expect("assembled genesis"),
        std::fs::read(env.chain.with_file_name("devnet").join("genesis.json")).expect("genesis"),
        "the watcher reads the genesis byte-identical"
    );
    let args = pod.containers[0].args.clone().expect("args");
    bind_limited_user_to(&env, "devnet-opctl-watch").await;
    let w = Watcher::spawn_pod(
        &env,
        env.cluster.limited_kubeconfig(),
        "limited",
        &args,
        &mount,
    );
    w.wait_settled(&env).await;
    assert_eq!(
        w.value("opctl_watch_objects_changed_total", &[]).await,
        0.0,
        "the pod renders exactly what apply wrote:\n{}",
        w.log()
    );
    assert_eq!(
        w.value("opctl_watch_pass_failures_total", &[]).await,
        0.0,
        "{}",
        w.log()
    );
    env.delete_and_wait_recreated("devnet-sequencer").await;
    env.edit_image("devnet-batcher", "example.org/op-batcher:hacked")
        .await;
    env.wait_image("devnet-batcher", BATCHER_IMAGE).await;
    assert_eq!(env.lease_holder().await.as_deref(), Some("limited"));
    env.wait_event("DriftCorrected").await;

    // Outside the Role: forbidden.
    let limited = env.cluster.limited_client().await;
    let other: Secret = serde_json::from_value(json!({
        "apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": "unrelated", "namespace": env.ns}, "stringData": {"k": "v"},
    }))
    .expect("secret");
    Api::<Secret>::namespaced(client.clone(), &env.ns)
        .create(&PostParams::default(), &other)
        .await
        .expect("create unrelated secret");
    let secrets = Api::<Secret>::namespaced(limited.clone(), &env.ns);
    assert!(
        forbidden(secrets.list(&ListParams::default()).await),
        "list Secrets"
    );
    assert!(
        forbidden(secrets.get("unrelated").await),
        "get an unreferenced Secret"
    );
    assert!(
        secrets.get("devnet-keys").await.is_ok(),
        "the referenced key Secret is readable"
    );
    let cms = Api::<ConfigMap>::namespaced(limited.clone(), &env.ns);
    let stray = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "stray", "namespace": env.ns}});
    assert!(
        forbidden(
            cms.patch("stray", &PatchParams::apply("opctl"), &Patch::Apply(&stray))
                .await
        ),
        "create an object opctl does not render"
    );
    let services = Api::<Service>::namespaced(limited.clone(), &env.ns);
    assert!(
        forbidden(
            services
                .delete("devnet-batcher", &DeleteParams::default())
                .await
        ),
        "delete without prune"
    );
    let namespaces = Api::<Namespace>::all(limited.clone());
    assert!(
        forbidden(namespaces.get("default").await),
        "another namespace"
    );
    assert!(forbidden(namespaces.list(&ListParams::default()).await));
    env.assert_no_secrets(&[w.log()]).await;
}

/// A loopback TCP proxy in front of anvil that can be stopped (connections refused and cut) and
/// started again on the same port.
struct Proxy {
    port: u16,
    target: String,
    task: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl Proxy {
    async fn start(target: &str) -> Arc<Proxy> {
        let port = free_port();
        let p = Arc::new(Proxy {
            port,
            target: target.to_string(),
            task: Mutex::new(None),
        });
        p.up().await;
        p
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    async fn up(&self) {
        let listener = TcpListener::bind(("127.0.0.1", self.port))
            .await
            .expect("bind proxy port");
        let target = self.target.clone();
        let task = tokio::spawn(async move {
            let mut conns = tokio::task::JoinSet::new();
            while let Ok((mut inbound, _)) = listener.accept().await {
                let target = target.clone();
                conns.spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
        });
        *self.task.lock().expect("lock") = Some(task);
    }

    /// Stops listening and cuts every open connection (the JoinSet aborts them when dropped).
    fn down(&self) {
        if let Some(t) = self.task.lock().expect("lock").take() {
            t.abort();
        }
    }
}

/// The hash of the block the devnet example's genesis.json produces (rollup.json must name it).
fn devnet_genesis_hash() -> String {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/devnet/genesis.json"),
    )
    .expect("read genesis");
    format!(
        "{:#x}",
        opctl::config::genesis::genesis_hash(&text).expect("hash the genesis")
    )
}

/// A chain file for the fixture chain, the lock file `opctl discover` writes for it, and the role
/// keys in the cluster.
async fn anvil_env(chain: &TestChain, rpc_url: &str) -> Env {
    let cluster = TestCluster::start().await;
    let ns = cluster.fresh_namespace().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let f = &chain.fixture;
    let rollup = json!({
        "genesis": {"l1": {"hash": format!("{:#066x}", 1), "number": 0}, "l2": {"hash": devnet_genesis_hash(), "number": 0}, "l2_time": 1735689600,
                    "system_config": {"batcherAddr": f.roles.batcher, "overhead": format!("{:#066x}", 0), "scalar": format!("{:#066x}", 1), "gasLimit": 30000000}},
        "block_time": 2, "max_sequencer_drift": 600, "seq_window_size": 3600, "channel_timeout": 300,
        "l1_chain_id": L1_CHAIN_ID, "l2_chain_id": 901,
        "batch_inbox_address": f.batch_inbox, "deposit_contract_address": f.optimism_portal,
        "l1_system_config_address": f.system_config,
    });
    std::fs::write(dir.path().join("rollup.json"), rollup.to_string()).expect("write");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/devnet/genesis.json"),
        dir.path().join("genesis.json"),
    )
    .expect("copy");
    let toml = format!(
        r#"[chain]
name = "devnet"
l2_chain_id = 901
rollup_config = "rollup.json"
genesis = "genesis.json"

[l1]
chain_id = {L1_CHAIN_ID}
rpc_url = "{rpc_url}"
beacon_url = "env:L1_BEACON_URL"

[contracts]
system_config = "{sc}"

[sequencer]
signing_key = {{ secret = "devnet-keys", key = "sequencer" }}

[batcher]
signer = {{ secret = "devnet-keys", key = "batcher" }}

[proposer]
signer = {{ secret = "devnet-keys", key = "proposer" }}

[watch]
rediscover = "1s"
"#,
        sc = f.system_config,
    );
    let path = dir.path().join("devnet.toml");
    std::fs::write(&path, toml).expect("write");
    let keys = [
        key_hex(&chain.keys.unsafe_block_signer),
        key_hex(&chain.keys.batcher),
        key_hex(&chain.keys.proposer),
    ];
    let secret: Secret = serde_json::from_value(json!({
        "apiVersion": "v1", "kind": "Secret", "metadata": {"name": "devnet-keys", "namespace": ns},
        "stringData": {"sequencer": keys[0], "batcher": keys[1], "proposer": keys[2]},
    }))
    .expect("secret");
    Api::<Secret>::namespaced(cluster.admin_client().await, &ns)
        .create(&PostParams::default(), &secret)
        .await
        .expect("create keys");
    let beacon_url = format!("https://beacon.example.org/v1/{}", random_hex());
    let mut secrets: Vec<String> = keys.to_vec();
    secrets.extend(keys.iter().map(|k| k.trim_start_matches("0x").to_string()));
    secrets.push(beacon_url.clone());
    let env = Env {
        cluster,
        ns,
        dir,
        chain: path,
        beacon_url,
        secrets,
    };
    let discovered = env.opctl(&["discover", env.chain(), "--keys-from-cluster"]);
    assert_eq!(
        discovered.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&discovered.stderr)
    );
    env
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batcher_rotated_on_chain_is_reported_holds_the_batcher_and_an_rpc_outage_keeps_the_lock()
{
    let mut chain = TestChain::start(Flavor::PermissionedV1).await;
    let proxy = Proxy::start(chain.url().trim_start_matches("http://")).await;
    let mut env = anvil_env(&chain, &proxy.url()).await;
    let w = env.watch(env.cluster.admin_kubeconfig(), "l1", &[]);
    w.wait_settled(&env).await;
    w.wait_value(
        "opctl_watch_discoveries_total",
        &[("result", "success")],
        |v| v >= 1.0,
    )
    .await;
    assert_eq!(w.value("opctl_watch_l1_changes_total", &[]).await, 0.0);
    assert_eq!(
        w.value("opctl_watch_check_failed", &[]).await,
        0.0,
        "{}",
        w.log()
    );

    // The RPC goes away: discovery fails, drift repair goes on from the lock file.
    proxy.down();
    w.wait_value(
        "opctl_watch_discoveries_total",
        &[("result", "failure")],
        |v| v >= 1.0,
    )
    .await;
    env.delete_and_wait_recreated("devnet-sequencer").await;
    // The RPC stays away across a retry too (retries back off, capped by `rediscover`).
    w.wait_value(
        "opctl_watch_discoveries_total",
        &[("result", "failure")],
        |v| v >= 2.0,
    )
    .await;
    proxy.up().await;
    let ok_before = w
        .value("opctl_watch_discoveries_total", &[("result", "success")])
        .await;
    w.wait_value(
        "opctl_watch_discoveries_total",
        &[("result", "success")],
        |v| v > ok_before,
    )
    .await;

    // A real SystemConfig.setBatcherHash from the owner.
    let new_batcher = chain.rotate_batcher().await;
    let msg = env.wait_event("L1Changed").await;
    assert!(msg.contains("roles.batcher"), "{msg}");
    assert!(msg.contains(&new_batcher.address().to_string()), "{msg}");
    w.wait_value(
        "opctl_watch_check_failed",
        &[("check", "batcher-key")],
        |v| v == 1.0,
    )
    .await;
    assert!(w.value("opctl_watch_l1_changes_total", &[]).await >= 1.0);
    w.wait_value("opctl_watch_l1_change_held", &[], |v| v == 1.0)
        .await;
    let held = env.wait_event("L1ChangeHeld").await;
    assert!(held.contains("opctl discover"), "{held}");

    // The batcher's key is no longer authorised: its drift is reported, not deployed; the proposer's
    // is still corrected.
    env.edit_image("devnet-batcher", "example.org/op-batcher:hacked")
        .await;
    env.edit_image("devnet-proposer", "example.org/op-proposer:hacked")
        .await;
    env.wait_image("devnet-proposer", PROPOSER_IMAGE).await;
    let msg = env.wait_event("HeldByChecks").await;
    assert!(
        msg.contains("batcher-key") && msg.contains("devnet-batcher"),
        "{msg}"
    );
    assert_eq!(
        env.image("devnet-batcher").await,
        "example.org/op-batcher:hacked"
    );

    // Rotating the key Secret to the new batcher's key releases the hold.
    let secrets = Api::<Secret>::namespaced(env.client().await, &env.ns);
    let patch = json!({"stringData": {"batcher": key_hex(&new_batcher)}});
    secrets
        .patch(
            "devnet-keys",
            &PatchParams::default(),
            &Patch::Merge(&patch),
        )
        .await
        .expect("rotate the key Secret");
    env.wait_image("devnet-batcher", BATCHER_IMAGE).await;
    assert_eq!(w.value("opctl_watch_check_failed", &[]).await, 0.0);
    env.secrets.push(key_hex(&new_batcher));
    env.assert_no_secrets(&[w.log()]).await;
}

impl Env {
    /// Like [`Env::start`], but nothing of the chain exists in the cluster: not even its namespace.
    async fn start_on_a_new_cluster(watch: &str) -> Env {
        let cluster = TestCluster::start().await;
        let ns = format!("new-{:08x}", rand::random::<u32>());
        let (dir, chain) = devnet_with_watch(watch);
        let beacon_url = format!("https://beacon.example.org/v1/{}", random_hex());
        Env {
            cluster,
            ns,
            dir,
            chain,
            secrets: vec![beacon_url.clone()],
            beacon_url,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_on_a_cluster_where_nothing_of_the_chain_exists_creates_every_object() {
    let env = Env::start_on_a_new_cluster("rediscover = \"0\"").await;
    let client = env.client().await;
    assert!(
        Api::<Namespace>::all(client.clone())
            .get_opt(&env.ns)
            .await
            .expect("get namespace")
            .is_none(),
        "the test must start without the chain's namespace"
    );
    // Every object `opctl render` prints for this chain file is what the watcher must create.
    let rendered = env.opctl(&["render", env.chain(), "-o", "json"]);
    assert!(
        rendered.status.success(),
        "{}",
        String::from_utf8_lossy(&rendered.stderr)
    );
    let list: serde_json::Value = serde_json::from_slice(&rendered.stdout).expect("render json");
    let wanted: Vec<(String, String)> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|o| {
            (
                o["kind"].as_str().unwrap_or_default().to_string(),
                o["metadata"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect();
    assert!(wanted.len() > 10, "{wanted:?}");

    let w = env.watch(env.cluster.admin_kubeconfig(), "solo", &[]);
    let missing = |client: Client, ns: String, wanted: Vec<(String, String)>| async move {
        let mut missing = Vec::new();
        for (kind, name) in &wanted {
            let (group, version, plural, namespaced) = match kind.as_str() {
                "Namespace" => ("", "v1", "namespaces", false),
                "ServiceAccount" => ("", "v1", "serviceaccounts", true),
                "Secret" => ("", "v1", "secrets", true),
                "ConfigMap" => ("", "v1", "configmaps", true),
                "Service" => ("", "v1", "services", true),
                "StatefulSet" => ("apps", "v1", "statefulsets", true),
                "Deployment" => ("apps", "v1", "deployments", true),
                "PodDisruptionBudget" => ("policy", "v1", "poddisruptionbudgets", true),
                "NetworkPolicy" => ("networking.k8s.io", "v1", "networkpolicies", true),
                other => panic!("render printed a kind this test does not know: {other}"),
            };
            let ar = kube::core::ApiResource::from_gvk_with_plural(
                &kube::core::GroupVersionKind::gvk(group, version, kind),
                plural,
            );
            let api: Api<kube::core::DynamicObject> = if namespaced {
                Api::namespaced_with(client.clone(), &ns, &ar)
            } else {
                Api::all_with(client.clone(), &ar)
            };
            if api.get_opt(name).await.ok().flatten().is_none() {
                missing.push(format!("{kind}/{name}"));
            }
        }
        missing
    };
    let done = poll(|| {
        let (client, ns, wanted) = (client.clone(), env.ns.clone(), wanted.clone());
        async move { missing(client, ns, wanted).await.is_empty().then_some(()) }
    })
    .await;
    if done.is_none() {
        let left = missing(client.clone(), env.ns.clone(), wanted.clone()).await;
        panic!(
            "the watcher had not created within the deadline: {left:?}\nwatcher log:\n{}",
            w.log()
        );
    }
    // The lease lives in the namespace the watcher created, and this process holds it.
    let lease = Api::<Lease>::namespaced(client.clone(), &env.ns)
        .get_opt("devnet-opctl-watch")
        .await
        .expect("get lease")
        .expect("the watcher's lease exists");
    assert_eq!(
        lease
            .spec
            .and_then(|s| s.holder_identity)
            .unwrap_or_default(),
        "solo"
    );
    let log = w.log();
    assert!(
        log.contains("created the chain's namespace"),
        "the first-run step is logged at the default level:\n{log}"
    );
    env.assert_no_secrets(&[log]).await;
}

/// `service/pod` → `ready` of every endpoint of the chain's public RPC Service (`devnet-rpc`:
/// replica-1; replica-0 is the challenger's, internal) and of replica-0's own Service, from the
/// EndpointSlices the real endpointslice controller writes.
async fn rpc_endpoints(env: &Env) -> BTreeMap<String, bool> {
    let slices = Api::<EndpointSlice>::namespaced(env.client().await, &env.ns)
        .list(
            &ListParams::default()
                .labels("kubernetes.io/service-name in (devnet-rpc,devnet-replica-0)"),
        )
        .await
        .expect("list EndpointSlices");
    slices
        .items
        .iter()
        .flat_map(|s| {
            let service = s
                .metadata
                .labels
                .as_ref()
                .and_then(|l| l.get("kubernetes.io/service-name"))
                .cloned()
                .unwrap_or_default();
            s.endpoints.iter().filter_map(move |e| {
                let pod = e.target_ref.as_ref()?.name.clone()?;
                let ready = e.conditions.as_ref().and_then(|c| c.ready).unwrap_or(false);
                Some((format!("{service}/{pod}"), ready))
            })
        })
        .collect()
}

async fn wait_endpoints(env: &Env, watcher: &Watcher, want: &[(&str, bool)]) {
    let want: BTreeMap<String, bool> = want.iter().map(|(p, r)| (p.to_string(), *r)).collect();
    let got = poll(|| async {
        let now = rpc_endpoints(env).await;
        (now == want).then_some(now)
    })
    .await;
    assert!(
        got.is_some(),
        "endpoints are {:?}, want {want:?} after {DEADLINE:?}; gates {:?} {:?}; log:\n{}",
        rpc_endpoints(env).await,
        gate_of(env, "devnet-replica-0-0").await,
        gate_of(env, "devnet-replica-1-0").await,
        watcher.log()
    );
}

/// The `opctl.io/caught-up` condition of a pod: (status, reason).
async fn gate_of(env: &Env, pod: &str) -> Option<(String, String)> {
    let pod = Api::<Pod>::namespaced(env.client().await, &env.ns)
        .get(pod)
        .await
        .expect("get pod");
    pod.status?
        .conditions?
        .into_iter()
        .find(|c| c.type_ == "opctl.io/caught-up")
        .map(|c| (c.status, c.reason.unwrap_or_default()))
}

async fn wait_gate(env: &Env, pod: &str, status: &str, reason: &str) {
    let found = poll(|| async {
        let now = gate_of(env, pod).await;
        matches!(&now, Some((s, r)) if s == status && r == reason).then_some(())
    })
    .await;
    assert!(
        found.is_some(),
        "{pod}: opctl.io/caught-up is {:?}, want ({status}, {reason}) after {DEADLINE:?}",
        gate_of(env, pod).await
    );
}

#[tokio::test]
async fn a_lagging_replica_leaves_the_rpc_service_and_comes_back_when_caught_up_with_metrics_and_events(
) {
    use crate::support::chain::ElAnvil;
    use crate::support::op_node::{OpNodeStandIn, SyncState};

    // The watcher runs with the rights of the Role the chain file renders for it, nothing more.
    let env = Env::start_on(
        TestCluster::start_with_pod_network().await,
        "deploy = true\nimage = \"example.org/opctl:v0.1.0\"",
    )
    .await;
    // Caught up = within 1000 blocks: the execution clients (anvil at 500 blocks) keep up with
    // op-node's unsafe heads (~1000) and a replica 1400 behind the sequencer is lagging.
    env.edit("[replicas]\n", "[replicas]\nreadiness_gate = true\n");
    let text = std::fs::read_to_string(&env.chain).expect("read");
    std::fs::write(&env.chain, format!("{text}\n[status]\nmax_lag = 1000\n")).expect("write");

    // The sequencer's identities exist before the first pass, so the replicas render with its
    // peer IDs at once and are never rolled onto them (a rolled pod gets a new address).
    let mut env = env;
    for (secret, key) in [
        ("devnet-sequencer-p2p", "p2p-key"),
        ("devnet-sequencer-el-key", "node-key"),
    ] {
        let value = random_hex();
        env.cluster
            .create_secret(&env.ns, secret, &[(key, &value)])
            .await;
        env.secrets.push(value);
    }
    // The L1: a real anvil, where the chain-operator roles' signers (the keys of the
    // devnet-keys Secret) start with nothing.
    let l1 = ElAnvil::start("127.0.0.1", 0, 11155111);
    assert_eq!(
        env.opctl(&["apply", env.chain(), "--yes", "--no-wait"])
            .status
            .code(),
        Some(0)
    );
    bind_limited_user_to(&env, "devnet-opctl-watch").await;
    let watcher = env.watch(
        env.cluster.limited_kubeconfig(),
        "watcher-a",
        &[
            "--node-status-every",
            "1s",
            "--operator-status-every",
            "1s",
            "--l1-rpc-url",
            l1.url(),
        ],
    );
    let pods = [
        "devnet-sequencer-0",
        "devnet-replica-0-0",
        "devnet-replica-1-0",
    ];
    let mut ips = Vec::new();
    for pod in pods {
        ips.push(env.cluster.pod_ip(&env.ns, pod).await);
    }
    // Before anything answers, no replica is caught up: no Service has a ready endpoint. The
    // public RPC Service never selects replica-0 (the challenger's).
    wait_endpoints(
        &env,
        &watcher,
        &[
            ("devnet-replica-0/devnet-replica-0-0", false),
            ("devnet-rpc/devnet-replica-1-0", false),
        ],
    )
    .await;
    wait_gate(&env, "devnet-replica-0-0", "False", "Unreachable").await;

    let rollup: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(env.dir.path().join("devnet/rollup.json")).expect("rollup"),
    )
    .expect("json");
    let mut els = Vec::new();
    for ip in &ips {
        let el = ElAnvil::start(&ip.to_string(), 8545, 42069);
        el.mine(500).await;
        els.push(el);
    }
    let heads = [1_500, 1_000, 1_000];
    let op_nodes: Vec<OpNodeStandIn> = ips
        .iter()
        .zip(heads)
        .map(|(ip, head)| OpNodeStandIn::start(*ip, 9545, rollup.clone(), SyncState::live(head)))
        .collect();

    // Both replicas caught up: both serve.
    wait_endpoints(
        &env,
        &watcher,
        &[
            ("devnet-replica-0/devnet-replica-0-0", true),
            ("devnet-rpc/devnet-replica-1-0", true),
        ],
    )
    .await;
    watcher
        .wait_value(
            "opctl_node_caught_up",
            &[("node", "devnet-replica-1")],
            |v| v == 1.0,
        )
        .await;
    watcher
        .wait_value(
            "opctl_node_head_block",
            &[("node", "devnet-sequencer"), ("head", "unsafe")],
            |v| v >= 1_500.0,
        )
        .await;
    watcher
        .wait_value(
            "opctl_node_execution_head_block",
            &[("node", "devnet-replica-0")],
            |v| v == 500.0,
        )
        .await;
    watcher
        .wait_value(
            "opctl_node_state",
            &[("node", "devnet-replica-0"), ("state", "synced")],
            |v| v == 1.0,
        )
        .await;
    watcher
        .wait_value(
            "opctl_node_peers",
            &[("node", "devnet-replica-0"), ("client", "op-node")],
            |v| v == 5.0,
        )
        .await;
    env.wait_event_about("ReplicaCaughtUp", "devnet-replica-1")
        .await;

    // replica-1 stalls far behind: it leaves the Service, replica-0 stays.
    op_nodes[2].set(SyncState {
        blocks_per_minute: 0,
        head_age: Duration::from_secs(3_600),
        ..SyncState::live(100)
    });
    wait_endpoints(
        &env,
        &watcher,
        &[
            ("devnet-replica-0/devnet-replica-0-0", true),
            ("devnet-rpc/devnet-replica-1-0", false),
        ],
    )
    .await;
    wait_gate(&env, "devnet-replica-1-0", "False", "Stalled").await;
    let behind = env
        .wait_event_about("ReplicaBehind", "devnet-replica-1")
        .await;
    assert!(
        behind.contains("devnet-replica-1") && behind.contains("devnet-rpc"),
        "{behind}"
    );
    let stalled = env
        .wait_event_about("NodeStalled", "devnet-replica-1")
        .await;
    assert!(stalled.contains("devnet-replica-1"), "{stalled}");
    watcher
        .wait_value(
            "opctl_node_caught_up",
            &[("node", "devnet-replica-1")],
            |v| v == 0.0,
        )
        .await;
    watcher
        .wait_value(
            "opctl_node_lag_blocks",
            &[("node", "devnet-replica-1"), ("head", "unsafe")],
            |v| v >= 1_400.0,
        )
        .await;
    watcher
        .wait_value(
            "opctl_node_state",
            &[("node", "devnet-replica-1"), ("state", "stalled")],
            |v| v == 1.0,
        )
        .await;

    // It catches up: back in the Service, and the recovery is an Event.
    op_nodes[2].set(SyncState::live(1_000));
    wait_endpoints(
        &env,
        &watcher,
        &[
            ("devnet-replica-0/devnet-replica-0-0", true),
            ("devnet-rpc/devnet-replica-1-0", true),
        ],
    )
    .await;
    let recovered = env
        .wait_event_about("NodeRecovered", "devnet-replica-1 (was stalled)")
        .await;
    assert!(
        recovered.contains("devnet-replica-1") && recovered.contains("was stalled"),
        "{recovered}"
    );

    // The operator roles on L1: an empty batcher account is low, and funding it is an Event.
    watcher
        .wait_value("opctl_signer_low_balance", &[("role", "batcher")], |v| {
            v == 1.0
        })
        .await;
    let low = env.wait_event_about("SignerLowBalance", "batcher").await;
    assert!(low.contains("low: below 0.1"), "{low}");
    let batcher_key = &env.secrets[1];
    let batcher = alloy::signers::local::PrivateKeySigner::from_bytes(
        &batcher_key.parse().expect("a 32-byte key"),
    )
    .expect("a key")
    .address();
    l1.set_balance(&batcher.to_string(), 3_000_000_000_000_000_000)
        .await;
    watcher
        .wait_value("opctl_signer_balance_eth", &[("role", "batcher")], |v| {
            v == 3.0
        })
        .await;
    watcher
        .wait_value("opctl_signer_low_balance", &[("role", "batcher")], |v| {
            v == 0.0
        })
        .await;
    env.wait_event_about("SignerFunded", "batcher").await;

    // The sequencer is never gated: no readiness gate, Ready on its containers alone.
    let sequencer = Api::<Pod>::namespaced(env.client().await, &env.ns)
        .get("devnet-sequencer-0")
        .await
        .expect("get sequencer pod");
    let spec = sequencer.spec.expect("spec");
    assert!(spec.readiness_gates.unwrap_or_default().is_empty());
    assert!(gate_of(&env, "devnet-sequencer-0").await.is_none());
    env.assert_no_secrets(&[watcher.log()]).await;
    drop(els);
}
