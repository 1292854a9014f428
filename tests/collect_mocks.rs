//! Collectors whose AWS operations moto does not implement (it answers HTTP
//! 500), tested with `aws-smithy-mocks` instead: Cost Explorer anomaly
//! monitors and subscriptions, budgets DescribeSubscribersForNotification,
//! config DescribeComplianceByConfigRule, iam ListOrganizationsFeatures,
//! guardduty DescribeOrganizationConfiguration, access-analyzer
//! ListAnalyzers; and
//! an audit role that cannot be assumed (moto's AssumeRole never fails);
//! and the error shapes of EC2's Query read (denied, throttled, server
//! errors, unreadable answers) against a local HTTP server.
//! The moto scan (tests/scan_moto.rs) checks these gaps are recorded as
//! section errors there.

use aws_config::{BehaviorVersion, Region};
use aws_credential_types::Credentials;
use aws_smithy_mocks::{create_mock_http_client, mock, MockResponseInterceptor, Rule, RuleMode};
use aws_smithy_types::error::ErrorMetadata;
use orgaudit::collect::{
    access_analyzer, budgets, ce, config, credentials::AssumedRole, guardduty, iam, Ctx,
};
use orgaudit::snapshot::Section;

/// A client of `$sdk` answering from `rules`, without the SDK's `test-util`
/// feature (which would rebuild the SDK crates).
macro_rules! mock_client {
    ($sdk:ident, $rules:expr) => {{
        let mut interceptor = MockResponseInterceptor::new().rule_mode(RuleMode::MatchAny);
        for rule in $rules {
            interceptor = interceptor.with_rule(rule);
        }
        $sdk::Client::from_conf(
            $sdk::Config::builder()
                .behavior_version(BehaviorVersion::latest())
                .region(Region::new("us-east-1"))
                .credentials_provider(Credentials::new(
                    "AKIDMOCK",
                    "mock-secret",
                    None,
                    None,
                    "mock",
                ))
                .http_client(create_mock_http_client())
                .interceptor(interceptor)
                .build(),
        )
    }};
}

fn denied() -> ErrorMetadata {
    ErrorMetadata::builder()
        .code("AccessDeniedException")
        .message("not authorized")
        .build()
}

