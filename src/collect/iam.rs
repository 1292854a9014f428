//! iam: account summary, password policy, credential report, users with their
//! credentials and policies, virtual MFA devices, account alias, and (in the
//! management account) the organization's centralized root access features.

use std::collections::BTreeMap;
use std::time::Duration;

use aws_sdk_iam::types::{AssignmentStatusType, EntityType, SummaryKeyType};
use aws_sdk_iam::Client;
use futures::future::try_join_all;

use super::context::{ts, Ctx};
use crate::snapshot::{
    AccessKey, CollectError, CredentialReport, CredentialReportRow, Iam, IamGroup, IamSummary,
    IamUser, InlinePolicy, LoginProfile, ManagedPolicy, MfaDevice, PasswordPolicy, PolicyDocument,
    PolicyRef, Section, VirtualMfaDevice,
};

/// IAM's largest page.
const PAGE: i32 = 1000;

/// Every IAM section of one account, collected concurrently.
pub async fn collect(ctx: &Ctx, client: &Client, report_poll: Duration) -> Iam {
    let (summary, password_policy, credential_report, users, virtual_mfa_devices, aliases) = tokio::join!(
        summary(ctx, client),
        password_policy(ctx, client),
        credential_report(ctx, client, report_poll),
        users(ctx, client),
        virtual_mfa_devices(ctx, client),
        aliases(ctx, client),
    );
    let (users, policies) = match users {
        Ok((users, policies)) => (Section::ok(users), policies),
        Err(e) => (Section::error(e.clone()), Section::error(e)),
    };
    Iam {
        summary: section(summary),
        password_policy: section(password_policy),
        credential_report: section(credential_report),
        users,
        virtual_mfa_devices: section(virtual_mfa_devices),
        aliases: section(aliases),
        policies,
    }
}

pub(crate) fn section<T>(r: Result<T, CollectError>) -> Section<T> {
    match r {
        Ok(data) => Section::ok(data),
        Err(e) => Section::error(e),
    }
}

/// Answers of `iam:ListOrganizationsFeatures` that say no feature can be
/// enabled: trusted access for IAM is off, or the organization lacks all
/// features. Both mean "no centralized root access", a fact, not a failure
/// (and the stricter reading: no member is exempt from the root rules).
const NO_ORGANIZATION_FEATURES: &[&str] = &[
    "ServiceAccessNotEnabledException",
    "OrganizationNotInAllFeaturesModeException",
];

/// `iam:ListOrganizationsFeatures` (management account).
pub async fn organization_features(ctx: &Ctx, client: &Client) -> Section<Vec<String>> {
    let result = ctx
        .call(
            "iam:ListOrganizationsFeatures",
            None,
            client.list_organizations_features().send(),
        )
        .await
        .map(|out| {
            let mut features: Vec<String> = out
                .enabled_features
                .unwrap_or_default()
                .iter()
                .map(|f| f.as_str().to_string())
                .collect();
            features.sort();
            features
        });
    match result {
        Err(e) if NO_ORGANIZATION_FEATURES.contains(&e.code.as_str()) => Section::ok(Vec::new()),
        other => section(other),
    }
}

async fn summary(ctx: &Ctx, client: &Client) -> Result<IamSummary, CollectError> {
    let out = ctx
        .call(
            "iam:GetAccountSummary",
            None,
            client.get_account_summary().send(),
        )
        .await?;
    let map = out.summary_map.unwrap_or_default();
    let get = |key: &str| map.get(&SummaryKeyType::from(key)).map(|v| i64::from(*v));
    Ok(IamSummary {
        account_mfa_enabled: get("AccountMFAEnabled"),
        account_access_keys_present: get("AccountAccessKeysPresent"),
        account_signing_certificates_present: get("AccountSigningCertificatesPresent"),
        account_password_present: get("AccountPasswordPresent"),
        users: get("Users"),
        mfa_devices: get("MFADevices"),
        mfa_devices_in_use: get("MFADevicesInUse"),
    })
}

