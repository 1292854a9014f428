//! config, per region: recorders with their status and delivery channels,
//! rules, and compliance by rule. Each part is its own section.

use aws_sdk_config::Client;

use super::context::{ts, Ctx};
use super::iam::section;
use crate::snapshot::{
    CollectError, ConfigRecorder, ConfigRecorderStatus, ConfigRecording, ConfigRegion, ConfigRule,
    ConfigRuleCompliance, DeliveryChannel, DeliveryChannelStatus, DeliveryInfo,
};

/// AWS Config facts of one region. Calls whose answer is empty by
/// definition are skipped: no recorder status without a recorder, no
/// compliance without a rule.
pub async fn collect(ctx: &Ctx, client: &Client, region: &str) -> ConfigRegion {
    let ((recording, delivery_status), (rules, compliance)) = tokio::join!(
        async {
            let recording = recording(ctx, client, region).await;
            let delivery_status = match &recording {
                Ok(r) if r.delivery_channels.is_empty() => Ok(Vec::new()),
                _ => delivery_status(ctx, client, region).await,
            };
            (recording, delivery_status)
        },
        async {
            let rules = rules(ctx, client, region).await;
            let compliance = match &rules {
                Ok(rules) if rules.is_empty() => Ok(Vec::new()),
                _ => compliance(ctx, client, region).await,
            };
            (rules, compliance)
        }
    );
    ConfigRegion {
        region: region.to_string(),
        recording: section(recording),
        rules: section(rules),
        compliance: section(compliance),
        delivery_status: section(delivery_status),
    }
}

/// `DescribeDeliveryChannelStatus`: whether the last deliveries to S3 and
/// SNS succeeded (a channel that exists but fails delivers nothing).
async fn delivery_status(
    ctx: &Ctx,
    client: &Client,
    region: &str,
) -> Result<Vec<DeliveryChannelStatus>, CollectError> {
    let out = ctx
        .call(
            "config:DescribeDeliveryChannelStatus",
            Some(region),
            client.describe_delivery_channel_status().send(),
        )
        .await?;
    let info = |i: Option<aws_sdk_config::types::ConfigExportDeliveryInfo>| {
        i.map(|i| DeliveryInfo {
            last_status: i.last_status.map(|s| s.as_str().to_string()),
            last_error_code: i.last_error_code,
            last_error_message: i.last_error_message,
            last_attempt_time: ts(i.last_attempt_time.as_ref()),
            last_successful_time: ts(i.last_successful_time.as_ref()),
        })
    };
    Ok(out
        .delivery_channels_status
        .unwrap_or_default()
        .into_iter()
        .map(|c| DeliveryChannelStatus {
            name: c.name.unwrap_or_default(),
            config_history: info(c.config_history_delivery_info),
            config_snapshot: info(c.config_snapshot_delivery_info),
            config_stream: c.config_stream_delivery_info.map(|i| DeliveryInfo {
                last_status: i.last_status.map(|s| s.as_str().to_string()),
                last_error_code: i.last_error_code,
                last_error_message: i.last_error_message,
                last_attempt_time: None,
                last_successful_time: ts(i.last_status_change_time.as_ref()),
            }),
        })
        .collect())
}

