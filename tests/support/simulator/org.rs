//! The generated organization: N accounts whose every setting is a pure
//! function of the account's index, so that any request can be answered
//! without state and a run of any size is reproducible.
//!
//! Index 0 is the management account, 1 the log archive, 2 the audit
//! account; the others are spread over `Workloads/Team-k/{Prod,NonProd}`,
//! `Infrastructure` and `Sandbox`. The mix of good and bad settings (each
//! knob below has its own period, so that accounts combine them):
//! - every 50th account (index ≡ 17) is SUSPENDED, in `Suspended`;
//! - every 100th (≡ 13) lacks `OrganizationAccountAccessRole` (AssumeRole is
//!   denied): unreachable;
//! - root MFA off where index ≡ 0 (mod 3), virtual where ≡ 1, hardware where ≡ 2;
//!   a root access key where ≡ 3 (mod 10);
//! - no password policy where ≡ 0 (mod 5), a weak one where ≡ 1;
//! - no alias where ≡ 0 (mod 7); security / billing / operations contacts
//!   unset where ≡ 1 / 2 / 3 (mod 4);
//! - `index mod 4` IAM users (management: 2), the first an administrator;
//!   console users with and without MFA, keys old and new;
//! - a Config recorder in a region unless (index + region) ≡ 0 (mod 6),
//!   stopped where index ≡ 4 (mod 11); two managed Config rules where index
//!   is even, one of them non-compliant where ≡ 2 (mod 4);
//! - the organization trail (multi-region, logging) everywhere; a local
//!   single-region trail without log validation where ≡ 5 (mod 8), not
//!   logging where ≡ 13 (mod 16);
//! - SCPs on: `FullAWSAccess` everywhere, a guardrail (denies
//!   `organizations:LeaveOrganization`) on every top-level OU but `Sandbox`.

use std::time::{Duration, SystemTime};

/// The management account's id; member `i` is `MANAGEMENT + i`.
pub const MANAGEMENT: u64 = 100_000_000_000;
pub const ORG_ID: &str = "o-sim0000001";
pub const ROOT_ID: &str = "r-sim0";
/// The role every reachable member has.
pub const ROLE: &str = "OrganizationAccountAccessRole";
/// The regions each account has enabled.
pub const REGIONS: &[&str] = &["eu-central-1", "eu-west-1", "us-east-1", "us-west-2"];
/// Where the organization trail and the log archive bucket live.
pub const TRAIL_REGION: &str = "us-east-1";
pub const LOG_BUCKET: &str = "sim-org-log-archive";
/// The services the security account administers for the organization.
pub const DELEGATED_SERVICES: &[&str] = &[
    "guardduty.amazonaws.com",
    "securityhub.amazonaws.com",
    "access-analyzer.amazonaws.com",
];

/// The security (audit) account: the delegated administrator of
/// [`DELEGATED_SERVICES`], when the organization has one besides the log
/// archive.
pub fn security_admin(org: &Org) -> Option<usize> {
    (org.accounts > 2).then_some(2)
}
pub const FULL_ACCESS: &str = "p-FullAWSAccess";
pub const GUARDRAIL: &str = "p-simguardrail";
pub const ADMIN_POLICY: &str = "arn:aws:iam::aws:policy/AdministratorAccess";
pub const READ_ONLY_POLICY: &str = "arn:aws:iam::aws:policy/ReadOnlyAccess";

/// The organization of `accounts` accounts.
#[derive(Clone, Debug)]
pub struct Org {
    pub accounts: usize,
    /// When the simulator started: every date is relative to it.
    pub now: SystemTime,
}

/// An organizational unit: id, name, parent id, and whether the guardrail
/// SCP is attached to it.
#[derive(Clone, Debug, PartialEq)]
pub struct Ou {
    pub id: String,
    pub name: String,
    pub parent: String,
    pub guarded: bool,
}

