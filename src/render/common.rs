//! Pieces shared by every role: names, labels, merged settings, security, resources, Secrets, Services.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    Capabilities, ConfigMap, Container, ContainerPort, EnvVar, EnvVarSource, Namespace,
    PodSecurityContext, ResourceRequirements, SeccompProfile, Secret, SecretKeySelector,
    SecurityContext, Service, ServiceAccount, ServicePort, ServiceSpec, Toleration, Volume,
    VolumeMount,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{url_value, Desired, Input, Phase, Role, SecretFill, UrlValue};
use crate::config::{Common, LoadedChain, LogFormat, LogLevel, Resources, UrlSource};

/// Label naming the chain an object belongs to (also the ApplySet member selector later).
pub const LABEL_CHAIN: &str = "opctl.io/chain";
/// Label naming the role of an object (`sequencer`, `replica`, ..., or `chain` for shared objects).
pub const LABEL_ROLE: &str = "opctl.io/role";
/// Annotation on pod templates: hash of the chain config they mount, so a config change rolls pods.
pub const ANN_CONFIG_HASH: &str = "opctl.io/config-hash";
/// Annotation on Secrets opctl fills itself.
pub const ANN_SECRET_FILL: &str = "opctl.io/secret-fill";

/// KEP-3659 ApplySet labels and annotations (the standard kubectl uses for prune).
pub const LABEL_APPLYSET_ID: &str = "applyset.kubernetes.io/id";
pub const LABEL_APPLYSET_PART_OF: &str = "applyset.kubernetes.io/part-of";
pub const ANN_APPLYSET_TOOLING: &str = "applyset.kubernetes.io/tooling";
pub const ANN_APPLYSET_GROUP_KINDS: &str = "applyset.kubernetes.io/contains-group-kinds";
/// Every namespaced kind opctl may write, so that prune always lists all of them.
pub const APPLYSET_GROUP_KINDS: &str =
    "ConfigMap,Deployment.apps,NetworkPolicy.networking.k8s.io,PodDisruptionBudget.policy,Secret,Service,ServiceAccount,StatefulSet.apps";

pub const UID: i64 = 10001;

/// ConfigMap key (and file under `/config`) of the L1 genesis.
pub const L1_GENESIS_KEY: &str = "l1-genesis.json";

/// ApplySet ID of a parent ConfigMap: `applyset-<base64url(sha256(name.namespace.ConfigMap.))>-v1`.
pub fn applyset_id(parent_name: &str, namespace: &str) -> String {
    use base64::Engine;
    let digest = Sha256::digest(format!("{parent_name}.{namespace}.ConfigMap.").as_bytes());
    format!(
        "applyset-{}-v1",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest)
    )
}

pub struct Ctx<'a> {
    pub input: &'a Input<'a>,
    pub chain: &'a LoadedChain,
    pub name: &'a str,
    pub namespace: &'a str,
    config_hash: String,
    /// The chain's ApplySet ID (a SHA-256), computed once: every member label carries it.
    applyset_id: String,
}

/// Effective settings of one role: `[defaults]` overlaid with `[<role>.overrides]`.
pub struct Effective {
    pub log_level: LogLevel,
    pub log_format: LogFormat,
    pub metrics: bool,
    pub metrics_port: u16,
    pub resources: Option<Resources>,
    pub run_as_user: i64,
    pub run_as_group: i64,
    pub read_only_root: bool,
    pub node_selector: BTreeMap<String, String>,
    pub tolerations: Vec<crate::config::Toleration>,
    pub env: BTreeMap<String, String>,
}

impl<'a> Ctx<'a> {
    pub fn new(input: &'a Input<'a>) -> Self {
        let chain = input.chain;
        let mut h = Sha256::new();
        // The genesis enters by its digest (computed once at load; it can be tens of MB).
        let genesis = chain.genesis_packed.as_ref().map(|p| p.sha256.clone());
        for part in [
            &chain.rollup_json,
            &genesis,
            &chain.l1_genesis_json,
            &input.identities.env_fingerprint,
        ] {
            h.update(part.as_deref().unwrap_or("").as_bytes());
            h.update([0]);
        }
        let name = &chain.file.chain.name;
        let namespace = chain.namespace();
        Ctx {
            input,
            chain,
            name,
            namespace,
            config_hash: hex::encode(&h.finalize()[..8]),
            applyset_id: applyset_id(&format!("{name}-applyset"), namespace),
        }
    }

