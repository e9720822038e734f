//! The corpus of invalid chain files under `tests/invalid/`: each must exit 1 with
//! `file:line:col`, the key path and the expected message (named in the file's header comments).

use std::path::{Path, PathBuf};
use std::process::Command;

fn corpus() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/invalid");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/invalid exists")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

fn header(text: &str, name: &str) -> String {
    let prefix = format!("# {name}: ");
    text.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("missing `{prefix}` header"))
        .to_string()
}

/// `path:LINE:COL: ` with positive numbers, at the start of an error line.
fn has_position(stderr: &str, path: &str) -> bool {
    stderr.lines().any(|line| {
        let Some(rest) = line.strip_prefix("error: ").and_then(|l| l.strip_prefix(path)) else {
            return false;
        };
        let mut parts = rest.splitn(4, ':');
        let (_, line_no, col) = (parts.next(), parts.next(), parts.next());
        matches!((line_no.and_then(|n| n.parse::<usize>().ok()), col.and_then(|n| n.parse::<usize>().ok())), (Some(l), Some(c)) if l > 0 && c > 0)
    })
}

#[test]
fn the_corpus_has_at_least_thirty_invalid_files() {
    assert!(corpus().len() >= 30, "only {} files", corpus().len());
}

#[test]
fn every_invalid_file_exits_1_with_position_key_path_and_message() {
    let mut failures = Vec::new();
    for file in corpus() {
        let text = std::fs::read_to_string(&file).expect("readable");
        let key = header(&text, "expect-key");
        let message = header(&text, "expect-message");
        let rel = file
            .strip_prefix(env!("CARGO_MANIFEST_DIR"))
            .expect("inside the repo");
        let out = Command::new(env!("CARGO_BIN_EXE_opctl"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(["--color", "never", "validate"])
            .arg(rel)
            .output()
            .expect("opctl runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let key_shown = if key.is_empty() {
            "`(document)`".to_string()
        } else {
            format!("`{key}`")
        };
        let problems = [
            (
                out.status.code() != Some(1),
                format!("exit code {:?}", out.status.code()),
            ),
            (
                !has_position(&stderr, &rel.display().to_string()),
                "no file:line:col".to_string(),
            ),
            (
                !stderr.contains(&key_shown),
                format!("no key path {key_shown}"),
            ),
            (
                !stderr.contains(&message),
                format!("no message `{message}`"),
            ),
            (
                !stderr.contains("hint:") && !stderr.contains("expected"),
                "no hint".to_string(),
            ),
            (
                stderr.contains("panicked") || stderr.contains("RUST_BACKTRACE"),
                "panic".to_string(),
            ),
            (!out.stdout.is_empty(), "data on stdout".to_string()),
        ];
        for (bad, what) in problems {
            if bad {
                failures.push(format!("{}: {what}\n{stderr}", rel.display()));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_private_key_in_the_file_is_never_echoed() {
    for file in corpus()
        .into_iter()
        .filter(|f| f.to_string_lossy().contains("private-key"))
    {
        let out = Command::new(env!("CARGO_BIN_EXE_opctl"))
            .args(["validate"])
            .arg(&file)
            .output()
            .expect("opctl runs");
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            !all.contains(&"ab".repeat(32)),
            "{}: key echoed:\n{all}",
            file.display()
        );
        assert_eq!(out.status.code(), Some(1));
    }
}

#[test]
fn the_rollup_json_op_node_refuses_for_a_missing_pectra_blob_schedule_passes_with_the_key() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().expect("tempdir");
    let chain_text = std::fs::read_to_string(
        root.join("tests/invalid/rollup-missing-pectra-blob-schedule.toml"),
    )
    .expect("read")
    .replace(
        "../../examples/devnet/genesis.json",
        &root
            .join("examples/devnet/genesis.json")
            .display()
            .to_string(),
    );
    let mut rollup: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            root.join("tests/invalid/rollup/missing-pectra-blob-schedule.json"),
        )
        .expect("read"),
    )
    .expect("json");
    let validate = |rollup: &serde_json::Value| {
        std::fs::create_dir_all(dir.path().join("rollup")).expect("mkdir");
        std::fs::write(
            dir.path().join("rollup/missing-pectra-blob-schedule.json"),
            serde_json::to_string_pretty(rollup).expect("json"),
        )
        .expect("write");
        std::fs::write(dir.path().join("corpus.toml"), &chain_text).expect("write");
        Command::new(env!("CARGO_BIN_EXE_opctl"))
            .args(["--color", "never", "validate"])
            .arg(dir.path().join("corpus.toml"))
            .output()
            .expect("opctl runs")
    };
    let refused = validate(&rollup);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("pectra_blob_schedule_time"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    // Sepolia's Prague activation: what op-node wants for a chain whose genesis predates it.
    rollup["pectra_blob_schedule_time"] = 1_741_159_776u64.into();
    let passed = validate(&rollup);
    assert_eq!(
        passed.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&passed.stderr)
    );
}
