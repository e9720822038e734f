//! The watcher as a pod (`[watch] deploy = true`): a Deployment running `opctl watch` on the chain
//! file, its ServiceAccount, a namespaced Role and RoleBinding with exactly the rights the watch
//! loop uses, and a ConfigMap carrying the chain file and its lock file. Pure.
//!
//! The Role is computed from the other rendered objects: reads and writes are limited to the names
//! opctl renders (server-side apply authorises a create by the object's name), Secrets are
//! readable only by name (the chain's own Secrets and the key and URL Secrets the file references),
//! and list/watch is granted only for the non-Secret kinds the watcher's triggers follow.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec};
use k8s_openapi::api::core::v1::{
    ConfigMap, ConfigMapProjection, EnvVar, EnvVarSource, KeyToPath, ObjectFieldSelector, PodSpec,
    PodTemplateSpec, ProjectedVolumeSource, ServiceAccount, Volume, VolumeProjection,
};
use k8s_openapi::api::rbac::v1::{PolicyRule, Role as RbacRole, RoleBinding, RoleRef, Subject};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use serde_json::Value;

use super::common::*;
use super::nodes::http_probe;
use super::{Desired, Phase, UrlValue};
use crate::config::watch::WatchLogFormat;
use crate::config::{ChainFile, Common, Resources, UrlSource};

/// Value of `opctl.io/role` and `app.kubernetes.io/component` on the watcher's objects.
pub const COMPONENT: &str = "watch";
/// Where the chain file (and the files it names) are mounted in the watcher pod.
pub const CONFIG_DIR: &str = "/etc/opctl";
/// Where the Dockerfile installs the binary.
pub const BINARY: &str = "/usr/local/bin/opctl";

/// Name of the watcher's Deployment, ServiceAccount, Role, RoleBinding, ConfigMap and Lease.
pub fn name(chain: &str) -> String {
    format!("{chain}-opctl-watch")
}

/// The Secrets the watch loop reads although opctl does not manage them: the signer key Secrets of
/// the enabled roles (for the role checks) and the L1 RPC URL Secret (for re-discovery).
pub fn referenced_secrets(file: &ChainFile) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let signers = [
        (file.sequencer.enabled, &file.sequencer.signing_key),
        (file.batcher.enabled, &file.batcher.signer),
        (file.proposer.enabled, &file.proposer.signer),
        (file.challenger.enabled, &file.challenger.signer),
    ];
    for (enabled, signer) in signers {
        if let (true, Some(secret)) = (enabled, signer.as_ref().and_then(|s| s.secret.clone())) {
            out.insert(secret);
        }
    }
    if let UrlSource::Secret(r) = &file.l1.rpc_url {
        out.insert(r.secret.clone());
    }
    if let Some(UrlSource::Secret(r)) = &file.status.reference_rpc {
        out.insert(r.secret.clone());
    }
    out
}

/// Names of the Secrets among rendered objects: (all, filled by apply from opctl's environment,
/// generated once).
fn secret_names(objects: &[Desired]) -> (BTreeSet<String>, BTreeSet<String>, bool) {
    let mut all = BTreeSet::new();
    let mut filled = BTreeSet::new();
    let mut generated = false;
    for d in objects.iter().filter(|d| d.kind() == "Secret") {
        all.insert(d.name().to_string());
        if d.create_only {
            generated = true;
        } else {
            filled.insert(d.name().to_string());
        }
    }
    (all, filled, generated)
}

fn rule(group: &str, resources: &[&str], names: &[String], verbs: &[&str]) -> PolicyRule {
    PolicyRule {
        api_groups: Some(vec![group.to_string()]),
        resources: Some(resources.iter().map(|r| r.to_string()).collect()),
        resource_names: (!names.is_empty()).then(|| names.to_vec()),
        verbs: verbs.iter().map(|v| v.to_string()).collect(),
        ..Default::default()
    }
}

