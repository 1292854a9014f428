//! The online half: reads every account of an AWS Organization, read-only,
//! into a [`Snapshot`]. One module per service fills its sections and nothing
//! else; this module discovers the organization, reaches each account and
//! runs the collectors concurrently under one bound on in-flight calls.
//!
//! Partial failure is data: a denied call, a refusing region or an account
//! whose role cannot be assumed is recorded in the affected sections. Only
//! when nothing can be scanned (no credentials, no organization…) does
//! [`scan`] return a [`ScanError`].

pub mod access_analyzer;
pub mod account;
pub mod body_limit;
pub mod buckets;
pub mod budgets;
pub mod ce;
pub mod cloudtrail;
pub mod config;
pub mod context;
pub mod credentials;
pub mod ec2;
pub mod guardduty;
pub mod https;
pub mod iam;
pub mod org_policies;
pub mod organizations;
pub mod permissions;
pub mod progress;
pub mod recorder;
pub mod regions;
pub mod retry;
pub mod s3control;
pub mod securityhub;
pub mod settings;
pub mod sso;

use std::collections::HashMap;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use futures::StreamExt;

pub use context::Ctx;
use context::{collect_error, error_chain, error_code, one_line};
pub use progress::{NoProgress, ScanProgress};
pub use recorder::OperationRecorder;

use crate::snapshot::{
    Account, AccountAccess, AccountAnalyzers, Bucket, CloudTrail, CollectError, CostAnomaly,
    IdentityCenter, Organization, OrganizationAccount, RegionProtections, ScanInfo, Section,
    SecurityServices, Shard, Snapshot, SCHEMA_VERSION,
};

pub use crate::snapshot::DEFAULT_ROLE_NAME;

/// What to scan and how.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// A named profile of the shared AWS config files; `None`: the default
    /// credential chain (environment, `AWS_PROFILE`, SSO, instance role…).
    pub profile: Option<String>,
    /// The roles tried in every member account, in order; the first that
    /// can be assumed is used (and recorded in the account's access).
    pub role_names: Vec<String>,
    pub external_id: Option<String>,
    /// Regions to audit; `None`: the regions enabled in each account
    /// (`account:ListRegions`).
    pub regions: Option<Vec<String>>,
    /// Only these account ids (empty: all).
    pub accounts: Vec<String>,
    /// Only accounts under these OUs, by id (`ou-…`, `r-…`) or path
    /// (`Root/Workloads`), descendants included (empty: all).
    pub ous: Vec<String>,
    /// This shard of the organization, `(k, n)` with 1 ≤ k ≤ n: accounts
    /// whose id modulo n is k − 1.
    pub shard: Option<(u64, u64)>,
    /// Maximum API calls in flight over the whole scan.
    pub concurrency: usize,
    /// Time limit of one call attempt (and of connecting).
    pub timeout: Duration,
    /// Attempts per call, first one included (standard retry mode: exponential
    /// backoff with jitter); a throttled call gets [`retry::THROTTLING_FACTOR`]
    /// times as many.
    pub max_attempts: u32,
    /// The first retry's backoff; later ones grow exponentially.
    pub initial_backoff: Duration,
    /// The first wait while the IAM credential report is generated.
    pub credential_report_poll: Duration,
    /// An endpoint for every service (an emulator); `AWS_ENDPOINT_URL` in
    /// the environment works too.
    pub endpoint_url: Option<String>,
    /// Records every operation the scan calls.
    pub recorder: Option<OperationRecorder>,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            profile: None,
            role_names: vec![DEFAULT_ROLE_NAME.to_string()],
            external_id: None,
            regions: None,
            accounts: Vec::new(),
            ous: Vec::new(),
            shard: None,
            concurrency: 32,
            timeout: Duration::from_secs(30),
            max_attempts: 5,
            initial_backoff: Duration::from_millis(500),
            credential_report_poll: Duration::from_millis(500),
            endpoint_url: None,
            recorder: None,
        }
    }
}

