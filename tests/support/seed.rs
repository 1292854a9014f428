//! Seeds an organization in moto through the real SDK: a management account
//! and members reached through STS AssumeRole, each with its own
//! misconfigurations. Seeding mutates; the scanner never does.

#![allow(dead_code)]

use std::io::{Read, Write};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;

pub const MGMT: &str = "123456789012";
pub const ADMIN_POLICY: &str = "arn:aws:iam::aws:policy/AdministratorAccess";

/// Credentials the tests use for the management account (moto accepts any).
pub fn mgmt_credentials() -> Credentials {
    Credentials::new(
        "AKIAMOTOTESTMGMT0001",
        "moto-test-secret-not-real",
        None,
        None,
        "test",
    )
}

/// Points the default credential chain at the management account, and away
/// from any AWS config on this machine. Every test sets the same values.
pub fn use_test_environment() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // Edition 2021: set_var is safe; all tests set identical values once.
        std::env::set_var("AWS_ACCESS_KEY_ID", "AKIAMOTOTESTMGMT0001");
        std::env::set_var("AWS_SECRET_ACCESS_KEY", "moto-test-secret-not-real");
        std::env::remove_var("AWS_SESSION_TOKEN");
        std::env::remove_var("AWS_PROFILE");
        std::env::set_var("AWS_REGION", "us-east-1");
        std::env::set_var("AWS_CONFIG_FILE", "/nonexistent/orgaudit-test/config");
        std::env::set_var(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/orgaudit-test/credentials",
        );
        std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
    });
}

pub async fn config(endpoint: &str, creds: Credentials, region: &str) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .http_client(orgaudit::collect::https::client(None))
        .endpoint_url(endpoint)
        .region(Region::new(region.to_string()))
        .credentials_provider(creds)
        .load()
        .await
}

/// Sets the account-level S3 Block Public Access settings of the account of
/// `sdk`: the four named ones on, the others off.
pub async fn block_public_access(sdk: &SdkConfig, account_id: &str, on: &[&str]) {
    let client = aws_sdk_s3control::Client::from_conf(
        aws_sdk_s3control::config::Builder::from(sdk)
            .endpoint_resolver(orgaudit::collect::s3control::EndpointResolver::default())
            .build(),
    );
    let set = |name: &str| on.contains(&name);
    client
        .put_public_access_block()
        .account_id(account_id)
        .public_access_block_configuration(
            aws_sdk_s3control::types::PublicAccessBlockConfiguration::builder()
                .block_public_acls(set("BlockPublicAcls"))
                .ignore_public_acls(set("IgnorePublicAcls"))
                .block_public_policy(set("BlockPublicPolicy"))
                .restrict_public_buckets(set("RestrictPublicBuckets"))
                .build(),
        )
        .send()
        .await
        .expect("put public access block");
}

/// All four Block Public Access settings.
pub const ALL_BLOCKS: &[&str] = &[
    "BlockPublicAcls",
    "IgnorePublicAcls",
    "BlockPublicPolicy",
    "RestrictPublicBuckets",
];

/// One seeded account: its id and the credentials that act inside it.
#[derive(Clone)]
pub struct Seeded {
    pub id: String,
    pub creds: Credentials,
}

/// The ids of the seeded organization.
pub struct Org {
    pub root_id: String,
    pub prod: Seeded,
    pub dev: Seeded,
    pub security: Seeded,
    pub shared: Seeded,
    pub closed_id: String,
}

/// Creates the organization, its OUs and accounts (no per-account facts).
pub async fn organization(
    endpoint: &str,
    member_names: &[&str],
) -> (String, Vec<(String, String)>) {
    let mgmt = config(endpoint, mgmt_credentials(), "us-east-1").await;
    let orgs = aws_sdk_organizations::Client::new(&mgmt);
    orgs.create_organization()
        .feature_set(aws_sdk_organizations::types::OrganizationFeatureSet::All)
        .send()
        .await
        .expect("create organization");
    let root_id = orgs.list_roots().send().await.unwrap().roots.unwrap()[0]
        .id
        .clone()
        .unwrap();
    let mut accounts = Vec::new();
    for name in member_names {
        let created = orgs
            .create_account()
            .account_name(*name)
            .email(format!("aws-acme+{name}@example.com"))
            .send()
            .await
            .expect("create account");
        let id = created.create_account_status.unwrap().account_id.unwrap();
        accounts.push((name.to_string(), id));
    }
    (root_id, accounts)
}