/// Kinds applied by name: (kind, API group, resource).
const NAMED_KINDS: [(&str, &str, &str); 7] = [
    ("ConfigMap", "", "configmaps"),
    ("Service", "", "services"),
    ("ServiceAccount", "", "serviceaccounts"),
    ("Deployment", "apps", "deployments"),
    ("StatefulSet", "apps", "statefulsets"),
    ("PodDisruptionBudget", "policy", "poddisruptionbudgets"),
    ("NetworkPolicy", "networking.k8s.io", "networkpolicies"),
];

/// The rules of the watcher's Role, given every object of the chain (the watcher's included).
pub fn rules(
    chain: &str,
    namespace: &str,
    file: &ChainFile,
    objects: &[Desired],
) -> Vec<PolicyRule> {
    let mut by_kind: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for d in objects {
        by_kind
            .entry(d.kind())
            .or_default()
            .push(d.name().to_string());
    }
    let own = vec![name(chain)];
    let mut rules = vec![rule(
        "",
        &["namespaces"],
        &[namespace.to_string()],
        &["get", "patch"],
    )];
    for (kind, group, resource) in NAMED_KINDS {
        if let Some(names) = by_kind.get(kind) {
            let mut names = names.clone();
            names.sort();
            names.dedup();
            rules.push(rule(
                group,
                &[resource],
                &names,
                &["create", "get", "patch"],
            ));
        }
    }
    for resource in ["roles", "rolebindings"] {
        rules.push(rule(
            "rbac.authorization.k8s.io",
            &[resource],
            &own,
            &["get", "patch"],
        ));
    }
    // The triggers: label-selector watches of the non-Secret kinds.
    rules.push(rule(
        "",
        &["configmaps", "serviceaccounts", "services"],
        &[],
        &["list", "watch"],
    ));
    rules.push(rule(
        "apps",
        &["deployments", "statefulsets"],
        &[],
        &["list", "watch"],
    ));
    rules.push(rule(
        "policy",
        &["poddisruptionbudgets"],
        &[],
        &["list", "watch"],
    ));
    rules.push(rule(
        "networking.k8s.io",
        &["networkpolicies"],
        &[],
        &["list", "watch"],
    ));
    // Secrets: read by name only (a watch with a `metadata.name` field selector is authorised by
    // name too); written by name, except generated ones, which are created with POST, which RBAC
    // cannot limit by name (creating never reveals another Secret).
    let (managed, filled, generated) = secret_names(objects);
    let readable: Vec<String> = managed
        .iter()
        .cloned()
        .chain(referenced_secrets(file))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if !readable.is_empty() {
        rules.push(rule("", &["secrets"], &readable, &["get", "list", "watch"]));
    }
    if !filled.is_empty() {
        let filled: Vec<String> = filled.into_iter().collect();
        rules.push(rule("", &["secrets"], &filled, &["create", "patch"]));
    }
    if generated {
        rules.push(rule("", &["secrets"], &[], &["create"]));
    }
    rules.push(rule("coordination.k8s.io", &["leases"], &[], &["create"]));
    rules.push(rule(
        "coordination.k8s.io",
        &["leases"],
        &own,
        &["get", "update"],
    ));
    // Rollout notes: the pods of an unfinished workload are listed, never written (only a
    // confirmed `apply` deletes a stuck pod).
    rules.push(rule("", &["pods"], &[], &["list"]));
    // Node status (`opctl status` in the loop, for metrics and Events): JSON-RPC through the
    // apiserver's pod proxy to the chain's node pods, by name.
    let node_pods: Vec<String> = by_kind
        .get("StatefulSet")
        .into_iter()
        .flatten()
        .filter(|n| {
            n.starts_with(&format!("{chain}-sequencer"))
                || n.starts_with(&format!("{chain}-replica-"))
        })
        .map(|sts| format!("{sts}-0"))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if !node_pods.is_empty() {
        // RBAC sees the proxy path's `{pod}:{port}` as the resource name: op-node's RPC and the
        // execution client's HTTP RPC of each node pod, and nothing else of it.
        let targets: Vec<String> = node_pods
            .iter()
            .flat_map(|p| {
                [
                    format!("{p}:{}", super::nodes::NODE_RPC),
                    format!("{p}:{}", super::nodes::EL_HTTP),
                ]
            })
            .collect();
        rules.push(rule("", &["pods/proxy"], &targets, &["create"]));
    }
    // The replicas' readiness gate: the watcher writes the `opctl.io/caught-up` condition.
    if file.replicas.enabled && file.replicas.readiness_gate {
        let replicas: Vec<String> = node_pods
            .iter()
            .filter(|p| p.starts_with(&format!("{chain}-replica-")))
            .cloned()
            .collect();
        rules.push(rule("", &["pods/status"], &replicas, &["patch"]));
    }
    // Events are `events.k8s.io/v1` (kube-runtime's Recorder), each message created once.
    rules.push(rule("events.k8s.io", &["events"], &[], &["create"]));
    if file.watch.prune {
        rules.push(rule(
            "",
            &["configmaps", "secrets", "serviceaccounts", "services"],
            &[],
            &["delete", "list"],
        ));
        rules.push(rule(
            "apps",
            &["deployments", "statefulsets"],
            &[],
            &["delete", "list"],
        ));
        rules.push(rule(
            "policy",
            &["poddisruptionbudgets"],
            &[],
            &["delete", "list"],
        ));
        rules.push(rule(
            "networking.k8s.io",
            &["networkpolicies"],
            &[],
            &["delete", "list"],
        ));
    }
    rules
}

