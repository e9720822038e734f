//! `opctl render CHAIN.toml`: print the desired objects as YAML (default) or JSON.

use crate::cli::{Global, OutputFormat, RenderArgs};
use crate::error::{exit, Error};
use crate::render::{self, Desired, Input};
use crate::ui::Printer;

pub fn run(args: &RenderArgs, global: &Global, printer: &Printer) -> Result<u8, Error> {
    let chain = super::common::load_chain(&args.chain, global)?;
    let resolved = super::common::resolve(&chain, printer)?;
    let mut input = Input::from_chain(&chain);
    input.contracts = resolved.contracts;
    if let Some(peer) = &args.sequencer_peer_id {
        // secp256k1 libp2p peer IDs are base58btc and start with `16Uiu2`.
        let base58 = peer
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() && !b"0OIl".contains(&b));
        if !(peer.starts_with("16Uiu2") && base58 && peer.len() <= 64) {
            return Err(Error::InvalidFlag {
                flag: "--sequencer-peer-id".into(),
                message: format!("{peer}: not a secp256k1 libp2p peer ID\n  hint: take it from `opp2p_self` on the sequencer's op-node (it starts with 16Uiu2)"),
            });
        }
    }
    input.identities.sequencer_peer_id = args.sequencer_peer_id.clone();
    let objects = render::render(&input).map_err(|source| Error::Render {
        file: args.chain.display().to_string(),
        source,
    })?;
    if chain.file.sequencer.enabled
        && chain.file.replicas.enabled
        && input.identities.sequencer_peer_id.is_none()
    {
        printer.info("note: replicas are rendered without the sequencer's --p2p.static peer: its peer ID comes from the p2p key apply generates (or pass --sequencer-peer-id)");
    }
    printer.data(&format_objects(
        &objects,
        global.output.unwrap_or(OutputFormat::Yaml),
    )?);
    Ok(exit::OK)
}

/// Objects as a YAML stream or a JSON `List`.
pub fn format_objects(objects: &[Desired], format: OutputFormat) -> Result<String, Error> {
    let values: Vec<&serde_json::Value> = objects.iter().map(|d| &d.object).collect();
    match format {
        OutputFormat::Json => {
            let list = serde_json::json!({ "apiVersion": "v1", "kind": "List", "items": values });
            Ok(serde_json::to_string_pretty(&list).unwrap_or_default())
        }
        OutputFormat::Yaml | OutputFormat::Table => {
            let mut out = String::new();
            for v in values {
                out.push_str("---\n");
                out.push_str(&serde_saphyr::to_string(v).map_err(|e| Error::Output {
                    what: "YAML".into(),
                    message: e.to_string(),
                })?);
            }
            Ok(out)
        }
    }
}
