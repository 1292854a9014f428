//! The answers of every operation the simulator serves, shaped as AWS's
//! (member names, nesting, timestamp formats and error codes of each
//! service's model), from the generated organization.

use std::time::{Duration, SystemTime};

use serde_json::{json, Value};

use super::org::{self, Org, User};
use super::{xml, AwsError, Call, Out, Wire, ASSUMED_KEY_PREFIX};
use crate::support::proxy::{form_param, percent_decode, rfc3339};

type Answer = Result<Out, AwsError>;

/// The operation's name: the `Action` of query protocols, the target of
/// JSON ones, the route of REST ones (`METHOD /path` when unknown).
pub(crate) fn operation_name(call: &Call, wire: Wire) -> String {
    let req = call.req;
    match wire {
        Wire::Query | Wire::Ec2 => form_param(&req.body, "Action").unwrap_or_default(),
        Wire::Json => req.op.clone(),
        Wire::RestJson | Wire::RestXml => {
            let route = match (req.service.as_str(), call.method, call.path) {
                ("account", "POST", "/getAlternateContact") => "GetAlternateContact",
                ("account", "POST", "/listRegions") => "ListRegions",
                ("s3", "GET", "/") => "ListBuckets",
                ("s3", "GET", "/v20180820/configuration/publicAccessBlock") => {
                    "GetPublicAccessBlock"
                }
                ("guardduty", "GET", "/detector") => "ListDetectors",
                ("guardduty", "GET", p) if p.starts_with("/detector/") && p.ends_with("/admin") => {
                    "DescribeOrganizationConfiguration"
                }
                ("guardduty", "GET", p) if p.starts_with("/detector/") => "GetDetector",
                ("securityhub", "GET", "/accounts") => "DescribeHub",
                ("access-analyzer", "GET", "/analyzer") => "ListAnalyzers",
                _ => "",
            };
            if route.is_empty() {
                format!("{} {}", call.method, call.path)
            } else {
                route.to_string()
            }
        }
    }
}

/// The answer of `op`, or `None` when the simulator does not know it.
pub(crate) fn handle(call: &Call, op: &str) -> Option<Answer> {
    let answer = match (call.req.service.as_str(), op) {
        ("sts", "GetCallerIdentity") => get_caller_identity(call),
        ("sts", "AssumeRole") => assume_role(call),
        ("iam", op) => return iam(call, op),
        ("organizations", op) => return organizations(call, op),
        ("account", "GetAlternateContact") => alternate_contact(call),
        ("account", "ListRegions") => list_regions(call),
        ("cloudtrail", op) => return cloudtrail(call, op),
        ("config", op) => return config(call, op),
        ("budgets", op) => return budgets(call, op),
        ("ce", "GetAnomalyMonitors") => anomaly_monitors(call),
        ("ce", "GetAnomalySubscriptions") => anomaly_subscriptions(call),
        ("sso", op) => return sso(call, op),
        ("s3", "ListBuckets") => list_buckets(call),
        ("s3", "GetPublicAccessBlock") => public_access_block(call),
        ("guardduty", op) => return guardduty(call, op),
        ("securityhub", "DescribeHub") => describe_hub(call),
        ("access-analyzer", "ListAnalyzers") => list_analyzers(call),
        ("ec2", "GetEbsEncryptionByDefault") => ebs_encryption_by_default(call),
        _ => return None,
    };
    Some(answer)
}

// ---------------------------------------------------------------- helpers

fn iso(t: SystemTime) -> String {
    rfc3339(t)
}

fn epoch(t: SystemTime) -> f64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs() as f64
}

/// A query protocol parameter.
fn param(call: &Call, name: &str) -> Option<String> {
    form_param(&call.req.body, name)
}

/// A string member of the JSON input.
fn input<'a>(call: &'a Call, name: &str) -> Option<&'a str> {
    call.json.get(name).and_then(Value::as_str)
}

/// A query-string parameter (REST protocols), decoded.
fn query_param(call: &Call, name: &str) -> Option<String> {
    call.query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| percent_decode(v))
}

/// One page of `items`: `token` is the offset of the page (as the simulator
/// issued it), `max` the page size; the next token if more remain.
fn page<T: Clone>(items: &[T], token: Option<&str>, max: usize) -> (Vec<T>, Option<String>) {
    let start: usize = token.and_then(|t| t.parse().ok()).unwrap_or(0);
    let end = (start + max.max(1)).min(items.len());
    let next = (end < items.len()).then(|| end.to_string());
    (items.get(start..end).unwrap_or_default().to_vec(), next)
}

/// The page size asked for in a JSON input, bounded by the service's largest.
fn max_results(call: &Call, largest: usize) -> usize {
    call.json
        .get("MaxResults")
        .and_then(Value::as_u64)
        .map(|n| (n as usize).min(largest))
        .unwrap_or(largest)
}

fn with_token(mut v: Value, next: Option<String>) -> Value {
    if let Some(next) = next {
        v["NextToken"] = Value::String(next);
    }
    v
}

/// Percent-encodes a policy document as IAM returns it.
fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3 / 2);
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn denied(call: &Call, action: &str) -> AwsError {
    AwsError::new(
        403,
        "AccessDenied",
        format!(
            "User: {} is not authorized to perform: {action}",
            caller_arn(call.org, call.caller)
        ),
    )
}

fn caller_arn(org: &Org, caller: usize) -> String {
    if caller == 0 {
        format!("arn:aws:iam::{}:user/auditor", org.management())
    } else {
        format!(
            "arn:aws:sts::{}:assumed-role/{}/orgaudit",
            org.id(caller),
            org::ROLE
        )
    }
}

fn json_denied(call: &Call, action: &str) -> AwsError {
    let mut e = denied(call, action);
    e.status = 400;
    e.code = "AccessDeniedException".to_string();
    e
}

// ---------------------------------------------------------------- sts

fn get_caller_identity(call: &Call) -> Answer {
    let id = call.org.id(call.caller);
    Ok(Out::Query(format!(
        "<Arn>{}</Arn><UserId>AIDASIMULATOR{}</UserId><Account>{id}</Account>",
        caller_arn(call.org, call.caller),
        &id[6..]
    )))
}

