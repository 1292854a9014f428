//! Which sections of a snapshot are available, answered once, on the typed
//! model: [`Sections::walk`] visits every [`Section`] of a value in the
//! order the snapshot's JSON lists them, with the path that leads there and
//! whether its facts were read. Counting failures, naming what failed in a
//! report, and listing the paths rules may read through all walk the same
//! way.

use serde::Serialize;

use super::model::*;

/// Why a section's facts are unavailable.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Unavailable<'a> {
    /// Reading them failed.
    Failed(&'a CollectError),
    /// Nobody tried, for this reason.
    NotCollected(&'a str),
}

impl Unavailable<'_> {
    /// Whether reading was tried and failed (the scan is incomplete), rather
    /// than not tried.
    pub fn is_failure(&self) -> bool {
        matches!(self, Unavailable::Failed(_))
    }
}

/// One line: `iam:ListUsers failed: AccessDenied`, `not collected: …`.
impl std::fmt::Display for Unavailable<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unavailable::Failed(error) => error.fmt(f),
            Unavailable::NotCollected(reason) => write!(f, "not collected: {reason}"),
        }
    }
}

impl<T> Section<T> {
    /// Why the facts are unavailable; `None` when they were read.
    pub fn unavailable(&self) -> Option<Unavailable<'_>> {
        match self {
            Section::Ok { .. } => None,
            Section::Error { error } => Some(Unavailable::Failed(error)),
            Section::NotCollected { reason } => Some(Unavailable::NotCollected(reason)),
        }
    }
    /// [`Section::unavailable`] in one line.
    pub fn unavailable_reason(&self) -> Option<String> {
        self.unavailable().map(|u| u.to_string())
    }
}

/// A step on the path to a section, as the snapshot's JSON spells it: a
/// field, or an element of a list (named by its region when it has one).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Step<'a> {
    Field(&'static str),
    Region(&'a str),
    Index(usize),
}

/// The path to a section, outermost step first.
pub type SectionPath<'a> = [Step<'a>];

/// A value that holds sections.
pub trait Sections {
    /// Calls `visit` with each section in `self` (its path below `at`, and
    /// why it is unavailable, `None` when it was read), outer before inner,
    /// in the order of the snapshot's JSON; a section's data is walked only
    /// when it was read.
    fn walk<'a>(
        &'a self,
        at: &mut Vec<Step<'a>>,
        visit: &mut dyn FnMut(&SectionPath<'a>, Option<Unavailable<'a>>),
    );

    /// The region that names this value as an element of a list.
    fn region(&self) -> Option<&str> {
        None
    }

    /// The sections that failed (not those never collected), with their paths.
    fn failed_sections(&self) -> Vec<(Vec<Step<'_>>, &CollectError)> {
        let mut out = Vec::new();
        self.walk(&mut Vec::new(), &mut |at, unavailable| {
            if let Some(Unavailable::Failed(error)) = unavailable {
                out.push((at.to_vec(), error));
            }
        });
        out
    }

    /// How many sections failed.
    fn error_count(&self) -> usize {
        let mut n = 0;
        self.walk(&mut Vec::new(), &mut |_, unavailable| {
            n += usize::from(unavailable.is_some_and(|u| u.is_failure()));
        });
        n
    }
}

impl<T: Sections> Sections for Section<T> {
    fn walk<'a>(
        &'a self,
        at: &mut Vec<Step<'a>>,
        visit: &mut dyn FnMut(&SectionPath<'a>, Option<Unavailable<'a>>),
    ) {
        visit(at, self.unavailable());
        if let Section::Ok { data } = self {
            data.walk(at, visit);
        }
    }
}

impl<T: Sections> Sections for Vec<T> {
    fn walk<'a>(
        &'a self,
        at: &mut Vec<Step<'a>>,
        visit: &mut dyn FnMut(&SectionPath<'a>, Option<Unavailable<'a>>),
    ) {
        for (i, item) in self.iter().enumerate() {
            at.push(item.region().map_or(Step::Index(i), Step::Region));
            item.walk(at, visit);
            at.pop();
        }
    }
}

impl<T: Sections> Sections for Option<T> {
    fn walk<'a>(
        &'a self,
        at: &mut Vec<Step<'a>>,
        visit: &mut dyn FnMut(&SectionPath<'a>, Option<Unavailable<'a>>),
    ) {
        if let Some(value) = self {
            value.walk(at, visit);
        }
    }
}

