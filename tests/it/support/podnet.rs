//! **Pod network for the kubelet stand-in**: pod IPs that exist on this machine, so the real
//! kube-apiserver's pod proxy (`pods/{name}:{port}/proxy`) can reach a server a test binds there.
//!
//! Why not loopback: the apiserver's proxy refuses loopback and link-local targets, and the
//! stand-in's default pod IPs (10.244.x.y) exist nowhere. Why not a `dummy` link: these machines'
//! kernels do not support it. What works (as root): a network namespace with a veth pair, one
//! end inside the namespace and one in the root namespace; `/32` addresses added to the root-side
//! end are local addresses of the root namespace, so a test process (anvil, the op-node
//! stand-in) can bind them and the apiserver can connect to them.
//!
//! One [`PodNetwork`] per test cluster. Each claims a `/24` in `10.200.0.0/16` through the name
//! of its root-side link (`opctl-p<N>` for `10.200.<N>.0/24`; link names are unique per machine,
//! so two test processes can never claim the same subnet), and names its namespace after the
//! process id, so a namespace left behind by a killed test process is removed by the next one.
//! Dropping it (also while unwinding from a panic) deletes the namespace, which deletes the veth
//! pair and every address on it.

use std::net::Ipv4Addr;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;

/// Namespaces this harness creates start with this, followed by `<pid>-<n>`.
const NETNS_PREFIX: &str = "opctl-pods-";
/// Root-side veth links are `opctl-p<N>`, owning `10.200.<N>.0/24`.
const LINK_PREFIX: &str = "opctl-p";
/// Second octet of every pod subnet.
const SECOND_OCTET: u8 = 200;

static SEQUENCE: AtomicU32 = AtomicU32::new(0);

/// A claimed pod subnet on a veth pair; removed on drop. See the module docs.
#[derive(Debug)]
pub struct PodNetwork {
    netns: String,
    link: String,
    third_octet: u8,
    /// Host part of the next address handed out (2..=254).
    next: Mutex<u8>,
}

impl PodNetwork {
    /// Creates the namespace and veth pair and claims a free `/24`. Panics with what to do when
    /// `ip` is missing or the process may not create namespaces (needs root / CAP_NET_ADMIN).
    pub fn create() -> PodNetwork {
        remove_stale_namespaces();
        let netns = format!(
            "{NETNS_PREFIX}{}-{}",
            std::process::id(),
            SEQUENCE.fetch_add(1, Ordering::Relaxed)
        );
        ip_ok(&["netns", "add", &netns]);
        // From here on, dropping `network` (also on a panic) removes the namespace again.
        let mut network = PodNetwork {
            netns,
            link: String::new(),
            third_octet: 0,
            next: Mutex::new(2),
        };
        let start = rand::random::<u8>();
        for i in 0..=255u8 {
            let n = start.wrapping_add(i);
            let link = format!("{LINK_PREFIX}{n}");
            let out = ip(&[
                "link",
                "add",
                &link,
                "type",
                "veth",
                "peer",
                "name",
                "eth0",
                "netns",
                &network.netns,
            ]);
            if out.status.success() {
                network.link = link;
                network.third_octet = n;
                ip_ok(&["link", "set", &network.link, "up"]);
                ip_ok(&["-n", &network.netns, "link", "set", "eth0", "up"]);
                return network;
            }
            let stderr = String::from_utf8_lossy(&out.stderr);
            if !stderr.contains("File exists") {
                panic!(
                    "pod network: `ip link add {link} type veth peer name eth0 netns {}` failed: \
                     {stderr}(the pod network needs root or CAP_NET_ADMIN)",
                    network.netns
                );
            }
        }
        panic!(
            "pod network: all 256 subnets 10.{SECOND_OCTET}.0.0/16 are taken by other test \
             clusters (links {LINK_PREFIX}0..255); remove stale ones with `ip link del {LINK_PREFIX}N`"
        )
    }

    /// `10.200.N.0/24`.
    pub fn subnet(&self) -> String {
        format!("10.{SECOND_OCTET}.{}.0/24", self.third_octet)
    }

    /// The root-side link the addresses live on.
    pub fn link(&self) -> &str {
        &self.link
    }

    /// The network namespace holding the other end.
    pub fn netns(&self) -> &str {
        &self.netns
    }

