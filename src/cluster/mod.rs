//! The Kubernetes edge: connecting, API discovery, reads, server-side apply (real and dry-run),
//! deletes. It translates; it never decides what should change.

pub mod conditions;
pub mod events;
pub mod lease;
pub mod proxy;
pub mod watchers;

use std::path::Path;

use kube::api::{Api, DeleteParams, DynamicObject, ListParams, Patch, PatchParams, PostParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::core::{ApiResource, GroupVersionKind};
use kube::Client;
use serde_json::Value;

pub use crate::model::object::{Kind, ObjectRef, Propagation};
use crate::model::version::{self, VersionError};
pub use crate::model::version::{KubeVersion, MIN_KUBERNETES};

/// The API resource of a kind opctl reads or writes.
fn resource(kind: Kind) -> ApiResource {
    ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk(kind.group(), "v1", kind.name()),
        kind.plural(),
    )
}

/// The field manager of every write opctl makes.
pub const MANAGER: &str = "opctl";

#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error("cannot load kubeconfig{}: {message}\n  hint: pass --kubeconfig FILE / --context NAME, or set KUBECONFIG", path.as_ref().map(|p| format!(" {p}")).unwrap_or_default())]
    Config {
        path: Option<String>,
        message: String,
    },
    #[error("cannot reach the Kubernetes API at {url}: {message}\n  hint: check the cluster is up and the kubeconfig points at it")]
    Unreachable { url: String, message: String },
    #[error("the Kubernetes API at {url} serves Kubernetes {version} ({reported}); opctl supports {} or newer\n  hint: upgrade the cluster to Kubernetes {} or newer, or use an older opctl release that supports {version}", MIN_KUBERNETES, MIN_KUBERNETES)]
    ServerTooOld {
        url: String,
        /// The API level judged (the emulated release when the server emulates one).
        version: KubeVersion,
        /// What `/version` says: gitVersion, and the emulated release if any.
        reported: String,
    },
    #[error("cannot tell which Kubernetes the API at {url} runs: /version says major {major:?}, minor {minor:?}, gitVersion {git_version:?}\n  hint: opctl needs Kubernetes {} or newer; check that --kubeconfig/--context point at a Kubernetes API server", MIN_KUBERNETES)]
    UnknownServerVersion {
        url: String,
        major: String,
        minor: String,
        git_version: String,
    },
    #[error("this cluster does not serve {kind} ({group_version}); opctl needs it\n  hint: opctl writes {needed}")]
    NotServed {
        kind: String,
        group_version: String,
        needed: String,
    },
    #[error("forbidden: cannot {verb} {resource} in {scope}: {message}\n  hint: grant the user a Role with `{verb}` on `{resource}` (or use another --context)")]
    Forbidden {
        verb: String,
        resource: String,
        scope: String,
        message: String,
    },
    #[error("{object}: fields are owned by other field managers: {}\n  hint: re-run with --force-conflicts to take them back (the plan shows the drift)", conflicts.iter().map(|(m, f)| format!("{f} (by {m})")).collect::<Vec<_>>().join(", "))]
    Conflict {
        object: String,
        conflicts: Vec<(String, String)>,
    },
    #[error("{object}: {message}")]
    Invalid {
        object: String,
        message: String,
        /// The API Status causes (reason, field, message), when the server gave them.
        causes: Vec<Cause>,
    },
    /// 404 from the API; `details_kind` is the resource the server did not find (`namespaces`
    /// when the object's namespace does not exist).
    #[error("{verb} {object}: {message}")]
    NotFound {
        verb: String,
        object: String,
        details_kind: String,
        message: String,
    },
    #[error("{verb} {object}: {message}")]
    Api {
        verb: String,
        object: String,
        /// HTTP status code and API Status reason (`Conflict`, `AlreadyExists`, ...); 0 and ""
        /// when the failure was not an API Status.
        code: u16,
        reason: String,
        message: String,
    },
}

/// Whether 422 causes say a field cannot change in place (see [`ClusterError::is_immutable`]).
pub fn is_immutable(causes: &[Cause]) -> bool {
    causes.iter().any(|c| {
        (c.reason == "FieldValueForbidden" && c.field.starts_with("spec"))
            || (c.reason == "FieldValueInvalid" && c.message.contains("field is immutable"))
    })
}

/// One cause of an API Status (`details.causes[]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cause {
    /// `FieldValueInvalid`, `FieldValueForbidden`, ...
    pub reason: String,
    pub field: String,
    pub message: String,
}

