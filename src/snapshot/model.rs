//! The typed snapshot model. Timestamps are RFC 3339 strings, exactly as AWS
//! returned them; values are kept as AWS reports them (collectors never judge).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Whether a fact section was obtained.
///
/// In the JSON form: `{"status":"ok","data":…}`,
/// `{"status":"error","error":{…}}` or `{"status":"not_collected","reason":…}`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(tag = "status", rename_all = "snake_case", deny_unknown_fields)]
pub enum Section<T> {
    /// The facts were read.
    Ok { data: T },
    /// Reading them failed.
    Error { error: CollectError },
    /// Nobody tried (the account could not be reached, the service is out of
    /// scope, the collector for it does not exist yet…).
    NotCollected { reason: String },
}

impl<T> Default for Section<T> {
    fn default() -> Self {
        Section::NotCollected {
            reason: "the section is absent from the snapshot".to_string(),
        }
    }
}

/// Read without buffering: serde's derive for an internally tagged enum
/// first copies the whole section into a tree of its own, then reads that
/// (at 10,000 accounts, some 150 MB of short-lived copies). Each key says
/// what its value is (`data`, `error`, `reason`), so the value is read
/// directly; the combination is checked at the end, as the derive would.
impl<'de, T: Deserialize<'de>> Deserialize<'de> for Section<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(SectionVisitor(std::marker::PhantomData))
    }
}

struct SectionVisitor<T>(std::marker::PhantomData<T>);

impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for SectionVisitor<T> {
    type Value = Section<T>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an object with a \"status\" (ok, error or not_collected)")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        use serde::de::Error;
        const FIELDS: &[&str] = &["status", "data", "error", "reason"];
        const STATUSES: &[&str] = &["ok", "error", "not_collected"];
        let mut status: Option<String> = None;
        let mut data: Option<T> = None;
        let mut error: Option<CollectError> = None;
        let mut reason: Option<String> = None;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            let duplicate = || A::Error::custom(format!("duplicate field `{key}`"));
            match key.as_ref() {
                "status" if status.is_some() => return Err(duplicate()),
                "data" if data.is_some() => return Err(duplicate()),
                "error" if error.is_some() => return Err(duplicate()),
                "reason" if reason.is_some() => return Err(duplicate()),
                "status" => status = Some(map.next_value()?),
                "data" => data = Some(map.next_value()?),
                "error" => error = Some(map.next_value()?),
                "reason" => reason = Some(map.next_value()?),
                other => return Err(A::Error::unknown_field(other, FIELDS)),
            }
        }
        let status = status.ok_or_else(|| A::Error::missing_field("status"))?;
        let unexpected = |field: &str| {
            A::Error::custom(format!(
                "unknown field `{field}` in a section whose status is `{status}`"
            ))
        };
        match status.as_str() {
            "ok" => {
                if error.is_some() {
                    return Err(unexpected("error"));
                }
                if reason.is_some() {
                    return Err(unexpected("reason"));
                }
                let data = match data {
                    Some(d) => d,
                    // As the derive: an absent `data` is only an absent
                    // optional value.
                    None => T::deserialize(serde::de::value::UnitDeserializer::new())
                        .map_err(|_: serde::de::value::Error| A::Error::missing_field("data"))?,
                };
                Ok(Section::Ok { data })
            }
            "error" => {
                if data.is_some() {
                    return Err(unexpected("data"));
                }
                if reason.is_some() {
                    return Err(unexpected("reason"));
                }
                Ok(Section::Error {
                    error: error.ok_or_else(|| A::Error::missing_field("error"))?,
                })
            }
            "not_collected" => {
                if data.is_some() {
                    return Err(unexpected("data"));
                }
                if error.is_some() {
                    return Err(unexpected("error"));
                }
                Ok(Section::NotCollected {
                    reason: reason.ok_or_else(|| A::Error::missing_field("reason"))?,
                })
            }
            other => Err(A::Error::unknown_variant(other, STATUSES)),
        }
    }
}

/// The default of a section that snapshots before schema 1.1 do not have: a
/// rule that needs it is ERROR naming the version that collects it.
pub fn since_1_1<T>() -> Section<T> {
    Section::NotCollected {
        reason: SINCE_1_1.to_string(),
    }
}

/// Why a section of schema 1.1 is missing from an older snapshot.
pub const SINCE_1_1: &str =
    "not in this snapshot (collected by orgaudit >= 0.2, snapshot schema 1.1)";

/// The default of a section that snapshots before schema 1.2 do not have.
pub fn since_1_2<T>() -> Section<T> {
    Section::NotCollected {
        reason: SINCE_1_2.to_string(),
    }
}

