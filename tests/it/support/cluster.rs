//! `TestCluster`: a real Kubernetes control plane on loopback — etcd, kube-apiserver,
//! kube-controller-manager and kube-scheduler of one current release (see
//! [`super::KUBERNETES_VERSION`]) — plus a **kubelet stand-in** ([`super::kubelet`]), started by a
//! test on free ports with fresh temp dirs and killed when it is dropped (also on panic).
//!
//! What is real and what stands in:
//! - **Real:** every controller of kube-controller-manager's default set (deployment, replicaset,
//!   statefulset, garbage collector, namespace, serviceaccount and its token controller, the
//!   clusterrole aggregation, endpoints/endpointslices, the node lifecycle, the PV/PVC binder
//!   with the in-tree hostpath provisioner, disruption, …) and the default scheduler. Workload
//!   status is written only by them: no test helper writes the status of a StatefulSet,
//!   Deployment or ReplicaSet.
//! - **Stand-in:** the kubelet only, because no container runtime exists on these machines. It
//!   registers the nodes and writes pod status the way a kubelet does (see its module docs),
//!   including failure modes chosen by image name.
//! - **Storage:** two StorageClasses, `standard` (the default) and `premium-rwo` (the class the
//!   devnet example names), both served by kube-controller-manager's hostpath provisioner, so
//!   PVCs bind to real PersistentVolumes.
//! - **Authentication** is by static token: `admin` is in `system:masters`; `limited` is an
//!   ordinary user with no bindings (RBAC denies everything until
//!   [`TestCluster::grant_limited_user`]); kube-controller-manager and kube-scheduler run as
//!   `system:kube-controller-manager` and `system:kube-scheduler`, which the bootstrap RBAC
//!   policy grants what they need (controllers use their own service accounts).
//! - The serving certificate is the apiserver's own self-signed one (`--cert-dir`); every
//!   kubeconfig trusts it through `certificate-authority`, so TLS is verified for real, and it is
//!   the root CA the controller-manager publishes into every namespace.

