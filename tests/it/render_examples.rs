//! Rendering of the shipped examples: every object pinned by a snapshot (including every container's
//! full args), deterministic output, and the shape a careful operator expects.

use std::path::Path;

use opctl::config;
use opctl::render::{self, Desired, Input, Phase, Role};
use serde_json::Value;

fn render_file(path: &Path) -> Vec<Desired> {
    let chain = config::load(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    render::render(&Input::from_chain(&chain)).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn example(name: &str) -> Vec<Desired> {
    render_file(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples")
            .join(name),
    )
}

#[test]
fn every_example_renders_to_its_snapshot() {
    insta::glob!("../../examples", "*.toml", |path| {
        let objects: Vec<Value> = render_file(path).into_iter().map(|d| d.object).collect();
        insta::assert_yaml_snapshot!(objects);
    });
}

#[test]
fn rendering_is_deterministic() {
    let a = serde_json::to_string(
        &example("devnet.toml")
            .iter()
            .map(|d| &d.object)
            .collect::<Vec<_>>(),
    )
    .expect("json");
    for _ in 0..5 {
        let b = serde_json::to_string(
            &example("devnet.toml")
                .iter()
                .map(|d| &d.object)
                .collect::<Vec<_>>(),
        )
        .expect("json");
        assert_eq!(a, b);
    }
}

#[test]
fn the_devnet_example_has_all_five_roles() {
    let objects = example("devnet.toml");
    for role in [
        Role::Sequencer,
        Role::Replica,
        Role::Batcher,
        Role::Proposer,
        Role::Challenger,
    ] {
        assert!(
            objects
                .iter()
                .any(|d| d.role == Some(role)
                    && (d.kind() == "StatefulSet" || d.kind() == "Deployment")),
            "no workload for {role:?}"
        );
    }
}

#[test]
fn objects_come_in_apply_order() {
    let objects = example("devnet.toml");
    let phases: Vec<Phase> = objects.iter().map(|d| d.phase).collect();
    let mut sorted = phases.clone();
    sorted.sort();
    assert_eq!(phases, sorted);
    assert_eq!(objects[0].kind(), "Namespace");
    let first_replica = objects
        .iter()
        .position(|d| d.phase == Phase::Replicas)
        .expect("replicas");
    let sequencer = objects
        .iter()
        .position(|d| d.phase == Phase::Sequencer)
        .expect("sequencer");
    let batcher = objects
        .iter()
        .position(|d| d.phase == Phase::Batcher)
        .expect("batcher");
    assert!(first_replica < sequencer && sequencer < batcher);
}

fn containers(d: &Desired) -> Vec<&Value> {
    let spec = d.object.pointer("/spec/template/spec").expect("pod spec");
    let mut all: Vec<&Value> = spec["containers"]
        .as_array()
        .expect("containers")
        .iter()
        .collect();
    if let Some(init) = spec.get("initContainers").and_then(Value::as_array) {
        all.extend(init.iter());
    }
    all
}

#[test]
fn every_object_carries_the_standard_labels() {
    for name in [
        "devnet.toml",
        "op-sepolia-replicas.toml",
        "legacy-op-geth.toml",
    ] {
        // The Namespace may be shared by several chains: it carries only managed-by.
        for d in example(name)
            .into_iter()
            .filter(|d| d.kind() != "Namespace")
        {
            let labels = d
                .object
                .pointer("/metadata/labels")
                .and_then(Value::as_object)
                .expect("labels");
            for key in [
                "app.kubernetes.io/name",
                "app.kubernetes.io/instance",
                "app.kubernetes.io/component",
                "app.kubernetes.io/part-of",
                "opctl.io/chain",
            ] {
                assert!(
                    labels.contains_key(key),
                    "{} {} lacks {key}",
                    d.kind(),
                    d.name()
                );
            }
            assert_eq!(labels["app.kubernetes.io/managed-by"], "opctl");
        }
    }
}

#[test]
fn workloads_are_hardened_and_every_port_names_its_protocol() {
    for d in example("devnet.toml")
        .iter()
        .filter(|d| d.kind() == "StatefulSet" || d.kind() == "Deployment")
    {
        let pod = d.object.pointer("/spec/template/spec").expect("pod spec");
        assert_eq!(pod["securityContext"]["runAsNonRoot"], true, "{}", d.name());
        assert_eq!(
            pod["securityContext"]["seccompProfile"]["type"],
            "RuntimeDefault"
        );
        assert!(d
            .object
            .pointer("/spec/template/metadata/annotations/opctl.io~1config-hash")
            .is_some());
        for c in containers(d) {
            let sc = &c["securityContext"];
            assert_eq!(sc["allowPrivilegeEscalation"], false, "{}", c["name"]);
            assert_eq!(sc["capabilities"]["drop"][0], "ALL");
            assert_eq!(sc["readOnlyRootFilesystem"], true);
            assert!(c["resources"]["requests"]["memory"].is_string());
            for p in c
                .get("ports")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                assert!(
                    p["protocol"].is_string(),
                    "{} port without protocol",
                    c["name"]
                );
            }
        }
    }
    for d in example("devnet.toml")
        .iter()
        .filter(|d| d.kind() == "Service")
    {
        for p in d
            .object
            .pointer("/spec/ports")
            .and_then(Value::as_array)
            .expect("ports")
        {
            assert!(p["protocol"].is_string());
        }
    }
}

#[test]
fn the_engine_api_port_is_never_exposed_by_a_service() {
    for d in example("devnet.toml")
        .iter()
        .filter(|d| d.kind() == "Service")
    {
        for p in d
            .object
            .pointer("/spec/ports")
            .and_then(Value::as_array)
            .expect("ports")
        {
            assert_ne!(p["port"], 8551, "{} exposes the engine API", d.name());
        }
    }
}

#[test]
fn keys_come_from_secret_refs_never_from_literal_args() {
    let objects = example("devnet.toml");
    let seq = objects
        .iter()
        .find(|d| d.kind() == "StatefulSet" && d.role == Some(Role::Sequencer))
        .expect("sequencer");
    let op_node = containers(seq)
        .into_iter()
        .find(|c| c["name"] == "op-node")
        .expect("op-node");
    let env = op_node["env"].as_array().expect("env");
    let key = env
        .iter()
        .find(|e| e["name"] == "OP_NODE_P2P_SEQUENCER_KEY")
        .expect("sequencer key env");
    assert_eq!(key["valueFrom"]["secretKeyRef"]["name"], "devnet-keys");
    assert_eq!(key["valueFrom"]["secretKeyRef"]["key"], "sequencer");
    for d in &objects {
        let text = d.object.to_string();
        assert!(!text.contains("--p2p.sequencer.key"), "{}", d.name());
        assert!(!text.contains("--private-key"), "{}", d.name());
    }
    for (role, var) in [
        (Role::Batcher, "OP_BATCHER_PRIVATE_KEY"),
        (Role::Proposer, "OP_PROPOSER_PRIVATE_KEY"),
        (Role::Challenger, "OP_CHALLENGER_PRIVATE_KEY"),
    ] {
        let w = objects
            .iter()
            .find(|d| {
                d.role == Some(role) && (d.kind() == "Deployment" || d.kind() == "StatefulSet")
            })
            .expect("workload");
        let c = containers(w)[0];
        assert!(
            c["env"]
                .as_array()
                .expect("env")
                .iter()
                .any(|e| e["name"] == var && e["valueFrom"]["secretKeyRef"].is_object()),
            "{role:?}"
        );
    }
}

#[test]
fn batcher_and_proposer_are_single_writers() {
    for d in example("devnet.toml")
        .iter()
        .filter(|d| d.kind() == "Deployment")
    {
        assert_eq!(
            d.object.pointer("/spec/replicas"),
            Some(&Value::from(1)),
            "{}",
            d.name()
        );
        assert_eq!(
            d.object.pointer("/spec/strategy/type"),
            Some(&Value::from("Recreate")),
            "{}",
            d.name()
        );
    }
}

#[test]
fn generated_secrets_are_create_only_and_carry_no_data() {
    let objects = example("devnet.toml");
    let generated: Vec<&Desired> = objects.iter().filter(|d| d.create_only).collect();
    // JWT, op-node p2p key and EL node key for the sequencer and both replicas.
    assert_eq!(generated.len(), 9);
    for d in objects.iter().filter(|d| d.kind() == "Secret") {
        assert!(
            d.object.get("data").is_none() && d.object.get("stringData").is_none(),
            "{}",
            d.name()
        );
        assert!(!d.fills.is_empty());
    }
}

#[test]
fn replicas_follow_the_sequencer_when_its_peer_id_is_known() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/devnet.toml");
    let chain = config::load(&path).expect("valid");
    let mut input = Input::from_chain(&chain);
    let peer = render::identity::peer_id_from_private_key_hex(&format!("{:064x}", 7)).expect("key");
    input.identities.sequencer_peer_id = Some(peer.clone());
    let objects = render::render(&input).expect("renders");
    let replica = objects
        .iter()
        .find(|d| d.kind() == "StatefulSet" && d.name() == "devnet-replica-1")
        .expect("replica 1");
    let op_node = containers(replica)
        .into_iter()
        .find(|c| c["name"] == "op-node")
        .expect("op-node");
    let args: Vec<&str> = op_node["args"]
        .as_array()
        .expect("args")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let expected = format!("--p2p.static=/dns4/devnet-sequencer-0.devnet-sequencer-headless.op-devnet.svc.cluster.local/tcp/9222/p2p/{peer}");
    assert!(args.contains(&expected.as_str()), "{args:?}");
    let el = containers(replica)
        .into_iter()
        .find(|c| c["name"] == "op-reth")
        .expect("op-reth");
    let el_args: Vec<&str> = el["args"]
        .as_array()
        .expect("args")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(el_args.contains(&"--rollup.sequencer=http://devnet-sequencer.op-devnet.svc:8545"));
}

