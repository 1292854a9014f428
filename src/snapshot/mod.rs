//! The snapshot: every fact collected about an organization, as typed, versioned,
//! serializable data. Collectors fill it, rules read it; nothing here judges.
//!
//! Every fact section is a [`Section`]: it records whether the facts were
//! obtained (`ok`), could not be read (`error`, with the API operation and the
//! error code), or were not collected at all (`not_collected`, with why).

pub mod merge;
mod model;
pub mod reference;
pub mod schema;
pub mod sections;

pub use model::*;
pub use sections::{Sections, Unavailable};

use std::path::Path;

/// The role a scan assumes in member accounts unless told otherwise (what
/// `scan.role_names` holds by default).
pub const DEFAULT_ROLE_NAME: &str = "OrganizationAccountAccessRole";

/// The snapshot format this build writes. The major part must match on load.
pub const SCHEMA_VERSION: &str = "1.3";

/// Whether this build reads a snapshot of schema `version`: the same major
/// version and a minor version up to ours (see docs/snapshot.md). A newer
/// minor version may hold facts this build would not see, so it is refused
/// rather than judged without them.
pub fn readable_version(version: &str) -> bool {
    let parse = |v: &str| -> Option<(u32, u32)> {
        let (major, minor) = v.split_once('.')?;
        Some((major.parse().ok()?, minor.parse().ok()?))
    };
    match (parse(version), parse(SCHEMA_VERSION)) {
        (Some((major, minor)), Some((our_major, our_minor))) => {
            major == our_major && minor <= our_minor
        }
        _ => false,
    }
}

/// The account statuses AWS Organizations reports.
pub const ACCOUNT_STATUSES: &[&str] = &["ACTIVE", "SUSPENDED", "PENDING_CLOSURE"];

/// Errors loading or saving a snapshot.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("cannot read snapshot {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// Not JSON, or not a snapshot: the position and what is wrong there.
    #[error("{0}")]
    Parse(crate::diagnostic::Diagnostic),
    #[error(
        "{path}: snapshot schema version {found} is not supported by this orgaudit \
         (it reads 1.0 to {SCHEMA_VERSION}); use an orgaudit release that matches the snapshot"
    )]
    Version { path: String, found: String },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

impl Account {
    /// An account as the organization lists it, with no facts yet.
    pub fn from_listing(a: &OrganizationAccount, is_management: bool) -> Account {
        Account {
            id: a.id.clone(),
            arn: a.arn.clone(),
            name: a.name.clone(),
            email: a.email.clone(),
            status: a.status.clone(),
            joined_method: a.joined_method.clone(),
            joined_timestamp: a.joined_timestamp.clone(),
            parent_id: a.parent_id.clone(),
            ou_path: a.ou_path.clone(),
            is_management,
            ..Account::default()
        }
    }

    /// Marks every fact section of the account as not collected, for
    /// `reason` (`access` aside, which says how it was reached or why not).
    /// The per-region list keeps one entry per audited region, so that a
    /// rule that iterates regions finds sections it cannot read (ERROR),
    /// never an empty list (which would pass).
    pub fn set_not_collected(&mut self, reason: &str, regions: &[String]) {
        fn nc<T>(reason: &str) -> Section<T> {
            Section::not_collected(reason)
        }
        self.enabled_regions = nc(reason);
        self.iam = Iam {
            summary: nc(reason),
            password_policy: nc(reason),
            credential_report: nc(reason),
            users: nc(reason),
            virtual_mfa_devices: nc(reason),
            aliases: nc(reason),
            policies: nc(reason),
        };
        self.alternate_contacts = nc(reason);
        self.cloudtrail = nc(reason);
        self.config = regions
            .iter()
            .map(|region| ConfigRegion {
                region: region.clone(),
                recording: nc(reason),
                rules: nc(reason),
                compliance: nc(reason),
                delivery_status: nc(reason),
            })
            .collect();
        self.budgets = nc(reason);
        self.cost_anomaly = CostAnomaly {
            monitors: nc(reason),
            subscriptions: nc(reason),
        };
        self.s3_public_access_block = nc(reason);
        self.protections = regions
            .iter()
            .map(|region| RegionProtections {
                region: region.clone(),
                guardduty_detectors: nc(reason),
                securityhub: nc(reason),
                ebs_encryption_by_default: nc(reason),
            })
            .collect();
    }
}