async fn password_policy(
    ctx: &Ctx,
    client: &Client,
) -> Result<Option<PasswordPolicy>, CollectError> {
    let out = ctx
        .call(
            "iam:GetAccountPasswordPolicy",
            None,
            client.get_account_password_policy().send(),
        )
        .await;
    let out = match out {
        Ok(out) => out,
        // The account has no password policy: a fact, not an error.
        Err(e) if e.code == "NoSuchEntity" => return Ok(None),
        Err(e) => return Err(e),
    };
    Ok(out.password_policy.map(|p| PasswordPolicy {
        minimum_password_length: p.minimum_password_length.map(i64::from),
        require_symbols: p.require_symbols,
        require_numbers: p.require_numbers,
        require_uppercase_characters: p.require_uppercase_characters,
        require_lowercase_characters: p.require_lowercase_characters,
        allow_users_to_change_password: p.allow_users_to_change_password,
        expire_passwords: p.expire_passwords,
        max_password_age: p.max_password_age.map(i64::from),
        password_reuse_prevention: p.password_reuse_prevention.map(i64::from),
        hard_expiry: p.hard_expiry,
    }))
}

/// Generates the credential report, then polls `GetCredentialReport` with
/// exponential backoff (starting at `first_poll`) until it is ready.
async fn credential_report(
    ctx: &Ctx,
    client: &Client,
    first_poll: Duration,
) -> Result<CredentialReport, CollectError> {
    const MAX_POLLS: u32 = 12;
    let mut wait = first_poll;
    ctx.call(
        "iam:GenerateCredentialReport",
        None,
        client.generate_credential_report().send(),
    )
    .await?;
    let mut polls = 0;
    loop {
        let got = ctx
            .call(
                "iam:GetCredentialReport",
                None,
                client.get_credential_report().send(),
            )
            .await;
        match got {
            Ok(out) => {
                let content = out.content.map(|b| b.into_inner()).unwrap_or_default();
                let text = String::from_utf8_lossy(&content);
                return Ok(CredentialReport {
                    generated_time: ts(out.generated_time.as_ref()),
                    rows: parse_credential_report(&text).map_err(|message| CollectError {
                        operation: "iam:GetCredentialReport".to_string(),
                        code: "InvalidReport".to_string(),
                        message,
                        region: None,
                    })?,
                });
            }
            Err(e)
                if polls < MAX_POLLS
                    && matches!(
                        e.code.as_str(),
                        "ReportInProgress" | "ReportNotPresent" | "ReportExpired"
                    ) =>
            {
                if e.code != "ReportInProgress" {
                    ctx.call(
                        "iam:GenerateCredentialReport",
                        None,
                        client.generate_credential_report().send(),
                    )
                    .await?;
                }
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(Duration::from_secs(5));
                polls += 1;
            }
            Err(e) => return Err(e),
        }
    }
}

/// Parses the credential report CSV (with a header row) into rows, with the
/// `csv` crate (RFC 4180: quoted fields, doubled quotes, CRLF or LF). A report
/// that is not well-formed CSV (a row with another number of fields than the
/// header, an unterminated quote) is an error, never a shorter list of users.
pub fn parse_credential_report(text: &str) -> Result<Vec<CredentialReportRow>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| format!("the credential report is not valid CSV: {e}"))?
        .clone();
    if header.is_empty() {
        return Ok(Vec::new());
    }
    let column = |name: &str| header.iter().position(|h| h == name);
    let required = ["user", "arn"];
    for name in required {
        if column(name).is_none() {
            return Err(format!("the credential report has no `{name}` column"));
        }
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| format!("the credential report is not valid CSV: {e}"))?;
        if record.iter().all(|f| f.is_empty()) {
            continue;
        }
        let text = |name: &str| -> String {
            column(name)
                .and_then(|i| record.get(i))
                .unwrap_or_default()
                .to_string()
        };
        let date = |name: &str| -> Option<String> {
            let v = text(name);
            match v.as_str() {
                "" | "N/A" | "no_information" | "not_supported" => None,
                _ => Some(v),
            }
        };
        let flag = |name: &str| text(name).eq_ignore_ascii_case("true");
        rows.push(CredentialReportRow {
            user: text("user"),
            arn: text("arn"),
            user_creation_time: date("user_creation_time"),
            password_enabled: text("password_enabled"),
            password_last_used: date("password_last_used"),
            password_last_changed: date("password_last_changed"),
            mfa_active: flag("mfa_active"),
            access_key_1_active: flag("access_key_1_active"),
            access_key_1_last_rotated: date("access_key_1_last_rotated"),
            access_key_1_last_used_date: date("access_key_1_last_used_date"),
            access_key_2_active: flag("access_key_2_active"),
            access_key_2_last_rotated: date("access_key_2_last_rotated"),
            access_key_2_last_used_date: date("access_key_2_last_used_date"),
            cert_1_active: flag("cert_1_active"),
            cert_2_active: flag("cert_2_active"),
        });
    }
    Ok(rows)
}

