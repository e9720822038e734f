//! `opctl watch CHAIN.toml`: resolve the flags, set up logs, connect, and run `crate::watch` until
//! SIGTERM or SIGINT (exit 0).

use std::net::SocketAddr;

use tokio::signal::unix::{signal, SignalKind};

use crate::cli::{Global, WatchArgs, WatchLogFormat};
use crate::cluster;
use crate::config;
use crate::error::{exit, Error};
use crate::ui::Printer;
use crate::watch::{self, Loader, Options};

/// Logs on stderr: opctl at info (`-v` debug, `-vv` trace, `-q` warnings only), everything else
/// at warn (kube-client off: the loop reports its failures itself). `RUST_LOG` overrides.
fn init_logs(format: WatchLogFormat, global: &Global, color: bool) {
    let level = match (global.quiet, global.verbose) {
        (true, _) => "warn",
        (_, 0) => "info",
        (_, 1) => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new(format!("warn,kube_client=off,opctl={level}"))
    });
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false);
    let _ = match format {
        WatchLogFormat::Json => builder.json().flatten_event(true).try_init(),
        WatchLogFormat::Text => builder.with_ansi(color).try_init(),
    };
}

fn default_identity() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "opctl".into());
    format!("{host}-{}", std::process::id())
}

fn listen_address(text: &str) -> Result<Option<SocketAddr>, Error> {
    if text == "off" {
        return Ok(None);
    }
    text.parse().map(Some).map_err(|_| {
        Error::Usage(format!(
            "--listen {text}: expected HOST:PORT such as 0.0.0.0:9090, or `off`"
        ))
    })
}

async fn shutdown_signal() {
    let term = signal(SignalKind::terminate());
    match term {
        Ok(mut term) => {
            tokio::select! {
                _ = term.recv() => tracing::info!("SIGTERM"),
                _ = tokio::signal::ctrl_c() => tracing::info!("SIGINT"),
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

pub async fn run(args: &WatchArgs, global: &Global, printer: &Printer) -> Result<u8, Error> {
    init_logs(args.log_format, global, printer.color);
    let listen = listen_address(&args.listen)?;
    if let Some(ns) = &global.namespace {
        super::common::check_namespace(ns)?;
    }
    let cluster = cluster::connect(global.kubeconfig.as_deref(), global.context.as_deref()).await?;
    let namespace = global.namespace.clone();
    let load: Loader = Box::new(move |path| {
        let mut chain = config::load(path)?;
        if let Some(ns) = &namespace {
            chain.file.chain.namespace = Some(ns.clone());
        }
        Ok(chain)
    });
    let opts = Options {
        chain_path: args.chain.clone(),
        listen,
        identity: args.identity.clone().unwrap_or_else(default_identity),
        lease_duration: args.lease_duration,
        resync: args.resync,
        rediscover: args.rediscover,
        node_status_every: args.node_status_every,
        operator_status_every: args.operator_status_every,
        l1_rpc_url: args.l1_rpc_url.clone(),
    };
    watch::run(cluster, opts, load, shutdown_signal()).await?;
    Ok(exit::OK)
}