/// Why a section of schema 1.2 is missing from an older snapshot.
pub const SINCE_1_2: &str =
    "not in this snapshot (collected by orgaudit >= 0.2, snapshot schema 1.2)";

/// The default of a section that snapshots before schema 1.3 do not have.
pub fn since_1_3<T>() -> Section<T> {
    Section::NotCollected {
        reason: SINCE_1_3.to_string(),
    }
}

/// Why a section of schema 1.3 is missing from an older snapshot.
pub const SINCE_1_3: &str =
    "not in this snapshot (collected by orgaudit >= 0.2, snapshot schema 1.3)";

impl<T> Section<T> {
    pub fn ok(data: T) -> Self {
        Section::Ok { data }
    }
    pub fn not_collected(reason: impl Into<String>) -> Self {
        Section::NotCollected {
            reason: reason.into(),
        }
    }
    pub fn error(error: CollectError) -> Self {
        Section::Error { error }
    }
    pub fn data(&self) -> Option<&T> {
        match self {
            Section::Ok { data } => Some(data),
            _ => None,
        }
    }
    pub fn is_ok(&self) -> bool {
        matches!(self, Section::Ok { .. })
    }
}

/// A failed API call, as recorded in a section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CollectError {
    /// `service:Operation`, e.g. `iam:GetAccountPasswordPolicy`.
    pub operation: String,
    /// The AWS error code (`AccessDenied`, `ThrottlingException`…), or a
    /// transport class (`Timeout`, `ConnectionError`, `ServiceError`).
    pub code: String,
    /// The error message, with no credentials in it.
    pub message: String,
    /// The region the call went to, for regional services.
    #[serde(default)]
    pub region: Option<String>,
}

impl std::fmt::Display for CollectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} failed", self.operation)?;
        if let Some(region) = &self.region {
            write!(f, " in {region}")?;
        }
        write!(f, ": {}", self.code)?;
        if !self.message.is_empty() && self.message != self.code {
            write!(f, " ({})", self.message)?;
        }
        Ok(())
    }
}

/// Everything orgaudit knows about one organization at one point in time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    /// Snapshot format version, `MAJOR.MINOR`. A reader refuses another major.
    pub schema_version: String,
    /// When collection finished (RFC 3339). Rules measure ages from here, so
    /// re-evaluating an old snapshot gives the same findings.
    pub collected_at: String,
    pub scan: ScanInfo,
    pub organization: Section<Organization>,
    /// `iam:ListOrganizationsFeatures`: centralized root access features enabled
    /// for the organization (`RootCredentialsManagement`, `RootSessions`).
    #[serde(default)]
    pub organization_features: Section<Vec<String>>,
    /// Service and resource control policies with their documents and
    /// targets, read in the management account. Schema 1.1.
    #[serde(default)]
    pub policies: OrganizationPolicies,
    /// `s3:ListBuckets` in the management account: the buckets it owns (a
    /// log archive is a bucket of another account). Schema 1.1.
    #[serde(default = "since_1_1::<Vec<Bucket>>")]
    pub management_buckets: Section<Vec<Bucket>>,
    /// IAM Identity Center, read in the management account.
    #[serde(default)]
    pub identity_center: Section<IdentityCenter>,
    /// The management account's trails, read at organization level when
    /// the management account itself is not among the scanned accounts (a
    /// partial scan): members' organization trails are judged from them.
    /// Schema 1.1.
    #[serde(default = "since_1_1::<CloudTrail>")]
    pub management_trails: Section<CloudTrail>,
    /// The organization's security services: delegated administrators,
    /// GuardDuty's organization configuration, the IAM Access Analyzers of
    /// the accounts that hold the organization's. Schema 1.2.
    #[serde(default)]
    pub security_services: SecurityServices,
    pub accounts: Vec<Account>,
}

/// How the snapshot was made.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScanInfo {
    /// The orgaudit version that collected the facts.
    pub tool_version: String,
    pub started_at: String,
    pub finished_at: String,
    /// The regions audited for regional services.
    pub regions: Vec<String>,
    /// The role assumed in member accounts, as schema 1.0 records it.
    /// Schema 1.1 writes [`ScanInfo::role_names`] instead; this is read for
    /// older snapshots (null in 1.1).
    #[serde(default)]
    pub role_name: Option<String>,
    /// The roles tried in each member account, in order (`--role-name
    /// A,B`); the one that worked is each account's `access.role_name`.
    /// Schema 1.1.
    #[serde(default)]
    pub role_names: Vec<String>,
    /// The account whose credentials started the scan.
    #[serde(default)]
    pub caller_account_id: Option<String>,
    #[serde(default)]
    pub partition: Option<String>,
    /// The shard this snapshot holds (`--shard K/N`); absent for a scan of
    /// the whole organization. Schema 1.1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<Shard>,
    /// How `orgaudit merge` made this snapshot from shard snapshots;
    /// absent for a snapshot of one scan. Schema 1.1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merge: Option<MergeInfo>,
}

