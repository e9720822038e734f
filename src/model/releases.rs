//! Release sets: which OP Stack component versions are known to work together, which L2 hardforks
//! and L1 contracts they support, and the minimum version of each component per hardfork. The
//! data ships with opctl (`data/releases.toml`, every entry with its source); this module reads
//! it and answers the questions `validate`, `plan`, the `hardfork` check and `upgrade` ask. Pure.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

use serde::Deserialize;

use super::forks::Fork;

/// The compatibility matrix as shipped.
pub const DATA: &str = include_str!("../../data/releases.toml");

/// Where the OP Labs images live; a set's image is `<REGISTRY>/<component>:<version>`.
pub const REGISTRY: &str = "us-docker.pkg.dev/oplabs-tools-artifacts/images";

/// The components a release set pins, as opctl names them (`render` asks for images by these).
pub const COMPONENTS: [&str; 6] = [
    "op-node",
    "op-reth",
    "op-geth",
    "op-batcher",
    "op-proposer",
    "op-challenger",
];

/// The whole matrix.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Matrix {
    /// The set a chain file without `[images] release` uses.
    pub default: String,
    /// Release sets, oldest first.
    pub release: Vec<ReleaseSet>,
    /// Minimum versions per hardfork.
    pub fork: Vec<ForkRule>,
    /// Flags and defaults that change with a component's version.
    #[serde(default)]
    pub change: Vec<VersionChange>,
}

/// A named, dated set of component versions known to work together.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReleaseSet {
    pub name: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    pub source: String,
    /// L2 hardforks the set's components follow (op-geth's `until` may end earlier).
    pub forks: Vec<Fork>,
    /// Dispute game types the set's proposer and challenger play.
    pub game_types: Vec<u32>,
    pub game_types_source: String,
    /// L1 contract release the set goes with (or why it is unconfirmed).
    pub l1_contracts: String,
    /// Component name (`op-node`) -> its pin.
    pub components: BTreeMap<String, Pin>,
}

/// One component's version in a set.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pin {
    /// The version tag (`v1.19.5`); absent when no source confirms one.
    pub version: Option<String>,
    pub source: String,
    /// Why the image cannot be rendered from the set (version or image location unconfirmed):
    /// a chain that picks the set pins this image itself.
    pub unconfirmed: Option<String>,
    /// The last fork this component follows in the set (op-geth: `jovian`).
    pub until: Option<Fork>,
    pub note: Option<String>,
}

/// Minimum versions for one hardfork.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForkRule {
    pub fork: Fork,
    pub source: String,
    /// Component -> minimum version tag.
    #[serde(default)]
    pub minimum: BTreeMap<String, String>,
    /// Component -> why no version of it follows the fork.
    #[serde(default)]
    pub unsupported: BTreeMap<String, String>,
}

/// A flag or default that changes at a component version.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VersionChange {
    pub component: String,
    /// First version with the change.
    pub since: Option<String>,
    /// The change is in some release after this one (which one is unconfirmed).
    pub after: Option<String>,
    pub note: String,
    pub source: String,
}

/// The matrix compiled into opctl. `data/releases.toml` is checked by the unit tests below, so a
/// build whose data does not parse never passes its tests.
pub fn builtin() -> &'static Matrix {
    static MATRIX: OnceLock<Matrix> = OnceLock::new();
    MATRIX.get_or_init(|| match toml::from_str(DATA) {
        Ok(m) => m,
        Err(e) => panic!("data/releases.toml does not parse: {e}"),
    })
}

impl Matrix {
    /// The set named `name`.
    pub fn set(&self, name: &str) -> Option<&ReleaseSet> {
        self.release.iter().find(|r| r.name == name)
    }

    /// The default set (see [`Matrix::default`]); the newest set if the name is wrong.
    pub fn default_set(&self) -> &ReleaseSet {
        self.set(&self.default)
            .or_else(|| self.release.last())
            .unwrap_or_else(|| panic!("data/releases.toml has no release set"))
    }

    /// Every set's name, oldest first.
    pub fn names(&self) -> Vec<&str> {
        self.release.iter().map(|r| r.name.as_str()).collect()
    }

    /// The rule of `fork`, if the sources give minimums for it.
    pub fn rule(&self, fork: Fork) -> Option<&ForkRule> {
        self.fork.iter().find(|r| r.fork == fork)
    }

