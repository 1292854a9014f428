//! `orgaudit merge`: shard snapshots (`scan --shard K/N`) of one
//! organization joined into one snapshot that every command treats as the
//! snapshot of one scan.
//!
//! What is per account travels with its account: each account is in exactly
//! one shard. What is organization-wide (the organization with its OUs and
//! account list, its features, Identity Center, the management account's
//! trails…) every shard read; it is taken once and must *agree*: every shard
//! that read it (`ok`) read the same facts, compared field by field. A shard
//! whose copy failed or was not collected does not count against the others'
//! (the facts were read); when no shard read it, the copy of the lowest shard
//! is kept, so rules that need it are ERROR as in that shard.
//!
//! Every field of [`Snapshot`] and [`ScanInfo`] is destructured without `..`:
//! a section added to the snapshot does not compile here until it is given
//! a merge decision.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::{
    Account, Bucket, CloudTrail, IdentityCenter, MergeInfo, Organization, OrganizationAccount,
    OrganizationPolicies, ScanInfo, Section, SecurityServices, Shard, Snapshot,
};

/// A shard snapshot and the file it was read from.
pub struct Input {
    pub path: String,
    pub snapshot: Snapshot,
}

/// The merged snapshot, and what its reader should know about it.
#[derive(Debug)]
pub struct Merged {
    pub snapshot: Snapshot,
    pub warnings: Vec<String>,
}

impl Merged {
    /// Whether some account of the organization is in no shard given.
    pub fn is_incomplete(&self) -> bool {
        self.snapshot
            .scan
            .merge
            .as_ref()
            .is_some_and(|m| !m.missing_accounts.is_empty())
    }
}

/// Why shard snapshots cannot be merged. Each names the files at fault.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error("nothing to merge: give the shard snapshots (`orgaudit scan --shard K/N --save-snapshot FILE`)")]
    NoInput,
    #[error(
        "{path}: not a shard snapshot ({why}); merge joins the snapshots of \
         `orgaudit scan --shard K/N`"
    )]
    NotAShard { path: String, why: String },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
    #[error(
        "{path} has schema_version {found}, {first} has {expected}: shards of one scan are \
         written by one orgaudit; rescan them with the same version"
    )]
    SchemaVersion {
        path: String,
        found: String,
        first: String,
        expected: String,
    },
    #[error("{path} is a snapshot of organization {found}, {first} of {expected}: merge joins shards of one organization")]
    Organization {
        path: String,
        found: String,
        first: String,
        expected: String,
    },
    #[error("{path} is shard {found}, {first} is shard {expected}: all shards must be of the same --shard K/N count")]
    ShardCount {
        path: String,
        found: Shard,
        first: String,
        expected: Shard,
    },
    #[error("{path} and {other} are both shard {shard}: give each shard once")]
    DuplicateShard {
        path: String,
        other: String,
        shard: Shard,
    },
    #[error("account {account} is in both {path} and {other}: shards must not overlap")]
    Overlap {
        account: String,
        path: String,
        other: String,
    },
    #[error(
        "{path} and {other} disagree on `{what}` ({detail}): organization-wide facts are \
         taken once and must be the same in every shard; rescan the shards"
    )]
    Disagree {
        what: String,
        path: String,
        other: String,
        detail: String,
    },
}

