//! kube-runtime watch streams, metadata only, on the objects of one namespace. What a change means
//! (a pass to run) is decided in `crate::watch::triggers`.

use std::fmt::Debug;

use futures::Stream;
use k8s_openapi::NamespaceResourceScope;
use kube::api::Api;
use kube::core::PartialObjectMeta;
use kube::runtime::watcher;
use kube::Resource;
use serde::de::DeserializeOwned;

use super::Cluster;

impl Cluster {
    /// A watch stream of the metadata of `K` objects in `namespace` that match `config`'s label or
    /// field selector. It re-lists after an interruption; the caller adds a backoff.
    pub fn watch_metadata<K>(
        &self,
        namespace: &str,
        config: watcher::Config,
    ) -> impl Stream<Item = watcher::Result<watcher::Event<PartialObjectMeta<K>>>> + Send
    where
        K: Resource<Scope = NamespaceResourceScope>
            + Clone
            + DeserializeOwned
            + Debug
            + Send
            + Sync
            + 'static,
        K::DynamicType: Default,
    {
        watcher::watcher(
            Api::<PartialObjectMeta<K>>::namespaced(self.client.clone(), namespace),
            config,
        )
    }
}