    /// The newest set that follows `fork` with every component of `needed` confirmed.
    pub fn newest_supporting(&self, fork: Fork, needed: &[&str]) -> Option<&ReleaseSet> {
        self.release.iter().rev().find(|s| {
            s.forks.contains(&fork)
                && needed.iter().all(|c| {
                    s.components.get(*c).is_some_and(|p| {
                        p.unconfirmed.is_none() && p.until.is_none_or(|u| u >= fork)
                    })
                })
        })
    }

    /// Whether `version` of `component` follows `fork`.
    pub fn support(&self, fork: Fork, component: &str, version: &Version) -> Support {
        let Some(rule) = self.rule(fork) else {
            return Support::NoRule;
        };
        if let Some(why) = rule.unsupported.get(component) {
            return Support::Never(why.clone());
        }
        match rule.minimum.get(component).and_then(|m| Version::parse(m)) {
            Some(min) if *version < min => Support::Below(min),
            _ => Support::Yes,
        }
    }

    /// The version changes of `component` crossed when moving from `old` to `new` (upwards).
    pub fn changes_between(
        &self,
        component: &str,
        old: &Version,
        new: &Version,
    ) -> Vec<&VersionChange> {
        self.change
            .iter()
            .filter(|c| c.component == component)
            .filter(|c| {
                let since = c.since.as_deref().and_then(Version::parse);
                let after = c.after.as_deref().and_then(Version::parse);
                // A downgrade crosses the same changes, in reverse.
                let (lo, hi) = if old <= new { (old, new) } else { (new, old) };
                match (since, after) {
                    (Some(s), _) => *lo < s && s <= *hi,
                    (None, Some(a)) => *lo <= a && a < *hi,
                    (None, None) => false,
                }
            })
            .collect()
    }
}

/// Whether a component version follows a fork.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Support {
    Yes,
    /// Below the fork's minimum (the minimum).
    Below(Version),
    /// No version follows the fork (why).
    Never(String),
    /// The sources give no minimums for this fork.
    NoRule,
}

impl ReleaseSet {
    /// The version of `component`, if confirmed.
    pub fn version(&self, component: &str) -> Option<Version> {
        self.components
            .get(component)
            .and_then(|p| p.version.as_deref())
            .and_then(Version::parse)
    }

    /// The image opctl renders for `component` from this set; `None` when the set has no
    /// confirmed image for it.
    pub fn image(&self, component: &str) -> Option<String> {
        let pin = self.components.get(component)?;
        if pin.unconfirmed.is_some() {
            return None;
        }
        pin.version
            .as_ref()
            .map(|v| format!("{REGISTRY}/{component}:{v}"))
    }

    /// Why the set has no image for `component`.
    pub fn missing(&self, component: &str) -> String {
        match self.components.get(component) {
            Some(p) => p
                .unconfirmed
                .clone()
                .unwrap_or_else(|| "no version given".into()),
            None => format!("{component} is not part of this set"),
        }
    }
}

/// A component version: `v1.19.5`, `1.37.0`, `v1.9.3-rc.1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
    /// Pre-release suffix (`rc.1`): orders before the release.
    pub pre: Option<String>,
}

impl Version {
    /// Parse a tag; `None` when it is not `[v]MAJOR.MINOR.PATCH[-PRE]`.
    pub fn parse(tag: &str) -> Option<Version> {
        let t = tag.strip_prefix('v').unwrap_or(tag);
        let (core, pre) = match t.split_once('-') {
            Some((c, p)) if !p.is_empty() => (c, Some(p.to_string())),
            Some(_) => return None,
            None => (t, None),
        };
        let mut parts = core.split('.');
        let mut num = || -> Option<u64> {
            let p = parts.next()?;
            if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            p.parse().ok()
        };
        let v = Version {
            major: num()?,
            minor: num()?,
            patch: num()?,
            pre,
        };
        parts.next().is_none().then_some(v)
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(other.major, other.minor, other.patch))
            .then_with(|| match (&self.pre, &other.pre) {
                (None, None) => std::cmp::Ordering::Equal,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (Some(_), None) => std::cmp::Ordering::Less,
                (Some(a), Some(b)) => pre_release_cmp(a, b),
            })
    }
}

