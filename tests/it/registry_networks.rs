//! Every superchain-registry network opctl has compiled in renders offline from a minimal chain
//! file, the way `opctl render` does it (contracts resolved from the built-in data, no lock file,
//! no RPC); three sample networks' container args are pinned by snapshots; `opctl networks` lists
//! them all with the registry commit and date.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};

use opctl::networks::{self, KnownNetwork};
use opctl::render::{self, Desired, Input};
use opctl::{config, resolve};
use serde_json::Value;

fn chain_file(n: &KnownNetwork, execution_client: &str) -> String {
    format!(
        r#"[chain]
name = "net"
l2_chain_id = {}
network = "{}"

[l1]
chain_id = {}
rpc_url = "https://l1.example.org"
beacon_url = "https://beacon.example.org"

[replicas]
count = 1
execution_client = "{execution_client}"
"#,
        n.l2_chain_id, n.name, n.l1_chain_id
    )
}

/// The endpoint the minimal file gives when the registry names none.
const EXPLICIT_SEQUENCER: &str = "https://sequencer.example.org";

/// Load and render a minimal chain file as `opctl render` does; the error names the network.
/// Chains whose registry entry names no sequencer endpoint get `sequencer_http`.
fn render_network(dir: &Path, n: &KnownNetwork, el: &str) -> Result<Vec<Desired>, String> {
    let path = dir.join(format!("{}-{el}.toml", n.name));
    let mut text = chain_file(n, el);
    if n.sequencer_rpc.is_none() {
        text.push_str(&format!("sequencer_http = \"{EXPLICIT_SEQUENCER}\"\n"));
    }
    std::fs::write(&path, text).map_err(|e| e.to_string())?;
    let chain = config::load(&path).map_err(|e| format!("{}: {e}", n.name))?;
    let resolved = resolve::resolve(&chain).map_err(|e| format!("{}: {e}", n.name))?;
    let mut input = Input::from_chain(&chain);
    input.contracts = resolved.contracts;
    render::render(&input).map_err(|e| format!("{}: {e}", n.name))
}

/// Container args by `<object>/<container>`.
fn container_args(objects: &[Desired]) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    for d in objects.iter().filter(|d| d.kind() == "StatefulSet") {
        let spec = &d.object["spec"]["template"]["spec"];
        for list in ["initContainers", "containers"] {
            for c in spec[list].as_array().into_iter().flatten() {
                let args = c["args"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect();
                out.insert(
                    format!("{}/{}", d.name(), c["name"].as_str().unwrap_or("?")),
                    args,
                );
            }
        }
    }
    out
}

fn arg<'a>(
    args: &'a BTreeMap<String, Vec<String>>,
    container: &str,
    flag: &str,
) -> Option<&'a str> {
    args.get(container)?
        .iter()
        .find_map(|a| a.strip_prefix(flag)?.strip_prefix('='))
}