fn assume_role(call: &Call) -> Answer {
    let arn = param(call, "RoleArn").unwrap_or_default();
    let mut parts = arn.split(':');
    let account = parts.nth(4).unwrap_or_default();
    let role = parts
        .next()
        .and_then(|r| r.strip_prefix("role/"))
        .unwrap_or_default();
    let org = call.org;
    let reachable = org
        .index(account)
        .is_some_and(|i| !org.suspended(i) && org.has_role(i) && role == org::ROLE);
    if !reachable {
        return Err(denied(call, &format!("sts:AssumeRole on resource: {arn}")));
    }
    let expires = SystemTime::now() + Duration::from_secs(3600);
    Ok(Out::Query(format!(
        "<Credentials><AccessKeyId>{ASSUMED_KEY_PREFIX}{account}</AccessKeyId>\
         <SecretAccessKey>simulator-secret-not-real</SecretAccessKey>\
         <SessionToken>simulator-session-token-not-real</SessionToken>\
         <Expiration>{}</Expiration></Credentials>\
         <AssumedRoleUser><AssumedRoleId>AROASIMULATOR:orgaudit</AssumedRoleId>\
         <Arn>arn:aws:sts::{account}:assumed-role/{role}/orgaudit</Arn></AssumedRoleUser>",
        iso(expires)
    )))
}

// ---------------------------------------------------------------- iam

const ADMIN_DOC: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
const READ_ONLY_DOC: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:Get*","iam:List*","s3:Get*","s3:List*","ec2:Describe*","cloudtrail:Describe*","config:Describe*"],"Resource":"*"}]}"#;

