//! The Kubernetes releases opctl supports, and the reading of a server's `/version`: pure. The
//! cluster edge asks the server once per connection and refuses what [`check`] refuses.

use k8s_openapi::apimachinery::pkg::version::Info;

/// The oldest Kubernetes opctl supports. opctl's object types are compiled against k8s-openapi's
/// `v1_33` API level (the earliest k8s-openapi 0.29 offers), so an older server may lack fields
/// and kinds opctl writes; operators run 1.33 to 1.37 in late 2026.
pub const MIN_KUBERNETES: KubeVersion = KubeVersion {
    major: 1,
    minor: 33,
};

/// A Kubernetes release, `major.minor` (patch releases never change the API).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct KubeVersion {
    pub major: u32,
    pub minor: u32,
}

impl std::fmt::Display for KubeVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// Why a server's version is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionError {
    /// The server runs a release older than [`MIN_KUBERNETES`].
    TooOld { version: KubeVersion },
    /// Neither `major`/`minor` nor `gitVersion` name a release.
    Unreadable,
}

/// Leading decimal digits of `s` as a number: `"33+"` -> 33, `"40-gke"` -> 40.
fn leading_number(s: &str) -> Option<u32> {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    s[..end].parse().ok()
}

impl KubeVersion {
    /// `1.33`, `v1.33.2`, `1.37+` or `v1.40.1-gke.3`: a leading `v` is optional, and whatever
    /// follows the minor's digits (patch, `+`, a vendor suffix) is ignored.
    pub fn parse(s: &str) -> Option<KubeVersion> {
        let s = s.trim();
        let s = s.strip_prefix('v').unwrap_or(s);
        let (major, rest) = s.split_once('.')?;
        if major.is_empty() || !major.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(KubeVersion {
            major: major.parse().ok()?,
            minor: leading_number(rest)?,
        })
    }

    /// The API level a server's `/version` names: its emulated release when it emulates an older
    /// one (KEP-4330: a 1.37 binary at `--emulated-version=1.32` serves 1.32's APIs), else its
    /// `major` and `minor` (managed clusters append `+` to minor), else its `gitVersion` (some
    /// distributions leave the fields empty).
    pub fn of_server(info: &Info) -> Option<KubeVersion> {
        let fields = |major: &str, minor: &str| {
            let major = major.trim();
            if major.is_empty() || !major.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            Some(KubeVersion {
                major: major.parse().ok()?,
                minor: leading_number(minor.trim())?,
            })
        };
        let emulated = match (&info.emulation_major, &info.emulation_minor) {
            (Some(major), Some(minor)) => fields(major, minor),
            _ => None,
        };
        emulated
            .or_else(|| fields(&info.major, &info.minor))
            .or_else(|| KubeVersion::parse(&info.git_version))
    }
}

/// `/version` as a person reads it in an error: `v1.32.4`, or `v1.37.2, emulating 1.32`.
pub fn describe(info: &Info) -> String {
    let binary = match info.git_version.trim() {
        "" => format!("major {:?}, minor {:?}", info.major, info.minor),
        git => git.to_string(),
    };
    let judged = KubeVersion::of_server(info);
    let without_emulation = KubeVersion::of_server(&Info {
        emulation_major: None,
        emulation_minor: None,
        ..info.clone()
    });
    match judged {
        Some(v) if judged != without_emulation => format!("{binary}, emulating {v}"),
        _ => binary,
    }
}

