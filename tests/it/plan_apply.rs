//! `opctl plan` / `apply` / `destroy` / `status` as a user runs them, against the harness's real
//! kube-apiserver: exact diffs, drift, prune, replace, saved plans, RBAC, and no secret in any output.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use base64::Engine;
use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod, Secret, Service};
use k8s_openapi::api::networking::v1::NetworkPolicy;
use kube::api::{Api, ListParams, Patch, PatchParams, PostParams};
use serde_json::json;

use crate::support::cluster::TestCluster;
use crate::support::poll;

struct Env {
    cluster: TestCluster,
    ns: String,
    _dir: tempfile::TempDir,
    chain: PathBuf,
    beacon_url: String,
    /// Every secret value this test put in play; none may ever show in output or a plan file.
    secrets: Vec<String>,
}

fn random_hex() -> String {
    (0..4)
        .map(|_| format!("{:016x}", rand::random::<u64>()))
        .collect()
}

fn copy_examples(dir: &Path) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    std::fs::create_dir_all(dir.join("devnet")).expect("mkdir");
    for f in ["rollup.json", "genesis.json"] {
        std::fs::copy(root.join("devnet").join(f), dir.join("devnet").join(f)).expect("copy");
    }
    let chain = dir.join("devnet.toml");
    std::fs::copy(root.join("devnet.toml"), &chain).expect("copy");
    chain
}

impl Env {
    async fn start() -> Env {
        let cluster = TestCluster::start().await;
        let ns = cluster.fresh_namespace().await;
        let dir = tempfile::tempdir().expect("tempdir");
        let chain = copy_examples(dir.path());
        let keys: Vec<String> = (0..4).map(|_| random_hex()).collect();
        let roles = ["sequencer", "batcher", "proposer", "challenger"];
        let pairs: Vec<(&str, &str)> = roles
            .iter()
            .copied()
            .zip(keys.iter().map(String::as_str))
            .collect();
        cluster.create_secret(&ns, "devnet-keys", &pairs).await;
        let beacon_url = format!("https://beacon.example.org/v1/{}", random_hex());
        // The L1 RPC Secret the example names; pods cannot start without it (a kubelet refuses
        // to create a container whose env refers to a missing Secret key).
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
            _dir: dir,
            chain,
            beacon_url,
            secrets,
        }
    }

    fn run(&self, kubeconfig: &Path, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_opctl"))
            .env("L1_BEACON_URL", &self.beacon_url)
            .env_remove("KUBECONFIG")
            .env("NO_COLOR", "1")
            .arg("--kubeconfig")
            .arg(kubeconfig)
            .args(["-n", &self.ns])
            .args(args)
            .output()
            .expect("opctl runs")
    }

    fn opctl(&self, args: &[&str]) -> Output {
        let out = self.run(self.cluster.admin_kubeconfig(), args);
        self.assert_no_secret_in(&out);
        out
    }

    fn chain(&self) -> &str {
        self.chain.to_str().expect("utf-8 path")
    }

    fn edit(&self, from: &str, to: &str) {
        let text = std::fs::read_to_string(&self.chain).expect("read");
        assert!(text.contains(from), "`{from}` not in the chain file");
        std::fs::write(&self.chain, text.replacen(from, to, 1)).expect("write");
    }

    fn assert_no_secret_in(&self, out: &Output) {
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        for s in &self.secrets {
            assert!(
                !all.contains(s.as_str()),
                "a secret value leaked into output:\n{all}"
            );
        }
    }

    /// Add the values of the generated Secrets (JWT, p2p keys) to the never-shown list.
    async fn collect_generated_secrets(&mut self) {
        let secrets = Api::<Secret>::namespaced(self.cluster.admin_client().await, &self.ns)
            .list(&ListParams::default().labels("opctl.io/chain=devnet"))
            .await
            .expect("list secrets");
        for s in secrets {
            for v in s.data.unwrap_or_default().values() {
                let text = String::from_utf8_lossy(&v.0).to_string();
                self.secrets
                    .push(base64::engine::general_purpose::STANDARD.encode(&v.0));
                self.secrets.push(text);
            }
        }
        assert!(
            self.secrets.len() >= 5 + 6 * 2,
            "generated secrets were not created"
        );
    }

    fn apply(&self, extra: &[&str]) -> Output {
        let mut args = vec!["apply", self.chain(), "--yes", "--no-wait"];
        args.extend_from_slice(extra);
        self.opctl(&args)
    }
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
async fn a_fresh_apply_creates_everything_and_the_next_plan_is_empty() {
    let mut env = Env::start().await;
    let plan = env.opctl(&["plan", env.chain(), "--exit-code"]);
    assert_code(&plan, 2);
    let (stdout, _) = text(&plan);
    assert!(
        stdout.contains("create (generated)") && stdout.contains("devnet-sequencer"),
        "{stdout}"
    );
    let applied = env.apply(&[]);
    assert_code(&applied, 0);
    env.collect_generated_secrets().await;
    let client = env.cluster.admin_client().await;
    let sts = Api::<StatefulSet>::namespaced(client.clone(), &env.ns)
        .list(&ListParams::default())
        .await
        .expect("list");
    let mut names: Vec<String> = sts
        .items
        .iter()
        .filter_map(|s| s.metadata.name.clone())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "devnet-challenger",
            "devnet-replica-0",
            "devnet-replica-1",
            "devnet-sequencer"
        ]
    );
    let deps = Api::<Deployment>::namespaced(client.clone(), &env.ns)
        .list(&ListParams::default())
        .await
        .expect("list");
    assert_eq!(deps.items.len(), 2);
    // Every field is owned by opctl's single field manager.
    let owners: Vec<String> = sts.items[0]
        .metadata
        .managed_fields
        .iter()
        .flatten()
        // The statefulset controller owns the status subresource.
        .filter(|m| m.subresource.as_deref() != Some("status"))
        .filter_map(|m| m.manager.clone())
        .collect();
    assert_eq!(owners, ["opctl"]);
    // The replicas learned the sequencer's peer ID from the generated key (converged within apply).
    let replica = sts
        .items
        .iter()
        .find(|s| s.metadata.name.as_deref() == Some("devnet-replica-0"))
        .expect("replica");
    let args = serde_json::to_string(&replica.spec).expect("json");
    assert!(
        args.contains("--p2p.static=/dns4/devnet-sequencer-0.devnet-sequencer-headless"),
        "replica lacks the static peer"
    );

    let again = env.opctl(&["plan", env.chain(), "--exit-code"]);
    assert_code(&again, 0);
    assert!(text(&again).0.contains("No changes."), "{}", text(&again).0);
    // A second apply writes nothing.
    let rv_before = Api::<Service>::namespaced(client.clone(), &env.ns)
        .get("devnet-batcher")
        .await
        .expect("svc")
        .metadata
        .resource_version;
    assert_code(&env.apply(&[]), 0);
    let rv_after = Api::<Service>::namespaced(client, &env.ns)
        .get("devnet-batcher")
        .await
        .expect("svc")
        .metadata
        .resource_version;
    assert_eq!(rv_before, rv_after);
    // Status shows every workload.
    let status = env.opctl(&["status", env.chain(), "-o", "json"]);
    assert_code(&status, 0);
    let v: serde_json::Value = serde_json::from_slice(&status.stdout).expect("json");
    assert_eq!(v["workloads"].as_array().expect("workloads").len(), 6);
    // Without the pod network the stand-in's pod addresses route nowhere: each node is reported
    // unreachable with that reason, not as a missing permission.
    let nodes = serde_json::to_string(&v["nodes"]).expect("json");
    assert!(
        v["nodes"].as_array().is_some_and(|n| !n.is_empty()),
        "{nodes}"
    );
    assert!(!nodes.contains("grant the user a Role"), "{nodes}");
}

