//! What makes the watch loop run a pass: kube-runtime watch streams on the chain's own objects
//! (metadata only, by label selector; Secrets one by one, by name, so the watcher never needs to
//! list Secrets) and a poll of the chain file, its lock file and the files it names (which also
//! catches a ConfigMap update mounted into the pod). The streams themselves are
//! `crate::cluster::watchers`; timers (resync, retries) live in the loop.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use futures::{Stream, StreamExt};
use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::core::v1::{ConfigMap, Secret, Service, ServiceAccount};
use k8s_openapi::api::networking::v1::NetworkPolicy;
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::core::PartialObjectMeta;
use kube::runtime::watcher::{self, Event};
use kube::runtime::WatchStreamExt;
use sha2::{Digest, Sha256};
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

use crate::cluster::Cluster;

/// How often the chain file and its companions are checked.
pub const FILE_POLL: Duration = Duration::from_secs(1);
/// Files up to this size are hashed on every poll.
const SMALL_FILE: u64 = 256 * 1024;

/// Why a pass should run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trigger {
    /// An object of the chain changed or was deleted.
    Object {
        kind: &'static str,
        name: String,
        deleted: bool,
    },
    /// A watch stream re-listed after an interruption and found objects that changed meanwhile.
    Relisted { kind: &'static str },
    /// The chain file, its lock file, rollup.json or genesis.json changed on disk.
    Files,
}

impl Trigger {
    /// The metric label of the trigger.
    pub fn source(&self) -> &'static str {
        match self {
            Trigger::Object { .. } => "watch",
            Trigger::Relisted { .. } => "relist",
            Trigger::Files => "file",
        }
    }
}

/// What identifies one state of an object for the triggers: its generation where it has one (so
/// status updates of workloads do not trigger), else its resourceVersion; plus labels and
/// annotations (which do not bump the generation).
pub fn fingerprint(meta: &ObjectMeta) -> String {
    let state = match meta.generation {
        Some(g) => format!("g{g}"),
        None => format!("rv{}", meta.resource_version.as_deref().unwrap_or("")),
    };
    let mut h = Sha256::new();
    for map in [&meta.labels, &meta.annotations] {
        for (k, v) in map.iter().flatten() {
            h.update(k.as_bytes());
            h.update([0]);
            h.update(v.as_bytes());
            h.update([0]);
        }
        h.update([1]);
    }
    format!("{state}/{}", hex::encode(&h.finalize()[..8]))
}

/// The objects a stream has seen, by name, with their fingerprints.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Seen(BTreeMap<String, String>);

impl Seen {
    /// Records an object; true when it is new or changed.
    pub fn apply(&mut self, name: &str, fp: String) -> bool {
        self.0.insert(name.to_string(), fp.clone()).as_ref() != Some(&fp)
    }

    pub fn remove(&mut self, name: &str) {
        self.0.remove(name);
    }
}

fn name_of(meta: &ObjectMeta) -> String {
    meta.name.clone().unwrap_or_default()
}

