//! Smoke tests of the `TestCluster` harness: a real control plane (etcd, kube-apiserver,
//! kube-controller-manager, kube-scheduler) with the kubelet stand-in. Server-side apply,
//! `dryRun=All`, RBAC denial, controllers that roll workloads out and bind volumes, garbage
//! collection, namespace deletion, the stand-in's failure modes, stop/restart, and kube and alloy
//! clients living in one process.

use std::time::Duration;

use alloy::providers::{Provider, ProviderBuilder};
use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, PersistentVolumeClaim, Pod, Service};
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::cluster::{TestCluster, LIMITED_USER};
use crate::support::kubelet::{CRASH_LOOP, NEVER_READY};
use crate::support::poll;

const MANAGER: &str = "opctl";

fn config_map(name: &str, value: &str) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": { "name": name },
        "data": { "key": value },
    })
}

fn deployment(name: &str, replicas: i32) -> Value {
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": { "name": name, "labels": { "app": name } },
        "spec": {
            "replicas": replicas,
            "selector": { "matchLabels": { "app": name } },
            "template": {
                "metadata": { "labels": { "app": name } },
                "spec": {
                    "containers": [{
                        "name": "node",
                        "image": "example.invalid/op-node:v1",
                        "ports": [{ "name": "rpc", "containerPort": 8545, "protocol": "TCP" }],
                    }],
                },
            },
        },
    })
}

fn statefulset(name: &str, replicas: i32) -> Value {
    json!({
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": { "name": name },
        "spec": {
            "replicas": replicas,
            "serviceName": name,
            "selector": { "matchLabels": { "app": name } },
            "template": {
                "metadata": { "labels": { "app": name } },
                "spec": {
                    "containers": [{
                        "name": "geth",
                        "image": "example.invalid/op-geth:v1",
                        "ports": [{ "name": "rpc", "containerPort": 8545, "protocol": "TCP" }],
                        "readinessProbe": {
                            "httpGet": { "path": "/", "port": 8545 },
                            "initialDelaySeconds": 10,
                        },
                        "volumeMounts": [{ "name": "data", "mountPath": "/data" }],
                    }],
                },
            },
            "volumeClaimTemplates": [{
                "metadata": { "name": "data" },
                "spec": {
                    "accessModes": ["ReadWriteOnce"],
                    "resources": { "requests": { "storage": "1Gi" } },
                },
            }],
        },
    })
}

fn managers(meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta) -> Vec<String> {
    meta.managed_fields
        .iter()
        .flatten()
        .map(|f| {
            format!(
                "{}/{}",
                f.manager.as_deref().unwrap_or("?"),
                f.operation.as_deref().unwrap_or("?")
            )
        })
        .collect()
}

#[tokio::test]
async fn server_side_apply_creates_a_config_map_and_a_deployment_owned_by_opctl() {
    let cluster = TestCluster::start().await;
    let ns = cluster.fresh_namespace().await;
    let client = cluster.admin_client().await;
    let apply = PatchParams::apply(MANAGER);

    let cms = Api::<ConfigMap>::namespaced(client.clone(), &ns);
    cms.patch("rollup", &apply, &Patch::Apply(config_map("rollup", "one")))
        .await
        .expect("apply the config map");
    cms.patch("rollup", &apply, &Patch::Apply(config_map("rollup", "two")))
        .await
        .expect("re-apply the config map with new data");
    let live = cms.get("rollup").await.expect("read the config map back");
    assert_eq!(
        live.data
            .as_ref()
            .and_then(|d| d.get("key"))
            .map(String::as_str),
        Some("two")
    );
    assert_eq!(managers(&live.metadata), vec!["opctl/Apply".to_string()]);

    let deployments = Api::<Deployment>::namespaced(client, &ns);
    deployments
        .patch("op-node", &apply, &Patch::Apply(deployment("op-node", 2)))
        .await
        .expect("apply the deployment");
    let live = deployments
        .get("op-node")
        .await
        .expect("read the deployment back");
    assert_eq!(live.spec.as_ref().and_then(|s| s.replicas), Some(2));
    assert_eq!(managers(&live.metadata), vec!["opctl/Apply".to_string()]);
    let port = &live
        .spec
        .expect("spec")
        .template
        .spec
        .expect("pod spec")
        .containers[0]
        .ports
        .clone()
        .expect("ports")[0];
    assert_eq!(
        (port.container_port, port.protocol.as_deref()),
        (8545, Some("TCP"))
    );
}

