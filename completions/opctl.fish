# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_opctl_global_optspecs
    string join \n kubeconfig= context= n/namespace= v/verbose q/quiet color= o/output= h/help V/version
end

function __fish_opctl_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_opctl_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_opctl_using_subcommand
    set -l cmd (__fish_opctl_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c opctl -n "__fish_opctl_needs_command" -l kubeconfig -d 'Path to a kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c opctl -n "__fish_opctl_needs_command" -l context -d 'kubeconfig context to use' -r
complete -c opctl -n "__fish_opctl_needs_command" -s n -l namespace -d 'Override the chain\'s namespace' -r
complete -c opctl -n "__fish_opctl_needs_command" -l color -d 'Colour: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c opctl -n "__fish_opctl_needs_command" -s o -l output -d 'Output format of the data a command prints on stdout' -r -f -a "yaml\t''
json\t''
table\t''"
complete -c opctl -n "__fish_opctl_needs_command" -s v -l verbose -d 'More output (repeat for more)'
complete -c opctl -n "__fish_opctl_needs_command" -s q -l quiet -d 'Only errors'
complete -c opctl -n "__fish_opctl_needs_command" -s h -l help -d 'Print help'
complete -c opctl -n "__fish_opctl_needs_command" -s V -l version -d 'Print version'
complete -c opctl -n "__fish_opctl_needs_command" -f -a "render" -d 'Print the Kubernetes objects of a chain (offline: no cluster, no RPC)'
complete -c opctl -n "__fish_opctl_needs_command" -f -a "validate" -d 'Check chain files and report every problem with file:line:col and key path'
complete -c opctl -n "__fish_opctl_needs_command" -f -a "plan" -d 'Show what would change in the cluster, and why (server-side dry run; nothing is written)'
complete -c opctl -n "__fish_opctl_needs_command" -f -a "apply" -d 'Make the cluster match the chain files (or apply a saved plan exactly)'
complete -c opctl -n "__fish_opctl_needs_command" -f -a "destroy" -d 'Remove a chain\'s objects, in reverse order (volumes and key Secrets kept unless asked)'
complete -c opctl -n "__fish_opctl_needs_command" -f -a "status" -d 'Per role: ready/desired, image, restarts, age; and the chain\'s next hardfork'
complete -c opctl -n "__fish_opctl_needs_command" -f -a "upgrade" -d 'Show what moving the chain to another release set changes: images, version-dependent flags, forks newly supported, checks, and the plan (server-side dry run; nothing is written)'
complete -c opctl -n "__fish_opctl_needs_command" -f -a "watch" -d 'Keep the cluster matching a chain file: apply\'s reconcile pass in a loop (drift repair, L1 re-discovery, leader lease, /healthz /readyz /metrics)'
complete -c opctl -n "__fish_opctl_needs_command" -f -a "preflight" -d 'Probe the chain\'s L1 endpoints: the RPC methods each role calls, blob retention of the beacon API, the signers\' L1 balances (exit 3 when a check fails; `-o json`)'
complete -c opctl -n "__fish_opctl_needs_command" -f -a "discover" -d 'Find the chain\'s L1 contracts and roles from its SystemConfig, check the keys, write the lock file'
complete -c opctl -n "__fish_opctl_needs_command" -f -a "networks" -d 'List every superchain-registry network opctl knows offline (`network = "..."`), with chain ids, fault proofs, the next scheduled fork and the registry commit and date (`-o json`)'
complete -c opctl -n "__fish_opctl_needs_command" -f -a "schema" -d 'Print the JSON Schema of the chain TOML (for editors: `#:schema` comment)'
complete -c opctl -n "__fish_opctl_needs_command" -f -a "completions" -d 'Print shell completions'
complete -c opctl -n "__fish_opctl_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c opctl -n "__fish_opctl_using_subcommand render" -l sequencer-peer-id -d 'libp2p peer ID of the sequencer\'s op-node, for replicas\' `--p2p.static` (apply derives it from the generated key; offline rendering leaves it out unless given)' -r
complete -c opctl -n "__fish_opctl_using_subcommand render" -l kubeconfig -d 'Path to a kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c opctl -n "__fish_opctl_using_subcommand render" -l context -d 'kubeconfig context to use' -r
complete -c opctl -n "__fish_opctl_using_subcommand render" -s n -l namespace -d 'Override the chain\'s namespace' -r
complete -c opctl -n "__fish_opctl_using_subcommand render" -l color -d 'Colour: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c opctl -n "__fish_opctl_using_subcommand render" -s o -l output -d 'Output format of the data a command prints on stdout' -r -f -a "yaml\t''
json\t''
table\t''"
complete -c opctl -n "__fish_opctl_using_subcommand render" -s v -l verbose -d 'More output (repeat for more)'
complete -c opctl -n "__fish_opctl_using_subcommand render" -s q -l quiet -d 'Only errors'
complete -c opctl -n "__fish_opctl_using_subcommand render" -s h -l help -d 'Print help'
complete -c opctl -n "__fish_opctl_using_subcommand render" -s V -l version -d 'Print version'
complete -c opctl -n "__fish_opctl_using_subcommand validate" -l kubeconfig -d 'Path to a kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c opctl -n "__fish_opctl_using_subcommand validate" -l context -d 'kubeconfig context to use' -r
complete -c opctl -n "__fish_opctl_using_subcommand validate" -s n -l namespace -d 'Override the chain\'s namespace' -r
complete -c opctl -n "__fish_opctl_using_subcommand validate" -l color -d 'Colour: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c opctl -n "__fish_opctl_using_subcommand validate" -s o -l output -d 'Output format of the data a command prints on stdout' -r -f -a "yaml\t''
json\t''
table\t''"
complete -c opctl -n "__fish_opctl_using_subcommand validate" -s v -l verbose -d 'More output (repeat for more)'
complete -c opctl -n "__fish_opctl_using_subcommand validate" -s q -l quiet -d 'Only errors'
complete -c opctl -n "__fish_opctl_using_subcommand validate" -s h -l help -d 'Print help'
complete -c opctl -n "__fish_opctl_using_subcommand validate" -s V -l version -d 'Print version'
complete -c opctl -n "__fish_opctl_using_subcommand plan" -l out -d 'Save the plan (no secret material) for `opctl apply FILE`' -r -F
complete -c opctl -n "__fish_opctl_using_subcommand plan" -l skip-check -d 'Override one failed check by name (repeatable), e.g. `--skip-check batcher-key`' -r -f -a "l1-chain-id\t''
system-config\t''
rollup-config\t''
key-format\t''
batcher-key\t''
sequencer-key\t''
proposer-key\t''
challenger-key\t''
distinct-keys\t''
game-type\t''
hardfork\t''
l1-methods\t''
blob-retention\t''
signer-balance\t''"
complete -c opctl -n "__fish_opctl_using_subcommand plan" -l kubeconfig -d 'Path to a kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c opctl -n "__fish_opctl_using_subcommand plan" -l context -d 'kubeconfig context to use' -r
complete -c opctl -n "__fish_opctl_using_subcommand plan" -s n -l namespace -d 'Override the chain\'s namespace' -r
complete -c opctl -n "__fish_opctl_using_subcommand plan" -l color -d 'Colour: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c opctl -n "__fish_opctl_using_subcommand plan" -s o -l output -d 'Output format of the data a command prints on stdout' -r -f -a "yaml\t''
json\t''
table\t''"
complete -c opctl -n "__fish_opctl_using_subcommand plan" -l exit-code -d 'Exit 2 when changes are pending, 0 when none (1 on error)'
complete -c opctl -n "__fish_opctl_using_subcommand plan" -l prune -d 'Delete members of the chain that are no longer desired (PersistentVolumeClaims never)'
complete -c opctl -n "__fish_opctl_using_subcommand plan" -l prune-secrets -d 'With --prune: also delete generated key Secrets (JWT, p2p identity)'
complete -c opctl -n "__fish_opctl_using_subcommand plan" -s v -l verbose -d 'More output (repeat for more)'
complete -c opctl -n "__fish_opctl_using_subcommand plan" -s q -l quiet -d 'Only errors'
complete -c opctl -n "__fish_opctl_using_subcommand plan" -s h -l help -d 'Print help'
complete -c opctl -n "__fish_opctl_using_subcommand plan" -s V -l version -d 'Print version'
complete -c opctl -n "__fish_opctl_using_subcommand apply" -l timeout -d 'How long to wait for readiness, e.g. `10m`, `90s`: 1s to 24h' -r
complete -c opctl -n "__fish_opctl_using_subcommand apply" -l skip-check -d 'Override one failed check by name (repeatable), e.g. `--skip-check batcher-key`' -r -f -a "l1-chain-id\t''
system-config\t''
rollup-config\t''
key-format\t''
batcher-key\t''
sequencer-key\t''
proposer-key\t''
challenger-key\t''
distinct-keys\t''
game-type\t''
hardfork\t''
l1-methods\t''
blob-retention\t''
signer-balance\t''"
complete -c opctl -n "__fish_opctl_using_subcommand apply" -l kubeconfig -d 'Path to a kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c opctl -n "__fish_opctl_using_subcommand apply" -l context -d 'kubeconfig context to use' -r
complete -c opctl -n "__fish_opctl_using_subcommand apply" -s n -l namespace -d 'Override the chain\'s namespace' -r
complete -c opctl -n "__fish_opctl_using_subcommand apply" -l color -d 'Colour: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c opctl -n "__fish_opctl_using_subcommand apply" -s o -l output -d 'Output format of the data a command prints on stdout' -r -f -a "yaml\t''
json\t''
table\t''"
complete -c opctl -n "__fish_opctl_using_subcommand apply" -s y -l yes -d 'Do not ask for confirmation (required when stdin is not a terminal)'
complete -c opctl -n "__fish_opctl_using_subcommand apply" -l force-conflicts -d 'Take back fields another field manager changed (drift) instead of stopping'
complete -c opctl -n "__fish_opctl_using_subcommand apply" -l allow-recreate -d 'Allow delete-and-recreate of objects whose immutable fields change (pods orphaned, volumes kept)'
complete -c opctl -n "__fish_opctl_using_subcommand apply" -l no-wait -d 'Do not wait for workloads to become ready (every role rolls at once)'
complete -c opctl -n "__fish_opctl_using_subcommand apply" -l parallel -d 'Roll every changed workload at once instead of one at a time in role order (replicas, sequencer, batcher, proposer, challenger), each ready before the next'
complete -c opctl -n "__fish_opctl_using_subcommand apply" -l prune -d 'Delete members of the chain that are no longer desired (PersistentVolumeClaims never)'
complete -c opctl -n "__fish_opctl_using_subcommand apply" -l prune-secrets -d 'With --prune: also delete generated key Secrets (JWT, p2p identity)'
complete -c opctl -n "__fish_opctl_using_subcommand apply" -s v -l verbose -d 'More output (repeat for more)'
complete -c opctl -n "__fish_opctl_using_subcommand apply" -s q -l quiet -d 'Only errors'
complete -c opctl -n "__fish_opctl_using_subcommand apply" -s h -l help -d 'Print help'
complete -c opctl -n "__fish_opctl_using_subcommand apply" -s V -l version -d 'Print version'
complete -c opctl -n "__fish_opctl_using_subcommand destroy" -l timeout -d 'How long to wait for the namespace to be gone (with --delete-namespace), e.g. `5m`' -r
complete -c opctl -n "__fish_opctl_using_subcommand destroy" -l kubeconfig -d 'Path to a kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c opctl -n "__fish_opctl_using_subcommand destroy" -l context -d 'kubeconfig context to use' -r
complete -c opctl -n "__fish_opctl_using_subcommand destroy" -s n -l namespace -d 'Override the chain\'s namespace' -r
complete -c opctl -n "__fish_opctl_using_subcommand destroy" -l color -d 'Colour: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c opctl -n "__fish_opctl_using_subcommand destroy" -s o -l output -d 'Output format of the data a command prints on stdout' -r -f -a "yaml\t''
json\t''
table\t''"
complete -c opctl -n "__fish_opctl_using_subcommand destroy" -s y -l yes
complete -c opctl -n "__fish_opctl_using_subcommand destroy" -l delete-volumes -d 'Also delete the chain\'s PersistentVolumeClaims (chain data is lost)'
complete -c opctl -n "__fish_opctl_using_subcommand destroy" -l delete-secrets -d 'Also delete generated key Secrets (node identities change on the next apply)'
complete -c opctl -n "__fish_opctl_using_subcommand destroy" -l delete-namespace -d 'Also delete the chain\'s namespace with everything in it, including Secrets opctl did not create, and wait until Kubernetes has finished removing it'
complete -c opctl -n "__fish_opctl_using_subcommand destroy" -s v -l verbose -d 'More output (repeat for more)'
complete -c opctl -n "__fish_opctl_using_subcommand destroy" -s q -l quiet -d 'Only errors'
complete -c opctl -n "__fish_opctl_using_subcommand destroy" -s h -l help -d 'Print help'
complete -c opctl -n "__fish_opctl_using_subcommand destroy" -s V -l version -d 'Print version'
complete -c opctl -n "__fish_opctl_using_subcommand status" -l interval -d 'Time between the two samples of every node\'s heads, which give its blocks/min (`0`: one sample, no rate)' -r
complete -c opctl -n "__fish_opctl_using_subcommand status" -l rpc-timeout -d 'Per JSON-RPC request to a node (through the API server\'s pod proxy)' -r
complete -c opctl -n "__fish_opctl_using_subcommand status" -l deadline -d 'The whole reading of the nodes; nodes not read by then are reported unreachable' -r
complete -c opctl -n "__fish_opctl_using_subcommand status" -l max-lag -d 'Blocks behind the reference\'s unsafe head (the sequencer, or `[status] reference_rpc`) that still count as synced [default: `[status] max_lag`, else 10]' -r
complete -c opctl -n "__fish_opctl_using_subcommand status" -l kubeconfig -d 'Path to a kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c opctl -n "__fish_opctl_using_subcommand status" -l context -d 'kubeconfig context to use' -r
complete -c opctl -n "__fish_opctl_using_subcommand status" -s n -l namespace -d 'Override the chain\'s namespace' -r
complete -c opctl -n "__fish_opctl_using_subcommand status" -l color -d 'Colour: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c opctl -n "__fish_opctl_using_subcommand status" -s o -l output -d 'Output format of the data a command prints on stdout' -r -f -a "yaml\t''
json\t''
table\t''"
complete -c opctl -n "__fish_opctl_using_subcommand status" -l no-nodes -d 'Only the workloads: do not read the nodes'
complete -c opctl -n "__fish_opctl_using_subcommand status" -l no-operators -d 'Do not read the operator roles (batcher, proposer, challenger) from the L1 RPC'
complete -c opctl -n "__fish_opctl_using_subcommand status" -s v -l verbose -d 'More output (repeat for more)'
complete -c opctl -n "__fish_opctl_using_subcommand status" -s q -l quiet -d 'Only errors'
complete -c opctl -n "__fish_opctl_using_subcommand status" -s h -l help -d 'Print help'
complete -c opctl -n "__fish_opctl_using_subcommand status" -s V -l version -d 'Print version'
complete -c opctl -n "__fish_opctl_using_subcommand upgrade" -l to -d 'The release set to move to (data/releases.toml)' -r -f -a "2025-12-jovian\t''
2026-07-karst\t''
2026-08\t''
2026-12-upgrade-20\t''"
complete -c opctl -n "__fish_opctl_using_subcommand upgrade" -l skip-check -d 'Override one failed check by name (repeatable), e.g. `--skip-check batcher-key`' -r -f -a "l1-chain-id\t''
system-config\t''
rollup-config\t''
key-format\t''
batcher-key\t''
sequencer-key\t''
proposer-key\t''
challenger-key\t''
distinct-keys\t''
game-type\t''
hardfork\t''
l1-methods\t''
blob-retention\t''
signer-balance\t''"
complete -c opctl -n "__fish_opctl_using_subcommand upgrade" -l kubeconfig -d 'Path to a kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c opctl -n "__fish_opctl_using_subcommand upgrade" -l context -d 'kubeconfig context to use' -r
complete -c opctl -n "__fish_opctl_using_subcommand upgrade" -s n -l namespace -d 'Override the chain\'s namespace' -r
complete -c opctl -n "__fish_opctl_using_subcommand upgrade" -l color -d 'Colour: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c opctl -n "__fish_opctl_using_subcommand upgrade" -s o -l output -d 'Output format of the data a command prints on stdout' -r -f -a "yaml\t''
json\t''
table\t''"
complete -c opctl -n "__fish_opctl_using_subcommand upgrade" -l exit-code -d 'Exit 2 when changes are pending, 3 when a check fails, 0 otherwise (1 on error)'
complete -c opctl -n "__fish_opctl_using_subcommand upgrade" -s v -l verbose -d 'More output (repeat for more)'
complete -c opctl -n "__fish_opctl_using_subcommand upgrade" -s q -l quiet -d 'Only errors'
complete -c opctl -n "__fish_opctl_using_subcommand upgrade" -s h -l help -d 'Print help'
complete -c opctl -n "__fish_opctl_using_subcommand upgrade" -s V -l version -d 'Print version'
complete -c opctl -n "__fish_opctl_using_subcommand watch" -l listen -d 'Address of /healthz, /readyz and /metrics (`off` for none)' -r
complete -c opctl -n "__fish_opctl_using_subcommand watch" -l log-format -d 'Log lines as text or JSON (stderr)' -r -f -a "text\t''
json\t''"
complete -c opctl -n "__fish_opctl_using_subcommand watch" -l identity -d 'This process\'s name in the chain\'s lease (default: $POD_NAME, else host name and pid)' -r
complete -c opctl -n "__fish_opctl_using_subcommand watch" -l lease-duration -d 'How long the lease lasts without renewal: a standby takes over this long after the holder dies. 5s to 10m' -r
complete -c opctl -n "__fish_opctl_using_subcommand watch" -l resync -d 'Full reconcile at least this often: 1s to 24h (overrides `[watch] resync`, default 5m)' -r
complete -c opctl -n "__fish_opctl_using_subcommand watch" -l rediscover -d 'Re-read the L1 contracts this often: 1s to 24h, or `0` to turn it off (overrides `[watch] rediscover`, default 10m)' -r
complete -c opctl -n "__fish_opctl_using_subcommand watch" -l node-status-every -d 'Read every node (as `opctl status` does) this often, for the `opctl_node_*` metrics, the stall and recovery Events and the replicas\' readiness gate: 1s to 24h, or `0` to turn it off (the readiness gate then stays as last written)' -r
complete -c opctl -n "__fish_opctl_using_subcommand watch" -l operator-status-every -d 'Read the chain-operator roles on L1 (balances, latest batch and proposal, nonce gaps, games in progress) this often, for the `opctl_signer_*` metrics and low-balance Events: 1s to 24h, or `0` to turn it off. Each reading is up to ~240 JSON-RPC calls to the L1' -r
complete -c opctl -n "__fish_opctl_using_subcommand watch" -l l1-rpc-url -d 'L1 JSON-RPC URL for re-discovery; overrides the chain file' -r
complete -c opctl -n "__fish_opctl_using_subcommand watch" -l kubeconfig -d 'Path to a kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c opctl -n "__fish_opctl_using_subcommand watch" -l context -d 'kubeconfig context to use' -r
complete -c opctl -n "__fish_opctl_using_subcommand watch" -s n -l namespace -d 'Override the chain\'s namespace' -r
complete -c opctl -n "__fish_opctl_using_subcommand watch" -l color -d 'Colour: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c opctl -n "__fish_opctl_using_subcommand watch" -s o -l output -d 'Output format of the data a command prints on stdout' -r -f -a "yaml\t''
json\t''
table\t''"
complete -c opctl -n "__fish_opctl_using_subcommand watch" -s v -l verbose -d 'More output (repeat for more)'
complete -c opctl -n "__fish_opctl_using_subcommand watch" -s q -l quiet -d 'Only errors'
complete -c opctl -n "__fish_opctl_using_subcommand watch" -s h -l help -d 'Print help'
complete -c opctl -n "__fish_opctl_using_subcommand watch" -s V -l version -d 'Print version'
complete -c opctl -n "__fish_opctl_using_subcommand preflight" -l l1-rpc-url -d 'L1 JSON-RPC URL; overrides the chain file (keep API keys out of files and CI logs)' -r
complete -c opctl -n "__fish_opctl_using_subcommand preflight" -l rpc-timeout -d 'Per-request timeout, e.g. `10s`: 1s to 10m' -r
complete -c opctl -n "__fish_opctl_using_subcommand preflight" -l kubeconfig -d 'Path to a kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c opctl -n "__fish_opctl_using_subcommand preflight" -l context -d 'kubeconfig context to use' -r
complete -c opctl -n "__fish_opctl_using_subcommand preflight" -s n -l namespace -d 'Override the chain\'s namespace' -r
complete -c opctl -n "__fish_opctl_using_subcommand preflight" -l color -d 'Colour: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c opctl -n "__fish_opctl_using_subcommand preflight" -s o -l output -d 'Output format of the data a command prints on stdout' -r -f -a "yaml\t''
json\t''
table\t''"
complete -c opctl -n "__fish_opctl_using_subcommand preflight" -l no-cluster -d 'Do not read Secrets from the cluster (URLs and keys stored there are then not known)'
complete -c opctl -n "__fish_opctl_using_subcommand preflight" -s v -l verbose -d 'More output (repeat for more)'
complete -c opctl -n "__fish_opctl_using_subcommand preflight" -s q -l quiet -d 'Only errors'
complete -c opctl -n "__fish_opctl_using_subcommand preflight" -s h -l help -d 'Print help'
complete -c opctl -n "__fish_opctl_using_subcommand preflight" -s V -l version -d 'Print version'
complete -c opctl -n "__fish_opctl_using_subcommand discover" -l l1-rpc-url -d 'L1 JSON-RPC URL; overrides the chain file (keep API keys out of files and CI logs)' -r
complete -c opctl -n "__fish_opctl_using_subcommand discover" -l key -d 'A local hex key file to check against its on-chain role: ROLE=FILE with ROLE one of sequencer, batcher, proposer, challenger (repeatable). Only the derived address is printed' -r
complete -c opctl -n "__fish_opctl_using_subcommand discover" -l rpc-timeout -d 'Per-request timeout, e.g. `10s`: 1s to 10m' -r
complete -c opctl -n "__fish_opctl_using_subcommand discover" -l rollup-rpc -d 'The chain\'s op-node RPC URL: on a SystemConfig 4.x chain (Upgrade 20), which no longer names the batch inbox on L1, its `optimism_rollupConfig` gives it (one read-only request within --rpc-timeout, before rollup.json and the registry)' -r
complete -c opctl -n "__fish_opctl_using_subcommand discover" -l kubeconfig -d 'Path to a kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c opctl -n "__fish_opctl_using_subcommand discover" -l context -d 'kubeconfig context to use' -r
complete -c opctl -n "__fish_opctl_using_subcommand discover" -s n -l namespace -d 'Override the chain\'s namespace' -r
complete -c opctl -n "__fish_opctl_using_subcommand discover" -l color -d 'Colour: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c opctl -n "__fish_opctl_using_subcommand discover" -s o -l output -d 'Output format of the data a command prints on stdout' -r -f -a "yaml\t''
json\t''
table\t''"
complete -c opctl -n "__fish_opctl_using_subcommand discover" -l keys-from-cluster -d 'Read the keys from the chain\'s Kubernetes Secrets instead (needs a reachable cluster)'
complete -c opctl -n "__fish_opctl_using_subcommand discover" -s v -l verbose -d 'More output (repeat for more)'
complete -c opctl -n "__fish_opctl_using_subcommand discover" -s q -l quiet -d 'Only errors'
complete -c opctl -n "__fish_opctl_using_subcommand discover" -s h -l help -d 'Print help'
complete -c opctl -n "__fish_opctl_using_subcommand discover" -s V -l version -d 'Print version'
complete -c opctl -n "__fish_opctl_using_subcommand networks" -l kubeconfig -d 'Path to a kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c opctl -n "__fish_opctl_using_subcommand networks" -l context -d 'kubeconfig context to use' -r
complete -c opctl -n "__fish_opctl_using_subcommand networks" -s n -l namespace -d 'Override the chain\'s namespace' -r
complete -c opctl -n "__fish_opctl_using_subcommand networks" -l color -d 'Colour: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c opctl -n "__fish_opctl_using_subcommand networks" -s o -l output -d 'Output format of the data a command prints on stdout' -r -f -a "yaml\t''
json\t''
table\t''"
complete -c opctl -n "__fish_opctl_using_subcommand networks" -s v -l verbose -d 'More output (repeat for more)'
complete -c opctl -n "__fish_opctl_using_subcommand networks" -s q -l quiet -d 'Only errors'
complete -c opctl -n "__fish_opctl_using_subcommand networks" -s h -l help -d 'Print help'
complete -c opctl -n "__fish_opctl_using_subcommand networks" -s V -l version -d 'Print version'
complete -c opctl -n "__fish_opctl_using_subcommand schema" -l kubeconfig -d 'Path to a kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c opctl -n "__fish_opctl_using_subcommand schema" -l context -d 'kubeconfig context to use' -r
complete -c opctl -n "__fish_opctl_using_subcommand schema" -s n -l namespace -d 'Override the chain\'s namespace' -r
complete -c opctl -n "__fish_opctl_using_subcommand schema" -l color -d 'Colour: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c opctl -n "__fish_opctl_using_subcommand schema" -s o -l output -d 'Output format of the data a command prints on stdout' -r -f -a "yaml\t''
json\t''
table\t''"
complete -c opctl -n "__fish_opctl_using_subcommand schema" -s v -l verbose -d 'More output (repeat for more)'
complete -c opctl -n "__fish_opctl_using_subcommand schema" -s q -l quiet -d 'Only errors'
complete -c opctl -n "__fish_opctl_using_subcommand schema" -s h -l help -d 'Print help'
complete -c opctl -n "__fish_opctl_using_subcommand schema" -s V -l version -d 'Print version'
complete -c opctl -n "__fish_opctl_using_subcommand completions" -l kubeconfig -d 'Path to a kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c opctl -n "__fish_opctl_using_subcommand completions" -l context -d 'kubeconfig context to use' -r
complete -c opctl -n "__fish_opctl_using_subcommand completions" -s n -l namespace -d 'Override the chain\'s namespace' -r
complete -c opctl -n "__fish_opctl_using_subcommand completions" -l color -d 'Colour: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c opctl -n "__fish_opctl_using_subcommand completions" -s o -l output -d 'Output format of the data a command prints on stdout' -r -f -a "yaml\t''
json\t''
table\t''"
complete -c opctl -n "__fish_opctl_using_subcommand completions" -s v -l verbose -d 'More output (repeat for more)'
complete -c opctl -n "__fish_opctl_using_subcommand completions" -s q -l quiet -d 'Only errors'
complete -c opctl -n "__fish_opctl_using_subcommand completions" -s h -l help -d 'Print help'
complete -c opctl -n "__fish_opctl_using_subcommand completions" -s V -l version -d 'Print version'
complete -c opctl -n "__fish_opctl_using_subcommand help; and not __fish_seen_subcommand_from render validate plan apply destroy status upgrade watch preflight discover networks schema completions help" -f -a "render" -d 'Print the Kubernetes objects of a chain (offline: no cluster, no RPC)'
complete -c opctl -n "__fish_opctl_using_subcommand help; and not __fish_seen_subcommand_from render validate plan apply destroy status upgrade watch preflight discover networks schema completions help" -f -a "validate" -d 'Check chain files and report every problem with file:line:col and key path'
complete -c opctl -n "__fish_opctl_using_subcommand help; and not __fish_seen_subcommand_from render validate plan apply destroy status upgrade watch preflight discover networks schema completions help" -f -a "plan" -d 'Show what would change in the cluster, and why (server-side dry run; nothing is written)'
complete -c opctl -n "__fish_opctl_using_subcommand help; and not __fish_seen_subcommand_from render validate plan apply destroy status upgrade watch preflight discover networks schema completions help" -f -a "apply" -d 'Make the cluster match the chain files (or apply a saved plan exactly)'
complete -c opctl -n "__fish_opctl_using_subcommand help; and not __fish_seen_subcommand_from render validate plan apply destroy status upgrade watch preflight discover networks schema completions help" -f -a "destroy" -d 'Remove a chain\'s objects, in reverse order (volumes and key Secrets kept unless asked)'
complete -c opctl -n "__fish_opctl_using_subcommand help; and not __fish_seen_subcommand_from render validate plan apply destroy status upgrade watch preflight discover networks schema completions help" -f -a "status" -d 'Per role: ready/desired, image, restarts, age; and the chain\'s next hardfork'
complete -c opctl -n "__fish_opctl_using_subcommand help; and not __fish_seen_subcommand_from render validate plan apply destroy status upgrade watch preflight discover networks schema completions help" -f -a "upgrade" -d 'Show what moving the chain to another release set changes: images, version-dependent flags, forks newly supported, checks, and the plan (server-side dry run; nothing is written)'
complete -c opctl -n "__fish_opctl_using_subcommand help; and not __fish_seen_subcommand_from render validate plan apply destroy status upgrade watch preflight discover networks schema completions help" -f -a "watch" -d 'Keep the cluster matching a chain file: apply\'s reconcile pass in a loop (drift repair, L1 re-discovery, leader lease, /healthz /readyz /metrics)'
complete -c opctl -n "__fish_opctl_using_subcommand help; and not __fish_seen_subcommand_from render validate plan apply destroy status upgrade watch preflight discover networks schema completions help" -f -a "preflight" -d 'Probe the chain\'s L1 endpoints: the RPC methods each role calls, blob retention of the beacon API, the signers\' L1 balances (exit 3 when a check fails; `-o json`)'
complete -c opctl -n "__fish_opctl_using_subcommand help; and not __fish_seen_subcommand_from render validate plan apply destroy status upgrade watch preflight discover networks schema completions help" -f -a "discover" -d 'Find the chain\'s L1 contracts and roles from its SystemConfig, check the keys, write the lock file'
complete -c opctl -n "__fish_opctl_using_subcommand help; and not __fish_seen_subcommand_from render validate plan apply destroy status upgrade watch preflight discover networks schema completions help" -f -a "networks" -d 'List every superchain-registry network opctl knows offline (`network = "..."`), with chain ids, fault proofs, the next scheduled fork and the registry commit and date (`-o json`)'
complete -c opctl -n "__fish_opctl_using_subcommand help; and not __fish_seen_subcommand_from render validate plan apply destroy status upgrade watch preflight discover networks schema completions help" -f -a "schema" -d 'Print the JSON Schema of the chain TOML (for editors: `#:schema` comment)'
complete -c opctl -n "__fish_opctl_using_subcommand help; and not __fish_seen_subcommand_from render validate plan apply destroy status upgrade watch preflight discover networks schema completions help" -f -a "completions" -d 'Print shell completions'
complete -c opctl -n "__fish_opctl_using_subcommand help; and not __fish_seen_subcommand_from render validate plan apply destroy status upgrade watch preflight discover networks schema completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