/// Nothing enforces NetworkPolicies without a CNI plugin: this checks that the apiserver accepts
/// and stores exactly what opctl renders, that the plan shows what each policy allows, that a
/// second plan is empty, and that switching them off prunes them.
#[tokio::test]
async fn network_policies_are_stored_as_rendered_and_the_next_plan_is_empty() {
    let env = Env::start().await;
    let plan = env.opctl(&["plan", env.chain()]);
    assert_code(&plan, 0);
    let (stdout, _) = text(&plan);
    assert!(
        stdout.contains(
            "#   allows: op-node-rpc 9545/TCP, el-http 8545/TCP from batcher; \
             op-node-rpc 9545/TCP from proposer; el-http 8545/TCP from replica; "
        ),
        "{stdout}"
    );
    assert_code(&env.apply(&[]), 0);
    let client = env.cluster.admin_client().await;
    let api = Api::<NetworkPolicy>::namespaced(client, &env.ns);
    let stored = api
        .list(&ListParams::default().labels("opctl.io/chain=devnet"))
        .await
        .expect("list");
    let mut names: Vec<String> = stored
        .items
        .iter()
        .filter_map(|p| p.metadata.name.clone())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "devnet-batcher-ingress",
            "devnet-challenger-ingress",
            "devnet-deny-ingress",
            "devnet-proposer-ingress",
            "devnet-replica-0-ingress",
            "devnet-replica-1-ingress",
            "devnet-sequencer-ingress",
        ]
    );
    let seq = api.get("devnet-sequencer-ingress").await.expect("get");
    let spec = serde_json::to_value(seq.spec).expect("json");
    assert_eq!(spec["policyTypes"], json!(["Ingress"]));
    assert_eq!(
        spec["podSelector"]["matchLabels"]["app.kubernetes.io/instance"],
        "devnet-sequencer"
    );
    let ports: Vec<i64> = spec["ingress"]
        .as_array()
        .expect("ingress")
        .iter()
        .flat_map(|r| r["ports"].as_array().cloned().unwrap_or_default())
        .filter_map(|p| p["port"].as_i64())
        .collect();
    assert!(ports.contains(&9545) && ports.contains(&8545), "{ports:?}");
    assert!(!ports.contains(&8551), "the engine API is never opened");
    let deny = api.get("devnet-deny-ingress").await.expect("get");
    let deny = serde_json::to_value(deny.spec).expect("json");
    assert_eq!(
        deny["podSelector"]["matchLabels"],
        json!({"opctl.io/chain": "devnet"})
    );
    assert!(deny.get("ingress").is_none(), "{deny}");

    let again = env.opctl(&["plan", env.chain(), "--exit-code"]);
    assert_code(&again, 0);
    assert!(text(&again).0.contains("No changes."), "{}", text(&again).0);

    env.edit(
        "[batcher]\n",
        "[network_policy]\nenabled = false\n\n[batcher]\n",
    );
    assert_code(&env.apply(&["--prune"]), 0);
    let left = api
        .list(&ListParams::default().labels("opctl.io/chain=devnet"))
        .await
        .expect("list");
    assert!(left.items.is_empty(), "{:?}", left.items);
}

