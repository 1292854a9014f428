//! Service control policies: which accounts a guardrail restricts, and which
//! cannot leave the organization.
//!
//! An account is restricted by the SCPs attached to every level of its path:
//! the root, each OU down to its parent, and the account itself. At one level
//! the attached policies' `Allow` statements are a union and any `Deny` takes
//! away; across levels the permissions are intersected. So an account is
//! **guarded** when at least one level of its path restricts something
//! ([`policy::scp_restriction`]): a `Deny` (with or without a condition) or an
//! allow list that does not allow every action unconditionally. AWS's
//! `FullAWSAccess` (`p-FullAWSAccess`, `Allow * on *`) restricts nothing; so
//! does any policy of that content, whatever its name, and a policy named
//! `FullAWSAccess` that denies something is a guardrail. A level with no
//! policy attached in the snapshot is not taken as a guardrail (AWS keeps at
//! least one policy on every level while SCPs are enabled).
//!
//! An account **cannot leave** the organization when a policy attached to a
//! level of its path has a `Deny` of `organizations:LeaveOrganization` on
//! every resource ([`policy::denials_of`]) that is unconditional, or whose
//! condition only exempts principals by ARN or tag (the documented
//! break-glass or automation role of Control Tower's guardrail). A deny under
//! any other condition (a region, a time, a source IP…) leaves the action
//! open otherwise and does not count; it is listed.
//!
//! SCPs never restrict the management account: its facts say so once the
//! organization is known (not guarded, nothing denied, an empty path), and
//! the rules leave it out.
//!
//! When service control policies are not enabled on the root, nothing is
//! restricted: a fact (no account is guarded), whatever the policy listing
//! says. Otherwise a policy document that cannot be read makes a fact that
//! depends on it unknown (naming the policy), unless a readable policy
//! already settles it: a level that restricts guards the account whatever
//! the other levels hold, and one counted `Deny` is enough.

use std::collections::{BTreeMap, HashMap};

use schemars::JsonSchema;
use serde::Serialize;

use super::policy::{self, Document, PolicyError, ScpRestriction};
use super::Fact;
use crate::snapshot::{Organization, OrganizationPolicy, Snapshot};

/// The policy type of service control policies, as the root lists it.
pub const SERVICE_CONTROL_POLICY: &str = "SERVICE_CONTROL_POLICY";

/// The action a member must not be able to perform.
pub const LEAVE_ORGANIZATION: &str = "organizations:LeaveOrganization";

/// `a.scp` of one account of `org.accounts`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct AccountScp {
    /// `a.scp.guardrail`: whether an SCP on the account's path restricts it.
    pub guardrail: Fact<ScpGuardrail>,
    /// `a.scp.leave_organization`: whether an SCP on the account's path
    /// denies it `organizations:LeaveOrganization`.
    pub leave_organization: Fact<LeaveOrganization>,
}

#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct ScpGuardrail {
    /// Whether some level of the path restricts something.
    pub guarded: bool,
    /// Whether service control policies are enabled on the root.
    pub scp_enabled: bool,
    /// The levels the account's SCPs are attached to, from the root down:
    /// `root Root (r-ab12)`, `OU Root/Workloads (ou-ab12-…)`, `account prod
    /// (222222222222)`.
    pub path: Vec<String>,
    /// How the SCPs of the path restrict, one line per policy:
    /// `on OU Root/Workloads: DenyRegions (p-…): denies …`.
    pub restrictions: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct LeaveOrganization {
    /// Whether a counted `Deny` of `organizations:LeaveOrganization` is on
    /// the path.
    pub denied: bool,
    /// The policies that deny it, with where they are attached and the
    /// principals they exempt: `DenyLeave (p-…) on root Root (r-…) (except
    /// when ArnNotLike aws:PrincipalArn = …)`.
    pub denied_by: Vec<String>,
    /// Denies that do not count: their condition does more than exempt
    /// principals.
    pub conditional: Vec<String>,
}

/// One level of an account's path.
struct Level<'a> {
    id: &'a str,
    label: String,
}

/// An account of the organization: id, name, parent id.
type Listed<'a> = (&'a str, &'a str, &'a str);

