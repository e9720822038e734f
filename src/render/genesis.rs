//! Delivering a custom chain's L2 genesis to its pods byte-identical, whatever its size.
//!
//! A real op-deployer genesis is ~9.4 MB and grows with predeploys; a ConfigMap holds 1 MiB, and
//! trimming `alloc` changes the genesis hash, after which op-node never finds its genesis block in
//! the EL (`op-node/rollup/sync/start.go`). So the file is gzip-compressed once at load time
//! (`config::packed::PackedGenesis`) and split across ConfigMaps `<chain>-genesis-NNN`, one
//! `binaryData` key `part-NNN` each. Pods that read the genesis (every node's EL, and
//! op-challenger) mount all parts through one projected volume, and an init step
//! ([`SCRIPT`]) concatenates them, decompresses, checks the SHA-256 of the result against the one
//! opctl computed, and moves the file into place (an emptyDir) only if it matches.
//!
//! The init step runs in its own small image (`[images] busybox`), never in the EL image: op-geth
//! images built after op-geth PR #794 (2026-05) are `chainguard/static` and ship no `/bin/sh`.
//! op-reth then reads the file directly with `--chain` (it writes its genesis on first start, so
//! it needs no init of its own); op-geth is initialised by running `geth init` itself, without a
//! shell. The genesis digest is in the pod template (and the config hash), so pods roll when the
//! genesis changes.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    ConfigMap, ConfigMapProjection, Container, EmptyDirVolumeSource, EnvVar, KeyToPath,
    ProjectedVolumeSource, Volume, VolumeMount, VolumeProjection,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::ByteString;

use super::common::{container, mount, resources, Ctx, Effective};
use super::{Desired, Phase};

/// Where the reassembled genesis is, in every pod that needs it.
pub const GENESIS_FILE: &str = "/genesis/genesis.json";
const GENESIS_DIR: &str = "/genesis";
const PARTS_DIR: &str = "/genesis-parts";
/// Name of the init container.
pub const INIT_NAME: &str = "assemble-genesis";

/// The init step, run by `sh -c` with `GENESIS_PARTS` (a directory of `part-NNN` files),
/// `GENESIS_OUT` (the file to write) and `GENESIS_SHA256` (the digest the result must have).
/// Parts sort by their zero-padded numbers, so the shell's glob order is the right order. Nothing
/// is written to `GENESIS_OUT` unless the digest matches: a wrong or partial genesis makes the
/// pod's start fail loudly instead of starting a node on a different chain.
pub const SCRIPT: &str = r#"set -eu
mkdir -p "$(dirname "$GENESIS_OUT")"
cat "$GENESIS_PARTS"/part-* | gunzip -c > "$GENESIS_OUT.partial"
echo "$GENESIS_SHA256  $GENESIS_OUT.partial" | sha256sum -c -
mv "$GENESIS_OUT.partial" "$GENESIS_OUT"
"#;

/// `<chain>-genesis-NNN`.
pub fn part_config_map_name(chain: &str, index: usize) -> String {
    format!("{chain}-genesis-{index:03}")
}

/// `part-NNN`: the key inside each ConfigMap and the file name under the parts directory.
pub fn part_key(index: usize) -> String {
    format!("part-{index:03}")
}

/// Whether this chain delivers a genesis file to its pods.
pub fn delivered(ctx: &Ctx<'_>) -> bool {
    ctx.custom_chain() && ctx.chain.genesis_packed.is_some()
}

/// The ConfigMaps holding the compressed genesis, one part each.
pub fn config_maps(ctx: &Ctx<'_>) -> Vec<Desired> {
    let Some(packed) = ctx.chain.genesis_packed.as_ref().filter(|_| delivered(ctx)) else {
        return Vec::new();
    };
    packed
        .parts()
        .into_iter()
        .enumerate()
        .map(|(i, bytes)| {
            let name = part_config_map_name(ctx.name, i);
            let cm = ConfigMap {
                metadata: ctx.meta(&name, ctx.labels(None, &name, "op-stack", None)),
                binary_data: Some(BTreeMap::from([(part_key(i), ByteString(bytes.to_vec()))])),
                immutable: None,
                ..Default::default()
            };
            ctx.desired(None, Phase::ConfigMaps, &cm)
        })
        .collect()
}