#[tokio::test]
async fn an_image_change_shows_exactly_that_field_flags_the_restart_and_converges() {
    let mut env = Env::start().await;
    assert_code(&env.apply(&[]), 0);
    // From here on, every output is also checked for the generated JWT and p2p values.
    env.collect_generated_secrets().await;
    env.edit("[contracts]", "[images]\nop_batcher = \"us-docker.pkg.dev/oplabs-tools-artifacts/images/op-batcher:v1.16.14\"\n\n[contracts]");
    let plan = env.opctl(&["plan", env.chain(), "--exit-code", "-o", "json"]);
    assert_code(&plan, 2);
    let v: serde_json::Value = serde_json::from_slice(&plan.stdout).expect("json");
    let changes: Vec<&serde_json::Value> = v["chains"][0]["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter(|c| c["op"] != "unchanged")
        .collect();
    assert_eq!(changes.len(), 1, "{changes:#?}");
    let c = changes[0];
    assert_eq!(
        (
            c["op"].as_str(),
            c["kind"].as_str(),
            c["name"].as_str(),
            c["role"].as_str()
        ),
        (
            Some("update"),
            Some("Deployment"),
            Some("devnet-batcher"),
            Some("batcher")
        )
    );
    assert_eq!(c["restarts"], true);
    let diff = c["diff"].as_str().expect("diff");
    let changed: Vec<&str> = diff
        .lines()
        .filter(|l| {
            (l.starts_with('+') || l.starts_with('-'))
                && !l.starts_with("+++")
                && !l.starts_with("---")
        })
        .collect();
    // The image appears twice (the container and the version label on the pod and object).
    assert!(changed.iter().all(|l| l.contains("v1.16.1")), "{diff}");
    assert!(
        changed.iter().any(|l| l.contains(
            "image: us-docker.pkg.dev/oplabs-tools-artifacts/images/op-batcher:v1.16.14"
        )),
        "{diff}"
    );
    assert_eq!(v["chains"][0]["summary"]["update"], 1);
    assert_code(&env.apply(&[]), 0);
    assert_code(&env.opctl(&["plan", env.chain(), "--exit-code"]), 0);
}

#[tokio::test]
async fn a_sequencer_change_warns_that_block_production_stops() {
    let mut env = Env::start().await;
    assert_code(&env.apply(&[]), 0);
    // From here on, every output is also checked for the generated JWT and p2p values.
    env.collect_generated_secrets().await;
    env.edit(
        "signing_key = { secret = \"devnet-keys\", key = \"sequencer\" }",
        "signing_key = { secret = \"devnet-keys\", key = \"sequencer\" }\nl1_confs = 6",
    );
    let plan = env.opctl(&["plan", env.chain(), "--exit-code"]);
    assert_code(&plan, 2);
    let (stdout, _) = text(&plan);
    assert!(stdout.contains("block production stops"), "{stdout}");
    assert!(stdout.contains("--sequencer.l1-confs=6"), "{stdout}");
}

#[tokio::test]
async fn drift_by_another_manager_is_named_stops_apply_and_is_corrected_with_force() {
    let mut env = Env::start().await;
    assert_code(&env.apply(&[]), 0);
    // From here on, every output is also checked for the generated JWT and p2p values.
    env.collect_generated_secrets().await;
    let api = Api::<Deployment>::namespaced(env.cluster.admin_client().await, &env.ns);
    let pp = PostParams {
        field_manager: Some("kubectl-edit".into()),
        ..Default::default()
    };
    // Read-modify-write as `kubectl edit` does, again on a conflict: the deployment controller
    // keeps writing the status (and so the resourceVersion) meanwhile.
    let edited = poll(|| async {
        let mut live = api.get("devnet-proposer").await.expect("get");
        if let Some(c) = live
            .spec
            .as_mut()
            .and_then(|s| s.template.spec.as_mut())
            .map(|p| &mut p.containers[0])
        {
            c.image = Some("example.org/op-proposer:hacked".into());
        }
        live.metadata.managed_fields = None;
        match api.replace("devnet-proposer", &pp, &live).await {
            Ok(_) => Some(()),
            Err(kube::Error::Api(e)) if e.code == 409 => None,
            Err(e) => panic!("update as kubectl-edit: {e}"),
        }
    })
    .await;
    assert!(edited.is_some(), "the edit kept conflicting");

    let plan = env.opctl(&["plan", env.chain(), "--exit-code"]);
    assert_code(&plan, 2);
    let (stdout, _) = text(&plan);
    assert!(stdout.contains("kubectl-edit"), "{stdout}");
    assert!(
        stdout.contains("example.org/op-proposer:hacked"),
        "{stdout}"
    );

    let refused = env.apply(&[]);
    assert_code(&refused, 1);
    let (_, stderr) = text(&refused);
    assert!(
        stderr.contains("kubectl-edit") && stderr.contains("--force-conflicts"),
        "{stderr}"
    );
    assert!(
        api.get("devnet-proposer")
            .await
            .expect("get")
            .spec
            .expect("spec")
            .template
            .spec
            .expect("pod")
            .containers[0]
            .image
            .as_deref()
            == Some("example.org/op-proposer:hacked")
    );

    assert_code(&env.apply(&["--force-conflicts"]), 0);
    let image = api
        .get("devnet-proposer")
        .await
        .expect("get")
        .spec
        .expect("spec")
        .template
        .spec
        .expect("pod")
        .containers[0]
        .image
        .clone();
    assert_eq!(
        image.as_deref(),
        Some("us-docker.pkg.dev/oplabs-tools-artifacts/images/op-proposer:v1.16.3")
    );
    assert_code(&env.opctl(&["plan", env.chain(), "--exit-code"]), 0);
}

#[tokio::test]
async fn prune_removes_a_disabled_role_keeps_volumes_and_never_empties_a_chain() {
    let mut env = Env::start().await;
    assert_code(&env.apply(&[]), 0);
    // From here on, every output is also checked for the generated JWT and p2p values.
    env.collect_generated_secrets().await;
    let client = env.cluster.admin_client().await;
    // The statefulset controller makes the challenger's claim from its template.
    let pvcs = Api::<PersistentVolumeClaim>::namespaced(client.clone(), &env.ns);
    let made = poll(|| async {
        pvcs.get_opt("data-devnet-challenger-0")
            .await
            .expect("get")
            .map(|c| c.metadata.uid)
    })
    .await
    .expect("the statefulset controller never made the challenger's claim");
    let pods = Api::<Pod>::namespaced(client.clone(), &env.ns);
    assert!(
        poll(|| async { pods.get_opt("devnet-challenger-0").await.expect("get") })
            .await
            .is_some(),
        "the statefulset controller never made the challenger's pod"
    );

    env.edit("[challenger]\n", "[challenger]\nenabled = false\n");
    // Without --prune nothing is deleted. Replica 0 now serves the public RPC (no challenger uses
    // it), so its API list and its NetworkPolicy change: updates only.
    let without_prune = env.opctl(&["plan", env.chain(), "--exit-code"]);
    assert_code(&without_prune, 2);
    assert!(
        text(&without_prune).0.contains(" 0 to prune,"),
        "{}",
        text(&without_prune).0
    );
    let plan = env.opctl(&["plan", env.chain(), "--exit-code", "--prune"]);
    assert_code(&plan, 2);
    assert!(text(&plan).0.contains("prune"), "{}", text(&plan).0);
    assert_code(&env.apply(&["--prune"]), 0);
    let sts = Api::<StatefulSet>::namespaced(client.clone(), &env.ns);
    assert!(sts
        .get_opt("devnet-challenger")
        .await
        .expect("get")
        .is_none());
    assert!(Api::<Service>::namespaced(client.clone(), &env.ns)
        .get_opt("devnet-challenger-headless")
        .await
        .expect("get")
        .is_none());
    // The garbage collector removes the pruned StatefulSet's pod; its volume stays (opctl's
    // explicit retention policy and prune never touching claims).
    let collected = poll(|| async {
        pods.get_opt("devnet-challenger-0")
            .await
            .expect("get")
            .is_none()
            .then_some(())
    })
    .await;
    assert!(
        collected.is_some(),
        "the pruned StatefulSet's pod was never collected"
    );
    assert_eq!(
        pvcs.get_opt("data-devnet-challenger-0")
            .await
            .expect("get")
            .and_then(|c| c.metadata.uid),
        made,
        "a volume was pruned"
    );
    assert!(sts
        .get_opt("devnet-sequencer")
        .await
        .expect("get")
        .is_some());

    for role in [
        "[sequencer]\n",
        "[replicas]\n",
        "[batcher]\n",
        "[proposer]\n",
    ] {
        env.edit(role, &format!("{role}enabled = false\n"));
    }
    let refused = env.apply(&["--prune"]);
    assert_code(&refused, 1);
    assert!(
        text(&refused).1.contains("refusing to prune"),
        "{}",
        text(&refused).1
    );
    assert!(sts
        .get_opt("devnet-sequencer")
        .await
        .expect("get")
        .is_some());
}

#[tokio::test]
async fn an_immutable_change_needs_allow_recreate_and_the_new_statefulset_adopts_the_running_pod() {
    let mut env = Env::start().await;
    // Waited for: the challenger's pod runs, ready, with its volume bound.
    let applied = env.opctl(&["apply", env.chain(), "--yes", "--timeout", "120s"]);
    assert_code(&applied, 0);
    // From here on, every output is also checked for the generated JWT and p2p values.
    env.collect_generated_secrets().await;
    let client = env.cluster.admin_client().await;
    let sts_api = Api::<StatefulSet>::namespaced(client.clone(), &env.ns);
    let pods = Api::<Pod>::namespaced(client.clone(), &env.ns);
    let pvcs = Api::<PersistentVolumeClaim>::namespaced(client.clone(), &env.ns);
    let set_before = sts_api.get("devnet-challenger").await.expect("get");
    let pod_before = pods
        .get("devnet-challenger-0")
        .await
        .expect("the controller made the pod");
    let pvc_before = pvcs
        .get("data-devnet-challenger-0")
        .await
        .expect("the controller made the claim");
    assert_eq!(
        pod_before
            .metadata
            .owner_references
            .as_ref()
            .expect("owned")[0]
            .uid,
        set_before.metadata.uid.clone().expect("uid")
    );

    env.edit(
        "storage = { size = \"50Gi\" }",
        "storage = { size = \"80Gi\" }",
    );
    let plan = env.opctl(&["plan", env.chain(), "--exit-code"]);
    assert_code(&plan, 2);
    assert!(text(&plan).0.contains("replace"), "{}", text(&plan).0);
    let refused = env.apply(&[]);
    assert_code(&refused, 1);
    assert!(
        text(&refused).1.contains("--allow-recreate"),
        "{}",
        text(&refused).1
    );
    let recreated = env.opctl(&[
        "apply",
        env.chain(),
        "--yes",
        "--allow-recreate",
        "--timeout",
        "120s",
    ]);
    assert_code(&recreated, 0);

    let set = sts_api.get("devnet-challenger").await.expect("get");
    assert_ne!(
        set.metadata.uid, set_before.metadata.uid,
        "the StatefulSet was not re-created"
    );
    let size = serde_json::to_value(
        &set.spec
            .as_ref()
            .expect("spec")
            .volume_claim_templates
            .as_ref()
            .expect("vct")[0],
    )
    .expect("json")["spec"]["resources"]["requests"]["storage"]
        .clone();
    assert_eq!(size, "80Gi");
    // The real garbage collector orphaned the pod (the delete asked it to), and the new
    // StatefulSet's controller adopted it: same pod, never restarted, now owned by the new object.
    let pod_after = pods.get("devnet-challenger-0").await.expect("pod kept");
    assert_eq!(
        pod_after.metadata.uid, pod_before.metadata.uid,
        "the pod was restarted instead of adopted"
    );
    assert_eq!(
        pod_after
            .metadata
            .owner_references
            .as_ref()
            .expect("adopted")[0]
            .uid,
        set.metadata.uid.clone().expect("uid"),
        "the new StatefulSet did not adopt the running pod"
    );
    let pvc_after = pvcs
        .get("data-devnet-challenger-0")
        .await
        .expect("claim kept");
    assert_eq!(
        pvc_after.metadata.uid, pvc_before.metadata.uid,
        "the volume was replaced"
    );
    assert_code(&env.opctl(&["plan", env.chain(), "--exit-code"]), 0);
}

#[tokio::test]
async fn a_saved_plan_applies_exactly_and_a_stale_one_is_refused() {
    let env = Env::start().await;
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("plan.json");
    let file_s = file.to_str().expect("utf-8");
    assert_code(&env.opctl(&["plan", env.chain(), "--out", file_s]), 0);
    let saved = std::fs::read_to_string(&file).expect("plan file");
    for s in &env.secrets {
        assert!(!saved.contains(s.as_str()), "secret in plan file");
    }
    assert_code(&env.opctl(&["apply", file_s, "--yes", "--no-wait"]), 0);
    assert!(
        Api::<StatefulSet>::namespaced(env.cluster.admin_client().await, &env.ns)
            .get_opt("devnet-sequencer")
            .await
            .expect("get")
            .is_some()
    );

    // Stale: the cluster moved after the plan was saved.
    env.edit("max_channel_duration = 1500", "max_channel_duration = 1000");
    assert_code(&env.opctl(&["plan", env.chain(), "--out", file_s]), 0);
    let svc = Api::<Service>::namespaced(env.cluster.admin_client().await, &env.ns);
    svc.patch("devnet-batcher", &PatchParams::apply("someone-else"), &Patch::Apply(json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "devnet-batcher", "labels": {"team": "x"}}})))
        .await
        .expect("patch");
    let refused = env.opctl(&["apply", file_s, "--yes", "--no-wait"]);
    assert_code(&refused, 1);
    let (_, stderr) = text(&refused);
    assert!(
        stderr.contains("stale") && stderr.contains("Service/devnet-batcher"),
        "{stderr}"
    );
    // Stale: the chain file moved.
    assert_code(&env.opctl(&["plan", env.chain(), "--out", file_s]), 0);
    env.edit("max_channel_duration = 1000", "max_channel_duration = 900");
    let refused = env.opctl(&["apply", file_s, "--yes", "--no-wait"]);
    assert_code(&refused, 1);
    assert!(
        text(&refused).1.contains("devnet.toml"),
        "{}",
        text(&refused).1
    );
}

