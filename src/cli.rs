//! Command-line arguments as typed by the user (clap derive); resolution happens in `cmd`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Run OP Stack L2 chains on Kubernetes from one TOML file.
#[derive(Debug, Parser)]
#[command(
    name = "opctl",
    version,
    about,
    propagate_version = true,
    arg_required_else_help = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags shared by every subcommand.
#[derive(Debug, Args)]
pub struct Global {
    /// Path to a kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster).
    #[arg(long, global = true, env = "KUBECONFIG", value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,
    /// kubeconfig context to use.
    #[arg(long, global = true, value_name = "NAME")]
    pub context: Option<String>,
    /// Override the chain's namespace.
    #[arg(short = 'n', long, global = true, value_name = "NAMESPACE")]
    pub namespace: Option<String>,
    /// More output (repeat for more).
    #[arg(short, long, global = true, action = clap::ArgAction::Count, conflicts_with = "quiet")]
    pub verbose: u8,
    /// Only errors.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Colour: auto (terminal and no NO_COLOR), always, never.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Output format of the data a command prints on stdout.
    #[arg(short = 'o', long, global = true, value_enum)]
    pub output: Option<OutputFormat>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Yaml,
    Json,
    Table,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the Kubernetes objects of a chain (offline: no cluster, no RPC).
    Render(RenderArgs),
    /// Check chain files and report every problem with file:line:col and key path.
    Validate(ValidateArgs),
    /// Print the JSON Schema of the chain TOML (for editors: `#:schema` comment).
    Schema,
    /// Print shell completions.
    Completions(CompletionsArgs),
}

#[derive(Debug, Args)]
pub struct RenderArgs {
    /// The chain file.
    #[arg(value_name = "CHAIN.toml")]
    pub chain: PathBuf,
    /// libp2p peer ID of the sequencer's op-node, for replicas' `--p2p.static` (apply derives it from
    /// the generated key; offline rendering leaves it out unless given).
    #[arg(long, value_name = "PEER_ID")]
    pub sequencer_peer_id: Option<String>,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Chain files.
    #[arg(value_name = "CHAIN.toml", required = true)]
    pub chains: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// Shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}