/// Why nothing could be scanned. Each message is one line with its cause and
/// carries no secret.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error(
        "no AWS credentials found: pass --profile, set AWS_PROFILE, or export \
         AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
    )]
    NoCredentials,
    #[error("AWS profile `{profile}` cannot be used: {message}")]
    Profile { profile: String, message: String },
    /// A setting of the environment or of the AWS config files that cannot
    /// be used, named.
    #[error("{setting} {message}")]
    Setting { setting: String, message: String },
    #[error("cannot load AWS credentials: {0}")]
    Credentials(String),
    #[error(
        "the AWS credentials have expired ({0}); refresh them (e.g. `aws sso login`) and retry"
    )]
    ExpiredToken(String),
    #[error("the AWS credentials were rejected: {code} ({message})")]
    InvalidCredentials { code: String, message: String },
    #[error("the AWS endpoint {endpoint} does not answer: {message}")]
    Endpoint { endpoint: String, message: String },
    #[error("the AWS endpoint {endpoint} gives an unusable answer: {message}")]
    BadAnswer { endpoint: String, message: String },
    #[error(
        "organizations:DescribeOrganization was denied to {caller}; run the scan from the \
         management account (or a delegated administrator) with the policy in docs/iam-policy.json"
    )]
    OrganizationDenied { caller: String },
    #[error("account {0} is not a member of an AWS Organization")]
    NotInOrganization(String),
    #[error("cannot read the organization: {0}")]
    Organization(CollectError),
    #[error("{0}")]
    InvalidOption(String),
    #[error("cannot list the enabled regions ({0}); pass the regions to audit with --regions")]
    Regions(CollectError),
    #[error("no account of the organization matches the --accounts and --ou filters")]
    NoAccounts,
}

/// Scans the organization the credentials belong to.
pub async fn scan(opts: &ScanOptions, progress: &dyn ScanProgress) -> Result<Snapshot, ScanError> {
    let started_at = now();
    let regions = check_options(opts)?;
    let recorder = opts.recorder.clone().unwrap_or_default();
    let ctx = Ctx::new(opts.concurrency);
    settings::check_profile(opts.profile.as_deref()).await?;
    let ca_bundle = https::CaBundle::from_env()?;
    let base = base_config(opts, ca_bundle.as_ref()).await;
    settings::check_endpoints(opts.endpoint_url.as_deref(), opts.profile.as_deref(), &base)?;
    check_credentials(opts, &base).await?;

    let caller = caller_identity(&base, &recorder).await?;
    let global = Region::new(regions::global_region(&caller.partition));

    // The organization and its accounts.
    let caller_clients = AccountClients::new(base.clone(), global.clone(), recorder.clone());
    let org_client = caller_clients.organizations();
    let (mut org, all_accounts) = organization(&ctx, &org_client, &caller).await?;
    let management_id = org.management_account_id.clone();
    org.accounts = Some(all_accounts.clone());
    let selected = select(opts, &org, all_accounts)?;
    let default_regions = audited_regions(&ctx, regions.as_ref(), &caller_clients).await?;

    let scanner = Scanner {
        opts,
        ctx: &ctx,
        base: &base,
        global: &global,
        recorder: &recorder,
        caller_account: &caller.account,
        partition: &caller.partition,
        management_id: &management_id,
        regions_given: regions.is_some(),
        default_regions: &default_regions,
    };

    progress.start(selected.len());
    let management_selected = selected.iter().any(|a| a.id == management_id);
    // The policy types enabled on the root: only those have policies in
    // effect, and only those are read.
    let enabled_policy_types: Vec<String> = org
        .roots
        .iter()
        .flat_map(|r| r.policy_types.iter().cloned())
        .collect();
    let org_level = org_level(&scanner, management_selected);
    let accounts = futures::stream::iter(selected)
        .map(|a| async {
            let account = scanner.account(a).await;
            progress.account_done(
                &account.id,
                crate::snapshot::Sections::error_count(&account),
            );
            account
        })
        .buffer_unordered(opts.concurrency.max(1))
        .collect::<Vec<Account>>();
    // The organization's policies, read as the tree was: with the caller's
    // credentials (the management account or a delegated administrator).
    let policies = org_policies::collect(&ctx, &org_client, &enabled_policy_types);
    let security_services = security_services(&scanner, &org_client);
    let (
        (organization_features, management_buckets, identity_center, management_trails),
        policies,
        security_services,
        mut accounts,
    ) = tokio::join!(org_level, policies, security_services, accounts);
    progress.finish();
    accounts.sort_by(|a, b| a.id.cmp(&b.id));

    let finished_at = now();
    Ok(Snapshot {
        schema_version: SCHEMA_VERSION.to_string(),
        collected_at: finished_at.clone(),
        scan: ScanInfo {
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            started_at,
            finished_at,
            regions: default_regions.clone(),
            role_name: None,
            role_names: opts.role_names.clone(),
            caller_account_id: Some(caller.account.clone()),
            partition: Some(caller.partition.clone()),
            shard: opts.shard.map(|(index, count)| Shard { index, count }),
            merge: None,
        },
        organization: Section::ok(org),
        organization_features,
        policies,
        management_buckets,
        identity_center,
        management_trails,
        security_services,
        accounts,
    })
}