#[tokio::test]
async fn a_user_without_rights_gets_an_error_naming_verb_and_resource() {
    let env = Env::start().await;
    let out = env.run(env.cluster.limited_kubeconfig(), &["plan", env.chain()]);
    env.assert_no_secret_in(&out);
    assert_code(&out, 1);
    let (_, stderr) = text(&out);
    assert!(
        stderr.contains("forbidden") && stderr.contains("get") && stderr.contains("secrets"),
        "{stderr}"
    );
}

#[tokio::test]
async fn apply_waits_for_rollouts_and_without_a_terminal_needs_yes() {
    let env = Env::start().await;
    let refused = env.opctl(&["apply", env.chain()]);
    assert_code(&refused, 1);
    assert!(text(&refused).1.contains("--yes"), "{}", text(&refused).1);
    assert!(
        Api::<StatefulSet>::namespaced(env.cluster.admin_client().await, &env.ns)
            .get_opt("devnet-sequencer")
            .await
            .expect("get")
            .is_none()
    );

    let mut child = Command::new(env!("CARGO_BIN_EXE_opctl"))
        .env("L1_BEACON_URL", &env.beacon_url)
        .args(["--kubeconfig"])
        .arg(env.cluster.admin_kubeconfig())
        .args([
            "-n",
            &env.ns,
            "apply",
            env.chain(),
            "--yes",
            "--timeout",
            "60s",
        ])
        // Files, not pipes: a full plan is larger than a pipe buffer and nobody reads until the end.
        .stdout(std::fs::File::create(env._dir.path().join("apply.out")).expect("file"))
        .stderr(std::fs::File::create(env._dir.path().join("apply.err")).expect("file"))
        .spawn()
        .expect("spawn");
    let status = child.wait().expect("wait");
    let out = Output {
        status,
        stdout: std::fs::read(env._dir.path().join("apply.out")).expect("stdout"),
        stderr: std::fs::read(env._dir.path().join("apply.err")).expect("stderr"),
    };
    env.assert_no_secret_in(&out);
    assert_code(&out, 0);
    let stderr = text(&out).1;
    assert!(
        stderr.contains("ready: StatefulSet/devnet-sequencer"),
        "{stderr}"
    );
    // The converging pass (replicas' static peer) was written before the waits ended.
    assert!(stderr.contains("more objects written"), "{stderr}");
    // apply returned only once the real controllers report every rollout complete: nothing in
    // this test wrote a status, so without apply's waits these would still be rolling.
    env.cluster.assert_rolled_out(&env.ns).await;
}

