//! Rollouts against the real controllers: kube-controller-manager creates and replaces the pods,
//! kube-scheduler binds them, the kubelet stand-in runs them (or, by image name, never makes them
//! ready). Nothing here writes the status of a workload.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use k8s_openapi::api::core::v1::{Namespace, PersistentVolumeClaim, Pod};
use kube::api::{Api, ListParams};
use kube::Client;

use crate::support::cluster::TestCluster;
use crate::support::kubelet::NEVER_READY;
use crate::support::poll;

const EXAMPLES: [&str; 3] = ["devnet", "legacy-op-geth", "op-sepolia-replicas"];

fn random_hex() -> String {
    (0..4)
        .map(|_| format!("{:016x}", rand::random::<u64>()))
        .collect()
}

/// A shipped example copied (with its rollup/genesis files) into a temp dir.
fn copy_example(dir: &Path, name: &str) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let chain = dir.join(format!("{name}.toml"));
    std::fs::copy(root.join(format!("{name}.toml")), &chain).expect("copy example");
    let stem = name.split('-').next().unwrap_or(name);
    let files = root.join(stem);
    if files.is_dir() {
        std::fs::create_dir_all(dir.join(stem)).expect("mkdir");
        for f in std::fs::read_dir(&files).expect("read example dir") {
            let f = f.expect("entry").path();
            std::fs::copy(&f, dir.join(stem).join(f.file_name().expect("name"))).expect("copy");
        }
    }
    chain
}

/// Creates the Secrets a shipped example names (random values: nothing runs in the pods).
async fn create_example_secrets(cluster: &TestCluster, ns: &str, example: &str) {
    let secrets: Vec<(&str, Vec<&str>)> = match example {
        "devnet" => vec![
            ("l1-endpoints", vec!["rpc"]),
            (
                "devnet-keys",
                vec!["sequencer", "batcher", "proposer", "challenger"],
            ),
        ],
        "legacy-op-geth" => vec![
            ("legacy-keys", vec!["sequencer", "batcher"]),
            ("op-signer-tls", vec!["tls.crt", "tls.key", "ca.crt"]),
        ],
        "op-sepolia-replicas" => vec![("l1-endpoints", vec!["rpc", "beacon"])],
        other => panic!("no secrets known for example {other}"),
    };
    for (name, keys) in secrets {
        let values: Vec<String> = keys.iter().map(|_| random_hex()).collect();
        let data: Vec<(&str, &str)> = keys
            .iter()
            .copied()
            .zip(values.iter().map(String::as_str))
            .collect();
        cluster.create_secret(ns, name, &data).await;
    }
}