fn labels(ctx: &Ctx<'_>, name: &str, version: Option<&str>) -> BTreeMap<String, String> {
    let mut l = ctx.labels(None, name, "opctl", version);
    l.insert(LABEL_ROLE.to_string(), COMPONENT.to_string());
    l.insert(
        "app.kubernetes.io/component".to_string(),
        COMPONENT.to_string(),
    );
    l
}

fn selector(ctx: &Ctx<'_>, name: &str) -> BTreeMap<String, String> {
    let mut s = ctx.selector(None, name);
    s.insert(LABEL_ROLE.to_string(), COMPONENT.to_string());
    s
}

fn file_name(path: &std::path::Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "chain.toml".to_string())
}

fn item(key: &str, path: &str) -> KeyToPath {
    KeyToPath {
        key: key.to_string(),
        path: path.to_string(),
        ..Default::default()
    }
}

/// The chain file, its lock file and the rollup/genesis files at the paths the chain file names,
/// in one directory.
fn config_volume(ctx: &Ctx<'_>, name: &str) -> Volume {
    let chain = ctx.chain;
    let toml = file_name(&chain.path);
    let mut own = vec![item(&toml, &toml)];
    if chain.lock_text.is_some() {
        let lock = file_name(&crate::lock::Lock::path_for(&chain.path));
        own.push(item(&lock, &lock));
    }
    let mut sources = vec![VolumeProjection {
        config_map: Some(ConfigMapProjection {
            name: name.to_string(),
            items: Some(own),
            optional: Some(false),
        }),
        ..Default::default()
    }];
    if ctx.has_config_map() {
        let f = &chain.file.chain;
        let items: Vec<KeyToPath> = [
            ("rollup.json", &f.rollup_config, &chain.rollup_json),
            (
                L1_GENESIS_KEY,
                &chain.file.l1.genesis,
                &chain.l1_genesis_json,
            ),
        ]
        .into_iter()
        .filter_map(|(key, rel, text)| match (rel, text) {
            (Some(rel), Some(_)) => Some(item(key, rel)),
            _ => None,
        })
        .collect();
        if !items.is_empty() {
            sources.push(VolumeProjection {
                config_map: Some(ConfigMapProjection {
                    name: ctx.config_map_name(),
                    items: Some(items),
                    optional: Some(false),
                }),
                ..Default::default()
            });
        }
    }
    Volume {
        name: "chain".into(),
        projected: Some(ProjectedVolumeSource {
            sources: Some(sources),
            default_mode: Some(0o444),
        }),
        ..Default::default()
    }
}