impl ScanInfo {
    /// The roles the scan tried in member accounts, in order: `role_names`,
    /// or the one `role_name` of a 1.0 snapshot.
    pub fn roles(&self) -> Vec<String> {
        if self.role_names.is_empty() {
            self.role_name.iter().cloned().collect()
        } else {
            self.role_names.clone()
        }
    }
}

/// Shard `index` of `count` (`--shard K/N`): the accounts whose id modulo
/// `count` is `index - 1`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(deny_unknown_fields)]
pub struct Shard {
    /// K, from 1.
    pub index: u64,
    /// N.
    pub count: u64,
}

impl Shard {
    /// Whether this is a shard at all: 1 <= K <= N.
    pub fn is_valid(&self) -> bool {
        1 <= self.index && self.index <= self.count
    }

    /// Whether the account belongs to this shard. An id that is not a
    /// number (never one AWS gives) belongs to the first shard.
    pub fn holds(&self, account_id: &str) -> bool {
        match account_id.parse::<u64>() {
            Ok(id) => id % self.count == self.index - 1,
            Err(_) => self.index == 1,
        }
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// What `orgaudit merge` joined, and what it lacked.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeInfo {
    /// N of the shards' `--shard K/N`.
    pub shard_count: u64,
    /// The shards joined (their K), ascending.
    pub shards: Vec<u64>,
    /// The shards of 1..=N that were not given, ascending. Their accounts
    /// are in `accounts` with every section not collected.
    pub missing_shards: Vec<u64>,
    /// The accounts of the organization that no joined shard holds, by id,
    /// ascending: the merged snapshot is incomplete when this is not empty.
    pub missing_accounts: Vec<String>,
    /// Seconds between the earliest and the latest shard's `collected_at`.
    pub collection_spread_seconds: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Organization {
    pub id: String,
    pub arn: String,
    /// `ALL` or `CONSOLIDATED_BILLING`.
    pub feature_set: String,
    pub management_account_id: String,
    #[serde(default)]
    pub management_account_arn: Option<String>,
    #[serde(default)]
    pub management_account_email: Option<String>,
    pub roots: Vec<OrganizationRoot>,
    pub organizational_units: Vec<OrganizationalUnit>,
    /// Every account of the organization (`organizations:ListAccounts`),
    /// whether or not this scan selected it (`--accounts`, `--ou`,
    /// `--shard`): organization rules judge the whole organization from it.
    /// Schema 1.1; absent in older snapshots (then the snapshot's accounts
    /// stand for the organization).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accounts: Option<Vec<OrganizationAccount>>,
}

/// An account of the organization as Organizations lists it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationAccount {
    pub id: String,
    pub arn: String,
    pub name: String,
    pub email: String,
    /// `ACTIVE`, `SUSPENDED`, `PENDING_CLOSURE`.
    pub status: String,
    #[serde(default)]
    pub joined_method: Option<String>,
    #[serde(default)]
    pub joined_timestamp: Option<String>,
    pub parent_id: String,
    pub ou_path: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationRoot {
    pub id: String,
    pub arn: String,
    pub name: String,
    /// Enabled policy types (`SERVICE_CONTROL_POLICY`…).
    #[serde(default)]
    pub policy_types: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationalUnit {
    pub id: String,
    pub arn: String,
    pub name: String,
    /// The parent root or OU id.
    pub parent_id: String,
    /// Names from the root down, `/`-separated: `Root/Workloads/Production`.
    pub path: String,
}

impl From<&Account> for OrganizationAccount {
    fn from(a: &Account) -> Self {
        OrganizationAccount {
            id: a.id.clone(),
            arn: a.arn.clone(),
            name: a.name.clone(),
            email: a.email.clone(),
            status: a.status.clone(),
            joined_method: a.joined_method.clone(),
            joined_timestamp: a.joined_timestamp.clone(),
            parent_id: a.parent_id.clone(),
            ou_path: a.ou_path.clone(),
        }
    }
}

/// The organization's authorization policies, one section per policy type
/// (`organizations:ListPolicies` with the type's filter, then per policy
/// `DescribePolicy` and `ListTargetsForPolicy`). A type that is not enabled
/// on the root is not collected: it has no effect there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationPolicies {
    /// `SERVICE_CONTROL_POLICY`.
    #[serde(default = "since_1_1::<Vec<OrganizationPolicy>>")]
    pub service_control: Section<Vec<OrganizationPolicy>>,
    /// `RESOURCE_CONTROL_POLICY`.
    #[serde(default = "since_1_1::<Vec<OrganizationPolicy>>")]
    pub resource_control: Section<Vec<OrganizationPolicy>>,
}

impl Default for OrganizationPolicies {
    fn default() -> Self {
        OrganizationPolicies {
            service_control: since_1_1(),
            resource_control: since_1_1(),
        }
    }
}

/// One policy of AWS Organizations, its document and where it is attached.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationPolicy {
    /// `p-…`; AWS's own `FullAWSAccess` is `p-FullAWSAccess`.
    pub id: String,
    pub arn: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    /// Whether AWS manages the policy (`FullAWSAccess`, `RCPFullAWSAccess`).
    pub aws_managed: bool,
    /// The policy document (`DescribePolicy`'s `Content`); the raw text as a
    /// JSON string when it is not JSON (the analysis then reports the policy
    /// as unreadable).
    pub document: PolicyDocument,
    /// The roots, OUs and accounts it is attached to.
    pub targets: Vec<PolicyTarget>,
}

/// A root, OU or account a policy is attached to.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyTarget {
    /// `r-…`, `ou-…` or an account id.
    pub target_id: String,
    pub arn: String,
    pub name: String,
    /// `ROOT`, `ORGANIZATIONAL_UNIT` or `ACCOUNT`.
    pub target_type: String,
}