/// The options that can be refused before any call: the regions (returned,
/// validated), the shard and the role names.
fn check_options(opts: &ScanOptions) -> Result<Option<Vec<String>>, ScanError> {
    let regions = opts
        .regions
        .as_deref()
        .map(regions::validate)
        .transpose()
        .map_err(ScanError::InvalidOption)?;
    if let Some((index, count)) = opts.shard {
        if !(Shard { index, count }).is_valid() {
            return Err(ScanError::InvalidOption(format!(
                "invalid shard {index}/{count}: expected K/N with 1 <= K <= N"
            )));
        }
    }
    check_role_names(&opts.role_names).map_err(ScanError::InvalidOption)?;
    Ok(regions)
}

/// Who is calling: the account, the caller's ARN (empty when not given)
/// and the partition. A failure here means no scan at all: its error says
/// what to do about the credentials or the endpoint.
async fn caller_identity(
    base: &SdkConfig,
    recorder: &OperationRecorder,
) -> Result<Caller, ScanError> {
    let sts = sts_client(base, recorder);
    let caller = sts.get_caller_identity().send().await.map_err(|e| {
        let err = collect_error("sts:GetCallerIdentity", None, &e);
        match error_code(&e) {
            Some("ExpiredToken" | "ExpiredTokenException" | "RequestExpired") => {
                ScanError::ExpiredToken(err.code)
            }
            Some(code) => ScanError::InvalidCredentials {
                code: code.to_string(),
                message: err.message,
            },
            None if err.code == "ResponseTooLarge" => ScanError::BadAnswer {
                endpoint: endpoint_name(base),
                message: err.to_string(),
            },
            None if matches!(err.code.as_str(), "ConnectionError" | "Timeout") => {
                ScanError::Endpoint {
                    endpoint: endpoint_name(base),
                    message: err.message,
                }
            }
            None => ScanError::Credentials(err.to_string()),
        }
    })?;
    let partition = caller
        .arn
        .as_deref()
        .and_then(|arn| arn.split(':').nth(1))
        .unwrap_or("aws")
        .to_string();
    Ok(Caller {
        account: caller.account.unwrap_or_default(),
        arn: caller.arn,
        partition,
    })
}

/// The identity [`caller_identity`] found.
struct Caller {
    account: String,
    arn: Option<String>,
    partition: String,
}

/// The organization, its tree and every account in it, read with the
/// caller's credentials.
async fn organization(
    ctx: &Ctx,
    org_client: &aws_sdk_organizations::Client,
    caller: &Caller,
) -> Result<(Organization, Vec<OrganizationAccount>), ScanError> {
    let mut org = organizations::describe(ctx, org_client)
        .await
        .map_err(|e| match e.code.as_str() {
            "AccessDeniedException" | "AccessDenied" => ScanError::OrganizationDenied {
                caller: caller.arn.clone().unwrap_or_else(|| caller.account.clone()),
            },
            "AWSOrganizationsNotInUseException" => {
                ScanError::NotInOrganization(caller.account.clone())
            }
            _ => ScanError::Organization(e),
        })?;
    let all_accounts = organizations::tree(ctx, org_client, &mut org)
        .await
        .map_err(ScanError::Organization)?;
    Ok((org, all_accounts))
}

/// The regions to audit: given, or those enabled in the caller's account.
async fn audited_regions(
    ctx: &Ctx,
    given: Option<&Vec<String>>,
    caller_clients: &AccountClients,
) -> Result<Vec<String>, ScanError> {
    let default_regions = match given {
        Some(r) => r.clone(),
        None => account::enabled_regions(ctx, &caller_clients.account())
            .await
            .map_err(ScanError::Regions)?,
    };
    if default_regions.is_empty() {
        return Err(ScanError::Regions(CollectError {
            operation: "account:ListRegions".to_string(),
            code: "NoRegions".to_string(),
            message: "no enabled region listed".to_string(),
            region: None,
        }));
    }

    Ok(default_regions)
}