/// The derived SCP facts of every account of the organization (the
/// organization's account list, else the snapshot's accounts), by id.
pub fn derive(snapshot: &Snapshot) -> HashMap<String, AccountScp> {
    let accounts: Vec<Listed> = match snapshot
        .organization
        .data()
        .and_then(|o| o.accounts.as_ref())
    {
        Some(all) => all
            .iter()
            .map(|a| (a.id.as_str(), a.name.as_str(), a.parent_id.as_str()))
            .collect(),
        None => snapshot
            .accounts
            .iter()
            .map(|a| (a.id.as_str(), a.name.as_str(), a.parent_id.as_str()))
            .collect(),
    };
    let management_id = snapshot
        .organization
        .data()
        .map(|o| o.management_account_id.as_str());
    let Some(org) = snapshot.organization.data() else {
        return unknown_all(
            &accounts,
            management_id,
            &format!(
                "organization: {}",
                snapshot
                    .organization
                    .unavailable_reason()
                    .unwrap_or_default()
            ),
        );
    };
    let enabled = org
        .roots
        .iter()
        .any(|r| r.policy_types.iter().any(|t| t == SERVICE_CONTROL_POLICY));
    if !enabled {
        return not_enabled(org, &accounts, management_id);
    }
    let policies = match snapshot.policies.service_control.data() {
        Some(p) => p,
        None => {
            return unknown_all(
                &accounts,
                management_id,
                &format!(
                    "service control policies: {}",
                    snapshot
                        .policies
                        .service_control
                        .unavailable_reason()
                        .unwrap_or_default()
                ),
            )
        }
    };
    let judged = Judged::new(policies);
    accounts
        .iter()
        .map(|&(id, name, parent)| {
            if Some(id) == management_id {
                return (id.to_string(), management(true));
            }
            let facts = match path(org, id, name, parent) {
                Ok(levels) => AccountScp {
                    guardrail: judged.guardrail(&levels),
                    leave_organization: judged.leave(&levels),
                },
                Err(why) => unknown(&why),
            };
            (id.to_string(), facts)
        })
        .collect()
}

/// The management account: no SCP applies to it.
fn management(scp_enabled: bool) -> AccountScp {
    AccountScp {
        guardrail: Fact::Known(ScpGuardrail {
            scp_enabled,
            ..ScpGuardrail::default()
        }),
        leave_organization: Fact::Known(LeaveOrganization::default()),
    }
}

/// An account whose SCP facts cannot be told, and why.
fn unknown(why: &str) -> AccountScp {
    AccountScp {
        guardrail: Fact::Unknown(format!("SCP guardrails unknown: {why}")),
        leave_organization: Fact::Unknown(format!(
            "SCP denial of {LEAVE_ORGANIZATION} unknown: {why}"
        )),
    }
}

/// Every account's SCP facts unknown (but the management account's), and why.
fn unknown_all(
    accounts: &[Listed],
    management_id: Option<&str>,
    why: &str,
) -> HashMap<String, AccountScp> {
    accounts
        .iter()
        .map(|(id, _, _)| {
            if Some(*id) == management_id {
                return (id.to_string(), management(true));
            }
            (id.to_string(), unknown(why))
        })
        .collect()
}

/// SCPs not enabled: nothing is restricted, a fact whatever else is known.
fn not_enabled(
    org: &Organization,
    accounts: &[Listed],
    management_id: Option<&str>,
) -> HashMap<String, AccountScp> {
    accounts
        .iter()
        .map(|&(id, name, parent)| {
            if Some(id) == management_id {
                return (id.to_string(), management(false));
            }
            let labels: Vec<String> = path(org, id, name, parent)
                .map(|levels| levels.into_iter().map(|l| l.label).collect())
                .unwrap_or_default();
            (
                id.to_string(),
                AccountScp {
                    guardrail: Fact::Known(ScpGuardrail {
                        guarded: false,
                        scp_enabled: false,
                        path: labels,
                        restrictions: Vec::new(),
                    }),
                    leave_organization: Fact::Known(LeaveOrganization::default()),
                },
            )
        })
        .collect()
}

/// The levels from the root down to the account, or why they cannot be
/// told (an OU tree that does not lead to a root).
fn path<'a>(
    org: &'a Organization,
    id: &'a str,
    name: &str,
    parent: &'a str,
) -> Result<Vec<Level<'a>>, String> {
    let mut up = vec![Level {
        id,
        label: format!("account {name} ({id})"),
    }];
    let mut at = parent;
    // Each OU at most once: a cycle in a hostile snapshot ends here.
    for _ in 0..=org.organizational_units.len() {
        if let Some(root) = org.roots.iter().find(|r| r.id == at) {
            up.push(Level {
                id: &root.id,
                label: format!("root {} ({})", root.name, root.id),
            });
            up.reverse();
            return Ok(up);
        }
        let Some(ou) = org.organizational_units.iter().find(|o| o.id == at) else {
            return Err(format!(
                "the parent {at} on the path of account {id} is neither a root nor an OU of the organization"
            ));
        };
        up.push(Level {
            id: &ou.id,
            label: format!("OU {} ({})", ou.path, ou.id),
        });
        at = &ou.parent_id;
    }
    Err(format!(
        "the OU tree above account {id} does not lead to a root"
    ))
}

