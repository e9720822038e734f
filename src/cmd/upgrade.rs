//! `opctl upgrade CHAIN.toml --to RELEASE`: what moving the chain to another release set changes
//! (images old -> new, version-dependent flags, forks and game types newly supported), then the
//! checks and the plan of the chain as it would be, exactly as `plan` shows them. Nothing is
//! written: not the cluster, not the chain file.

use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};

use crate::cli::{Global, OutputFormat, UpgradeArgs};
use crate::config::{self, diag::SourceMap};
use crate::error::{exit, Error};
use crate::model::releases::{self, UpgradeDiff};
use crate::plan::{plan_json, ChainPlan};
use crate::reconcile::{self, ChainInput, ChainOutcome, Inputs, Observer, PlanOptions, Policy};
use crate::ui::Printer;

use super::common::{self, Terminal};

pub async fn run(args: &UpgradeArgs, global: &Global, printer: &Printer) -> Result<u8, Error> {
    let chain = common::load_chain(&args.chain, global)?;
    let matrix = releases::builtin();
    let from = chain.file.images.release_set();
    let to = matrix.set(&args.to).ok_or_else(|| {
        Error::Usage(format!(
            "--to {}: not a release set opctl knows\n  hint: use one of {}",
            args.to,
            matrix.names().join(", ")
        ))
    })?;
    let mut moved = chain.clone();
    moved.file.images.release = Some(to.name.clone());
    // The chain as it would be must be valid too (e.g. a set with an unconfirmed image the chain
    // does not pin).
    let diags = config::validate::validate(&moved, &SourceMap::new(&moved.path, &moved.text));
    if !diags.is_empty() {
        return Err(config::ConfigError::Invalid(diags).into());
    }
    let diff = releases::upgrade_diff(
        matrix,
        from,
        to,
        &chain.file.rendered_images(),
        &moved.file.rendered_images(),
    );
    let cluster = common::connect(global).await?;
    let policy = Policy::plan(PlanOptions::default(), args.checks.skip.clone());
    let view = UpgradeView {
        terminal: Terminal::new(printer, global, false),
        diff: &diff,
        chain: args.chain.display().to_string(),
    };
    let outcome = reconcile::run(
        &cluster,
        &Inputs::Chains(vec![ChainInput::new(moved)]),
        &policy,
        &view,
    )
    .await?;
    if global.output != Some(OutputFormat::Json) {
        printer.info(&format!(
            "nothing was written; to upgrade, set `[images] release = \"{}\"` in {} and run `opctl apply`",
            to.name,
            args.chain.display()
        ));
    }
    Ok(
        match (
            args.exit_code,
            !outcome.blocked.is_empty(),
            outcome.pending(),
        ) {
            (true, true, _) => exit::BLOCKED,
            (true, false, true) => exit::CHANGES,
            _ => exit::OK,
        },
    )
}

/// The terminal's view with the release diff in front of the plan (one JSON document with
/// `-o json`).
struct UpgradeView<'a> {
    terminal: Terminal<'a>,
    diff: &'a UpgradeDiff,
    chain: String,
}

impl Observer for UpgradeView<'_> {
    fn warn(&self, message: &str) {
        self.terminal.warn(message);
    }

    fn planned(&self, chains: &[ChainOutcome]) {
        let printer = self.terminal.printer;
        if self.terminal.output == Some(OutputFormat::Json) {
            let plans: Vec<ChainPlan> = chains.iter().map(|c| c.plan.clone()).collect();
            let checks: Vec<_> = chains.iter().map(|c| c.checks.clone()).collect();
            let doc = serde_json::json!({
                "upgrade": self.diff,
                "plan": plan_json(&plans, &checks),
            });
            printer.data(&serde_json::to_string_pretty(&doc).unwrap_or_default());
            return;
        }
        printer.data(&render_diff(&self.chain, self.diff));
        self.terminal.planned(chains);
    }
}

/// The release diff as text: a table of images, then forks, game types and flag changes.
fn render_diff(chain: &str, d: &UpgradeDiff) -> String {
    let mut out = format!("upgrade {chain}: release {} -> {}\n", d.from, d.to);
    if d.downgrade {
        out.push_str(&format!(
            "note: release {} is older than {}: this is a downgrade\n",
            d.to, d.from
        ));
    }
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED)
        .set_header(vec!["component", "from", "to", ""]);
    let short = |i: &str| i.rsplit('/').next().unwrap_or(i).to_string();
    for row in &d.images {
        let note = match (&row.pinned_by, row.from == row.to) {
            (Some(k), _) => format!("pinned by {k}: stays"),
            (None, true) => "unchanged".to_string(),
            (None, false) => "changes".to_string(),
        };
        t.add_row(vec![
            row.component.to_string(),
            short(&row.from),
            short(&row.to),
            note,
        ]);
    }
    out.push_str(&t.to_string());
    out.push('\n');
    let list = |v: Vec<String>| {
        if v.is_empty() {
            "none".to_string()
        } else {
            v.join(", ")
        }
    };
    out.push_str(&format!(
        "forks newly supported: {}\n",
        list(d.forks_added.iter().map(ToString::to_string).collect())
    ));
    if !d.forks_removed.is_empty() {
        out.push_str(&format!(
            "forks no longer supported: {}\n",
            list(d.forks_removed.iter().map(ToString::to_string).collect())
        ));
    }
    out.push_str(&format!(
        "game types newly played: {}\n",
        list(
            d.game_types_added
                .iter()
                .map(|t| crate::model::games::GameTypeLabel(*t).to_string())
                .collect()
        )
    ));
    if d.changes.is_empty() {
        out.push_str("flags that change with these versions: none known\n");
    } else {
        out.push_str("flags that change with these versions:\n");
        for c in &d.changes {
            out.push_str(&format!(
                "  {} {}: {} (source: {})\n",
                c.component, c.at, c.note, c.source
            ));
        }
    }
    out
}