/// Facts with no section inside.
macro_rules! no_sections {
    ($($t:ty),* $(,)?) => {
        $(impl Sections for $t {
            fn walk<'a>(&'a self, _: &mut Vec<Step<'a>>, _: &mut dyn FnMut(&SectionPath<'a>, Option<Unavailable<'a>>)) {}
        })*
    };
}

no_sections!(
    String,
    bool,
    ScanInfo,
    Organization,
    Bucket,
    IdentityCenter,
    CloudTrail,
    OrganizationPolicy,
    AccountAccess,
    AlternateContacts,
    PublicAccessBlock,
    GuardDutyDetector,
    SecurityHub,
    DelegatedAdministrator,
    GuardDutyOrganizationConfiguration,
    Analyzer,
    IamSummary,
    PasswordPolicy,
    CredentialReport,
    VirtualMfaDevice,
    ManagedPolicy,
    InlinePolicy,
    PolicyRef,
    ConfigRecording,
    ConfigRule,
    ConfigRuleCompliance,
    DeliveryChannelStatus,
    Subscriber,
    AnomalyMonitor,
    AnomalySubscription,
);

/// A struct's fields that hold sections, in declaration order (the order of
/// the JSON); `region` names the struct as an element of a list.
macro_rules! sections {
    ($t:ty { $($field:ident),* $(,)? } $(region: $region:ident)?) => {
        impl Sections for $t {
            fn walk<'a>(&'a self, at: &mut Vec<Step<'a>>, visit: &mut dyn FnMut(&SectionPath<'a>, Option<Unavailable<'a>>)) {
                $(
                    at.push(Step::Field(stringify!($field)));
                    self.$field.walk(at, visit);
                    at.pop();
                )*
            }
            $(fn region(&self) -> Option<&str> {
                Some(&self.$region)
            })?
        }
    };
}

sections!(Account {
    access,
    enabled_regions,
    iam,
    alternate_contacts,
    cloudtrail,
    config,
    budgets,
    cost_anomaly,
    s3_public_access_block,
    protections,
});
sections!(Iam {
    summary,
    password_policy,
    credential_report,
    users,
    virtual_mfa_devices,
    aliases,
    policies,
});
sections!(IamUser {
    groups,
    inline_policies,
    permissions_boundary
});
sections!(IamGroup { inline_policies });
sections!(ConfigRegion { recording, rules, compliance, delivery_status } region: region);
sections!(Budget { notifications });
sections!(BudgetNotification { subscribers });
sections!(CostAnomaly {
    monitors,
    subscriptions
});
sections!(RegionProtections {
    guardduty_detectors,
    securityhub,
    ebs_encryption_by_default
} region: region);
sections!(OrganizationPolicies {
    service_control,
    resource_control
});
sections!(SecurityServices {
    delegated_administrators,
    guardduty_organization,
    access_analyzers
});
sections!(GuardDutyOrganization { configuration } region: region);
sections!(AccountAnalyzers { analyzers } region: region);

/// The parts of a snapshot about the organization as a whole: what rules
/// read in `org` besides the accounts' metadata (serialized with the names
/// rules read them by), and whose failures make the scan incomplete (named
/// by the snapshot's fields), in the order `org` lists them.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct OrganizationSections<'a> {
    pub organization: &'a Section<Organization>,
    #[serde(rename = "features")]
    pub organization_features: &'a Section<Vec<String>>,
    pub identity_center: &'a Section<IdentityCenter>,
    pub policies: &'a OrganizationPolicies,
    pub management_buckets: &'a Section<Vec<Bucket>>,
    pub security_services: &'a SecurityServices,
}

impl OrganizationSections<'_> {
    /// The name rules read a field of [`OrganizationSections`] by, in `org`.
    pub fn view_name(field: &str) -> &str {
        match field {
            "organization_features" => "features",
            other => other,
        }
    }
}

sections!(OrganizationSections<'_> {
    organization,
    organization_features,
    identity_center,
    policies,
    management_buckets,
    security_services,
});