async fn recording(
    ctx: &Ctx,
    client: &Client,
    region: &str,
) -> Result<ConfigRecording, CollectError> {
    let r = Some(region);
    let recorders_and_statuses = async {
        let recorders = ctx
            .call(
                "config:DescribeConfigurationRecorders",
                r,
                client.describe_configuration_recorders().send(),
            )
            .await?;
        let none = recorders
            .configuration_recorders
            .as_ref()
            .is_none_or(|list| list.is_empty());
        let statuses = if none {
            Vec::new()
        } else {
            ctx.call(
                "config:DescribeConfigurationRecorderStatus",
                r,
                client.describe_configuration_recorder_status().send(),
            )
            .await?
            .configuration_recorders_status
            .unwrap_or_default()
        };
        Ok::<_, CollectError>((recorders, statuses))
    };
    let channels = ctx.call(
        "config:DescribeDeliveryChannels",
        r,
        client.describe_delivery_channels().send(),
    );
    let ((recorders, statuses), channels) = futures::try_join!(recorders_and_statuses, channels)?;
    Ok(ConfigRecording {
        recorders: recorders
            .configuration_recorders
            .unwrap_or_default()
            .into_iter()
            .map(|rec| {
                let names = |types: Option<Vec<aws_sdk_config::types::ResourceType>>| {
                    types
                        .unwrap_or_default()
                        .iter()
                        .map(|t| t.as_str().to_string())
                        .collect::<Vec<_>>()
                };
                let mut out = ConfigRecorder {
                    name: rec.name.unwrap_or_default(),
                    role_arn: rec.role_arn,
                    ..ConfigRecorder::default()
                };
                if let Some(group) = rec.recording_group {
                    out.all_supported = group.all_supported;
                    out.include_global_resource_types = group.include_global_resource_types;
                    out.recording_strategy = group
                        .recording_strategy
                        .and_then(|s| s.use_only)
                        .map(|s| s.as_str().to_string());
                    out.resource_types = names(group.resource_types);
                    out.exclusion_resource_types = names(
                        group
                            .exclusion_by_resource_types
                            .and_then(|e| e.resource_types),
                    );
                }
                out
            })
            .collect(),
        recorder_statuses: statuses
            .into_iter()
            .map(|s| ConfigRecorderStatus {
                name: s.name.unwrap_or_default(),
                recording: s.recording,
                last_status: s.last_status.map(|v| v.as_str().to_string()),
                last_error_code: s.last_error_code,
                last_status_change_time: ts(s.last_status_change_time.as_ref()),
            })
            .collect(),
        delivery_channels: channels
            .delivery_channels
            .unwrap_or_default()
            .into_iter()
            .map(|c| DeliveryChannel {
                name: c.name.unwrap_or_default(),
                s3_bucket_name: c.s3_bucket_name,
                sns_topic_arn: c.sns_topic_arn,
            })
            .collect(),
    })
}

async fn rules(ctx: &Ctx, client: &Client, region: &str) -> Result<Vec<ConfigRule>, CollectError> {
    let pages = ctx
        .call(
            "config:DescribeConfigRules",
            Some(region),
            client
                .describe_config_rules()
                .into_paginator()
                .send()
                .try_collect(),
        )
        .await?;
    Ok(pages
        .into_iter()
        .flat_map(|p| p.config_rules.unwrap_or_default())
        .map(|r| {
            let source = r.source;
            ConfigRule {
                name: r.config_rule_name.unwrap_or_default(),
                arn: r.config_rule_arn.unwrap_or_default(),
                source_owner: source
                    .as_ref()
                    .map(|s| s.owner.as_str().to_string())
                    .unwrap_or_default(),
                source_identifier: source.and_then(|s| s.source_identifier),
                state: r.config_rule_state.map(|s| s.as_str().to_string()),
            }
        })
        .collect())
}

pub(crate) async fn compliance(
    ctx: &Ctx,
    client: &Client,
    region: &str,
) -> Result<Vec<ConfigRuleCompliance>, CollectError> {
    let pages = ctx
        .call(
            "config:DescribeComplianceByConfigRule",
            Some(region),
            client
                .describe_compliance_by_config_rule()
                .into_paginator()
                .send()
                .try_collect(),
        )
        .await?;
    Ok(pages
        .into_iter()
        .flat_map(|p| p.compliance_by_config_rules.unwrap_or_default())
        .map(|c| ConfigRuleCompliance {
            rule_name: c.config_rule_name.unwrap_or_default(),
            compliance_type: c
                .compliance
                .and_then(|c| c.compliance_type)
                .map(|t| t.as_str().to_string())
                .unwrap_or_default(),
        })
        .collect())
}