#[tokio::test]
async fn the_server_is_the_current_release_and_defaults_port_protocols() {
    // 1.20 refused a server-side applied Service port without `protocol`; current releases
    // default it like every other field. Pins which release the suite runs against.
    let cluster = TestCluster::start().await;
    let ns = cluster.fresh_namespace().await;
    let client = cluster.admin_client().await;
    let version = client.apiserver_version().await.expect("GET /version");
    assert_eq!(
        format!("v{}", crate::support::KUBERNETES_VERSION),
        version.git_version,
        "the harness runs the release scripts/provision builds"
    );
    let service = json!({
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": { "name": "op-geth" },
        "spec": {
            "selector": { "app": "op-geth" },
            "ports": [{ "name": "rpc", "port": 8545 }],
        },
    });
    let live = Api::<Service>::namespaced(client, &ns)
        .patch(
            "op-geth",
            &PatchParams::apply(MANAGER),
            &Patch::Apply(service),
        )
        .await
        .expect("a current apiserver defaults a Service port's protocol");
    let ports = live.spec.expect("spec").ports.expect("ports");
    assert_eq!(ports[0].protocol.as_deref(), Some("TCP"));
}

#[tokio::test]
async fn dry_run_apply_returns_the_would_be_object_without_persisting_it() {
    let cluster = TestCluster::start().await;
    let ns = cluster.fresh_namespace().await;
    let cms = Api::<ConfigMap>::namespaced(cluster.admin_client().await, &ns);
    let apply = PatchParams::apply(MANAGER);
    let dry = PatchParams::apply(MANAGER).dry_run();

    let created = cms
        .patch(
            "rollup",
            &apply,
            &Patch::Apply(config_map("rollup", "live")),
        )
        .await
        .expect("apply the config map");
    let would_be = cms
        .patch(
            "rollup",
            &dry,
            &Patch::Apply(config_map("rollup", "planned")),
        )
        .await
        .expect("dry-run apply a change");
    assert_eq!(
        would_be
            .data
            .as_ref()
            .and_then(|d| d.get("key"))
            .map(String::as_str),
        Some("planned")
    );
    assert_eq!(would_be.metadata.uid, created.metadata.uid);
    let live = cms.get("rollup").await.expect("read the config map back");
    assert_eq!(
        live.data
            .as_ref()
            .and_then(|d| d.get("key"))
            .map(String::as_str),
        Some("live"),
        "a dry run must not change the stored object"
    );

    let new_one = cms
        .patch("absent", &dry, &Patch::Apply(config_map("absent", "x")))
        .await
        .expect("dry-run apply a new object");
    assert_eq!(new_one.metadata.name.as_deref(), Some("absent"));
    assert!(
        cms.get_opt("absent")
            .await
            .expect("look the object up")
            .is_none(),
        "a dry-run create must not persist the object"
    );
}