#[tokio::test]
async fn cost_anomaly_monitors_and_subscriptions() {
    use aws_sdk_costexplorer::operation::get_anomaly_monitors::GetAnomalyMonitorsOutput;
    use aws_sdk_costexplorer::operation::get_anomaly_subscriptions::GetAnomalySubscriptionsOutput;
    use aws_sdk_costexplorer::types::{
        AnomalyMonitor, AnomalySubscription, AnomalySubscriptionFrequency, MonitorDimension,
        MonitorType, Subscriber, SubscriberStatus, SubscriberType,
    };
    use aws_sdk_costexplorer::Client;
    let monitors = mock!(Client::get_anomaly_monitors).then_output(|| {
        GetAnomalyMonitorsOutput::builder()
            .anomaly_monitors(
                AnomalyMonitor::builder()
                    .monitor_arn("arn:aws:ce::111111111111:anomalymonitor/m1")
                    .monitor_name("services")
                    .monitor_type(MonitorType::Dimensional)
                    .monitor_dimension(MonitorDimension::Service)
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap()
    });
    let subscriptions = mock!(Client::get_anomaly_subscriptions).then_output(|| {
        GetAnomalySubscriptionsOutput::builder()
            .anomaly_subscriptions(
                AnomalySubscription::builder()
                    .subscription_arn("arn:aws:ce::111111111111:anomalysubscription/s1")
                    .subscription_name("daily")
                    .frequency(AnomalySubscriptionFrequency::Daily)
                    .monitor_arn_list("arn:aws:ce::111111111111:anomalymonitor/m1")
                    .subscribers(
                        Subscriber::builder()
                            .r#type(SubscriberType::Email)
                            .address("aws-notification@example.com")
                            .status(SubscriberStatus::Confirmed)
                            .build(),
                    )
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap()
    });
    let client = mock_client!(aws_sdk_costexplorer, [&monitors, &subscriptions]);
    let got = ce::collect(&Ctx::new(4), &client).await;
    let m = &got.monitors.data().unwrap()[0];
    assert_eq!(m.name, "services");
    assert_eq!(m.monitor_type, "DIMENSIONAL");
    assert_eq!(m.monitor_dimension.as_deref(), Some("SERVICE"));
    let s = &got.subscriptions.data().unwrap()[0];
    assert_eq!(s.frequency, "DAILY");
    assert_eq!(s.monitor_arns.len(), 1);
    assert_eq!(s.subscribers[0].subscriber_type, "EMAIL");
    assert_eq!(s.subscribers[0].status.as_deref(), Some("CONFIRMED"));
}

#[tokio::test]
async fn a_denied_cost_explorer_is_an_error_section_per_call() {
    use aws_sdk_costexplorer::operation::get_anomaly_monitors::GetAnomalyMonitorsError;
    use aws_sdk_costexplorer::operation::get_anomaly_subscriptions::GetAnomalySubscriptionsOutput;
    use aws_sdk_costexplorer::Client;
    let monitors = mock!(Client::get_anomaly_monitors)
        .then_error(|| GetAnomalyMonitorsError::generic(denied()));
    let subscriptions = mock!(Client::get_anomaly_subscriptions).then_output(|| {
        GetAnomalySubscriptionsOutput::builder()
            .set_anomaly_subscriptions(Some(vec![]))
            .build()
            .unwrap()
    });
    let client = mock_client!(aws_sdk_costexplorer, [&monitors, &subscriptions]);
    let got = ce::collect(&Ctx::new(4), &client).await;
    match &got.monitors {
        Section::Error { error } => {
            assert_eq!(error.operation, "ce:GetAnomalyMonitors");
            assert_eq!(error.code, "AccessDeniedException");
            assert_eq!(error.message, "not authorized");
        }
        other => panic!("expected an error, got {other:?}"),
    }
    assert_eq!(got.subscriptions.data().unwrap(), &vec![]);
}

#[tokio::test]
async fn budget_notification_subscribers() {
    use aws_sdk_budgets::operation::describe_budgets::DescribeBudgetsOutput;
    use aws_sdk_budgets::operation::describe_notifications_for_budget::DescribeNotificationsForBudgetOutput;
    use aws_sdk_budgets::operation::describe_subscribers_for_notification::{
        DescribeSubscribersForNotificationError, DescribeSubscribersForNotificationOutput,
    };
    use aws_sdk_budgets::types::{
        Budget, BudgetType, ComparisonOperator, Notification, NotificationType, Subscriber,
        SubscriptionType, ThresholdType, TimeUnit,
    };
    use aws_sdk_budgets::Client;
    let budgets = mock!(Client::describe_budgets).then_output(|| {
        DescribeBudgetsOutput::builder()
            .budgets(
                Budget::builder()
                    .budget_name("monthly")
                    .budget_type(BudgetType::Cost)
                    .time_unit(TimeUnit::Monthly)
                    .build()
                    .unwrap(),
            )
            .build()
    });
    let notification = |threshold: f64, kind: NotificationType| {
        Notification::builder()
            .notification_type(kind)
            .comparison_operator(ComparisonOperator::GreaterThan)
            .threshold(threshold)
            .threshold_type(ThresholdType::Percentage)
            .build()
            .unwrap()
    };
    let notifications = mock!(Client::describe_notifications_for_budget).then_output(move || {
        DescribeNotificationsForBudgetOutput::builder()
            .notifications(notification(80.0, NotificationType::Actual))
            .notifications(notification(100.0, NotificationType::Forecasted))
            .build()
    });
    // The ACTUAL notification has an e-mail subscriber; reading the
    // FORECASTED one's is denied: only that section is an error.
    let subscribers = mock!(Client::describe_subscribers_for_notification)
        .match_requests(|r| {
            r.notification().map(|n| n.notification_type.as_str()) == Some("ACTUAL")
        })
        .then_output(|| {
            DescribeSubscribersForNotificationOutput::builder()
                .subscribers(
                    Subscriber::builder()
                        .subscription_type(SubscriptionType::Email)
                        .address("aws-notification@example.com")
                        .build()
                        .unwrap(),
                )
                .build()
        });
    let subscribers_denied = mock!(Client::describe_subscribers_for_notification)
        .match_requests(|r| {
            r.notification().map(|n| n.notification_type.as_str()) == Some("FORECASTED")
        })
        .then_error(|| DescribeSubscribersForNotificationError::generic(denied()));
    let client = mock_client!(
        aws_sdk_budgets,
        [&budgets, &notifications, &subscribers, &subscribers_denied]
    );
    let got = budgets::collect(&Ctx::new(4), &client, "111111111111")
        .await
        .unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].name, "monthly");
    assert_eq!(got[0].budget_type, "COST");
    let n = &got[0].notifications;
    assert_eq!(n.len(), 2);
    assert_eq!(n[0].threshold, 80.0);
    let subs = n[0].subscribers.data().unwrap();
    assert_eq!(subs[0].subscription_type, "EMAIL");
    assert_eq!(subs[0].address, "aws-notification@example.com");
    match &n[1].subscribers {
        Section::Error { error } => {
            assert_eq!(
                error.operation,
                "budgets:DescribeSubscribersForNotification"
            );
            assert_eq!(error.code, "AccessDeniedException");
        }
        other => panic!("expected an error, got {other:?}"),
    }
}