/// Environment of the watcher: its pod name (the lease identity) and the `env:VAR` URLs, read
/// back from the Secret apply filled them into.
fn env(ctx: &Ctx<'_>) -> Vec<EnvVar> {
    let mut env = vec![EnvVar {
        name: "POD_NAME".into(),
        value_from: Some(EnvVarSource {
            field_ref: Some(ObjectFieldSelector {
                field_path: "metadata.name".into(),
                ..Default::default()
            }),
            ..Default::default()
        }),
        ..Default::default()
    }];
    let l1 = &ctx.chain.file.l1;
    for (which, src) in [("rpc-url", &l1.rpc_url), ("beacon-url", &l1.beacon_url)] {
        if let (Some(var), UrlValue::Secret { name, key }) =
            (src.env_var(), super::url_value(ctx.name, which, src))
        {
            env.push(secret_env(var, &name, &key));
        }
    }
    env
}

/// The watcher's objects. `others` are the chain's other rendered objects; the Role names them.
pub fn objects(ctx: &Ctx<'_>, others: &[Desired]) -> Vec<Desired> {
    let w = &ctx.chain.file.watch;
    let name = name(ctx.name);
    let image = w.image.clone().unwrap_or_default();
    let version = image_tag(&image).map(str::to_string);
    let meta = |kind_labels: BTreeMap<String, String>| ctx.meta(&name, kind_labels);

    let sa = ServiceAccount {
        metadata: meta(labels(ctx, &name, None)),
        automount_service_account_token: Some(true),
        ..Default::default()
    };
    let binding = RoleBinding {
        metadata: meta(labels(ctx, &name, None)),
        role_ref: RoleRef {
            api_group: "rbac.authorization.k8s.io".into(),
            kind: "Role".into(),
            name: name.clone(),
        },
        subjects: Some(vec![Subject {
            kind: "ServiceAccount".into(),
            name: name.clone(),
            namespace: Some(ctx.namespace.to_string()),
            ..Default::default()
        }]),
    };
    let mut data = BTreeMap::from([(file_name(&ctx.chain.path), ctx.chain.text.clone())]);
    if let Some(lock) = &ctx.chain.lock_text {
        data.insert(
            file_name(&crate::lock::Lock::path_for(&ctx.chain.path)),
            lock.clone(),
        );
    }
    let cm = ConfigMap {
        metadata: meta(labels(ctx, &name, None)),
        data: Some(data),
        ..Default::default()
    };

    let e = ctx.effective(&Common::default());
    let port = i32::from(w.port());
    let log_format = match w.log_format.unwrap_or_default() {
        WatchLogFormat::Json => "json",
        WatchLogFormat::Text => "text",
    };
    let args = vec![
        "watch".to_string(),
        format!("{CONFIG_DIR}/{}", file_name(&ctx.chain.path)),
        format!("--namespace={}", ctx.namespace),
        format!("--listen=0.0.0.0:{port}"),
        format!("--log-format={log_format}"),
    ];
    let mut c = container("opctl", image.clone(), BINARY, args, env(ctx), &e);
    c.ports = Some(vec![super::common::port("http", port, "TCP")]);
    c.volume_mounts = Some(vec![
        mount("chain", CONFIG_DIR, true),
        mount("tmp", "/tmp", false),
    ]);
    // A custom chain's genesis travels compressed in parts: an init step copies the mounted chain
    // files into a writable `chain` directory and assembles the genesis there, at the path the
    // chain file names.
    let src = format!("{CONFIG_DIR}-src");
    let init =
        super::genesis::init_container_for_watcher(ctx, &e, &src, CONFIG_DIR, "chain-src", "chain");
    let volumes = match (&init, super::genesis::parts_volume(ctx)) {
        (Some(_), Some(parts)) => {
            let mut files = config_volume(ctx, &name);
            files.name = "chain-src".into();
            vec![
                tmp_volume(),
                files,
                parts,
                Volume {
                    name: "chain".into(),
                    empty_dir: Some(Default::default()),
                    ..Default::default()
                },
            ]
        }
        _ => vec![tmp_volume(), config_volume(ctx, &name)],
    };
    c.readiness_probe = Some(http_probe("/readyz", port, 10, 3));
    c.liveness_probe = Some(http_probe("/healthz", port, 20, 6));
    let defaults = Resources {
        cpu: Some("20m".into()),
        memory: Some("64Mi".into()),
        cpu_limit: None,
        memory_limit: Some("128Mi".into()),
    };
    c.resources = Some(resources(
        Some(w.resources.as_ref().unwrap_or(&defaults)),
        "20m",
        "64Mi",
    ));
    let dep = Deployment {
        metadata: meta(labels(ctx, &name, version.as_deref())),
        spec: Some(DeploymentSpec {
            replicas: Some(i32::try_from(w.replicas()).unwrap_or(1)),
            selector: LabelSelector {
                match_labels: Some(selector(ctx, &name)),
                ..Default::default()
            },
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(labels(ctx, &name, version.as_deref())),
                    ..Default::default()
                }),
                spec: Some(PodSpec {
                    service_account_name: Some(name.clone()),
                    automount_service_account_token: Some(true),
                    enable_service_links: Some(false),
                    termination_grace_period_seconds: Some(15),
                    security_context: Some(pod_security(&e)),
                    init_containers: init.map(|i| vec![i]),
                    containers: vec![c],
                    volumes: Some(volumes),
                    node_selector: node_selector(&e),
                    tolerations: tolerations(&e),
                    ..Default::default()
                }),
            },
            ..Default::default()
        }),
        ..Default::default()
    };

    let mut mine = vec![
        ctx.desired(None, Phase::ServiceAccount, &sa),
        ctx.desired(None, Phase::ServiceAccount, &binding),
        ctx.desired(None, Phase::ConfigMaps, &cm),
        ctx.desired(None, Phase::Watcher, &dep),
    ];
    let everything: Vec<Desired> = others.iter().chain(mine.iter()).cloned().collect();
    let role = RbacRole {
        metadata: meta(labels(ctx, &name, None)),
        rules: Some(rules(ctx.name, ctx.namespace, &ctx.chain.file, &everything)),
    };
    mine.push(ctx.desired(None, Phase::ServiceAccount, &role));
    mine
}

