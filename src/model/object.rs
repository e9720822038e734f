//! Addresses of Kubernetes objects and the kinds opctl handles: pure values shared by the plan, the
//! pass and the cluster edge.

use serde_json::Value;

/// A kind opctl writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Namespace,
    ServiceAccount,
    Secret,
    ConfigMap,
    Service,
    StatefulSet,
    Deployment,
    /// The replicas' disruption budget (`policy/v1`).
    PodDisruptionBudget,
    /// The chain's ingress fences (`networking.k8s.io/v1`).
    NetworkPolicy,
    /// Read and deleted (destroy --delete-volumes), never applied or pruned.
    PersistentVolumeClaim,
    /// Read only (status).
    Pod,
    /// The watcher's Role and RoleBinding (`[watch] deploy`): applied, never listed or pruned.
    Role,
    RoleBinding,
}

impl Kind {
    /// The kinds opctl applies and prunes (and checks the cluster serves).
    pub const ALL: [Kind; 9] = [
        Kind::Namespace,
        Kind::ServiceAccount,
        Kind::Secret,
        Kind::ConfigMap,
        Kind::Service,
        Kind::StatefulSet,
        Kind::Deployment,
        Kind::PodDisruptionBudget,
        Kind::NetworkPolicy,
    ];

    pub fn parse(kind: &str) -> Option<Kind> {
        Kind::ALL
            .into_iter()
            .chain([
                Kind::PersistentVolumeClaim,
                Kind::Pod,
                Kind::Role,
                Kind::RoleBinding,
            ])
            .find(|k| k.name() == kind)
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::Namespace => "Namespace",
            Kind::ServiceAccount => "ServiceAccount",
            Kind::Secret => "Secret",
            Kind::ConfigMap => "ConfigMap",
            Kind::Service => "Service",
            Kind::StatefulSet => "StatefulSet",
            Kind::Deployment => "Deployment",
            Kind::PodDisruptionBudget => "PodDisruptionBudget",
            Kind::NetworkPolicy => "NetworkPolicy",
            Kind::PersistentVolumeClaim => "PersistentVolumeClaim",
            Kind::Pod => "Pod",
            Kind::Role => "Role",
            Kind::RoleBinding => "RoleBinding",
        }
    }

    pub fn group(self) -> &'static str {
        match self {
            Kind::StatefulSet | Kind::Deployment => "apps",
            Kind::PodDisruptionBudget => "policy",
            Kind::NetworkPolicy => "networking.k8s.io",
            Kind::Role | Kind::RoleBinding => "rbac.authorization.k8s.io",
            _ => "",
        }
    }

    pub fn plural(self) -> &'static str {
        match self {
            Kind::Namespace => "namespaces",
            Kind::ServiceAccount => "serviceaccounts",
            Kind::Secret => "secrets",
            Kind::ConfigMap => "configmaps",
            Kind::Service => "services",
            Kind::StatefulSet => "statefulsets",
            Kind::Deployment => "deployments",
            Kind::PodDisruptionBudget => "poddisruptionbudgets",
            Kind::NetworkPolicy => "networkpolicies",
            Kind::PersistentVolumeClaim => "persistentvolumeclaims",
            Kind::Pod => "pods",
            Kind::Role => "roles",
            Kind::RoleBinding => "rolebindings",
        }
    }

    /// `v1` for the core group, else `<group>/v1` (every kind opctl handles is at v1).
    pub fn api_version(self) -> String {
        match self.group() {
            "" => "v1".to_string(),
            group => format!("{group}/v1"),
        }
    }

    pub fn namespaced(self) -> bool {
        self != Kind::Namespace
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_parses_from_its_name_and_has_a_lowercase_plural() {
        for kind in Kind::ALL.into_iter().chain([
            Kind::PersistentVolumeClaim,
            Kind::Pod,
            Kind::Role,
            Kind::RoleBinding,
        ]) {
            assert_eq!(Kind::parse(kind.name()), Some(kind));
            let plural = match kind {
                Kind::NetworkPolicy => "networkpolicies".to_string(),
                _ => format!("{}s", kind.name().to_lowercase()),
            };
            assert_eq!(kind.plural(), plural);
        }
    }

    #[test]
    fn a_pod_disruption_budget_is_a_namespaced_policy_v1_kind_opctl_applies() {
        let pdb = Kind::PodDisruptionBudget;
        assert!(Kind::ALL.contains(&pdb), "applied and pruned");
        assert_eq!(pdb.api_version(), "policy/v1");
        assert_eq!(pdb.plural(), "poddisruptionbudgets");
        assert!(pdb.namespaced());
        assert_eq!(Kind::Service.api_version(), "v1");
        assert_eq!(Kind::StatefulSet.api_version(), "apps/v1");
    }

    #[test]
    fn a_network_policy_is_a_namespaced_networking_v1_kind_opctl_applies() {
        let np = Kind::NetworkPolicy;
        assert!(Kind::ALL.contains(&np), "applied and pruned");
        assert_eq!(np.api_version(), "networking.k8s.io/v1");
        assert_eq!(np.plural(), "networkpolicies");
        assert_eq!(Kind::parse("NetworkPolicy"), Some(np));
        assert!(np.namespaced());
    }
}

/// Address of one object.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct ObjectRef {
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
}

impl std::fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{}/{} (namespace {ns})", self.kind, self.name),
            None => write!(f, "{}/{}", self.kind, self.name),
        }
    }
}

impl ObjectRef {
    pub fn of(object: &Value) -> ObjectRef {
        let s = |p: &str| {
            object
                .pointer(p)
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        ObjectRef {
            kind: s("/kind").unwrap_or_default(),
            namespace: s("/metadata/namespace"),
            name: s("/metadata/name").unwrap_or_default(),
        }
    }
}

/// What happens to an object's dependents (a workload's pods) when it is deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Propagation {
    /// Dependents keep running (a StatefulSet re-created with the same selector adopts them).
    Orphan,
    /// The object goes now; the garbage collector removes dependents afterwards.
    Background,
    /// The object stays until its dependents are gone (no two generations run at once).
    Foreground,
}