    /// Adds the next free address of the subnet to the root-side link and returns it; from then
    /// on a process of this machine can bind it and the apiserver can connect to it.
    pub fn allocate(&self) -> Result<Ipv4Addr, String> {
        let host = {
            let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
            if *next == 255 {
                return Err(format!(
                    "pod network {}: all 253 addresses used",
                    self.subnet()
                ));
            }
            let host = *next;
            *next += 1;
            host
        };
        let address = Ipv4Addr::new(10, SECOND_OCTET, self.third_octet, host);
        let out = ip(&["addr", "add", &format!("{address}/32"), "dev", &self.link]);
        if out.status.success() {
            Ok(address)
        } else {
            Err(format!(
                "`ip addr add {address}/32 dev {}` failed: {}",
                self.link,
                String::from_utf8_lossy(&out.stderr).trim()
            ))
        }
    }
}

impl Drop for PodNetwork {
    fn drop(&mut self) {
        // The root-side veth end first: deleting it removes the pair and its addresses at once,
        // where the kernel tears down a deleted namespace's devices asynchronously.
        let _ = ip(&["link", "del", "dev", &self.link]);
        let out = ip(&["netns", "del", &self.netns]);
        if !out.status.success() {
            eprintln!(
                "pod network: `ip netns del {}` failed: {}",
                self.netns,
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
    }
}

/// Deletes namespaces of this harness whose creating process no longer runs (a test process
/// killed before its `Drop` ran), together with their veth pairs.
fn remove_stale_namespaces() {
    let out = ip(&["netns", "list"]);
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Some(name) = line.split_whitespace().next() else {
            continue;
        };
        let Some(pid) = name
            .strip_prefix(NETNS_PREFIX)
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if !std::path::Path::new(&format!("/proc/{pid}")).exists() {
            let _ = ip(&["netns", "del", name]);
        }
    }
}

fn ip(args: &[&str]) -> Output {
    Command::new("ip")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "pod network: cannot run `ip {}`: {e}. The pod network needs iproute2's `ip` \
                 (apt-get install iproute2) and root or CAP_NET_ADMIN.",
                args.join(" ")
            )
        })
}

fn ip_ok(args: &[&str]) {
    let out = ip(args);
    assert!(
        out.status.success(),
        "pod network: `ip {}` failed: {}(the pod network needs root or CAP_NET_ADMIN)",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Whether `ip` lists a link or namespace by this name.
fn exists(kind: &str, name: &str) -> bool {
    let out = match kind {
        "netns" => ip(&["netns", "list"]),
        _ => ip(&["link", "show", "dev", name]),
    };
    out.status.success()
        && String::from_utf8_lossy(&out.stdout)
            .lines()
            .any(|l| l.split_whitespace().any(|w| w == name) || l.contains(&format!(" {name}@")))
}

#[test]
fn a_pod_address_can_be_bound_and_the_network_is_gone_after_drop() {
    let network = PodNetwork::create();
    let (netns, link) = (network.netns().to_string(), network.link().to_string());
    let address = network.allocate().expect("an address");
    assert!(
        network
            .subnet()
            .starts_with(&format!("10.{SECOND_OCTET}.{}.", address.octets()[2])),
        "{address} in {}",
        network.subnet()
    );
    let listener = std::net::TcpListener::bind((address, 0)).expect("bind the pod address");
    let port = listener.local_addr().expect("address").port();
    std::net::TcpStream::connect((address, port)).expect("connect to the pod address");
    assert_ne!(network.allocate().expect("a second address"), address);
    assert!(exists("netns", &netns) && exists("link", &link));
    drop(listener);
    drop(network);
    assert!(!exists("netns", &netns), "namespace {netns} left behind");
    assert!(!exists("link", &link), "link {link} left behind");
}

#[test]
fn the_network_is_removed_when_a_test_panics_while_holding_it() {
    let names = std::sync::Mutex::new(None);
    let result = std::panic::catch_unwind(|| {
        let network = PodNetwork::create();
        *names.lock().unwrap_or_else(|e| e.into_inner()) =
            Some((network.netns().to_string(), network.link().to_string()));
        panic!("the test fails while the pod network exists");
    });
    assert!(result.is_err());
    let (netns, link) = names
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .expect("the network was created");
    assert!(!exists("netns", &netns), "namespace {netns} left behind");
    assert!(!exists("link", &link), "link {link} left behind");
}