#[test]
fn every_registry_network_renders_offline_with_its_registry_values() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut failures = Vec::new();
    assert_eq!(networks::all().len(), 53);
    for n in networks::all() {
        for el in ["op-reth", "op-geth"] {
            let objects = match render_network(dir.path(), n, el) {
                Ok(o) => o,
                Err(e) => {
                    failures.push(format!("{el}: {e}"));
                    continue;
                }
            };
            let args = container_args(&objects);
            let node = "net-replica-0/op-node";
            let el_container = format!("net-replica-0/{el}");
            let mut want = vec![
                (node, "--network", Some(n.name.clone())),
                (
                    el_container.as_str(),
                    if el == "op-reth" {
                        "--rollup.sequencer"
                    } else {
                        "--rollup.sequencerhttp"
                    },
                    Some(
                        n.sequencer_rpc
                            .clone()
                            .unwrap_or_else(|| EXPLICIT_SEQUENCER.to_string()),
                    ),
                ),
            ];
            if el == "op-reth" {
                want.push((
                    el_container.as_str(),
                    "--chain",
                    n.op_reth_chain().map(str::to_owned),
                ));
            } else {
                want.push((el_container.as_str(), "--op-network", Some(n.name.clone())));
            }
            for (container, flag, value) in want {
                let got = arg(&args, container, flag);
                if got != value.as_deref() {
                    failures.push(format!(
                        "{} ({el}): {container} {flag} = {got:?}, expected {value:?}",
                        n.name
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_registry_network_without_a_sequencer_endpoint_asks_for_one() {
    let without: Vec<&str> = networks::all()
        .iter()
        .filter(|n| n.sequencer_rpc.is_none())
        .map(|n| n.name.as_str())
        .collect();
    assert_eq!(
        without,
        vec![
            "sepolia-devnet-2-sepolia-devnet-2",
            "silent-data-mainnet-mainnet"
        ]
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let n = networks::lookup("silent-data-mainnet-mainnet").expect("known");
    let path = dir.path().join("silent.toml");
    std::fs::write(&path, chain_file(n, "op-reth")).expect("write");
    let err = config::load(&path)
        .expect_err("no sequencer to forward to")
        .to_string();
    assert!(err.contains("replicas.sequencer_http"), "{err}");
    let with = chain_file(n, "op-reth").replace(
        "count = 1\n",
        &format!("count = 1\nsequencer_http = \"{EXPLICIT_SEQUENCER}\"\n"),
    );
    std::fs::write(&path, with).expect("write");
    let chain = config::load(&path).expect("valid with an explicit endpoint");
    let objects = render::render(&Input::from_chain(&chain)).expect("renders");
    assert_eq!(
        arg(
            &container_args(&objects),
            "net-replica-0/op-reth",
            "--rollup.sequencer"
        ),
        Some(EXPLICIT_SEQUENCER)
    );
}

#[test]
fn three_registry_networks_render_to_their_snapshots() {
    let dir = tempfile::tempdir().expect("temp dir");
    for name in ["op-sepolia", "unichain-mainnet", "ink-sepolia"] {
        let n = networks::lookup(name).expect("known");
        let objects = render_network(dir.path(), n, "op-reth").expect("renders");
        insta::assert_yaml_snapshot!(
            format!("registry_network_args_{name}"),
            container_args(&objects)
        );
    }
}

fn opctl(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_opctl"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .expect("opctl runs")
}

#[test]
fn opctl_networks_lists_every_network_with_the_registry_commit_and_date() {
    let out = opctl(&["networks", "--color", "never"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    let r = networks::registry();
    assert!(
        text.starts_with(&format!(
            "superchain-registry {} ({}): 53 networks\n",
            r.registry.commit, r.registry.date
        )),
        "{}",
        &text[..120.min(text.len())]
    );
    for n in networks::all() {
        assert!(
            text.lines()
                .any(|l| l.contains(&format!(" {} ", n.name))
                    && l.contains(&n.l2_chain_id.to_string())),
            "{} missing from the table",
            n.name
        );
    }
    assert!(text.contains("unichain-mainnet") && text.contains("permissionless"));
    assert!(text.contains("base-mainnet (2026-04-27)"));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn opctl_networks_json_has_the_header_every_network_and_the_removed_ones() {
    let out = opctl(&["networks", "-o", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).expect("json on stdout");
    assert_eq!(
        v["registry"]["commit"],
        "8336d2aedd19b87a57b01ae36ba4afef8ea377d0"
    );
    assert_eq!(v["registry"]["date"], "2026-08-04");
    let list = v["networks"].as_array().expect("networks");
    assert_eq!(list.len(), 53);
    let uni = list
        .iter()
        .find(|n| n["name"] == "unichain-mainnet")
        .expect("unichain");
    assert_eq!(uni["l2_chain_id"], 130);
    assert_eq!(uni["l1_chain_id"], 1);
    assert_eq!(uni["superchain"], "mainnet");
    assert_eq!(uni["fault_proofs"], "permissionless");
    assert!(uni.get("next_fork").is_some());
    let base = v["removed"]
        .as_array()
        .expect("removed")
        .iter()
        .find(|n| n["name"] == "base-mainnet")
        .expect("base");
    assert_eq!(base["removed_on"], "2026-04-27");
    assert_eq!(base["l2_chain_id"], 8453);
}

#[test]
fn an_unknown_or_removed_network_exits_1_with_a_suggestion_or_what_to_do() {
    let out = opctl(&[
        "--color",
        "never",
        "render",
        "tests/invalid/network-unknown.toml",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("did you mean `op-sepolia`?"), "{err}");
    assert!(out.stdout.is_empty());
    let out = opctl(&[
        "--color",
        "never",
        "render",
        "tests/invalid/network-removed.toml",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("removed from the superchain registry on 2026-04-27"),
        "{err}"
    );
    assert!(
        err.contains("rollup_config") && err.contains("genesis"),
        "{err}"
    );
    let out = opctl(&[
        "--color",
        "never",
        "render",
        "tests/invalid/network-chain-id-mismatch.toml",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("l2_chain_id is 10") && err.contains("chain id 130"),
        "{err}"
    );
}