/// Users: `ListUsers` (for `PasswordLastUsed`), one
/// `GetAccountAuthorizationDetails` (users' attached and inline policies,
/// boundaries and groups, groups' attached and inline policies, customer
/// managed policies' documents: one paginated call instead of several per
/// user), then per user its MFA devices, access keys and login profile.
/// Returns the users and the managed policies they depend on.
async fn users(
    ctx: &Ctx,
    client: &Client,
) -> Result<(Vec<IamUser>, Section<Vec<ManagedPolicy>>), CollectError> {
    let listed = ctx.call(
        "iam:ListUsers",
        None,
        client
            .list_users()
            .into_paginator()
            .page_size(PAGE)
            .items()
            .send()
            .try_collect(),
    );
    let details = ctx.call(
        "iam:GetAccountAuthorizationDetails",
        None,
        client
            .get_account_authorization_details()
            .filter(EntityType::User)
            .filter(EntityType::Group)
            .filter(EntityType::LocalManagedPolicy)
            .into_paginator()
            .page_size(PAGE)
            .send()
            .try_collect(),
    );
    let (listed, details) = futures::try_join!(listed, details)?;

    let AuthorizationDetails {
        groups,
        users: mut user_details,
        local,
    } = AuthorizationDetails::of(details);
    let users = try_join_all(listed.into_iter().map(|u| {
        let detail = user_details.remove(&u.user_name);
        let groups = &groups;
        async move {
            let mut user = user(ctx, client, u).await?;
            apply_details(&mut user, detail, groups)?;
            Ok(user)
        }
    }))
    .await?;
    let policies = managed_policies(ctx, client, &users, local).await;
    Ok((users, section(policies)))
}

/// The users', groups' and customer managed policies' details of
/// `GetAccountAuthorizationDetails`, by name (users, groups) and ARN
/// (policies, with the document of their default version).
struct AuthorizationDetails {
    groups: BTreeMap<String, IamGroup>,
    users: BTreeMap<String, aws_sdk_iam::types::UserDetail>,
    local: BTreeMap<String, ManagedPolicy>,
}

impl AuthorizationDetails {
    fn of(
        pages: Vec<aws_sdk_iam::operation::get_account_authorization_details::GetAccountAuthorizationDetailsOutput>,
    ) -> AuthorizationDetails {
        let mut details = AuthorizationDetails {
            groups: BTreeMap::new(),
            users: BTreeMap::new(),
            local: BTreeMap::new(),
        };
        for page in pages {
            for g in page.group_detail_list.unwrap_or_default() {
                let name = g.group_name.unwrap_or_default();
                details.groups.insert(
                    name.clone(),
                    IamGroup {
                        name,
                        arn: g.arn.unwrap_or_default(),
                        attached_policies: g
                            .attached_managed_policies
                            .unwrap_or_default()
                            .into_iter()
                            .map(policy_ref)
                            .collect(),
                        inline_policies: Section::ok(
                            g.group_policy_list
                                .unwrap_or_default()
                                .into_iter()
                                .map(inline_policy)
                                .collect(),
                        ),
                    },
                );
            }
            for u in page.user_detail_list.unwrap_or_default() {
                details
                    .users
                    .insert(u.user_name.clone().unwrap_or_default(), u);
            }
            for p in page.policies.unwrap_or_default() {
                let policy = local_policy(p);
                details.local.insert(policy.arn.clone(), policy);
            }
        }
        details
    }
}

