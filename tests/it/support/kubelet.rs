//! **KUBELET STAND-IN.** These machines have no container runtime, so no real kubelet can run.
//! This module stands in for the kubelet **only**: everything else in the test cluster (etcd,
//! kube-apiserver, kube-controller-manager, kube-scheduler) is the real Kubernetes.
//!
//! What it does, following the kubelet's documented behaviour towards the API:
//! - **Nodes.** Registers its Nodes (capacity, allocatable, addresses, `Ready` and the pressure
//!   conditions, node info) and keeps them alive the way a kubelet does: it renews each node's
//!   Lease in `kube-node-lease` and refreshes the Ready condition's heartbeat, so the real node
//!   lifecycle controller never marks them `NotReady` or taints them.
//! - **Pods bound to its nodes** (by the real scheduler): it "starts" them — phase `Running`, a pod
//!   IP (from [`StandInOptions::pod_network`] when the test asked for one: an address that exists
//!   on this machine, so a test can bind a server there and the apiserver's pod proxy reaches it;
//!   otherwise 10.244.x.y, which nothing listens on), `startTime`, init containers `Terminated/Completed`, one running container status per
//!   container carrying the pod's image — and marks them `Ready` once the longest
//!   `readinessProbe.initialDelaySeconds` of its containers has passed, scaled by
//!   [`StandInOptions::probe_scale`] (tests run with a small scale so a 10 s delay takes 100 ms).
//!   No probe is executed: nothing listens.
//! - **Readiness gates** (`spec.readinessGates`): like the kubelet (`pkg/kubelet/status/generate.go`,
//!   `GeneratePodReadyCondition`; "Pod readiness gate" in the pod-lifecycle docs), a pod is
//!   `Ready` only when its containers are ready **and** every gate's condition is `True`; a
//!   missing condition counts as `False` (reason `ReadinessGatesNotReady`). Status writes are
//!   strategic-merge patches, which merge `conditions` by type, so a gate condition someone else
//!   wrote is never dropped, and a change of it re-evaluates `Ready` at once.
//! - **Graceful deletion.** A pod with a `deletionTimestamp` is "stopped" after its grace period
//!   (scaled the same way) and then deleted with grace 0, as the kubelet does once its containers
//!   have exited. Without this, no StatefulSet could ever roll.
//! - **Failure injection** through the image name, so tests can drive stuck rollouts through an
//!   ordinary chain file:
//!   - an image whose reference contains [`NEVER_READY`] runs but never becomes ready;
//!   - an image whose reference contains [`CRASH_LOOP`] keeps restarting: the container waits in
//!     `CrashLoopBackOff` with a growing `restartCount` and a `lastState` of exit code 1.
//!
//! Status is written with the pod's `status` subresource, exactly what a kubelet writes. Workload
//! status (StatefulSet, Deployment, ReplicaSet) is never written here: the real controllers derive
//! it from these pods.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{Node, Pod};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, Time};
use k8s_openapi::jiff::Timestamp;
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams};
use kube::runtime::watcher::{self, Event};
use kube::Client;
use serde_json::{json, Value};
use tokio::sync::watch;

use super::podnet::PodNetwork;

/// An image reference containing this runs but never passes its readiness probe.
pub const NEVER_READY: &str = "never-ready";
/// An image reference containing this crashes at start, again and again.
pub const CRASH_LOOP: &str = "crash-loop";
/// Label every stand-in node carries, so tests can tell them apart from nothing else.
pub const NODE_LABEL: &str = "opctl.test/kubelet-stand-in";
/// How often the node Leases and Ready heartbeats are renewed (the kubelet's default lease
/// renewal is every 10 s with a 40 s lease; the node lifecycle controller waits 50 s).
const HEARTBEAT: Duration = Duration::from_secs(10);
/// Lease duration the stand-in declares, as a kubelet does.
const LEASE_SECONDS: i32 = 40;
/// How long the crash-looping container stays "up" between restarts, before scaling.
const CRASH_EVERY: Duration = Duration::from_secs(10);