async fn create_ou(orgs: &aws_sdk_organizations::Client, parent: &str, name: &str) -> String {
    orgs.create_organizational_unit()
        .parent_id(parent)
        .name(name)
        .send()
        .await
        .expect("create OU")
        .organizational_unit
        .unwrap()
        .id
        .unwrap()
}

async fn move_account(orgs: &aws_sdk_organizations::Client, id: &str, from: &str, to: &str) {
    orgs.move_account()
        .account_id(id)
        .source_parent_id(from)
        .destination_parent_id(to)
        .send()
        .await
        .expect("move account");
}

/// Credentials inside a member account, through its
/// OrganizationAccountAccessRole.
pub async fn assume(endpoint: &str, account_id: &str) -> Credentials {
    let mgmt = config(endpoint, mgmt_credentials(), "us-east-1").await;
    let sts = aws_sdk_sts::Client::new(&mgmt);
    let c = sts
        .assume_role()
        .role_arn(format!(
            "arn:aws:iam::{account_id}:role/OrganizationAccountAccessRole"
        ))
        .role_session_name("seed")
        .send()
        .await
        .expect("assume role")
        .credentials
        .unwrap();
    Credentials::new(
        c.access_key_id,
        c.secret_access_key,
        Some(c.session_token),
        None,
        "seed",
    )
}

/// Creates an S3 bucket in the account of `creds`. There is no S3 SDK in this
/// crate, so this is one raw request; moto routes it by the credential scope
/// and does not check signatures.
pub fn create_bucket(endpoint: &str, creds: &Credentials, bucket: &str) {
    let addr = endpoint.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).expect("connect to moto");
    let request = format!(
        "PUT /{bucket} HTTP/1.1\r\nHost: {addr}\r\nx-amz-date: 20250101T000000Z\r\n\
         x-amz-content-sha256: UNSIGNED-PAYLOAD\r\n\
         Authorization: AWS4-HMAC-SHA256 Credential={}/20250101/us-east-1/s3/aws4_request, \
         SignedHeaders=host;x-amz-date, Signature=00\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        creds.access_key_id()
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(
        response.starts_with("HTTP/1.1 200") || response.starts_with("HTTP/1.0 200"),
        "create bucket {bucket}: {}",
        response.lines().next().unwrap_or_default()
    );
}

/// Turns EBS encryption by default on in `region` of the account of
/// `creds`. By hand in EC2's Query protocol (moto does not check the
/// signature): the scanner has no EC2 SDK client, and this mutating call
/// only seeds the emulator.
pub fn enable_ebs_encryption_by_default(endpoint: &str, creds: &Credentials, region: &str) {
    let addr = endpoint.trim_start_matches("http://");
    let body = "Action=EnableEbsEncryptionByDefault&Version=2016-11-15";
    let token = creds
        .session_token()
        .map(|t| format!("x-amz-security-token: {t}\r\n"))
        .unwrap_or_default();
    let request = format!(
        "POST / HTTP/1.1\r\nHost: {addr}\r\nx-amz-date: 20250101T000000Z\r\n{token}\
         Content-Type: application/x-www-form-urlencoded; charset=utf-8\r\n\
         Authorization: AWS4-HMAC-SHA256 Credential={}/20250101/{region}/ec2/aws4_request, \
         SignedHeaders=host;x-amz-date, Signature=00\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        creds.access_key_id(),
        body.len()
    );
    let mut stream = std::net::TcpStream::connect(addr).expect("connect to moto");
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(
        response.starts_with("HTTP/1.1 200")
            && response.contains("<ebsEncryptionByDefault>true</ebsEncryptionByDefault>"),
        "enable EBS encryption by default in {region}: {}",
        response.lines().next().unwrap_or_default()
    );
}

