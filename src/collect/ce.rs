//! ce: Cost Anomaly Detection monitors and subscriptions.

use aws_sdk_costexplorer::Client;

use super::context::Ctx;
use super::iam::section;
use crate::snapshot::{
    AnomalyMonitor, AnomalySubscriber, AnomalySubscription, CollectError, CostAnomaly,
};

/// `ce:GetAnomalyMonitors` and `ce:GetAnomalySubscriptions`, each its own
/// section.
pub async fn collect(ctx: &Ctx, client: &Client) -> CostAnomaly {
    let (monitors, subscriptions) = tokio::join!(monitors(ctx, client), subscriptions(ctx, client));
    CostAnomaly {
        monitors: section(monitors),
        subscriptions: section(subscriptions),
    }
}

async fn monitors(ctx: &Ctx, client: &Client) -> Result<Vec<AnomalyMonitor>, CollectError> {
    let pages = ctx
        .call(
            "ce:GetAnomalyMonitors",
            None,
            client
                .get_anomaly_monitors()
                .into_paginator()
                .send()
                .try_collect(),
        )
        .await?;
    Ok(pages
        .into_iter()
        .flat_map(|p| p.anomaly_monitors)
        .map(|m| AnomalyMonitor {
            arn: m.monitor_arn.unwrap_or_default(),
            name: m.monitor_name,
            monitor_type: m.monitor_type.as_str().to_string(),
            monitor_dimension: m.monitor_dimension.map(|d| d.as_str().to_string()),
        })
        .collect())
}

async fn subscriptions(
    ctx: &Ctx,
    client: &Client,
) -> Result<Vec<AnomalySubscription>, CollectError> {
    let pages = ctx
        .call(
            "ce:GetAnomalySubscriptions",
            None,
            client
                .get_anomaly_subscriptions()
                .into_paginator()
                .send()
                .try_collect(),
        )
        .await?;
    Ok(pages
        .into_iter()
        .flat_map(|p| p.anomaly_subscriptions)
        .map(|s| AnomalySubscription {
            arn: s.subscription_arn.unwrap_or_default(),
            name: s.subscription_name,
            frequency: s.frequency.as_str().to_string(),
            monitor_arns: s.monitor_arn_list,
            subscribers: s
                .subscribers
                .into_iter()
                .map(|sub| AnomalySubscriber {
                    subscriber_type: sub
                        .r#type
                        .map(|t| t.as_str().to_string())
                        .unwrap_or_default(),
                    address: sub.address.unwrap_or_default(),
                    status: sub.status.map(|s| s.as_str().to_string()),
                })
                .collect(),
        })
        .collect())
}