/// The organization-wide facts read in the management account: its IAM
/// organization features, its S3 buckets, Identity Center, and (when the
/// management account itself is not scanned) its trails.
async fn org_level(scanner: &Scanner<'_>, management_selected: bool) -> OrgLevel {
    let (ctx, regions) = (scanner.ctx, scanner.default_regions);
    // Organization-wide facts, read in the management account.
    match scanner.reach(scanner.management_id).await {
        Ok((clients, _)) => {
            let (iam_client, s3_client) = (clients.iam(), clients.s3());
            tokio::join!(
                iam::organization_features(ctx, &iam_client),
                async { iam::section(buckets::collect(ctx, &s3_client).await) },
                async { iam::section(identity_center(ctx, &clients, regions).await) },
                async {
                    // A partial scan without the management account still
                    // needs its trails: members' organization trails are
                    // judged from them.
                    if management_selected {
                        Section::not_collected("the management account is in the snapshot")
                    } else {
                        iam::section(
                            cloudtrail::collect(ctx, scanner.management_id, regions, |r| {
                                clients.cloudtrail(r)
                            })
                            .await,
                        )
                    }
                }
            )
        }
        Err(e) => (
            Section::error(e.clone()),
            Section::error(e.clone()),
            Section::error(e.clone()),
            Section::error(e),
        ),
    }
}

/// What [`org_level`] reads: organization features, the management
/// account's buckets, Identity Center, the management account's trails.
type OrgLevel = (
    Section<Vec<String>>,
    Section<Vec<Bucket>>,
    Section<IdentityCenter>,
    Section<CloudTrail>,
);

/// The organization's security services: the delegated administrators of
/// GuardDuty, Security Hub and IAM Access Analyzer (with the caller's
/// credentials, as the tree), GuardDuty's organization configuration in its
/// administrator, and the IAM Access Analyzers of the management account
/// and of Access Analyzer's administrator, in every audited region. When
/// the administrators cannot be listed, nothing that depends on them is
/// known: every part is that error.
async fn security_services(
    scanner: &Scanner<'_>,
    org_client: &aws_sdk_organizations::Client,
) -> SecurityServices {
    let (ctx, regions) = (scanner.ctx, scanner.default_regions);
    let admins = match organizations::delegated_administrators(ctx, org_client).await {
        Ok(admins) => admins,
        Err(e) => {
            return SecurityServices {
                delegated_administrators: Section::error(e.clone()),
                guardduty_organization: Section::error(e.clone()),
                access_analyzers: Section::error(e),
            }
        }
    };
    let admin_of = |principal: &str| {
        admins
            .iter()
            .find(|d| d.service_principal == principal)
            .map(|d| d.account_id.clone())
    };
    let guardduty_admin = admin_of(organizations::GUARDDUTY);
    let mut analyzer_accounts = vec![scanner.management_id.to_string()];
    analyzer_accounts
        .extend(admin_of(organizations::ACCESS_ANALYZER).filter(|id| id != scanner.management_id));
    // Each account reached once, however many services it administers.
    let mut to_reach: Vec<&String> = analyzer_accounts.iter().chain(&guardduty_admin).collect();
    to_reach.sort_unstable();
    to_reach.dedup();
    let reached: HashMap<&str, _> = futures::future::join_all(
        to_reach
            .into_iter()
            .map(|id| async move { (id.as_str(), scanner.reach(id).await.map(|(c, _)| c)) }),
    )
    .await
    .into_iter()
    .collect();
    let guardduty_organization = async {
        let Some(id) = &guardduty_admin else {
            return Section::ok(Vec::new());
        };
        match &reached[id.as_str()] {
            Ok(clients) => Section::ok(
                futures::future::join_all(regions.iter().map(|r| {
                    let client = clients.guardduty(r);
                    async move { guardduty::organization(ctx, &client, r).await }
                }))
                .await,
            ),
            Err(e) => Section::error(e.clone()),
        }
    };
    let access_analyzers = futures::future::join_all(analyzer_accounts.iter().map(|id| {
        let reached = &reached;
        async move {
            match &reached[id.as_str()] {
                Ok(clients) => {
                    futures::future::join_all(regions.iter().map(|r| {
                        let client = clients.access_analyzer(r);
                        async move {
                            AccountAnalyzers {
                                account_id: id.clone(),
                                region: r.clone(),
                                analyzers: iam::section(
                                    access_analyzer::analyzers(ctx, &client, r).await,
                                ),
                            }
                        }
                    }))
                    .await
                }
                Err(e) => regions
                    .iter()
                    .map(|r| AccountAnalyzers {
                        account_id: id.clone(),
                        region: r.clone(),
                        analyzers: Section::error(e.clone()),
                    })
                    .collect(),
            }
        }
    }));
    let (guardduty_organization, access_analyzers) =
        tokio::join!(guardduty_organization, access_analyzers);
    SecurityServices {
        delegated_administrators: Section::ok(admins),
        guardduty_organization,
        access_analyzers: Section::ok(access_analyzers.into_iter().flatten().collect()),
    }
}