/// An S3 bucket as `s3:ListBuckets` lists it for its owner.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Bucket {
    pub name: String,
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub creation_date: Option<String>,
}

/// One account of the organization and its facts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Account {
    pub id: String,
    pub arn: String,
    pub name: String,
    /// The root user's e-mail address.
    pub email: String,
    /// `ACTIVE`, `SUSPENDED`, `PENDING_CLOSURE`.
    pub status: String,
    #[serde(default)]
    pub joined_method: Option<String>,
    #[serde(default)]
    pub joined_timestamp: Option<String>,
    /// The parent root or OU id.
    pub parent_id: String,
    /// The parent's path: `Root/Workloads/Production`.
    pub ou_path: String,
    pub is_management: bool,
    /// How the scanner reached the account (assumed role or the caller itself).
    #[serde(default)]
    pub access: Section<AccountAccess>,
    /// Regions enabled in the account (`account:ListRegions`).
    #[serde(default)]
    pub enabled_regions: Section<Vec<String>>,
    #[serde(default)]
    pub iam: Iam,
    #[serde(default)]
    pub alternate_contacts: Section<AlternateContacts>,
    #[serde(default)]
    pub cloudtrail: Section<CloudTrail>,
    /// AWS Config, one entry per audited region.
    #[serde(default)]
    pub config: Vec<ConfigRegion>,
    #[serde(default)]
    pub budgets: Section<Vec<Budget>>,
    #[serde(default)]
    pub cost_anomaly: CostAnomaly,
    /// `s3control:GetPublicAccessBlock`: the account-level S3 Block Public
    /// Access settings; `data: null` when the account has none
    /// (`NoSuchPublicAccessBlockConfiguration`). Schema 1.2.
    #[serde(default = "since_1_2::<Option<PublicAccessBlock>>")]
    pub s3_public_access_block: Section<Option<PublicAccessBlock>>,
    /// Security services and account-level settings of each audited region
    /// (GuardDuty detectors, Security Hub; EBS encryption by default since
    /// schema 1.3). Schema 1.2.
    #[serde(default)]
    pub protections: Vec<RegionProtections>,
}

/// The security services and account-level settings of one audited region.
/// Each part is its own section.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegionProtections {
    pub region: String,
    /// `guardduty:ListDetectors`, then `GetDetector` of each; empty when
    /// GuardDuty has no detector here.
    #[serde(default = "since_1_2::<Vec<GuardDutyDetector>>")]
    pub guardduty_detectors: Section<Vec<GuardDutyDetector>>,
    /// `securityhub:DescribeHub`; `data: null` when Security Hub is not
    /// enabled here (`InvalidAccessException`: not subscribed).
    #[serde(default = "since_1_2::<Option<SecurityHub>>")]
    pub securityhub: Section<Option<SecurityHub>>,
    /// `ec2:GetEbsEncryptionByDefault`: whether new EBS volumes (and
    /// snapshot copies) are encrypted by default here. Schema 1.3.
    #[serde(default = "since_1_3::<bool>")]
    pub ebs_encryption_by_default: Section<bool>,
}

/// A GuardDuty detector.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GuardDutyDetector {
    pub id: String,
    /// `ENABLED` or `DISABLED`.
    pub status: Option<String>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
}

/// An account's Security Hub in one region.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecurityHub {
    pub hub_arn: String,
    pub subscribed_at: Option<String>,
    pub auto_enable_controls: Option<bool>,
}