/// Shape of the stand-in's nodes and how fast simulated time runs.
#[derive(Debug, Clone)]
pub struct StandInOptions {
    /// Node names; one Node object each.
    pub nodes: Vec<String>,
    /// Extra labels on every node (e.g. the node pool a chain file selects).
    pub labels: BTreeMap<String, String>,
    /// CPU cores each node offers.
    pub cpu: u32,
    /// Memory each node offers, in GiB.
    pub memory_gib: u32,
    /// Simulated seconds become `seconds * probe_scale` real time (probe delays, grace periods,
    /// crash-loop restarts). 1.0 is real time.
    pub probe_scale: f64,
    /// Where pod IPs come from: `Some` gives every pod a real local address (see
    /// [`super::podnet`]); `None` gives unreachable 10.244.x.y addresses.
    pub pod_network: Option<Arc<PodNetwork>>,
}

impl Default for StandInOptions {
    fn default() -> Self {
        StandInOptions {
            // Room for the plan benchmark's 20 devnets (about 13 CPU and 43 GiB requested each).
            nodes: (0..4).map(|i| format!("stand-in-{i}")).collect(),
            labels: BTreeMap::from([(
                // The pool the shipped examples' `node_selector` names.
                "node.kubernetes.io/pool".to_string(),
                "op-stack".to_string(),
            )]),
            cpu: 96,
            memory_gib: 384,
            probe_scale: 0.01,
            pod_network: None,
        }
    }
}

/// A running kubelet stand-in. It runs on its own thread and tokio runtime, so it keeps working
/// while a test blocks its own thread on a child process. Stops when dropped.
pub struct KubeletStandIn {
    stop: watch::Sender<bool>,
    thread: Option<std::thread::JoinHandle<()>>,
    nodes: Vec<String>,
}

impl KubeletStandIn {
    /// Registers the nodes and starts serving pods bound to them. Returns once every node is
    /// registered and `Ready`, or panics with the API error.
    pub fn start(kubeconfig: &Path, options: StandInOptions) -> KubeletStandIn {
        let (stop, stopped) = watch::channel(false);
        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<Result<(), String>>();
        let kubeconfig = kubeconfig.to_path_buf();
        let nodes = options.nodes.clone();
        let thread = std::thread::Builder::new()
            .name("kubelet-stand-in".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(1)
                    .enable_all()
                    .build()
                    .expect("build the stand-in's runtime");
                runtime.block_on(async move {
                    let client = super::cluster::client_from(&kubeconfig).await;
                    let standin = Arc::new(StandIn::new(client, options));
                    if let Err(e) = standin.register_nodes().await {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                    let _ = ready_tx.send(Ok(()));
                    standin.run(stopped).await;
                });
            })
            .expect("spawn the stand-in thread");
        match ready_rx.recv() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => panic!("kubelet stand-in could not register its nodes: {e}"),
            Err(_) => panic!("kubelet stand-in thread ended before registering its nodes"),
        }
        KubeletStandIn {
            stop,
            thread: Some(thread),
            nodes,
        }
    }

    /// Names of the nodes it registered.
    pub fn nodes(&self) -> &[String] {
        &self.nodes
    }
}

impl Drop for KubeletStandIn {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// What the stand-in does to one pod, decided from its spec alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// Runs; ready after the probe delay.
    Healthy,
    /// Runs; never ready.
    NeverReady,
    /// Crashes at start, over and over.
    CrashLoop,
}