/// Identity Center lives in one region, which need not be audited: looked up
/// in the audited regions first, then in every other region enabled in the
/// management account. When those cannot be listed, "no instance" is not
/// known, so the section fails.
async fn identity_center(
    ctx: &Ctx,
    clients: &AccountClients,
    audited: &[String],
) -> Result<crate::snapshot::IdentityCenter, CollectError> {
    let found = sso::collect(ctx, audited, |r| clients.ssoadmin(r)).await?;
    if !found.instances.is_empty() {
        return Ok(found);
    }
    let enabled = account::enabled_regions(ctx, &clients.account()).await?;
    let rest: Vec<String> = enabled
        .into_iter()
        .filter(|r| !audited.contains(r))
        .collect();
    sso::collect(ctx, &rest, |r| clients.ssoadmin(r)).await
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

async fn base_config(opts: &ScanOptions, ca_bundle: Option<&https::CaBundle>) -> SdkConfig {
    // Standard mode: exponential backoff with jitter on throttling and 5xx.
    // Adaptive mode's client-side rate limiter is shared by the whole process
    // and falls to 0.5 requests/s per service after a few throttles: measured
    // with the fault proxy, a 6-account scan under 30% throttling took ~200 s
    // instead of seconds.
    // Throttling gets more attempts than other errors (see `retry`): every
    // client has the throttling limit and `retry::ThrottlingRetries`.
    let retry = RetryConfig::standard()
        .with_max_attempts(retry::throttling_attempts(opts.max_attempts))
        .with_initial_backoff(opts.initial_backoff);
    let timeout = TimeoutConfig::builder()
        .connect_timeout(opts.timeout)
        .operation_attempt_timeout(opts.timeout)
        .build();
    let http = https::client(ca_bundle);
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(http.clone())
        .retry_config(retry)
        .timeout_config(timeout);
    if let Some(profile) = &opts.profile {
        // An explicit profile wins over credentials in the environment, as
        // with the AWS CLI's --profile. Built outside the loader, it needs
        // the HTTP client too (STS for role_arn, SSO, web identity).
        let provider_config =
            aws_config::provider_config::ProviderConfig::default().with_http_client(http);
        loader = loader.profile_name(profile).credentials_provider(
            aws_config::profile::ProfileFileCredentialsProvider::builder()
                .configure(&provider_config)
                .profile_name(profile)
                .build(),
        );
    }
    if let Some(url) = &opts.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    let config = loader.load().await;
    if config.region().is_none() {
        config
            .into_builder()
            .region(Region::new("us-east-1"))
            .build()
    } else {
        config
    }
}

/// Resolves the caller's credentials once, to fail early with a clear cause.
async fn check_credentials(opts: &ScanOptions, config: &SdkConfig) -> Result<(), ScanError> {
    let Some(provider) = config.credentials_provider() else {
        return Err(ScanError::NoCredentials);
    };
    match provider.provide_credentials().await {
        Ok(_) => Ok(()),
        Err(e) => {
            let message = one_line(&error_chain(&e));
            match (&opts.profile, &e) {
                (Some(profile), CredentialsError::CredentialsNotLoaded(_)) => {
                    Err(ScanError::Profile {
                        profile: profile.clone(),
                        message: "it is not defined in the AWS config files, or has no credentials"
                            .to_string(),
                    })
                }
                (Some(profile), _) => Err(ScanError::Profile {
                    profile: profile.clone(),
                    message,
                }),
                (None, CredentialsError::CredentialsNotLoaded(_)) => Err(ScanError::NoCredentials),
                // The chain fell through to instance metadata: nothing else
                // had credentials, and this is not an EC2/ECS host.
                (None, _) if message.contains("IMDS") => Err(ScanError::NoCredentials),
                (None, _) => Err(ScanError::Credentials(message)),
            }
        }
    }
}

fn endpoint_name(config: &SdkConfig) -> String {
    config
        .endpoint_url()
        .map(str::to_string)
        .or_else(|| {
            let ignored = std::env::var("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
                .is_ok_and(|v| v.eq_ignore_ascii_case("true"));
            std::env::var("AWS_ENDPOINT_URL")
                .ok()
                .filter(|url| !ignored && !url.is_empty())
        })
        .map(|url| settings::redact_url(&url))
        .unwrap_or_else(|| "of AWS STS".to_string())
}

fn sts_client(config: &SdkConfig, recorder: &OperationRecorder) -> aws_sdk_sts::Client {
    aws_sdk_sts::Client::from_conf(
        aws_sdk_sts::config::Builder::from(config)
            .retry_partition(retry::partition("sts"))
            .interceptor(recorder.clone())
            .interceptor(body_limit::BodyLimit::default())
            .interceptor(retry::ThrottlingRetries)
            .build(),
    )
}

/// Applies `--accounts`, `--ou` and `--shard`.
fn select(
    opts: &ScanOptions,
    org: &crate::snapshot::Organization,
    accounts: Vec<OrganizationAccount>,
) -> Result<Vec<OrganizationAccount>, ScanError> {
    for id in &opts.accounts {
        if !accounts.iter().any(|a| &a.id == id) {
            return Err(ScanError::InvalidOption(format!(
                "account {id} (--accounts) is not in the organization"
            )));
        }
    }
    // OU filter: ids and paths of the chosen parents, then every OU below.
    let mut parents: Vec<(String, String)> = Vec::new();
    for wanted in &opts.ous {
        let wanted = wanted.trim_end_matches('/');
        let found = org
            .organizational_units
            .iter()
            .map(|ou| (ou.id.clone(), ou.path.clone()))
            .chain(org.roots.iter().map(|r| (r.id.clone(), r.name.clone())))
            .find(|(id, path)| id == wanted || path == wanted);
        match found {
            Some(p) => parents.push(p),
            None => {
                return Err(ScanError::InvalidOption(format!(
                    "OU `{wanted}` (--ou) is neither an OU id nor an OU path of the organization"
                )))
            }
        }
    }
    let under = |a: &OrganizationAccount| {
        parents.is_empty()
            || parents.iter().any(|(id, path)| {
                a.parent_id == *id
                    || a.ou_path == *path
                    || a.ou_path.starts_with(&format!("{path}/"))
            })
    };
    let in_shard = |a: &OrganizationAccount| match opts.shard {
        None => true,
        Some((index, count)) => Shard { index, count }.holds(&a.id),
    };
    let chosen: Vec<OrganizationAccount> = accounts
        .into_iter()
        .filter(|a| opts.accounts.is_empty() || opts.accounts.contains(&a.id))
        .filter(under)
        .collect();
    if chosen.is_empty() {
        return Err(ScanError::NoAccounts);
    }
    // A shard may hold no account (more shards than accounts, or ids that
    // fall elsewhere): its snapshot still holds the organization-wide facts,
    // and `merge` needs every shard.
    Ok(chosen.into_iter().filter(in_shard).collect())
}

/// The service clients of one account, built from one `SdkConfig` whose
/// credentials reach that account.
#[derive(Clone)]
pub(crate) struct AccountClients {
    config: SdkConfig,
    global: Region,
    recorder: OperationRecorder,
}

macro_rules! global_client {
    ($name:ident, $sdk:ident) => {
        pub(crate) fn $name(&self) -> $sdk::Client {
            $sdk::Client::from_conf(
                $sdk::config::Builder::from(&self.config)
                    .region(self.global.clone())
                    .retry_partition(retry::partition(stringify!($name)))
                    .interceptor(self.recorder.clone())
                    .interceptor(body_limit::BodyLimit::default())
                    .interceptor(retry::ThrottlingRetries)
                    .build(),
            )
        }
    };
}

macro_rules! regional_client {
    ($name:ident, $sdk:ident) => {
        pub(crate) fn $name(&self, region: &str) -> $sdk::Client {
            $sdk::Client::from_conf(
                $sdk::config::Builder::from(&self.config)
                    .region(Region::new(region.to_string()))
                    .retry_partition(retry::partition(stringify!($name)))
                    .interceptor(self.recorder.clone())
                    .interceptor(body_limit::BodyLimit::default())
                    .interceptor(retry::ThrottlingRetries)
                    .build(),
            )
        }
    };
}

impl AccountClients {
    fn new(config: SdkConfig, global: Region, recorder: OperationRecorder) -> Self {
        AccountClients {
            config,
            global,
            recorder,
        }
    }
    global_client!(organizations, aws_sdk_organizations);
    global_client!(iam, aws_sdk_iam);
    global_client!(account, aws_sdk_account);
    global_client!(budgets, aws_sdk_budgets);
    global_client!(costexplorer, aws_sdk_costexplorer);
    global_client!(s3, aws_sdk_s3);
    /// S3 Control, in the partition's global region (the account-level
    /// settings are not regional).
    pub(crate) fn s3control(&self) -> aws_sdk_s3control::Client {
        aws_sdk_s3control::Client::from_conf(
            aws_sdk_s3control::config::Builder::from(&self.config)
                .region(self.global.clone())
                .endpoint_resolver(s3control::EndpointResolver::default())
                .retry_partition(retry::partition("s3control"))
                .interceptor(self.recorder.clone())
                .interceptor(body_limit::BodyLimit::default())
                .interceptor(retry::ThrottlingRetries)
                .build(),
        )
    }
    regional_client!(cloudtrail, aws_sdk_cloudtrail);
    regional_client!(config_service, aws_sdk_config);
    regional_client!(ssoadmin, aws_sdk_ssoadmin);
    regional_client!(guardduty, aws_sdk_guardduty);
    regional_client!(securityhub, aws_sdk_securityhub);
    regional_client!(access_analyzer, aws_sdk_accessanalyzer);
    /// EC2 in a region: its one read, without the EC2 SDK crate ([`ec2`]).
    pub(crate) fn ec2(&self, region: &str) -> ec2::Client {
        ec2::Client::new(&self.config, region, &self.recorder)
    }
}

/// What every account's scan shares.
struct Scanner<'a> {
    opts: &'a ScanOptions,
    ctx: &'a Ctx,
    base: &'a SdkConfig,
    global: &'a Region,
    recorder: &'a OperationRecorder,
    caller_account: &'a str,
    partition: &'a str,
    management_id: &'a str,
    regions_given: bool,
    default_regions: &'a [String],
}

impl Scanner<'_> {
    /// Clients for an account: the caller's own credentials in the caller's
    /// account, the assumed audit role elsewhere.
    async fn reach(
        &self,
        account_id: &str,
    ) -> Result<(AccountClients, AccountAccess), CollectError> {
        if account_id == self.caller_account {
            return Ok((
                AccountClients::new(
                    self.base.clone(),
                    self.global.clone(),
                    self.recorder.clone(),
                ),
                AccountAccess {
                    method: "caller".to_string(),
                    role_arn: None,
                    role_name: None,
                },
            ));
        }
        // Each role of the list in turn; assumed once now, so that an
        // unreachable account is known before any call.
        let mut failures: Vec<(&str, CollectError)> = Vec::new();
        for role_name in &self.opts.role_names {
            let role_arn = format!("arn:{}:iam::{account_id}:role/{role_name}", self.partition);
            let role = credentials::AssumedRole::new(
                sts_client(self.base, self.recorder),
                role_arn.clone(),
                self.opts.external_id.clone(),
            );
            if let Err(e) = role.credentials().await {
                failures.push((role_name, e));
                continue;
            }
            let config = self
                .base
                .to_builder()
                .credentials_provider(SharedCredentialsProvider::new(role))
                .build();
            return Ok((
                AccountClients::new(config, self.global.clone(), self.recorder.clone()),
                AccountAccess {
                    method: "assumed_role".to_string(),
                    role_arn: Some(role_arn),
                    role_name: Some(role_name.clone()),
                },
            ));
        }
        Err(unassumable(failures))
    }

    async fn account(&self, a: OrganizationAccount) -> Account {
        let is_management = a.id == self.management_id;
        let mut account = Account::from_listing(&a, is_management);
        if a.status != "ACTIVE" {
            let reason = format!("the account is {}", a.status);
            account.set_not_collected(&reason, self.default_regions);
            account.access = Section::not_collected(reason);
            return account;
        }
        let clients = match self.reach(&a.id).await {
            Ok((clients, access)) => {
                account.access = Section::ok(access);
                clients
            }
            Err(e) => {
                let reason = format!("the account could not be reached: {e}");
                account.set_not_collected(&reason, self.default_regions);
                account.access = Section::error(e);
                return account;
            }
        };
        let ctx = self.ctx;

        // Regions: given, or enabled in this account (falling back to the
        // caller's list when this account's cannot be read).
        let regions: Vec<String> = if self.regions_given {
            account.enabled_regions = Section::not_collected("regions were given with --regions");
            self.default_regions.to_vec()
        } else {
            match account::enabled_regions(ctx, &clients.account()).await {
                Ok(r) => {
                    account.enabled_regions = Section::ok(r.clone());
                    r
                }
                Err(e) => {
                    account.enabled_regions = Section::error(e);
                    self.default_regions.to_vec()
                }
            }
        };

        let mgmt_only = "read in the management account only";
        let (iam_client, account_client) = (clients.iam(), clients.account());
        let s3control_client = clients.s3control();
        let (iam, contacts, trails, config, billing, public_access_block, protections) = tokio::join!(
            iam::collect(ctx, &iam_client, self.opts.credential_report_poll),
            account::alternate_contacts(ctx, &account_client),
            cloudtrail::collect(ctx, &a.id, &regions, |r| clients.cloudtrail(r)),
            futures::future::join_all(regions.iter().map(|r| {
                let client = clients.config_service(r);
                async move { config::collect(ctx, &client, r).await }
            })),
            async {
                if is_management {
                    let (budgets_client, ce_client) = (clients.budgets(), clients.costexplorer());
                    let (budgets, anomaly) = tokio::join!(
                        budgets::collect(ctx, &budgets_client, &a.id),
                        ce::collect(ctx, &ce_client),
                    );
                    (iam::section(budgets), anomaly)
                } else {
                    (
                        Section::not_collected(mgmt_only),
                        CostAnomaly {
                            monitors: Section::not_collected(mgmt_only),
                            subscriptions: Section::not_collected(mgmt_only),
                        },
                    )
                }
            },
            s3control::public_access_block(ctx, &s3control_client, &a.id),
            futures::future::join_all(regions.iter().map(|r| {
                let (guardduty_client, securityhub_client, ec2_client) =
                    (clients.guardduty(r), clients.securityhub(r), clients.ec2(r));
                async move {
                    let (detectors, hub, ebs) = tokio::join!(
                        guardduty::detectors(ctx, &guardduty_client, r),
                        securityhub::hub(ctx, &securityhub_client, r),
                        ec2::ebs_encryption_by_default(ctx, &ec2_client, r),
                    );
                    RegionProtections {
                        region: r.clone(),
                        guardduty_detectors: iam::section(detectors),
                        securityhub: iam::section(hub),
                        ebs_encryption_by_default: iam::section(ebs),
                    }
                }
            })),
        );
        account.iam = iam;
        account.alternate_contacts = iam::section(contacts);
        account.cloudtrail = iam::section(trails);
        account.config = config;
        account.budgets = billing.0;
        account.cost_anomaly = billing.1;
        account.s3_public_access_block = iam::section(public_access_block);
        account.protections = protections;
        account
    }
}