/// Semver pre-release precedence: dot-separated identifiers, numeric ones compared as numbers
/// and below alphanumeric ones, a shorter list first when all shared ones are equal
/// (`rc.2 < rc.10`, `alpha < alpha.1`).
fn pre_release_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let mut x = a.split('.');
    let mut y = b.split('.');
    loop {
        match (x.next(), y.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(p), Some(q)) => {
                let o = match (p.parse::<u64>(), q.parse::<u64>()) {
                    (Ok(m), Ok(n)) => m.cmp(&n),
                    (Ok(_), Err(_)) => Ordering::Less,
                    (Err(_), Ok(_)) => Ordering::Greater,
                    (Err(_), Err(_)) => p.cmp(q),
                };
                if o != Ordering::Equal {
                    return o;
                }
            }
        }
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}.{}.{}", self.major, self.minor, self.patch)?;
        if let Some(p) = &self.pre {
            write!(f, "-{p}")?;
        }
        Ok(())
    }
}

/// What an image reference says about its version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageVersion {
    /// A tag that reads as a version (`:v1.19.5`, also with a digest after it).
    Version(Version),
    /// A tag that is not a version (`:nightly`).
    OtherTag(String),
    /// Only a digest (`@sha256:...`): the version cannot be known.
    Digest,
}

impl ImageVersion {
    /// The version, when the tag gives one.
    pub fn version(&self) -> Option<&Version> {
        match self {
            ImageVersion::Version(v) => Some(v),
            _ => None,
        }
    }
}

/// Read the version an image reference carries (`registry:5000/op-node:v1.19.5@sha256:...`).
pub fn image_version(image: &str) -> ImageVersion {
    let name = image.split_once('@').map_or(image, |(n, _)| n);
    let last = name.rsplit('/').next().unwrap_or(name);
    match last.split_once(':') {
        Some((_, tag)) => match Version::parse(tag) {
            Some(v) => ImageVersion::Version(v),
            None => ImageVersion::OtherTag(tag.to_string()),
        },
        None => ImageVersion::Digest,
    }
}

/// One image a chain renders, as the mix and hardfork checks see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedImage {
    /// `op-node`, `op-reth`, ...
    pub component: &'static str,
    /// The full reference.
    pub image: String,
    /// The chain-file key that pins it (`images.op_node`), when pinned there.
    pub pinned_by: Option<String>,
}

impl RenderedImage {
    pub fn version(&self) -> ImageVersion {
        image_version(&self.image)
    }
}

/// Warnings about the mix of `images` chosen with release `release`: images whose version
/// cannot be read or that no set knows (compatibility cannot be checked), and pinned images
/// that make an untested pair with another rendered component.
pub fn check_mix(matrix: &Matrix, release: &ReleaseSet, images: &[RenderedImage]) -> Vec<String> {
    let mut out = Vec::new();
    let in_some_set = |component: &str, v: &Version| {
        matrix
            .release
            .iter()
            .any(|s| s.version(component).as_ref() == Some(v))
    };
    // Components whose version some set knows: the ones pairs can be judged for.
    let mut known: Vec<(&RenderedImage, Version)> = Vec::new();
    for img in images {
        let who = img.pinned_by.as_deref().map_or_else(
            || img.component.to_string(),
            |k| format!("{k} ({})", img.component),
        );
        match img.version() {
            ImageVersion::Digest => out.push(format!(
                "{who} `{}` is given by digest: opctl cannot tell its version, so its compatibility (release sets, hardfork minimums) cannot be checked",
                img.image
            )),
            ImageVersion::OtherTag(tag) => out.push(format!(
                "{who} `{}` has the tag `{tag}`, which is not a version: its compatibility cannot be checked",
                img.image
            )),
            ImageVersion::Version(v) if !in_some_set(img.component, &v) => out.push(format!(
                "{who} {} {v} is in no release set ({}): its compatibility with the other components cannot be checked (hardfork minimums still are)",
                img.component,
                matrix.names().join(", ")
            )),
            ImageVersion::Version(v) => known.push((img, v)),
        }
    }
    // Pairs with at least one pinned image that no set has together.
    let together = |a: &str, va: &Version, b: &str, vb: &Version| {
        matrix
            .release
            .iter()
            .any(|s| s.version(a).as_ref() == Some(va) && s.version(b).as_ref() == Some(vb))
    };
    for (i, (x, vx)) in known.iter().enumerate() {
        if x.pinned_by.is_none() || release.version(x.component).as_ref() == Some(vx) {
            continue;
        }
        let untested: Vec<String> = known
            .iter()
            .enumerate()
            .filter(|(j, (y, _))| *j != i && y.component != x.component)
            // A pair of two pinned images is reported once, by the first.
            .filter(|(j, (y, vy))| {
                !(y.pinned_by.is_some()
                    && release.version(y.component).as_ref() != Some(vy)
                    && *j < i)
            })
            .filter(|(_, (y, vy))| !together(x.component, vx, y.component, vy))
            .map(|(_, (y, vy))| format!("{} {vy}", y.component))
            .collect();
        if untested.is_empty() {
            continue;
        }
        let mut untested = untested;
        untested.dedup();
        let sets: Vec<&str> = matrix
            .release
            .iter()
            .filter(|s| s.version(x.component).as_ref() == Some(vx))
            .map(|s| s.name.as_str())
            .collect();
        out.push(format!(
            "{key} pins {c} {vx} (release {r} has {rv}): the mix is untested: no release set has {c} {vx} together with {pairs}; {c} {vx} is in release {sets}",
            key = x.pinned_by.as_deref().unwrap_or(""),
            c = x.component,
            r = release.name,
            rv = release
                .version(x.component)
                .map_or_else(|| "none".to_string(), |v| v.to_string()),
            pairs = untested.join(", "),
            sets = sets.join(", "),
        ));
    }
    out
}