    /// The cluster's DNS domain (`[defaults] cluster_domain`, default `cluster.local`).
    pub fn cluster_domain(&self) -> &str {
        self.chain
            .file
            .defaults
            .cluster_domain
            .as_deref()
            .unwrap_or("cluster.local")
    }

    pub fn custom_chain(&self) -> bool {
        self.chain.file.chain.network.is_none()
    }

    /// Whether the chain's files (rollup.json, genesis.json, the L1 genesis) go into a ConfigMap
    /// mounted at `/config`.
    pub fn has_config_map(&self) -> bool {
        self.custom_chain() || self.chain.l1_genesis_json.is_some()
    }

    pub fn effective(&self, role: &Common) -> Effective {
        let d = &self.chain.file.defaults;
        let sec = role.security.as_ref();
        let dsec = d.security.as_ref();
        Effective {
            log_level: role.log_level.or(d.log_level).unwrap_or(LogLevel::Info),
            log_format: role
                .log_format
                .or(d.log_format)
                .unwrap_or(LogFormat::Logfmt),
            metrics: role.metrics.or(d.metrics).unwrap_or(true),
            metrics_port: role.metrics_port.or(d.metrics_port).unwrap_or(7300),
            resources: role.resources.clone().or_else(|| d.resources.clone()),
            run_as_user: sec
                .and_then(|s| s.run_as_user)
                .or(dsec.and_then(|s| s.run_as_user))
                .unwrap_or(UID),
            run_as_group: sec
                .and_then(|s| s.run_as_group)
                .or(dsec.and_then(|s| s.run_as_group))
                .unwrap_or(UID),
            read_only_root: sec
                .and_then(|s| s.read_only_root_filesystem)
                .or(dsec.and_then(|s| s.read_only_root_filesystem))
                .unwrap_or(true),
            node_selector: role
                .node_selector
                .clone()
                .or_else(|| d.node_selector.clone())
                .unwrap_or_default(),
            tolerations: role
                .tolerations
                .clone()
                .or_else(|| d.tolerations.clone())
                .unwrap_or_default(),
            env: {
                let mut env = d.env.clone().unwrap_or_default();
                env.extend(role.env.clone().unwrap_or_default());
                env
            },
        }
    }

    /// The image of `component`: the chain file's pin, else its release set's
    /// (`config::Images::image`).
    pub fn image(&self, component: &str) -> String {
        self.chain.file.images.image(component)
    }

    /// Labels of an object: the recommended `app.kubernetes.io/*` set plus opctl's chain and role labels.
    pub fn labels(
        &self,
        role: Option<Role>,
        instance: &str,
        app: &str,
        version: Option<&str>,
    ) -> BTreeMap<String, String> {
        let mut l = self.selector(role, instance);
        l.insert("app.kubernetes.io/name".into(), app.into());
        l.insert(
            "app.kubernetes.io/component".into(),
            role.map_or("chain", Role::as_str).into(),
        );
        l.insert("app.kubernetes.io/part-of".into(), self.name.into());
        l.insert("app.kubernetes.io/managed-by".into(), "opctl".into());
        if let Some(v) = version {
            l.insert("app.kubernetes.io/version".into(), v.into());
        }
        l.insert(LABEL_APPLYSET_PART_OF.into(), self.applyset_id.clone());
        l
    }

    pub fn applyset_parent_name(&self) -> String {
        format!("{}-applyset", self.name)
    }

    /// The chain's ApplySet parent: a ConfigMap whose ID label every member points at.
    pub fn applyset_parent(&self) -> Desired {
        let name = self.applyset_parent_name();
        let mut labels = self.labels(None, &name, "op-stack", None);
        labels.remove(LABEL_APPLYSET_PART_OF);
        labels.insert(LABEL_APPLYSET_ID.to_string(), self.applyset_id.clone());
        let mut meta = self.meta(&name, labels);
        meta.annotations = Some(BTreeMap::from([
            (
                ANN_APPLYSET_TOOLING.to_string(),
                format!("opctl/v{}", env!("CARGO_PKG_VERSION")),
            ),
            (
                ANN_APPLYSET_GROUP_KINDS.to_string(),
                APPLYSET_GROUP_KINDS.to_string(),
            ),
        ]));
        let cm = ConfigMap {
            metadata: meta,
            ..Default::default()
        };
        self.desired(None, Phase::ApplySetParent, &cm)
    }

    /// Stable selector labels (never include versions: selectors are immutable).
    pub fn selector(&self, role: Option<Role>, instance: &str) -> BTreeMap<String, String> {
        BTreeMap::from([
            (
                "app.kubernetes.io/instance".to_string(),
                instance.to_string(),
            ),
            (LABEL_CHAIN.to_string(), self.name.to_string()),
            (
                LABEL_ROLE.to_string(),
                role.map_or("chain", Role::as_str).to_string(),
            ),
        ])
    }

