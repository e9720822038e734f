//! Reads and writes of `coordination.k8s.io/v1` Leases, for the watcher's single-writer lock. What
//! to do with a lease as read is decided in `crate::watch::lease`.

use k8s_openapi::api::coordination::v1::Lease;
use kube::api::{Api, PostParams};

use super::{status_error, Cluster, ClusterError, ObjectRef};

fn lease_ref(namespace: &str, name: &str) -> ObjectRef {
    ObjectRef {
        kind: "Lease".into(),
        namespace: Some(namespace.to_string()),
        name: name.to_string(),
    }
}

impl Cluster {
    fn leases(&self, namespace: &str) -> Api<Lease> {
        Api::namespaced(self.client.clone(), namespace)
    }

    fn lease_error(&self, verb: &str, namespace: &str, name: &str, e: kube::Error) -> ClusterError {
        let r = lease_ref(namespace, name);
        status_error(
            verb,
            &r.to_string(),
            &Self::scope(&r),
            "leases",
            e,
            &self.url,
        )
    }

    /// The Lease, or `None` when there is none.
    pub async fn lease(&self, namespace: &str, name: &str) -> Result<Option<Lease>, ClusterError> {
        self.leases(namespace)
            .get_opt(name)
            .await
            .map_err(|e| self.lease_error("get", namespace, name, e))
    }

    /// Create a Lease (`metadata.namespace` and `metadata.name` say which).
    pub async fn create_lease(&self, lease: &Lease) -> Result<Lease, ClusterError> {
        let (namespace, name) = names(lease);
        self.leases(namespace)
            .create(&PostParams::default(), lease)
            .await
            .map_err(|e| self.lease_error("create", namespace, name, e))
    }

    /// Replace a Lease as read: its `resourceVersion` makes a concurrent writer's change fail it.
    pub async fn replace_lease(&self, lease: &Lease) -> Result<Lease, ClusterError> {
        let (namespace, name) = names(lease);
        self.leases(namespace)
            .replace(name, &PostParams::default(), lease)
            .await
            .map_err(|e| self.lease_error("update", namespace, name, e))
    }
}

fn names(lease: &Lease) -> (&str, &str) {
    (
        lease.metadata.namespace.as_deref().unwrap_or_default(),
        lease.metadata.name.as_deref().unwrap_or_default(),
    )
}