/// One policy's denials of leaving, or why its document cannot be read.
type Denials = Result<Vec<policy::ActionDenial>, PolicyError>;

/// The policies judged once: each target's restriction, each policy's
/// denials of leaving.
struct Judged<'a> {
    /// Per target id: what its policies together restrict.
    by_target: HashMap<&'a str, Result<ScpRestriction, PolicyError>>,
    /// Per target id: per policy, its label and its denials of leaving.
    leave_by_target: HashMap<&'a str, Vec<(String, Denials)>>,
}

impl<'a> Judged<'a> {
    fn new(policies: &'a [OrganizationPolicy]) -> Judged<'a> {
        let documents: Vec<serde_json::Value> =
            policies.iter().map(|p| p.document.parse()).collect();
        let labels: Vec<String> = policies
            .iter()
            .map(|p| format!("{} ({})", p.name, p.id))
            .collect();
        let leave: Vec<Denials> = (0..policies.len())
            .map(|i| {
                policy::denials_of(
                    &Document {
                        label: &labels[i],
                        document: &documents[i],
                    },
                    LEAVE_ORGANIZATION,
                )
            })
            .collect();
        let mut attached: BTreeMap<&'a str, Vec<usize>> = BTreeMap::new();
        for (i, p) in policies.iter().enumerate() {
            for t in &p.targets {
                attached.entry(t.target_id.as_str()).or_default().push(i);
            }
        }
        let mut by_target = HashMap::new();
        let mut leave_by_target = HashMap::new();
        for (target, indices) in attached {
            let docs: Vec<Document> = indices
                .iter()
                .map(|&i| Document {
                    label: &labels[i],
                    document: &documents[i],
                })
                .collect();
            by_target.insert(target, policy::scp_restriction(&docs));
            leave_by_target.insert(
                target,
                indices
                    .iter()
                    .map(|&i| (labels[i].clone(), leave[i].clone()))
                    .collect(),
            );
        }
        Judged {
            by_target,
            leave_by_target,
        }
    }

    fn guardrail(&self, levels: &[Level<'_>]) -> Fact<ScpGuardrail> {
        let mut restrictions = Vec::new();
        let mut unreadable: Option<String> = None;
        for level in levels {
            match self.by_target.get(level.id) {
                None => {}
                Some(Ok(r)) => {
                    restrictions.extend(r.by.iter().map(|how| format!("on {}: {how}", level.label)))
                }
                Some(Err(e)) => {
                    unreadable.get_or_insert_with(|| format!("on {}: {e}", level.label));
                }
            }
        }
        if restrictions.is_empty() {
            if let Some(why) = unreadable {
                return Fact::Unknown(format!(
                    "SCP guardrails unknown: a policy cannot be read: {why}"
                ));
            }
        }
        Fact::Known(ScpGuardrail {
            guarded: !restrictions.is_empty(),
            scp_enabled: true,
            path: levels.iter().map(|l| l.label.clone()).collect(),
            restrictions,
        })
    }

    fn leave(&self, levels: &[Level<'_>]) -> Fact<LeaveOrganization> {
        let mut out = LeaveOrganization::default();
        let mut unreadable: Option<String> = None;
        for level in levels {
            for (label, denials) in self.leave_by_target.get(level.id).into_iter().flatten() {
                match denials {
                    Ok(denials) => {
                        for d in denials {
                            let at = format!("{label} on {}", level.label);
                            match (&d.condition, d.exempts_principals_only) {
                                (None, _) => out.denied_by.push(at),
                                (Some(c), true) => {
                                    out.denied_by.push(format!("{at} (except when {c})"))
                                }
                                (Some(c), false) => {
                                    out.conditional.push(format!("{at} (only when {c})"))
                                }
                            }
                        }
                    }
                    Err(e) => {
                        unreadable.get_or_insert_with(|| format!("on {}: {e}", level.label));
                    }
                }
            }
        }
        out.denied = !out.denied_by.is_empty();
        match unreadable {
            Some(why) if !out.denied => Fact::Unknown(format!(
                "SCP denial of {LEAVE_ORGANIZATION} unknown: a policy cannot be read: {why}"
            )),
            _ => Fact::Known(out),
        }
    }
}