/// The full scenario: management + 5 members (one closed), each with its own
/// misconfigurations:
///
/// - management: strong password policy, alias, all three contacts, an
///   organization multi-region trail logging with validation, Config
///   recording in us-east-1 only (none in eu-west-1) with two managed rules, a
///   budget with an 80 % notification and an e-mail subscriber, an
///   AdministratorAccess permission set; users `break-glass` (Admins group,
///   console password, virtual MFA, no key) and `mgmt-org-admin`
///   (AdministratorAccess attached directly, an active key, an inline policy),
///   `ci-admin` (a customer-managed `*:*` policy, an active key).
/// - prod (Workloads/Production): no password policy, no alias, no contacts;
///   user `dev` with a console password, no MFA and two active keys.
/// - dev (Workloads/Development): weak password policy, alias, SECURITY
///   contact only.
/// - security (Security): a single-region trail, not logging, no log file
///   validation; Config recorders in both regions, not started.
/// - S3 Block Public Access: all four settings on in the management
///   account, two of four in dev, none set elsewhere.
/// - security services: see [`seed_security_services`].
/// - EBS encryption by default: on in both regions of the management
///   account and in us-east-1 of dev, off elsewhere (moto's default).
/// - shared (Workloads): alias and all contacts, nothing else.
/// - sandbox: closed (SUSPENDED).
/// - service control policies enabled on the root (resource control
///   policies not): `DenyLeaveOrganization` (a Deny exempting a break-glass
///   role) on Workloads, and on Security a policy named `Guardrails` whose
///   content allows everything: prod, dev and shared are guarded and cannot
///   leave; security is neither.
pub async fn scenario(endpoint: &str) -> Org {
    let (root_id, accounts) =
        organization(endpoint, &["prod", "dev", "security", "shared", "sandbox"]).await;
    let id = |n: &str| accounts.iter().find(|(a, _)| a == n).unwrap().1.clone();
    let mgmt = config(endpoint, mgmt_credentials(), "us-east-1").await;
    let orgs = aws_sdk_organizations::Client::new(&mgmt);
    let security_ou = create_ou(&orgs, &root_id, "Security").await;
    let workloads = create_ou(&orgs, &root_id, "Workloads").await;
    let production = create_ou(&orgs, &workloads, "Production").await;
    let development = create_ou(&orgs, &workloads, "Development").await;
    move_account(&orgs, &id("prod"), &root_id, &production).await;
    move_account(&orgs, &id("dev"), &root_id, &development).await;
    move_account(&orgs, &id("security"), &root_id, &security_ou).await;
    move_account(&orgs, &id("shared"), &root_id, &workloads).await;
    seed_policies(&orgs, &root_id, &workloads, &security_ou).await;
    orgs.close_account()
        .account_id(id("sandbox"))
        .send()
        .await
        .expect("close account");

    let member = |name: &str| {
        let account = id(name);
        async move {
            Seeded {
                creds: assume(endpoint, &account).await,
                id: account,
            }
        }
    };
    let org = Org {
        root_id,
        prod: member("prod").await,
        dev: member("dev").await,
        security: member("security").await,
        shared: member("shared").await,
        closed_id: id("sandbox"),
    };

    seed_security_services(endpoint, &orgs, &org).await;
    seed_management(endpoint).await;
    seed_prod(endpoint, &org.prod).await;
    seed_dev(endpoint, &org.dev).await;
    seed_security(endpoint, &org.security).await;
    seed_shared(endpoint, &org.shared).await;
    org
}

/// A GuardDuty detector in the account of `sdk` (its region), enabled or not.
pub async fn guardduty_detector(sdk: &SdkConfig, enable: bool) -> String {
    aws_sdk_guardduty::Client::new(sdk)
        .create_detector()
        .enable(enable)
        .send()
        .await
        .expect("create detector")
        .detector_id
        .unwrap()
}