/// The organization's security services, read with the caller's
/// credentials (delegated administrators) and in the accounts that
/// administer them. Schema 1.2.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecurityServices {
    /// `organizations:ListDelegatedAdministrators` and
    /// `ListDelegatedServicesForAccount` of each: every delegated
    /// administrator, once per service it administers.
    #[serde(default = "since_1_2::<Vec<DelegatedAdministrator>>")]
    pub delegated_administrators: Section<Vec<DelegatedAdministrator>>,
    /// GuardDuty's organization configuration in each audited region, read
    /// in its delegated administrator (`guardduty:ListDetectors`,
    /// `DescribeOrganizationConfiguration`); empty when GuardDuty has no
    /// delegated administrator.
    #[serde(default = "since_1_2::<Vec<GuardDutyOrganization>>")]
    pub guardduty_organization: Section<Vec<GuardDutyOrganization>>,
    /// `access-analyzer:ListAnalyzers` in each audited region of the
    /// management account and of IAM Access Analyzer's delegated
    /// administrator.
    #[serde(default = "since_1_2::<Vec<AccountAnalyzers>>")]
    pub access_analyzers: Section<Vec<AccountAnalyzers>>,
}

impl Default for SecurityServices {
    fn default() -> Self {
        SecurityServices {
            delegated_administrators: since_1_2(),
            guardduty_organization: since_1_2(),
            access_analyzers: since_1_2(),
        }
    }
}

/// An account registered as a service's delegated administrator.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DelegatedAdministrator {
    /// `guardduty.amazonaws.com`, `securityhub.amazonaws.com`,
    /// `access-analyzer.amazonaws.com`…
    pub service_principal: String,
    pub account_id: String,
    pub name: Option<String>,
    pub delegation_enabled_date: Option<String>,
}

/// GuardDuty's organization configuration in one region.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GuardDutyOrganization {
    pub region: String,
    /// The delegated administrator's detector; null when it has none here.
    pub detector_id: Option<String>,
    /// `DescribeOrganizationConfiguration`; `data: null` when the
    /// delegated administrator has no detector here.
    pub configuration: Section<Option<GuardDutyOrganizationConfiguration>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GuardDutyOrganizationConfiguration {
    /// `ALL` (every account of the organization), `NEW` (accounts that
    /// join from now on) or `NONE`.
    pub auto_enable_organization_members: Option<String>,
    pub member_account_limit_reached: Option<bool>,
}

/// The IAM Access Analyzers of one account in one region.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountAnalyzers {
    pub account_id: String,
    pub region: String,
    pub analyzers: Section<Vec<Analyzer>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Analyzer {
    pub arn: String,
    pub name: String,
    /// `ACCOUNT`, `ORGANIZATION`, `ACCOUNT_UNUSED_ACCESS`,
    /// `ORGANIZATION_UNUSED_ACCESS`…
    pub analyzer_type: String,
    /// `ACTIVE`, `CREATING`, `DISABLED`, `FAILED`.
    pub status: String,
    pub created_at: Option<String>,
}

/// S3 Block Public Access settings, as AWS reports them (an absent setting
/// is null).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicAccessBlock {
    pub block_public_acls: Option<bool>,
    pub ignore_public_acls: Option<bool>,
    pub block_public_policy: Option<bool>,
    pub restrict_public_buckets: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountAccess {
    /// `assumed_role` or `caller` (the scan's own credentials).
    pub method: String,
    #[serde(default)]
    pub role_arn: Option<String>,
    /// The role of the scan's list (`scan.role_names`) that was assumed.
    /// Schema 1.1; absent in older snapshots (then the role is the last
    /// part of `role_arn`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_name: Option<String>,
}

/// IAM facts of one account.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Iam {
    /// `iam:GetAccountSummary`.
    #[serde(default)]
    pub summary: Section<IamSummary>,
    /// `iam:GetAccountPasswordPolicy`; `data: null` when the account has none.
    #[serde(default)]
    pub password_policy: Section<Option<PasswordPolicy>>,
    /// `iam:GetCredentialReport`.
    #[serde(default)]
    pub credential_report: Section<CredentialReport>,
    /// `iam:ListUsers` and the per-user calls.
    #[serde(default)]
    pub users: Section<Vec<IamUser>>,
    /// `iam:ListVirtualMFADevices`.
    #[serde(default)]
    pub virtual_mfa_devices: Section<Vec<VirtualMfaDevice>>,
    /// `iam:ListAccountAliases`.
    #[serde(default)]
    pub aliases: Section<Vec<String>>,
    /// The managed policies (AWS and customer) attached to the account's
    /// users and groups or set as their permissions boundary, each with the
    /// document of its default version (`iam:GetAccountAuthorizationDetails`,
    /// `iam:GetPolicy`, `iam:GetPolicyVersion`). Schema 1.1.
    #[serde(default = "since_1_1::<Vec<ManagedPolicy>>")]
    pub policies: Section<Vec<ManagedPolicy>>,
}