impl Org {
    pub fn new(accounts: usize) -> Org {
        assert!(accounts >= 1, "an organization has a management account");
        Org {
            accounts,
            now: SystemTime::now(),
        }
    }

    pub fn id(&self, index: usize) -> String {
        format!("{:012}", MANAGEMENT + index as u64)
    }

    /// The index of an account id of this organization.
    pub fn index(&self, account_id: &str) -> Option<usize> {
        let n: u64 = account_id.parse().ok()?;
        let i = n.checked_sub(MANAGEMENT)? as usize;
        (account_id.len() == 12 && i < self.accounts).then_some(i)
    }

    pub fn management(&self) -> String {
        self.id(0)
    }

    /// The number of workload teams (each an OU with Prod and NonProd).
    fn teams(&self) -> usize {
        (self.accounts / 1000).max(1)
    }

    /// Every OU, parents before children.
    pub fn ous(&self) -> Vec<Ou> {
        let ou = |id: String, name: &str, parent: &str, guarded: bool| Ou {
            id,
            name: name.to_string(),
            parent: parent.to_string(),
            guarded,
        };
        let mut out = vec![
            ou("ou-sim0-security".into(), "Security", ROOT_ID, true),
            ou("ou-sim0-infra".into(), "Infrastructure", ROOT_ID, true),
            ou("ou-sim0-workloads".into(), "Workloads", ROOT_ID, true),
            ou("ou-sim0-sandbox".into(), "Sandbox", ROOT_ID, false),
            ou("ou-sim0-suspended".into(), "Suspended", ROOT_ID, true),
        ];
        for t in 0..self.teams() {
            let team = format!("ou-sim0-team{t}");
            out.push(ou(
                team.clone(),
                &format!("Team-{t}"),
                "ou-sim0-workloads",
                false,
            ));
            out.push(ou(format!("ou-sim0-team{t}-prod"), "Prod", &team, false));
            out.push(ou(
                format!("ou-sim0-team{t}-nonprod"),
                "NonProd",
                &team,
                false,
            ));
        }
        out
    }

    /// The parent (OU or root id) of account `i`.
    pub fn parent(&self, i: usize) -> String {
        match i {
            0 => ROOT_ID.to_string(),
            1 | 2 => "ou-sim0-security".to_string(),
            _ if self.suspended(i) => "ou-sim0-suspended".to_string(),
            _ => match i % 4 {
                0 => "ou-sim0-infra".to_string(),
                1 => "ou-sim0-sandbox".to_string(),
                k => {
                    let team = (i / 4) % self.teams();
                    let env = if k == 2 { "prod" } else { "nonprod" };
                    format!("ou-sim0-team{team}-{env}")
                }
            },
        }
    }

    /// The accounts directly under `parent`, in index order.
    pub fn children(&self, parent: &str) -> Vec<usize> {
        (0..self.accounts)
            .filter(|&i| self.parent(i) == parent)
            .collect()
    }

    pub fn name(&self, i: usize) -> String {
        match i {
            0 => "management".to_string(),
            1 => "log-archive".to_string(),
            2 => "audit".to_string(),
            _ => format!("workload-{i:05}"),
        }
    }

    /// Distribution lists, but every 9th member (≡ 4) a person's mailbox.
    pub fn email(&self, i: usize) -> String {
        if i % 9 == 4 {
            format!("jane.doe.{i}@example.com")
        } else {
            format!("aws+{}@example.com", self.name(i))
        }
    }

    pub fn suspended(&self, i: usize) -> bool {
        i % 50 == 17
    }

    /// Whether the audit role exists (the account can be reached).
    pub fn has_role(&self, i: usize) -> bool {
        i % 100 != 13
    }

    pub fn root_mfa(&self, i: usize) -> bool {
        i == 0 || !i.is_multiple_of(3)
    }

    /// The root user's MFA is a virtual device (else hardware).
    pub fn root_virtual_mfa(&self, i: usize) -> bool {
        self.root_mfa(i) && i % 3 == 1
    }