/// Security Hub enabled in the account of `sdk` (its region).
pub async fn enable_security_hub(sdk: &SdkConfig) {
    aws_sdk_securityhub::Client::new(sdk)
        .enable_security_hub()
        .enable_default_standards(false)
        .send()
        .await
        .expect("enable security hub");
}

/// The security account administers GuardDuty and IAM Access Analyzer
/// (moto does not accept Security Hub's principal for a delegated
/// administrator); GuardDuty is on in us-east-1 of the management and the
/// security account and off (a disabled detector) in dev's; Security Hub
/// is on in us-east-1 of the management account only.
async fn seed_security_services(endpoint: &str, orgs: &aws_sdk_organizations::Client, org: &Org) {
    for principal in ["guardduty.amazonaws.com", "access-analyzer.amazonaws.com"] {
        orgs.register_delegated_administrator()
            .account_id(&org.security.id)
            .service_principal(principal)
            .send()
            .await
            .expect("register delegated administrator");
    }
    let mgmt = config(endpoint, mgmt_credentials(), "us-east-1").await;
    guardduty_detector(&mgmt, true).await;
    enable_security_hub(&mgmt).await;
    let security = config(endpoint, org.security.creds.clone(), "us-east-1").await;
    guardduty_detector(&security, true).await;
    let dev = config(endpoint, org.dev.creds.clone(), "us-east-1").await;
    guardduty_detector(&dev, false).await;
}

/// Creates a service control policy and attaches it to `target`.
pub async fn attach_scp(
    orgs: &aws_sdk_organizations::Client,
    name: &str,
    content: &str,
    target: &str,
) -> String {
    let id = orgs
        .create_policy()
        .name(name)
        .description(name)
        .content(content)
        .r#type(aws_sdk_organizations::types::PolicyType::ServiceControlPolicy)
        .send()
        .await
        .expect("create policy")
        .policy
        .and_then(|p| p.policy_summary)
        .and_then(|s| s.id)
        .unwrap();
    orgs.attach_policy()
        .policy_id(&id)
        .target_id(target)
        .send()
        .await
        .expect("attach policy");
    id
}

async fn seed_policies(
    orgs: &aws_sdk_organizations::Client,
    root_id: &str,
    workloads: &str,
    security: &str,
) {
    orgs.enable_policy_type()
        .root_id(root_id)
        .policy_type(aws_sdk_organizations::types::PolicyType::ServiceControlPolicy)
        .send()
        .await
        .expect("enable SCPs");
    attach_scp(
        orgs,
        "DenyLeaveOrganization",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*","Condition":{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/BreakGlass"}}}]}"#,
        workloads,
    )
    .await;
    attach_scp(
        orgs,
        "Guardrails",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
        security,
    )
    .await;
}

async fn contacts(sdk: &SdkConfig, types: &[&str]) {
    let account = aws_sdk_account::Client::new(sdk);
    for t in types {
        account
            .put_alternate_contact()
            .alternate_contact_type(aws_sdk_account::types::AlternateContactType::from(*t))
            .name("Cloud Team")
            .title("Ops")
            .email_address("aws-notification@example.com")
            .phone_number("+10000000000")
            .send()
            .await
            .expect("put alternate contact");
    }
}