#[tokio::test]
async fn config_compliance_by_rule() {
    use aws_sdk_config::operation::describe_compliance_by_config_rule::DescribeComplianceByConfigRuleOutput;
    use aws_sdk_config::operation::describe_config_rules::DescribeConfigRulesOutput;
    use aws_sdk_config::operation::describe_configuration_recorder_status::DescribeConfigurationRecorderStatusOutput;
    use aws_sdk_config::operation::describe_configuration_recorders::DescribeConfigurationRecordersOutput;
    use aws_sdk_config::operation::describe_delivery_channels::DescribeDeliveryChannelsOutput;
    use aws_sdk_config::types::{
        Compliance, ComplianceByConfigRule, ComplianceType, ConfigRule, Owner, Source,
    };
    use aws_sdk_config::Client;
    let compliance = mock!(Client::describe_compliance_by_config_rule).then_output(|| {
        DescribeComplianceByConfigRuleOutput::builder()
            .compliance_by_config_rules(
                ComplianceByConfigRule::builder()
                    .config_rule_name("root-account-mfa-enabled")
                    .compliance(
                        Compliance::builder()
                            .compliance_type(ComplianceType::NonCompliant)
                            .build(),
                    )
                    .build(),
            )
            .compliance_by_config_rules(
                ComplianceByConfigRule::builder()
                    .config_rule_name("iam-password-policy")
                    .compliance(
                        Compliance::builder()
                            .compliance_type(ComplianceType::Compliant)
                            .build(),
                    )
                    .build(),
            )
            .build()
    });
    let recorders = mock!(Client::describe_configuration_recorders)
        .then_output(|| DescribeConfigurationRecordersOutput::builder().build());
    let statuses = mock!(Client::describe_configuration_recorder_status)
        .then_output(|| DescribeConfigurationRecorderStatusOutput::builder().build());
    let channels = mock!(Client::describe_delivery_channels)
        .then_output(|| DescribeDeliveryChannelsOutput::builder().build());
    let rules = mock!(Client::describe_config_rules).then_output(|| {
        let rule = |name: &str, identifier: &str| {
            ConfigRule::builder()
                .config_rule_name(name)
                .source(
                    Source::builder()
                        .owner(Owner::Aws)
                        .source_identifier(identifier)
                        .build()
                        .unwrap(),
                )
                .build()
        };
        DescribeConfigRulesOutput::builder()
            .config_rules(rule("root-account-mfa-enabled", "ROOT_ACCOUNT_MFA_ENABLED"))
            .config_rules(rule("iam-password-policy", "IAM_PASSWORD_POLICY"))
            .build()
    });
    let all: [&Rule; 5] = [&compliance, &recorders, &statuses, &channels, &rules];
    let client = mock_client!(aws_sdk_config, all);
    let got = config::collect(&Ctx::new(4), &client, "eu-west-1").await;
    assert_eq!(got.region, "eu-west-1");
    let c = got.compliance.data().unwrap();
    assert_eq!(c.len(), 2);
    assert_eq!(c[0].rule_name, "root-account-mfa-enabled");
    assert_eq!(c[0].compliance_type, "NON_COMPLIANT");
    assert_eq!(c[1].compliance_type, "COMPLIANT");
    assert!(got.recording.data().unwrap().recorders.is_empty());
    let rules = got.rules.data().unwrap();
    assert_eq!(rules[0].source_owner, "AWS");
    assert_eq!(
        rules[0].source_identifier.as_deref(),
        Some("ROOT_ACCOUNT_MFA_ENABLED")
    );
}