/// A customer managed policy of the authorization details, with the
/// document of its default version.
fn local_policy(p: aws_sdk_iam::types::ManagedPolicyDetail) -> ManagedPolicy {
    let arn = p.arn.unwrap_or_default();
    let default = p
        .policy_version_list
        .unwrap_or_default()
        .into_iter()
        .find(|v| v.is_default_version);
    // moto leaves PolicyName out here: the ARN's last segment is
    // the name.
    let name = p
        .policy_name
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| arn.rsplit('/').next().unwrap_or_default().to_string());
    ManagedPolicy {
        name,
        arn,
        default_version_id: p.default_version_id,
        document: document(default.and_then(|v| v.document).as_deref()),
    }
}

/// Sets a user's policies, boundary and groups from its authorization
/// details.
fn apply_details(
    user: &mut IamUser,
    detail: Option<aws_sdk_iam::types::UserDetail>,
    groups: &BTreeMap<String, IamGroup>,
) -> Result<(), CollectError> {
    // A user created between the two listings has no details: its
    // policies are unknown, so the whole section fails closed.
    let detail = detail.ok_or_else(|| CollectError {
        operation: "iam:GetAccountAuthorizationDetails".to_string(),
        code: "Inconsistent".to_string(),
        message: format!(
            "user {} is missing from the authorization details",
            user.name
        ),
        region: None,
    })?;
    user.attached_policies = detail
        .attached_managed_policies
        .unwrap_or_default()
        .into_iter()
        .map(policy_ref)
        .collect();
    let inline: Vec<InlinePolicy> = detail
        .user_policy_list
        .unwrap_or_default()
        .into_iter()
        .map(inline_policy)
        .collect();
    user.inline_policy_names = inline.iter().map(|p| p.name.clone()).collect();
    user.inline_policies = Section::ok(inline);
    user.permissions_boundary = Section::ok(
        detail
            .permissions_boundary
            .and_then(|b| b.permissions_boundary_arn)
            .map(|arn| PolicyRef {
                name: arn.rsplit('/').next().unwrap_or_default().to_string(),
                arn,
            }),
    );
    user.groups = detail
        .group_list
        .unwrap_or_default()
        .iter()
        .map(|name| {
            groups.get(name).cloned().unwrap_or_else(|| IamGroup {
                name: name.clone(),
                // A group missing from the details: its policies are
                // unknown, never "none".
                inline_policies: Section::error(CollectError {
                    operation: "iam:GetAccountAuthorizationDetails".to_string(),
                    code: "Inconsistent".to_string(),
                    message: format!("group {name} is missing from the authorization details"),
                    region: None,
                }),
                ..IamGroup::default()
            })
        })
        .collect();
    Ok(())
}

/// The managed policies the users depend on (attached to them or their
/// groups, or set as their boundary): customer managed ones from the
/// authorization details, AWS managed ones (not listed there unless asked
/// for all of them, over a thousand) with `GetPolicy` + `GetPolicyVersion`.
async fn managed_policies(
    ctx: &Ctx,
    client: &Client,
    users: &[IamUser],
    mut local: BTreeMap<String, ManagedPolicy>,
) -> Result<Vec<ManagedPolicy>, CollectError> {
    let mut needed: std::collections::BTreeSet<&str> = Default::default();
    for u in users {
        needed.extend(u.attached_policies.iter().map(|p| p.arn.as_str()));
        for g in &u.groups {
            needed.extend(g.attached_policies.iter().map(|p| p.arn.as_str()));
        }
        if let Some(Some(b)) = u.permissions_boundary.data() {
            needed.insert(b.arn.as_str());
        }
    }
    let fetched = try_join_all(needed.iter().filter(|arn| !local.contains_key(**arn)).map(
        |arn| async move {
            let policy = ctx
                .call(
                    "iam:GetPolicy",
                    None,
                    client.get_policy().policy_arn(*arn).send(),
                )
                .await?
                .policy
                .ok_or_else(|| missing("iam:GetPolicy", arn))?;
            let version_id = policy.default_version_id.clone().unwrap_or_default();
            let version = ctx
                .call(
                    "iam:GetPolicyVersion",
                    None,
                    client
                        .get_policy_version()
                        .policy_arn(*arn)
                        .version_id(&version_id)
                        .send(),
                )
                .await?
                .policy_version
                .ok_or_else(|| missing("iam:GetPolicyVersion", arn))?;
            Ok::<_, CollectError>(ManagedPolicy {
                name: policy.policy_name.unwrap_or_default(),
                arn: arn.to_string(),
                default_version_id: policy.default_version_id,
                document: document(version.document.as_deref()),
            })
        },
    ))
    .await?;
    let mut out: Vec<ManagedPolicy> = fetched;
    out.extend(needed.iter().filter_map(|arn| local.remove(*arn)));
    out.sort_by(|a, b| a.arn.cmp(&b.arn));
    Ok(out)
}