fn iam(call: &Call, op: &str) -> Option<Answer> {
    let org = call.org;
    let i = call.caller;
    let id = org.id(i);
    let users = org.users(i);
    let user_named = |name: Option<String>| -> Result<User, AwsError> {
        let name = name.unwrap_or_default();
        users
            .iter()
            .find(|u| u.name == name)
            .cloned()
            .ok_or_else(|| {
                AwsError::new(
                    404,
                    "NoSuchEntity",
                    format!("The user with name {name} cannot be found."),
                )
            })
    };
    let created = iso(org.days_ago(900));
    let user_xml = |u: &User| {
        format!(
            "<Path>/</Path><UserName>{n}</UserName><UserId>AIDA{id}{j}</UserId>\
             <Arn>arn:aws:iam::{id}:user/{n}</Arn><CreateDate>{created}</CreateDate>",
            n = u.name,
            j = u.index
        )
    };
    let out = match op {
        "ListOrganizationsFeatures" => {
            if i != 0 {
                return Some(Err(denied(call, "iam:ListOrganizationsFeatures")));
            }
            format!(
                "<OrganizationId>{}</OrganizationId><EnabledFeatures>\
                 <member>RootCredentialsManagement</member></EnabledFeatures>",
                org::ORG_ID
            )
        }
        "GetAccountSummary" => {
            let mfa_users = users.iter().filter(|u| u.mfa).count();
            let mfa = usize::from(org.root_mfa(i));
            let entries = [
                ("AccountMFAEnabled", mfa),
                (
                    "AccountAccessKeysPresent",
                    usize::from(org.root_access_key(i)),
                ),
                ("AccountSigningCertificatesPresent", 0),
                ("AccountPasswordPresent", 1),
                ("Users", users.len()),
                ("MFADevices", mfa_users + mfa),
                ("MFADevicesInUse", mfa_users + mfa),
                ("Policies", 0),
                ("Groups", 1),
                ("Roles", 3),
            ];
            let body: String = entries
                .iter()
                .map(|(k, v)| format!("<entry><key>{k}</key><value>{v}</value></entry>"))
                .collect();
            format!("<SummaryMap>{body}</SummaryMap>")
        }
        "GetAccountPasswordPolicy" => match org.password_policy(i) {
            None => {
                return Some(Err(AwsError::new(
                    404,
                    "NoSuchEntity",
                    format!("The Password Policy with domain name {id} cannot be found."),
                )))
            }
            Some(strong) => {
                let (len, flag, reuse) = if strong {
                    (14, "true", 24)
                } else {
                    (8, "false", 0)
                };
                format!(
                    "<PasswordPolicy><MinimumPasswordLength>{len}</MinimumPasswordLength>\
                     <RequireSymbols>{flag}</RequireSymbols><RequireNumbers>true</RequireNumbers>\
                     <RequireUppercaseCharacters>{flag}</RequireUppercaseCharacters>\
                     <RequireLowercaseCharacters>true</RequireLowercaseCharacters>\
                     <AllowUsersToChangePassword>true</AllowUsersToChangePassword>\
                     <ExpirePasswords>{flag}</ExpirePasswords>{}\
                     {}<HardExpiry>false</HardExpiry></PasswordPolicy>",
                    if strong {
                        "<MaxPasswordAge>90</MaxPasswordAge>"
                    } else {
                        ""
                    },
                    if reuse > 0 {
                        format!("<PasswordReusePrevention>{reuse}</PasswordReusePrevention>")
                    } else {
                        String::new()
                    }
                )
            }
        },
        "GenerateCredentialReport" => "<State>COMPLETE</State>".to_string(),
        "GetCredentialReport" => format!(
            "<Content>{}</Content><ReportFormat>text/csv</ReportFormat>\
             <GeneratedTime>{}</GeneratedTime>",
            aws_smithy_types::base64::encode(credential_report(org, i)),
            iso(org.now)
        ),
        "ListUsers" => {
            let members: String = users
                .iter()
                .map(|u| {
                    let used = if u.console {
                        format!(
                            "<PasswordLastUsed>{}</PasswordLastUsed>",
                            iso(org.days_ago(password_last_used_days(u)))
                        )
                    } else {
                        String::new()
                    };
                    format!("<member>{}{used}</member>", user_xml(u))
                })
                .collect();
            format!("<Users>{members}</Users><IsTruncated>false</IsTruncated>")
        }
        "GetAccountAuthorizationDetails" => {
            let attached = |arn: &str| {
                let name = arn.rsplit('/').next().unwrap_or_default();
                format!(
                    "<member><PolicyName>{name}</PolicyName><PolicyArn>{arn}</PolicyArn></member>"
                )
            };
            let details: String = users
                .iter()
                .map(|u| {
                    let policy = if u.admin {
                        org::ADMIN_POLICY
                    } else {
                        org::READ_ONLY_POLICY
                    };
                    let groups = if u.in_admin_group {
                        "<member>admins</member>"
                    } else {
                        ""
                    };
                    format!(
                        "<member>{}<UserPolicyList/><GroupList>{groups}</GroupList>\
                         <AttachedManagedPolicies>{}</AttachedManagedPolicies></member>",
                        user_xml(u),
                        attached(policy)
                    )
                })
                .collect();
            format!(
                "<UserDetailList>{details}</UserDetailList><GroupDetailList><member>\
                 <Path>/</Path><GroupName>admins</GroupName><GroupId>AGPA{id}</GroupId>\
                 <Arn>arn:aws:iam::{id}:group/admins</Arn><CreateDate>{created}</CreateDate>\
                 <GroupPolicyList/><AttachedManagedPolicies>{}</AttachedManagedPolicies>\
                 </member></GroupDetailList><RoleDetailList/><Policies/>\
                 <IsTruncated>false</IsTruncated>",
                attached(org::ADMIN_POLICY)
            )
        }
        "GetPolicy" | "GetPolicyVersion" => {
            let arn = param(call, "PolicyArn").unwrap_or_default();
            let doc = match arn.as_str() {
                org::ADMIN_POLICY => ADMIN_DOC,
                org::READ_ONLY_POLICY => READ_ONLY_DOC,
                _ => {
                    return Some(Err(AwsError::new(
                        404,
                        "NoSuchEntity",
                        format!("Policy {arn} does not exist or is not attachable."),
                    )))
                }
            };
            let name = arn.rsplit('/').next().unwrap_or_default();
            if op == "GetPolicy" {
                format!(
                    "<Policy><PolicyName>{name}</PolicyName><PolicyId>ANPASIM{name}</PolicyId>\
                     <Arn>{arn}</Arn><Path>/</Path><DefaultVersionId>v1</DefaultVersionId>\
                     <AttachmentCount>1</AttachmentCount><IsAttachable>true</IsAttachable>\
                     <CreateDate>{created}</CreateDate><UpdateDate>{created}</UpdateDate></Policy>"
                )
            } else {
                format!(
                    "<PolicyVersion><Document>{}</Document><VersionId>v1</VersionId>\
                     <IsDefaultVersion>true</IsDefaultVersion><CreateDate>{created}</CreateDate>\
                     </PolicyVersion>",
                    url_encode(doc)
                )
            }
        }
        "ListMFADevices" => {
            let u = match user_named(param(call, "UserName")) {
                Ok(u) => u,
                Err(e) => return Some(Err(e)),
            };
            let devices = if u.mfa {
                format!(
                    "<member><UserName>{n}</UserName><SerialNumber>arn:aws:iam::{id}:mfa/{n}\
                     </SerialNumber><EnableDate>{created}</EnableDate></member>",
                    n = u.name
                )
            } else {
                String::new()
            };
            format!("<MFADevices>{devices}</MFADevices><IsTruncated>false</IsTruncated>")
        }
        "ListAccessKeys" => {
            let u = match user_named(param(call, "UserName")) {
                Ok(u) => u,
                Err(e) => return Some(Err(e)),
            };
            let keys: String = (0..u.keys)
                .map(|k| {
                    format!(
                        "<member><UserName>{}</UserName><AccessKeyId>{}</AccessKeyId>\
                         <Status>{}</Status><CreateDate>{}</CreateDate></member>",
                        u.name,
                        u.key_id(&id, k),
                        if k == 0 { "Active" } else { "Inactive" },
                        iso(org.days_ago(u.key_age_days))
                    )
                })
                .collect();
            format!("<AccessKeyMetadata>{keys}</AccessKeyMetadata><IsTruncated>false</IsTruncated>")
        }
        "GetAccessKeyLastUsed" => {
            let key = param(call, "AccessKeyId").unwrap_or_default();
            let found = users.iter().find_map(|u| {
                (0..u.keys)
                    .find(|k| u.key_id(&id, *k) == key)
                    .map(|k| (u, k))
            });
            let Some((u, k)) = found else {
                return Some(Err(AwsError::new(
                    404,
                    "NoSuchEntity",
                    format!("The Access Key with id {key} cannot be found."),
                )));
            };
            let used = if k == 0 {
                format!(
                    "<LastUsedDate>{}</LastUsedDate><ServiceName>s3</ServiceName>\
                     <Region>us-east-1</Region>",
                    iso(org.days_ago(2))
                )
            } else {
                "<ServiceName>N/A</ServiceName><Region>N/A</Region>".to_string()
            };
            format!(
                "<UserName>{}</UserName><AccessKeyLastUsed>{used}</AccessKeyLastUsed>",
                u.name
            )
        }
        "GetLoginProfile" => {
            let u = match user_named(param(call, "UserName")) {
                Ok(u) => u,
                Err(e) => return Some(Err(e)),
            };
            if !u.console {
                return Some(Err(AwsError::new(
                    404,
                    "NoSuchEntity",
                    format!("Login Profile for User {} cannot be found.", u.name),
                )));
            }
            format!(
                "<LoginProfile><UserName>{}</UserName><CreateDate>{created}</CreateDate>\
                 <PasswordResetRequired>false</PasswordResetRequired></LoginProfile>",
                u.name
            )
        }
        "ListVirtualMFADevices" => {
            let mut devices = String::new();
            if org.root_virtual_mfa(i) {
                devices.push_str(&format!(
                    "<member><SerialNumber>arn:aws:iam::{id}:mfa/root-account-mfa-device\
                     </SerialNumber><User><Path>/</Path><UserName>{id}</UserName>\
                     <UserId>{id}</UserId><Arn>arn:aws:iam::{id}:root</Arn>\
                     <CreateDate>{created}</CreateDate></User><EnableDate>{created}</EnableDate>\
                     </member>"
                ));
            }
            for u in users.iter().filter(|u| u.mfa) {
                devices.push_str(&format!(
                    "<member><SerialNumber>arn:aws:iam::{id}:mfa/{}</SerialNumber><User>{}</User>\
                     <EnableDate>{created}</EnableDate></member>",
                    u.name,
                    user_xml(u)
                ));
            }
            format!(
                "<VirtualMFADevices>{devices}</VirtualMFADevices><IsTruncated>false</IsTruncated>"
            )
        }
        "ListAccountAliases" => format!(
            "<AccountAliases>{}</AccountAliases><IsTruncated>false</IsTruncated>",
            org.alias(i)
                .map(|a| format!("<member>{a}</member>"))
                .unwrap_or_default()
        ),
        _ => return None,
    };
    Some(Ok(Out::Query(out)))
}