/// The pod volumes: every part through one projected volume, and the emptyDir the genesis is
/// assembled into (sized for the file, so a runaway write cannot fill the node's disk).
pub fn volumes(ctx: &Ctx<'_>) -> Vec<Volume> {
    let Some(packed) = ctx.chain.genesis_packed.as_ref().filter(|_| delivered(ctx)) else {
        return Vec::new();
    };
    let sources = (0..packed.parts().len())
        .map(|i| VolumeProjection {
            config_map: Some(ConfigMapProjection {
                name: part_config_map_name(ctx.name, i),
                items: Some(vec![KeyToPath {
                    key: part_key(i),
                    path: part_key(i),
                    ..Default::default()
                }]),
                optional: Some(false),
            }),
            ..Default::default()
        })
        .collect();
    // Room for the file and its `.partial` twice over, in MiB, rounded up.
    let limit_mib = (packed.size * 2).div_ceil(1024 * 1024) + 16;
    vec![
        Volume {
            name: "genesis-parts".into(),
            projected: Some(ProjectedVolumeSource {
                sources: Some(sources),
                default_mode: Some(0o444),
            }),
            ..Default::default()
        },
        Volume {
            name: "genesis".into(),
            empty_dir: Some(EmptyDirVolumeSource {
                size_limit: Some(Quantity(format!("{limit_mib}Mi"))),
                ..Default::default()
            }),
            ..Default::default()
        },
    ]
}

/// Mount of the assembled genesis for the containers that read it.
pub fn mount_genesis() -> VolumeMount {
    mount("genesis", GENESIS_DIR, true)
}

/// The init container that reassembles and verifies the genesis into [`GENESIS_FILE`].
pub fn init_container(ctx: &Ctx<'_>, e: &Effective) -> Option<Container> {
    assemble(
        ctx,
        e,
        GENESIS_FILE,
        "",
        vec![
            mount("genesis-parts", PARTS_DIR, true),
            mount("genesis", GENESIS_DIR, false),
        ],
    )
}

/// The watcher pod's variant: it reads the chain file and every file it names from one
/// directory, so the init step first copies the mounted chain files (`from`, read-only) into the
/// writable `to`, then assembles the genesis at the path the chain file gives it under `to`.
pub fn init_container_for_watcher(
    ctx: &Ctx<'_>,
    e: &Effective,
    from: &str,
    to: &str,
    from_volume: &str,
    to_volume: &str,
) -> Option<Container> {
    let rel = ctx.chain.file.chain.genesis.as_deref()?;
    let mut c = assemble(
        ctx,
        e,
        &format!("{to}/{rel}"),
        "cp -RL \"$CHAIN_SRC\"/. \"$CHAIN_DIR\"/\n",
        vec![
            mount("genesis-parts", PARTS_DIR, true),
            mount(from_volume, from, true),
            mount(to_volume, to, false),
        ],
    )?;
    let env = c.env.get_or_insert_with(Vec::new);
    for (name, value) in [("CHAIN_SRC", from), ("CHAIN_DIR", to)] {
        env.push(EnvVar {
            name: name.into(),
            value: Some(value.into()),
            ..Default::default()
        });
    }
    Some(c)
}

/// Only the projected volume of the parts (the watcher assembles into its own directory).
pub fn parts_volume(ctx: &Ctx<'_>) -> Option<Volume> {
    volumes(ctx).into_iter().find(|v| v.name == "genesis-parts")
}