/// What moving a chain from one release set to another changes (`opctl upgrade`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UpgradeDiff {
    pub from: String,
    pub to: String,
    /// The target set is older than the current one.
    pub downgrade: bool,
    /// One row per rendered component.
    pub images: Vec<ImageChange>,
    /// Forks the new set follows and the old one did not.
    pub forks_added: Vec<Fork>,
    /// Forks the old set followed and the new one does not (a downgrade).
    pub forks_removed: Vec<Fork>,
    /// Game types the new set plays and the old one did not.
    pub game_types_added: Vec<u32>,
    /// Flags and defaults that change between the old and the new versions.
    pub changes: Vec<FlagChange>,
}

/// One component's image before and after.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ImageChange {
    pub component: &'static str,
    pub from: String,
    pub to: String,
    /// The chain-file key that pins it: the pin stays, whatever the set says.
    pub pinned_by: Option<String>,
}

/// A version-dependent change crossed by an upgrade.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FlagChange {
    pub component: &'static str,
    /// `since v1.16.0` / `after v1.9.3`.
    pub at: String,
    pub note: String,
    pub source: String,
}

/// Compare the images of the same chain under two sets (`before`/`after`, as
/// `ChainFile::rendered_images` gives them, in the same component order).
pub fn upgrade_diff(
    m: &Matrix,
    from: &ReleaseSet,
    to: &ReleaseSet,
    before: &[RenderedImage],
    after: &[RenderedImage],
) -> UpgradeDiff {
    let mut images = Vec::new();
    let mut changes = Vec::new();
    for b in before {
        let Some(a) = after.iter().find(|a| a.component == b.component) else {
            continue;
        };
        images.push(ImageChange {
            component: b.component,
            from: b.image.clone(),
            to: a.image.clone(),
            pinned_by: a.pinned_by.clone(),
        });
        if let (Some(old), Some(new)) = (b.version().version(), a.version().version()) {
            for c in m.changes_between(b.component, old, new) {
                changes.push(FlagChange {
                    component: b.component,
                    at: match (&c.since, &c.after) {
                        (Some(s), _) => format!("since {s}"),
                        (None, Some(a)) => format!("after {a}"),
                        (None, None) => String::new(),
                    },
                    note: c.note.clone(),
                    source: c.source.clone(),
                });
            }
        }
    }
    UpgradeDiff {
        from: from.name.clone(),
        to: to.name.clone(),
        downgrade: to.date < from.date,
        images,
        forks_added: to
            .forks
            .iter()
            .filter(|f| !from.forks.contains(f))
            .copied()
            .collect(),
        forks_removed: from
            .forks
            .iter()
            .filter(|f| !to.forks.contains(f))
            .copied()
            .collect(),
        game_types_added: to
            .game_types
            .iter()
            .filter(|t| !from.game_types.contains(t))
            .copied()
            .collect(),
        changes,
    }
}