fn password_last_used_days(u: &User) -> u64 {
    if u.index % 3 == 2 {
        200
    } else {
        1
    }
}

/// The credential report CSV of account `i`: the root user, then each user.
fn credential_report(org: &Org, i: usize) -> String {
    let id = org.id(i);
    let t = |days: u64| {
        chrono::DateTime::<chrono::Utc>::from(org.days_ago(days))
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
    };
    let mut csv = String::from(
        "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,\
         password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,\
         access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,\
         access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,\
         access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,\
         cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n",
    );
    let root_used = if i.is_multiple_of(13) { 2 } else { 200 };
    let root_key = if org.root_access_key(i) {
        format!("true,{},N/A,N/A,N/A", t(700))
    } else {
        "false,N/A,N/A,N/A,N/A".to_string()
    };
    csv.push_str(&format!(
        "<root_account>,arn:aws:iam::{id}:root,{},not_supported,{},not_supported,not_supported,{},\
         {root_key},false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n",
        t(1000),
        t(root_used),
        org.root_mfa(i)
    ));
    for u in org.users(i) {
        let (enabled, used, changed) = if u.console {
            ("true", t(password_last_used_days(&u)), t(300))
        } else {
            ("false", "N/A".to_string(), "N/A".to_string())
        };
        let key = |k: usize| {
            if k >= u.keys {
                return "false,N/A,N/A,N/A,N/A".to_string();
            }
            let active = k == 0;
            let last = if active {
                format!("{},us-east-1,s3", t(2))
            } else {
                "N/A,N/A,N/A".to_string()
            };
            format!("{active},{},{last}", t(u.key_age_days))
        };
        csv.push_str(&format!(
            "{n},arn:aws:iam::{id}:user/{n},{},{enabled},{used},{changed},N/A,{},{},{},false,N/A,false,N/A\n",
            t(900),
            u.mfa,
            key(0),
            key(1),
            n = u.name
        ));
    }
    csv
}

// ---------------------------------------------------------------- organizations

fn scp_doc(id: &str) -> &'static str {
    if id == org::FULL_ACCESS {
        ADMIN_DOC
    } else {
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"DenyLeave","Effect":"Deny","Action":["organizations:LeaveOrganization"],"Resource":"*"},{"Sid":"DenyRootUser","Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringLike":{"aws:PrincipalArn":"arn:aws:iam::*:root"}}}]}"#
    }
}

fn policy_summary(org: &Org, id: &str) -> Value {
    let (name, description, managed) = if id == org::FULL_ACCESS {
        ("FullAWSAccess", "Allows access to every operation", true)
    } else {
        (
            "Guardrails",
            "Denies leaving the organization and the root user",
            false,
        )
    };
    let arn = if managed {
        "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess".to_string()
    } else {
        format!(
            "arn:aws:organizations::{}:policy/{}/service_control_policy/{id}",
            org.management(),
            org::ORG_ID
        )
    };
    json!({
        "Id": id, "Arn": arn, "Name": name, "Description": description,
        "Type": "SERVICE_CONTROL_POLICY", "AwsManaged": managed,
    })
}

fn account_json(org: &Org, i: usize) -> Value {
    let status = if org.suspended(i) {
        "SUSPENDED"
    } else {
        "ACTIVE"
    };
    json!({
        "Id": org.id(i),
        "Arn": format!("arn:aws:organizations::{}:account/{}/{}", org.management(), org::ORG_ID, org.id(i)),
        "Email": org.email(i),
        "Name": org.name(i),
        "Status": status,
        "State": if org.suspended(i) { "SUSPENDED" } else { "ACTIVE" },
        "JoinedMethod": if i == 0 { "INVITED" } else { "CREATED" },
        "JoinedTimestamp": epoch(org.days_ago(1000 - (i as u64 % 900))),
    })
}

fn ou_arn(org: &Org, id: &str) -> String {
    format!(
        "arn:aws:organizations::{}:ou/{}/{id}",
        org.management(),
        org::ORG_ID
    )
}