/// Joins shard snapshots. Warns (never fails) when the shards were collected
/// more than `max_spread_seconds` apart, or by different orgaudit versions
/// or callers.
pub fn merge(inputs: Vec<Input>, max_spread_seconds: i64) -> Result<Merged, MergeError> {
    let first = inputs.first().ok_or(MergeError::NoInput)?;
    let mut warnings = Vec::new();
    let (by_shard, n) = check_shards(&inputs)?;
    // Shards in order: the lowest shard's copy is the one kept where a
    // choice is needed, whatever the order of the files.
    let shards: Vec<&Input> = by_shard.values().copied().collect();
    let s0 = &shards[0].snapshot.scan;
    check_scans(&shards, &mut warnings)?;
    let (latest, spread) = collection_spread(&shards, max_spread_seconds, &mut warnings);
    let shared = OrganizationWide::agree(&shards)?;
    let org = shared
        .organization
        .data()
        .expect("every shard's organization is ok");
    let management_id = org.management_account_id.clone();

    let (owner, mut accounts) = join_accounts(&shards)?;
    let listed = org.accounts.as_ref().ok_or_else(|| MergeError::Invalid {
        path: first.path.clone(),
        message: "its organization has no account list (organization.accounts): the \
                  accounts of a missing shard could not be named"
            .to_string(),
    })?;
    let missing = add_missing_accounts(
        listed,
        &owner,
        &by_shard,
        n,
        &management_id,
        s0,
        &mut accounts,
    )?;
    accounts.sort_by(|a, b| a.id.cmp(&b.id));
    warnings.extend(missing.warning(n));
    let management_trails = management_trails(&shards, owner.contains_key(&management_id))?;

    // Every field, each with its decision (no `..`: a new one must get one).
    let Snapshot {
        schema_version,
        collected_at: _,
        scan: _,
        organization: _,
        organization_features: _,
        policies: _,
        management_buckets: _,
        identity_center: _,
        management_trails: _,
        security_services: _,
        accounts: _,
    } = &first.snapshot;
    let ScanInfo {
        tool_version,
        started_at: _,
        finished_at: _,
        regions,
        role_name,
        role_names,
        caller_account_id,
        partition,
        shard: _,
        merge: _,
    } = s0;
    let started_at = shards
        .iter()
        .map(|i| &i.snapshot.scan.started_at)
        .min_by_key(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .expect("one shard")
        .clone();
    let snapshot = Snapshot {
        schema_version: schema_version.clone(),
        // Ages are measured from the latest shard's time (the oldest facts
        // look older, never younger).
        collected_at: latest.snapshot.collected_at.clone(),
        scan: ScanInfo {
            tool_version: tool_version.clone(),
            started_at,
            finished_at: latest.snapshot.scan.finished_at.clone(),
            regions: regions.clone(),
            role_name: role_name.clone(),
            role_names: role_names.clone(),
            caller_account_id: caller_account_id.clone(),
            partition: partition.clone(),
            shard: None,
            merge: Some(MergeInfo {
                shard_count: n,
                shards: by_shard.keys().copied().collect(),
                missing_shards: missing.shards,
                missing_accounts: missing.accounts,
                collection_spread_seconds: spread,
            }),
        },
        organization: shared.organization,
        organization_features: shared.organization_features,
        policies: shared.policies,
        management_buckets: shared.management_buckets,
        identity_center: shared.identity_center,
        management_trails,
        security_services: shared.security_services,
        accounts,
    };
    snapshot.validate().map_err(|message| MergeError::Invalid {
        path: "the merged snapshot".to_string(),
        message,
    })?;
    Ok(Merged { snapshot, warnings })
}

/// Each input: a shard, of the same schema, organization and N, once.
/// Returns the inputs by shard (K) and N.
fn check_shards(inputs: &[Input]) -> Result<(BTreeMap<u64, &Input>, u64), MergeError> {
    let first_path = &inputs[0].path;
    let expected_version = &inputs[0].snapshot.schema_version;
    let mut by_shard: BTreeMap<u64, &Input> = BTreeMap::new();
    let mut count: Option<Shard> = None;
    let mut org_id: Option<String> = None;
    for input in inputs {
        let s = &input.snapshot;
        if s.schema_version != *expected_version {
            return Err(MergeError::SchemaVersion {
                path: input.path.clone(),
                found: s.schema_version.clone(),
                first: first_path.clone(),
                expected: expected_version.clone(),
            });
        }
        let shard = shard_of(input)?;
        let organization = s.organization.data().ok_or_else(|| MergeError::Invalid {
            path: input.path.clone(),
            message: "its organization could not be read, so it cannot be told which \
                      organization it belongs to"
                .to_string(),
        })?;
        match &org_id {
            None => org_id = Some(organization.id.clone()),
            Some(id) if *id != organization.id => {
                return Err(MergeError::Organization {
                    path: input.path.clone(),
                    found: organization.id.clone(),
                    first: first_path.clone(),
                    expected: id.clone(),
                })
            }
            Some(_) => {}
        }
        match count {
            None => count = Some(shard),
            Some(c) if c.count != shard.count => {
                return Err(MergeError::ShardCount {
                    path: input.path.clone(),
                    found: shard,
                    first: first_path.clone(),
                    expected: c,
                })
            }
            Some(_) => {}
        }
        if let Some(other) = by_shard.insert(shard.index, input) {
            return Err(MergeError::DuplicateShard {
                path: input.path.clone(),
                other: other.path.clone(),
                shard,
            });
        }
        for a in &s.accounts {
            if !shard.holds(&a.id) {
                return Err(MergeError::Invalid {
                    path: input.path.clone(),
                    message: format!("account {} does not belong to shard {shard}", a.id),
                });
            }
        }
    }
    Ok((by_shard, count.expect("at least one input").count))
}

/// The shard an input is, when it is one: a valid `scan.shard`, not a
/// merge.
fn shard_of(input: &Input) -> Result<Shard, MergeError> {
    let s = &input.snapshot;
    let shard = match (&s.scan.shard, &s.scan.merge) {
        (_, Some(_)) => {
            return Err(MergeError::NotAShard {
                path: input.path.clone(),
                why: "it is itself a merged snapshot".to_string(),
            })
        }
        (None, None) => {
            return Err(MergeError::NotAShard {
                path: input.path.clone(),
                why: "its scan was not limited by --shard".to_string(),
            })
        }
        (Some(shard), None) => *shard,
    };
    if !shard.is_valid() {
        return Err(MergeError::Invalid {
            path: input.path.clone(),
            message: format!("scan.shard {shard} is not a shard: expected K/N with 1 <= K <= N"),
        });
    }
    Ok(shard)
}

/// The scan: what every shard must share (regions, partition, roles); a
/// different orgaudit version or caller is a warning.
fn check_scans(shards: &[&Input], warnings: &mut Vec<String>) -> Result<(), MergeError> {
    let (p0, s0) = (shards[0].path.as_str(), &shards[0].snapshot.scan);
    for input in &shards[1..] {
        let (path, s) = (input.path.as_str(), &input.snapshot.scan);
        let differ = |what: &str, a: String, b: String| MergeError::Disagree {
            what: what.to_string(),
            path: p0.to_string(),
            other: path.to_string(),
            detail: format!("{a} against {b}"),
        };
        let mut r0 = s0.regions.clone();
        let mut r = s.regions.clone();
        r0.sort();
        r.sort();
        if r0 != r {
            return Err(differ("scan.regions", r0.join(","), r.join(",")));
        }
        if s0.partition != s.partition {
            return Err(differ(
                "scan.partition",
                format!("{:?}", s0.partition),
                format!("{:?}", s.partition),
            ));
        }
        if s0.roles() != s.roles() {
            return Err(differ(
                "scan.role_names",
                s0.roles().join(","),
                s.roles().join(","),
            ));
        }
        if s0.tool_version != s.tool_version {
            warnings.push(format!(
                "{p0} was collected by orgaudit {}, {path} by {}",
                s0.tool_version, s.tool_version
            ));
        }
        if s0.caller_account_id != s.caller_account_id {
            warnings.push(format!(
                "{p0} was collected by account {}, {path} by {}",
                s0.caller_account_id.as_deref().unwrap_or("(unknown)"),
                s.caller_account_id.as_deref().unwrap_or("(unknown)")
            ));
        }
    }
    Ok(())
}

/// The latest shard and the seconds between the earliest and the latest;
/// a warning when they are more than `max_spread_seconds` apart.
fn collection_spread<'a>(
    shards: &[&'a Input],
    max_spread_seconds: i64,
    warnings: &mut Vec<String>,
) -> (&'a Input, i64) {
    let time = |i: &Input| {
        chrono::DateTime::parse_from_rfc3339(&i.snapshot.collected_at)
            .expect("collected_at is validated on load")
    };
    let earliest = shards.iter().min_by_key(|i| time(i)).expect("one shard");
    let latest = shards.iter().max_by_key(|i| time(i)).expect("one shard");
    let spread = (time(latest) - time(earliest)).num_seconds();
    if spread > max_spread_seconds {
        warnings.push(format!(
            "the shards were collected {} apart ({} at {}, {} at {}): the merged snapshot \
             holds facts of different times",
            human_duration(spread),
            earliest.path,
            earliest.snapshot.collected_at,
            latest.path,
            latest.snapshot.collected_at
        ));
    }
    (*latest, spread)
}

/// The organization-wide facts, each taken once ([`agree`]).
struct OrganizationWide {
    organization: Section<Organization>,
    organization_features: Section<Vec<String>>,
    identity_center: Section<IdentityCenter>,
    policies: OrganizationPolicies,
    management_buckets: Section<Vec<Bucket>>,
    security_services: SecurityServices,
}

impl OrganizationWide {
    fn agree(shards: &[&Input]) -> Result<OrganizationWide, MergeError> {
        Ok(OrganizationWide {
            organization: agree(
                "organization",
                shards.iter().map(|i| (&*i.path, &i.snapshot.organization)),
            )?,
            organization_features: agree(
                "organization_features",
                shards
                    .iter()
                    .map(|i| (&*i.path, &i.snapshot.organization_features)),
            )?,
            identity_center: agree(
                "identity_center",
                shards
                    .iter()
                    .map(|i| (&*i.path, &i.snapshot.identity_center)),
            )?,
            policies: OrganizationPolicies {
                service_control: agree(
                    "policies.service_control",
                    shards
                        .iter()
                        .map(|i| (&*i.path, &i.snapshot.policies.service_control)),
                )?,
                resource_control: agree(
                    "policies.resource_control",
                    shards
                        .iter()
                        .map(|i| (&*i.path, &i.snapshot.policies.resource_control)),
                )?,
            },
            management_buckets: agree(
                "management_buckets",
                shards
                    .iter()
                    .map(|i| (&*i.path, &i.snapshot.management_buckets)),
            )?,
            security_services: SecurityServices {
                delegated_administrators: agree(
                    "security_services.delegated_administrators",
                    shards.iter().map(|i| {
                        (
                            &*i.path,
                            &i.snapshot.security_services.delegated_administrators,
                        )
                    }),
                )?,
                guardduty_organization: agree(
                    "security_services.guardduty_organization",
                    shards.iter().map(|i| {
                        (
                            &*i.path,
                            &i.snapshot.security_services.guardduty_organization,
                        )
                    }),
                )?,
                access_analyzers: agree(
                    "security_services.access_analyzers",
                    shards
                        .iter()
                        .map(|i| (&*i.path, &i.snapshot.security_services.access_analyzers)),
                )?,
            },
        })
    }
}

/// The accounts: each from its shard, once. Returns which file holds each
/// account, and the accounts.
fn join_accounts<'a>(
    shards: &[&'a Input],
) -> Result<(BTreeMap<String, &'a str>, Vec<Account>), MergeError> {
    let mut owner: BTreeMap<String, &str> = BTreeMap::new();
    let mut accounts: Vec<Account> = Vec::new();
    for input in shards {
        for a in &input.snapshot.accounts {
            if let Some(other) = owner.insert(a.id.clone(), &input.path) {
                return Err(MergeError::Overlap {
                    account: a.id.clone(),
                    path: other.to_string(),
                    other: input.path.clone(),
                });
            }
            accounts.push(a.clone());
        }
    }
    Ok((owner, accounts))
}

/// What the merge lacks: shards of 1..=N not given, and the accounts of the
/// organization that no shard given holds (by id, ascending).
struct Missing {
    shards: Vec<u64>,
    accounts: Vec<String>,
}

/// Adds the accounts of the organization's list that no shard holds to
/// `accounts`, with nothing collected and why, so that their rules are
/// ERROR. Every account a shard holds must be in the list.
fn add_missing_accounts(
    listed: &[OrganizationAccount],
    owner: &BTreeMap<String, &str>,
    by_shard: &BTreeMap<u64, &Input>,
    n: u64,
    management_id: &str,
    scan: &ScanInfo,
    accounts: &mut Vec<Account>,
) -> Result<Missing, MergeError> {
    let listed_ids: BTreeSet<&str> = listed.iter().map(|a| a.id.as_str()).collect();
    for (id, path) in owner {
        if !listed_ids.contains(id.as_str()) {
            return Err(MergeError::Invalid {
                path: path.to_string(),
                message: format!("account {id} is not in the organization's account list"),
            });
        }
    }
    let missing_shards: Vec<u64> = (1..=n).filter(|k| !by_shard.contains_key(k)).collect();
    let mut missing_accounts = Vec::new();
    for entry in listed {
        if owner.contains_key(&entry.id) {
            continue;
        }
        let shard = (1..=n)
            .map(|index| Shard { index, count: n })
            .find(|s| s.holds(&entry.id))
            .expect("every id is in one shard");
        let reason = match by_shard.get(&shard.index) {
            Some(input) => format!(
                "not scanned: the snapshot of shard {shard} ({}) does not hold it",
                input.path
            ),
            None => {
                format!("not scanned: the snapshot of shard {shard} is missing from the merge")
            }
        };
        let mut account = Account::from_listing(entry, entry.id == management_id);
        account.set_not_collected(&reason, &scan.regions);
        account.access = Section::not_collected(reason);
        accounts.push(account);
        missing_accounts.push(entry.id.clone());
    }
    missing_accounts.sort();
    Ok(Missing {
        shards: missing_shards,
        accounts: missing_accounts,
    })
}

impl Missing {
    /// What the reader should know of what is missing, if anything.
    fn warning(&self, n: u64) -> Option<String> {
        let shards_plural = if self.shards.len() == 1 { "" } else { "s" };
        if self.accounts.is_empty() && !self.shards.is_empty() {
            // Reported, though nothing is lost: by the organization's account
            // list, the shards not given hold no account.
            return Some(format!(
                "shard{shards_plural} {} of {n} not given; by the organization's account list {} \
                 no account, so the merged snapshot is complete",
                self.shards
                    .iter()
                    .map(u64::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
                if self.shards.len() == 1 {
                    "it holds"
                } else {
                    "they hold"
                }
            ));
        }
        if self.accounts.is_empty() {
            return None;
        }
        let shards_note = if self.shards.is_empty() {
            String::new()
        } else {
            format!(
                "shard{shards_plural} {} missing; ",
                self.shards
                    .iter()
                    .map(|k| format!("{k}/{n}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        Some(format!(
            "the merged snapshot is incomplete: {shards_note}{} account{} of the organization \
             not scanned: {}",
            self.accounts.len(),
            if self.accounts.len() == 1 { "" } else { "s" },
            self.accounts.join(", ")
        ))
    }
}

/// The management account's trails are read at organization level only
/// by a shard that lacks the management account: with it in the
/// snapshot, they are its own, as in a scan of the whole organization.
fn management_trails(
    shards: &[&Input],
    management_scanned: bool,
) -> Result<Section<CloudTrail>, MergeError> {
    if management_scanned {
        return Ok(Section::not_collected(
            "the management account is in the snapshot",
        ));
    }
    agree(
        "management_trails",
        shards
            .iter()
            .filter(|i| i.snapshot.accounts.iter().all(|a| !a.is_management))
            .map(|i| (&*i.path, &i.snapshot.management_trails)),
    )
}

/// One organization-wide section from every shard's copy: every `ok` copy
/// must be the same; the first `ok` copy is taken, or the first copy when
/// none is.
fn agree<'a, T>(
    what: &str,
    copies: impl Iterator<Item = (&'a str, &'a Section<T>)>,
) -> Result<Section<T>, MergeError>
where
    T: PartialEq + Clone + Serialize + 'a,
{
    let copies: Vec<(&str, &Section<T>)> = copies.collect();
    let Some(&(_, first)) = copies.first() else {
        return Ok(Section::not_collected("no shard read it"));
    };
    let mut taken: Option<(&str, &Section<T>)> = None;
    for &(path, copy) in &copies {
        if !copy.is_ok() {
            continue;
        }
        match taken {
            None => taken = Some((path, copy)),
            Some((taken_path, taken_copy)) => {
                if taken_copy != copy {
                    return Err(MergeError::Disagree {
                        what: what.to_string(),
                        path: taken_path.to_string(),
                        other: path.to_string(),
                        detail: first_difference(taken_copy, copy),
                    });
                }
            }
        }
    }
    Ok(taken.map_or_else(|| first.clone(), |(_, c)| c.clone()))
}

/// Where two copies of a section first differ, as a JSON path.
fn first_difference<T: Serialize>(a: &T, b: &T) -> String {
    fn walk(a: &serde_json::Value, b: &serde_json::Value, at: &mut String) -> bool {
        use serde_json::Value;
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => {
                let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
                for k in keys {
                    let len = at.len();
                    at.push('.');
                    at.push_str(k);
                    match (x.get(k), y.get(k)) {
                        (Some(p), Some(q)) => {
                            if walk(p, q, at) {
                                return true;
                            }
                        }
                        _ => return true,
                    }
                    at.truncate(len);
                }
                false
            }
            (Value::Array(x), Value::Array(y)) => {
                for (i, (p, q)) in x.iter().zip(y).enumerate() {
                    let len = at.len();
                    at.push_str(&format!("[{i}]"));
                    if walk(p, q, at) {
                        return true;
                    }
                    at.truncate(len);
                }
                if x.len() != y.len() {
                    at.push_str(&format!(" has {} elements against {}", x.len(), y.len()));
                    return true;
                }
                false
            }
            (p, q) => p != q,
        }
    }
    let (a, b) = (
        serde_json::to_value(a).unwrap_or_default(),
        serde_json::to_value(b).unwrap_or_default(),
    );
    let mut at = String::new();
    if walk(&a, &b, &mut at) {
        let at = at.trim_start_matches('.');
        if at.is_empty() {
            "the values differ".to_string()
        } else {
            format!("first at {at}")
        }
    } else {
        "the values differ".to_string()
    }
}

fn human_duration(seconds: i64) -> String {
    match seconds {
        s if s < 120 => format!("{s} s"),
        s if s < 7200 => format!("{} min", s / 60),
        s => format!("{:.1} h", s as f64 / 3600.0),
    }
}