/// Why no role of the list could be assumed: with one role, its error as
/// it is; with several, each role's error in the message (the code is the
/// first role's).
fn unassumable(mut failures: Vec<(&str, CollectError)>) -> CollectError {
    if failures.len() == 1 {
        return failures.remove(0).1;
    }
    let message = failures
        .iter()
        .map(|(role, e)| {
            let mut m = format!("{role}: {}", e.code);
            if !e.message.is_empty() && e.message != e.code {
                m.push_str(&format!(" ({})", e.message));
            }
            m
        })
        .collect::<Vec<_>>()
        .join("; ");
    let first = failures.remove(0).1;
    CollectError {
        operation: first.operation,
        code: first.code,
        message: format!("no role of the list could be assumed: {message}"),
        region: None,
    }
}

/// Role names as IAM allows them: 1 to 64 characters of letters, digits and
/// `+=,.@_-`, each given once, at least one.
fn check_role_names(names: &[String]) -> Result<(), String> {
    if names.is_empty() {
        return Err("--role-name needs at least one role name".to_string());
    }
    for (i, name) in names.iter().enumerate() {
        let valid = (1..=64).contains(&name.len())
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c));
        if !valid {
            return Err(format!(
                "--role-name `{}` is not an IAM role name (1 to 64 letters, digits and +=,.@_-)",
                crate::sanitize::one_line(name)
            ));
        }
        if names[..i].contains(name) {
            return Err(format!("--role-name lists `{name}` twice"));
        }
    }
    Ok(())
}