fn organizations(call: &Call, op: &str) -> Option<Answer> {
    let org = call.org;
    if call.caller != 0 {
        return Some(Err(json_denied(call, &format!("organizations:{op}"))));
    }
    let mgmt = org.management();
    let token = input(call, "NextToken");
    let out = match op {
        "ListDelegatedAdministrators" => {
            let admins: Vec<Value> = org::security_admin(org)
                .map(|i| {
                    json!({
                        "Id": org.id(i),
                        "Arn": format!("arn:aws:organizations::{mgmt}:account/{}/{}", org::ORG_ID, org.id(i)),
                        "Email": org.email(i),
                        "Name": org.name(i),
                        "Status": "ACTIVE",
                        "JoinedMethod": "CREATED",
                        "JoinedTimestamp": epoch(org.days_ago(900)),
                        "DelegationEnabledDate": epoch(org.days_ago(300)),
                    })
                })
                .into_iter()
                .collect();
            json!({"DelegatedAdministrators": admins})
        }
        "ListDelegatedServicesForAccount" => {
            let asked = input(call, "AccountId").unwrap_or_default();
            if org::security_admin(org).map(|i| org.id(i)).as_deref() != Some(asked) {
                return Some(Err(AwsError::new(
                    400,
                    "AccountNotRegisteredException",
                    "The provided account is not a registered delegated administrator for your organization.",
                )));
            }
            let services: Vec<Value> = org::DELEGATED_SERVICES
                .iter()
                .map(|p| json!({"ServicePrincipal": p, "DelegationEnabledDate": epoch(org.days_ago(300))}))
                .collect();
            json!({"DelegatedServices": services})
        }
        "DescribeOrganization" => json!({"Organization": {
            "Id": org::ORG_ID,
            "Arn": format!("arn:aws:organizations::{mgmt}:organization/{}", org::ORG_ID),
            "FeatureSet": "ALL",
            "MasterAccountArn": format!("arn:aws:organizations::{mgmt}:account/{}/{mgmt}", org::ORG_ID),
            "MasterAccountId": mgmt,
            "MasterAccountEmail": org.email(0),
            "AvailablePolicyTypes": [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}],
        }}),
        "ListRoots" => json!({"Roots": [{
            "Id": org::ROOT_ID,
            "Arn": format!("arn:aws:organizations::{mgmt}:root/{}/{}", org::ORG_ID, org::ROOT_ID),
            "Name": "Root",
            "PolicyTypes": [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}],
        }]}),
        "ListOrganizationalUnitsForParent" => {
            let parent = input(call, "ParentId").unwrap_or_default();
            let ous: Vec<Value> = org
                .ous()
                .into_iter()
                .filter(|o| o.parent == parent)
                .map(|o| json!({"Id": o.id, "Arn": ou_arn(org, &o.id), "Name": o.name}))
                .collect();
            let (items, next) = page(&ous, token, max_results(call, 20));
            with_token(json!({"OrganizationalUnits": items}), next)
        }
        "ListAccountsForParent" => {
            let parent = input(call, "ParentId").unwrap_or_default();
            let children = org.children(parent);
            let (items, next) = page(&children, token, max_results(call, 20));
            let accounts: Vec<Value> = items.into_iter().map(|i| account_json(org, i)).collect();
            with_token(json!({"Accounts": accounts}), next)
        }
        "ListPolicies" => {
            if input(call, "Filter") != Some("SERVICE_CONTROL_POLICY") {
                return Some(Err(AwsError::new(
                    400,
                    "PolicyTypeNotEnabledException",
                    "This operation can be performed only for enabled policy types.",
                )));
            }
            json!({"Policies": [policy_summary(org, org::FULL_ACCESS), policy_summary(org, org::GUARDRAIL)]})
        }
        "DescribePolicy" => {
            let id = input(call, "PolicyId").unwrap_or_default();
            if id != org::FULL_ACCESS && id != org::GUARDRAIL {
                return Some(Err(AwsError::new(
                    400,
                    "PolicyNotFoundException",
                    "We can't find a policy with the PolicyId that you specified.",
                )));
            }
            json!({"Policy": {"PolicySummary": policy_summary(org, id), "Content": scp_doc(id)}})
        }
        "ListTargetsForPolicy" => {
            let id = input(call, "PolicyId").unwrap_or_default();
            let ous = org.ous();
            let mut targets: Vec<Value> = Vec::new();
            let target = |tid: &str, arn: String, name: &str, kind: &str| json!({"TargetId": tid, "Arn": arn, "Name": name, "Type": kind});
            if id == org::FULL_ACCESS {
                targets.push(target(
                    org::ROOT_ID,
                    format!(
                        "arn:aws:organizations::{mgmt}:root/{}/{}",
                        org::ORG_ID,
                        org::ROOT_ID
                    ),
                    "Root",
                    "ROOT",
                ));
                for o in &ous {
                    targets.push(target(
                        &o.id,
                        ou_arn(org, &o.id),
                        &o.name,
                        "ORGANIZATIONAL_UNIT",
                    ));
                }
                // Attached to every account, as AWS does when SCPs are enabled.
                let (items, next) = {
                    let start: usize = token.and_then(|t| t.parse().ok()).unwrap_or(0);
                    let all = targets.len() + org.accounts;
                    let end = (start + max_results(call, 20)).min(all);
                    let items: Vec<Value> = (start..end)
                        .map(|k| {
                            if k < targets.len() {
                                targets[k].clone()
                            } else {
                                let i = k - targets.len();
                                target(
                                    &org.id(i),
                                    format!(
                                        "arn:aws:organizations::{mgmt}:account/{}/{}",
                                        org::ORG_ID,
                                        org.id(i)
                                    ),
                                    &org.name(i),
                                    "ACCOUNT",
                                )
                            }
                        })
                        .collect();
                    (items, (end < all).then(|| end.to_string()))
                };
                return Some(Ok(Out::Json(with_token(json!({"Targets": items}), next))));
            } else if id == org::GUARDRAIL {
                for o in ous.iter().filter(|o| o.guarded) {
                    targets.push(target(
                        &o.id,
                        ou_arn(org, &o.id),
                        &o.name,
                        "ORGANIZATIONAL_UNIT",
                    ));
                }
            } else {
                return Some(Err(AwsError::new(
                    400,
                    "PolicyNotFoundException",
                    "We can't find a policy with the PolicyId that you specified.",
                )));
            }
            let (items, next) = page(&targets, token, max_results(call, 20));
            with_token(json!({"Targets": items}), next)
        }
        _ => return None,
    };
    Some(Ok(Out::Json(out)))
}

// ---------------------------------------------------------------- account

fn alternate_contact(call: &Call) -> Answer {
    let kind = input(call, "AlternateContactType").unwrap_or_default();
    match call.org.contact(call.caller, kind) {
        Some((name, email)) => Ok(Out::Json(json!({"AlternateContact": {
            "AlternateContactType": kind,
            "Name": name,
            "Title": "Team",
            "EmailAddress": email,
            "PhoneNumber": "+1-555-0100",
        }}))),
        None => Err(AwsError::new(
            404,
            "ResourceNotFoundException",
            "No contact of the inputted alternate contact type found.",
        )),
    }
}

fn list_regions(call: &Call) -> Answer {
    let regions: Vec<Value> = org::REGIONS
        .iter()
        .map(|r| json!({"RegionName": r, "RegionOptStatus": "ENABLED_BY_DEFAULT"}))
        .collect();
    let (items, next) = page(&regions, input(call, "NextToken"), max_results(call, 50));
    Ok(Out::Json(with_token(json!({"Regions": items}), next)))
}

// ---------------------------------------------------------------- cloudtrail