    pub fn meta(&self, name: &str, labels: BTreeMap<String, String>) -> ObjectMeta {
        ObjectMeta {
            name: Some(name.to_string()),
            namespace: Some(self.namespace.to_string()),
            labels: Some(labels),
            ..Default::default()
        }
    }

    pub fn desired<T: Serialize>(&self, role: Option<Role>, phase: Phase, object: &T) -> Desired {
        Desired {
            role,
            phase,
            create_only: false,
            fills: BTreeMap::new(),
            // Serialising k8s-openapi types to JSON cannot fail (no non-string map keys).
            object: serde_json::to_value(object).unwrap_or(serde_json::Value::Null),
        }
    }

    pub fn config_map_name(&self) -> String {
        format!("{}-config", self.name)
    }

    pub fn service_account_name(&self) -> &str {
        self.name
    }

    pub fn config_hash(&self) -> &str {
        &self.config_hash
    }

    pub fn namespace(&self) -> Desired {
        self.desired(None, Phase::Namespace, &namespace_object(self.namespace))
    }

    pub fn service_account(&self) -> Desired {
        let sa = ServiceAccount {
            metadata: self.meta(
                self.service_account_name(),
                self.labels(None, self.name, "op-stack", None),
            ),
            automount_service_account_token: Some(false),
            ..Default::default()
        };
        self.desired(None, Phase::ServiceAccount, &sa)
    }

    /// rollup.json (and the L1 genesis) of a custom chain; the L2 genesis travels in parts
    /// (`render::genesis`).
    pub fn config_map(&self) -> Option<Desired> {
        if !self.has_config_map() {
            return None;
        }
        let mut data = BTreeMap::new();
        if let Some(r) = &self.chain.rollup_json {
            data.insert("rollup.json".to_string(), r.clone());
        }
        if let Some(g) = &self.chain.l1_genesis_json {
            data.insert(L1_GENESIS_KEY.to_string(), g.clone());
        }
        let cm = ConfigMap {
            metadata: self.meta(
                &self.config_map_name(),
                self.labels(None, &self.config_map_name(), "op-stack", None),
            ),
            data: Some(data),
            ..Default::default()
        };
        Some(self.desired(None, Phase::ConfigMaps, &cm))
    }

    /// A Secret holding the L1 URLs given as `env:VAR`, filled by apply from opctl's environment.
    pub fn l1_env_secret(&self) -> Option<Desired> {
        let l1 = &self.chain.file.l1;
        let mut fills = BTreeMap::new();
        for (key, src) in [("rpc-url", &l1.rpc_url), ("beacon-url", &l1.beacon_url)] {
            if let Some(var) = src.env_var() {
                fills.insert(
                    key.to_string(),
                    SecretFill::Env {
                        var: var.to_string(),
                    },
                );
            }
        }
        if fills.is_empty() {
            return None;
        }
        let name = format!("{}-l1-endpoints", self.name);
        Some(self.secret(None, &name, fills, false))
    }

    /// A Secret opctl fills at apply time; rendered with key names only.
    pub fn secret(
        &self,
        role: Option<Role>,
        name: &str,
        fills: BTreeMap<String, SecretFill>,
        create_only: bool,
    ) -> Desired {
        let kinds: Vec<String> = fills
            .iter()
            .map(|(k, f)| match f {
                SecretFill::Jwt => format!("{k}=jwt"),
                SecretFill::P2pKey => format!("{k}=p2p-key"),
                SecretFill::Env { var } => format!("{k}=env:{var}"),
            })
            .collect();
        let mut meta = self.meta(name, self.labels(role, name, "op-stack", None));
        meta.annotations = Some(BTreeMap::from([(
            ANN_SECRET_FILL.to_string(),
            kinds.join(","),
        )]));
        let secret = Secret {
            metadata: meta,
            type_: Some("Opaque".into()),
            ..Default::default()
        };
        let mut d = self.desired(role, Phase::Secrets, &secret);
        d.create_only = create_only;
        d.fills = fills;
        d
    }

    pub fn service(
        &self,
        role: Role,
        name: &str,
        instance: &str,
        app: &str,
        headless: bool,
        ports: Vec<ServicePort>,
    ) -> Desired {
        let svc = Service {
            metadata: self.meta(name, self.labels(Some(role), instance, app, None)),
            spec: Some(ServiceSpec {
                cluster_ip: headless.then(|| "None".to_string()),
                publish_not_ready_addresses: headless.then_some(true),
                selector: Some(self.selector(Some(role), instance)),
                ports: Some(ports),
                ..Default::default()
            }),
            ..Default::default()
        };
        self.desired(Some(role), Phase::Services, &svc)
    }