#[tokio::test]
async fn destroy_removes_members_but_keeps_volumes_and_key_secrets() {
    let mut env = Env::start().await;
    assert_code(&env.apply(&[]), 0);
    // From here on, every output is also checked for the generated JWT and p2p values.
    env.collect_generated_secrets().await;
    assert_code(&env.opctl(&["destroy", env.chain(), "--yes"]), 0);
    let client = env.cluster.admin_client().await;
    assert!(Api::<StatefulSet>::namespaced(client.clone(), &env.ns)
        .list(&ListParams::default())
        .await
        .expect("list")
        .items
        .is_empty());
    assert!(Api::<Service>::namespaced(client.clone(), &env.ns)
        .list(&ListParams::default())
        .await
        .expect("list")
        .items
        .is_empty());
    let secrets = Api::<Secret>::namespaced(client, &env.ns)
        .list(&ListParams::default().labels("opctl.io/chain=devnet"))
        .await
        .expect("list");
    assert_eq!(
        secrets.items.len(),
        9,
        "generated key Secrets (JWT, op-node p2p and EL node key per node) must survive destroy"
    );
}

#[tokio::test]
async fn several_chain_files_are_planned_and_applied_in_one_invocation() {
    let env = Env::start().await;
    let second = env.chain.with_file_name("devnet2.toml");
    let text = std::fs::read_to_string(&env.chain)
        .expect("read")
        .replace("name = \"devnet\"", "name = \"devnet2\"");
    std::fs::write(&second, text).expect("write");
    let second = second.to_str().expect("utf-8");
    let plan = env.opctl(&["plan", env.chain(), second, "-o", "json", "--exit-code"]);
    assert_code(&plan, 2);
    let v: serde_json::Value = serde_json::from_slice(&plan.stdout).expect("json");
    let chains: Vec<&str> = v["chains"]
        .as_array()
        .expect("chains")
        .iter()
        .filter_map(|c| c["chain"].as_str())
        .collect();
    assert_eq!(chains, ["devnet", "devnet2"]);
    assert_eq!(v["apiVersion"], "opctl.io/plan/v1");
    for c in v["chains"].as_array().expect("chains") {
        // 39 objects (the replicas' PodDisruptionBudget and RPC Service, the EL node-key Secrets,
        // the genesis part and 7 NetworkPolicies among them); the namespace already exists (the
        // test made it), so it gains labels.
        assert_eq!(
            (
                c["summary"]["create"].as_u64(),
                c["summary"]["update"].as_u64()
            ),
            (Some(38), Some(1)),
            "{}",
            c["summary"]
        );
    }
    assert_code(
        &env.opctl(&["apply", env.chain(), second, "--yes", "--no-wait"]),
        0,
    );
    assert_code(&env.opctl(&["plan", env.chain(), second, "--exit-code"]), 0);
    let sts = Api::<StatefulSet>::namespaced(env.cluster.admin_client().await, &env.ns);
    assert!(sts
        .get_opt("devnet2-sequencer")
        .await
        .expect("get")
        .is_some());
}