/// The trails visible in `region` of account `i`: (ARN, trail JSON).
fn trails(org: &Org, i: usize, region: &str) -> Vec<(String, Value)> {
    let mgmt = org.management();
    let org_trail = format!(
        "arn:aws:cloudtrail:{}:{mgmt}:trail/org-trail",
        org::TRAIL_REGION
    );
    let mut out = vec![(
        org_trail.clone(),
        json!({
            "Name": if i == 0 { "org-trail".to_string() } else { org_trail.clone() },
            "S3BucketName": org::LOG_BUCKET,
            "IncludeGlobalServiceEvents": true,
            "IsMultiRegionTrail": true,
            "HomeRegion": org::TRAIL_REGION,
            "TrailARN": org_trail,
            "LogFileValidationEnabled": true,
            "HasCustomEventSelectors": false,
            "HasInsightSelectors": false,
            "IsOrganizationTrail": true,
            "KmsKeyId": format!("arn:aws:kms:{}:{mgmt}:key/sim-trail-key", org::TRAIL_REGION),
        }),
    )];
    if org.local_trail(i).is_some() && region == "eu-west-1" {
        let arn = format!(
            "arn:aws:cloudtrail:eu-west-1:{}:trail/local-trail",
            org.id(i)
        );
        out.push((
            arn.clone(),
            json!({
                "Name": "local-trail",
                "S3BucketName": format!("sim-local-trail-{}", org.id(i)),
                "IncludeGlobalServiceEvents": false,
                "IsMultiRegionTrail": false,
                "HomeRegion": "eu-west-1",
                "TrailARN": arn,
                "LogFileValidationEnabled": false,
                "HasCustomEventSelectors": true,
                "HasInsightSelectors": false,
                "IsOrganizationTrail": false,
            }),
        ));
    }
    out
}

fn cloudtrail(call: &Call, op: &str) -> Option<Answer> {
    let org = call.org;
    let i = call.caller;
    // Status and selectors: only of the caller's own trails.
    let own = |name: Option<&str>| -> Result<String, AwsError> {
        let name = name.unwrap_or_default();
        let all: Vec<String> = org::REGIONS
            .iter()
            .flat_map(|r| trails(org, i, r))
            .map(|(arn, _)| arn)
            .filter(|arn| arn.split(':').nth(4) == Some(org.id(i).as_str()))
            .collect();
        all.into_iter()
            .find(|arn| arn == name || arn.ends_with(&format!("/{name}")))
            .ok_or_else(|| {
                AwsError::new(
                    400,
                    "TrailNotFoundException",
                    format!("Unknown trail: {name} for the user: {}", org.id(i)),
                )
            })
    };
    let out = match op {
        "DescribeTrails" => {
            let list: Vec<Value> = trails(org, i, call.region)
                .into_iter()
                .map(|(_, t)| t)
                .collect();
            json!({"trailList": list})
        }
        "GetTrailStatus" => {
            let arn = match own(input(call, "Name")) {
                Ok(a) => a,
                Err(e) => return Some(Err(e)),
            };
            let logging = arn.ends_with("/org-trail") || org.local_trail(i) == Some(true);
            let t = epoch(org.now - Duration::from_secs(600));
            json!({
                "IsLogging": logging,
                "LatestDeliveryTime": t,
                "StartLoggingTime": epoch(org.days_ago(800)),
                "LatestDeliveryAttemptTime": iso(org.now),
                "LatestDeliveryAttemptSucceeded": iso(org.now),
                "TimeLoggingStarted": iso(org.days_ago(800)),
            })
        }
        "GetEventSelectors" => {
            let arn = match own(input(call, "TrailName")) {
                Ok(a) => a,
                Err(e) => return Some(Err(e)),
            };
            let rw = if arn.ends_with("/org-trail") {
                "All"
            } else {
                "WriteOnly"
            };
            json!({"TrailARN": arn, "EventSelectors": [{
                "ReadWriteType": rw,
                "IncludeManagementEvents": true,
                "DataResources": [],
                "ExcludeManagementEventSources": [],
            }]})
        }
        _ => return None,
    };
    Some(Ok(Out::Json(out)))
}

// ---------------------------------------------------------------- config

fn config(call: &Call, op: &str) -> Option<Answer> {
    let org = call.org;
    let i = call.caller;
    let id = org.id(i);
    let recorder = org.recorder(i, call.region);
    let ok_info = json!({
        "lastStatus": "SUCCESS",
        "lastAttemptTime": epoch(org.now - Duration::from_secs(3600)),
        "lastSuccessfulTime": epoch(org.now - Duration::from_secs(3600)),
    });
    let out = match op {
        "DescribeConfigurationRecorders" => {
            let list: Vec<Value> = recorder
                .iter()
                .map(|_| {
                    json!({
                        "arn": format!("arn:aws:config:{}:{id}:configuration-recorder/default/sim", call.region),
                        "name": "default",
                        "roleARN": format!("arn:aws:iam::{id}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"),
                        "recordingGroup": {
                            "allSupported": true,
                            "includeGlobalResourceTypes": call.region == "us-east-1",
                            "resourceTypes": [],
                            "exclusionByResourceTypes": {"resourceTypes": []},
                            "recordingStrategy": {"useOnly": "ALL_SUPPORTED_RESOURCE_TYPES"},
                        },
                        "recordingMode": {"recordingFrequency": "CONTINUOUS"},
                    })
                })
                .collect();
            json!({"ConfigurationRecorders": list})
        }
        "DescribeConfigurationRecorderStatus" => {
            let list: Vec<Value> = recorder
                .iter()
                .map(|recording| {
                    json!({
                        "name": "default",
                        "lastStartTime": epoch(org.days_ago(300)),
                        "recording": recording,
                        "lastStatus": if *recording { "SUCCESS" } else { "PENDING" },
                        "lastStatusChangeTime": epoch(org.days_ago(1)),
                    })
                })
                .collect();
            json!({"ConfigurationRecordersStatus": list})
        }
        "DescribeDeliveryChannels" => {
            let list: Vec<Value> = recorder
                .iter()
                .map(|_| {
                    json!({
                        "name": "default",
                        "s3BucketName": org::LOG_BUCKET,
                        "snsTopicARN": format!("arn:aws:sns:{}:{id}:config-topic", call.region),
                    })
                })
                .collect();
            json!({"DeliveryChannels": list})
        }
        "DescribeDeliveryChannelStatus" => {
            let list: Vec<Value> = recorder
                .iter()
                .map(|_| {
                    json!({
                        "name": "default",
                        "configSnapshotDeliveryInfo": ok_info,
                        "configHistoryDeliveryInfo": ok_info,
                        "configStreamDeliveryInfo": {
                            "lastStatus": "SUCCESS",
                            "lastStatusChangeTime": epoch(org.days_ago(1)),
                        },
                    })
                })
                .collect();
            json!({"DeliveryChannelsStatus": list})
        }
        "DescribeConfigRules" => {
            let list: Vec<Value> = org
                .config_rules(i)
                .into_iter()
                .map(|(name, source, _)| {
                    json!({
                        "ConfigRuleName": name,
                        "ConfigRuleArn": format!("arn:aws:config:{}:{id}:config-rule/config-rule-{name}", call.region),
                        "ConfigRuleId": format!("config-rule-{name}"),
                        "Source": {"Owner": "AWS", "SourceIdentifier": source},
                        "ConfigRuleState": "ACTIVE",
                    })
                })
                .collect();
            json!({"ConfigRules": list})
        }
        "DescribeComplianceByConfigRule" => {
            let list: Vec<Value> = org
                .config_rules(i)
                .into_iter()
                .map(|(name, _, compliant)| {
                    json!({
                        "ConfigRuleName": name,
                        "Compliance": {"ComplianceType": if compliant { "COMPLIANT" } else { "NON_COMPLIANT" }},
                    })
                })
                .collect();
            json!({"ComplianceByConfigRules": list})
        }
        _ => return None,
    };
    Some(Ok(Out::Json(out)))
}