impl ClusterError {
    /// The server refused to change a field it will not change in place: a StatefulSet's spec
    /// outside replicas/template/updateStrategy/... (`FieldValueForbidden` on `spec`), or a field
    /// validated as immutable (`FieldValueInvalid`: "field is immutable"; Kubernetes has no
    /// reason code of its own for immutability, so the cause's message is the signal there).
    pub fn is_immutable(&self) -> bool {
        matches!(self, ClusterError::Invalid { causes, .. } if is_immutable(causes))
    }

    /// The object's namespace does not exist (404 with `details.kind` = `namespaces`).
    pub fn is_namespace_missing(&self) -> bool {
        matches!(self, ClusterError::NotFound { details_kind, .. } if details_kind == "namespaces")
    }
}

/// A connected cluster.
#[derive(Clone)]
pub struct Cluster {
    client: Client,
    pub url: String,
    permits: std::sync::Arc<tokio::sync::Semaphore>,
}

/// Build a client from an explicit kubeconfig/context, else `$KUBECONFIG`/`~/.kube/config`, else the
/// in-cluster service account.
pub async fn connect(
    kubeconfig: Option<&Path>,
    context: Option<&str>,
) -> Result<Cluster, ClusterError> {
    crate::install_crypto_provider();
    let options = KubeConfigOptions {
        context: context.map(str::to_string),
        ..Default::default()
    };
    let config = match kubeconfig {
        Some(path) => {
            let kc = Kubeconfig::read_from(path).map_err(|e| ClusterError::Config {
                path: Some(path.display().to_string()),
                message: e.to_string(),
            })?;
            kube::Config::from_custom_kubeconfig(kc, &options)
                .await
                .map_err(|e| ClusterError::Config {
                    path: Some(path.display().to_string()),
                    message: e.to_string(),
                })?
        }
        None if context.is_some() => {
            kube::Config::from_kubeconfig(&options)
                .await
                .map_err(|e| ClusterError::Config {
                    path: None,
                    message: e.to_string(),
                })?
        }
        None => kube::Config::infer()
            .await
            .map_err(|e| ClusterError::Config {
                path: None,
                message: e.to_string(),
            })?,
    };
    let url = config.cluster_url.to_string();
    let client = client_for(config).map_err(|e| ClusterError::Config {
        path: None,
        message: e.to_string(),
    })?;
    Ok(Cluster {
        client,
        url,
        permits: std::sync::Arc::new(tokio::sync::Semaphore::new(MAX_IN_FLIGHT)),
    })
}

/// At most this many requests in flight per cluster: plenty for a plan's fan-out, and few enough
/// that HTTP/1.1 connections are reused instead of one TLS handshake per object (which costs the
/// apiserver more CPU than the requests themselves; measured by the plan benchmark).
const MAX_IN_FLIGHT: usize = 8;

/// kube's client stack with `TCP_NODELAY` on: without it the first request on every new
/// connection waits ~40 ms for the server's delayed ACK (Nagle; measured by the plan benchmark).
/// Proxied configurations keep kube's own stack.
fn client_for(config: kube::Config) -> Result<Client, kube::Error> {
    use kube::client::ConfigExt;
    if config.proxy_url.is_some() {
        return Client::try_from(config);
    }
    let mut http = hyper_util::client::legacy::connect::HttpConnector::new();
    http.enforce_http(false);
    http.set_nodelay(true);
    http.set_connect_timeout(config.connect_timeout);
    let https = config.rustls_https_connector_with_connector(http)?;
    let hyper: hyper_util::client::legacy::Client<_, kube::client::Body> =
        hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
            .build(https);
    let service = tower::ServiceBuilder::new()
        .layer(config.base_uri_layer())
        .option_layer(config.auth_layer()?)
        .layer(config.extra_headers_layer()?)
        .map_err(
            |e: hyper_util::client::legacy::Error| -> Box<dyn std::error::Error + Send + Sync> {
                Box::new(e)
            },
        )
        .service(hyper);
    Ok(Client::new(service, config.default_namespace))
}