#[tokio::test]
async fn the_limited_user_gets_a_403_naming_verb_and_resource_until_granted() {
    let cluster = TestCluster::start().await;
    let ns = cluster.fresh_namespace().await;
    let cms = Api::<ConfigMap>::namespaced(cluster.limited_client().await, &ns);

    let err = cms
        .list(&ListParams::default())
        .await
        .expect_err("a user without bindings may not list config maps");
    let kube::Error::Api(status) = &err else {
        panic!("expected an API status error, got {err}");
    };
    assert_eq!(status.code, 403, "{status:?}");
    for word in [LIMITED_USER, "list", "configmaps", ns.as_str()] {
        assert!(
            status.message.contains(word),
            "403 message should name {word:?}: {}",
            status.message
        );
    }

    // The denial was RBAC, not broken authentication: a binding lets the same client through.
    cluster.grant_limited_user(&ns, "view").await;
    let listed = cms
        .list(&ListParams::default())
        .await
        .expect("the view role allows listing");
    assert!(listed
        .items
        .iter()
        .all(|cm| cm.metadata.namespace.as_deref() == Some(&ns)));
}

#[tokio::test]
async fn the_controllers_and_the_kubelet_stand_in_roll_workloads_out_and_bind_volumes() {
    let cluster = TestCluster::start().await;
    let ns = cluster.fresh_namespace().await;
    let client = cluster.admin_client().await;
    let apply = PatchParams::apply(MANAGER);

    let deployments = Api::<Deployment>::namespaced(client.clone(), &ns);
    deployments
        .patch("op-node", &apply, &Patch::Apply(deployment("op-node", 3)))
        .await
        .expect("apply the deployment");
    let sets = Api::<StatefulSet>::namespaced(client.clone(), &ns);
    sets.patch("op-geth", &apply, &Patch::Apply(statefulset("op-geth", 2)))
        .await
        .expect("apply the statefulset");

    // Nothing in the test writes workload status: the deployment and replicaset controllers,
    // the scheduler and the stand-in get there on their own.
    let done = poll(|| async {
        let d = deployments
            .get_status("op-node")
            .await
            .expect("read status");
        let s = d.status?;
        (s.available_replicas == Some(3) && s.observed_generation == d.metadata.generation)
            .then_some(())
    })
    .await;
    assert!(done.is_some(), "the deployment never became available");
    let done = poll(|| async {
        let set = sets.get_status("op-geth").await.expect("read status");
        let s = set.status?;
        (s.ready_replicas == Some(2)
            && s.current_revision.is_some()
            && s.current_revision == s.update_revision)
            .then_some(())
    })
    .await;
    assert!(done.is_some(), "the statefulset never became ready");

    // Pods were scheduled onto stand-in nodes and given addresses; volumes were provisioned.
    let pods = Api::<Pod>::namespaced(client.clone(), &ns)
        .list(&ListParams::default().labels("app=op-geth"))
        .await
        .expect("list pods");
    assert_eq!(pods.items.len(), 2);
    let nodes = cluster.nodes();
    for pod in &pods.items {
        let spec = pod.spec.as_ref().expect("spec");
        assert!(nodes.contains(spec.node_name.as_ref().expect("bound by the scheduler")));
        let status = pod.status.as_ref().expect("status");
        assert_eq!(status.phase.as_deref(), Some("Running"));
        assert!(status.pod_ip.is_some());
        assert_eq!(
            status.container_statuses.as_ref().expect("containers")[0].image,
            "example.invalid/op-geth:v1"
        );
    }
    let claims = Api::<PersistentVolumeClaim>::namespaced(client.clone(), &ns);
    let bound = poll(|| async {
        let list = claims
            .list(&ListParams::default())
            .await
            .expect("list claims");
        (list.items.len() == 2
            && list
                .items
                .iter()
                .all(|c| c.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Bound")))
        .then_some(())
    })
    .await;
    assert!(
        bound.is_some(),
        "the PVCs were never bound to provisioned volumes"
    );

    // The garbage collector removes what an owner leaves behind, and the namespace controller
    // finishes a namespace deletion.
    deployments
        .delete("op-node", &DeleteParams::background())
        .await
        .expect("delete the deployment");
    let collected = poll(|| async {
        let left = Api::<Pod>::namespaced(client.clone(), &ns)
            .list(&ListParams::default().labels("app=op-node"))
            .await
            .expect("list pods");
        left.items.is_empty().then_some(())
    })
    .await;
    assert!(
        collected.is_some(),
        "the deployment's pods were never garbage-collected"
    );
    Api::<Namespace>::all(client.clone())
        .delete(&ns, &DeleteParams::default())
        .await
        .expect("delete the namespace");
    let gone = poll(|| async {
        Api::<Namespace>::all(client.clone())
            .get_opt(&ns)
            .await
            .expect("read the namespace")
            .is_none()
            .then_some(())
    })
    .await;
    assert!(
        gone.is_some(),
        "the namespace controller never finished deleting {ns}"
    );
}

#[tokio::test]
async fn the_kubelet_stand_in_keeps_a_never_ready_image_unready_and_crash_loops_on_request() {
    let cluster = TestCluster::start().await;
    let ns = cluster.fresh_namespace().await;
    let client = cluster.admin_client().await;
    let apply = PatchParams::apply(MANAGER);
    let sets = Api::<StatefulSet>::namespaced(client.clone(), &ns);
    for (name, image) in [
        ("stuck", format!("example.invalid/op-geth:{NEVER_READY}")),
        ("crashing", format!("example.invalid/{CRASH_LOOP}:v1")),
    ] {
        let mut object = statefulset(name, 1);
        object["spec"]["template"]["spec"]["containers"][0]["image"] = json!(image);
        sets.patch(name, &apply, &Patch::Apply(object))
            .await
            .expect("apply the statefulset");
    }
    let pods = Api::<Pod>::namespaced(client.clone(), &ns);
    let running = poll(|| async {
        let pod = pods.get_opt("stuck-0").await.expect("read pod")?;
        (pod.status?.phase.as_deref() == Some("Running")).then_some(())
    })
    .await;
    assert!(running.is_some(), "the never-ready pod never started");
    let restarted = poll(|| async {
        let pod = pods.get_opt("crashing-0").await.expect("read pod")?;
        let statuses = pod.status?.container_statuses?;
        let waiting = statuses[0].state.as_ref()?.waiting.as_ref()?.reason.clone();
        (statuses[0].restart_count >= 2 && waiting.as_deref() == Some("CrashLoopBackOff"))
            .then_some(())
    })
    .await;
    assert!(restarted.is_some(), "the crash-looping pod never restarted");
    for name in ["stuck", "crashing"] {
        let set = sets.get_status(name).await.expect("read status");
        assert_eq!(
            set.status.and_then(|s| s.ready_replicas).unwrap_or(0),
            0,
            "{name} must not become ready"
        );
    }
}

#[tokio::test]
async fn a_stopped_apiserver_fails_with_a_clear_message_and_recovers_on_restart() {
    let cluster = TestCluster::start().await;
    let ns = cluster.fresh_namespace().await;
    let cms = Api::<ConfigMap>::namespaced(cluster.admin_client().await, &ns);
    cms.patch(
        "kept",
        &PatchParams::apply(MANAGER),
        &Patch::Apply(config_map("kept", "v")),
    )
    .await
    .expect("apply before the stop");

    cluster.stop_apiserver();
    let err = cms
        .get("kept")
        .await
        .expect_err("a stopped apiserver cannot answer");
    assert!(
        !matches!(err, kube::Error::Api(_)),
        "expected a connection error, got an API answer: {err}"
    );
    let why = cluster
        .wait_ready(Duration::from_secs(1))
        .await
        .expect_err("the harness must report a stopped apiserver");
    assert!(why.contains(cluster.url()), "{why}");
    assert!(why.contains("not running"), "{why}");
    assert!(why.contains("kube-apiserver.log"), "{why}");

    // Same port, same etcd, same credentials: the old client and the stored object are back.
    cluster.start_apiserver().await;
    let kept = cms.get("kept").await.expect("read after the restart");
    assert_eq!(
        kept.data
            .as_ref()
            .and_then(|d| d.get("key"))
            .map(String::as_str),
        Some("v")
    );
}

/// One HTTP JSON-RPC exchange on a local listener: answers `eth_chainId` with 42 and hands the
/// request's method back to the test.
async fn serve_one_chain_id(listener: tokio::net::TcpListener) -> String {
    let (mut stream, _) = listener.accept().await.expect("accept the RPC request");
    let mut raw = Vec::new();
    let mut buf = [0u8; 4096];
    let (head_end, body_len) = loop {
        let n = stream.read(&mut buf).await.expect("read the RPC request");
        assert!(n > 0, "client closed before sending a full request");
        raw.extend_from_slice(&buf[..n]);
        if let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&raw[..end]).to_ascii_lowercase();
            let len = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .expect("the request has a content-length");
            break (end + 4, len);
        }
    };
    while raw.len() < head_end + body_len {
        let n = stream.read(&mut buf).await.expect("read the RPC body");
        assert!(n > 0, "client closed before sending the body");
        raw.extend_from_slice(&buf[..n]);
    }
    let request: Value =
        serde_json::from_slice(&raw[head_end..head_end + body_len]).expect("a JSON-RPC body");
    let body = json!({ "jsonrpc": "2.0", "id": request["id"], "result": "0x2a" }).to_string();
    let response = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    stream
        .write_all(response.as_bytes())
        .await
        .expect("write the RPC response");
    request["method"].as_str().unwrap_or_default().to_string()
}

