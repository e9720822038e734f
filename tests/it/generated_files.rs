//! `schemas/` and `completions/` are generated from code and committed; this test fails with a diff
//! when they are stale. Regenerate with `OPCTL_UPDATE_GENERATED=1 cargo nextest run generated`.

use std::path::Path;

use opctl::generated;

fn check(rel: &str, expected: &str) -> Option<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    if std::env::var_os("OPCTL_UPDATE_GENERATED").is_some() {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, expected).expect("write");
        return None;
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    if actual == expected {
        return None;
    }
    let diff = similar::TextDiff::from_lines(actual.as_str(), expected)
        .unified_diff()
        .header(rel, "generated")
        .to_string();
    Some(format!(
        "{rel} is stale; run `OPCTL_UPDATE_GENERATED=1 cargo nextest run generated`\n{}",
        diff.chars().take(3000).collect::<String>()
    ))
}

#[test]
fn the_committed_schema_is_up_to_date() {
    if let Some(problem) = check("schemas/opctl.schema.json", &generated::schema_json()) {
        panic!("{problem}");
    }
}

#[test]
fn the_committed_completions_are_up_to_date() {
    let problems: Vec<String> = generated::COMPLETION_FILES
        .iter()
        .filter_map(|(shell, file)| {
            check(
                &format!("completions/{file}"),
                &generated::completions(*shell),
            )
        })
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_schema_describes_the_chain_file() {
    let schema: serde_json::Value = serde_json::from_str(&generated::schema_json()).expect("json");
    let props = schema["properties"].as_object().expect("properties");
    for key in [
        "chain",
        "l1",
        "contracts",
        "images",
        "defaults",
        "sequencer",
        "replicas",
        "batcher",
        "proposer",
        "challenger",
    ] {
        assert!(props.contains_key(key), "{key}");
    }
    assert_eq!(schema["additionalProperties"], false);
}
