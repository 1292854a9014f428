//! What rules see: the snapshot as CEL values ([`super::value`]), its
//! sections unwrapped (an unavailable one is a marker,
//! [`super::unavailable`]). The organization's views (`org`, `mgmt`,
//! `scan`) are made once per evaluation; each account's when it is
//! evaluated.

use std::collections::HashMap;

use cel::common::types::{CelMap, CelMapKey};
use serde_json::Value as Json;

use super::facts_ser::{to_facts, to_readable_facts};
use super::unavailable;
use super::value::{to_val, Facts, Shared};
use crate::analysis::Accounts;
use crate::snapshot::{Account, Snapshot};

/// An account's facts as rules see them (sections unwrapped, derived facts
/// merged in), and the account's lines of [`Account::incomplete`].
pub fn account_facts(account: &Account, accounts: &Accounts<'_>) -> (Facts, Vec<String>) {
    let facts = to_facts(account).expect("account converts");
    let derived =
        to_facts(&crate::analysis::derive(account, accounts)).expect("derived facts convert");
    (
        super::merge::merge(&*facts, &*derived),
        account.incomplete(),
    )
}

/// The CEL views of one snapshot shared by all accounts: `org`, `mgmt` and
/// `scan`. Each account's own facts are converted when it is evaluated
/// ([`account_facts`]), so that only the accounts in flight are held.
pub struct SnapshotView {
    pub org: Facts,
    pub mgmt: Facts,
    pub scan: Facts,
}

impl SnapshotView {
    pub fn new(snapshot: &Snapshot, accounts: &Accounts<'_>) -> SnapshotView {
        let mgmt = match snapshot.management() {
            Some(a) => account_facts(a, accounts).0,
            None => unavailable::unknown("the snapshot has no management account"),
        };
        SnapshotView {
            org: org_view(snapshot),
            mgmt,
            scan: to_readable_facts(&snapshot.scan).expect("scan converts"),
        }
    }
}

/// The `org` variable: the organization, its features, Identity Center, its
/// policies, the management account's buckets, its security services
/// (delegated administrators, GuardDuty's organization configuration, IAM
/// Access Analyzers) and the accounts' metadata
/// (not their facts), each with `email_shared_with`: the names of (up to
/// five) other accounts that have the same root e-mail, and `scp`: the
/// account's derived SCP facts ([`crate::analysis::scp`]).
pub fn org_view(snapshot: &Snapshot) -> Facts {
    org_view_with(snapshot, Json::Array(org_accounts(snapshot)))
}

/// The `org` variable with `accounts` as given.
pub(super) fn org_view_with(snapshot: &Snapshot, accounts: Json) -> Facts {
    let org = to_readable_facts(&snapshot.organization_sections()).expect("converts");
    let map = org
        .downcast_ref::<CelMap>()
        .expect("the organization's sections are a map");
    let mut entries: HashMap<CelMapKey<'static>, Facts> = map
        .inner()
        .iter()
        .map(|(k, v)| (k.clone().into_static(), v.clone_as_boxed()))
        .collect();
    entries.insert(CelMapKey::from("accounts"), to_val(accounts));
    Shared::boxed(CelMap::from(entries))
}

/// The accounts of `org.accounts` ([`org_view`]).
pub(super) fn org_accounts(snapshot: &Snapshot) -> Vec<Json> {
    // Derived once for the organization: each account's SCP facts.
    let mut scp = crate::analysis::scp::derive(snapshot);
    // The organization's accounts: every one Organizations lists (a partial
    // scan holds only some of them), else the snapshot's.
    let management_id = snapshot
        .organization
        .data()
        .map(|o| o.management_account_id.as_str())
        .unwrap_or_default();
    let listed: Vec<Json> = match snapshot
        .organization
        .data()
        .and_then(|o| o.accounts.as_ref())
    {
        Some(all) => all
            .iter()
            .map(|a| metadata(a.clone(), a.id == management_id))
            .collect(),
        None => snapshot
            .accounts
            .iter()
            .map(|a| metadata(a.into(), a.is_management))
            .collect(),
    };
    // Accounts sharing a root e-mail (compared case-insensitively), computed
    // once here so that rules need not compare every pair of accounts.
    // Closed accounts are not judged, and their e-mail is not "in use".
    let field = |a: &Json, k: &str| a[k].as_str().unwrap_or_default().to_string();
    let mut by_email: std::collections::HashMap<String, Vec<String>> = Default::default();
    for a in listed.iter().filter(|a| a["status"] == "ACTIVE") {
        by_email
            .entry(field(a, "email").to_lowercase())
            .or_default()
            .push(field(a, "name"));
    }
    listed
        .into_iter()
        .map(|mut m| {
            let (name, email) = (field(&m, "name"), field(&m, "email").to_lowercase());
            // At most a few names: enough to say "shared with X",
            // bounded even when thousands of accounts share one.
            let others: Vec<Json> = by_email
                .get(&email)
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .filter(|n| **n != name)
                .take(5)
                .map(|n| Json::String(n.clone()))
                .collect();
            m["email_shared_with"] = Json::Array(others);
            if let Some(facts) = scp.remove(field(&m, "id").as_str()) {
                m["scp"] = serde_json::to_value(facts).expect("serializes");
            }
            m
        })
        .collect()
}

/// An account's metadata as `org.accounts` lists it.
fn metadata(a: crate::snapshot::OrganizationAccount, is_management: bool) -> Json {
    let mut m = serde_json::to_value(a).expect("serializes");
    m["is_management"] = Json::Bool(is_management);
    m
}