/// One watch stream, metadata only, turned into triggers until the receiver goes away.
async fn follow<K>(
    stream: impl Stream<Item = watcher::Result<Event<PartialObjectMeta<K>>>>,
    kind: &'static str,
    tx: UnboundedSender<Trigger>,
) {
    let stream = stream.backoff(super::backoff(
        Duration::from_millis(250),
        Duration::from_secs(2),
    ));
    let mut stream = std::pin::pin!(stream);
    let mut seen = Seen::default();
    let mut relisting = Seen::default();
    let mut listed_once = false;
    let mut failing = false;
    while let Some(event) = stream.next().await {
        let trigger = match event {
            Ok(Event::Apply(o)) => seen
                .apply(&name_of(&o.metadata), fingerprint(&o.metadata))
                .then(|| Trigger::Object {
                    kind,
                    name: name_of(&o.metadata),
                    deleted: false,
                }),
            Ok(Event::Delete(o)) => {
                seen.remove(&name_of(&o.metadata));
                Some(Trigger::Object {
                    kind,
                    name: name_of(&o.metadata),
                    deleted: true,
                })
            }
            Ok(Event::Init) => {
                relisting = Seen::default();
                None
            }
            Ok(Event::InitApply(o)) => {
                relisting.apply(&name_of(&o.metadata), fingerprint(&o.metadata));
                None
            }
            Ok(Event::InitDone) => {
                let changed = listed_once && relisting != seen;
                seen = std::mem::take(&mut relisting);
                listed_once = true;
                changed.then_some(Trigger::Relisted { kind })
            }
            Err(e) => {
                if !failing {
                    tracing::warn!(kind, error = %e, "watch stream interrupted; retrying with backoff");
                }
                failing = true;
                None
            }
        };
        if failing && trigger.is_some() {
            failing = false;
        }
        if let Some(t) = trigger {
            if tx.send(t).is_err() {
                return;
            }
        }
    }
}

/// Watch streams on the chain's StatefulSets, Deployments, PodDisruptionBudgets, NetworkPolicies, Services,
/// ConfigMaps and ServiceAccounts (label `opctl.io/chain=<chain>`).
pub fn spawn_kinds(
    cluster: &Cluster,
    namespace: &str,
    chain: &str,
    tx: &UnboundedSender<Trigger>,
) -> Vec<JoinHandle<()>> {
    let labels =
        watcher::Config::default().labels(&format!("{}={chain}", crate::render::LABEL_CHAIN));
    vec![
        tokio::spawn(follow(
            cluster.watch_metadata::<StatefulSet>(namespace, labels.clone()),
            "StatefulSet",
            tx.clone(),
        )),
        tokio::spawn(follow(
            cluster.watch_metadata::<Deployment>(namespace, labels.clone()),
            "Deployment",
            tx.clone(),
        )),
        tokio::spawn(follow(
            cluster.watch_metadata::<PodDisruptionBudget>(namespace, labels.clone()),
            "PodDisruptionBudget",
            tx.clone(),
        )),
        tokio::spawn(follow(
            cluster.watch_metadata::<NetworkPolicy>(namespace, labels.clone()),
            "NetworkPolicy",
            tx.clone(),
        )),
        tokio::spawn(follow(
            cluster.watch_metadata::<Service>(namespace, labels.clone()),
            "Service",
            tx.clone(),
        )),
        tokio::spawn(follow(
            cluster.watch_metadata::<ConfigMap>(namespace, labels.clone()),
            "ConfigMap",
            tx.clone(),
        )),
        tokio::spawn(follow(
            cluster.watch_metadata::<ServiceAccount>(namespace, labels),
            "ServiceAccount",
            tx.clone(),
        )),
    ]
}

/// One watch stream per named Secret (a `metadata.name` field selector, which RBAC authorises by
/// name), so the watcher never lists Secrets.
pub fn spawn_secrets(
    cluster: &Cluster,
    namespace: &str,
    names: &[String],
    tx: &UnboundedSender<Trigger>,
) -> Vec<JoinHandle<()>> {
    names
        .iter()
        .map(|name| {
            let config = watcher::Config::default().fields(&format!("metadata.name={name}"));
            tokio::spawn(follow(
                cluster.watch_metadata::<Secret>(namespace, config),
                "Secret",
                tx.clone(),
            ))
        })
        .collect()
}

/// A file's metadata (the path is followed through symlinks, as ConfigMap mounts use them).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Stamp {
    exists: bool,
    len: u64,
    modified: Option<SystemTime>,
    inode: u64,
}

fn stamp(path: &PathBuf) -> Stamp {
    use std::os::unix::fs::MetadataExt;
    match std::fs::metadata(path) {
        Ok(m) => Stamp {
            exists: true,
            len: m.len(),
            modified: m.modified().ok(),
            inode: m.ino(),
        },
        Err(_) => Stamp::default(),
    }
}