#[tokio::test]
async fn a_changed_env_url_updates_its_secret_and_restarts_the_pods_that_read_it() {
    let mut env = Env::start().await;
    assert_code(&env.apply(&[]), 0);
    // From here on, every output is also checked for the generated JWT and p2p values.
    env.collect_generated_secrets().await;
    let rotated = format!("https://beacon.example.org/v1/{}", random_hex());
    let out = Command::new(env!("CARGO_BIN_EXE_opctl"))
        .env("L1_BEACON_URL", &rotated)
        .env("NO_COLOR", "1")
        .arg("--kubeconfig")
        .arg(env.cluster.admin_kubeconfig())
        .args([
            "-n",
            &env.ns,
            "plan",
            env.chain(),
            "-o",
            "json",
            "--exit-code",
        ])
        .output()
        .expect("opctl runs");
    env.assert_no_secret_in(&out);
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains(&rotated),
        "the new URL leaked"
    );
    assert_code(&out, 2);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let changes: Vec<&serde_json::Value> = v["chains"][0]["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter(|c| c["op"] == "update")
        .collect();
    let secret = changes
        .iter()
        .find(|c| c["kind"] == "Secret")
        .expect("the endpoints Secret changes");
    assert_eq!(secret["secretKeys"][0]["state"], "changed");
    let restarted: Vec<&str> = changes
        .iter()
        .filter(|c| c["restarts"] == true)
        .filter_map(|c| c["name"].as_str())
        .collect();
    for name in ["devnet-sequencer", "devnet-replica-0", "devnet-challenger"] {
        assert!(
            restarted.contains(&name),
            "{name} not restarted: {restarted:?}"
        );
    }
}

/// Edits the chain file while the pass asks for confirmation, then says yes: what the user saw is
/// what gets written, and the converge step refuses to go further.
struct EditWhileConfirming {
    chain: PathBuf,
}