/// The ApplySet parent lists the RBAC kinds too once the watcher's Role and RoleBinding are members.
pub fn extend_group_kinds(objects: &mut [Desired]) {
    for d in objects
        .iter_mut()
        .filter(|d| d.phase == Phase::ApplySetParent)
    {
        if let Some(Value::String(kinds)) = d.object.pointer_mut(&format!(
            "/metadata/annotations/{}",
            ANN_APPLYSET_GROUP_KINDS.replace('/', "~1")
        )) {
            let mut all: BTreeSet<String> = kinds.split(',').map(str::to_string).collect();
            all.insert("Role.rbac.authorization.k8s.io".into());
            all.insert("RoleBinding.rbac.authorization.k8s.io".into());
            *kinds = all.into_iter().collect::<Vec<_>>().join(",");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::{render, Input};
    use std::path::Path;

    fn devnet(watch: &str) -> crate::config::LoadedChain {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/devnet.toml");
        let text = std::fs::read_to_string(&path).expect("example");
        crate::config::load_str(&path, &format!("{text}\n[watch]\n{watch}\n")).expect("valid")
    }

    fn watcher_objects(chain: &crate::config::LoadedChain) -> Vec<Desired> {
        render(&Input::from_chain(chain))
            .expect("renders")
            .into_iter()
            .filter(|d| d.name() == "devnet-opctl-watch")
            .collect()
    }

    fn rules_of(objects: &[Desired]) -> Vec<PolicyRule> {
        let role = objects.iter().find(|d| d.kind() == "Role").expect("a Role");
        serde_json::from_value(role.object["rules"].clone()).expect("rules")
    }

    fn names(rule: &PolicyRule) -> Vec<&str> {
        rule.resource_names
            .iter()
            .flatten()
            .map(String::as_str)
            .collect()
    }

    #[test]
    fn nothing_is_rendered_unless_deploy_is_asked_for() {
        let chain = devnet("rediscover = \"0\"");
        assert!(watcher_objects(&chain).is_empty());
    }

    #[test]
    fn the_watcher_is_a_deployment_service_account_role_binding_and_config_map() {
        let chain = devnet("deploy = true\nimage = \"example.org/opctl:v0.1.0\"\nreplicas = 2");
        let objects = watcher_objects(&chain);
        let kinds: Vec<&str> = objects.iter().map(|d| d.kind()).collect();
        assert_eq!(
            kinds,
            [
                "Role",
                "RoleBinding",
                "ServiceAccount",
                "ConfigMap",
                "Deployment"
            ]
        );
        let cm = objects
            .iter()
            .find(|d| d.kind() == "ConfigMap")
            .expect("cm");
        assert_eq!(cm.object["data"]["devnet.toml"], chain.text.as_str());
        let dep = objects
            .iter()
            .find(|d| d.kind() == "Deployment")
            .expect("dep");
        let pod = &dep.object["spec"]["template"]["spec"];
        assert_eq!(dep.object["spec"]["replicas"], 2);
        assert_eq!(pod["serviceAccountName"], "devnet-opctl-watch");
        let c = &pod["containers"][0];
        assert_eq!(c["image"], "example.org/opctl:v0.1.0");
        assert_eq!(
            c["args"],
            serde_json::json!([
                "watch",
                "/etc/opctl/devnet.toml",
                "--namespace=op-devnet",
                "--listen=0.0.0.0:9090",
                "--log-format=json"
            ])
        );
        let env: Vec<&str> = c["env"]
            .as_array()
            .expect("env")
            .iter()
            .filter_map(|e| e["name"].as_str())
            .collect();
        assert!(
            env.contains(&"POD_NAME") && env.contains(&"L1_BEACON_URL"),
            "{env:?}"
        );
        assert!(
            !c.to_string().contains("beacon.example"),
            "URLs come from the Secret"
        );
        let sources = &pod["volumes"][1]["projected"]["sources"];
        let paths: Vec<String> = sources
            .as_array()
            .expect("sources")
            .iter()
            .flat_map(|s| {
                s["configMap"]["items"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            })
            .filter_map(|i| i["path"].as_str().map(str::to_string))
            .collect();
        // The genesis travels in parts and is assembled by the init step (render::genesis).
        assert_eq!(paths, ["devnet.toml", "devnet/rollup.json"]);
        let init = &pod["initContainers"][0];
        assert_eq!(init["name"], "assemble-genesis");
        let out = init["env"]
            .as_array()
            .expect("env")
            .iter()
            .find(|v| v["name"] == "GENESIS_OUT")
            .expect("GENESIS_OUT");
        assert_eq!(out["value"], "/etc/opctl/devnet/genesis.json");
        assert_eq!(c["securityContext"]["runAsNonRoot"], true);
        assert_eq!(c["securityContext"]["readOnlyRootFilesystem"], true);
    }

    #[test]
    fn the_role_names_every_object_and_reads_only_the_referenced_secrets() {
        let chain = devnet("deploy = true\nimage = \"example.org/opctl:v0.1.0\"");
        let rules = rules_of(&watcher_objects(&chain));
        for r in &rules {
            assert!(!r.verbs.iter().any(|v| v == "*"), "{r:?}");
            assert!(!r.resources.iter().flatten().any(|v| v == "*"), "{r:?}");
            assert!(
                !r.verbs.iter().any(|v| v == "delete"),
                "no prune, no delete: {r:?}"
            );
        }
        let secret_reads: Vec<&PolicyRule> = rules
            .iter()
            .filter(|r| r.resources.iter().flatten().any(|x| x == "secrets"))
            .filter(|r| r.verbs.iter().any(|v| v == "get" || v == "list"))
            .collect();
        assert_eq!(secret_reads.len(), 1);
        let readable = names(secret_reads[0]);
        assert_eq!(
            readable,
            [
                "devnet-keys",
                "devnet-l1-endpoints",
                "devnet-replica-0-el-key",
                "devnet-replica-0-jwt",
                "devnet-replica-0-p2p",
                "devnet-replica-1-el-key",
                "devnet-replica-1-jwt",
                "devnet-replica-1-p2p",
                "devnet-sequencer-el-key",
                "devnet-sequencer-jwt",
                "devnet-sequencer-p2p",
                "l1-endpoints"
            ]
        );
        let deployments = rules
            .iter()
            .find(|r| {
                r.resources.iter().flatten().any(|x| x == "deployments")
                    && r.verbs.iter().any(|v| v == "patch")
            })
            .expect("deployments rule");
        assert_eq!(
            names(deployments),
            ["devnet-batcher", "devnet-opctl-watch", "devnet-proposer"]
        );
        let ns = rules
            .iter()
            .find(|r| r.resources.iter().flatten().any(|x| x == "namespaces"))
            .expect("namespace rule");
        assert_eq!(names(ns), ["op-devnet"]);
        assert_eq!(ns.verbs, ["get", "patch"]);
    }

    #[test]
    fn the_role_may_apply_and_watch_the_replicas_disruption_budget() {
        let chain = devnet("deploy = true\nimage = \"example.org/opctl:v0.1.0\"");
        let rules = rules_of(&watcher_objects(&chain));
        let pdb_rules: Vec<&PolicyRule> = rules
            .iter()
            .filter(|r| {
                r.resources
                    .iter()
                    .flatten()
                    .any(|x| x == "poddisruptionbudgets")
            })
            .collect();
        assert!(pdb_rules
            .iter()
            .all(|r| r.api_groups.iter().flatten().all(|g| g == "policy")));
        let apply = pdb_rules
            .iter()
            .find(|r| r.verbs.iter().any(|v| v == "patch"))
            .expect("an apply rule");
        assert_eq!(names(apply), ["devnet-replicas"]);
        assert_eq!(apply.verbs, ["create", "get", "patch"]);
        assert!(pdb_rules.iter().any(|r| r.verbs == ["list", "watch"]));
    }

    #[test]
    fn prune_adds_list_and_delete_and_the_applyset_lists_the_rbac_kinds() {
        let chain = devnet("deploy = true\nimage = \"example.org/opctl:v0.1.0\"\nprune = true");
        let rules = rules_of(&watcher_objects(&chain));
        for resource in [
            "secrets",
            "statefulsets",
            "poddisruptionbudgets",
            "networkpolicies",
        ] {
            assert!(
                rules.iter().any(|r| r.verbs == ["delete", "list"]
                    && r.resources.iter().flatten().any(|x| x == resource)),
                "{resource}"
            );
        }
        let objects = render(&Input::from_chain(&chain)).expect("renders");
        let parent = objects
            .iter()
            .find(|d| d.name() == "devnet-applyset")
            .expect("parent");
        let kinds = parent.object["metadata"]["annotations"][ANN_APPLYSET_GROUP_KINDS]
            .as_str()
            .expect("kinds");
        assert!(kinds.contains("Role.rbac.authorization.k8s.io"), "{kinds}");
        assert!(
            kinds.contains("RoleBinding.rbac.authorization.k8s.io"),
            "{kinds}"
        );
        assert!(kinds.contains("Deployment.apps"), "{kinds}");
        assert!(kinds.contains("PodDisruptionBudget.policy"), "{kinds}");
        assert!(kinds.contains("NetworkPolicy.networking.k8s.io"), "{kinds}");
    }

    #[test]
    fn the_referenced_secrets_are_the_enabled_signers_and_the_rpc_url() {
        let chain = devnet("rediscover = \"0\"");
        let refs: Vec<String> = referenced_secrets(&chain.file).into_iter().collect();
        assert_eq!(refs, ["devnet-keys", "l1-endpoints"]);
    }
}