#[tokio::test]
async fn organization_features() {
    use aws_sdk_iam::operation::list_organizations_features::ListOrganizationsFeaturesOutput;
    use aws_sdk_iam::types::FeatureType;
    use aws_sdk_iam::Client;
    let rule = mock!(Client::list_organizations_features).then_output(|| {
        ListOrganizationsFeaturesOutput::builder()
            .organization_id("o-abc")
            .enabled_features(FeatureType::RootSessions)
            .enabled_features(FeatureType::RootCredentialsManagement)
            .build()
    });
    let client = mock_client!(aws_sdk_iam, [&rule]);
    let got = iam::organization_features(&Ctx::new(4), &client).await;
    assert_eq!(
        got.data().unwrap(),
        &["RootCredentialsManagement", "RootSessions"]
    );
}

/// Trusted access for IAM off, or no all-features mode: no centralized root
/// access (an empty list, not an error); any other failure stays an error.
#[tokio::test]
async fn organization_features_not_enabled_and_denied() {
    use aws_sdk_iam::operation::list_organizations_features::ListOrganizationsFeaturesError;
    use aws_sdk_iam::Client;
    for (code, enabled) in [
        ("ServiceAccessNotEnabledException", true),
        ("OrganizationNotInAllFeaturesModeException", true),
        ("AccessDenied", false),
        (
            "AccountNotManagementOrDelegatedAdministratorException",
            false,
        ),
    ] {
        let rule = mock!(Client::list_organizations_features).then_error(move || {
            ListOrganizationsFeaturesError::generic(
                ErrorMetadata::builder().code(code).message("no").build(),
            )
        });
        let client = mock_client!(aws_sdk_iam, [&rule]);
        let got = iam::organization_features(&Ctx::new(4), &client).await;
        match (&got, enabled) {
            (Section::Ok { data }, true) => assert!(data.is_empty(), "{code}: {got:?}"),
            (Section::Error { error }, false) => assert_eq!(error.code, code),
            _ => panic!("{code}: {got:?}"),
        }
    }
}

#[tokio::test]
async fn an_audit_role_that_cannot_be_assumed_is_a_collect_error() {
    use aws_sdk_sts::operation::assume_role::AssumeRoleError;
    use aws_sdk_sts::Client;
    let rule = mock!(Client::assume_role).then_error(|| {
        AssumeRoleError::generic(
            ErrorMetadata::builder()
                .code("AccessDenied")
                .message("User: arn:aws:iam::111111111111:user/auditor is not authorized to perform: sts:AssumeRole")
                .build(),
        )
    });
    let sts = mock_client!(aws_sdk_sts, [&rule]);
    let role = AssumedRole::new(
        sts,
        "arn:aws:iam::222222222222:role/OrganizationAccountAccessRole".into(),
        None,
    );
    let err = role.credentials().await.unwrap_err();
    assert_eq!(err.operation, "sts:AssumeRole");
    assert_eq!(err.code, "AccessDenied");
}

#[tokio::test]
async fn assumed_credentials_are_cached_until_near_expiry() {
    use aws_sdk_sts::operation::assume_role::AssumeRoleOutput;
    use aws_sdk_sts::Client;
    let expiring_in = |secs: u64| {
        move || {
            let expiration = std::time::SystemTime::now() + std::time::Duration::from_secs(secs);
            AssumeRoleOutput::builder()
                .credentials(
                    aws_sdk_sts::types::Credentials::builder()
                        .access_key_id("ASIAMOCK")
                        .secret_access_key("mock-secret")
                        .session_token("mock-token")
                        .expiration(expiration.into())
                        .build()
                        .unwrap(),
                )
                .build()
        }
    };
    // One hour: the second call is served from the cache.
    let long = mock!(Client::assume_role).then_output(expiring_in(3600));
    let role = AssumedRole::new(
        mock_client!(aws_sdk_sts, [&long]),
        "arn:aws:iam::2:role/r".into(),
        None,
    );
    role.credentials().await.unwrap();
    role.credentials().await.unwrap();
    assert_eq!(long.num_calls(), 1);
    // Two minutes (inside the refresh margin): every call renews.
    let short = mock!(Client::assume_role).then_output(expiring_in(120));
    let role = AssumedRole::new(
        mock_client!(aws_sdk_sts, [&short]),
        "arn:aws:iam::2:role/r".into(),
        None,
    );
    role.credentials().await.unwrap();
    role.credentials().await.unwrap();
    assert_eq!(short.num_calls(), 2);
}