/// The behaviour a pod's images ask for (any container with a failure marker decides).
pub fn behaviour(pod: &Value) -> Behaviour {
    let images: Vec<&str> = pod
        .pointer("/spec/containers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| c.get("image").and_then(Value::as_str))
        .collect();
    if images.iter().any(|i| i.contains(CRASH_LOOP)) {
        Behaviour::CrashLoop
    } else if images.iter().any(|i| i.contains(NEVER_READY)) {
        Behaviour::NeverReady
    } else {
        Behaviour::Healthy
    }
}

/// The longest `readinessProbe.initialDelaySeconds` of a pod's containers (0 without probes).
pub fn readiness_delay_seconds(pod: &Value) -> u64 {
    pod.pointer("/spec/containers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| c.pointer("/readinessProbe/initialDelaySeconds"))
        .filter_map(Value::as_u64)
        .max()
        .unwrap_or(0)
}

struct StandIn {
    client: Client,
    options: StandInOptions,
    /// Pod UIDs already being served, so watch re-lists do not start a pod twice.
    started: Mutex<HashMap<String, u32>>,
    next_ip: AtomicU32,
}

impl StandIn {
    fn new(client: Client, options: StandInOptions) -> StandIn {
        StandIn {
            client,
            options,
            started: Mutex::new(HashMap::new()),
            next_ip: AtomicU32::new(2),
        }
    }

    fn scaled(&self, simulated: Duration) -> Duration {
        simulated.mul_f64(self.options.probe_scale)
    }

    fn node_index(&self, name: &str) -> Option<usize> {
        self.options.nodes.iter().position(|n| n == name)
    }

    async fn register_nodes(&self) -> Result<(), String> {
        let nodes = Api::<Node>::all(self.client.clone());
        for (i, name) in self.options.nodes.iter().enumerate() {
            let mut labels = self.options.labels.clone();
            labels.insert("kubernetes.io/hostname".into(), name.clone());
            labels.insert("kubernetes.io/os".into(), "linux".into());
            labels.insert("kubernetes.io/arch".into(), "amd64".into());
            labels.insert(NODE_LABEL.into(), "true".into());
            let node: Node = serde_json::from_value(json!({
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": { "name": name, "labels": labels },
                "spec": {},
            }))
            .map_err(|e| e.to_string())?;
            match nodes.create(&PostParams::default(), &node).await {
                Ok(_) => {}
                Err(kube::Error::Api(e)) if e.code == 409 => {}
                Err(e) => return Err(format!("create node {name}: {e}")),
            }
            self.node_status(name, i).await?;
            self.renew_lease(name).await?;
        }
        Ok(())
    }

    /// Writes the node's full status: capacity, addresses, conditions with a fresh heartbeat.
    async fn node_status(&self, name: &str, index: usize) -> Result<(), String> {
        let now = Timestamp::now().to_string();
        let condition = |kind: &str, status: &str, reason: &str| {
            json!({
                "type": kind, "status": status, "reason": reason,
                "message": "kubelet stand-in (no container runtime on this machine)",
                "lastHeartbeatTime": now, "lastTransitionTime": now,
            })
        };
        let capacity = json!({
            "cpu": self.options.cpu.to_string(),
            "memory": format!("{}Gi", self.options.memory_gib),
            "pods": "110",
            "ephemeral-storage": "1Ti",
        });
        let status = json!({
            "status": {
                "capacity": capacity,
                "allocatable": capacity,
                "addresses": [
                    { "type": "InternalIP", "address": format!("10.250.0.{}", index + 1) },
                    { "type": "Hostname", "address": name },
                ],
                "conditions": [
                    condition("MemoryPressure", "False", "KubeletHasSufficientMemory"),
                    condition("DiskPressure", "False", "KubeletHasNoDiskPressure"),
                    condition("PIDPressure", "False", "KubeletHasSufficientPID"),
                    condition("Ready", "True", "KubeletReady"),
                ],
                "nodeInfo": {
                    "machineID": format!("stand-in-{index}"),
                    "systemUUID": format!("stand-in-{index}"),
                    "bootID": format!("stand-in-{index}"),
                    "kernelVersion": "stand-in",
                    "osImage": "kubelet stand-in (no container runtime)",
                    "containerRuntimeVersion": "stand-in://0",
                    "kubeletVersion": "v0.0.0-stand-in",
                    "kubeProxyVersion": "",
                    "operatingSystem": "linux",
                    "architecture": "amd64",
                },
            }
        });
        Api::<Node>::all(self.client.clone())
            .patch_status(name, &PatchParams::default(), &Patch::Merge(&status))
            .await
            .map_err(|e| format!("write status of node {name}: {e}"))?;
        Ok(())
    }

    async fn renew_lease(&self, name: &str) -> Result<(), String> {
        let leases = Api::<Lease>::namespaced(self.client.clone(), "kube-node-lease");
        let lease = json!({
            "apiVersion": "coordination.k8s.io/v1",
            "kind": "Lease",
            "metadata": { "name": name, "namespace": "kube-node-lease" },
            "spec": {
                "holderIdentity": name,
                "leaseDurationSeconds": LEASE_SECONDS,
                "renewTime": MicroTime(Timestamp::now()),
            },
        });
        leases
            .patch(
                name,
                &PatchParams::apply("kubelet-stand-in").force(),
                &Patch::Apply(&lease),
            )
            .await
            .map_err(|e| format!("renew lease of node {name}: {e}"))?;
        Ok(())
    }

    async fn run(self: Arc<Self>, mut stopped: watch::Receiver<bool>) {
        let heartbeat = {
            let me = self.clone();
            async move {
                loop {
                    tokio::time::sleep(HEARTBEAT).await;
                    for (i, name) in me.options.nodes.iter().enumerate() {
                        if let Err(e) = me.node_status(name, i).await {
                            eprintln!("kubelet stand-in: {e}");
                        }
                        if let Err(e) = me.renew_lease(name).await {
                            eprintln!("kubelet stand-in: {e}");
                        }
                    }
                }
            }
        };
        let pods = {
            let me = self.clone();
            async move {
                let api = Api::<Pod>::all(me.client.clone());
                let mut events = watcher::watcher(api, watcher::Config::default()).boxed();
                while let Some(event) = events.next().await {
                    let pod = match event {
                        Ok(Event::Apply(pod)) | Ok(Event::InitApply(pod)) => pod,
                        Ok(_) => continue,
                        Err(e) => {
                            eprintln!("kubelet stand-in: pod watch: {e}");
                            continue;
                        }
                    };
                    me.clone().observe(pod);
                }
            }
        };
        tokio::select! {
            _ = heartbeat => {}
            _ = pods => {}
            _ = stopped.wait_for(|stop| *stop) => {}
        }
    }

    /// Reacts to one pod event: start a newly bound pod, or stop a pod being deleted.
    fn observe(self: Arc<Self>, pod: Pod) {
        let Some(node) = pod.spec.as_ref().and_then(|s| s.node_name.clone()) else {
            return; // not scheduled yet
        };
        let Some(index) = self.node_index(&node) else {
            return; // another node's pod
        };
        let (Some(uid), Some(name), Some(namespace)) = (
            pod.metadata.uid.clone(),
            pod.metadata.name.clone(),
            pod.metadata.namespace.clone(),
        ) else {
            return;
        };
        let value = serde_json::to_value(&pod).unwrap_or(Value::Null);
        if pod.metadata.deletion_timestamp.is_some() {
            let first = {
                let mut started = self.started.lock().unwrap_or_else(|e| e.into_inner());
                started.insert(format!("delete/{uid}"), 0).is_none()
            };
            if first {
                let grace = pod
                    .metadata
                    .deletion_grace_period_seconds
                    .unwrap_or(30)
                    .max(0) as u64;
                tokio::spawn(async move {
                    tokio::time::sleep(self.scaled(Duration::from_secs(grace))).await;
                    self.finish_deletion(&namespace, &name, &uid).await;
                });
            }
            return;
        }
        let first = {
            let mut started = self.started.lock().unwrap_or_else(|e| e.into_inner());
            if started.contains_key(&uid) {
                false
            } else {
                let ip = self.next_ip.fetch_add(1, Ordering::Relaxed);
                started.insert(uid.clone(), ip);
                true
            }
        };
        if !first {
            // A started pod whose gate condition changed: Ready follows the gates.
            if let Some(status) = gated_ready_update(&value) {
                tokio::spawn(async move {
                    self.write_status(&namespace, &name, &uid, status).await;
                });
            }
            return;
        }
        let ip = {
            let started = self.started.lock().unwrap_or_else(|e| e.into_inner());
            started.get(&uid).copied().unwrap_or(2)
        };
        let host_ip = format!("10.250.0.{}", index + 1);
        tokio::spawn(async move {
            let pod_ip = match &self.options.pod_network {
                None => format!("10.244.{}.{}", index, ip % 250 + 2),
                Some(network) => match network.allocate() {
                    Ok(address) => address.to_string(),
                    Err(e) => {
                        // The pod stays Pending without an IP; the test's wait names it.
                        eprintln!("kubelet stand-in: no pod IP for {namespace}/{name}: {e}");
                        return;
                    }
                },
            };
            self.serve(&value, &namespace, &name, &uid, &pod_ip, &host_ip)
                .await;
        });
    }

    /// Runs one pod's lifecycle: started, then ready, crash-looping or never ready.
    async fn serve(
        &self,
        pod: &Value,
        namespace: &str,
        name: &str,
        uid: &str,
        pod_ip: &str,
        host_ip: &str,
    ) {
        let behaviour = behaviour(pod);
        // Like the kubelet, start no container before every non-optional Secret and ConfigMap
        // volume can be mounted (the pod stays Pending in `ContainerCreating`) and every
        // non-optional Secret/ConfigMap key its env refers to exists (`CreateContainerConfigError`).
        let mut reported = false;
        loop {
            let (missing, reason) = match self.missing_volume_sources(pod, namespace).await {
                m if !m.is_empty() => (m, "ContainerCreating"),
                _ => (
                    self.missing_env_sources(pod, namespace).await,
                    "CreateContainerConfigError",
                ),
            };
            if missing.is_empty() {
                break;
            }
            if !reported {
                let status = waiting_for_volumes(pod, host_ip, &missing, reason);
                if !self.write_status(namespace, name, uid, status).await {
                    return;
                }
                reported = true;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
            if !self.still_there(namespace, name, uid).await {
                return;
            }
        }
        let started_at = Timestamp::now().to_string();
        let mut restarts = 0u32;
        let status = pod_status(pod, &started_at, pod_ip, host_ip, PodPhase::Starting);
        if !self.write_status(namespace, name, uid, status).await {
            return;
        }
        match behaviour {
            Behaviour::Healthy => {
                let delay = Duration::from_secs(readiness_delay_seconds(pod));
                tokio::time::sleep(self.scaled(delay)).await;
                let status = pod_status(pod, &started_at, pod_ip, host_ip, PodPhase::Ready);
                self.write_status(namespace, name, uid, status).await;
            }
            Behaviour::NeverReady => {}
            Behaviour::CrashLoop => loop {
                restarts += 1;
                let status = pod_status(
                    pod,
                    &started_at,
                    pod_ip,
                    host_ip,
                    PodPhase::CrashLoop { restarts },
                );
                if !self.write_status(namespace, name, uid, status).await {
                    return;
                }
                tokio::time::sleep(self.scaled(CRASH_EVERY).max(Duration::from_millis(500))).await;
            },
        }
    }

    /// `Secret/x` and `ConfigMap/y` names of the pod's non-optional volumes that do not exist.
    async fn missing_volume_sources(&self, pod: &Value, namespace: &str) -> Vec<String> {
        let mut missing = Vec::new();
        for volume in pod
            .pointer("/spec/volumes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let (kind, source) = if let Some(s) = volume.get("secret") {
                ("Secret", s.get("secretName"))
            } else if let Some(c) = volume.get("configMap") {
                ("ConfigMap", c.get("name"))
            } else {
                continue;
            };
            let optional = volume
                .pointer(if kind == "Secret" {
                    "/secret/optional"
                } else {
                    "/configMap/optional"
                })
                .and_then(Value::as_bool)
                .unwrap_or(false);
            let Some(name) = source.and_then(Value::as_str) else {
                continue;
            };
            if !optional && matches!(self.source_keys(kind, namespace, name).await, Ok(None)) {
                missing.push(format!("{kind}/{name}"));
            }
        }
        missing
    }

    /// `Secret/x key k` of the env references of the pod's containers that cannot be resolved.
    async fn missing_env_sources(&self, pod: &Value, namespace: &str) -> Vec<String> {
        let mut missing = Vec::new();
        for (kind, name, key) in env_references(pod) {
            let has_key = match self.source_keys(kind, namespace, &name).await {
                Ok(keys) => keys.is_some_and(|k| k.contains(&key)),
                // An API error is not evidence of absence: do not hold the pod for it.
                Err(_) => true,
            };
            if !has_key {
                missing.push(format!("{kind}/{name} key {key}"));
            }
        }
        missing
    }

    /// The keys a Secret or ConfigMap holds (the ones env references can name), `None` when it
    /// does not exist.
    async fn source_keys(
        &self,
        kind: &str,
        namespace: &str,
        name: &str,
    ) -> Result<Option<std::collections::BTreeSet<String>>, kube::Error> {
        use k8s_openapi::api::core::v1::{ConfigMap, Secret};
        Ok(if kind == "Secret" {
            Api::<Secret>::namespaced(self.client.clone(), namespace)
                .get_opt(name)
                .await?
                .map(|s| {
                    let data = s.data.into_iter().flatten().map(|(k, _)| k);
                    data.chain(s.string_data.into_iter().flatten().map(|(k, _)| k))
                        .collect()
                })
        } else {
            Api::<ConfigMap>::namespaced(self.client.clone(), namespace)
                .get_opt(name)
                .await?
                .map(|c| c.data.into_iter().flatten().map(|(k, _)| k).collect())
        })
    }

    async fn still_there(&self, namespace: &str, name: &str, uid: &str) -> bool {
        matches!(
            Api::<Pod>::namespaced(self.client.clone(), namespace).get_opt(name).await,
            Ok(Some(live)) if live.metadata.uid.as_deref() == Some(uid)
                && live.metadata.deletion_timestamp.is_none()
        )
    }

    /// Writes a pod's status if the pod is still the one with `uid` and not being deleted.
    /// Returns whether it was written.
    async fn write_status(&self, namespace: &str, name: &str, uid: &str, status: Value) -> bool {
        let api = Api::<Pod>::namespaced(self.client.clone(), namespace);
        match api.get_opt(name).await {
            Ok(Some(live))
                if live.metadata.uid.as_deref() == Some(uid)
                    && live.metadata.deletion_timestamp.is_none() => {}
            _ => return false,
        }
        let patch = json!({ "metadata": { "uid": uid }, "status": status });
        match api
            .patch_status(name, &PatchParams::default(), &Patch::Strategic(&patch))
            .await
        {
            Ok(_) => true,
            Err(e) => {
                eprintln!("kubelet stand-in: status of pod {namespace}/{name}: {e}");
                false
            }
        }
    }

    /// The kubelet's last step of graceful deletion: containers are gone, delete with grace 0
    /// (preconditioned on the UID, so a re-created pod of the same name is untouched).
    async fn finish_deletion(&self, namespace: &str, name: &str, uid: &str) {
        let api = Api::<Pod>::namespaced(self.client.clone(), namespace);
        let params = DeleteParams {
            grace_period_seconds: Some(0),
            preconditions: Some(kube::api::Preconditions {
                uid: Some(uid.to_string()),
                resource_version: None,
            }),
            ..DeleteParams::default()
        };
        match api.delete(name, &params).await {
            Ok(_) => {}
            Err(kube::Error::Api(e)) if e.code == 404 || e.code == 409 => {}
            Err(e) => eprintln!("kubelet stand-in: delete pod {namespace}/{name}: {e}"),
        }
        let mut started = self.started.lock().unwrap_or_else(|e| e.into_inner());
        started.remove(uid);
        started.remove(&format!("delete/{uid}"));
    }
}

enum PodPhase {
    Starting,
    Ready,
    CrashLoop { restarts: u32 },
}

/// The status a kubelet would report for `pod` in `phase`.
fn pod_status(
    pod: &Value,
    started_at: &str,
    pod_ip: &str,
    host_ip: &str,
    phase: PodPhase,
) -> Value {
    let now = Timestamp::now().to_string();
    let ready = matches!(phase, PodPhase::Ready);
    let containers: Vec<Value> = pod
        .pointer("/spec/containers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|c| {
            let name = c.get("name").and_then(Value::as_str).unwrap_or("");
            let image = c.get("image").and_then(Value::as_str).unwrap_or("");
            let (state, last, restarts, started) = match &phase {
                PodPhase::CrashLoop { restarts } => (
                    json!({ "waiting": {
                        "reason": "CrashLoopBackOff",
                        "message": format!("back-off restarting failed container {name}"),
                    }}),
                    json!({ "terminated": {
                        "exitCode": 1, "reason": "Error",
                        "startedAt": started_at, "finishedAt": now,
                    }}),
                    *restarts,
                    false,
                ),
                _ => (
                    json!({ "running": { "startedAt": started_at } }),
                    json!({}),
                    0,
                    true,
                ),
            };
            json!({
                "name": name,
                "image": image,
                "imageID": format!("stand-in://{image}"),
                "containerID": format!("stand-in://{name}"),
                "ready": ready,
                "started": started,
                "restartCount": restarts,
                "state": state,
                "lastState": last,
            })
        })
        .collect();
    let init: Vec<Value> = pod
        .pointer("/spec/initContainers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|c| {
            let image = c.get("image").and_then(Value::as_str).unwrap_or("");
            json!({
                "name": c.get("name").and_then(Value::as_str).unwrap_or(""),
                "image": image,
                "imageID": format!("stand-in://{image}"),
                "ready": true,
                "restartCount": 0,
                "state": { "terminated": {
                    "exitCode": 0, "reason": "Completed",
                    "startedAt": started_at, "finishedAt": started_at,
                }},
            })
        })
        .collect();
    let flag = |b: bool| if b { "True" } else { "False" };
    let not_ready_reason = match phase {
        PodPhase::Ready => None,
        PodPhase::CrashLoop { .. } => Some("ContainersNotReady"),
        PodPhase::Starting => Some("ContainersNotReady"),
    };
    let readiness = |kind: &str| {
        let mut c = json!({ "type": kind, "status": flag(ready), "lastTransitionTime": now });
        if let Some(reason) = not_ready_reason {
            c["reason"] = json!(reason);
            c["message"] = json!("containers with unready status");
        }
        c
    };
    let pod_ready = if ready {
        ready_condition(pod, &now)
    } else {
        readiness("Ready")
    };
    json!({
        "phase": "Running",
        "hostIP": host_ip,
        "hostIPs": [{ "ip": host_ip }],
        "podIP": pod_ip,
        "podIPs": [{ "ip": pod_ip }],
        "startTime": started_at,
        "qosClass": pod.pointer("/status/qosClass").cloned().unwrap_or(json!("Burstable")),
        "conditions": [
            { "type": "PodReadyToStartContainers", "status": "True", "lastTransitionTime": started_at },
            { "type": "Initialized", "status": "True", "lastTransitionTime": started_at },
            readiness("ContainersReady"),
            pod_ready,
            { "type": "PodScheduled", "status": "True", "lastTransitionTime": started_at },
        ],
        "initContainerStatuses": init,
        "containerStatuses": containers,
    })
}

