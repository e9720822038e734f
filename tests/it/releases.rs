//! Release sets as `validate` reports them, offline: the image mix, images that cannot be checked,
//! unknown or incomplete release sets, and hardforks the images do not support.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A copy of an example (`devnet` or `legacy`) in a temp dir, with `extra` appended to the chain
/// file and `edit` applied to its rollup.json.
struct Copy {
    _dir: tempfile::TempDir,
    chain: PathBuf,
}

fn example(name: &str, toml: &str, extra: &str, edit: impl FnOnce(&mut serde_json::Value)) -> Copy {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join(name)).expect("mkdir");
    std::fs::copy(
        root.join(name).join("genesis.json"),
        dir.path().join(name).join("genesis.json"),
    )
    .expect("copy");
    let text = std::fs::read_to_string(root.join(name).join("rollup.json")).expect("read");
    let mut rollup: serde_json::Value = serde_json::from_str(&text).expect("json");
    edit(&mut rollup);
    std::fs::write(
        dir.path().join(name).join("rollup.json"),
        serde_json::to_string_pretty(&rollup).expect("json"),
    )
    .expect("write");
    let chain = dir.path().join(toml);
    let text = std::fs::read_to_string(root.join(toml)).expect("read");
    std::fs::write(&chain, format!("{text}\n{extra}")).expect("write");
    Copy { _dir: dir, chain }
}

fn devnet(extra: &str) -> Copy {
    example("devnet", "devnet.toml", extra, |_| {})
}

fn validate(c: &Copy) -> Output {
    Command::new(env!("CARGO_BIN_EXE_opctl"))
        .env("NO_COLOR", "1")
        .args(["validate", c.chain.to_str().expect("utf-8")])
        .output()
        .expect("opctl runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs()
}

const REGISTRY: &str = "us-docker.pkg.dev/oplabs-tools-artifacts/images";

#[test]
fn the_examples_on_their_default_release_are_a_known_good_mix() {
    let out = validate(&devnet(""));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let e = stderr(&out);
    assert!(
        !e.contains("untested") && !e.contains("cannot be checked"),
        "{e}"
    );
}

#[test]
fn validate_warns_when_a_single_pin_makes_the_image_mix_untested_naming_the_pair() {
    let c = devnet(&format!(
        "[images]\nop_batcher = \"{REGISTRY}/op-batcher:v1.16.2\"\n"
    ));
    let out = validate(&c);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let e = stderr(&out);
    for part in [
        "images.op_batcher pins op-batcher v1.16.2 (release 2026-08 has v1.16.13)",
        "untested",
        "op-node v1.19.5",
        "op-reth v2.4.2",
        "op-batcher v1.16.2 is in release 2025-12-jovian",
    ] {
        assert!(e.contains(part), "{part}:\n{e}");
    }
    // The same version as the chosen set's is no warning; so is a whole other set.
    let c = devnet(
        "[images]\nrelease = \"2026-07-karst\"\nop_node = \"us-docker.pkg.dev/oplabs-tools-artifacts/images/op-node:v1.19.2\"\n",
    );
    let out = validate(&c);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stderr(&out).contains("untested"), "{}", stderr(&out));
}

#[test]
fn validate_warns_that_a_digest_or_an_unknown_tag_cannot_be_checked() {
    let digest = "ab".repeat(32);
    let c = devnet(&format!(
        "[images]\nop_node = \"{REGISTRY}/op-node@sha256:{digest}\"\nop_reth = \"{REGISTRY}/op-reth:v2.9.0\"\n"
    ));
    let out = validate(&c);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let e = stderr(&out);
    assert!(
        e.contains("images.op_node (op-node)")
            && e.contains("is given by digest")
            && e.contains("cannot be checked"),
        "{e}"
    );
    assert!(
        e.contains("op-reth v2.9.0 is in no release set") && e.contains("cannot be checked"),
        "{e}"
    );
    assert!(!e.contains("private key"), "a digest is not a key: {e}");
}