/// moto does not implement `DescribeDeliveryChannelStatus` (it answers 500,
/// so the moto scan records that section as an error): a failing delivery
/// is read here from a mock.
#[tokio::test]
async fn config_delivery_channel_status() {
    use aws_sdk_config::operation::describe_config_rules::DescribeConfigRulesOutput;
    use aws_sdk_config::operation::describe_configuration_recorders::DescribeConfigurationRecordersOutput;
    use aws_sdk_config::operation::describe_delivery_channel_status::DescribeDeliveryChannelStatusOutput;
    use aws_sdk_config::operation::describe_delivery_channels::DescribeDeliveryChannelsOutput;
    use aws_sdk_config::types::{
        ConfigExportDeliveryInfo, DeliveryChannel, DeliveryChannelStatus, DeliveryStatus,
    };
    use aws_sdk_config::Client;
    let recorders = mock!(Client::describe_configuration_recorders)
        .then_output(|| DescribeConfigurationRecordersOutput::builder().build());
    let channels = mock!(Client::describe_delivery_channels).then_output(|| {
        DescribeDeliveryChannelsOutput::builder()
            .delivery_channels(
                DeliveryChannel::builder()
                    .name("default")
                    .s3_bucket_name("gone-bucket")
                    .build(),
            )
            .build()
    });
    let status = mock!(Client::describe_delivery_channel_status).then_output(|| {
        DescribeDeliveryChannelStatusOutput::builder()
            .delivery_channels_status(
                DeliveryChannelStatus::builder()
                    .name("default")
                    .config_history_delivery_info(
                        ConfigExportDeliveryInfo::builder()
                            .last_status(DeliveryStatus::Failure)
                            .last_error_code("NoSuchBucket")
                            .build(),
                    )
                    .build(),
            )
            .build()
    });
    let rules = mock!(Client::describe_config_rules)
        .then_output(|| DescribeConfigRulesOutput::builder().build());
    let all: [&Rule; 4] = [&recorders, &channels, &status, &rules];
    let client = mock_client!(aws_sdk_config, all);
    let got = config::collect(&Ctx::new(4), &client, "eu-west-1").await;
    let statuses = got.delivery_status.data().expect("delivery status read");
    assert_eq!(statuses.len(), 1);
    let history = statuses[0].config_history.as_ref().unwrap();
    assert_eq!(history.last_status.as_deref(), Some("Failure"));
    assert_eq!(history.last_error_code.as_deref(), Some("NoSuchBucket"));

    // Denied: the section is an error naming the call, never "no failure".
    let denied_status = mock!(Client::describe_delivery_channel_status).then_error(|| {
        aws_sdk_config::operation::describe_delivery_channel_status::DescribeDeliveryChannelStatusError::generic(denied())
    });
    let all: [&Rule; 4] = [&recorders, &channels, &denied_status, &rules];
    let client = mock_client!(aws_sdk_config, all);
    let got = config::collect(&Ctx::new(4), &client, "eu-west-1").await;
    match got.delivery_status {
        Section::Error { error } => {
            assert_eq!(error.operation, "config:DescribeDeliveryChannelStatus")
        }
        other => panic!("{other:?}"),
    }
}

