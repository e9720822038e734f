//! Check results as a table: one line per named check, pass/fail/skip.

use comfy_table::{presets::UTF8_FULL_CONDENSED, ContentArrangement, Table};

use super::{style, Printer};
use crate::model::checks::{CheckResult, CheckStatus};

pub fn render(results: &[CheckResult], printer: &Printer) -> String {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(160)
        .set_header(vec!["check", "result", "detail"]);
    for r in results {
        let status = match r.status {
            CheckStatus::Pass => printer.paint_data(style::PASS, "pass"),
            CheckStatus::Fail => printer.paint_data(style::FAIL, "FAIL"),
            CheckStatus::Skip => "skip".to_string(),
        };
        t.add_row(vec![r.name.to_string(), status, r.message.clone()]);
    }
    t.to_string()
}