/// The `Ready` condition of a pod whose containers are ready: `True` when every readiness gate's
/// condition is `True`, else `False` with the kubelet's reason and messages.
fn ready_condition(pod: &Value, now: &str) -> Value {
    let unmet = unmet_gates(pod);
    if unmet.is_empty() {
        json!({ "type": "Ready", "status": "True", "lastTransitionTime": now })
    } else {
        json!({ "type": "Ready", "status": "False", "lastTransitionTime": now,
                "reason": "ReadinessGatesNotReady", "message": unmet.join(", ") })
    }
}

/// The kubelet's message for each readiness gate whose condition is missing or not `True`.
fn unmet_gates(pod: &Value) -> Vec<String> {
    let conditions: Vec<&Value> = pod
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .collect();
    pod.pointer("/spec/readinessGates")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|g| g.get("conditionType").and_then(Value::as_str))
        .filter_map(|kind| {
            match conditions
                .iter()
                .find(|c| c.get("type").and_then(Value::as_str) == Some(kind))
                .and_then(|c| c.get("status").and_then(Value::as_str))
            {
                Some("True") => None,
                Some(other) => Some(format!(
                    "the status of pod readiness gate \"{kind}\" is not \"True\", but {other}"
                )),
                None => Some(format!(
                    "corresponding condition of pod readiness gate \"{kind}\" does not exist."
                )),
            }
        })
        .collect()
}