    pub fn root_access_key(&self, i: usize) -> bool {
        i % 10 == 3
    }

    /// `None`: no password policy; `Some(strong)`.
    pub fn password_policy(&self, i: usize) -> Option<bool> {
        match i % 5 {
            0 => None,
            1 => Some(false),
            _ => Some(true),
        }
    }

    pub fn alias(&self, i: usize) -> Option<String> {
        (!i.is_multiple_of(7)).then(|| format!("sim-{}", self.name(i)))
    }

    /// The alternate contact of `kind` (`SECURITY`, `BILLING`, `OPERATIONS`), if set.
    pub fn contact(&self, i: usize, kind: &str) -> Option<(String, String)> {
        let unset = match kind {
            "SECURITY" => 1,
            "BILLING" => 2,
            "OPERATIONS" => 3,
            _ => return None,
        };
        (i % 4 != unset).then(|| {
            (
                format!("{} team", kind.to_lowercase()),
                format!("aws-{}@example.com", kind.to_lowercase()),
            )
        })
    }

    pub fn users(&self, i: usize) -> Vec<User> {
        let n = if i == 0 { 2 } else { i % 4 };
        (0..n)
            .map(|j| {
                let console = j.is_multiple_of(2);
                User {
                    name: if j == 0 {
                        "admin".to_string()
                    } else {
                        format!("user-{j}")
                    },
                    index: j,
                    console,
                    mfa: console && !(i + j).is_multiple_of(3),
                    keys: (i + j) % 3,
                    // Old keys (400 days) where (i + j) is odd.
                    key_age_days: if (i + j) % 2 == 1 { 400 } else { 20 },
                    admin: j == 0,
                    in_admin_group: j == 1,
                }
            })
            .collect()
    }

    /// Whether a Config recorder exists in `region` (and records).
    pub fn recorder(&self, i: usize, region: &str) -> Option<bool> {
        let r = REGIONS.iter().position(|x| *x == region).unwrap_or(0);
        (!(i + r).is_multiple_of(6)).then_some(i % 11 != 4)
    }

    /// Whether EBS encryption by default is on in `region`: off in every
    /// third (account, region).
    pub fn ebs_encryption_by_default(&self, i: usize, region: &str) -> bool {
        let r = REGIONS.iter().position(|x| *x == region).unwrap_or(0);
        !(i + r).is_multiple_of(3)
    }

    /// Managed Config rules: (name, source identifier, compliant).
    pub fn config_rules(&self, i: usize) -> Vec<(&'static str, &'static str, bool)> {
        if !i.is_multiple_of(2) {
            return Vec::new();
        }
        vec![
            ("root-account-mfa-enabled", "ROOT_ACCOUNT_MFA_ENABLED", true),
            ("iam-password-policy", "IAM_PASSWORD_POLICY", i % 4 != 2),
        ]
    }

    /// The account's own trail: `Some(logging)` where it has one.
    pub fn local_trail(&self, i: usize) -> Option<bool> {
        (i % 8 == 5).then_some(i % 16 != 13)
    }

    pub fn days_ago(&self, days: u64) -> SystemTime {
        self.now - Duration::from_secs(days * 86_400)
    }
}

/// One IAM user of an account.
#[derive(Clone, Debug)]
pub struct User {
    pub name: String,
    pub index: usize,
    /// Has a console password (login profile).
    pub console: bool,
    pub mfa: bool,
    /// Number of access keys (0 to 2).
    pub keys: usize,
    pub key_age_days: u64,
    /// AdministratorAccess attached directly.
    pub admin: bool,
    /// Member of the `admins` group (AdministratorAccess).
    pub in_admin_group: bool,
}

impl User {
    pub fn key_id(&self, account: &str, k: usize) -> String {
        // 20 characters, like AWS's: AKIA + 16.
        format!("AKIA{}{}{k}", &account[8..], self.index)
            .chars()
            .chain(std::iter::repeat('X'))
            .take(20)
            .collect()
    }
}