#[test]
fn a_proposer_without_a_known_factory_is_a_clear_error() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/devnet.toml");
    let mut chain = config::load(&path).expect("valid");
    chain.file.contracts.dispute_game_factory = None;
    let err = render::render(&Input::from_chain(&chain))
        .expect_err("must fail")
        .to_string();
    assert!(
        err.contains("DisputeGameFactory") && err.contains("opctl discover"),
        "{err}"
    );
}

#[test]
fn an_l1_genesis_reaches_op_node_and_op_challenger_through_the_config_map() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/devnet.toml");
    // Any JSON file serves for the wiring; the L2 genesis stands in for an L1 one.
    let text = std::fs::read_to_string(&path).expect("example").replace(
        "chain_id = 11155111\n",
        "chain_id = 11155111\ngenesis = \"devnet/genesis.json\"\n",
    );
    let chain = config::load_str(&path, &text).expect("valid");
    let objects = render::render(&Input::from_chain(&chain)).expect("renders");
    let cm = objects
        .iter()
        .find(|d| d.name() == "devnet-config")
        .expect("config map");
    assert!(cm.object["data"]["l1-genesis.json"].is_string());
    let args_of = |name: &str, container: &str| -> Vec<String> {
        let d = objects
            .iter()
            .find(|d| d.kind() == "StatefulSet" && d.name() == name)
            .expect("workload");
        let c = containers(d)
            .into_iter()
            .find(|c| c["name"] == container)
            .expect("container")
            .clone();
        c["args"]
            .as_array()
            .expect("args")
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect()
    };
    assert!(args_of("devnet-sequencer", "op-node")
        .contains(&"--rollup.l1-chain-config=/config/l1-genesis.json".to_string()));
    assert!(args_of("devnet-challenger", "op-challenger")
        .contains(&"--l1-genesis=/config/l1-genesis.json".to_string()));
}