/// A managed policy and the document of its default version.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ManagedPolicy {
    pub name: String,
    pub arn: String,
    pub default_version_id: Option<String>,
    /// The policy document, URL-decoded; the raw text as a JSON string when
    /// it is not JSON (the analysis then reports the policy as unreadable).
    pub document: PolicyDocument,
}

/// An inline policy of a user or group, with its document.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InlinePolicy {
    pub name: String,
    /// As [`ManagedPolicy::document`].
    pub document: PolicyDocument,
}

/// A policy document, kept as its JSON text: the analysis parses it when it
/// judges it, so thousands of accounts' policies cost their text, not a tree
/// of values each. In the snapshot it is the document itself (a JSON value,
/// not a string); rules do not read it (they read the analysis' facts), so
/// the facts rules see hold it as text.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyDocument(String);

impl PolicyDocument {
    pub fn from_value(value: &serde_json::Value) -> PolicyDocument {
        PolicyDocument(value.to_string())
    }

    /// The document as JSON values.
    pub fn parse(&self) -> serde_json::Value {
        serde_json::from_str(&self.0).unwrap_or(serde_json::Value::Null)
    }

    /// The document's JSON text.
    pub fn text(&self) -> &str {
        &self.0
    }
}

impl Default for PolicyDocument {
    fn default() -> Self {
        PolicyDocument("null".to_string())
    }
}

impl Serialize for PolicyDocument {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            self.parse().serialize(serializer)
        } else {
            serializer.serialize_str(&self.0)
        }
    }
}

impl<'de> Deserialize<'de> for PolicyDocument {
    /// Written straight back as compact JSON text, without building the
    /// document's tree of values (at thousands of accounts, those short-lived
    /// trees cost more memory than the documents).
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut text = Vec::new();
        serde_transcode::transcode(deserializer, &mut serde_json::Serializer::new(&mut text))
            .map_err(serde::de::Error::custom)?;
        String::from_utf8(text)
            .map(PolicyDocument)
            .map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for PolicyDocument {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "PolicyDocument".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "An IAM policy document (JSON), URL-decoded."
        })
    }
}