fn status_error(
    verb: &str,
    object: &str,
    scope: &str,
    resource: &str,
    err: kube::Error,
    url: &str,
) -> ClusterError {
    match err {
        kube::Error::Api(status) => {
            let s = *status;
            match s.code {
                403 => ClusterError::Forbidden {
                    verb: verb.to_string(),
                    resource: resource.to_string(),
                    scope: scope.to_string(),
                    message: s.message,
                },
                409 if s.reason == "Conflict"
                    && s.details.as_ref().is_some_and(|d| !d.causes.is_empty()) =>
                {
                    let conflicts = s
                        .details
                        .map(|d| {
                            d.causes
                                .into_iter()
                                .map(|c| (manager_of(&c.message), c.field))
                                .collect()
                        })
                        .unwrap_or_default();
                    ClusterError::Conflict {
                        object: object.to_string(),
                        conflicts,
                    }
                }
                422 => ClusterError::Invalid {
                    object: object.to_string(),
                    message: s.message,
                    causes: s
                        .details
                        .map(|d| {
                            d.causes
                                .into_iter()
                                .map(|c| Cause {
                                    reason: c.reason,
                                    field: c.field,
                                    message: c.message,
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                },
                404 => ClusterError::NotFound {
                    verb: verb.to_string(),
                    object: object.to_string(),
                    details_kind: s.details.map(|d| d.kind).unwrap_or_default(),
                    message: s.message,
                },
                _ => ClusterError::Api {
                    verb: verb.to_string(),
                    object: object.to_string(),
                    code: s.code,
                    reason: s.reason,
                    message: s.message,
                },
            }
        }
        kube::Error::HyperError(e) => ClusterError::Unreachable {
            url: url.to_string(),
            message: e.to_string(),
        },
        kube::Error::Service(e) => ClusterError::Unreachable {
            url: url.to_string(),
            message: e.to_string(),
        },
        other => ClusterError::Api {
            verb: verb.to_string(),
            object: object.to_string(),
            code: 0,
            reason: String::new(),
            message: other.to_string(),
        },
    }
}

/// `conflict with "kubectl-edit" using apps/v1` -> `kubectl-edit`.
fn manager_of(message: &str) -> String {
    message.split('"').nth(1).unwrap_or(message).to_string()
}

impl Cluster {
    /// Wait for one of the [`MAX_IN_FLIGHT`] request slots (the semaphore is never closed).
    async fn slot(&self) -> Option<tokio::sync::SemaphorePermit<'_>> {
        self.permits.acquire().await.ok()
    }

    fn api(&self, kind: Kind, namespace: Option<&str>) -> Api<DynamicObject> {
        let ar = resource(kind);
        match (kind.namespaced(), namespace) {
            (true, Some(ns)) => Api::namespaced_with(self.client.clone(), ns, &ar),
            _ => Api::all_with(self.client.clone(), &ar),
        }
    }

    fn scope(r: &ObjectRef) -> String {
        r.namespace
            .as_ref()
            .map_or("the cluster".to_string(), |ns| format!("namespace {ns}"))
    }

    fn kind_of(r: &ObjectRef) -> Result<Kind, ClusterError> {
        Kind::parse(&r.kind).ok_or_else(|| ClusterError::Invalid {
            object: r.to_string(),
            message: "opctl does not manage this kind".into(),
            causes: Vec::new(),
        })
    }

    /// Refuse a server older than [`MIN_KUBERNETES`], or one whose version cannot be read
    /// (1 request: `GET /version`, which every client may read).
    pub async fn check_version(&self) -> Result<KubeVersion, ClusterError> {
        let info =
            self.client.apiserver_version().await.map_err(|e| {
                status_error("get", "/version", "the cluster", "version", e, &self.url)
            })?;
        version::check(&info).map_err(|e| match e {
            VersionError::TooOld { version } => ClusterError::ServerTooOld {
                url: self.url.clone(),
                version,
                reported: version::describe(&info),
            },
            VersionError::Unreadable => ClusterError::UnknownServerVersion {
                url: self.url.clone(),
                major: info.major.clone(),
                minor: info.minor.clone(),
                git_version: info.git_version.clone(),
            },
        })
    }

    /// Check that the server runs a supported Kubernetes ([`Cluster::check_version`]) and serves
    /// every kind opctl writes (one discovery request per API group version). Every command that
    /// uses a cluster passes through here once before it reads or writes anything.
    pub async fn check_served(&self) -> Result<(), ClusterError> {
        self.check_version().await?;
        let needed = Kind::ALL
            .iter()
            .map(|k| k.name())
            .collect::<Vec<_>>()
            .join(", ");
        let mut by_group_version: Vec<(String, Vec<Kind>)> = Vec::new();
        for kind in Kind::ALL {
            let gv = kind.api_version();
            match by_group_version.iter_mut().find(|(g, _)| *g == gv) {
                Some((_, kinds)) => kinds.push(kind),
                None => by_group_version.push((gv, vec![kind])),
            }
        }
        for (gv, kinds) in by_group_version {
            let list = if gv == "v1" {
                self.client.list_core_api_resources("v1").await
            } else {
                self.client.list_api_group_resources(&gv).await
            };
            let list = list.map_err(|e| {
                match status_error("discover", &gv, "the cluster", &gv, e, &self.url) {
                    ClusterError::NotFound { .. } => ClusterError::NotServed {
                        kind: kinds
                            .iter()
                            .map(|k| k.name())
                            .collect::<Vec<_>>()
                            .join(", "),
                        group_version: gv.clone(),
                        needed: needed.clone(),
                    },
                    other => other,
                }
            })?;
            for k in kinds {
                if !list
                    .resources
                    .iter()
                    .any(|r| r.kind == k.name() && !r.name.contains('/'))
                {
                    return Err(ClusterError::NotServed {
                        kind: k.name().to_string(),
                        group_version: gv.clone(),
                        needed: needed.clone(),
                    });
                }
            }
        }
        Ok(())
    }

    /// The live object, or `None` when it does not exist.
    pub async fn get(&self, r: &ObjectRef) -> Result<Option<Value>, ClusterError> {
        let _slot = self.slot().await;
        let kind = Self::kind_of(r)?;
        match self
            .api(kind, r.namespace.as_deref())
            .get_opt(&r.name)
            .await
        {
            Ok(o) => Ok(o.map(|o| serde_json::to_value(o).unwrap_or(Value::Null))),
            Err(e) => Err(status_error(
                "get",
                &r.to_string(),
                &Self::scope(r),
                kind.plural(),
                e,
                &self.url,
            )),
        }
    }

    /// One key of a Secret, decoded and trimmed; `None` when the Secret or the key is missing.
    /// The value never leaves the caller through an error.
    pub async fn secret_value(
        &self,
        namespace: &str,
        name: &str,
        key: &str,
    ) -> Result<Option<String>, ClusterError> {
        Ok(self
            .secret_bytes(namespace, name, key)
            .await?
            .map(|raw| String::from_utf8_lossy(&raw).trim().to_string()))
    }

    /// One key of a Secret, decoded but untouched (what a container sees in its env var);
    /// `None` when the Secret or the key is missing.
    pub async fn secret_bytes(
        &self,
        namespace: &str,
        name: &str,
        key: &str,
    ) -> Result<Option<Vec<u8>>, ClusterError> {
        use base64::Engine;
        let r = ObjectRef {
            kind: "Secret".into(),
            namespace: Some(namespace.to_string()),
            name: name.to_string(),
        };
        Ok(self.get(&r).await?.and_then(|s| {
            let b64 = s.get("data")?.get(key)?.as_str()?.to_string();
            base64::engine::general_purpose::STANDARD.decode(b64).ok()
        }))
    }

    /// Server-side apply with field manager `opctl`; `dry_run` asks the server for the would-be object.
    pub async fn apply(
        &self,
        object: &Value,
        dry_run: bool,
        force: bool,
    ) -> Result<Value, ClusterError> {
        let _slot = self.slot().await;
        let r = ObjectRef::of(object);
        let kind = Self::kind_of(&r)?;
        let mut params = PatchParams::apply(MANAGER);
        params.dry_run = dry_run;
        params.force = force;
        let verb = if dry_run { "apply (dry run)" } else { "apply" };
        let result = self
            .api(kind, r.namespace.as_deref())
            .patch(&r.name, &params, &Patch::Apply(object))
            .await
            .map_err(|e| {
                status_error(
                    "patch",
                    &r.to_string(),
                    &Self::scope(&r),
                    kind.plural(),
                    e,
                    &self.url,
                )
            })
            .map_err(|e| match e {
                ClusterError::Api {
                    object,
                    code,
                    reason,
                    message,
                    ..
                } => ClusterError::Api {
                    verb: verb.to_string(),
                    object,
                    code,
                    reason,
                    message,
                },
                ClusterError::NotFound {
                    object,
                    details_kind,
                    message,
                    ..
                } => ClusterError::NotFound {
                    verb: verb.to_string(),
                    object,
                    details_kind,
                    message,
                },
                other => other,
            })?;
        Ok(serde_json::to_value(result).unwrap_or(Value::Null))
    }

    /// Create an object (used for generated Secrets, which must never overwrite an existing one).
    /// Returns false when it already exists.
    pub async fn create_if_absent(&self, object: &Value) -> Result<bool, ClusterError> {
        let _slot = self.slot().await;
        let r = ObjectRef::of(object);
        let kind = Self::kind_of(&r)?;
        let obj: DynamicObject =
            serde_json::from_value(object.clone()).map_err(|e| ClusterError::Invalid {
                object: r.to_string(),
                message: e.to_string(),
                causes: Vec::new(),
            })?;
        let params = PostParams {
            field_manager: Some(MANAGER.to_string()),
            ..Default::default()
        };
        match self
            .api(kind, r.namespace.as_deref())
            .create(&params, &obj)
            .await
        {
            Ok(_) => Ok(true),
            Err(kube::Error::Api(s)) if s.code == 409 => Ok(false),
            Err(e) => Err(status_error(
                "create",
                &r.to_string(),
                &Self::scope(&r),
                kind.plural(),
                e,
                &self.url,
            )),
        }
    }

    /// Delete an object; `orphan` keeps its dependents (a StatefulSet's pods). Absent is fine.
    pub async fn delete(&self, r: &ObjectRef, how: Propagation) -> Result<(), ClusterError> {
        let _slot = self.slot().await;
        let kind = Self::kind_of(r)?;
        let params = match how {
            Propagation::Orphan => DeleteParams::orphan(),
            Propagation::Background => DeleteParams::background(),
            Propagation::Foreground => DeleteParams::foreground(),
        };
        match self
            .api(kind, r.namespace.as_deref())
            .delete(&r.name, &params)
            .await
        {
            Ok(_) => Ok(()),
            Err(kube::Error::Api(s)) if s.code == 404 => Ok(()),
            Err(e) => Err(status_error(
                "delete",
                &r.to_string(),
                &Self::scope(r),
                kind.plural(),
                e,
                &self.url,
            )),
        }
    }

    /// Objects of a kind in a namespace matching a label selector.
    pub async fn list(
        &self,
        kind: Kind,
        namespace: Option<&str>,
        selector: &str,
    ) -> Result<Vec<Value>, ClusterError> {
        let _slot = self.slot().await;
        match self
            .api(kind, namespace)
            .list(&ListParams::default().labels(selector))
            .await
        {
            // List items carry no apiVersion/kind of their own.
            Ok(list) => Ok(list
                .items
                .into_iter()
                .map(|o| {
                    let mut v = serde_json::to_value(o).unwrap_or(Value::Null);
                    v["apiVersion"] = Value::String(kind.api_version());
                    v["kind"] = Value::String(kind.name().into());
                    v
                })
                .collect()),
            Err(kube::Error::Api(s)) if s.code == 404 => Ok(Vec::new()),
            Err(e) => Err(status_error(
                "list",
                &format!("{} with {selector}", kind.plural()),
                &namespace.map_or("the cluster".to_string(), |n| format!("namespace {n}")),
                kind.plural(),
                e,
                &self.url,
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{exit, Error};

    #[test]
    fn an_old_server_is_refused_naming_its_version_the_minimum_and_what_to_do() {
        let err = Error::Cluster(ClusterError::ServerTooOld {
            url: "https://10.0.0.1:6443/".into(),
            version: KubeVersion {
                major: 1,
                minor: 32,
            },
            reported: "v1.32.4-gke.100".into(),
        });
        let text = err.to_string();
        for part in [
            "https://10.0.0.1:6443/",
            "Kubernetes 1.32 (v1.32.4-gke.100)",
            "1.33 or newer",
            "upgrade the cluster",
            "older opctl",
        ] {
            assert!(text.contains(part), "{part:?} missing from: {text}");
        }
        assert_eq!(err.exit_code(), exit::ERROR);
    }

    #[test]
    fn an_unreadable_server_version_says_what_the_server_sent() {
        let err = Error::Cluster(ClusterError::UnknownServerVersion {
            url: "https://k8s.example".into(),
            major: String::new(),
            minor: String::new(),
            git_version: "latest".into(),
        });
        let text = err.to_string();
        assert!(text.contains(r#"gitVersion "latest""#), "{text}");
        assert!(text.contains("1.33 or newer"), "{text}");
        assert_eq!(err.exit_code(), exit::ERROR);
    }
}