/// For a running pod with readiness gates whose containers are ready: the status patch that
/// brings `Ready` in line with the gates, or `None` when it already is.
fn gated_ready_update(pod: &Value) -> Option<Value> {
    pod.pointer("/spec/readinessGates")
        .and_then(Value::as_array)
        .filter(|g| !g.is_empty())?;
    let condition = |kind: &str| {
        pod.pointer("/status/conditions")
            .and_then(Value::as_array)?
            .iter()
            .find(|c| c.get("type").and_then(Value::as_str) == Some(kind))
            .and_then(|c| c.get("status").and_then(Value::as_str))
            .map(str::to_string)
    };
    if condition("ContainersReady").as_deref() != Some("True") {
        return None;
    }
    let now = Timestamp::now().to_string();
    let want = ready_condition(pod, &now);
    if condition("Ready").as_deref() == want["status"].as_str() {
        return None;
    }
    Some(json!({ "conditions": [want] }))
}

/// (kind, name, key) of every non-optional Secret/ConfigMap key the pod's containers' env uses.
fn env_references(pod: &Value) -> Vec<(&'static str, String, String)> {
    let mut out = Vec::new();
    for path in ["/spec/containers", "/spec/initContainers"] {
        for container in pod
            .pointer(path)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            for env in container
                .get("env")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let (kind, reference) = if let Some(r) = env.pointer("/valueFrom/secretKeyRef") {
                    ("Secret", r)
                } else if let Some(r) = env.pointer("/valueFrom/configMapKeyRef") {
                    ("ConfigMap", r)
                } else {
                    continue;
                };
                if reference.get("optional").and_then(Value::as_bool) == Some(true) {
                    continue;
                }
                if let (Some(name), Some(key)) = (
                    reference.get("name").and_then(Value::as_str),
                    reference.get("key").and_then(Value::as_str),
                ) {
                    out.push((kind, name.to_string(), key.to_string()));
                }
            }
        }
    }
    out
}