/// The `GetAccountSummary` values the rules use (absent keys are null).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IamSummary {
    pub account_mfa_enabled: Option<i64>,
    pub account_access_keys_present: Option<i64>,
    pub account_signing_certificates_present: Option<i64>,
    /// `AccountPasswordPresent`: 1 when the root user has a password. Absent in
    /// older responses.
    #[serde(default)]
    pub account_password_present: Option<i64>,
    pub users: Option<i64>,
    pub mfa_devices: Option<i64>,
    pub mfa_devices_in_use: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordPolicy {
    pub minimum_password_length: Option<i64>,
    pub require_symbols: bool,
    pub require_numbers: bool,
    pub require_uppercase_characters: bool,
    pub require_lowercase_characters: bool,
    pub allow_users_to_change_password: bool,
    pub expire_passwords: bool,
    pub max_password_age: Option<i64>,
    pub password_reuse_prevention: Option<i64>,
    pub hard_expiry: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CredentialReport {
    pub generated_time: Option<String>,
    pub rows: Vec<CredentialReportRow>,
}

/// One row of the IAM credential report. Dates are null where the report says
/// `N/A` or `no_information`; `password_enabled` keeps the report's word
/// (`true`, `false`, `not_supported`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CredentialReportRow {
    /// `<root_account>` for the root user.
    pub user: String,
    pub arn: String,
    pub user_creation_time: Option<String>,
    pub password_enabled: String,
    pub password_last_used: Option<String>,
    pub password_last_changed: Option<String>,
    pub mfa_active: bool,
    pub access_key_1_active: bool,
    pub access_key_1_last_rotated: Option<String>,
    pub access_key_1_last_used_date: Option<String>,
    pub access_key_2_active: bool,
    pub access_key_2_last_rotated: Option<String>,
    pub access_key_2_last_used_date: Option<String>,
    pub cert_1_active: bool,
    pub cert_2_active: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IamUser {
    pub name: String,
    pub arn: String,
    pub user_id: String,
    pub create_date: Option<String>,
    pub password_last_used: Option<String>,
    /// `iam:GetLoginProfile`; null when the user has no console password.
    pub login_profile: Option<LoginProfile>,
    pub mfa_devices: Vec<MfaDevice>,
    pub access_keys: Vec<AccessKey>,
    /// Managed policies attached to the user.
    pub attached_policies: Vec<PolicyRef>,
    /// Groups the user is in, with the groups' managed policies.
    pub groups: Vec<IamGroup>,
    /// Names of the user's inline policies.
    pub inline_policy_names: Vec<String>,
    /// The user's inline policies with their documents. Schema 1.1.
    #[serde(default = "since_1_1::<Vec<InlinePolicy>>")]
    pub inline_policies: Section<Vec<InlinePolicy>>,
    /// The managed policy set as the user's permissions boundary; `data: null`
    /// when it has none. Schema 1.1.
    #[serde(default = "since_1_1::<Option<PolicyRef>>")]
    pub permissions_boundary: Section<Option<PolicyRef>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginProfile {
    pub create_date: Option<String>,
    pub password_reset_required: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MfaDevice {
    pub serial_number: String,
    pub enable_date: Option<String>,
}

/// An access key's metadata (never its secret).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessKey {
    pub access_key_id: String,
    /// `Active` or `Inactive`.
    pub status: String,
    pub create_date: Option<String>,
    pub last_used_date: Option<String>,
    pub last_used_service: Option<String>,
    pub last_used_region: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyRef {
    pub name: String,
    pub arn: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IamGroup {
    pub name: String,
    pub arn: String,
    pub attached_policies: Vec<PolicyRef>,
    /// The group's inline policies with their documents. Schema 1.1.
    #[serde(default = "since_1_1::<Vec<InlinePolicy>>")]
    pub inline_policies: Section<Vec<InlinePolicy>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VirtualMfaDevice {
    pub serial_number: String,
    /// The user it is assigned to (`arn:aws:iam::<id>:root` for root); null
    /// when unassigned.
    pub user_arn: Option<String>,
    pub enable_date: Option<String>,
}

/// `account:GetAlternateContact` for the three types; null when not set.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AlternateContacts {
    pub billing: Option<AlternateContact>,
    pub operations: Option<AlternateContact>,
    pub security: Option<AlternateContact>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AlternateContact {
    pub name: Option<String>,
    pub title: Option<String>,
    pub email_address: Option<String>,
    pub phone_number: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CloudTrail {
    /// Every trail visible in the account, organization trails included.
    pub trails: Vec<Trail>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Trail {
    pub name: String,
    pub arn: String,
    pub home_region: String,
    pub is_multi_region_trail: bool,
    pub is_organization_trail: bool,
    pub include_global_service_events: bool,
    pub log_file_validation_enabled: bool,
    pub s3_bucket_name: Option<String>,
    pub kms_key_id: Option<String>,
    pub cloud_watch_logs_log_group_arn: Option<String>,
    /// `cloudtrail:GetTrailStatus`; null for a trail of another account (an
    /// organization trail seen from a member), which is judged from its
    /// owner's copy.
    pub status: Option<TrailStatus>,
    /// Classic event selectors (`cloudtrail:GetEventSelectors`; empty for a
    /// trail of another account).
    pub event_selectors: Vec<EventSelector>,
    /// Advanced event selectors (`cloudtrail:GetEventSelectors`).
    pub advanced_event_selectors: Vec<AdvancedEventSelector>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TrailStatus {
    pub is_logging: bool,
    pub latest_delivery_error: Option<String>,
    pub latest_delivery_time: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventSelector {
    /// `All`, `ReadOnly` or `WriteOnly`.
    pub read_write_type: Option<String>,
    pub include_management_events: Option<bool>,
    pub exclude_management_event_sources: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AdvancedEventSelector {
    pub name: Option<String>,
    pub field_selectors: Vec<AdvancedFieldSelector>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AdvancedFieldSelector {
    /// `eventCategory`, `readOnly`, `eventSource`…
    pub field: String,
    pub equals: Vec<String>,
    pub not_equals: Vec<String>,
    pub starts_with: Vec<String>,
    pub not_starts_with: Vec<String>,
    pub ends_with: Vec<String>,
    pub not_ends_with: Vec<String>,
}

/// AWS Config in one region. Each part is its own section, so that one failing
/// call does not hide the others.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfigRegion {
    pub region: String,
    /// Recorders, their status, and delivery channels.
    pub recording: Section<ConfigRecording>,
    /// `config:DescribeConfigRules`.
    pub rules: Section<Vec<ConfigRule>>,
    /// `config:DescribeComplianceByConfigRule`.
    pub compliance: Section<Vec<ConfigRuleCompliance>>,
    /// `config:DescribeDeliveryChannelStatus`. Schema 1.1.
    #[serde(default = "since_1_1::<Vec<DeliveryChannelStatus>>")]
    pub delivery_status: Section<Vec<DeliveryChannelStatus>>,
}

/// The last deliveries of one delivery channel.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeliveryChannelStatus {
    pub name: String,
    /// Configuration history files delivered to S3.
    pub config_history: Option<DeliveryInfo>,
    /// Configuration snapshots delivered to S3.
    pub config_snapshot: Option<DeliveryInfo>,
    /// Notifications to the SNS topic.
    pub config_stream: Option<DeliveryInfo>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeliveryInfo {
    /// `Success`, `Failure` or `Not_Applicable`.
    pub last_status: Option<String>,
    pub last_error_code: Option<String>,
    pub last_error_message: Option<String>,
    pub last_attempt_time: Option<String>,
    pub last_successful_time: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfigRecording {
    pub recorders: Vec<ConfigRecorder>,
    pub recorder_statuses: Vec<ConfigRecorderStatus>,
    pub delivery_channels: Vec<DeliveryChannel>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfigRecorder {
    pub name: String,
    pub role_arn: Option<String>,
    pub all_supported: bool,
    pub include_global_resource_types: bool,
    /// `ALL_SUPPORTED_RESOURCE_TYPES`, `INCLUSION_BY_RESOURCE_TYPES`,
    /// `EXCLUSION_BY_RESOURCE_TYPES`.
    pub recording_strategy: Option<String>,
    pub resource_types: Vec<String>,
    pub exclusion_resource_types: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfigRecorderStatus {
    pub name: String,
    pub recording: bool,
    /// `Pending`, `Success`, `Failure`.
    pub last_status: Option<String>,
    pub last_error_code: Option<String>,
    pub last_status_change_time: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeliveryChannel {
    pub name: String,
    pub s3_bucket_name: Option<String>,
    pub sns_topic_arn: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfigRule {
    pub name: String,
    pub arn: String,
    /// `AWS` for managed rules.
    pub source_owner: String,
    /// The managed rule identifier, e.g. `ROOT_ACCOUNT_MFA_ENABLED`.
    pub source_identifier: Option<String>,
    /// `ACTIVE`, `DELETING`…
    pub state: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfigRuleCompliance {
    pub rule_name: String,
    /// `COMPLIANT`, `NON_COMPLIANT`, `NOT_APPLICABLE`, `INSUFFICIENT_DATA`.
    pub compliance_type: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Budget {
    pub name: String,
    /// `COST`, `USAGE`…
    pub budget_type: String,
    pub time_unit: Option<String>,
    pub limit_amount: Option<String>,
    pub limit_unit: Option<String>,
    pub notifications: Vec<BudgetNotification>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BudgetNotification {
    /// `ACTUAL` or `FORECASTED`.
    pub notification_type: String,
    /// `GREATER_THAN`, `LESS_THAN`, `EQUAL_TO`.
    pub comparison_operator: String,
    pub threshold: f64,
    /// `PERCENTAGE` or `ABSOLUTE_VALUE`.
    pub threshold_type: Option<String>,
    pub state: Option<String>,
    /// `budgets:DescribeSubscribersForNotification`.
    pub subscribers: Section<Vec<Subscriber>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Subscriber {
    /// `EMAIL` or `SNS`.
    pub subscription_type: String,
    pub address: String,
}

/// Cost Anomaly Detection (Cost Explorer).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CostAnomaly {
    /// `ce:GetAnomalyMonitors`.
    pub monitors: Section<Vec<AnomalyMonitor>>,
    /// `ce:GetAnomalySubscriptions`.
    pub subscriptions: Section<Vec<AnomalySubscription>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AnomalyMonitor {
    pub arn: String,
    pub name: String,
    /// `DIMENSIONAL` or `CUSTOM`.
    pub monitor_type: String,
    pub monitor_dimension: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AnomalySubscription {
    pub arn: String,
    pub name: String,
    pub frequency: String,
    pub monitor_arns: Vec<String>,
    pub subscribers: Vec<AnomalySubscriber>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AnomalySubscriber {
    /// `EMAIL` or `SNS`.
    pub subscriber_type: String,
    pub address: String,
    pub status: Option<String>,
}

/// IAM Identity Center (sso-admin), read in the management account.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IdentityCenter {
    pub instances: Vec<IdentityCenterInstance>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IdentityCenterInstance {
    pub arn: String,
    pub identity_store_id: Option<String>,
    pub owner_account_id: Option<String>,
    pub name: Option<String>,
    pub status: Option<String>,
    pub permission_sets: Vec<PermissionSet>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PermissionSet {
    pub arn: String,
    pub name: String,
    pub description: Option<String>,
    pub session_duration: Option<String>,
    /// `sso:ListManagedPoliciesInPermissionSet`.
    pub managed_policies: Vec<PolicyRef>,
}