/// The args of the first container of the workload named `name`.
fn workload_args(objects: &[Desired], name: &str) -> Vec<String> {
    let d = objects
        .iter()
        .find(|d| d.name() == name && matches!(d.kind(), "Deployment" | "StatefulSet"))
        .unwrap_or_else(|| panic!("no workload {name}"));
    containers(d)[0]["args"]
        .as_array()
        .expect("args")
        .iter()
        .map(|a| a.as_str().expect("string").to_string())
        .collect()
}

/// The devnet example with the game types left to discovery: no pinned respected type, no
/// explicit challenger game types or prestates.
fn devnet_following_the_chain() -> config::LoadedChain {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/devnet.toml");
    let mut chain = config::load(&path).expect("valid");
    chain.file.contracts.respected_game_type = None;
    chain.file.challenger.game_types.clear();
    chain.file.challenger.prestates_url = None;
    chain
}

#[test]
fn an_upgrade_20_permissioned_chain_proposes_super_roots_and_plays_both_permissioned_types() {
    let chain = devnet_following_the_chain();
    let mut input = Input::from_chain(&chain);
    input.contracts.respected_game_type = Some(5);
    input.contracts.enabled_game_types = vec![1, 5];
    let objects = render::render(&input).expect("renders");

    let proposer = workload_args(&objects, "devnet-proposer");
    assert!(
        proposer.contains(&"--game-type=5".to_string()),
        "{proposer:?}"
    );
    assert!(
        proposer
            .iter()
            .any(|a| a.starts_with("--superroot-rpcs=http://devnet-")),
        "{proposer:?}"
    );
    assert!(
        !proposer.iter().any(|a| a.starts_with("--rollup-rpc=")),
        "super-root games are proposed from super roots: {proposer:?}"
    );

    let challenger = workload_args(&objects, "devnet-challenger");
    assert!(
        challenger.contains(&"--game-types=permissioned,super-permissioned".to_string()),
        "{challenger:?}"
    );
    assert!(
        challenger
            .iter()
            .any(|a| a.starts_with("--superroot-rpc=http://devnet-")),
        "{challenger:?}"
    );
    assert!(
        challenger.iter().any(|a| a.starts_with("--rollup-rpc=")),
        "permissioned games in progress still need the rollup RPC: {challenger:?}"
    );
    assert!(
        !challenger.iter().any(|a| a.contains("prestates")),
        "a permissioned-only challenger is not given prestates it was not asked for: {challenger:?}"
    );
}