/// The status of a pod whose volumes cannot be mounted (the kubelet's `FailedMount` case) or
/// whose env refers to a missing Secret or ConfigMap key.
fn waiting_for_volumes(pod: &Value, host_ip: &str, missing: &[String], reason: &str) -> Value {
    let now = Timestamp::now().to_string();
    let containers: Vec<Value> = pod
        .pointer("/spec/containers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|c| {
            json!({
                "name": c.get("name").and_then(Value::as_str).unwrap_or(""),
                "image": c.get("image").and_then(Value::as_str).unwrap_or(""),
                "imageID": "",
                "ready": false,
                "started": false,
                "restartCount": 0,
                "state": { "waiting": {
                    "reason": reason,
                    "message": format!("{} not found", missing.join(", ")),
                } },
            })
        })
        .collect();
    json!({
        "phase": "Pending",
        "hostIP": host_ip,
        "hostIPs": [{ "ip": host_ip }],
        "conditions": [
            { "type": "PodReadyToStartContainers", "status": "False", "lastTransitionTime": now },
            { "type": "Initialized", "status": "False", "lastTransitionTime": now },
            { "type": "ContainersReady", "status": "False", "lastTransitionTime": now,
              "reason": "ContainersNotReady" },
            { "type": "Ready", "status": "False", "lastTransitionTime": now,
              "reason": "ContainersNotReady",
              "message": format!("{reason}: {} not found", missing.join(", ")) },
            { "type": "PodScheduled", "status": "True", "lastTransitionTime": now },
        ],
        "containerStatuses": containers,
    })
}