fn content_hash(path: &PathBuf) -> Option<[u8; 32]> {
    std::fs::read(path).ok().map(|b| Sha256::digest(&b).into())
}

/// The files' last seen stamps and hashes.
#[derive(Debug, Default)]
pub struct Files(HashMap<PathBuf, (Stamp, Option<[u8; 32]>)>);

impl Files {
    /// Looks at every path; true when any content changed (or appeared, or vanished) since the
    /// last look. The first look only records.
    pub fn changed(&mut self, paths: &[PathBuf]) -> bool {
        let mut changed = false;
        for p in paths {
            let now = stamp(p);
            match self.0.get(p) {
                // Large files (a genesis) are hashed only when their metadata moved; small ones
                // every time, as two writes within one clock tick leave the metadata alike.
                Some((s, _)) if *s == now && now.len > SMALL_FILE => {}
                Some((_, old_hash)) => {
                    let hash = content_hash(p);
                    changed |= hash != *old_hash;
                    self.0.insert(p.clone(), (now, hash));
                }
                None => {
                    self.0.insert(p.clone(), (now, content_hash(p)));
                }
            }
        }
        self.0.retain(|p, _| paths.contains(p));
        changed
    }
}

/// Poll `paths` every [`FILE_POLL`] until the receiver goes away.
pub async fn poll_files(
    mut paths: tokio::sync::watch::Receiver<Vec<PathBuf>>,
    tx: UnboundedSender<Trigger>,
) {
    let mut files = Files::default();
    let mut tick = tokio::time::interval(FILE_POLL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let current = paths.borrow_and_update().clone();
        if files.changed(&current) && tx.send(Trigger::Files).is_err() {
            return;
        }
        if tx.is_closed() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(generation: Option<i64>, rv: &str, label: &str) -> ObjectMeta {
        ObjectMeta {
            name: Some("x".into()),
            generation,
            resource_version: Some(rv.into()),
            labels: Some(std::collections::BTreeMap::from([(
                "a".to_string(),
                label.to_string(),
            )])),
            ..Default::default()
        }
    }

    #[test]
    fn status_updates_do_not_trigger_but_spec_and_label_changes_do() {
        let mut seen = Seen::default();
        assert!(seen.apply("x", fingerprint(&meta(Some(1), "10", "v"))));
        assert!(
            !seen.apply("x", fingerprint(&meta(Some(1), "11", "v"))),
            "status only"
        );
        assert!(
            seen.apply("x", fingerprint(&meta(Some(2), "12", "v"))),
            "spec"
        );
        assert!(
            seen.apply("x", fingerprint(&meta(Some(2), "13", "w"))),
            "labels"
        );
        assert!(seen.apply("y", fingerprint(&meta(None, "5", "v"))));
        assert!(
            seen.apply("y", fingerprint(&meta(None, "6", "v"))),
            "no generation: any write"
        );
    }

    #[test]
    fn a_file_change_is_seen_once_and_a_rewrite_with_the_same_content_is_not() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("chain.toml");
        std::fs::write(&path, "a = 1\n").expect("write");
        let paths = vec![path.clone(), dir.path().join("chain.lock")];
        let mut files = Files::default();
        assert!(!files.changed(&paths), "the first look only records");
        assert!(!files.changed(&paths));
        std::fs::write(&path, "a = 2\n").expect("write");
        assert!(files.changed(&paths));
        assert!(!files.changed(&paths));
        // Same content through a new inode (how a ConfigMap mount swaps files): no change.
        let tmp = dir.path().join("new");
        std::fs::write(&tmp, "a = 2\n").expect("write");
        std::fs::rename(&tmp, &path).expect("rename");
        assert!(!files.changed(&paths));
        std::fs::write(dir.path().join("chain.lock"), "x").expect("write");
        assert!(files.changed(&paths), "a lock file that appears");
    }
}
