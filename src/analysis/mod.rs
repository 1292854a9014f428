//! Derived facts: what the collected data means, computed once in typed Rust
//! and read by rules.
//!
//! Collectors record what AWS answered; rules judge. In between, this module
//! answers the questions whose answer is not a field of any API response:
//! who is an administrator by effective permissions ([`policy`]), what a
//! trail really records and delivers ([`trail`]), which accounts a service
//! control policy guards and keeps in the organization ([`scp`]), which Config rule reports
//! what, what percentage of its budget a notification fires at. Rules read
//! these facts instead of restating the logic in CEL, and a saved snapshot is
//! derived again when it is evaluated, so `eval` of last month's snapshot
//! uses today's understanding.
//!
//! The derived facts of an account mirror the shape of the account (its
//! users, trails, budgets…, in the same order) and are merged into the facts
//! rules see: `u.admin` on each IAM user, `t.effective` on each trail,
//! `n.threshold_percent` on each budget notification, and
//! `account.config_rule_results`; the organization's facts are merged into
//! `org.accounts` (`a.scp` on each account). A fact that cannot be established (a policy
//! that cannot be read, an organization trail whose owner is not in the
//! snapshot) is *unknown*: rules that read it are ERROR with the reason,
//! never PASS.

pub mod policy;
pub mod scp;
pub mod trail;

use std::collections::{BTreeMap, HashMap};

use schemars::JsonSchema;
use serde::{Serialize, Serializer};

use crate::snapshot::{Account, Iam, IamUser, ManagedPolicy, Section};
use policy::{AdminAnalysis, Document};
use trail::TrailEffective;

/// The key of the map that stands for a fact that is not known: the same
/// marker rules see for a section that could not be read.
pub const UNKNOWN_KEY: &str = "__unavailable__";

/// A derived fact, or why it is not known.
#[derive(Debug, Clone, PartialEq)]
pub enum Fact<T> {
    Known(T),
    Unknown(String),
}

impl<T> Fact<T> {
    pub fn known(&self) -> Option<&T> {
        match self {
            Fact::Known(t) => Some(t),
            Fact::Unknown(_) => None,
        }
    }
}

impl<T: Serialize> Serialize for Fact<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Fact::Known(t) => t.serialize(serializer),
            Fact::Unknown(reason) => {
                use serde::ser::SerializeMap;
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry(UNKNOWN_KEY, reason)?;
                map.end()
            }
        }
    }
}

impl<T: JsonSchema> JsonSchema for Fact<T> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        T::schema_name()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        T::json_schema(generator)
    }
}

/// The derived facts of one account, in the account's shape.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct AccountDerived {
    /// `account.reach`: whether the scan reached the account, and how;
    /// unknown when it did not try (the account's shard is missing from a
    /// merge, or the snapshot lacks `access`).
    pub reach: Fact<Reach>,
    pub iam: IamDerived,
    pub cloudtrail: CloudTrailDerived,
    pub budgets: Vec<BudgetDerived>,
    /// Every AWS Config rule of every audited region with its compliance,
    /// one element per rule (`account.config_rule_results`). A region whose
    /// rules or compliance could not be read is one unknown element.
    pub config_rule_results: Vec<Fact<ConfigRuleResult>>,
}

/// How the scan reached an account.
#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct Reach {
    /// The scan tried and got in (`access` is ok); false when every way in
    /// failed (`access` is an error).
    pub reached: bool,
    /// `assumed_role` or `caller`; null when not reached.
    pub method: Option<String>,
    /// The name of the role assumed: the last part of `access.role_arn`
    /// (`arn:aws:iam::…:role/path/NAME`); null when no role was assumed.
    pub role_name: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct IamDerived {
    /// One per user of `iam.users`, in its order.
    pub users: Vec<UserDerived>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct UserDerived {
    /// `u.admin`: whether the user may perform every action on every
    /// resource, and which policies make it so.
    pub admin: Fact<AdminAnalysis>,
}

#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct CloudTrailDerived {
    /// One per trail of `cloudtrail.trails`, in its order.
    pub trails: Vec<TrailDerived>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TrailDerived {
    /// `t.effective`: what the trail records and delivers.
    pub effective: Fact<TrailEffective>,
}

#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct BudgetDerived {
    /// One per notification of the budget, in its order.
    pub notifications: Vec<NotificationDerived>,
}