/// `Time` of now, for callers that build Kubernetes timestamps.
pub fn now() -> Time {
    Time(Timestamp::now())
}

#[test]
fn the_image_name_picks_the_failure_mode() {
    let pod = |image: &str| {
        json!({ "spec": { "containers": [
            { "name": "a", "image": "op-node:v1" }, { "name": "b", "image": image }
        ]}})
    };
    assert_eq!(behaviour(&pod("op-reth:v2")), Behaviour::Healthy);
    assert_eq!(
        behaviour(&pod("op-reth:never-ready")),
        Behaviour::NeverReady
    );
    assert_eq!(behaviour(&pod("x/crash-loop:1")), Behaviour::CrashLoop);
}

#[test]
fn the_longest_probe_delay_decides_readiness() {
    let pod = json!({ "spec": { "containers": [
        { "name": "a", "readinessProbe": { "initialDelaySeconds": 5 } },
        { "name": "b", "readinessProbe": { "initialDelaySeconds": 20 } },
        { "name": "c" },
    ]}});
    assert_eq!(readiness_delay_seconds(&pod), 20);
    assert_eq!(readiness_delay_seconds(&json!({ "spec": {} })), 0);
}

#[test]
fn a_pod_with_readiness_gates_is_ready_only_when_every_gate_condition_is_true() {
    let gate = "opctl.io/caught-up";
    let pod = |gate_status: Option<&str>, ready: &str| {
        let mut conditions = vec![
            json!({ "type": "ContainersReady", "status": "True" }),
            json!({ "type": "Ready", "status": ready }),
        ];
        if let Some(s) = gate_status {
            conditions.push(json!({ "type": gate, "status": s }));
        }
        json!({ "spec": { "readinessGates": [{ "conditionType": gate }] },
                "status": { "conditions": conditions } })
    };
    // Missing: not ready, with the kubelet's message.
    let missing = ready_condition(&pod(None, "False"), "t");
    assert_eq!(missing["status"], "False");
    assert_eq!(missing["reason"], "ReadinessGatesNotReady");
    assert!(missing["message"]
        .as_str()
        .unwrap_or("")
        .contains("does not exist"));
    assert_eq!(gated_ready_update(&pod(None, "False")), None);
    // The gate turns True: Ready follows; and back.
    let up = gated_ready_update(&pod(Some("True"), "False")).expect("an update");
    assert_eq!(up["conditions"][0]["status"], "True");
    assert_eq!(gated_ready_update(&pod(Some("True"), "True")), None);
    let down = gated_ready_update(&pod(Some("False"), "True")).expect("an update");
    assert_eq!(down["conditions"][0]["status"], "False");
    // No gates: nothing to do.
    assert_eq!(
        gated_ready_update(&json!({ "spec": {}, "status": { "conditions": [] } })),
        None
    );
}
