//! Steps several subcommands share: load chain files with the global overrides, connect to the
//! cluster, and the terminal's view of a reconcile pass.

use std::path::Path;
use std::sync::Mutex;

use crate::cli::{Global, OutputFormat};
use crate::cluster::{self, Cluster};
use crate::config::{self, LoadedChain};
use crate::error::Error;
use crate::model::object::ObjectRef;
use crate::plan::ready::Readiness;
use crate::plan::{plan_json, ChainPlan};
use crate::reconcile::{ApplyReport, ChainOutcome, Observer};
use crate::resolve::Resolved;
use crate::ui::{self, progress::Progress, Printer};

/// `-n`, checked: a valid namespace name.
pub fn namespace_override(global: &Global) -> Result<Option<String>, Error> {
    if let Some(ns) = &global.namespace {
        check_namespace(ns)?;
    }
    Ok(global.namespace.clone())
}

/// Load and validate a chain file; `-n` overrides its namespace.
pub fn load_chain(path: &Path, global: &Global) -> Result<LoadedChain, Error> {
    let ns = namespace_override(global)?;
    let mut chain = config::load(path)?;
    if let Some(ns) = ns {
        chain.file.chain.namespace = Some(ns);
    }
    Ok(chain)
}

/// `-n NAMESPACE` must name a namespace Kubernetes could have.
pub fn check_namespace(ns: &str) -> Result<(), Error> {
    if config::validate::is_dns_label(ns, 63) {
        return Ok(());
    }
    Err(Error::Usage(format!(
        "-n {ns}: not a valid namespace name\n  hint: lowercase letters, digits and `-`, at most 63 characters"
    )))
}

/// Contract addresses for rendering (TOML overrides, then the lock file, then the registry);
/// warnings go to stderr.
pub fn resolve(chain: &LoadedChain, printer: &Printer) -> Result<Resolved, Error> {
    let resolved = crate::resolve::resolve(chain)?;
    for w in &resolved.warnings {
        printer.warn(&format!("{}: {w}", chain.path.display()));
    }
    Ok(resolved)
}

/// Connect and check that the cluster serves every kind opctl writes.
pub async fn connect(global: &Global) -> Result<Cluster, Error> {
    let cluster = cluster::connect(global.kubeconfig.as_deref(), global.context.as_deref()).await?;
    cluster.check_served().await?;
    Ok(cluster)
}

/// The terminal's view of a pass: plans and checks on stdout (table or JSON), everything else on
/// stderr, the confirmation prompt, rollout progress.
pub struct Terminal<'a> {
    pub printer: &'a Printer,
    pub output: Option<OutputFormat>,
    /// `--yes` (never prompt).
    pub yes: bool,
    progress: Mutex<Option<Progress>>,
}

impl<'a> Terminal<'a> {
    pub fn new(printer: &'a Printer, global: &Global, yes: bool) -> Self {
        Terminal {
            printer,
            output: global.output,
            yes,
            progress: Mutex::new(None),
        }
    }

    /// Close the progress display, if a wait showed one.
    pub fn finish(&self) {
        if let Some(p) = self.progress.lock().ok().and_then(|mut p| p.take()) {
            p.finish();
        }
    }
}

impl Observer for Terminal<'_> {
    fn warn(&self, message: &str) {
        self.printer.warn(message);
    }

    fn planned(&self, chains: &[ChainOutcome]) {
        match self.output {
            Some(OutputFormat::Json) => {
                let plans: Vec<ChainPlan> = chains.iter().map(|c| c.plan.clone()).collect();
                let checks: Vec<_> = chains.iter().map(|c| c.checks.clone()).collect();
                self.printer.data(
                    &serde_json::to_string_pretty(&plan_json(&plans, &checks)).unwrap_or_default(),
                );
            }
            _ => {
                for c in chains {
                    if !c.checks.is_empty() {
                        self.printer
                            .data(&ui::checks::render(&c.checks, self.printer));
                    }
                    self.printer.data(&ui::plan::render(&c.plan, self.printer));
                }
            }
        }
    }

    fn confirm(&self, _chains: &[ChainOutcome]) -> Result<bool, Error> {
        ui::confirm("Apply these changes?", self.yes).map_err(Error::Prompt)
    }

    fn applied(&self, chain: &str, report: &ApplyReport) {
        self.printer.success(&format!(
            "{chain}: {} objects written, {} deleted",
            report.written.len(),
            report.deleted.len()
        ));
    }

    fn converging(&self, plan: &ChainPlan) {
        self.printer.info(&format!(
            "{}: the sequencer's peer ID is known now; converging ({})",
            plan.chain, plan.summary
        ));
        self.printer.data(&ui::plan::render(plan, self.printer));
        let written = plan
            .changes
            .iter()
            .filter(|c| c.op != crate::plan::Op::Unchanged)
            .count();
        self.printer
            .success(&format!("{}: {written} more objects written", plan.chain));
    }

    fn waiting(&self, workloads: &[ObjectRef]) {
        if let Ok(mut p) = self.progress.lock() {
            *p = Some(Progress::new(self.printer, workloads.len()));
        }
    }

    fn rollout(&self, object: &ObjectRef, state: &Readiness) {
        if let Ok(p) = self.progress.lock() {
            match (p.as_ref(), state) {
                (Some(p), Readiness::Ready) => p.done(&object.to_string()),
                (Some(p), Readiness::Waiting(why)) => p.waiting(&object.to_string(), why),
                // A role-ordered step (no progress bar yet): one line per state change.
                (None, Readiness::Ready) => self.printer.success(&format!("{object} is ready")),
                (None, Readiness::Waiting(why)) => self.printer.info(&format!("{object}: {why}")),
            }
        }
    }

    fn rollout_step(&self, chain: &str, index: usize, total: usize, object: &ObjectRef) {
        self.printer
            .info(&format!("{chain}: rolling {index}/{total}: {object}"));
    }
}