fn opctl(cluster: &TestCluster, ns: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_opctl"))
        .env(
            "L1_RPC_URL",
            format!("https://l1.example.org/{}", random_hex()),
        )
        .env(
            "L1_BEACON_URL",
            format!("https://beacon.example.org/{}", random_hex()),
        )
        .env_remove("KUBECONFIG")
        .env("NO_COLOR", "1")
        .arg("--kubeconfig")
        .arg(cluster.admin_kubeconfig())
        .args(["-n", ns])
        .args(args)
        .output()
        .expect("opctl runs")
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn assert_code(out: &Output, code: i32) {
    let (o, e) = text(out);
    assert_eq!(out.status.code(), Some(code), "stdout:\n{o}\nstderr:\n{e}");
}

#[tokio::test]
async fn every_example_applies_fresh_and_apply_returns_once_the_controllers_report_every_rollout_complete(
) {
    let cluster = TestCluster::start().await;
    let client = cluster.admin_client().await;
    for example in EXAMPLES {
        let dir = tempfile::tempdir().expect("tempdir");
        let chain = copy_example(dir.path(), example);
        let ns = cluster.fresh_namespace().await;
        create_example_secrets(&cluster, &ns, example).await;
        let chain = chain.to_str().expect("utf-8");
        let out = opctl(
            &cluster,
            &ns,
            &["apply", chain, "--yes", "--timeout", "120s"],
        );
        assert_code(&out, 0);
        let (_, stderr) = text(&out);
        let workloads = cluster.assert_rolled_out(&ns).await;
        assert!(workloads >= 2, "{example}: {workloads} workloads");
        // The progress output names each workload as it becomes ready.
        let ready_lines = stderr.lines().filter(|l| l.contains("ready: ")).count();
        assert!(
            ready_lines >= workloads,
            "{example}: progress shows {ready_lines} ready lines for {workloads} workloads:\n{stderr}"
        );
        // The pods are the controllers' own, bound by the scheduler to a node.
        let pods = Api::<Pod>::namespaced(client.clone(), &ns)
            .list(&ListParams::default())
            .await
            .expect("list pods");
        assert!(pods.items.len() >= workloads, "{example}");
        for pod in &pods.items {
            assert!(
                pod.spec
                    .as_ref()
                    .and_then(|s| s.node_name.as_ref())
                    .is_some(),
                "{example}: pod {:?} not scheduled",
                pod.metadata.name
            );
        }
    }
}

/// The op-sepolia replicas example in a fresh namespace: two op-reth + op-node StatefulSets.
struct Replicas {
    cluster: TestCluster,
    client: Client,
    ns: String,
    _dir: tempfile::TempDir,
    chain: PathBuf,
}

impl Replicas {
    async fn start() -> Replicas {
        Replicas::start_example("op-sepolia-replicas").await
    }

    /// A shipped example in a fresh namespace, with the Secrets it names.
    async fn start_example(example: &str) -> Replicas {
        let cluster = TestCluster::start().await;
        let client = cluster.admin_client().await;
        let dir = tempfile::tempdir().expect("tempdir");
        let chain = copy_example(dir.path(), example);
        let ns = cluster.fresh_namespace().await;
        create_example_secrets(&cluster, &ns, example).await;
        Replicas {
            cluster,
            client,
            ns,
            _dir: dir,
            chain,
        }
    }

    fn chain(&self) -> &str {
        self.chain.to_str().expect("utf-8")
    }

    fn opctl(&self, args: &[&str]) -> Output {
        opctl(&self.cluster, &self.ns, args)
    }

    /// Sets the op-reth image (an `[images]` table appended to the example).
    fn set_op_reth_image(&self, image: &str) {
        let text = std::fs::read_to_string(&self.chain).expect("read");
        let base = text
            .split("\n[images]\n")
            .next()
            .unwrap_or(&text)
            .to_string();
        std::fs::write(
            &self.chain,
            format!("{base}\n[images]\nop_reth = \"{image}\"\n"),
        )
        .expect("write");
    }

    async fn pod(&self, name: &str) -> Pod {
        Api::<Pod>::namespaced(self.client.clone(), &self.ns)
            .get(name)
            .await
            .unwrap_or_else(|e| panic!("get pod {name}: {e}"))
    }
}

fn image_of(pod: &Pod, container: &str) -> String {
    pod.spec
        .as_ref()
        .expect("spec")
        .containers
        .iter()
        .find(|c| c.name == container)
        .and_then(|c| c.image.clone())
        .unwrap_or_default()
}

#[tokio::test]
async fn an_image_change_replaces_the_pod_a_never_ready_one_fails_apply_and_the_fix_replaces_the_stuck_pod(
) {
    let env = Replicas::start().await;
    let first = env.opctl(&["apply", env.chain(), "--yes", "--timeout", "120s"]);
    assert_code(&first, 0);
    let before = env.pod("op-sepolia-replica-0-0").await;

    // A new image: the statefulset controller replaces the pod with one of the new revision, and
    // apply returns once it is ready.
    let good = "ghcr.io/paradigmxyz/op-reth:v9.9.1";
    env.set_op_reth_image(good);
    let rolled = env.opctl(&["apply", env.chain(), "--yes", "--timeout", "120s"]);
    assert_code(&rolled, 0);
    let after = env.pod("op-sepolia-replica-0-0").await;
    assert_ne!(
        after.metadata.uid, before.metadata.uid,
        "the pod was not replaced"
    );
    assert_eq!(image_of(&after, "op-reth"), good);
    env.cluster.assert_rolled_out(&env.ns).await;

    // An image that never becomes ready: apply fails at --timeout, naming the workload, the pod
    // and why (its conditions), and leaves the rest applied.
    let broken = format!("ghcr.io/paradigmxyz/op-reth:v9.9.2-{NEVER_READY}");
    env.set_op_reth_image(&broken);
    let failed = env.opctl(&["apply", env.chain(), "--yes", "--timeout", "5s"]);
    assert_code(&failed, 1);
    let (_, stderr) = text(&failed);
    assert!(
        stderr.contains("stopped at step 1/2")
            && stderr.contains("the --timeout of 5s ran out")
            && stderr.contains("untouched (not rolled): StatefulSet/op-sepolia-replica-1"),
        "{stderr}"
    );
    assert!(
        stderr.contains("StatefulSet/op-sepolia-replica-0"),
        "{stderr}"
    );
    assert!(stderr.contains("pod op-sepolia-replica-0-0"), "{stderr}");
    assert!(stderr.contains("Ready=False"), "{stderr}");

    // The next plan still shows what is unfinished, though nothing in the file changed.
    let plan = env.opctl(&["plan", env.chain()]);
    assert_code(&plan, 0);
    let (stdout, _) = text(&plan);
    assert!(
        stdout.contains("unfinished rollout: StatefulSet/op-sepolia-replica-0"),
        "{stdout}"
    );
    assert!(stdout.contains("pod op-sepolia-replica-0-0"), "{stdout}");

    // Fixing the image does not move the stuck pod by itself (the controller waits for it to
    // become ready first): the plan says apply deletes it, and apply then finishes.
    env.set_op_reth_image(good);
    let plan = env.opctl(&["plan", env.chain()]);
    let (stdout, _) = text(&plan);
    assert!(
        stdout
            .contains("apply deletes pod op-sepolia-replica-0-0 once the new revision is in place"),
        "{stdout}"
    );
    let fixed = env.opctl(&["apply", env.chain(), "--yes", "--timeout", "120s"]);
    assert_code(&fixed, 0);
    assert!(
        text(&fixed)
            .1
            .contains("deleted pod op-sepolia-replica-0-0"),
        "{}",
        text(&fixed).1
    );
    let pod = env.pod("op-sepolia-replica-0-0").await;
    assert_eq!(image_of(&pod, "op-reth"), good);
    env.cluster.assert_rolled_out(&env.ns).await;
}

#[tokio::test]
async fn destroy_with_the_garbage_collector_removes_pods_keeps_volumes_and_deletes_the_namespace_when_asked(
) {
    let env = Replicas::start().await;
    assert_code(
        &env.opctl(&["apply", env.chain(), "--yes", "--timeout", "120s"]),
        0,
    );
    let pods = Api::<Pod>::namespaced(env.client.clone(), &env.ns);
    let pvcs = Api::<PersistentVolumeClaim>::namespaced(env.client.clone(), &env.ns);
    let claims = pvcs.list(&ListParams::default()).await.expect("list").items;
    assert_eq!(claims.len(), 2, "one data volume per replica");

    assert_code(&env.opctl(&["destroy", env.chain(), "--yes"]), 0);
    // The garbage collector removes the StatefulSets' pods; the claims stay.
    let gone = poll(|| async {
        pods.list(&ListParams::default())
            .await
            .expect("list")
            .items
            .is_empty()
            .then_some(())
    })
    .await;
    assert!(
        gone.is_some(),
        "the pods of the deleted StatefulSets were never collected"
    );
    let kept = pvcs.list(&ListParams::default()).await.expect("list").items;
    assert_eq!(kept.len(), 2, "destroy must keep the volumes");

    // --delete-namespace returns only once the namespace controller has finished.
    let out = env.opctl(&[
        "destroy",
        env.chain(),
        "--yes",
        "--delete-volumes",
        "--delete-namespace",
        "--timeout",
        "120s",
    ]);
    assert_code(&out, 0);
    assert!(
        text(&out).1.contains("waiting for Kubernetes"),
        "{}",
        text(&out).1
    );
    let ns = Api::<Namespace>::all(env.client.clone())
        .get_opt(&env.ns)
        .await
        .expect("get namespace");
    assert!(
        ns.is_none(),
        "destroy returned before the namespace was gone"
    );
}

/// Records, in the order the apiserver reports them (watch events follow etcd revisions), the
/// pods created in `ns` after `since` that run `image`.
fn record_pod_creations(
    client: Client,
    ns: &str,
    since: String,
    image: String,
) -> std::sync::Arc<std::sync::Mutex<Vec<String>>> {
    use futures::StreamExt;
    use kube::api::{WatchEvent, WatchParams};
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let out = seen.clone();
    let api = Api::<Pod>::namespaced(client, ns);
    tokio::spawn(async move {
        let mut stream = api
            .watch(&WatchParams::default(), &since)
            .await
            .expect("watch pods")
            .boxed();
        while let Some(Ok(event)) = stream.next().await {
            if let WatchEvent::Added(pod) = event {
                let runs_it = pod.spec.as_ref().is_some_and(|s| {
                    s.containers
                        .iter()
                        .any(|c| c.image.as_deref() == Some(&image))
                });
                if runs_it {
                    let name = pod.metadata.name.clone().unwrap_or_default();
                    out.lock().expect("lock").push(name);
                }
            }
        }
    });
    seen
}

fn template_image(sts: &k8s_openapi::api::apps::v1::StatefulSet, container: &str) -> String {
    sts.spec
        .as_ref()
        .and_then(|s| s.template.spec.as_ref())
        .and_then(|s| s.containers.iter().find(|c| c.name == container))
        .and_then(|c| c.image.clone())
        .unwrap_or_default()
}

#[tokio::test]
async fn an_image_bump_rolls_the_replicas_one_by_one_then_the_sequencer_and_a_replica_that_never_gets_ready_stops_it(
) {
    use k8s_openapi::api::apps::v1::StatefulSet;
    let env = Replicas::start_example("devnet").await;
    let first = env.opctl(&["apply", env.chain(), "--yes", "--timeout", "120s"]);
    assert_code(&first, 0);

    // The plan names the order and what the sequencer step costs.
    let good = "ghcr.io/paradigmxyz/op-reth:v9.9.1";
    env.set_op_reth_image(good);
    let plan = env.opctl(&["plan", env.chain()]);
    assert_code(&plan, 0);
    let (stdout, _) = text(&plan);
    let order = stdout
        .split("Rollout order")
        .nth(1)
        .unwrap_or_else(|| panic!("no rollout order in the plan:\n{stdout}"));
    let at = |name: &str| {
        order
            .find(&format!("StatefulSet/{name} "))
            .unwrap_or_else(|| panic!("{name} not in the order:\n{order}"))
    };
    assert!(at("devnet-replica-0") < at("devnet-replica-1"), "{order}");
    assert!(at("devnet-replica-1") < at("devnet-sequencer"), "{order}");
    assert!(order.contains("no blocks for at least"), "{order}");

    // The rollout: the pods of the new revision appear replica-0, replica-1, sequencer.
    let pods = Api::<Pod>::namespaced(env.client.clone(), &env.ns);
    let since = pods
        .list(&ListParams::default())
        .await
        .expect("list")
        .metadata
        .resource_version
        .expect("resourceVersion");
    let created = record_pod_creations(env.client.clone(), &env.ns, since, good.to_string());
    let rolled = env.opctl(&["apply", env.chain(), "--yes", "--timeout", "120s"]);
    assert_code(&rolled, 0);
    let (_, stderr) = text(&rolled);
    // Every role rolls here (the test's L1 URLs are fresh per run, so every pod's config moves):
    // replicas in ordinal order, the sequencer, then batcher, proposer, challenger.
    let steps: Vec<&str> = stderr
        .lines()
        .filter_map(|l| l.split_once(": rolling ").map(|(_, rest)| rest))
        .filter_map(|rest| rest.split_once(": ").map(|(_, obj)| obj))
        .filter_map(|obj| obj.split(' ').next())
        .collect();
    assert_eq!(
        steps,
        [
            "StatefulSet/devnet-replica-0",
            "StatefulSet/devnet-replica-1",
            "StatefulSet/devnet-sequencer",
            "Deployment/devnet-batcher",
            "Deployment/devnet-proposer",
            "StatefulSet/devnet-challenger"
        ],
        "{stderr}"
    );
    let expected = [
        "devnet-replica-0-0",
        "devnet-replica-1-0",
        "devnet-sequencer-0",
    ];
    let seen_all = poll(|| {
        let seen = created.lock().expect("lock").clone();
        async move { (seen.len() >= expected.len()).then_some(()) }
    })
    .await;
    assert!(
        seen_all.is_some(),
        "the watch saw {:?}",
        created.lock().expect("lock")
    );
    assert_eq!(*created.lock().expect("lock"), expected);
    env.cluster.assert_rolled_out(&env.ns).await;

    // A version no replica gets ready on: the apply stops at replica-0; replica-1 and the
    // sequencer keep the version that works.
    let broken = format!("ghcr.io/paradigmxyz/op-reth:v9.9.2-{NEVER_READY}");
    env.set_op_reth_image(&broken);
    let failed = env.opctl(&["apply", env.chain(), "--yes", "--timeout", "10s"]);
    assert_code(&failed, 1);
    let (_, stderr) = text(&failed);
    assert!(
        stderr.contains("stopped at step 1/6, StatefulSet/devnet-replica-0")
            && stderr.contains("untouched (not rolled): StatefulSet/devnet-replica-1")
            && stderr.contains("StatefulSet/devnet-sequencer"),
        "{stderr}"
    );
    let sts = Api::<StatefulSet>::namespaced(env.client.clone(), &env.ns);
    for (name, image) in [
        ("devnet-replica-0", broken.as_str()),
        ("devnet-replica-1", good),
        ("devnet-sequencer", good),
    ] {
        let live = sts.get(name).await.expect("statefulset");
        assert_eq!(template_image(&live, "op-reth"), image, "{name}");
    }
    assert_eq!(
        image_of(&env.pod("devnet-sequencer-0").await, "op-reth"),
        good
    );

    // --parallel rolls every role at once (the old behaviour): all three templates move.
    let parallel = env.opctl(&["apply", env.chain(), "--yes", "--no-wait", "--parallel"]);
    assert_code(&parallel, 0);
    for name in ["devnet-replica-0", "devnet-replica-1", "devnet-sequencer"] {
        let live = sts.get(name).await.expect("statefulset");
        assert_eq!(template_image(&live, "op-reth"), broken, "{name}");
    }
}

/// Serves each node pod of a chain as soon as it has an address: a real anvil as its execution
/// client (500 blocks) and the op-node stand-in, in the state [`NodeServer::expect`] set for that
/// pod name (sequencer: live at 1500; replicas: live at 1000). A re-created pod (new address) gets
/// new servers; the old ones stay until the test ends.
struct NodeServer {
    next: std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, SyncState>>>,
    serving: std::sync::Arc<std::sync::Mutex<Vec<Served>>>,
    task: tokio::task::JoinHandle<()>,
}

use crate::support::chain::ElAnvil;
use crate::support::op_node::{OpNodeStandIn, SyncState};

/// A pod served: its name, its address, its op-node stand-in and its execution client.
type Served = (String, String, OpNodeStandIn, ElAnvil);

impl NodeServer {
    fn start(client: Client, ns: &str, rollup: serde_json::Value) -> NodeServer {
        let next = std::sync::Arc::new(std::sync::Mutex::new(std::collections::HashMap::new()));
        let serving = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let (n, s) = (next.clone(), serving.clone());
        let pods = Api::<Pod>::namespaced(client, ns);
        let task = tokio::spawn(async move {
            loop {
                let list = pods.list(&ListParams::default()).await;
                for pod in list.map(|l| l.items).unwrap_or_default() {
                    let name = pod.metadata.name.clone().unwrap_or_default();
                    let is_node = name.contains("-sequencer-") || name.contains("-replica-");
                    let Some(ip) = pod.status.as_ref().and_then(|st| st.pod_ip.clone()) else {
                        continue;
                    };
                    let known = s.lock().expect("lock").iter().any(|(_, i, _, _)| i == &ip);
                    if !is_node || known || pod.metadata.deletion_timestamp.is_some() {
                        continue;
                    }
                    let state = n
                        .lock()
                        .expect("lock")
                        .get(&name)
                        .cloned()
                        .unwrap_or_else(|| {
                            SyncState::live(if name.contains("-sequencer-") {
                                1_500
                            } else {
                                1_000
                            })
                        });
                    let el = ElAnvil::start(&ip, 8545, 42069);
                    el.mine(500).await;
                    let addr: std::net::Ipv4Addr = ip.parse().expect("pod IPv4");
                    let op_node = OpNodeStandIn::start(addr, 9545, rollup.clone(), state);
                    s.lock().expect("lock").push((name, ip, op_node, el));
                }
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            }
        });
        NodeServer {
            next,
            serving,
            task,
        }
    }

    /// The state the next server of `pod` starts in.
    fn expect(&self, pod: &str, state: SyncState) {
        self.next
            .lock()
            .expect("lock")
            .insert(pod.to_string(), state);
    }

    /// Sets the state of the newest server of `pod`; false when none serves it yet.
    fn set(&self, pod: &str, state: SyncState) -> bool {
        let serving = self.serving.lock().expect("lock");
        match serving.iter().rev().find(|(name, _, _, _)| name == pod) {
            Some((_, _, op_node, _)) => {
                op_node.set(state);
                true
            }
            None => false,
        }
    }

    fn ip_of(&self, pod: &str) -> Option<String> {
        let serving = self.serving.lock().expect("lock");
        serving
            .iter()
            .rev()
            .find(|(name, _, _, _)| name == pod)
            .map(|(_, ip, _, _)| ip.clone())
    }
}

impl Drop for NodeServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// `opctl` as a child the test does not block on (the node server keeps answering meanwhile).
fn opctl_child(cluster: &TestCluster, ns: &str, args: &[&str]) -> tokio::process::Child {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_opctl"))
        .env("L1_RPC_URL", "https://l1.example.org/fixed")
        .env("L1_BEACON_URL", "https://beacon.example.org/fixed")
        .env_remove("KUBECONFIG")
        .env("NO_COLOR", "1")
        .arg("--kubeconfig")
        .arg(cluster.admin_kubeconfig())
        .args(["-n", ns])
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("opctl runs")
}

/// The `opctl.io/caught-up` condition of a pod and its address: (status, reason, podIP).
async fn gate_and_ip(client: &Client, ns: &str, pod: &str) -> Option<(String, String, String)> {
    let pod = Api::<Pod>::namespaced(client.clone(), ns)
        .get_opt(pod)
        .await
        .ok()??;
    let status = pod.status?;
    let ip = status.pod_ip.clone()?;
    status
        .conditions?
        .into_iter()
        .find(|c| c.type_ == "opctl.io/caught-up")
        .map(|c| (c.status, c.reason.unwrap_or_default(), ip))
}

#[tokio::test]
async fn with_the_readiness_gate_apply_waits_for_a_rolled_replica_to_catch_up_before_the_next_step()
{
    use k8s_openapi::api::apps::v1::StatefulSet;
    let cluster = TestCluster::start_with_pod_network().await;
    let client = cluster.admin_client().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let chain_path = copy_example(dir.path(), "devnet");
    let ns = cluster.fresh_namespace().await;
    create_example_secrets(&cluster, &ns, "devnet").await;
    // The sequencer's identities exist before the first apply, so no replica is rolled onto
    // them afterwards (a rolled pod gets a new address).
    for (secret, key) in [
        ("devnet-sequencer-p2p", "p2p-key"),
        ("devnet-sequencer-el-key", "node-key"),
    ] {
        cluster
            .create_secret(&ns, secret, &[(key, &random_hex())])
            .await;
    }
    // Caught up = within 1000 blocks (the anvils' 500 blocks keep up with op-node's ~1000).
    let file = std::fs::read_to_string(&chain_path).expect("read");
    let file = file.replacen("[replicas]\n", "[replicas]\nreadiness_gate = true\n", 1);
    std::fs::write(&chain_path, format!("{file}\n[status]\nmax_lag = 1000\n")).expect("write");
    let chain = chain_path.to_str().expect("utf-8");
    let rollup: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("devnet/rollup.json")).expect("rollup"),
    )
    .expect("json");
    let nodes = NodeServer::start(client.clone(), &ns, rollup);

    // A fresh apply: the replicas count as ready once the apply has judged them caught up.
    let first = opctl_child(
        &cluster,
        &ns,
        &["apply", chain, "--yes", "--timeout", "300s"],
    )
    .wait_with_output()
    .await
    .expect("apply");
    assert_code(&first, 0);
    for pod in ["devnet-replica-0-0", "devnet-replica-1-0"] {
        let gate = gate_and_ip(&client, &ns, pod).await;
        assert!(
            matches!(&gate, Some((s, r, _)) if s == "True" && r == "CaughtUp"),
            "{pod}: {gate:?}"
        );
    }

    // An op-reth bump: replica-0's new pod comes up far behind and stuck.
    let old_ip = nodes.ip_of("devnet-replica-0-0").expect("replica-0 served");
    nodes.expect(
        "devnet-replica-0-0",
        SyncState {
            blocks_per_minute: 0,
            head_age: std::time::Duration::from_secs(3_600),
            ..SyncState::live(100)
        },
    );
    let old_image = {
        let sts = Api::<StatefulSet>::namespaced(client.clone(), &ns);
        template_image(&sts.get("devnet-sequencer").await.expect("sts"), "op-reth")
    };
    let good = "ghcr.io/paradigmxyz/op-reth:v9.9.1";
    let file = std::fs::read_to_string(&chain_path).expect("read");
    std::fs::write(
        &chain_path,
        format!("{file}\n[images]\nop_reth = \"{good}\"\n"),
    )
    .expect("write");
    let rolling = opctl_child(
        &cluster,
        &ns,
        &["apply", chain, "--yes", "--timeout", "300s"],
    );

    // The apply has rolled replica-0 and judged it behind ...
    let judged = poll(|| async {
        match gate_and_ip(&client, &ns, "devnet-replica-0-0").await {
            Some((s, r, ip)) if s == "False" && r == "Stalled" && ip != old_ip => Some(()),
            _ => None,
        }
    })
    .await;
    assert!(
        judged.is_some(),
        "replica-0's new pod was never judged stalled: {:?}",
        gate_and_ip(&client, &ns, "devnet-replica-0-0").await
    );
    // ... and, while it is behind, has not touched the next steps.
    let sts = Api::<StatefulSet>::namespaced(client.clone(), &ns);
    for name in ["devnet-replica-1", "devnet-sequencer"] {
        let live = sts.get(name).await.expect("statefulset");
        assert_eq!(
            template_image(&live, "op-reth"),
            old_image,
            "{name} rolled too early"
        );
    }
    assert_eq!(
        template_image(&sts.get("devnet-replica-0").await.expect("sts"), "op-reth"),
        good
    );

    // It catches up: the apply goes on and finishes every step.
    assert!(nodes.set("devnet-replica-0-0", SyncState::live(1_000)));
    let rolled = rolling.wait_with_output().await.expect("apply");
    assert_code(&rolled, 0);
    let (_, stderr) = text(&rolled);
    assert!(
        stderr.contains("devnet-replica-0-0 not caught up (Stalled)"),
        "{stderr}"
    );
    for name in ["devnet-replica-0", "devnet-replica-1", "devnet-sequencer"] {
        let live = sts.get(name).await.expect("statefulset");
        assert_eq!(template_image(&live, "op-reth"), good, "{name}");
    }
}