/// moto has no GuardDuty organization configuration: the delegated
/// administrator's `DescribeOrganizationConfiguration` is tested here.
#[tokio::test]
async fn guardduty_organization_configuration() {
    use aws_sdk_guardduty::operation::describe_organization_configuration::DescribeOrganizationConfigurationOutput;
    use aws_sdk_guardduty::operation::list_detectors::ListDetectorsOutput;
    use aws_sdk_guardduty::types::AutoEnableMembers;
    use aws_sdk_guardduty::Client;
    let detectors = mock!(Client::list_detectors).then_output(|| {
        ListDetectorsOutput::builder()
            .detector_ids("d-admin")
            .build()
    });
    let configuration = mock!(Client::describe_organization_configuration)
        .match_requests(|r| r.detector_id() == Some("d-admin"))
        .then_output(|| {
            DescribeOrganizationConfigurationOutput::builder()
                .auto_enable_organization_members(AutoEnableMembers::All)
                .member_account_limit_reached(false)
                .build()
        });
    let client = mock_client!(aws_sdk_guardduty, [&detectors, &configuration]);
    let got = guardduty::organization(&Ctx::new(4), &client, "us-east-1").await;
    assert_eq!(got.region, "us-east-1");
    assert_eq!(got.detector_id.as_deref(), Some("d-admin"));
    let c = got.configuration.data().unwrap().as_ref().unwrap();
    assert_eq!(c.auto_enable_organization_members.as_deref(), Some("ALL"));

    // No detector of the administrator in the region: it enables nobody
    // there (a fact); a denial stays an error naming the call.
    let none = mock!(Client::list_detectors).then_output(|| ListDetectorsOutput::builder().build());
    let client = mock_client!(aws_sdk_guardduty, [&none]);
    let got = guardduty::organization(&Ctx::new(4), &client, "eu-west-1").await;
    assert_eq!(got.configuration.data(), Some(&None));
    let denied_rule = mock!(Client::describe_organization_configuration).then_error(|| {
        aws_sdk_guardduty::operation::describe_organization_configuration::DescribeOrganizationConfigurationError::generic(denied())
    });
    let client = mock_client!(aws_sdk_guardduty, [&detectors, &denied_rule]);
    let got = guardduty::organization(&Ctx::new(4), &client, "us-east-1").await;
    match got.configuration {
        Section::Error { error } => {
            assert_eq!(
                error.operation,
                "guardduty:DescribeOrganizationConfiguration"
            );
            assert_eq!(error.region.as_deref(), Some("us-east-1"));
        }
        other => panic!("{other:?}"),
    }
}

/// moto has no IAM Access Analyzer.
#[tokio::test]
async fn access_analyzers() {
    use aws_sdk_accessanalyzer::operation::list_analyzers::{
        ListAnalyzersError, ListAnalyzersOutput,
    };
    use aws_sdk_accessanalyzer::types::{AnalyzerStatus, AnalyzerSummary, Type};
    use aws_sdk_accessanalyzer::Client;
    let rule = mock!(Client::list_analyzers).then_output(|| {
        ListAnalyzersOutput::builder()
            .analyzers(
                AnalyzerSummary::builder()
                    .arn("arn:aws:access-analyzer:us-east-1:222222222222:analyzer/org")
                    .name("org")
                    .r#type(Type::Organization)
                    .status(AnalyzerStatus::Active)
                    .created_at(aws_smithy_types::DateTime::from_secs(1_767_225_600))
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap()
    });
    let client = mock_client!(aws_sdk_accessanalyzer, [&rule]);
    let got = access_analyzer::analyzers(&Ctx::new(4), &client, "us-east-1")
        .await
        .unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].analyzer_type, "ORGANIZATION");
    assert_eq!(got[0].status, "ACTIVE");
    assert_eq!(got[0].created_at.as_deref(), Some("2026-01-01T00:00:00Z"));

    let none = mock!(Client::list_analyzers).then_output(|| {
        ListAnalyzersOutput::builder()
            .set_analyzers(Some(vec![]))
            .build()
            .unwrap()
    });
    let client = mock_client!(aws_sdk_accessanalyzer, [&none]);
    assert!(
        access_analyzer::analyzers(&Ctx::new(4), &client, "us-east-1")
            .await
            .unwrap()
            .is_empty()
    );
    let refused =
        mock!(Client::list_analyzers).then_error(|| ListAnalyzersError::generic(denied()));
    let client = mock_client!(aws_sdk_accessanalyzer, [&refused]);
    let err = access_analyzer::analyzers(&Ctx::new(4), &client, "eu-west-1")
        .await
        .unwrap_err();
    assert_eq!(err.operation, "access-analyzer:ListAnalyzers");
    assert_eq!(err.code, "AccessDeniedException");
    assert_eq!(err.region.as_deref(), Some("eu-west-1"));
}