impl opctl::reconcile::Observer for EditWhileConfirming {
    fn confirm(
        &self,
        _chains: &[opctl::reconcile::ChainOutcome],
    ) -> Result<bool, opctl::error::Error> {
        let text = std::fs::read_to_string(&self.chain).expect("read");
        std::fs::write(&self.chain, text.replacen("count = 2", "count = 3", 1)).expect("write");
        Ok(true)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_never_writes_beyond_what_was_confirmed_when_the_chain_file_changes_before_converging(
) {
    opctl::install_crypto_provider();
    let env = Env::start().await;
    let text = std::fs::read_to_string(&env.chain).expect("read");
    assert!(
        text.contains("count = 2"),
        "the devnet example runs two replicas"
    );
    let mut chain = opctl::config::load(&env.chain).expect("chain loads");
    chain.file.chain.namespace = Some(env.ns.clone());
    let cluster = opctl::cluster::connect(Some(env.cluster.admin_kubeconfig()), None)
        .await
        .expect("connect");
    cluster.check_served().await.expect("served");
    let policy = opctl::reconcile::Policy::apply(
        opctl::reconcile::PlanOptions::default(),
        Vec::new(),
        false,
        opctl::reconcile::ApplyOptions::default(),
        None,
    );
    std::env::set_var("L1_BEACON_URL", &env.beacon_url);
    let observer = EditWhileConfirming {
        chain: env.chain.clone(),
    };
    let err = opctl::reconcile::run(
        &cluster,
        &opctl::reconcile::Inputs::Chains(vec![opctl::reconcile::ChainInput::new(chain)]),
        &policy,
        &observer,
    )
    .await
    .expect_err("the converge step must stop: the chain file changed after confirmation");
    let message = err.to_string();
    assert!(
        matches!(err, opctl::error::Error::ConvergeRefused { .. }),
        "{message}"
    );
    assert!(
        message.contains("changed after the plan was confirmed"),
        "{message}"
    );
    // What was confirmed was written (two replicas, the sequencer's key) and nothing else: no
    // third replica, and the replicas were not re-rendered from the edited file.
    let sts = Api::<StatefulSet>::namespaced(env.cluster.admin_client().await, &env.ns);
    assert!(sts
        .get_opt("devnet-replica-1")
        .await
        .expect("get")
        .is_some());
    assert!(
        sts.get_opt("devnet-replica-2")
            .await
            .expect("get")
            .is_none(),
        "a replica the user never confirmed was created"
    );
    let secrets = Api::<Secret>::namespaced(env.cluster.admin_client().await, &env.ns);
    assert!(secrets
        .get_opt("devnet-sequencer-p2p")
        .await
        .expect("get")
        .is_some());
    // The next apply of the edited file converges everything (and shows it first).
    let out = env.opctl(&["apply", env.chain(), "--yes", "--no-wait"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(sts
        .get_opt("devnet-replica-2")
        .await
        .expect("get")
        .is_some());
}

#[tokio::test]
async fn a_signer_key_stored_with_a_defect_fails_the_key_format_check_naming_the_secret_and_key_only(
) {
    let mut env = Env::start().await;
    let secrets = Api::<Secret>::namespaced(env.cluster.admin_client().await, &env.ns);
    let clean = random_hex();
    // Above the secp256k1 order: 64 hex digits, but not a private key.
    let above_order = "f".repeat(64);
    let defects: Vec<(&str, String)> = vec![
        ("trailing newline", format!("{clean}\n")),
        ("leading space", format!(" {clean}")),
        ("double 0x", format!("0x0x{clean}")),
        ("wrong length", clean[..62].to_string()),
        ("zero scalar", "0".repeat(64)),
        ("above the curve order", above_order),
    ];
    // The real key material (the clean key and its truncation) must never show; the all-zero
    // and all-f values are not secrets (and are substrings of ordinary hashes in a plan).
    env.secrets.push(clean[..62].to_string());
    for (what, value) in &defects {
        secrets
            .patch(
                "devnet-keys",
                &PatchParams::default(),
                &Patch::Merge(json!({ "stringData": { "batcher": value } })),
            )
            .await
            .expect("store the defective key");
        for command in ["plan", "apply"] {
            let mut args = vec![command, env.chain()];
            if command == "apply" {
                args.extend(["--yes", "--no-wait"]);
            } else {
                args.push("--exit-code");
            }
            let out = env.opctl(&args);
            assert_code(&out, 3);
            let (stdout, stderr) = text(&out);
            let all = format!("{stdout}{stderr}");
            assert!(all.contains("key-format"), "{what}: {all}");
            assert!(
                all.contains("devnet-keys") && all.contains("batcher"),
                "{what}: the Secret and key are named: {all}"
            );
        }
        // Nothing was written.
        assert!(
            Api::<StatefulSet>::namespaced(env.cluster.admin_client().await, &env.ns)
                .get_opt("devnet-sequencer")
                .await
                .expect("get")
                .is_none(),
            "{what}: apply wrote despite the failed check"
        );
    }
    secrets
        .patch(
            "devnet-keys",
            &PatchParams::default(),
            &Patch::Merge(json!({ "stringData": { "batcher": clean } })),
        )
        .await
        .expect("store the clean key");
    let out = env.opctl(&["plan", env.chain(), "--exit-code"]);
    assert_code(&out, 2);
    assert!(
        !text(&out).0.contains("key-format: fail"),
        "{}",
        text(&out).0
    );
}

/// A lock file saying what discovery found on an Upgrade-20 chain: the portal respects
/// SUPER_PERMISSIONED (5), game types 1 and 5 are registered.
fn write_upgrade_20_lock(chain: &Path) {
    use opctl::lock::Lock;
    use opctl::model::discovery::{
        ContractInfo, ContractName, Discovery, Game, GameArgsLayout, ProofSystem, Source, Sourced,
    };
    let system_config = "0x7e2f1a3b4c5d6e7f8091a2b3c4d5e6f708192a3b"
        .parse()
        .unwrap();
    let factory = "0x4a5b6c7d8e9f0a1b2c3d4e5f60718293a4b5c6d7"
        .parse()
        .unwrap();
    let mut d = Discovery::new(system_config);
    d.proof_system = Some(ProofSystem::FaultProofs);
    d.respected_game_type = Some(Sourced::new(
        5,
        Source::call("OptimismPortal", "respectedGameType()"),
    ));
    d.contracts.insert(
        ContractName::DisputeGameFactory,
        ContractInfo {
            address: factory,
            version: Some("1.4.0".into()),
            source: Source::call("SystemConfig", "disputeGameFactory()"),
        },
    );
    for t in [1u32, 5] {
        let from_args =
            |range: &str| Source::call("DisputeGameFactory", format!("gameArgs({t}){range}"));
        d.insert_game(Game {
            game_type: t,
            implementation: ContractInfo {
                address: alloy::primitives::Address::repeat_byte(0x50 + t as u8),
                version: Some("2.0.0".into()),
                source: Source::call("DisputeGameFactory", format!("gameImpls({t})")),
            },
            layout: GameArgsLayout::GameArgs,
            absolute_prestate: Sourced::new(
                alloy::primitives::B256::repeat_byte(3),
                from_args("[0:32]"),
            ),
            vm: Sourced::new(
                alloy::primitives::Address::repeat_byte(4),
                from_args("[32:52]"),
            ),
            weth: Sourced::new(
                alloy::primitives::Address::repeat_byte(6),
                from_args("[72:92]"),
            ),
            anchor_state_registry: Sourced::new(
                alloy::primitives::Address::repeat_byte(5),
                from_args("[52:72]"),
            ),
            l2_chain_id: Sourced::new(42069, from_args("[92:124]")),
            proposer: None,
            challenger: None,
        });
    }
    Lock::from_discovery("devnet", 42069, &d)
        .write(&Lock::path_for(chain))
        .expect("write lock");
}

#[tokio::test]
async fn a_game_type_pinned_against_the_chain_warns_in_plan_blocks_apply_and_can_be_overridden() {
    let env = Env::start().await;
    // The devnet example pins `respected_game_type = 1` and plays only `permissioned`; the chain
    // has moved to 5.
    write_upgrade_20_lock(&env.chain);
    let validate = env.opctl(&["validate", env.chain()]);
    assert_code(&validate, 0);
    assert!(
        text(&validate)
            .1
            .contains("game-type: contracts.respected_game_type = 1"),
        "validate warns: {}",
        text(&validate).1
    );
    let plan = env.opctl(&["plan", env.chain()]);
    assert_code(&plan, 0);
    let (stdout, stderr) = text(&plan);
    let all = format!("{stdout}{stderr}");
    assert!(
        all.contains("game-type")
            && all.contains("contracts.respected_game_type = 1 (PERMISSIONED_CANNON)")
            && all.contains("5 (SUPER_PERMISSIONED_CANNON)")
            && all.contains("`super-permissioned`"),
        "{all}"
    );

    let apply = env.opctl(&["apply", env.chain(), "--yes", "--no-wait"]);
    assert_code(&apply, 3);
    assert!(text(&apply).1.contains("game-type"), "{}", text(&apply).1);
    let sts = Api::<StatefulSet>::namespaced(env.cluster.admin_client().await, &env.ns);
    assert!(
        sts.get_opt("devnet-sequencer")
            .await
            .expect("get")
            .is_none(),
        "apply wrote despite the failed check"
    );

    let apply = env.opctl(&[
        "apply",
        env.chain(),
        "--yes",
        "--no-wait",
        "--skip-check",
        "game-type",
    ]);
    assert_code(&apply, 0);
    assert!(sts
        .get_opt("devnet-sequencer")
        .await
        .expect("get")
        .is_some());
    // The pin wins where the operator overrode the check: the proposer proposes type 1.
    let proposer = Api::<Deployment>::namespaced(env.cluster.admin_client().await, &env.ns)
        .get("devnet-proposer")
        .await
        .expect("proposer");
    let args = proposer.spec.unwrap().template.spec.unwrap().containers[0]
        .args
        .clone()
        .unwrap_or_default();
    assert!(args.contains(&"--game-type=1".to_string()), "{args:?}");
}

#[tokio::test]
async fn plan_lists_the_forks_scheduled_in_the_next_30_days_in_text_and_json() {
    let env = Env::start().await;
    let rollup = env.chain.parent().expect("dir").join("devnet/rollup.json");
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&rollup).expect("read")).expect("json");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    // Karst three days (and ten minutes) from now; Interop beyond the 30-day window.
    let karst = now + 3 * 86_400 + 600;
    v["karst_time"] = json!(karst);
    v["interop_time"] = json!(now + 40 * 86_400);
    std::fs::write(&rollup, serde_json::to_string_pretty(&v).expect("json")).expect("write");

    let plan = env.opctl(&["plan", env.chain()]);
    assert_code(&plan, 0);
    let (stdout, _) = text(&plan);
    assert!(
        stdout.contains("fork karst activates") && stdout.contains("(in 3d 0h)"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("fork interop"),
        "outside the window: {stdout}"
    );

    let json_plan = env.opctl(&["plan", env.chain(), "-o", "json"]);
    assert_code(&json_plan, 0);
    let v: serde_json::Value = serde_json::from_slice(&json_plan.stdout).expect("json");
    let forks = &v["chains"][0]["forks"];
    assert_eq!(forks.as_array().map(Vec::len), Some(1), "{forks}");
    assert_eq!(forks[0]["fork"], json!("karst"), "{forks}");
    assert_eq!(forks[0]["time"], json!(karst), "{forks}");
}

/// Schedule `fork` at `time` in the Env's copy of the devnet rollup.json.
fn schedule_fork(env: &Env, fork: &str, time: u64) {
    let path = env
        .chain
        .parent()
        .expect("chain dir")
        .join("devnet/rollup.json");
    let mut rollup: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
    rollup[format!("{fork}_time")] = time.into();
    std::fs::write(&path, serde_json::to_string_pretty(&rollup).expect("json")).expect("write");
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs()
}

#[tokio::test]
async fn a_fork_three_days_ahead_that_an_image_does_not_support_blocks_plan_and_apply_until_the_release_supports_it(
) {
    let env = Env::start().await;
    // Three days and an hour ahead: the countdown reads `3d` for the whole hour the test may take.
    let karst = unix_now() + 3 * 86_400 + 3_600;
    schedule_fork(&env, "karst", karst);
    let karst_utc = opctl::model::releases::utc(karst);
    std::fs::write(
        &env.chain,
        format!(
            "{}\n[images]\nop_node = \"us-docker.pkg.dev/oplabs-tools-artifacts/images/op-node:v1.16.13\"\n",
            std::fs::read_to_string(&env.chain).expect("read")
        ),
    )
    .expect("write");

    let plan = env.opctl(&["plan", env.chain(), "--exit-code"]);
    assert_code(&plan, 3);
    let (stdout, stderr) = text(&plan);
    let all = format!("{stdout}{stderr}");
    for part in [
        "hardfork",
        "op-node v1.16.13 (images.op_node) does not support karst (needs op-node >= v1.19.0)",
        &format!("karst activates at {karst_utc} (in 3d"),
        "release 2026-08 (this chain's) supports karst, and raise or remove images.op_node",
        "--skip-check hardfork",
    ] {
        assert!(all.contains(part), "{part}:\n{all}");
    }
    // status counts down to it (the header comes before any workload exists).
    let status = env.opctl(&["status", env.chain()]);
    assert_code(&status, 0);
    assert!(
        text(&status)
            .0
            .contains(&format!("next fork: karst at {karst_utc} (in 3d")),
        "{}",
        text(&status).0
    );
    // Overridden by name, the plan is a plan: changes pending.
    assert_code(
        &env.opctl(&[
            "plan",
            env.chain(),
            "--exit-code",
            "--skip-check",
            "hardfork",
        ]),
        2,
    );
    // apply is blocked and writes nothing.
    let apply = env.apply(&[]);
    assert_code(&apply, 3);
    assert!(text(&apply).1.contains("hardfork"), "{}", text(&apply).1);
    let sts = Api::<StatefulSet>::namespaced(env.cluster.admin_client().await, &env.ns);
    assert!(sts
        .get_opt("devnet-sequencer")
        .await
        .expect("get")
        .is_none());

    // A release that supports Karst, without the old pin: no block.
    env.edit(
        "op_node = \"us-docker.pkg.dev/oplabs-tools-artifacts/images/op-node:v1.16.13\"",
        "release = \"2026-07-karst\"",
    );
    let plan = env.opctl(&["plan", env.chain(), "--exit-code"]);
    assert_code(&plan, 2);
    let (stdout, stderr) = text(&plan);
    let all = format!("{stdout}{stderr}");
    assert!(!all.contains("does not support"), "{all}");
    assert!(
        all.contains("every rendered component supports") && all.contains("karst"),
        "{all}"
    );
    assert!(all.contains("op-node:v1.19.2"), "{all}");
}

#[tokio::test]
async fn upgrade_shows_the_release_change_as_a_plan_and_writes_nothing() {
    let env = Env::start().await;
    assert_code(&env.apply(&[]), 0);
    let before = std::fs::read(&env.chain).expect("read");

    let up = env.opctl(&[
        "upgrade",
        env.chain(),
        "--to",
        "2026-07-karst",
        "--exit-code",
    ]);
    assert_code(&up, 2);
    let (stdout, stderr) = text(&up);
    for part in [
        "release 2026-08 -> 2026-07-karst",
        "this is a downgrade",
        "op-node:v1.19.5",
        "op-node:v1.19.2",
        "op-batcher:v1.16.13",
        "op-batcher:v1.16.10",
        "forks newly supported: none",
        "devnet-sequencer",
    ] {
        assert!(stdout.contains(part), "{part}:\n{stdout}");
    }
    assert!(
        stderr.contains("nothing was written") && stderr.contains("release = \"2026-07-karst\""),
        "{stderr}"
    );
    // Nothing written: the chain file and the cluster are as they were.
    assert_eq!(std::fs::read(&env.chain).expect("read"), before);
    let sts = Api::<StatefulSet>::namespaced(env.cluster.admin_client().await, &env.ns)
        .get("devnet-sequencer")
        .await
        .expect("sequencer");
    let images: Vec<String> = sts
        .spec
        .unwrap()
        .template
        .spec
        .unwrap()
        .containers
        .iter()
        .filter_map(|c| c.image.clone())
        .collect();
    assert!(
        images.iter().any(|i| i.ends_with("op-node:v1.19.5")),
        "{images:?}"
    );

    // As JSON: one document with the release diff and the plan.
    let up = env.opctl(&[
        "upgrade",
        env.chain(),
        "--to",
        "2026-07-karst",
        "-o",
        "json",
    ]);
    assert_code(&up, 0);
    let doc: serde_json::Value = serde_json::from_slice(&up.stdout).expect("json on stdout");
    assert_eq!(doc["upgrade"]["to"], "2026-07-karst");
    assert!(doc["plan"].is_object(), "{doc}");

    // A set without confirmed images for components the chain runs: a clear error, exit 1.
    let up = env.opctl(&["upgrade", env.chain(), "--to", "2026-12-upgrade-20"]);
    assert_code(&up, 1);
    let stderr = text(&up).1;
    assert!(
        stderr.contains("no confirmed op-proposer image") && stderr.contains("images.op_proposer"),
        "{stderr}"
    );
}