// ---------------------------------------------------------------- billing

fn budgets(call: &Call, op: &str) -> Option<Answer> {
    if call.caller != 0 {
        return Some(Err(json_denied(call, &format!("budgets:{op}"))));
    }
    let notification = json!({
        "NotificationType": "ACTUAL",
        "ComparisonOperator": "GREATER_THAN",
        "Threshold": 80.0,
        "ThresholdType": "PERCENTAGE",
        "NotificationState": "OK",
    });
    let out = match op {
        "DescribeBudgets" => json!({"Budgets": [{
            "BudgetName": "monthly-cost",
            "BudgetLimit": {"Amount": "1000.0", "Unit": "USD"},
            "TimeUnit": "MONTHLY",
            "BudgetType": "COST",
            "TimePeriod": {"Start": epoch(call.org.days_ago(365)), "End": 3706473600.0},
        }]}),
        "DescribeNotificationsForBudget" => json!({"Notifications": [notification]}),
        "DescribeSubscribersForNotification" => json!({"Subscribers": [
            {"SubscriptionType": "EMAIL", "Address": "finops@example.com"},
        ]}),
        _ => return None,
    };
    Some(Ok(Out::Json(out)))
}

fn anomaly_monitor_arn(org: &Org) -> String {
    format!(
        "arn:aws:ce::{}:anomalymonitor/sim-services-monitor",
        org.management()
    )
}

fn anomaly_monitors(call: &Call) -> Answer {
    Ok(Out::Json(json!({"AnomalyMonitors": [{
        "MonitorArn": anomaly_monitor_arn(call.org),
        "MonitorName": "services",
        "CreationDate": "2024-01-01",
        "MonitorType": "DIMENSIONAL",
        "MonitorDimension": "SERVICE",
    }]})))
}

fn anomaly_subscriptions(call: &Call) -> Answer {
    Ok(Out::Json(json!({"AnomalySubscriptions": [{
        "SubscriptionArn": format!("arn:aws:ce::{}:anomalysubscription/sim-daily", call.org.management()),
        "AccountId": call.org.management(),
        "MonitorArnList": [anomaly_monitor_arn(call.org)],
        "Subscribers": [{"Address": "finops@example.com", "Type": "EMAIL", "Status": "CONFIRMED"}],
        "Frequency": "DAILY",
        "SubscriptionName": "daily",
        "ThresholdExpression": {"Dimensions": {"Key": "ANOMALY_TOTAL_IMPACT_ABSOLUTE", "Values": ["100"], "MatchOptions": ["GREATER_THAN_OR_EQUAL"]}},
    }]})))
}

// ---------------------------------------------------------------- sso admin

const SSO_REGION: &str = "us-east-1";

fn sso(call: &Call, op: &str) -> Option<Answer> {
    let org = call.org;
    let instance = "arn:aws:sso:::instance/ssoins-sim0000000000001";
    let sets = [
        (
            "ps-sim0000000000admin",
            "AdministratorAccess",
            "PT1H",
            org::ADMIN_POLICY,
        ),
        (
            "ps-sim00000000readonly",
            "ReadOnly",
            "PT8H",
            org::READ_ONLY_POLICY,
        ),
    ];
    let set_arn = |id: &str| format!("arn:aws:sso:::permissionSet/ssoins-sim0000000000001/{id}");
    let here = call.caller == 0 && call.region == SSO_REGION;
    let find_set = || {
        let arn = input(call, "PermissionSetArn").unwrap_or_default();
        sets.iter()
            .find(|s| set_arn(s.0) == arn)
            .copied()
            .filter(|_| here)
            .ok_or_else(|| {
                AwsError::new(
                    400,
                    "ResourceNotFoundException",
                    format!("Could not find PermissionSet with ARN {arn}"),
                )
            })
    };
    let out = match op {
        "ListInstances" => {
            let list: Vec<Value> = if here {
                vec![json!({
                    "InstanceArn": instance,
                    "IdentityStoreId": "d-sim0000001",
                    "OwnerAccountId": org.management(),
                    "Name": "sim",
                    "Status": "ACTIVE",
                    "CreatedDate": epoch(org.days_ago(800)),
                })]
            } else {
                Vec::new()
            };
            json!({"Instances": list})
        }
        "ListPermissionSets" => {
            let list: Vec<String> = if here {
                sets.iter().map(|s| set_arn(s.0)).collect()
            } else {
                Vec::new()
            };
            json!({"PermissionSets": list})
        }
        "DescribePermissionSet" => match find_set() {
            Ok((id, name, duration, _)) => json!({"PermissionSet": {
                "Name": name,
                "PermissionSetArn": set_arn(id),
                "Description": format!("{name} for the organization"),
                "CreatedDate": epoch(org.days_ago(700)),
                "SessionDuration": duration,
            }}),
            Err(e) => return Some(Err(e)),
        },
        "ListManagedPoliciesInPermissionSet" => match find_set() {
            Ok((_, _, _, policy)) => json!({"AttachedManagedPolicies": [{
                "Name": policy.rsplit('/').next().unwrap_or_default(),
                "Arn": policy,
            }]}),
            Err(e) => return Some(Err(e)),
        },
        _ => return None,
    };
    Some(Ok(Out::Json(out)))
}

