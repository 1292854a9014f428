//! The read-only allowlist: every AWS operation a scan may call, with the IAM
//! action that authorizes it. It is the single source of
//! `docs/iam-policy.json` (see [`iam_policy_json`]) and of the end-to-end
//! test that every operation a scan called is in it.

/// One allowed operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AllowedOperation {
    /// `service:Operation` as the SDK names it (and as [`CollectError`]s and
    /// the recorder name it).
    ///
    /// [`CollectError`]: crate::snapshot::CollectError
    pub operation: &'static str,
    /// The IAM action that authorizes it; `None` when none is needed
    /// (`sts:GetCallerIdentity`).
    pub iam_action: Option<&'static str>,
}

const fn op(operation: &'static str, iam_action: &'static str) -> AllowedOperation {
    AllowedOperation {
        operation,
        iam_action: Some(iam_action),
    }
}

/// Same name for the operation and its IAM action.
const fn same(operation: &'static str) -> AllowedOperation {
    op(operation, operation)
}

/// Every operation orgaudit may call. Only reads, plus
/// `iam:GenerateCredentialReport` (it builds a report, changes no setting) and
/// `sts:AssumeRole` (to enter member accounts).
pub const ALLOWED_OPERATIONS: &[AllowedOperation] = &[
    AllowedOperation {
        operation: "sts:GetCallerIdentity",
        iam_action: None,
    },
    same("sts:AssumeRole"),
    // organizations
    same("organizations:DescribeOrganization"),
    same("organizations:ListRoots"),
    same("organizations:ListOrganizationalUnitsForParent"),
    same("organizations:ListAccountsForParent"),
    same("organizations:ListPolicies"),
    same("organizations:DescribePolicy"),
    same("organizations:ListTargetsForPolicy"),
    same("organizations:ListDelegatedAdministrators"),
    same("organizations:ListDelegatedServicesForAccount"),
    // iam
    same("iam:ListOrganizationsFeatures"),
    same("iam:GetAccountSummary"),
    same("iam:GetAccountPasswordPolicy"),
    same("iam:GenerateCredentialReport"),
    same("iam:GetCredentialReport"),
    same("iam:ListUsers"),
    same("iam:ListMFADevices"),
    same("iam:ListAccessKeys"),
    same("iam:GetAccessKeyLastUsed"),
    same("iam:GetLoginProfile"),
    same("iam:GetAccountAuthorizationDetails"),
    same("iam:GetPolicy"),
    same("iam:GetPolicyVersion"),
    same("iam:ListVirtualMFADevices"),
    same("iam:ListAccountAliases"),
    // account
    same("account:GetAlternateContact"),
    same("account:ListRegions"),
    // cloudtrail
    same("cloudtrail:DescribeTrails"),
    same("cloudtrail:GetTrailStatus"),
    same("cloudtrail:GetEventSelectors"),
    // config
    same("config:DescribeConfigurationRecorders"),
    same("config:DescribeConfigurationRecorderStatus"),
    same("config:DescribeDeliveryChannels"),
    same("config:DescribeDeliveryChannelStatus"),
    same("config:DescribeConfigRules"),
    same("config:DescribeComplianceByConfigRule"),
    // budgets: every read is authorized by budgets:ViewBudget
    op("budgets:DescribeBudgets", "budgets:ViewBudget"),
    op(
        "budgets:DescribeNotificationsForBudget",
        "budgets:ViewBudget",
    ),
    op(
        "budgets:DescribeSubscribersForNotification",
        "budgets:ViewBudget",
    ),
    // ce
    same("ce:GetAnomalyMonitors"),
    same("ce:GetAnomalySubscriptions"),
    // s3: the operation ListBuckets is authorized by s3:ListAllMyBuckets
    op("s3:ListBuckets", "s3:ListAllMyBuckets"),
    // s3control: the account-level Block Public Access settings are read
    // with s3:GetAccountPublicAccessBlock
    op(
        "s3control:GetPublicAccessBlock",
        "s3:GetAccountPublicAccessBlock",
    ),
    // guardduty
    same("guardduty:ListDetectors"),
    same("guardduty:GetDetector"),
    same("guardduty:DescribeOrganizationConfiguration"),
    // securityhub
    same("securityhub:DescribeHub"),
    // access-analyzer
    same("access-analyzer:ListAnalyzers"),
    // ec2
    same("ec2:GetEbsEncryptionByDefault"),
    // sso-admin (IAM prefix `sso`)
    same("sso:ListInstances"),
    same("sso:ListPermissionSets"),
    same("sso:DescribePermissionSet"),
    same("sso:ListManagedPoliciesInPermissionSet"),
];

/// Whether `operation` (`service:Operation`) is allowed.
pub fn is_allowed(operation: &str) -> bool {
    ALLOWED_OPERATIONS.iter().any(|a| a.operation == operation)
}

/// The least-privilege IAM policy for the principal running a scan and for
/// the audit role in member accounts: the allowlist's read actions, and
/// `sts:AssumeRole` on the audit role only.
pub fn iam_policy(role_name: &str) -> serde_json::Value {
    let mut actions: Vec<&str> = ALLOWED_OPERATIONS
        .iter()
        .filter_map(|a| a.iam_action)
        .filter(|a| *a != "sts:AssumeRole")
        .collect();
    actions.sort_unstable();
    actions.dedup();
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "OrgauditReadOnly",
                "Effect": "Allow",
                "Action": actions,
                "Resource": "*"
            },
            {
                "Sid": "OrgauditAssumeAuditRole",
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Resource": format!("arn:*:iam::*:role/{role_name}")
            }
        ]
    })
}

/// `docs/iam-policy.json` as committed: the policy for the default role name,
/// pretty-printed, with a final newline.
pub fn iam_policy_json() -> String {
    let mut text = serde_json::to_string_pretty(&iam_policy(super::DEFAULT_ROLE_NAME))
        .expect("a JSON value serializes");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_reads_and_the_credential_report() {
        for allowed in ALLOWED_OPERATIONS {
            let name = allowed.operation.split(':').nth(1).unwrap();
            let read = ["Get", "List", "Describe"]
                .iter()
                .any(|p| name.starts_with(p));
            assert!(
                read || allowed.operation == "iam:GenerateCredentialReport"
                    || allowed.operation == "sts:AssumeRole",
                "{} is not a read operation",
                allowed.operation
            );
        }
    }
}