    /// `(flag, env)` for a URL setting: a literal becomes `--flag=URL`, a Secret becomes an env var.
    pub fn url_arg(
        &self,
        which: &str,
        src: &UrlSource,
        flag: &str,
        env_name: &str,
        args: &mut Vec<String>,
        env: &mut Vec<EnvVar>,
    ) {
        match url_value(self.name, which, src) {
            UrlValue::Literal(url) => args.push(format!("{flag}={url}")),
            UrlValue::Secret { name, key } => env.push(secret_env(env_name, &name, &key)),
        }
    }
}

pub fn secret_env(env_name: &str, secret: &str, key: &str) -> EnvVar {
    EnvVar {
        name: env_name.to_string(),
        value_from: Some(EnvVarSource {
            secret_key_ref: Some(SecretKeySelector {
                name: secret.to_string(),
                key: key.to_string(),
                optional: Some(false),
            }),
            ..Default::default()
        }),
        ..Default::default()
    }
}

pub fn plain_env(env: &BTreeMap<String, String>) -> Vec<EnvVar> {
    env.iter()
        .map(|(k, v)| EnvVar {
            name: k.clone(),
            value: Some(v.clone()),
            ..Default::default()
        })
        .collect()
}

pub fn port(name: &str, port: i32, protocol: &str) -> ContainerPort {
    ContainerPort {
        name: Some(name.to_string()),
        container_port: port,
        // Server-side apply on older servers needs the protocol explicitly (it is part of the list key).
        protocol: Some(protocol.to_string()),
        ..Default::default()
    }
}

pub fn service_port(name: &str, port: i32, protocol: &str) -> ServicePort {
    ServicePort {
        name: Some(name.to_string()),
        port,
        target_port: Some(IntOrString::String(name.to_string())),
        protocol: Some(protocol.to_string()),
        ..Default::default()
    }
}

pub fn resources(
    r: Option<&Resources>,
    default_cpu: &str,
    default_memory: &str,
) -> ResourceRequirements {
    let cpu = r
        .and_then(|r| r.cpu.clone())
        .unwrap_or_else(|| default_cpu.to_string());
    let memory = r
        .and_then(|r| r.memory.clone())
        .unwrap_or_else(|| default_memory.to_string());
    let mut limits = BTreeMap::new();
    // Memory is limited (an OOM-kill beats starving the node); CPU is not unless asked (throttling a
    // sequencer hurts block production).
    limits.insert(
        "memory".to_string(),
        Quantity(
            r.and_then(|r| r.memory_limit.clone())
                .unwrap_or_else(|| memory.clone()),
        ),
    );
    if let Some(c) = r.and_then(|r| r.cpu_limit.clone()) {
        limits.insert("cpu".to_string(), Quantity(c));
    }
    ResourceRequirements {
        requests: Some(BTreeMap::from([
            ("cpu".to_string(), Quantity(cpu)),
            ("memory".to_string(), Quantity(memory)),
        ])),
        limits: Some(limits),
        ..Default::default()
    }
}

pub fn pod_security(e: &Effective) -> PodSecurityContext {
    PodSecurityContext {
        run_as_non_root: Some(true),
        run_as_user: Some(e.run_as_user),
        run_as_group: Some(e.run_as_group),
        fs_group: Some(e.run_as_group),
        seccomp_profile: Some(SeccompProfile {
            type_: "RuntimeDefault".into(),
            ..Default::default()
        }),
        ..Default::default()
    }
}

pub fn container_security(e: &Effective) -> SecurityContext {
    SecurityContext {
        allow_privilege_escalation: Some(false),
        capabilities: Some(Capabilities {
            drop: Some(vec!["ALL".into()]),
            ..Default::default()
        }),
        read_only_root_filesystem: Some(e.read_only_root),
        run_as_non_root: Some(true),
        ..Default::default()
    }
}

pub fn tolerations(e: &Effective) -> Option<Vec<Toleration>> {
    if e.tolerations.is_empty() {
        return None;
    }
    Some(
        e.tolerations
            .iter()
            .map(|t| Toleration {
                key: t.key.clone(),
                operator: t.operator.clone(),
                value: t.value.clone(),
                effect: t.effect.clone(),
                ..Default::default()
            })
            .collect(),
    )
}

