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

/// Every `fn name(` under `src/` and `tests/` (the test functions the rules table may cite).
fn function_names() -> std::collections::BTreeSet<String> {
    fn walk(dir: &std::path::Path, out: &mut std::collections::BTreeSet<String>) {
        for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("read source");
                for line in text.lines() {
                    if let Some(rest) = line.trim_start().split("fn ").nth(1) {
                        let name: String = rest
                            .chars()
                            .take_while(|c| c.is_alphanumeric() || *c == '_')
                            .collect();
                        if !name.is_empty() {
                            out.insert(name);
                        }
                    }
                }
            }
        }
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = std::collections::BTreeSet::new();
    walk(&root.join("src"), &mut out);
    walk(&root.join("tests"), &mut out);
    out
}

#[test]
fn every_rule_in_the_rules_table_names_tests_that_exist() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let table = std::fs::read_to_string(root.join("docs/rendering-rules.md")).expect("rules table");
    let functions = function_names();
    let mut rules = 0;
    let mut problems = Vec::new();
    for row in table
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| rule "))
    {
        let cells: Vec<&str> = row.split(" | ").collect();
        let rule = cells[0].trim_start_matches("| ").trim();
        let tests: Vec<&str> = cells
            .last()
            .expect("a tests column")
            .split('`')
            .skip(1)
            .step_by(2)
            .collect();
        rules += 1;
        if tests.is_empty() {
            problems.push(format!("rule {rule} names no test"));
        }
        for t in tests {
            if !functions.contains(t) {
                problems.push(format!(
                    "rule {rule} names `{t}`, which is not a function in src/ or tests/"
                ));
            }
        }
    }
    assert!(rules >= 6, "the table has {rules} rules");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