#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct NotificationDerived {
    /// `n.threshold_percent`: the threshold as a percentage of the budget
    /// limit (an `ABSOLUTE_VALUE` threshold divided by the limit); null when
    /// the limit is not a positive number.
    pub threshold_percent: Option<f64>,
}

/// One AWS Config rule of one region, joined with its compliance.
#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct ConfigRuleResult {
    pub region: String,
    pub name: String,
    pub arn: String,
    pub source_owner: String,
    pub source_identifier: Option<String>,
    /// `ACTIVE`, `DELETING`, `EVALUATING`…
    pub state: Option<String>,
    /// `COMPLIANT`, `NON_COMPLIANT`, `INSUFFICIENT_DATA`; null when AWS
    /// reported no result for the rule.
    pub compliance_type: Option<String>,
}

/// The accounts of a snapshot by id, and the management account's trails
/// read at organization level: an organization trail seen from a member is
/// judged from its owner's copy.
pub struct Accounts<'a> {
    pub by_id: HashMap<&'a str, &'a Account>,
    pub management_id: &'a str,
    pub management_trails: &'a Section<crate::snapshot::CloudTrail>,
}

impl<'a> Accounts<'a> {
    pub fn of(snapshot: &'a crate::snapshot::Snapshot) -> Accounts<'a> {
        Accounts {
            by_id: snapshot
                .accounts
                .iter()
                .map(|a| (a.id.as_str(), a))
                .collect(),
            management_id: snapshot
                .organization
                .data()
                .map(|o| o.management_account_id.as_str())
                .unwrap_or_default(),
            management_trails: &snapshot.management_trails,
        }
    }
}

/// Derives the facts of `account`.
pub fn derive(account: &Account, accounts: &Accounts<'_>) -> AccountDerived {
    AccountDerived {
        reach: reach(&account.access),
        iam: IamDerived {
            users: account
                .iam
                .users
                .data()
                .map(|users| {
                    users
                        .iter()
                        .map(|u| UserDerived {
                            admin: administrator(&account.iam, u),
                        })
                        .collect()
                })
                .unwrap_or_default(),
        },
        cloudtrail: CloudTrailDerived {
            trails: account
                .cloudtrail
                .data()
                .map(|ct| {
                    ct.trails
                        .iter()
                        .map(|t| TrailDerived {
                            effective: trail_effective(account, t, accounts),
                        })
                        .collect()
                })
                .unwrap_or_default(),
        },
        budgets: account
            .budgets
            .data()
            .map(|budgets| {
                budgets
                    .iter()
                    .map(|b| BudgetDerived {
                        notifications: b
                            .notifications
                            .iter()
                            .map(|n| NotificationDerived {
                                threshold_percent: threshold_percent(
                                    n.threshold,
                                    n.threshold_type.as_deref(),
                                    b.limit_amount.as_deref(),
                                ),
                            })
                            .collect(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        config_rule_results: config_rule_results(account),
    }
}

/// `account.reach`. The role's name is taken from the ARN AWS issued the
/// session for; a recorded `role_name` that names another role makes the
/// snapshot contradict itself, and the fact unknown.
fn reach(access: &Section<crate::snapshot::AccountAccess>) -> Fact<Reach> {
    match access {
        Section::Ok { data } => {
            let from_arn = data.role_arn.as_deref().and_then(|arn| {
                let (_, resource) = arn.split_once(":role/")?;
                resource.rsplit('/').next().map(str::to_string)
            });
            match (&data.role_name, &from_arn) {
                (Some(recorded), Some(name)) if recorded != name => {
                    return Fact::Unknown(format!(
                        "the account's access records the role {recorded}, but its role_arn \
                         names {name}"
                    ))
                }
                (Some(recorded), None) if data.method == "assumed_role" => {
                    return Fact::Unknown(format!(
                        "the account's access records the role {recorded} without its role_arn"
                    ))
                }
                _ => {}
            }
            Fact::Known(Reach {
                reached: true,
                method: Some(data.method.clone()),
                role_name: from_arn,
            })
        }
        Section::Error { .. } => Fact::Known(Reach {
            reached: false,
            method: None,
            role_name: None,
        }),
        Section::NotCollected { reason } => Fact::Unknown(format!(
            "the scan did not try to reach the account: {reason}"
        )),
    }
}

/// Why a section is unavailable, as rules word it.
fn unavailable<T>(section: &Section<T>) -> Option<String> {
    section.unavailable_reason()
}

/// `u.admin` of one user.
fn administrator(iam: &Iam, user: &IamUser) -> Fact<AdminAnalysis> {
    let unknown = |why: String| Fact::Unknown(format!("administrator status unknown: {why}"));
    let Some(policies) = iam.policies.data() else {
        return unknown(format!(
            "managed policy documents: {}",
            unavailable(&iam.policies).unwrap_or_default()
        ));
    };
    let by_arn: BTreeMap<&str, &ManagedPolicy> =
        policies.iter().map(|p| (p.arn.as_str(), p)).collect();
    let mut labels: Vec<String> = Vec::new();
    let mut docs: Vec<serde_json::Value> = Vec::new();
    let managed =
        |arn: &str, name: &str, whose: &str| -> Result<(String, serde_json::Value), String> {
            match by_arn.get(arn) {
                Some(p) => Ok((format!("{name} ({arn}){whose}"), p.document.parse())),
                None => Err(format!(
                    "the document of managed policy {arn} is not in the snapshot"
                )),
            }
        };
    for p in &user.attached_policies {
        match managed(&p.arn, &p.name, "") {
            Ok((l, d)) => {
                labels.push(l);
                docs.push(d);
            }
            Err(e) => return unknown(e),
        }
    }
    let Some(inline) = user.inline_policies.data() else {
        return unknown(format!(
            "inline policies of {}: {}",
            user.name,
            unavailable(&user.inline_policies).unwrap_or_default()
        ));
    };
    for p in inline {
        labels.push(format!("inline policy {}", p.name));
        docs.push(p.document.parse());
    }
    for g in &user.groups {
        let whose = format!(" of group {}", g.name);
        for p in &g.attached_policies {
            match managed(&p.arn, &p.name, &whose) {
                Ok((l, d)) => {
                    labels.push(l);
                    docs.push(d);
                }
                Err(e) => return unknown(e),
            }
        }
        let Some(inline) = g.inline_policies.data() else {
            return unknown(format!(
                "inline policies of group {}: {}",
                g.name,
                unavailable(&g.inline_policies).unwrap_or_default()
            ));
        };
        for p in inline {
            labels.push(format!("inline policy {} of group {}", p.name, g.name));
            docs.push(p.document.parse());
        }
    }
    let boundary = match &user.permissions_boundary {
        Section::Ok { data: None } => None,
        Section::Ok { data: Some(b) } => {
            match managed(&b.arn, &b.name, " (permissions boundary)") {
                Ok(found) => Some(found),
                Err(e) => return unknown(e),
            }
        }
        other => {
            return unknown(format!(
                "permissions boundary of {}: {}",
                user.name,
                unavailable(other).unwrap_or_default()
            ))
        }
    };
    let identity: Vec<Document> = labels
        .iter()
        .zip(&docs)
        .map(|(label, document)| Document { label, document })
        .collect();
    let boundary_doc = boundary
        .as_ref()
        .map(|(label, document)| Document { label, document });
    match policy::administrator(&identity, boundary_doc.as_ref()) {
        Ok(a) => Fact::Known(a),
        Err(e) => unknown(e.to_string()),
    }
}

/// `t.effective` of one trail seen in `account`: judged from the copy of the
/// account that owns it (its ARN's account), which is `account` itself but
/// for an organization trail seen from a member.
fn trail_effective(
    account: &Account,
    t: &crate::snapshot::Trail,
    accounts: &Accounts<'_>,
) -> Fact<TrailEffective> {
    let owner = t.arn.split(':').nth(4).unwrap_or_default();
    if owner == account.id || owner.is_empty() {
        return Fact::Known(trail::effective(t, &account.id));
    }
    let unknown = |why: String| {
        Fact::Unknown(format!(
            "trail {} belongs to account {owner} and is judged there: {why}",
            t.arn
        ))
    };
    let owner_trails = match accounts.by_id.get(owner) {
        Some(a) => &a.cloudtrail,
        // Not scanned (a partial scan): the management account's trails are
        // read at organization level.
        None if owner == accounts.management_id && !accounts.management_trails.is_ok() => {
            return unknown(format!(
                "that account is not in this snapshot, and its trails were not read: {}",
                unavailable(accounts.management_trails).unwrap_or_default()
            ))
        }
        None if owner == accounts.management_id => accounts.management_trails,
        None => return unknown("that account is not in this snapshot".to_string()),
    };
    let Some(ct) = owner_trails.data() else {
        return unknown(unavailable(owner_trails).unwrap_or_default());
    };
    match ct.trails.iter().find(|o| o.arn == t.arn) {
        Some(o) => Fact::Known(trail::effective(o, owner)),
        None => unknown("it is not among that account's trails".to_string()),
    }
}

/// A notification's threshold as a percentage of the budget limit.
pub fn threshold_percent(threshold: f64, kind: Option<&str>, limit: Option<&str>) -> Option<f64> {
    match kind {
        None | Some("PERCENTAGE") => Some(threshold),
        Some("ABSOLUTE_VALUE") => {
            let limit: f64 = limit?.trim().parse().ok()?;
            (limit > 0.0 && limit.is_finite()).then(|| threshold / limit * 100.0)
        }
        Some(_) => None,
    }
}

/// `account.config_rule_results`: rules joined with their compliance, by
/// name, in one pass per region.
fn config_rule_results(account: &Account) -> Vec<Fact<ConfigRuleResult>> {
    let mut out = Vec::new();
    for region in &account.config {
        let (rules, compliance) = match (region.rules.data(), region.compliance.data()) {
            (Some(r), Some(c)) => (r, c),
            _ => {
                let reason = unavailable(&region.rules)
                    .or_else(|| unavailable(&region.compliance))
                    .unwrap_or_default();
                out.push(Fact::Unknown(format!(
                    "AWS Config rules in {}: {reason}",
                    region.region
                )));
                continue;
            }
        };
        let by_name: HashMap<&str, &str> = compliance
            .iter()
            .map(|c| (c.rule_name.as_str(), c.compliance_type.as_str()))
            .collect();
        out.extend(rules.iter().map(|r| {
            Fact::Known(ConfigRuleResult {
                region: region.region.clone(),
                name: r.name.clone(),
                arn: r.arn.clone(),
                source_owner: r.source_owner.clone(),
                source_identifier: r.source_identifier.clone(),
                state: r.state.clone(),
                compliance_type: by_name.get(r.name.as_str()).map(|c| c.to_string()),
            })
        }));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_as_percentages() {
        assert_eq!(
            threshold_percent(80.0, Some("PERCENTAGE"), Some("10")),
            Some(80.0)
        );
        assert_eq!(threshold_percent(80.0, None, None), Some(80.0));
        assert_eq!(
            threshold_percent(50.0, Some("ABSOLUTE_VALUE"), Some("1000.0")),
            Some(5.0)
        );
        assert_eq!(
            threshold_percent(50.0, Some("ABSOLUTE_VALUE"), Some("0")),
            None
        );
        assert_eq!(
            threshold_percent(50.0, Some("ABSOLUTE_VALUE"), Some("x")),
            None
        );
        assert_eq!(threshold_percent(50.0, Some("ABSOLUTE_VALUE"), None), None);
        assert_eq!(threshold_percent(50.0, Some("OTHER"), Some("10")), None);
    }
}