async fn seed_management(endpoint: &str) {
    let sdk = config(endpoint, mgmt_credentials(), "us-east-1").await;
    let iam = aws_sdk_iam::Client::new(&sdk);
    iam.update_account_password_policy()
        .minimum_password_length(14)
        .require_symbols(true)
        .require_numbers(true)
        .require_uppercase_characters(true)
        .require_lowercase_characters(true)
        .password_reuse_prevention(24)
        .send()
        .await
        .unwrap();
    iam.create_account_alias()
        .account_alias("acme-mgmt")
        .send()
        .await
        .unwrap();
    iam.create_group()
        .group_name("Admins")
        .send()
        .await
        .unwrap();
    iam.attach_group_policy()
        .group_name("Admins")
        .policy_arn(ADMIN_POLICY)
        .send()
        .await
        .unwrap();
    iam.create_user()
        .user_name("break-glass")
        .send()
        .await
        .unwrap();
    iam.add_user_to_group()
        .group_name("Admins")
        .user_name("break-glass")
        .send()
        .await
        .unwrap();
    iam.create_login_profile()
        .user_name("break-glass")
        .password("Correct-Horse-Battery-9")
        .send()
        .await
        .unwrap();
    let device = iam
        .create_virtual_mfa_device()
        .virtual_mfa_device_name("break-glass-mfa")
        .send()
        .await
        .unwrap()
        .virtual_mfa_device
        .unwrap();
    iam.enable_mfa_device()
        .user_name("break-glass")
        .serial_number(device.serial_number)
        .authentication_code1("123456")
        .authentication_code2("654321")
        .send()
        .await
        .unwrap();
    iam.create_user()
        .user_name("mgmt-org-admin")
        .send()
        .await
        .unwrap();
    iam.attach_user_policy()
        .user_name("mgmt-org-admin")
        .policy_arn(ADMIN_POLICY)
        .send()
        .await
        .unwrap();
    iam.put_user_policy()
        .user_name("mgmt-org-admin")
        .policy_name("inline-extra")
        .policy_document(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}"#,
        )
        .send()
        .await
        .unwrap();
    iam.create_access_key()
        .user_name("mgmt-org-admin")
        .send()
        .await
        .unwrap();

    // An administrator through a customer-managed policy (`*:*`), not
    // AWS's AdministratorAccess: judged by what the policy allows.
    let org_admins = iam
        .create_policy()
        .policy_name("OrgAdmins")
        .policy_document(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["*:*"],"Resource":["*"]}]}"#,
        )
        .send()
        .await
        .unwrap()
        .policy
        .unwrap()
        .arn
        .unwrap();
    iam.create_user()
        .user_name("ci-admin")
        .send()
        .await
        .unwrap();
    iam.attach_user_policy()
        .user_name("ci-admin")
        .policy_arn(org_admins)
        .send()
        .await
        .unwrap();
    iam.create_access_key()
        .user_name("ci-admin")
        .send()
        .await
        .unwrap();

    contacts(&sdk, &["BILLING", "OPERATIONS", "SECURITY"]).await;
    block_public_access(&sdk, MGMT, ALL_BLOCKS).await;
    for region in ["eu-west-1", "us-east-1"] {
        enable_ebs_encryption_by_default(endpoint, &mgmt_credentials(), region);
    }

    create_bucket(endpoint, &mgmt_credentials(), "acme-org-trail");
    let trail = aws_sdk_cloudtrail::Client::new(&sdk);
    trail
        .create_trail()
        .name("org-trail")
        .s3_bucket_name("acme-org-trail")
        .is_multi_region_trail(true)
        .is_organization_trail(true)
        .include_global_service_events(true)
        .enable_log_file_validation(true)
        .send()
        .await
        .unwrap();
    trail
        .start_logging()
        .name("org-trail")
        .send()
        .await
        .unwrap();
    // AWS gives every trail a default selector (all management events);
    // moto lists none unless one is put.
    trail
        .put_event_selectors()
        .trail_name("org-trail")
        .event_selectors(
            aws_sdk_cloudtrail::types::EventSelector::builder()
                .read_write_type(aws_sdk_cloudtrail::types::ReadWriteType::All)
                .include_management_events(true)
                .build(),
        )
        .send()
        .await
        .unwrap();

    seed_config_recorder(&sdk, "acme-org-trail", true).await;
    let config = aws_sdk_config::Client::new(&sdk);
    for (name, identifier) in [
        ("root-account-mfa-enabled", "ROOT_ACCOUNT_MFA_ENABLED"),
        ("iam-password-policy", "IAM_PASSWORD_POLICY"),
    ] {
        config
            .put_config_rule()
            .config_rule(
                aws_sdk_config::types::ConfigRule::builder()
                    .config_rule_name(name)
                    .source(
                        aws_sdk_config::types::Source::builder()
                            .owner(aws_sdk_config::types::Owner::Aws)
                            .source_identifier(identifier)
                            .build()
                            .unwrap(),
                    )
                    .build(),
            )
            .send()
            .await
            .unwrap();
    }

    let budgets = aws_sdk_budgets::Client::new(&sdk);
    use aws_sdk_budgets::types as b;
    budgets
        .create_budget()
        .account_id(MGMT)
        .budget(
            b::Budget::builder()
                .budget_name("monthly-cost")
                .budget_type(b::BudgetType::Cost)
                .time_unit(b::TimeUnit::Monthly)
                .budget_limit(
                    b::Spend::builder()
                        .amount("100")
                        .unit("USD")
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap(),
        )
        .notifications_with_subscribers(
            b::NotificationWithSubscribers::builder()
                .notification(
                    b::Notification::builder()
                        .notification_type(b::NotificationType::Actual)
                        .comparison_operator(b::ComparisonOperator::GreaterThan)
                        .threshold(80.0)
                        .threshold_type(b::ThresholdType::Percentage)
                        .build()
                        .unwrap(),
                )
                .subscribers(
                    b::Subscriber::builder()
                        .subscription_type(b::SubscriptionType::Email)
                        .address("aws-notification@example.com")
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();

    let sso = aws_sdk_ssoadmin::Client::new(&sdk);
    let instance = sso
        .list_instances()
        .send()
        .await
        .unwrap()
        .instances
        .unwrap()[0]
        .instance_arn
        .clone()
        .unwrap();
    let set = sso
        .create_permission_set()
        .instance_arn(&instance)
        .name("AdministratorAccess")
        .session_duration("PT4H")
        .send()
        .await
        .unwrap()
        .permission_set
        .unwrap()
        .permission_set_arn
        .unwrap();
    sso.attach_managed_policy_to_permission_set()
        .instance_arn(&instance)
        .permission_set_arn(&set)
        .managed_policy_arn(ADMIN_POLICY)
        .send()
        .await
        .unwrap();
}

pub async fn seed_config_recorder(sdk: &SdkConfig, bucket: &str, start: bool) {
    let config = aws_sdk_config::Client::new(sdk);
    config
        .put_configuration_recorder()
        .configuration_recorder(
            aws_sdk_config::types::ConfigurationRecorder::builder()
                .name("default")
                .role_arn("arn:aws:iam::123456789012:role/config")
                .recording_group(
                    aws_sdk_config::types::RecordingGroup::builder()
                        .all_supported(true)
                        .include_global_resource_types(true)
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    config
        .put_delivery_channel()
        .delivery_channel(
            aws_sdk_config::types::DeliveryChannel::builder()
                .name("default")
                .s3_bucket_name(bucket)
                .build(),
        )
        .send()
        .await
        .unwrap();
    if start {
        config
            .start_configuration_recorder()
            .configuration_recorder_name("default")
            .send()
            .await
            .unwrap();
    }
}

async fn seed_prod(endpoint: &str, account: &Seeded) {
    let sdk = config(endpoint, account.creds.clone(), "us-east-1").await;
    let iam = aws_sdk_iam::Client::new(&sdk);
    iam.create_user().user_name("dev").send().await.unwrap();
    iam.create_login_profile()
        .user_name("dev")
        .password("Correct-Horse-Battery-9")
        .send()
        .await
        .unwrap();
    for _ in 0..2 {
        iam.create_access_key()
            .user_name("dev")
            .send()
            .await
            .unwrap();
    }
}

async fn seed_dev(endpoint: &str, account: &Seeded) {
    let sdk = config(endpoint, account.creds.clone(), "us-east-1").await;
    let iam = aws_sdk_iam::Client::new(&sdk);
    iam.update_account_password_policy()
        .minimum_password_length(8)
        .send()
        .await
        .unwrap();
    iam.create_account_alias()
        .account_alias("acme-dev")
        .send()
        .await
        .unwrap();
    contacts(&sdk, &["SECURITY"]).await;
    block_public_access(&sdk, &account.id, &["BlockPublicAcls", "BlockPublicPolicy"]).await;
    enable_ebs_encryption_by_default(endpoint, &account.creds, "us-east-1");
}

async fn seed_security(endpoint: &str, account: &Seeded) {
    let sdk = config(endpoint, account.creds.clone(), "us-east-1").await;
    create_bucket(endpoint, &account.creds, "acme-security-trail");
    aws_sdk_cloudtrail::Client::new(&sdk)
        .create_trail()
        .name("local-trail")
        .s3_bucket_name("acme-security-trail")
        .send()
        .await
        .unwrap();
    seed_config_recorder(&sdk, "acme-security-trail", false).await;
    let eu = config(endpoint, account.creds.clone(), "eu-west-1").await;
    seed_config_recorder(&eu, "acme-security-trail", false).await;
}

async fn seed_shared(endpoint: &str, account: &Seeded) {
    let sdk = config(endpoint, account.creds.clone(), "us-east-1").await;
    aws_sdk_iam::Client::new(&sdk)
        .create_account_alias()
        .account_alias("acme-shared")
        .send()
        .await
        .unwrap();
    contacts(&sdk, &["BILLING", "OPERATIONS", "SECURITY"]).await;
}

/// `n` more member accounts under a new `Root/Bulk` OU, each with an alias,
/// a SECURITY contact, one user with a console password and an access key,
/// and a Config recorder in us-east-1: enough for every collector to have
/// something to read. Returns their ids. The accounts are created one by
/// one, then filled eight at a time.
pub async fn bulk_members(endpoint: &str, root_id: &str, n: usize) -> Vec<String> {
    use futures::StreamExt;
    let mgmt = config(endpoint, mgmt_credentials(), "us-east-1").await;
    let orgs = aws_sdk_organizations::Client::new(&mgmt);
    let ou = create_ou(&orgs, root_id, "Bulk").await;
    let mut ids = Vec::new();
    for i in 0..n {
        let name = format!("bulk{i:02}");
        let created = orgs
            .create_account()
            .account_name(&name)
            .email(format!("aws-acme+{name}@example.com"))
            .send()
            .await
            .expect("create account");
        let id = created.create_account_status.unwrap().account_id.unwrap();
        move_account(&orgs, &id, root_id, &ou).await;
        ids.push((name, id));
    }
    futures::stream::iter(ids)
        .map(|(name, id)| async move {
            fill_bulk_member(endpoint, &name, &id).await;
            id
        })
        .buffered(8)
        .collect()
        .await
}

async fn fill_bulk_member(endpoint: &str, name: &str, id: &str) {
    let creds = assume(endpoint, id).await;
    let sdk = config(endpoint, creds.clone(), "us-east-1").await;
    let iam = aws_sdk_iam::Client::new(&sdk);
    iam.create_account_alias()
        .account_alias(format!("acme-{name}"))
        .send()
        .await
        .unwrap();
    iam.create_user().user_name("ops").send().await.unwrap();
    iam.create_login_profile()
        .user_name("ops")
        .password("Correct-Horse-Battery-9")
        .send()
        .await
        .unwrap();
    iam.create_access_key()
        .user_name("ops")
        .send()
        .await
        .unwrap();
    contacts(&sdk, &["SECURITY"]).await;
    let bucket = format!("acme-{name}-config");
    let (endpoint_owned, creds_owned) = (endpoint.to_string(), creds.clone());
    // A blocking raw request: off the async workers.
    tokio::task::spawn_blocking(move || create_bucket(&endpoint_owned, &creds_owned, &bucket))
        .await
        .unwrap();
    seed_config_recorder(&sdk, &format!("acme-{name}-config"), true).await;
}