fn assemble(
    ctx: &Ctx<'_>,
    e: &Effective,
    out: &str,
    prelude: &str,
    mounts: Vec<VolumeMount>,
) -> Option<Container> {
    let packed = ctx
        .chain
        .genesis_packed
        .as_ref()
        .filter(|_| delivered(ctx))?;
    let env = |name: &str, value: &str| EnvVar {
        name: name.into(),
        value: Some(value.into()),
        ..Default::default()
    };
    let mut c = container(
        INIT_NAME,
        ctx.image("busybox"),
        "/bin/sh",
        vec!["-c".to_string(), format!("{prelude}{SCRIPT}")],
        vec![
            env("GENESIS_PARTS", PARTS_DIR),
            env("GENESIS_OUT", out),
            env("GENESIS_SHA256", &packed.sha256),
        ],
        e,
    );
    c.resources = Some(resources(None, "500m", "256Mi"));
    c.volume_mounts = Some(mounts);
    Some(c)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::Value;

    use super::{GENESIS_FILE, INIT_NAME};
    use crate::render::{render, Desired, Input};

    /// An example's objects, with `edit` applied to its genesis.json first.
    fn rendered(example: &str, edit: impl Fn(&mut Value)) -> Vec<Desired> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
        let path = root.join(format!("{example}.toml"));
        let mut chain = crate::config::load(&path).expect("valid example");
        let mut genesis: Value =
            serde_json::from_str(chain.genesis_json.as_deref().expect("custom chain"))
                .expect("json");
        edit(&mut genesis);
        let text = serde_json::to_string(&genesis).expect("json");
        chain.genesis_packed = Some(std::sync::Arc::new(
            crate::config::packed::PackedGenesis::pack(text.as_bytes()),
        ));
        chain.genesis_json = Some(text);
        render(&Input::from_chain(&chain)).expect("renders")
    }

    fn pod_spec(objects: &[Desired], name: &str) -> Value {
        objects
            .iter()
            .find(|d| d.name() == name && d.kind() == "StatefulSet")
            .unwrap_or_else(|| panic!("StatefulSet {name} rendered"))
            .object
            .pointer("/spec/template/spec")
            .cloned()
            .expect("pod spec")
    }

    fn commands(containers: &Value) -> Vec<(String, String)> {
        containers
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| {
                (
                    c["name"].as_str().unwrap_or("").to_string(),
                    c["command"][0].as_str().unwrap_or("").to_string(),
                )
            })
            .collect()
    }

    #[test]
    fn no_execution_client_step_needs_a_shell_and_op_reth_reads_the_assembled_genesis() {
        // op-reth (devnet): only the assemble step, in busybox; op-reth itself reads the file.
        let devnet = rendered("devnet", |_| {});
        let spec = pod_spec(&devnet, "devnet-sequencer");
        let init = commands(&spec["initContainers"]);
        assert_eq!(init, [(INIT_NAME.to_string(), "/bin/sh".to_string())]);
        assert!(spec["initContainers"][0]["image"]
            .as_str()
            .unwrap_or("")
            .contains("busybox"));
        let reth = &spec["containers"][0];
        assert_eq!(reth["command"][0], "op-reth");
        assert!(reth["args"]
            .as_array()
            .expect("args")
            .contains(&Value::from(format!("--chain={GENESIS_FILE}"))));
        // op-geth (legacy): `geth init` runs as its own command, no shell.
        let legacy = rendered("legacy-op-geth", |_| {});
        let spec = pod_spec(&legacy, "legacy-sequencer");
        let init = commands(&spec["initContainers"]);
        assert_eq!(
            init,
            [
                (INIT_NAME.to_string(), "/bin/sh".to_string()),
                ("init-op-geth".to_string(), "geth".to_string())
            ]
        );
        assert_eq!(spec["initContainers"][1]["args"][3], GENESIS_FILE);
        for c in spec["containers"].as_array().expect("containers") {
            assert_ne!(c["command"][0], "/bin/sh", "{}", c["name"]);
        }
    }

    #[test]
    fn a_changed_genesis_changes_every_pod_that_reads_it() {
        let before = rendered("devnet", |_| {});
        let after = rendered("devnet", |g| g["timestamp"] = Value::from("0x1"));
        for name in ["devnet-sequencer", "devnet-replica-0", "devnet-challenger"] {
            let a = pod_spec(&before, name);
            let b = pod_spec(&after, name);
            let digest = |spec: &Value| {
                spec["initContainers"][0]["env"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .find(|v| v["name"] == "GENESIS_SHA256")
                    .map(|v| v["value"].clone())
            };
            assert!(digest(&a).is_some(), "{name} assembles the genesis");
            assert_ne!(digest(&a), digest(&b), "{name}");
            let hash = |d: &[Desired]| {
                d.iter()
                    .find(|o| o.name() == name && o.kind() == "StatefulSet")
                    .and_then(|o| {
                        o.object
                            .pointer("/spec/template/metadata/annotations/opctl.io~1config-hash")
                            .cloned()
                    })
            };
            assert_ne!(
                hash(&before),
                hash(&after),
                "{name}: the config hash rolls the pod"
            );
        }
        // The part ConfigMaps carry the new bytes.
        let part = |d: &[Desired]| {
            d.iter()
                .find(|o| o.name() == "devnet-genesis-000")
                .map(|o| o.object["binaryData"].clone())
        };
        assert_ne!(part(&before), part(&after));
    }
}