/// The API level of a server with this `/version`, when opctl supports it.
pub fn check(info: &Info) -> Result<KubeVersion, VersionError> {
    let version = KubeVersion::of_server(info).ok_or(VersionError::Unreadable)?;
    if version < MIN_KUBERNETES {
        return Err(VersionError::TooOld { version });
    }
    Ok(version)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(major: u32, minor: u32) -> KubeVersion {
        KubeVersion { major, minor }
    }

    fn info(major: &str, minor: &str, git_version: &str) -> Info {
        Info {
            major: major.into(),
            minor: minor.into(),
            git_version: git_version.into(),
            ..Default::default()
        }
    }

    #[test]
    fn releases_from_1_33_on_are_supported_and_older_ones_are_refused() {
        let table: [(&str, &str, &str, Result<KubeVersion, VersionError>); 11] = [
            (
                "1",
                "32",
                "v1.32.9",
                Err(VersionError::TooOld { version: v(1, 32) }),
            ),
            (
                "1",
                "20",
                "v1.20.2",
                Err(VersionError::TooOld { version: v(1, 20) }),
            ),
            ("1", "33", "v1.33.0", Ok(v(1, 33))),
            ("1", "37", "v1.37.2", Ok(v(1, 37))),
            // Managed clusters (EKS, GKE) append `+` to minor.
            ("1", "37+", "v1.37.2-eks-1a2b3c", Ok(v(1, 37))),
            (
                "1",
                "32+",
                "v1.32.4-gke.100",
                Err(VersionError::TooOld { version: v(1, 32) }),
            ),
            // Empty fields: the gitVersion decides.
            ("", "", "v1.40.1-gke.3", Ok(v(1, 40))),
            (
                "",
                "",
                "v1.31.0",
                Err(VersionError::TooOld { version: v(1, 31) }),
            ),
            // A later major release is newer than any 1.x.
            ("2", "0", "v2.0.0", Ok(v(2, 0))),
            ("", "", "", Err(VersionError::Unreadable)),
            ("one", "thirty", "latest", Err(VersionError::Unreadable)),
        ];
        for (major, minor, git, want) in table {
            assert_eq!(
                check(&info(major, minor, git)),
                want,
                "major {major:?} minor {minor:?} gitVersion {git:?}"
            );
        }
    }

    #[test]
    fn a_server_emulating_an_older_release_is_judged_by_the_release_it_emulates() {
        let mut emulating = info("1", "37", "v1.37.2");
        emulating.emulation_major = Some("1".into());
        emulating.emulation_minor = Some("32".into());
        assert_eq!(
            check(&emulating),
            Err(VersionError::TooOld { version: v(1, 32) })
        );
        assert_eq!(describe(&emulating), "v1.37.2, emulating 1.32");
        emulating.emulation_minor = Some("35".into());
        assert_eq!(check(&emulating), Ok(v(1, 35)));
        emulating.emulation_minor = Some("37".into());
        assert_eq!(
            describe(&emulating),
            "v1.37.2",
            "1.33+ always reports emulation"
        );
        // Unreadable emulation fields fall back to the binary's release.
        emulating.emulation_minor = Some(String::new());
        assert_eq!(check(&emulating), Ok(v(1, 37)));
        assert_eq!(describe(&info("1", "32", "")), r#"major "1", minor "32""#);
    }

    #[test]
    fn a_version_string_is_read_with_or_without_v_patch_and_suffix() {
        let table: [(&str, Option<KubeVersion>); 12] = [
            ("1.32", Some(v(1, 32))),
            ("1.33", Some(v(1, 33))),
            ("1.37+", Some(v(1, 37))),
            ("v1.40.1-gke.3", Some(v(1, 40))),
            (" v1.33.2 ", Some(v(1, 33))),
            ("", None),
            ("v", None),
            ("1", None),
            ("1.", None),
            ("garbage", None),
            ("x1.33", None),
            ("1.99999999999999999999", None),
        ];
        for (s, want) in table {
            assert_eq!(KubeVersion::parse(s), want, "{s:?}");
        }
    }

    #[test]
    fn the_minimum_is_1_33_and_compares_by_major_then_minor() {
        assert_eq!(MIN_KUBERNETES.to_string(), "1.33");
        assert!(v(1, 33) >= MIN_KUBERNETES);
        assert!(v(1, 32) < MIN_KUBERNETES);
        assert!(v(1, 100) > v(1, 33), "numeric, not lexical");
        assert!(v(2, 0) > v(1, 99));
    }
}