/// `2026-12-04 15:00:00 UTC`.
pub fn utc(secs: u64) -> String {
    super::forks::format_utc(secs, "%Y-%m-%d %H:%M:%S UTC")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap_or_else(|| panic!("{s} parses"))
    }

    #[test]
    fn pre_releases_compare_by_semver_precedence() {
        assert!(v("v1.19.0-rc.2") < v("v1.19.0-rc.10"));
        assert!(v("v1.19.0-alpha") < v("v1.19.0-alpha.1"));
        assert!(v("v1.19.0-rc.1") < v("v1.19.0-rc.a"));
        assert!(v("v1.19.0-rc.10") < v("v1.19.0"));
    }

    fn img(component: &'static str, tag: &str, pinned: bool) -> RenderedImage {
        RenderedImage {
            component,
            image: format!("{REGISTRY}/{component}:{tag}"),
            pinned_by: pinned.then(|| format!("images.{}", component.replace('-', "_"))),
        }
    }

    /// The images a set renders for an op-reth chain with every role.
    fn of_set(set: &ReleaseSet) -> Vec<RenderedImage> {
        [
            "op-node",
            "op-reth",
            "op-batcher",
            "op-proposer",
            "op-challenger",
        ]
        .into_iter()
        .filter_map(|c| {
            set.version(c).map(|ver| RenderedImage {
                component: c,
                image: format!("{REGISTRY}/{c}:{ver}"),
                pinned_by: None,
            })
        })
        .collect()
    }

    #[test]
    fn the_shipped_matrix_parses_and_every_entry_names_its_source() {
        let m = builtin();
        assert!(m.release.len() >= 3, "at least three release sets");
        for s in &m.release {
            assert!(
                !s.source.trim().is_empty(),
                "release {} has no source",
                s.name
            );
            assert!(
                !s.game_types_source.trim().is_empty(),
                "release {}: game types without a source",
                s.name
            );
            for (c, p) in &s.components {
                assert!(
                    COMPONENTS.contains(&c.as_str()),
                    "release {}: unknown component {c}",
                    s.name
                );
                assert!(
                    !p.source.trim().is_empty(),
                    "release {} {c} has no source",
                    s.name
                );
                match &p.version {
                    Some(ver) => assert!(
                        Version::parse(ver).is_some(),
                        "release {} {c}: `{ver}` is not a version",
                        s.name
                    ),
                    None => assert!(
                        p.unconfirmed
                            .as_deref()
                            .is_some_and(|u| !u.trim().is_empty()),
                        "release {} {c}: no version and no UNCONFIRMED reason",
                        s.name
                    ),
                }
            }
        }
        for r in &m.fork {
            assert!(!r.source.trim().is_empty(), "fork {} has no source", r.fork);
            for (c, min) in &r.minimum {
                assert!(
                    Version::parse(min).is_some(),
                    "fork {} {c}: `{min}` is not a version",
                    r.fork
                );
            }
        }
        for c in &m.change {
            assert!(
                !c.source.trim().is_empty(),
                "change `{}` has no source",
                c.note
            );
            assert!(
                c.since
                    .as_deref()
                    .or(c.after.as_deref())
                    .and_then(Version::parse)
                    .is_some(),
                "change `{}` has no version",
                c.note
            );
        }
    }

    #[test]
    fn an_entry_without_a_source_fails_the_data_check() {
        // The same reading the shipped data gets: a component without `source` is refused.
        let text = DATA.replacen("source = \"U17\"\n", "", 1);
        assert!(toml::from_str::<Matrix>(&text).is_err());
    }

    #[test]
    fn sets_are_dated_oldest_first_and_the_default_is_the_newest_confirmed_set() {
        let m = builtin();
        let dates: Vec<&str> = m.release.iter().map(|s| s.date.as_str()).collect();
        let mut sorted = dates.clone();
        sorted.sort();
        assert_eq!(dates, sorted);
        let newest_complete = m
            .release
            .iter()
            .rev()
            .find(|s| s.components.values().all(|p| p.unconfirmed.is_none()))
            .expect("a complete set");
        assert_eq!(m.default, newest_complete.name);
        assert_eq!(m.default_set().name, m.default);
        // The default set renders every component opctl runs.
        for c in COMPONENTS {
            assert!(m.default_set().image(c).is_some(), "{c}");
        }
    }

    #[test]
    fn each_known_set_satisfies_its_own_fork_list() {
        let m = builtin();
        for s in &m.release {
            for fork in &s.forks {
                for (c, pin) in &s.components {
                    let Some(ver) = s.version(c) else { continue };
                    let support = m.support(*fork, c, &ver);
                    if pin.until.is_some_and(|u| u < *fork) {
                        assert_ne!(
                            support,
                            Support::Yes,
                            "release {} {c} {ver} says it stops at {:?} but follows {fork}",
                            s.name,
                            pin.until
                        );
                    } else {
                        assert!(
                            matches!(support, Support::Yes | Support::NoRule),
                            "release {} lists {fork}, but {c} {ver}: {support:?}",
                            s.name
                        );
                    }
                }
            }
            // Every set's own images are a known-good mix.
            assert_eq!(
                check_mix(m, s, &of_set(s)),
                Vec::<String>::new(),
                "{}",
                s.name
            );
        }
    }

    #[test]
    fn a_component_below_a_forks_minimum_is_named_with_the_minimum() {
        let m = builtin();
        assert_eq!(
            m.support(Fork::Karst, "op-node", &v("v1.16.13")),
            Support::Below(v("v1.19.0"))
        );
        assert_eq!(
            m.support(Fork::Karst, "op-reth", &v("v2.3.1")),
            Support::Below(v("v2.3.2")),
            "the stricter minimum of the op-node v1.19.1 notes"
        );
        assert_eq!(
            m.support(Fork::Karst, "op-reth", &v("v2.4.2")),
            Support::Yes
        );
        assert!(matches!(
            m.support(Fork::Karst, "op-geth", &v("v1.101702.1")),
            Support::Never(why) if why.contains("end of support")
        ));
        assert_eq!(
            m.support(Fork::Jovian, "op-challenger", &v("v1.6.0")),
            Support::Below(v("v1.7.0"))
        );
        assert_eq!(
            m.support(Fork::Interop, "op-node", &v("v1.19.5")),
            Support::NoRule
        );
        assert_eq!(
            m.newest_supporting(Fork::Karst, &["op-node", "op-reth", "op-proposer"])
                .map(|s| s.name.as_str()),
            Some("2026-08"),
            "the newest set with every needed image confirmed"
        );
        assert_eq!(
            m.newest_supporting(Fork::Karst, &["op-node", "op-reth"])
                .map(|s| s.name.as_str()),
            Some("2026-12-upgrade-20")
        );
        assert_eq!(
            m.newest_supporting(Fork::Karst, &["op-geth"])
                .map(|s| s.name.as_str()),
            None,
            "no set runs op-geth past Jovian"
        );
    }

    #[test]
    fn a_single_pin_that_leaves_the_set_names_the_untested_pairs() {
        let m = builtin();
        let set = m.set("2026-08").expect("set");
        let mut images = of_set(set);
        images[0] = img("op-node", "v1.16.2", true);
        let w = check_mix(m, set, &images);
        assert_eq!(w.len(), 1, "{w:?}");
        for part in [
            "images.op_node pins op-node v1.16.2 (release 2026-08 has v1.19.5)",
            "op-reth v2.4.2",
            "op-batcher v1.16.13",
            "in release 2025-12-jovian",
        ] {
            assert!(w[0].contains(part), "{part}: {}", w[0]);
        }
        // A pin equal to the set's own version is no warning.
        images[0] = img("op-node", "v1.19.5", true);
        assert!(check_mix(m, set, &images).is_empty());
        // Moving two components to another set together names only what is untested.
        let karst = m.set("2026-07-karst").expect("set");
        let mut images = of_set(karst);
        images
            .iter_mut()
            .for_each(|i| i.pinned_by = Some(format!("images.{}", i.component.replace('-', "_"))));
        assert!(
            check_mix(m, set, &images).is_empty(),
            "a whole other set is a known mix"
        );
    }

    #[test]
    fn digests_unknown_tags_and_non_versions_cannot_be_checked() {
        let m = builtin();
        let set = m.default_set();
        let mut images = of_set(set);
        images[0].image = format!("{REGISTRY}/op-node@sha256:{}", "ab".repeat(32));
        images[0].pinned_by = Some("images.op_node".into());
        images[1] = img("op-reth", "v2.9.9", true);
        images[2] = img("op-batcher", "nightly", true);
        let w = check_mix(m, set, &images).join("\n");
        assert!(
            w.contains("images.op_node (op-node)") && w.contains("by digest"),
            "{w}"
        );
        assert!(w.contains("op-reth v2.9.9 is in no release set"), "{w}");
        assert!(w.contains("`nightly`, which is not a version"), "{w}");
    }

    #[test]
    fn versions_and_image_references_parse() {
        assert!(v("v1.9.3-rc.1") < v("v1.9.3"));
        assert!(v("v1.101702.1") > v("v1.101603.5"));
        assert!(v("v2.3.1") < v("v2.3.2") && v("1.37.0") == v("v1.37.0"));
        for bad in ["latest", "v1.2", "v1.2.3.4", "v1..2", "v1.2.3-"] {
            assert_eq!(Version::parse(bad), None, "{bad}");
        }
        assert_eq!(
            image_version("localhost:5000/op-node:v1.19.5@sha256:00"),
            ImageVersion::Version(v("v1.19.5"))
        );
        assert_eq!(
            image_version("localhost:5000/op-node@sha256:00"),
            ImageVersion::Digest
        );
        assert_eq!(
            image_version("op-node:main"),
            ImageVersion::OtherTag("main".into())
        );
        assert_eq!(utc(1_781_712_001), "2026-06-17 16:00:01 UTC");
    }

    #[test]
    fn an_upgrade_diff_lists_images_forks_game_types_and_flag_changes() {
        let m = builtin();
        let (old, new) = (
            m.set("2025-12-jovian").expect("set"),
            m.set("2026-08").expect("set"),
        );
        let before = vec![
            img("op-node", "v1.16.2", false),
            img("op-proposer", "v1.10.0", false),
        ];
        let mut after = vec![
            img("op-node", "v1.19.5", false),
            img("op-proposer", "v1.16.3", false),
        ];
        let d = upgrade_diff(m, old, new, &before, &after);
        assert_eq!(d.images.len(), 2);
        assert!(d.images[0].from.ends_with(":v1.16.2") && d.images[0].to.ends_with(":v1.19.5"));
        assert_eq!(d.forks_added, vec![Fork::Karst]);
        assert!(d.forks_removed.is_empty());
        assert_eq!(d.game_types_added, vec![8]);
        assert!(
            d.changes
                .iter()
                .any(|c| c.component == "op-proposer" && c.note.contains("--l2oo-address")),
            "{:?}",
            d.changes
        );
        // A pinned image stays, and says so.
        after[1] = img("op-proposer", "v1.10.0", true);
        let d = upgrade_diff(m, old, new, &before, &after);
        assert_eq!(d.images[1].pinned_by.as_deref(), Some("images.op_proposer"));
        assert_eq!(d.images[1].from, d.images[1].to);
        assert!(!d.changes.iter().any(|c| c.component == "op-proposer"));
        // Going back loses Karst.
        let back = upgrade_diff(m, new, old, &after, &before);
        assert_eq!(back.forks_removed, vec![Fork::Karst]);
        assert!(back.downgrade && !d.downgrade);
    }

    #[test]
    fn upgrades_cross_the_version_changes_between_old_and_new() {
        let m = builtin();
        let notes = |c, a, b| {
            m.changes_between(c, &v(a), &v(b))
                .iter()
                .map(|c| c.note.clone())
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert!(notes("op-proposer", "v1.10.0", "v1.16.3").contains("--l2oo-address"));
        assert!(notes("op-proposer", "v1.16.0", "v1.16.3").is_empty());
        let node = notes("op-node", "v1.16.2", "v1.19.5");
        assert!(
            node.contains("req-resp") && node.contains("offset-el-safe"),
            "{node}"
        );
        assert!(
            !node.contains("l1-chain-config"),
            "v1.16.2 already had it: {node}"
        );
        assert!(notes("op-challenger", "v1.9.3", "v1.9.4").contains("op-program"));
        assert!(notes("op-challenger", "v1.7.0", "v1.9.3").is_empty());
        // A downgrade crosses the same changes, in reverse.
        assert!(notes("op-proposer", "v1.16.3", "v1.10.0").contains("--l2oo-address"));
        assert_eq!(
            notes("op-node", "v1.19.5", "v1.16.2"),
            notes("op-node", "v1.16.2", "v1.19.5")
        );
    }
}