#[test]
fn an_unknown_release_or_one_without_a_confirmed_image_is_refused_naming_the_key() {
    let out = validate(&devnet("[images]\nrelease = \"2027-01\"\n"));
    assert_eq!(out.status.code(), Some(1));
    let e = stderr(&out);
    assert!(
        e.contains("images.release")
            && e.contains("`2027-01` is not a release set")
            && e.contains("2026-07-karst"),
        "{e}"
    );
    // Upgrade 20 names no op-proposer or op-challenger release: the devnet runs both.
    let out = validate(&devnet("[images]\nrelease = \"2026-12-upgrade-20\"\n"));
    assert_eq!(out.status.code(), Some(1));
    let e = stderr(&out);
    assert!(
        e.contains("release 2026-12-upgrade-20 has no confirmed op-proposer image")
            && e.contains("images.op_proposer")
            && e.contains("op-challenger"),
        "{e}"
    );
    // Pinned, the set is usable.
    let out = validate(&devnet(&format!(
        "[images]\nrelease = \"2026-12-upgrade-20\"\nop_proposer = \"{REGISTRY}/op-proposer:v1.16.3\"\nop_challenger = \"{REGISTRY}/op-challenger:v1.9.3\"\n"
    )));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = validate(&devnet("[images]\nhardfork_window = \"1y\"\n"));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("images.hardfork_window"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn validate_warns_when_a_fork_soon_or_already_active_is_not_supported_by_an_image() {
    // Three days and an hour ahead: the countdown reads `3d` for the whole hour the test may take.
    let karst = now() + 3 * 86_400 + 3_600;
    let c = example(
        "devnet",
        "devnet.toml",
        &format!("[images]\nop_node = \"{REGISTRY}/op-node:v1.16.13\"\n"),
        |r| r["karst_time"] = karst.into(),
    );
    let out = validate(&c);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let e = stderr(&out);
    assert!(
        e.contains("hardfork: op-node v1.16.13 (images.op_node) does not support karst (needs op-node >= v1.19.0)")
            && e.contains("in 3d"),
        "{e}"
    );
    // Outside the window: no warning about it.
    let c = example(
        "devnet",
        "devnet.toml",
        &format!("[images]\nop_node = \"{REGISTRY}/op-node:v1.16.13\"\nhardfork_window = \"2d\"\n"),
        |r| r["karst_time"] = karst.into(),
    );
    assert!(!stderr(&validate(&c)).contains("hardfork:"));
    // op-geth cannot follow Karst; once active, the node stops or forks off.
    // (Every fork before it scheduled too: op-node refuses a gap in the fork order.)
    let c = example("legacy", "legacy-op-geth.toml", "", |r| {
        for fork in ["granite", "holocene", "isthmus", "jovian"] {
            r[format!("{fork}_time")] = 0.into();
        }
        r["karst_time"] = (now() - 86_400).into()
    });
    let out = validate(&c);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let e = stderr(&out);
    assert!(
        e.contains("op-geth v1.101702.1 cannot follow karst")
            && e.contains("activated at")
            && e.contains("stop or fork off the chain now"),
        "{e}"
    );
}

#[test]
fn hardfork_is_a_check_plan_can_skip_and_upgrade_names_the_release_sets() {
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_opctl"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(args)
            .output()
            .expect("opctl runs")
    };
    let help = run(&["plan", "--help"]);
    assert!(String::from_utf8_lossy(&help.stdout).contains("hardfork"));
    // An unknown release is a usage error listing the sets, before any cluster is asked.
    let out = run(&["upgrade", "examples/devnet.toml", "--to", "2027-01"]);
    assert_eq!(out.status.code(), Some(1));
    let e = stderr(&out);
    assert!(
        e.contains("2025-12-jovian") && e.contains("2026-07-karst") && e.contains("2026-08"),
        "{e}"
    );
}
