//! Diagnostics for the chain TOML: every problem carries file, line, column, the TOML key path, and a hint.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use toml::de::{DeTable, DeValue};

/// One problem in a chain file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
    /// Dotted TOML key path, e.g. `sequencer.storage.size`; empty for the document itself.
    pub key_path: String,
    pub message: String,
    pub hint: Option<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let key = if self.key_path.is_empty() {
            "(document)"
        } else {
            self.key_path.as_str()
        };
        write!(
            f,
            "{}:{}:{}: `{}`: {}",
            self.file.display(),
            self.line,
            self.column,
            key,
            self.message
        )?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// Maps key paths and byte offsets of one TOML document to positions.
pub struct SourceMap<'a> {
    file: &'a Path,
    text: &'a str,
    root: Option<toml::Spanned<DeTable<'a>>>,
}

impl<'a> SourceMap<'a> {
    pub fn new(file: &'a Path, text: &'a str) -> Self {
        SourceMap {
            file,
            text,
            root: DeTable::parse(text).ok(),
        }
    }

    /// 1-based (line, column) of a byte offset.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = &self.text[..floor_char_boundary(self.text, offset)];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
        let column = before[line_start..].chars().count() + 1;
        (line, column)
    }

    /// Byte span of the value at `path` (dotted, array items as numbers), or of its deepest existing
    /// ancestor when the key itself is absent (for "missing key" errors).
    pub fn span_of(&self, path: &str) -> Range<usize> {
        let Some(root) = &self.root else {
            return 0..0;
        };
        let mut span = 0..0;
        let mut table: Option<&DeTable<'a>> = Some(root.get_ref());
        let mut value: Option<&DeValue<'a>> = None;
        for segment in path.split('.').filter(|s| !s.is_empty()) {
            let next = if let Some(t) = table {
                t.iter()
                    .find(|(k, _)| k.get_ref().as_ref() == segment)
                    .map(|(k, v)| (k.span(), v))
            } else if let (Some(DeValue::Array(items)), Ok(i)) = (value, segment.parse::<usize>()) {
                items.get(i).map(|v| (v.span(), v))
            } else {
                None
            };
            let Some((key_span, v)) = next else { break };
            span = if matches!(v.get_ref(), DeValue::Table(_)) {
                key_span
            } else {
                v.span()
            };
            table = v.get_ref().as_table();
            value = Some(v.get_ref());
        }
        span
    }

    pub fn at_path(
        &self,
        path: &str,
        message: impl Into<String>,
        hint: Option<String>,
    ) -> Diagnostic {
        let (line, column) = self.position(self.span_of(path).start);
        Diagnostic {
            file: self.file.to_path_buf(),
            line,
            column,
            key_path: path.to_string(),
            message: message.into(),
            hint,
        }
    }

    pub fn at_offset(
        &self,
        offset: usize,
        path: &str,
        message: impl Into<String>,
        hint: Option<String>,
    ) -> Diagnostic {
        let (line, column) = self.position(offset);
        Diagnostic {
            file: self.file.to_path_buf(),
            line,
            column,
            key_path: path.to_string(),
            message: message.into(),
            hint,
        }
    }

    /// Every string value in the document with its key path and byte span (for secret scanning).
    pub fn strings(&self) -> Vec<(String, Range<usize>, &str)> {
        let mut out = Vec::new();
        if let Some(root) = &self.root {
            for (k, v) in root.get_ref().iter() {
                walk_strings(k.get_ref().as_ref(), v, &mut out);
            }
        }
        out
    }
}

fn walk_strings<'b>(
    path: &str,
    value: &'b toml::Spanned<DeValue<'_>>,
    out: &mut Vec<(String, Range<usize>, &'b str)>,
) {
    match value.get_ref() {
        DeValue::String(s) => out.push((path.to_string(), value.span(), s.as_ref())),
        DeValue::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk_strings(&format!("{path}.{i}"), item, out);
            }
        }
        DeValue::Table(t) => {
            for (k, v) in t.iter() {
                walk_strings(&format!("{path}.{}", k.get_ref().as_ref()), v, out);
            }
        }
        _ => {}
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn span_of_a_nested_key_points_at_its_value() {
        let text = "[chain]\nname = \"x\"\n[sequencer.storage]\nsize = \"1Gi\"\n";
        let map = SourceMap::new(Path::new("c.toml"), text);
        let d = map.at_path("sequencer.storage.size", "m", None);
        assert_eq!((d.line, d.column), (4, 8));
    }

    #[test]
    fn a_missing_key_points_at_its_deepest_existing_parent() {
        let text = "[chain]\nname = \"x\"\n\n[batcher]\nenabled = true\n";
        let map = SourceMap::new(Path::new("c.toml"), text);
        let d = map.at_path("batcher.signer", "m", None);
        assert_eq!((d.line, d.column), (4, 2));
    }

    #[test]
    fn array_items_are_addressed_by_index() {
        let text = "[challenger]\ngame_types = [\"a\", \"b\"]\n";
        let map = SourceMap::new(Path::new("c.toml"), text);
        let d = map.at_path("challenger.game_types.1", "m", None);
        assert_eq!((d.line, d.column), (2, 20));
    }
}
