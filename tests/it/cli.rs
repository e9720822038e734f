//! The opctl binary as users and CI run it: exit codes, stdout for data only, output formats.

use std::process::{Command, Output};

fn opctl(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_opctl"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .expect("opctl runs")
}

#[test]
fn help_and_version_exit_0() {
    assert_eq!(opctl(&["--help"]).status.code(), Some(0));
    assert_eq!(opctl(&["--version"]).status.code(), Some(0));
}

#[test]
fn usage_errors_exit_1_not_2() {
    let out = opctl(&["render"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("CHAIN.toml"));
    assert_eq!(opctl(&["frobnicate"]).status.code(), Some(1));
}

#[test]
fn a_missing_chain_file_is_a_clear_error() {
    let out = opctl(&["validate", "examples/nope.toml"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("examples/nope.toml") && stderr.contains("hint"),
        "{stderr}"
    );
}

#[test]
fn render_prints_yaml_on_stdout_and_notes_on_stderr() {
    let out = opctl(&["render", "examples/devnet.toml"]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.starts_with("---\napiVersion: v1\nkind: Namespace"),
        "{}",
        &stdout[..80.min(stdout.len())]
    );
    // The devnet's objects: among them the replicas' PodDisruptionBudget and RPC Service, the EL
    // node-key Secrets, the genesis part and 7 NetworkPolicies.
    assert_eq!(stdout.matches("\n---\n").count() + 1, 39);
    assert!(stdout.contains("name: devnet-genesis-000"));
    assert!(!stdout.contains("note:"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--sequencer-peer-id"));
}

#[test]
fn render_json_is_a_kubernetes_list() {
    let out = opctl(&["render", "examples/op-sepolia-replicas.toml", "-o", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json on stdout");
    assert_eq!(list["kind"], "List");
    assert!(list["items"]
        .as_array()
        .expect("items")
        .iter()
        .any(|o| o["kind"] == "StatefulSet"));
}

#[test]
fn namespace_flag_overrides_the_chain_namespace() {
    let out = opctl(&[
        "render",
        "examples/op-sepolia-replicas.toml",
        "-o",
        "json",
        "-n",
        "elsewhere",
    ]);
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    for item in list["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|o| o["kind"] != "Namespace")
    {
        assert_eq!(item["metadata"]["namespace"], "elsewhere");
    }
}

#[test]
fn schema_and_completions_print_on_stdout() {
    let schema = opctl(&["schema"]);
    assert_eq!(schema.status.code(), Some(0));
    serde_json::from_slice::<serde_json::Value>(&schema.stdout).expect("schema is JSON");
    let bash = opctl(&["completions", "bash"]);
    assert!(String::from_utf8_lossy(&bash.stdout).contains("_opctl"));
}

#[test]
fn colour_is_off_with_no_color_and_on_when_forced() {
    let plain = Command::new(env!("CARGO_BIN_EXE_opctl"))
        .env("NO_COLOR", "1")
        .args(["validate", "examples/nope.toml"])
        .output()
        .expect("runs");
    assert!(!String::from_utf8_lossy(&plain.stderr).contains('\x1b'));
    let forced = opctl(&["--color", "always", "validate", "examples/nope.toml"]);
    assert!(String::from_utf8_lossy(&forced.stderr).contains("\x1b["));
}

#[test]
fn a_bad_namespace_or_peer_id_on_the_command_line_is_a_clear_error() {
    let out = opctl(&["render", "examples/devnet.toml", "-n", "Bad_NS"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a valid namespace name"));
    let out = opctl(&[
        "render",
        "examples/devnet.toml",
        "--sequencer-peer-id",
        "not-a-peer",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("16Uiu2"));
    assert!(out.stdout.is_empty());
}

/// Exit 1, the flag and the accepted range on stderr, nothing on stdout, no panic.
fn assert_refused(args: &[&str], flag: &str, range: &str) {
    let out = opctl(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
    assert!(out.stdout.is_empty(), "{args:?}");
    assert!(
        stderr.contains(flag) && stderr.contains("out of range") && stderr.contains(range),
        "{args:?}: {stderr}"
    );
    assert!(
        !stderr.contains("panicked") && !stderr.contains("overflow"),
        "{args:?}: {stderr}"
    );
}

#[test]
fn out_of_range_watch_durations_exit_1_naming_the_flag() {
    let max = u64::MAX.to_string();
    let max_ms = format!("{max}ms");
    for (flag, value, range) in [
        ("--resync", "0", "1s to 24h"),
        ("--resync", max.as_str(), "1s to 24h"),
        ("--resync", max_ms.as_str(), "1s to 24h"),
        ("--lease-duration", max.as_str(), "5s to 10m"),
        ("--lease-duration", "0", "5s to 10m"),
        ("--rediscover", max.as_str(), "0 (off) or 1s to 24h"),
        ("--rediscover", "100ms", "0 (off) or 1s to 24h"),
    ] {
        assert_refused(&["watch", "examples/devnet.toml", flag, value], flag, range);
    }
    // A sum past what a duration holds is a parse error, not a panic.
    let out = opctl(&[
        "watch",
        "examples/devnet.toml",
        "--resync",
        &format!("{max}h"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--resync") && stderr.contains("too long a duration"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn out_of_range_timeouts_exit_1_naming_the_flag() {
    let max = u64::MAX.to_string();
    for value in ["0", max.as_str()] {
        assert_refused(
            &["apply", "examples/devnet.toml", "--yes", "--timeout", value],
            "--timeout",
            "1s to 24h",
        );
        assert_refused(
            &["discover", "examples/devnet.toml", "--rpc-timeout", value],
            "--rpc-timeout",
            "1s to 10m",
        );
    }
}

#[test]
fn watch_refuses_a_bad_namespace_before_connecting() {
    let out = Command::new(env!("CARGO_BIN_EXE_opctl"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("KUBECONFIG", "/nonexistent/kubeconfig")
        .args([
            "watch",
            "examples/devnet.toml",
            "-n",
            "Bad_NS",
            "--listen",
            "off",
        ])
        .output()
        .expect("opctl runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("-n Bad_NS: not a valid namespace name"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("kubeconfig"),
        "checked before connecting: {stderr}"
    );
}

#[test]
fn key_format_is_a_check_that_can_be_overridden_by_name() {
    for command in ["plan", "apply"] {
        let help = opctl(&[command, "--help"]);
        assert_eq!(help.status.code(), Some(0));
        assert!(
            String::from_utf8_lossy(&help.stdout).contains("key-format"),
            "{command} --help does not list key-format"
        );
    }
    // A misspelt check name is a usage error that lists the real one.
    let out = opctl(&[
        "apply",
        "examples/devnet.toml",
        "--skip-check",
        "key-formats",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("key-format"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The devnet example in a temp dir, with `edit` applied to its genesis.json.
fn devnet_with_genesis(edit: impl FnOnce(&mut serde_json::Value)) -> tempfile::TempDir {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join("devnet")).expect("mkdir");
    std::fs::copy(root.join("devnet.toml"), dir.path().join("devnet.toml")).expect("copy");
    std::fs::copy(
        root.join("devnet/rollup.json"),
        dir.path().join("devnet/rollup.json"),
    )
    .expect("copy");
    let text = std::fs::read_to_string(root.join("devnet/genesis.json")).expect("read");
    let mut genesis: serde_json::Value = serde_json::from_str(&text).expect("json");
    edit(&mut genesis);
    std::fs::write(
        dir.path().join("devnet/genesis.json"),
        serde_json::to_string_pretty(&genesis).expect("json"),
    )
    .expect("write");
    dir
}

#[test]
fn validate_refuses_a_genesis_that_does_not_produce_the_rollup_genesis_hash() {
    let rollup: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string("examples/devnet/rollup.json").expect("read"),
    )
    .expect("json");
    let declared = rollup["genesis"]["l2"]["hash"].as_str().expect("hash");

    let unchanged = devnet_with_genesis(|_| {});
    let chain = unchanged.path().join("devnet.toml");
    let out = opctl(&["validate", chain.to_str().expect("utf-8")]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let changed = devnet_with_genesis(|g| {
        g["alloc"]["3fab184622dc19b6109349b94811493bf2a45362"]["balance"] = "0x1".into();
    });
    let chain = changed.path().join("devnet.toml");
    let out = opctl(&["validate", chain.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("genesis.l2.hash")
            && stderr.contains(declared)
            && stderr.contains("refuses to start"),
        "{stderr}"
    );
    // The other hash: the one genesis.json now produces.
    let computed = stderr
        .split("has hash ")
        .nth(1)
        .and_then(|rest| rest.get(..66))
        .expect("the computed hash is named");
    assert!(
        computed.starts_with("0x") && computed != declared,
        "{stderr}"
    );
}