impl<T: Sections + ?Sized> Sections for &T {
    fn walk<'a>(
        &'a self,
        at: &mut Vec<Step<'a>>,
        visit: &mut dyn FnMut(&SectionPath<'a>, Option<Unavailable<'a>>),
    ) {
        (**self).walk(at, visit)
    }
    fn region(&self) -> Option<&str> {
        (**self).region()
    }
}

impl Snapshot {
    /// The parts about the organization as a whole ([`OrganizationSections`]).
    pub fn organization_sections(&self) -> OrganizationSections<'_> {
        OrganizationSections {
            organization: &self.organization,
            organization_features: &self.organization_features,
            identity_center: &self.identity_center,
            policies: &self.policies,
            management_buckets: &self.management_buckets,
            security_services: &self.security_services,
        }
    }
}

/// A path as the report names it: `iam.users[3].inline_policies`,
/// `config[us-east-1].recording`.
pub fn path_text(path: &SectionPath<'_>) -> String {
    let mut s = String::new();
    for step in path {
        match step {
            Step::Field(name) => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(name);
            }
            Step::Region(region) => {
                s.push('[');
                s.push_str(region);
                s.push(']');
            }
            Step::Index(i) => {
                s.push_str(&format!("[{i}]"));
            }
        }
    }
    s
}

impl Snapshot {
    /// The organization's sections that failed, one line each
    /// (`organization: policies.service_control: organizations:ListPolicies
    /// failed: AccessDenied`); the accounts' are [`Account::incomplete`].
    pub fn organization_incomplete(&self) -> Vec<String> {
        self.organization_sections()
            .failed_sections()
            .into_iter()
            .map(|(path, error)| format!("organization: {}: {error}", path_text(&path)))
            .collect()
    }
}

impl Account {
    /// The account's sections that failed, one line each:
    /// `account 111111111111 (dev): iam.users: iam:ListUsers failed: AccessDenied`.
    /// Sections never attempted because of another failure are not repeated.
    pub fn incomplete(&self) -> Vec<String> {
        self.failed_sections()
            .into_iter()
            .map(|(path, error)| {
                format!(
                    "account {} ({}): {}: {}",
                    self.id,
                    self.name,
                    path_text(&path),
                    error
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The walk finds every section of the reference snapshot (which has
    /// every field): as many as its JSON has objects of a section's shape.
    #[test]
    fn walk_finds_every_section() {
        fn json_sections(v: &serde_json::Value) -> usize {
            match v {
                serde_json::Value::Object(m) => {
                    let own = usize::from(
                        m.len() == 2
                            && matches!(
                                m.get("status").and_then(|s| s.as_str()),
                                Some("ok" | "error" | "not_collected")
                            ),
                    );
                    own + m.values().map(json_sections).sum::<usize>()
                }
                serde_json::Value::Array(a) => a.iter().map(json_sections).sum(),
                _ => 0,
            }
        }
        let json = crate::snapshot::reference::reference_snapshot_json();
        let snapshot: Snapshot = serde_json::from_value(json).unwrap();
        let mut typed = 0;
        snapshot
            .organization_sections()
            .walk(&mut Vec::new(), &mut |_, _| typed += 1);
        snapshot
            .management_trails
            .walk(&mut Vec::new(), &mut |_, _| typed += 1);
        for account in &snapshot.accounts {
            account.walk(&mut Vec::new(), &mut |_, _| typed += 1);
        }
        let json = serde_json::to_value(&snapshot).unwrap();
        assert!(typed > 30, "{typed}");
        assert_eq!(typed, json_sections(&json));
    }

    #[test]
    fn failures_are_named_by_their_path() {
        let error = CollectError {
            operation: "config:DescribeConfigRules".into(),
            code: "AccessDenied".into(),
            message: String::new(),
            region: Some("eu-west-1".into()),
        };
        let account = Account {
            id: "111111111111".into(),
            name: "dev".into(),
            config: vec![ConfigRegion {
                region: "eu-west-1".into(),
                recording: Section::ok(ConfigRecording::default()),
                rules: Section::error(error.clone()),
                compliance: Section::not_collected("skipped"),
                delivery_status: Section::ok(Vec::new()),
            }],
            ..Account::default()
        };
        assert_eq!(account.error_count(), 1);
        assert_eq!(
            account.incomplete(),
            [format!(
                "account 111111111111 (dev): config[eu-west-1].rules: {error}"
            )]
        );
    }
}