#[test]
fn a_permissionless_kona_chain_plays_cannon_kona_with_kona_prestates() {
    let mut chain = devnet_following_the_chain();
    // Against op-reth replicas a permissionless VM game is refused (rule challenger-vm-state).
    let mut input = Input::from_chain(&chain);
    input.contracts.respected_game_type = Some(8);
    input.contracts.enabled_game_types = vec![1, 8];
    let err = render::render(&input).expect_err("op-reth").to_string();
    assert!(
        err.contains("`cannon-kona` cannot be played against op-reth"),
        "{err}"
    );
    chain.file.replicas.execution_client = config::ExecutionClient::OpGeth;
    let mut input = Input::from_chain(&chain);
    input.contracts.respected_game_type = Some(8);
    input.contracts.enabled_game_types = vec![1, 8];
    let err = render::render(&input)
        .expect_err("no kona prestates")
        .to_string();
    assert!(
        err.contains("8 (CANNON_KONA)") && err.contains("challenger.prestates.cannon-kona"),
        "{err}"
    );

    chain.file.challenger.prestates.insert(
        "cannon-kona".into(),
        "https://prestates.example.org/kona".into(),
    );
    let mut input = Input::from_chain(&chain);
    input.contracts.respected_game_type = Some(8);
    input.contracts.enabled_game_types = vec![1, 8];
    let objects = render::render(&input).expect("renders");
    let challenger = workload_args(&objects, "devnet-challenger");
    assert!(
        challenger.contains(&"--game-types=permissioned,cannon-kona".to_string()),
        "{challenger:?}"
    );
    assert!(
        challenger.contains(
            &"--cannon-kona-prestates-url=https://prestates.example.org/kona".to_string()
        ),
        "{challenger:?}"
    );
    assert!(
        !challenger.iter().any(|a| a.starts_with("--superroot-rpc")),
        "{challenger:?}"
    );
    let proposer = workload_args(&objects, "devnet-proposer");
    assert!(
        proposer.contains(&"--game-type=8".to_string()),
        "{proposer:?}"
    );
    assert!(
        proposer.iter().any(|a| a.starts_with("--rollup-rpc=")),
        "{proposer:?}"
    );
}