#[tokio::test]
async fn kube_and_alloy_clients_work_side_by_side_in_one_process() {
    // Both stacks use rustls. If a second crypto provider is ever compiled in (a dependency
    // enabling rustls/ring), building either client panics unless the process-level provider
    // was installed first; the harness installs it through `opctl::install_crypto_provider`,
    // exactly as the binary does.
    let cluster = TestCluster::start().await;
    let ns = cluster.fresh_namespace().await;
    let kube_client = cluster.admin_client().await;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a local RPC listener");
    let url = format!("http://{}", listener.local_addr().expect("local addr"));
    let server = tokio::spawn(serve_one_chain_id(listener));
    let provider = ProviderBuilder::new().connect_http(url.parse().expect("a valid RPC URL"));

    let namespaces = Api::<Namespace>::all(kube_client)
        .list(&ListParams::default())
        .await
        .expect("list namespaces");
    let names: Vec<_> = namespaces
        .items
        .iter()
        .filter_map(|n| n.metadata.name.as_deref())
        .collect();
    assert!(
        names.contains(&"default") && names.contains(&ns.as_str()),
        "{names:?}"
    );

    assert!(
        rustls::crypto::CryptoProvider::get_default().is_some(),
        "a process-level crypto provider is installed"
    );
    let chain_id = provider
        .get_chain_id()
        .await
        .expect("eth_chainId over HTTP");
    assert_eq!(chain_id, 42);
    assert_eq!(server.await.expect("RPC server task"), "eth_chainId");
}

#[tokio::test]
async fn a_panicking_test_leaves_no_peer_process_behind() {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let task = tokio::spawn(async move {
        let cluster = TestCluster::start().await;
        let dir = cluster.dir().to_path_buf();
        tx.send((cluster.pids(), dir)).expect("send the pids");
        panic!("a test failing half-way");
    });
    let (pids, dir) = rx.await.expect("the cluster started");
    assert!(task.await.expect_err("the task panicked").is_panic());
    assert_eq!(
        pids.len(),
        4,
        "kube-apiserver, etcd, kube-controller-manager and kube-scheduler were running"
    );
    for pid in pids {
        // Killed and reaped: not even a zombie entry is left.
        let proc_entry = std::path::PathBuf::from(format!("/proc/{pid}"));
        assert!(
            !proc_entry.exists(),
            "process {pid} outlived the panicking test"
        );
    }
    assert!(!dir.exists(), "temp dir {} was not removed", dir.display());
}