/// EC2's one read is not an SDK client (`collect::ec2` speaks EC2's Query
/// protocol itself), so aws-smithy-mocks cannot stand in for it: a local
/// HTTP server answers with canned responses in EC2's shapes, in order,
/// and keeps every request it was sent.
mod ec2_query {
    use std::io::{Read, Write};
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use aws_config::retry::RetryConfig;
    use aws_config::{BehaviorVersion, Region, SdkConfig};
    use aws_credential_types::Credentials;
    use orgaudit::collect::{ec2, retry, Ctx, OperationRecorder};

    const SECRET: &str = "local-test-secret-key";
    const TOKEN: &str = "local-test-session-token";
    const OP: &str = "ec2:GetEbsEncryptionByDefault";

    fn answer(value: &str) -> (u16, String) {
        (
            200,
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
                 <GetEbsEncryptionByDefaultResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">\
                 <requestId>r-1</requestId><ebsEncryptionByDefault>{value}</ebsEncryptionByDefault>\
                 <sseType>sse-ebs</sseType></GetEbsEncryptionByDefaultResponse>"
            ),
        )
    }

    fn error(status: u16, code: &str, message: &str) -> (u16, String) {
        (
            status,
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
                 <Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error>\
                 </Errors><RequestID>r-2</RequestID></Response>"
            ),
        )
    }

    /// Serves `responses` in order (then HTTP 500), one per connection;
    /// returns its URL and the requests received.
    fn serve(responses: Vec<(u16, String)>) -> (String, Arc<Mutex<Vec<String>>>) {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let kept = seen.clone();
        std::thread::spawn(move || {
            let mut responses = responses.into_iter();
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                // The head, then a body of content-length bytes.
                let request = loop {
                    let n = stream.read(&mut chunk).unwrap_or(0);
                    if n == 0 {
                        break None;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    let text = String::from_utf8_lossy(&buf).to_string();
                    let Some((head, body)) = text.split_once("\r\n\r\n") else {
                        continue;
                    };
                    let length = head
                        .lines()
                        .find_map(|l| {
                            let (k, v) = l.split_once(':')?;
                            k.eq_ignore_ascii_case("content-length")
                                .then(|| v.trim().parse::<usize>().ok())?
                        })
                        .unwrap_or(0);
                    if body.len() >= length {
                        break Some(text);
                    }
                };
                let Some(request) = request else { continue };
                kept.lock().unwrap().push(request);
                let (status, body) = responses
                    .next()
                    .unwrap_or((500, "<html>no more answers</html>".to_string()));
                let response = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: text/xml;charset=UTF-8\r\n\
                     Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(response.as_bytes());
            }
        });
        (url, seen)
    }

    /// The account's configuration as the scan builds it: static
    /// credentials, an endpoint, standard retry with the throttling limit
    /// of 3 attempts.
    async fn config(url: &str) -> SdkConfig {
        aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .endpoint_url(url)
            // the scan's HTTP client, as every account's config has it
            .http_client(orgaudit::collect::https::client(None))
            .credentials_provider(Credentials::new(
                "AKIDLOCALTEST",
                SECRET,
                Some(TOKEN.to_string()),
                None,
                "test",
            ))
            .retry_config(
                RetryConfig::standard()
                    .with_max_attempts(retry::throttling_attempts(3))
                    .with_initial_backoff(Duration::from_millis(1)),
            )
            .load()
            .await
    }

    async fn read(
        url: &str,
    ) -> (
        Result<bool, orgaudit::snapshot::CollectError>,
        OperationRecorder,
    ) {
        let recorder = OperationRecorder::new();
        let client = ec2::Client::new(&config(url).await, "eu-west-1", &recorder);
        let got = ec2::ebs_encryption_by_default(&Ctx::new(4), &client, "eu-west-1").await;
        (got, recorder)
    }

    #[tokio::test]
    async fn the_setting_is_read_with_a_signed_query_request() {
        let (url, seen) = serve(vec![answer("true")]);
        let (got, recorder) = read(&url).await;
        assert_eq!(got, Ok(true));
        assert_eq!(recorder.operations().get(OP), Some(&1));
        let request = {
            let requests = seen.lock().unwrap();
            assert_eq!(requests.len(), 1);
            requests[0].to_lowercase()
        };
        assert!(request.starts_with("post / http/1.1"), "{request}");
        assert!(request.ends_with("action=getebsencryptionbydefault&version=2016-11-15"));
        assert!(request.contains("content-type: application/x-www-form-urlencoded"));
        assert!(
            request.contains("authorization: aws4-hmac-sha256 credential=akidlocaltest/"),
            "{request}"
        );
        assert!(request.contains("/eu-west-1/ec2/aws4_request"), "{request}");
        assert!(request.contains(&format!("x-amz-security-token: {TOKEN}")));
        assert!(!request.contains(SECRET));

        let (url, _) = serve(vec![answer("false")]);
        assert_eq!(read(&url).await.0, Ok(false));
    }

    #[tokio::test]
    async fn a_denial_is_an_error_of_the_call_and_not_retried() {
        let (url, seen) = serve(vec![error(
            403,
            "UnauthorizedOperation",
            "You are not authorized to perform this operation.",
        )]);
        let err = read(&url).await.0.unwrap_err();
        assert_eq!(err.operation, OP);
        assert_eq!(err.code, "UnauthorizedOperation");
        assert_eq!(
            err.message,
            "You are not authorized to perform this operation."
        );
        assert_eq!(err.region.as_deref(), Some("eu-west-1"));
        assert_eq!(seen.lock().unwrap().len(), 1);
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains(SECRET) && !shown.contains(TOKEN), "{shown}");
        assert!(!shown.contains("Signature="), "{shown}");
    }

    #[tokio::test]
    async fn throttling_is_retried_beyond_the_attempts_of_other_errors() {
        // Five throttled answers, more than --max-attempts (3): throttling
        // gets three times as many.
        let mut answers: Vec<_> = (0..5)
            .map(|_| error(503, "RequestLimitExceeded", "Request limit exceeded."))
            .collect();
        answers.push(answer("true"));
        let (url, seen) = serve(answers);
        let (got, recorder) = read(&url).await;
        assert_eq!(got, Ok(true));
        assert_eq!(seen.lock().unwrap().len(), 6);
        assert_eq!(recorder.attempts().get(OP), Some(&6));
        assert_eq!(recorder.operations().get(OP), Some(&1));
        // Each attempt signed anew.
        assert!(seen
            .lock()
            .unwrap()
            .iter()
            .all(|r| r.to_lowercase().contains("authorization: aws4-hmac-sha256")));

        // A server error keeps --max-attempts.
        let (url, seen) = serve(vec![]);
        let err = read(&url).await.0.unwrap_err();
        assert_eq!(err.code, "ServiceError", "{err:?}");
        assert_eq!(seen.lock().unwrap().len(), 3);
    }

    #[tokio::test]
    async fn an_unreadable_answer_is_an_error_never_a_guess() {
        for body in [
            "<html>oops</html>".to_string(),
            "not xml at all".to_string(),
            answer("maybe").1,
            answer("").1,
            "<GetEbsEncryptionByDefaultResponse><requestId>r</requestId></GetEbsEncryptionByDefaultResponse>"
                .to_string(),
        ] {
            // Retried as the SDK retries an answer it cannot parse
            // (transient), up to --max-attempts.
            let (url, seen) = serve(vec![(200, body.clone()); 3]);
            let err = read(&url).await.0.unwrap_err();
            assert_eq!(seen.lock().unwrap().len(), 3, "{body}");
            assert_eq!(err.operation, OP, "{body}");
            assert_eq!(err.code, "ResponseError", "{body}: {err:?}");
        }
        // An error status without EC2's error document.
        let (url, _) = serve(vec![(403, "<html>Forbidden</html>".to_string())]);
        let err = read(&url).await.0.unwrap_err();
        assert_eq!(err.code, "ServiceError", "{err:?}");
        assert!(err.message.contains("HTTP 403"), "{err:?}");
    }
}