/// An answer without the object asked for.
fn missing(operation: &str, arn: &str) -> CollectError {
    CollectError {
        operation: operation.to_string(),
        code: "EmptyResponse".to_string(),
        message: format!("no policy in the answer for {arn}"),
        region: None,
    }
}

/// A policy document as IAM returns it (URL-encoded JSON), decoded and
/// parsed; kept as the raw text when it is not JSON, so that the analysis
/// reports the policy as unreadable rather than guessing.
fn document(raw: Option<&str>) -> PolicyDocument {
    PolicyDocument::from_value(&match raw {
        None => serde_json::Value::Null,
        Some(raw) => crate::analysis::policy::decode_document(raw)
            .unwrap_or_else(|_| serde_json::Value::String(raw.to_string())),
    })
}

fn inline_policy(p: aws_sdk_iam::types::PolicyDetail) -> InlinePolicy {
    InlinePolicy {
        name: p.policy_name.unwrap_or_default(),
        document: document(p.policy_document.as_deref()),
    }
}

fn policy_ref(p: aws_sdk_iam::types::AttachedPolicy) -> PolicyRef {
    PolicyRef {
        name: p.policy_name.unwrap_or_default(),
        arn: p.policy_arn.unwrap_or_default(),
    }
}

/// One user's credentials: MFA devices, access keys with last use, and
/// login profile.
async fn user(
    ctx: &Ctx,
    client: &Client,
    u: aws_sdk_iam::types::User,
) -> Result<IamUser, CollectError> {
    let name = u.user_name.as_str();
    let mfa = ctx.call(
        "iam:ListMFADevices",
        None,
        client
            .list_mfa_devices()
            .user_name(name)
            .into_paginator()
            .page_size(PAGE)
            .items()
            .send()
            .try_collect(),
    );
    let keys = async {
        let keys = ctx
            .call(
                "iam:ListAccessKeys",
                None,
                client
                    .list_access_keys()
                    .user_name(name)
                    .into_paginator()
                    .page_size(PAGE)
                    .items()
                    .send()
                    .try_collect(),
            )
            .await?;
        try_join_all(keys.into_iter().map(|k| access_key(ctx, client, k))).await
    };
    let login = async {
        match ctx
            .call(
                "iam:GetLoginProfile",
                None,
                client.get_login_profile().user_name(name).send(),
            )
            .await
        {
            Ok(out) => Ok(out.login_profile.map(|p| LoginProfile {
                create_date: ts(Some(&p.create_date)),
                password_reset_required: p.password_reset_required,
            })),
            // No console password.
            Err(e) if e.code == "NoSuchEntity" => Ok(None),
            Err(e) => Err(e),
        }
    };
    let (mfa, keys, login) = futures::try_join!(mfa, keys, login)?;
    Ok(IamUser {
        name: u.user_name.clone(),
        arn: u.arn.clone(),
        user_id: u.user_id.clone(),
        create_date: ts(Some(&u.create_date)),
        password_last_used: ts(u.password_last_used.as_ref()),
        login_profile: login,
        mfa_devices: mfa
            .into_iter()
            .map(|d| MfaDevice {
                serial_number: d.serial_number,
                enable_date: ts(Some(&d.enable_date)),
            })
            .collect(),
        access_keys: keys,
        attached_policies: Vec::new(),
        groups: Vec::new(),
        inline_policy_names: Vec::new(),
        inline_policies: Section::ok(Vec::new()),
        permissions_boundary: Section::ok(None),
    })
}