use std::ffi::OsString;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::authorization::v1::SubjectAccessReview;
use k8s_openapi::api::core::v1::{Namespace, Pod, Secret, ServiceAccount};
use k8s_openapi::api::rbac::v1::{ClusterRole, RoleBinding};
use k8s_openapi::api::storage::v1::StorageClass;
use kube::api::{Api, ListParams, PostParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::kubelet::{KubeletStandIn, StandInOptions};
use super::podnet::PodNetwork;
use super::{
    etcd_binary, free_port, install_crypto_provider, kube_apiserver_binary,
    kube_controller_manager_binary, kube_scheduler_binary, log_tail,
};

/// How long a fresh etcd or kube-apiserver may take before the harness gives up. Generous
/// because two test processes may be starting clusters on a 2-core machine at once.
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// How often readiness is polled.
const POLL: Duration = Duration::from_millis(50);
/// Service CIDR handed to the apiserver and the controller-manager; nothing routes it.
const SERVICE_CIDR: &str = "10.96.0.0/16";
/// StorageClasses the harness creates: (name, is the default).
pub const STORAGE_CLASSES: [(&str, bool); 2] = [("standard", true), ("premium-rwo", false)];
/// Name of the ordinary user without RBAC bindings.
pub const LIMITED_USER: &str = "limited";

/// How long each phase of [`TestCluster::start`] took.
#[derive(Debug, Clone, Copy)]
pub struct StartTimings {
    /// etcd spawn until its `/health` says true.
    pub etcd: Duration,
    /// etcd plus service-account key generation (`openssl genrsa`), which run concurrently.
    pub etcd_and_keys: Duration,
    /// kube-apiserver spawn until `/readyz` answers `ok`.
    pub apiserver: Duration,
    /// kube-controller-manager, kube-scheduler and the kubelet stand-in until the controllers
    /// answer (the `default` ServiceAccount exists) and the nodes are registered.
    pub controllers: Duration,
    /// Everything, including temp dirs and kubeconfigs.
    pub total: Duration,
}

/// A running control plane with its kubelet stand-in. See the module docs.
pub struct TestCluster {
    /// First field: stops before the control plane it talks to.
    kubelet: Mutex<Option<KubeletStandIn>>,
    /// Pod addresses on this machine, when started with [`TestCluster::start_with_pod_network`];
    /// dropped after the kubelet stand-in that hands them out.
    pod_network: Option<Arc<PodNetwork>>,
    scheduler: Mutex<Option<Process>>,
    controller_manager: Mutex<Option<Process>>,
    apiserver: Mutex<Option<Process>>,
    etcd: Mutex<Option<Process>>,
    apiserver_bin: PathBuf,
    apiserver_args: Vec<OsString>,
    url: String,
    etcd_url: String,
    admin_kubeconfig: PathBuf,
    limited_kubeconfig: PathBuf,
    namespaces: AtomicU32,
    timings: StartTimings,
    /// Last field: removed only after both processes are gone (see `Drop`).
    dir: tempfile::TempDir,
}

impl TestCluster {
    /// Starts etcd and kube-apiserver on free loopback ports and waits until `/readyz` is `ok`.
    ///
    /// Panics with the peer's log tail if either does not come up, and with the provisioning
    /// command if a binary is missing. A port taken between probing and binding (another test
    /// process was quicker) is retried with fresh ports.
    pub async fn start() -> TestCluster {
        Self::start_inner(false).await
    }

    /// Like [`TestCluster::start`], but the kubelet stand-in gives pods addresses that exist on
    /// this machine ([`PodNetwork`]): a test binds a server at a pod's IP
    /// ([`TestCluster::pod_ip`]) and the apiserver's pod proxy reaches it. Needs `ip` and root.
    pub async fn start_with_pod_network() -> TestCluster {
        Self::start_inner(true).await
    }

    async fn start_inner(pod_network: bool) -> TestCluster {
        let mut attempt = 1;
        loop {
            let network = pod_network.then(|| Arc::new(PodNetwork::create()));
            match Self::try_start(network).await {
                Ok(cluster) => return cluster,
                Err(failure) if failure.port_taken && attempt < 3 => {
                    eprintln!(
                        "TestCluster: a port was taken, retrying: {}",
                        failure.message
                    );
                    attempt += 1;
                }
                Err(failure) => panic!("{}", failure.message),
            }
        }
    }

    async fn try_start(pod_network: Option<Arc<PodNetwork>>) -> Result<TestCluster, StartFailure> {
        install_crypto_provider();
        let begin = Instant::now();
        let apiserver_bin = kube_apiserver_binary();
        let etcd_bin = etcd_binary();
        let dir = super::temp_dir("opctl-cluster-");
        let root = dir.path().to_path_buf();

        // Key generation runs while etcd elects itself leader.
        let t = Instant::now();
        let sa_key = root.join("sa.key");
        let keygen = tokio::spawn(openssl_genrsa(sa_key.clone()));
        let (etcd, etcd_url) = start_etcd(&etcd_bin, &root).await?;
        let etcd_time = t.elapsed();
        keygen.await.expect("key generation task");
        let etcd_and_keys_time = t.elapsed();

        let admin_token = random_token();
        let limited_token = random_token();
        let kcm_token = random_token();
        let scheduler_token = random_token();
        let tokens = root.join("tokens.csv");
        std::fs::write(
            &tokens,
            format!(
                "{admin_token},admin,uid-admin,\"system:masters\"\n\
                 {limited_token},{LIMITED_USER},uid-{LIMITED_USER}\n\
                 {kcm_token},system:kube-controller-manager,uid-kcm\n\
                 {scheduler_token},system:kube-scheduler,uid-scheduler\n"
            ),
        )
        .expect("write the token auth file");
        let cert_dir = root.join("certs");
        std::fs::create_dir_all(&cert_dir).expect("create the cert dir");

        let t = Instant::now();
        let port = free_port();
        let args = apiserver_args(port, &etcd_url, &cert_dir, &tokens, &sa_key);
        let log = root.join("kube-apiserver.log");
        let mut apiserver = spawn(&apiserver_bin, &args, &log);
        // The serving certificate is written before the server binds; clients need it.
        let ca = cert_dir.join("apiserver.crt");
        if let Err(why) = wait_for_file(&mut apiserver, &ca).await {
            return Err(StartFailure::new(
                &log,
                format!("kube-apiserver did not start: {why}"),
            ));
        }
        let url = format!("https://127.0.0.1:{port}");
        let admin_kubeconfig = root.join("admin.kubeconfig");
        let limited_kubeconfig = root.join("limited.kubeconfig");
        write_kubeconfig(&admin_kubeconfig, &url, &ca, "admin", &admin_token);
        write_kubeconfig(&limited_kubeconfig, &url, &ca, LIMITED_USER, &limited_token);
        let kcm_kubeconfig = root.join("kube-controller-manager.kubeconfig");
        let scheduler_kubeconfig = root.join("kube-scheduler.kubeconfig");
        write_kubeconfig(
            &kcm_kubeconfig,
            &url,
            &ca,
            "system:kube-controller-manager",
            &kcm_token,
        );
        write_kubeconfig(
            &scheduler_kubeconfig,
            &url,
            &ca,
            "system:kube-scheduler",
            &scheduler_token,
        );

        let mut cluster = TestCluster {
            kubelet: Mutex::new(None),
            pod_network,
            scheduler: Mutex::new(None),
            controller_manager: Mutex::new(None),
            apiserver: Mutex::new(Some(apiserver)),
            etcd: Mutex::new(Some(etcd)),
            apiserver_bin,
            apiserver_args: args,
            url,
            etcd_url,
            admin_kubeconfig,
            limited_kubeconfig,
            namespaces: AtomicU32::new(0),
            timings: StartTimings {
                etcd: etcd_time,
                etcd_and_keys: etcd_and_keys_time,
                apiserver: Duration::ZERO,
                controllers: Duration::ZERO,
                total: Duration::ZERO,
            },
            dir,
        };
        if let Err(why) = cluster.wait_ready(START_TIMEOUT).await {
            // Dropping `cluster` on return kills both processes.
            return Err(StartFailure::new(&log, why));
        }
        cluster.timings.apiserver = t.elapsed();

        let t = Instant::now();
        let kcm_log = root.join("kube-controller-manager.log");
        let scheduler_log = root.join("kube-scheduler.log");
        *cluster
            .controller_manager
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Some(spawn(
            &kube_controller_manager_binary(),
            &controller_manager_args(&kcm_kubeconfig, &ca, &sa_key),
            &kcm_log,
        ));
        *cluster.scheduler.lock().unwrap_or_else(|e| e.into_inner()) = Some(spawn(
            &kube_scheduler_binary(),
            &scheduler_args(&scheduler_kubeconfig),
            &scheduler_log,
        ));
        cluster.create_storage_classes().await;
        let kubelet = KubeletStandIn::start(
            &cluster.admin_kubeconfig,
            StandInOptions {
                pod_network: cluster.pod_network.clone(),
                ..StandInOptions::default()
            },
        );
        *cluster.kubelet.lock().unwrap_or_else(|e| e.into_inner()) = Some(kubelet);
        if let Err(why) = cluster.wait_for_default_service_account("default").await {
            return Err(StartFailure::new(&kcm_log, why));
        }
        for (name, log, process) in [
            (
                "kube-controller-manager",
                &kcm_log,
                &cluster.controller_manager,
            ),
            ("kube-scheduler", &scheduler_log, &cluster.scheduler),
        ] {
            if let Some(exited) = exited(process) {
                return Err(StartFailure::new(log, format!("{name} {exited}")));
            }
        }
        cluster.timings.controllers = t.elapsed();
        cluster.timings.total = begin.elapsed();
        eprintln!(
            "TestCluster {} ready in {:.2?} (etcd {:.2?}, etcd+keys {:.2?}, kube-apiserver {:.2?}, \
             controllers+scheduler+kubelet stand-in {:.2?})",
            cluster.url,
            cluster.timings.total,
            cluster.timings.etcd,
            cluster.timings.etcd_and_keys,
            cluster.timings.apiserver,
            cluster.timings.controllers,
        );
        Ok(cluster)
    }

    /// The StorageClasses of [`STORAGE_CLASSES`], provisioned by kube-controller-manager's
    /// hostpath provisioner.
    async fn create_storage_classes(&self) {
        let api = Api::<StorageClass>::all(self.admin_client().await);
        for (name, default) in STORAGE_CLASSES {
            let class: StorageClass = serde_json::from_value(json!({
                "apiVersion": "storage.k8s.io/v1",
                "kind": "StorageClass",
                "metadata": {
                    "name": name,
                    "annotations": {
                        "storageclass.kubernetes.io/is-default-class": default.to_string(),
                    },
                },
                "provisioner": "kubernetes.io/host-path",
                "reclaimPolicy": "Delete",
                "volumeBindingMode": "Immediate",
            }))
            .expect("storage class literal is valid");
            api.create(&PostParams::default(), &class)
                .await
                .unwrap_or_else(|e| panic!("create storage class {name}: {e}"));
        }
    }

    /// Waits until the serviceaccount controller has created `default` in `namespace` (pods
    /// cannot be admitted before that).
    async fn wait_for_default_service_account(&self, namespace: &str) -> Result<(), String> {
        let api = Api::<ServiceAccount>::namespaced(self.admin_client().await, namespace);
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            match api.get_opt("default").await {
                Ok(Some(_)) => return Ok(()),
                Ok(None) => {}
                Err(e) => eprintln!("TestCluster: read service account {namespace}/default: {e}"),
            }
            if let Some(exited) = exited(&self.controller_manager) {
                return Err(format!("kube-controller-manager {exited}"));
            }
            if Instant::now() >= deadline {
                return Err(format!(
                    "no `default` ServiceAccount in namespace {namespace} after {START_TIMEOUT:?}: \
                     is kube-controller-manager's serviceaccount controller running?"
                ));
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Names of the kubelet stand-in's nodes.
    pub fn nodes(&self) -> Vec<String> {
        self.kubelet
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .map(|k| k.nodes().to_vec())
            .unwrap_or_default()
    }

    /// The pod network of [`TestCluster::start_with_pod_network`], if this cluster has one.
    pub fn pod_network(&self) -> Option<&PodNetwork> {
        self.pod_network.as_deref()
    }

    /// The IP the kubelet stand-in gave pod `namespace/name`, once it has one (polled up to
    /// [`super::DEADLINE`]). With a pod network, a test can bind a server there.
    pub async fn pod_ip(&self, namespace: &str, name: &str) -> std::net::Ipv4Addr {
        let pods = Api::<Pod>::namespaced(self.admin_client().await, namespace);
        super::poll(|| async {
            let pod = pods.get_opt(name).await.ok().flatten()?;
            pod.status?.pod_ip?.parse().ok()
        })
        .await
        .unwrap_or_else(|| {
            panic!(
                "pod {namespace}/{name} has no IP after {:?} (is it scheduled on a stand-in node?)",
                super::DEADLINE
            )
        })
    }

    /// `https://127.0.0.1:<port>`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// `http://127.0.0.1:<port>` of the backing etcd.
    pub fn etcd_url(&self) -> &str {
        &self.etcd_url
    }

    /// Kubeconfig of `admin` (group `system:masters`); usable by opctl and by `kubectl`.
    pub fn admin_kubeconfig(&self) -> &Path {
        &self.admin_kubeconfig
    }

    /// Kubeconfig of the ordinary user [`LIMITED_USER`], who has no RBAC bindings by default.
    pub fn limited_kubeconfig(&self) -> &Path {
        &self.limited_kubeconfig
    }

    /// This cluster's temp dir (logs, certs, kubeconfigs); removed on drop.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// How long start-up took, phase by phase.
    pub fn timings(&self) -> StartTimings {
        self.timings
    }

    /// Process ids of kube-apiserver (if running), etcd, kube-controller-manager and
    /// kube-scheduler, for tests of the harness itself.
    pub fn pids(&self) -> Vec<u32> {
        let lock = |m: &Mutex<Option<Process>>| {
            m.lock()
                .unwrap_or_else(|e| e.into_inner())
                .as_ref()
                .map(|p| p.0.id())
        };
        [
            lock(&self.apiserver),
            lock(&self.etcd),
            lock(&self.controller_manager),
            lock(&self.scheduler),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    /// A client authenticated as `admin`, built from the admin kubeconfig.
    pub async fn admin_client(&self) -> Client {
        client_from(&self.admin_kubeconfig).await
    }

    /// A client authenticated as the ordinary user [`LIMITED_USER`].
    pub async fn limited_client(&self) -> Client {
        client_from(&self.limited_kubeconfig).await
    }

    /// Creates a namespace no other test uses and returns its name, once the serviceaccount
    /// controller has given it its `default` ServiceAccount (so pods can be admitted).
    pub async fn fresh_namespace(&self) -> String {
        let n = self.namespaces.fetch_add(1, Ordering::Relaxed);
        let name = format!("t{n}-{:08x}", rand::random::<u32>());
        let ns: Namespace = serde_json::from_value(json!({
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": { "name": name },
        }))
        .expect("namespace literal is valid");
        Api::<Namespace>::all(self.admin_client().await)
            .create(&PostParams::default(), &ns)
            .await
            .unwrap_or_else(|e| panic!("create namespace {name} on {}: {e}", self.url));
        if let Err(why) = self.wait_for_default_service_account(&name).await {
            panic!("{why}");
        }
        name
    }

    /// Creates Secret `name` in `namespace` holding `data` (plain values, as `stringData`).
    pub async fn create_secret(&self, namespace: &str, name: &str, data: &[(&str, &str)]) {
        let values: serde_json::Map<String, serde_json::Value> = data
            .iter()
            .map(|(k, v)| (k.to_string(), json!(v)))
            .collect();
        let secret: Secret = serde_json::from_value(json!({
            "apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": name, "namespace": namespace},
            "stringData": values,
        }))
        .expect("secret literal is valid");
        Api::<Secret>::namespaced(self.admin_client().await, namespace)
            .create(&PostParams::default(), &secret)
            .await
            .unwrap_or_else(|e| panic!("create secret {namespace}/{name}: {e}"));
    }

    /// Asserts that every StatefulSet and Deployment in `namespace` has finished its rollout as
    /// the real controllers report it (observed generation, ready/available and updated replicas,
    /// StatefulSet revisions equal); returns how many workloads there are.
    pub async fn assert_rolled_out(&self, namespace: &str) -> usize {
        let client = self.admin_client().await;
        let mut n = 0;
        for set in Api::<StatefulSet>::namespaced(client.clone(), namespace)
            .list(&ListParams::default())
            .await
            .expect("list statefulsets")
            .items
        {
            let name = set.metadata.name.clone().unwrap_or_default();
            let want = set.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
            let status = set
                .status
                .expect("status written by the statefulset controller");
            assert_eq!(
                status.observed_generation, set.metadata.generation,
                "{name}"
            );
            assert_eq!(status.ready_replicas, Some(want), "{name}");
            assert_eq!(status.updated_replicas, Some(want), "{name}");
            assert_eq!(status.current_revision, status.update_revision, "{name}");
            n += 1;
        }
        for dep in Api::<Deployment>::namespaced(client, namespace)
            .list(&ListParams::default())
            .await
            .expect("list deployments")
            .items
        {
            let name = dep.metadata.name.clone().unwrap_or_default();
            let want = dep.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
            let status = dep
                .status
                .expect("status written by the deployment controller");
            assert_eq!(
                status.observed_generation, dep.metadata.generation,
                "{name}"
            );
            assert_eq!(status.available_replicas, Some(want), "{name}");
            assert_eq!(status.updated_replicas, Some(want), "{name}");
            n += 1;
        }
        n
    }

    /// Binds [`LIMITED_USER`] to a ClusterRole (e.g. the bootstrapped `view`, `edit`, `admin`)
    /// inside `namespace`, and returns once the authorizer honours the binding.
    ///
    /// `view`, `edit` and `admin` are aggregated roles whose rules the controller-manager's
    /// clusterrole-aggregation controller fills in; this waits until it has.
    pub async fn grant_limited_user(&self, namespace: &str, cluster_role: &str) {
        let client = self.admin_client().await;
        let roles = Api::<ClusterRole>::all(client.clone());
        let rule = super::poll(|| async {
            let role = roles
                .get(cluster_role)
                .await
                .unwrap_or_else(|e| panic!("read cluster role {cluster_role}: {e}"));
            role.rules.into_iter().flatten().find(|r| {
                !r.verbs.is_empty() && r.resources.as_ref().is_some_and(|v| !v.is_empty())
            })
        })
        .await
        .unwrap_or_else(|| {
            panic!(
                "cluster role {cluster_role} grants no resource access after {:?} \
                 (is the clusterrole-aggregation controller running?)",
                super::DEADLINE
            )
        });

        let binding: RoleBinding = serde_json::from_value(json!({
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": { "name": format!("{LIMITED_USER}-{cluster_role}"), "namespace": namespace },
            "roleRef": {
                "apiGroup": "rbac.authorization.k8s.io",
                "kind": "ClusterRole",
                "name": cluster_role,
            },
            "subjects": [{
                "apiGroup": "rbac.authorization.k8s.io",
                "kind": "User",
                "name": LIMITED_USER,
            }],
        }))
        .expect("role binding literal is valid");
        Api::<RoleBinding>::namespaced(client.clone(), namespace)
            .create(&PostParams::default(), &binding)
            .await
            .unwrap_or_else(|e| {
                panic!("bind {LIMITED_USER} to {cluster_role} in {namespace}: {e}")
            });

        // The RBAC authorizer reads roles and bindings from informer caches, so a request right
        // after the create may still be denied. Wait until the server grants the role's first
        // rule.
        let review: SubjectAccessReview = serde_json::from_value(json!({
            "apiVersion": "authorization.k8s.io/v1",
            "kind": "SubjectAccessReview",
            "spec": {
                "user": LIMITED_USER,
                "resourceAttributes": {
                    "namespace": namespace,
                    "verb": rule.verbs[0],
                    "group": rule.api_groups.iter().flatten().next().cloned().unwrap_or_default(),
                    "resource": rule.resources.iter().flatten().next(),
                },
            },
        }))
        .expect("access review literal is valid");
        let reviews = Api::<SubjectAccessReview>::all(client);
        let deadline = Instant::now() + super::DEADLINE;
        loop {
            let answer = reviews
                .create(&PostParams::default(), &review)
                .await
                .unwrap_or_else(|e| panic!("review access of {LIMITED_USER}: {e}"));
            if answer.status.is_some_and(|s| s.allowed) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "binding {LIMITED_USER} to {cluster_role} in {namespace} took no effect after {:?}",
                super::DEADLINE
            );
            tokio::time::sleep(POLL).await;
        }
    }

    /// Kills kube-apiserver (etcd keeps running, so all objects survive). Clients see
    /// connection errors until [`TestCluster::start_apiserver`].
    pub fn stop_apiserver(&self) {
        let mut guard = self.apiserver.lock().unwrap_or_else(|e| e.into_inner());
        // Dropping the process kills and reaps it.
        drop(guard.take());
    }

    /// Starts kube-apiserver again on the same port, etcd, certificates and tokens, so existing
    /// kubeconfigs and clients keep working, and waits for `/readyz`.
    pub async fn start_apiserver(&self) {
        {
            let mut guard = self.apiserver.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(child) = guard.as_mut() {
                if matches!(child.try_wait(), Ok(None)) {
                    return; // still running
                }
            }
            *guard = Some(spawn(
                &self.apiserver_bin,
                &self.apiserver_args,
                &self.dir.path().join("kube-apiserver.log"),
            ));
        }
        if let Err(why) = self.wait_ready(START_TIMEOUT).await {
            panic!("{why}");
        }
    }

    /// Polls `/readyz` as admin until it answers `ok`, the process exits, or `timeout` passes.
    /// The error names the URL, the last failure, whether the process is running, and the log.
    pub async fn wait_ready(&self, timeout: Duration) -> Result<(), String> {
        let client = self.admin_client().await;
        let deadline = Instant::now() + timeout;
        let mut last = String::from("no attempt made");
        loop {
            if let Some(exited) = self.apiserver_exit() {
                return Err(self.not_ready(&format!("process {exited}"), &last));
            }
            let request = http::Request::get("/readyz")
                .body(Vec::new())
                .expect("a static request is valid");
            match client.request_text(request).await {
                Ok(body) if body.trim() == "ok" => return Ok(()),
                Ok(body) => last = format!("/readyz answered {body:?}"),
                Err(e) => last = e.to_string(),
            }
            if Instant::now() >= deadline {
                let state = if self.apiserver_exit().is_some() {
                    "process exited".to_string()
                } else {
                    "process running".to_string()
                };
                return Err(
                    self.not_ready(&format!("{state}, not ready after {timeout:.1?}"), &last)
                );
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// `None` while kube-apiserver runs; otherwise how it ended ("not running" after a stop).
    fn apiserver_exit(&self) -> Option<String> {
        let mut guard = self.apiserver.lock().unwrap_or_else(|e| e.into_inner());
        match guard.as_mut() {
            None => Some("not running (stopped by the test)".to_string()),
            Some(child) => match child.try_wait() {
                Ok(None) => None,
                Ok(Some(status)) => Some(format!("exited with {status}")),
                Err(e) => Some(format!("state unknown: {e}")),
            },
        }
    }

    fn not_ready(&self, state: &str, last: &str) -> String {
        let log = self.dir.path().join("kube-apiserver.log");
        format!(
            "kube-apiserver at {} is not ready: {state}; last error: {last}\n--- {} (tail) ---\n{}",
            self.url,
            log.display(),
            log_tail(&log, 20)
        )
    }
}

impl Drop for TestCluster {
    fn drop(&mut self) {
        // The kubelet stand-in and the controllers first, then the apiserver, so none of them
        // logs connection errors while dying; then etcd; the temp dir goes last (field order)
        // once nothing writes into it.
        drop(
            self.kubelet
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .take(),
        );
        drop(
            self.scheduler
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .take(),
        );
        drop(
            self.controller_manager
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .take(),
        );
        self.stop_apiserver();
        let mut etcd = self.etcd.lock().unwrap_or_else(|e| e.into_inner());
        drop(etcd.take());
    }
}

fn apiserver_args(
    port: u16,
    etcd_url: &str,
    cert_dir: &Path,
    tokens: &Path,
    sa_key: &Path,
) -> Vec<OsString> {
    let mut args: Vec<OsString> = vec![
        format!("--etcd-servers={etcd_url}").into(),
        format!("--secure-port={port}").into(),
        "--bind-address=127.0.0.1".into(),
        "--advertise-address=127.0.0.1".into(),
        // The `kubernetes` Service's endpoints may not point at loopback, and nothing in the
        // cluster calls the apiserver through that Service (no pod runs): leave it unreconciled.
        "--endpoint-reconciler-type=none".into(),
        "--authorization-mode=RBAC".into(),
        "--service-account-issuer=https://kubernetes.default.svc.cluster.local".into(),
        format!("--service-cluster-ip-range={SERVICE_CIDR}").into(),
        "--profiling=false".into(),
        // API Priority and Fairness isolates tenants; each test has its own apiserver and no
        // competing tenants, so it is off (the one default the harness changes for load).
        "--enable-priority-and-fairness=false".into(),
    ];
    for (flag, path) in [
        ("--cert-dir", cert_dir),
        ("--token-auth-file", tokens),
        ("--service-account-key-file", sa_key),
        ("--service-account-signing-key-file", sa_key),
    ] {
        let mut arg = OsString::from(format!("{flag}="));
        arg.push(path);
        args.push(arg);
    }
    args
}

/// kube-controller-manager: every default controller plus the hostpath provisioner, each
/// controller with its own service account (as kubeadm runs it), no serving port.
fn controller_manager_args(kubeconfig: &Path, ca: &Path, sa_key: &Path) -> Vec<OsString> {
    let mut args: Vec<OsString> = vec![
        "--leader-elect=false".into(),
        "--secure-port=0".into(),
        "--controllers=*".into(),
        "--use-service-account-credentials=true".into(),
        "--enable-hostpath-provisioner=true".into(),
        format!("--service-cluster-ip-range={SERVICE_CIDR}").into(),
        "--allocate-node-cidrs=false".into(),
        "--profiling=false".into(),
    ];
    for (flag, path) in [
        ("--kubeconfig", kubeconfig),
        ("--root-ca-file", ca),
        ("--service-account-private-key-file", sa_key),
    ] {
        let mut arg = OsString::from(format!("{flag}="));
        arg.push(path);
        args.push(arg);
    }
    args
}

/// kube-scheduler with its default profile, no serving port.
fn scheduler_args(kubeconfig: &Path) -> Vec<OsString> {
    let mut arg = OsString::from("--kubeconfig=");
    arg.push(kubeconfig);
    vec![
        arg,
        "--leader-elect=false".into(),
        "--secure-port=0".into(),
        "--profiling=false".into(),
    ]
}

/// `None` while the process runs; otherwise how it ended.
fn exited(process: &Mutex<Option<Process>>) -> Option<String> {
    let mut guard = process.lock().unwrap_or_else(|e| e.into_inner());
    match guard.as_mut() {
        None => Some("is not running".to_string()),
        Some(child) => match child.try_wait() {
            Ok(None) => None,
            Ok(Some(status)) => Some(format!("exited with {status}")),
            Err(e) => Some(format!("state unknown: {e}")),
        },
    }
}

/// Starts etcd on two free loopback ports (client, peer) with a fresh data dir and waits for
/// `/health`.
async fn start_etcd(bin: &Path, root: &Path) -> Result<(Process, String), StartFailure> {
    let log = root.join("etcd.log");
    let (client_port, peer_port) = loop {
        let (a, b) = (free_port(), free_port());
        if a != b {
            break (a, b);
        }
    };
    let client = format!("http://127.0.0.1:{client_port}");
    let peer = format!("http://127.0.0.1:{peer_port}");
    let mut data_arg = OsString::from("--data-dir=");
    data_arg.push(root.join("etcd-data"));
    let args: Vec<OsString> = vec![
        "--name=opctl-test".into(),
        data_arg,
        format!("--listen-client-urls={client}").into(),
        format!("--advertise-client-urls={client}").into(),
        format!("--listen-peer-urls={peer}").into(),
        format!("--initial-advertise-peer-urls={peer}").into(),
        format!("--initial-cluster=opctl-test={peer}").into(),
        // One member on loopback: elect it in tens of milliseconds, not a second.
        "--heartbeat-interval=10".into(),
        "--election-timeout=100".into(),
    ];
    let mut child = spawn(bin, &args, &log);
    match wait_for_etcd(&mut child, client_port).await {
        Ok(()) => Ok((child, client)),
        Err(why) => Err(StartFailure::new(
            &log,
            format!("etcd did not start: {why}"),
        )),
    }
}

/// Why a start attempt failed, with the peer's log tail; `port_taken` when the peer lost a race
/// for its port, which is worth another attempt.
struct StartFailure {
    message: String,
    port_taken: bool,
}

impl StartFailure {
    fn new(log: &Path, why: String) -> StartFailure {
        let tail = log_tail(log, 30);
        StartFailure {
            port_taken: tail.contains("address already in use"),
            message: format!("{why}\n--- {} (tail) ---\n{tail}", log.display()),
        }
    }
}

async fn wait_for_etcd(child: &mut Process, port: u16) -> Result<(), String> {
    let deadline = Instant::now() + START_TIMEOUT;
    let mut last = String::from("no attempt made");
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("etcd exited with {status}; last error: {last}"));
        }
        match etcd_health(port).await {
            Ok(true) => return Ok(()),
            Ok(false) => last = "/health is not true yet".into(),
            Err(e) => last = e.to_string(),
        }
        if Instant::now() >= deadline {
            return Err(format!(
                "etcd not healthy after {START_TIMEOUT:?}; last error: {last}"
            ));
        }
        tokio::time::sleep(POLL).await;
    }
}

/// `GET /health` on etcd's plain-HTTP client port.
async fn etcd_health(port: u16) -> std::io::Result<bool> {
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
    stream
        .write_all(b"GET /health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        .await?;
    let mut response = String::new();
    stream.read_to_string(&mut response).await?;
    Ok(response.contains("\"health\":\"true\""))
}

/// Waits until kube-apiserver has written its self-signed serving certificate (it does so
/// before serving), or fails if the process exits first.
async fn wait_for_file(child: &mut Process, path: &Path) -> Result<(), String> {
    let deadline = Instant::now() + START_TIMEOUT;
    loop {
        if path.is_file() {
            return Ok(());
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!(
                "exited with {status} before writing {}",
                path.display()
            ));
        }
        if Instant::now() >= deadline {
            return Err(format!(
                "{} not written after {START_TIMEOUT:?}",
                path.display()
            ));
        }
        tokio::time::sleep(POLL).await;
    }
}

fn spawn(bin: &Path, args: &[OsString], log: &Path) -> Process {
    let out = File::options()
        .create(true)
        .append(true)
        .open(log)
        .unwrap_or_else(|e| panic!("open {}: {e}", log.display()));
    let err = out.try_clone().expect("clone a log file handle");
    Command::new(bin)
        .args(args)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .map(Process)
        .unwrap_or_else(|e| panic!("spawn {}: {e}", bin.display()))
}

/// A child process that is killed (SIGKILL) and reaped when dropped, so no peer outlives its
/// test, whether the test passes, fails, or panics half-way through starting a cluster.
struct Process(Child);

impl Process {
    fn try_wait(&mut self) -> std::io::Result<Option<std::process::ExitStatus>> {
        self.0.try_wait()
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn openssl_genrsa(out: PathBuf) {
    let output = tokio::process::Command::new("openssl")
        .arg("genrsa")
        .arg("-out")
        .arg(&out)
        .arg("2048")
        .stdin(Stdio::null())
        .output()
        .await
        .unwrap_or_else(|e| panic!("run `openssl genrsa` (is openssl installed?): {e}"));
    assert!(
        output.status.success(),
        "`openssl genrsa` failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn random_token() -> String {
    format!("{:032x}", rand::random::<u128>())
}

fn write_kubeconfig(path: &Path, url: &str, ca: &Path, user: &str, token: &str) {
    // JSON is YAML: kube, opctl and kubectl all read this file.
    let config = json!({
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{
            "name": "opctl-test",
            "cluster": { "server": url, "certificate-authority": ca },
        }],
        "users": [{ "name": user, "user": { "token": token } }],
        "contexts": [{
            "name": user,
            "context": { "cluster": "opctl-test", "user": user, "namespace": "default" },
        }],
        "current-context": user,
    });
    let text = serde_json::to_string_pretty(&config).expect("kubeconfig serialises");
    std::fs::write(path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

pub async fn client_from(kubeconfig: &Path) -> Client {
    install_crypto_provider();
    let parsed = Kubeconfig::read_from(kubeconfig)
        .unwrap_or_else(|e| panic!("read {}: {e}", kubeconfig.display()));
    let config = Config::from_custom_kubeconfig(parsed, &KubeConfigOptions::default())
        .await
        .unwrap_or_else(|e| panic!("load {}: {e}", kubeconfig.display()));
    Client::try_from(config)
        .unwrap_or_else(|e| panic!("build a client from {}: {e}", kubeconfig.display()))
}