pub fn node_selector(e: &Effective) -> Option<BTreeMap<String, String>> {
    (!e.node_selector.is_empty()).then(|| e.node_selector.clone())
}

pub fn mount(name: &str, path: &str, read_only: bool) -> VolumeMount {
    VolumeMount {
        name: name.to_string(),
        mount_path: path.to_string(),
        read_only: read_only.then_some(true),
        ..Default::default()
    }
}

pub fn tmp_volume() -> Volume {
    Volume {
        name: "tmp".into(),
        empty_dir: Some(Default::default()),
        ..Default::default()
    }
}

pub fn secret_volume(name: &str, secret: &str) -> Volume {
    Volume {
        name: name.to_string(),
        secret: Some(k8s_openapi::api::core::v1::SecretVolumeSource {
            secret_name: Some(secret.to_string()),
            default_mode: Some(0o440),
            ..Default::default()
        }),
        ..Default::default()
    }
}

pub fn config_volume(ctx: &Ctx<'_>) -> Volume {
    Volume {
        name: "chain-config".into(),
        config_map: Some(k8s_openapi::api::core::v1::ConfigMapVolumeSource {
            name: ctx.config_map_name(),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// op-* services: `--log.level`, `--log.format`.
pub fn op_log_args(e: &Effective) -> Vec<String> {
    let level = match e.log_level {
        LogLevel::Error => "error",
        LogLevel::Warn => "warn",
        LogLevel::Info => "info",
        LogLevel::Debug => "debug",
        LogLevel::Trace => "trace",
    };
    let format = match e.log_format {
        LogFormat::Text => "text",
        LogFormat::Logfmt => "logfmt",
        LogFormat::Json => "json",
    };
    vec![
        format!("--log.level={level}"),
        format!("--log.format={format}"),
    ]
}

/// op-* services: metrics server flags.
pub fn op_metrics_args(e: &Effective) -> Vec<String> {
    if !e.metrics {
        return Vec::new();
    }
    vec![
        "--metrics.enabled".into(),
        "--metrics.addr=0.0.0.0".into(),
        format!("--metrics.port={}", e.metrics_port),
    ]
}

/// A container with the hardened defaults every opctl container shares.
pub fn container(
    name: &str,
    image: String,
    command: &str,
    args: Vec<String>,
    env: Vec<EnvVar>,
    e: &Effective,
) -> Container {
    let mut env = env;
    // The root filesystem is read-only and the uid has no home directory: anything a component
    // writes under $HOME (op-reth keeps log files there by default) goes to the /tmp emptyDir.
    if !env.iter().any(|v| v.name == "HOME") {
        env.insert(
            0,
            EnvVar {
                name: "HOME".into(),
                value: Some("/tmp".into()),
                ..Default::default()
            },
        );
    }
    Container {
        name: name.to_string(),
        image: Some(image),
        image_pull_policy: Some("IfNotPresent".into()),
        command: Some(vec![command.to_string()]),
        args: Some(args),
        env: Some(env),
        security_context: Some(container_security(e)),
        ..Default::default()
    }
}

/// The version label value: the tag of an image reference.
pub fn image_tag(image: &str) -> Option<&str> {
    let last = image.rsplit('/').next()?;
    let tag = last.split('@').next()?.split_once(':')?.1;
    Some(tag)
}

/// The chain's Namespace. Several chains may share a namespace, so it carries no chain-specific
/// label (they would take it from each other on every apply). Cluster-scoped: not an ApplySet
/// member, so prune never deletes it. `opctl watch` creates it before taking its Lease there.
pub fn namespace_object(name: &str) -> Namespace {
    let labels = BTreeMap::from([(
        "app.kubernetes.io/managed-by".to_string(),
        "opctl".to_string(),
    )]);
    Namespace {
        metadata: ObjectMeta {
            name: Some(name.to_string()),
            labels: Some(labels),
            ..Default::default()
        },
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::object::Kind;

    #[test]
    fn the_applyset_lists_every_namespaced_kind_opctl_applies_sorted() {
        let listed: Vec<&str> = APPLYSET_GROUP_KINDS.split(',').collect();
        let mut sorted = listed.clone();
        sorted.sort();
        assert_eq!(listed, sorted);
        for kind in Kind::ALL.into_iter().filter(|k| k.namespaced()) {
            let entry = match kind.group() {
                "" => kind.name().to_string(),
                group => format!("{}.{group}", kind.name()),
            };
            assert!(listed.contains(&entry.as_str()), "{entry} missing");
        }
        assert!(listed.contains(&"PodDisruptionBudget.policy"));
    }
}