// ---------------------------------------------------------------- s3

fn list_buckets(call: &Call) -> Answer {
    let org = call.org;
    let names: Vec<String> = match call.caller {
        0 => vec![
            "sim-mgmt-artifacts".into(),
            "sim-mgmt-terraform-state".into(),
        ],
        1 => vec![org::LOG_BUCKET.into()],
        _ => Vec::new(),
    };
    let _ = query_param(call, "max-buckets");
    let buckets: String = names
        .iter()
        .map(|n| {
            format!(
                "<Bucket><Name>{}</Name><CreationDate>{}</CreationDate>\
                 <BucketRegion>us-east-1</BucketRegion></Bucket>",
                xml(n),
                iso(org.days_ago(600))
            )
        })
        .collect();
    Ok(Out::Xml(format!(
        "<ListAllMyBucketsResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
         <Owner><ID>sim{}</ID><DisplayName>{}</DisplayName></Owner><Buckets>{buckets}</Buckets>\
         </ListAllMyBucketsResult>",
        org.id(call.caller),
        org.name(call.caller)
    )))
}

// ------------------------------------------------- account-level protections

/// S3 Control's account-level Block Public Access: all four on in every
/// third account, none set in the others.
fn public_access_block(call: &Call) -> Answer {
    if !call.caller.is_multiple_of(3) {
        return Err(AwsError::new(
            404,
            "NoSuchPublicAccessBlockConfiguration",
            "The public access block configuration was not found",
        ));
    }
    Ok(Out::Xml(
        "<PublicAccessBlockConfiguration xmlns=\"http://awss3control.amazonaws.com/doc/2018-08-20/\">\
         <BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>true</IgnorePublicAcls>\
         <BlockPublicPolicy>true</BlockPublicPolicy><RestrictPublicBuckets>true</RestrictPublicBuckets>\
         </PublicAccessBlockConfiguration>"
            .to_string(),
    ))
}

/// EC2's EBS encryption by default, as the generator set it per region.
fn ebs_encryption_by_default(call: &Call) -> Answer {
    let on = call.org.ebs_encryption_by_default(call.caller, call.region);
    Ok(Out::Query(format!(
        "<ebsEncryptionByDefault>{on}</ebsEncryptionByDefault><sseType>sse-ebs</sseType>"
    )))
}

// ------------------------------------------------------ security services

/// The detector of an account in a region: the security administrator
/// has one everywhere (and auto-enables the organization in us-east-1),
/// every other account one in us-east-1 only.
fn detector_id(call: &Call) -> Option<String> {
    let admin = org::security_admin(call.org) == Some(call.caller);
    (admin || call.region == "us-east-1")
        .then(|| format!("{:032x}", call.caller as u128 * 7919 + 1))
}

fn guardduty(call: &Call, op: &str) -> Option<Answer> {
    let org = call.org;
    let id = detector_id(call);
    let asked = call.path.split('/').nth(2).unwrap_or_default();
    let known = || -> Result<(), AwsError> {
        if id.as_deref() == Some(asked) {
            Ok(())
        } else {
            Err(AwsError::new(
                400,
                "BadRequestException",
                "The request is rejected because the input detectorId is not owned by the current account.",
            ))
        }
    };
    let out = match op {
        "ListDetectors" => json!({"detectorIds": id.into_iter().collect::<Vec<_>>()}),
        "GetDetector" => match known() {
            Ok(()) => json!({
                "createdAt": iso(org.days_ago(500)),
                "updatedAt": iso(org.days_ago(20)),
                "findingPublishingFrequency": "SIX_HOURS",
                "serviceRole": format!("arn:aws:iam::{}:role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty", org.id(call.caller)),
                "status": if call.caller % 4 == 1 { "DISABLED" } else { "ENABLED" },
                "tags": {},
            }),
            Err(e) => return Some(Err(e)),
        },
        "DescribeOrganizationConfiguration" => match known() {
            Ok(()) => json!({
                "autoEnable": call.region == "us-east-1",
                "memberAccountLimitReached": false,
                "autoEnableOrganizationMembers": if call.region == "us-east-1" { "ALL" } else { "NONE" },
            }),
            Err(e) => return Some(Err(e)),
        },
        _ => return None,
    };
    Some(Ok(Out::Json(out)))
}

/// Security Hub: on in us-east-1 of every other account, not subscribed
/// elsewhere.
fn describe_hub(call: &Call) -> Answer {
    let account = call.org.id(call.caller);
    if call.region != "us-east-1" || call.caller % 2 == 1 {
        return Err(AwsError::new(
            401,
            "InvalidAccessException",
            format!("Account {account} is not subscribed to AWS Security Hub"),
        ));
    }
    Ok(Out::Json(json!({
        "HubArn": format!("arn:aws:securityhub:{}:{account}:hub/default", call.region),
        "SubscribedAt": iso(call.org.days_ago(400)),
        "AutoEnableControls": true,
        "ControlFindingGenerator": "SECURITY_CONTROL",
    })))
}

/// IAM Access Analyzer: an ORGANIZATION analyzer in us-east-1 of the
/// security administrator, none anywhere else.
fn list_analyzers(call: &Call) -> Answer {
    let org = call.org;
    let analyzers: Vec<Value> = if org::security_admin(org) == Some(call.caller)
        && call.region == "us-east-1"
    {
        vec![json!({
            "arn": format!("arn:aws:access-analyzer:us-east-1:{}:analyzer/organization", org.id(call.caller)),
            "name": "organization",
            "type": "ORGANIZATION",
            "createdAt": iso(org.days_ago(365)),
            "status": "ACTIVE",
        })]
    } else {
        Vec::new()
    };
    Ok(Out::Json(json!({"analyzers": analyzers})))
}