impl Snapshot {
    /// Loads and validates a snapshot file.
    pub fn load(path: &Path) -> Result<Snapshot, SnapshotError> {
        let text = crate::fsutil::read_snapshot(path).map_err(|source| SnapshotError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_json(&text, &path.display().to_string())
    }

    /// Parses a snapshot from JSON text; `origin` names it in errors.
    pub fn from_json(text: &str, origin: &str) -> Result<Snapshot, SnapshotError> {
        // Check the version first, so that a future snapshot gets a version error
        // rather than a confusing field error.
        #[derive(serde::Deserialize)]
        struct Probe {
            schema_version: Option<serde_json::Value>,
        }
        let parse_err = |e: serde_json::Error| {
            SnapshotError::Parse(crate::diagnostic::Diagnostic::from_json(
                origin,
                "not a valid orgaudit snapshot",
                &e,
            ))
        };
        let probe: Probe = serde_json::from_str(text).map_err(parse_err)?;
        match probe.schema_version {
            Some(serde_json::Value::String(v)) => {
                if !readable_version(&v) {
                    return Err(SnapshotError::Version {
                        path: origin.to_string(),
                        found: v,
                    });
                }
            }
            Some(other) => {
                let message = format!(
                    "\"schema_version\" must be a string such as \"{SCHEMA_VERSION}\", \
                     not {other}"
                );
                return Err(SnapshotError::Invalid {
                    path: origin.to_string(),
                    message,
                });
            }
            None => {
                return Err(SnapshotError::Invalid {
                    path: origin.to_string(),
                    message: "missing \"schema_version\": this is not an orgaudit snapshot"
                        .to_string(),
                })
            }
        }
        let mut snapshot: Snapshot = serde_json::from_str(text).map_err(parse_err)?;
        snapshot.normalize();
        snapshot
            .validate()
            .map_err(|message| SnapshotError::Invalid {
                path: origin.to_string(),
                message,
            })?;
        Ok(snapshot)
    }

    /// Structural checks serde cannot express. A snapshot is untrusted
    /// input: anything that would make findings vanish or pass is refused.
    pub fn validate(&self) -> Result<(), String> {
        if chrono::DateTime::parse_from_rfc3339(&self.collected_at).is_err() {
            return Err(format!(
                "collected_at `{}` is not an RFC 3339 time with an offset (e.g. 2026-11-20T09:00:00Z)",
                self.collected_at
            ));
        }
        let mut seen = std::collections::BTreeSet::new();
        for account in &self.accounts {
            if !seen.insert(account.id.as_str()) {
                return Err(format!("account {} appears twice", account.id));
            }
            if !ACCOUNT_STATUSES.contains(&account.status.as_str()) {
                return Err(format!(
                    "account {}: status `{}` is not an AWS Organizations account status ({})",
                    account.id,
                    account.status,
                    ACCOUNT_STATUSES.join(", ")
                ));
            }
            for (field, regions) in [
                (
                    "config",
                    account
                        .config
                        .iter()
                        .map(|c| c.region.as_str())
                        .collect::<Vec<_>>(),
                ),
                (
                    "protections",
                    account
                        .protections
                        .iter()
                        .map(|p| p.region.as_str())
                        .collect(),
                ),
            ] {
                let mut seen = std::collections::BTreeSet::new();
                for region in regions {
                    if !seen.insert(region) {
                        return Err(format!(
                            "account {}: region {region} appears twice in `{field}`",
                            account.id
                        ));
                    }
                }
            }
        }
        let managements: Vec<&Account> = self.accounts.iter().filter(|a| a.is_management).collect();
        if managements.len() > 1 {
            return Err(format!(
                "{} accounts are marked is_management; an organization has one",
                managements.len()
            ));
        }
        if let Some(org) = self.organization.data() {
            if let Some(m) = managements.first() {
                if m.id != org.management_account_id {
                    return Err(format!(
                        "account {} is marked is_management, but the organization's management account is {}",
                        m.id, org.management_account_id
                    ));
                }
            }
            if let Some(a) = self
                .accounts
                .iter()
                .find(|a| a.id == org.management_account_id && !a.is_management)
            {
                return Err(format!(
                    "account {} is the organization's management account but is not marked is_management",
                    a.id
                ));
            }
        }
        Ok(())
    }

    /// Makes what a snapshot lacks explicit: an audited region missing from
    /// a reached account's regional facts is an error section for that
    /// region (its rules are ERROR), never "nothing to check".
    pub fn normalize(&mut self) {
        let regions = self.scan.regions.clone();
        let minor = self
            .schema_version
            .split_once('.')
            .and_then(|(_, minor)| minor.parse::<u32>().ok());
        let older = |than: u32| minor.is_some_and(|minor| minor < than);
        for account in &mut self.accounts {
            if !account.access.is_ok() {
                continue;
            }
            for region in &regions {
                if account.config.iter().any(|c| &c.region == region) {
                    continue;
                }
                let missing = || CollectError {
                    operation: "config:DescribeConfigurationRecorders".to_string(),
                    code: "MissingFromSnapshot".to_string(),
                    message: format!(
                        "the scan audited {region}, but the snapshot has no AWS Config facts of it"
                    ),
                    region: Some(region.clone()),
                };
                account.config.push(ConfigRegion {
                    region: region.clone(),
                    recording: Section::error(missing()),
                    rules: Section::error(missing()),
                    compliance: Section::error(missing()),
                    delivery_status: Section::error(missing()),
                });
            }
            // The regional facts of schema 1.2 and 1.3: not in an older
            // snapshot (their rules say which version collects them),
            // missing from a newer.
            for region in &regions {
                if account.protections.iter().any(|p| &p.region == region) {
                    continue;
                }
                let security = "guardduty:ListDetectors";
                account.protections.push(RegionProtections {
                    region: region.clone(),
                    guardduty_detectors: absent(older(2).then(since_1_2), security, region),
                    securityhub: absent(older(2).then(since_1_2), security, region),
                    ebs_encryption_by_default: absent(
                        older(3).then(since_1_3),
                        "ec2:GetEbsEncryptionByDefault",
                        region,
                    ),
                });
            }
        }
    }

    /// Writes the snapshot atomically (temp file + rename): never half-written.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let text = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        crate::fsutil::write_atomic(path, text.as_bytes())
    }

    /// The management account's facts, when the snapshot has them.
    pub fn management(&self) -> Option<&Account> {
        self.accounts.iter().find(|a| a.is_management)
    }
}

/// A regional section that the snapshot lacks for an audited region:
/// `older`, the section of a snapshot older than the schema that collects
/// it (its rules say which version that is); missing from a snapshot of
/// that schema or later, an error of `operation` for that region.
fn absent<T>(older: Option<Section<T>>, operation: &str, region: &str) -> Section<T> {
    if let Some(section) = older {
        return section;
    }
    Section::error(CollectError {
        operation: operation.to_string(),
        code: "MissingFromSnapshot".to_string(),
        message: format!(
            "the scan audited {region}, but the snapshot has no facts of it from {operation}"
        ),
        region: Some(region.to_string()),
    })
}