async fn access_key(
    ctx: &Ctx,
    client: &Client,
    k: aws_sdk_iam::types::AccessKeyMetadata,
) -> Result<AccessKey, CollectError> {
    let id = k.access_key_id.unwrap_or_default();
    let used = ctx
        .call(
            "iam:GetAccessKeyLastUsed",
            None,
            client.get_access_key_last_used().access_key_id(&id).send(),
        )
        .await?
        .access_key_last_used;
    let na = |s: &str| (!s.is_empty() && s != "N/A").then(|| s.to_string());
    Ok(AccessKey {
        status: k.status.map(|s| s.as_str().to_string()).unwrap_or_default(),
        create_date: ts(k.create_date.as_ref()),
        last_used_date: used.as_ref().and_then(|u| ts(u.last_used_date.as_ref())),
        last_used_service: used.as_ref().and_then(|u| na(&u.service_name)),
        last_used_region: used.as_ref().and_then(|u| na(&u.region)),
        access_key_id: id,
    })
}

async fn virtual_mfa_devices(
    ctx: &Ctx,
    client: &Client,
) -> Result<Vec<VirtualMfaDevice>, CollectError> {
    let devices = ctx
        .call(
            "iam:ListVirtualMFADevices",
            None,
            client
                .list_virtual_mfa_devices()
                .assignment_status(AssignmentStatusType::Any)
                .into_paginator()
                .page_size(PAGE)
                .items()
                .send()
                .try_collect(),
        )
        .await?;
    Ok(devices
        .into_iter()
        .map(|d| VirtualMfaDevice {
            serial_number: d.serial_number,
            user_arn: d.user.map(|u| u.arn),
            enable_date: ts(d.enable_date.as_ref()),
        })
        .collect())
}

async fn aliases(ctx: &Ctx, client: &Client) -> Result<Vec<String>, CollectError> {
    ctx.call(
        "iam:ListAccountAliases",
        None,
        client
            .list_account_aliases()
            .into_paginator()
            .page_size(PAGE)
            .items()
            .send()
            .try_collect(),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_credential_report() {
        let csv = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n\
<root_account>,arn:aws:iam::111111111111:root,2024-01-01T00:00:00+00:00,not_supported,2024-05-01T00:00:00+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n\
\"alice,ops\",arn:aws:iam::111111111111:user/alice,2024-01-02T00:00:00+00:00,true,no_information,2024-01-02T00:00:00+00:00,N/A,false,true,2024-01-02T00:00:00+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\r\n";
        let rows = parse_credential_report(csv).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].user, "<root_account>");
        assert!(rows[0].mfa_active);
        assert_eq!(rows[0].password_enabled, "not_supported");
        assert_eq!(rows[0].password_last_changed, None);
        assert_eq!(rows[1].user, "alice,ops");
        assert_eq!(rows[1].password_last_used, None);
        assert!(rows[1].access_key_1_active);
        assert_eq!(
            rows[1].access_key_1_last_rotated.as_deref(),
            Some("2024-01-02T00:00:00+00:00")
        );
    }

    #[test]
    fn a_report_without_the_user_column_is_an_error() {
        assert!(parse_credential_report("arn\nx\n").is_err());
        assert_eq!(parse_credential_report("").unwrap(), vec![]);
    }

    #[test]
    fn a_malformed_report_is_an_error_not_fewer_users() {
        // A row with fewer fields than the header: the hand-written reader
        // took it as a user with empty columns.
        let short = "user,arn,mfa_active\nalice,arn:aws:iam::1:user/alice,true\nbob\n";
        let err = parse_credential_report(short).unwrap_err();
        assert!(err.contains("not valid CSV"), "{err}");
        // An unterminated quote swallowed every later row.
        let open = "user,arn\n\"alice,arn:aws:iam::1:user/alice\nbob,arn:aws:iam::1:user/bob\n";
        assert!(parse_credential_report(open).is_err());
    }
}
