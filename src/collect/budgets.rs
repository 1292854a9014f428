//! budgets: the account's budgets, their notifications, and each
//! notification's subscribers (its own section).

use aws_sdk_budgets::Client;
use futures::future::try_join_all;

use super::context::Ctx;
use super::iam::section;
use crate::snapshot::{Budget, BudgetNotification, CollectError, Subscriber};

/// The budgets API's largest page.
const PAGE: i32 = 100;

/// `DescribeBudgets`, then per budget `DescribeNotificationsForBudget`, then
/// per notification `DescribeSubscribersForNotification`.
pub async fn collect(
    ctx: &Ctx,
    client: &Client,
    account_id: &str,
) -> Result<Vec<Budget>, CollectError> {
    let budgets = match ctx
        .call(
            "budgets:DescribeBudgets",
            None,
            client
                .describe_budgets()
                .account_id(account_id)
                .into_paginator()
                .page_size(PAGE)
                .items()
                .send()
                .try_collect(),
        )
        .await
    {
        Ok(b) => b,
        // The budgets API answers NotFound when the account has none.
        Err(e) if e.code == "NotFoundException" => Vec::new(),
        Err(e) => return Err(e),
    };
    try_join_all(budgets.into_iter().map(|b| async move {
        let notifications = match ctx
            .call(
                "budgets:DescribeNotificationsForBudget",
                None,
                client
                    .describe_notifications_for_budget()
                    .account_id(account_id)
                    .budget_name(&b.budget_name)
                    .into_paginator()
                    .page_size(PAGE)
                    .items()
                    .send()
                    .try_collect(),
            )
            .await
        {
            Ok(n) => n,
            Err(e) if e.code == "NotFoundException" => Vec::new(),
            Err(e) => return Err(e),
        };
        let notifications = futures::future::join_all(notifications.into_iter().map(|n| {
            let budget_name = b.budget_name.as_str();
            async move {
                let subscribers = subscribers(ctx, client, account_id, budget_name, &n).await;
                BudgetNotification {
                    notification_type: n.notification_type.as_str().to_string(),
                    comparison_operator: n.comparison_operator.as_str().to_string(),
                    threshold: n.threshold,
                    threshold_type: n.threshold_type.as_ref().map(|t| t.as_str().to_string()),
                    state: n
                        .notification_state
                        .as_ref()
                        .map(|s| s.as_str().to_string()),
                    subscribers: section(subscribers),
                }
            }
        }))
        .await;
        Ok(Budget {
            budget_type: b.budget_type.as_str().to_string(),
            time_unit: Some(b.time_unit.as_str().to_string()),
            limit_amount: b.budget_limit.as_ref().map(|s| s.amount.clone()),
            limit_unit: b.budget_limit.as_ref().map(|s| s.unit.clone()),
            name: b.budget_name,
            notifications,
        })
    }))
    .await
}

pub(crate) async fn subscribers(
    ctx: &Ctx,
    client: &Client,
    account_id: &str,
    budget_name: &str,
    notification: &aws_sdk_budgets::types::Notification,
) -> Result<Vec<Subscriber>, CollectError> {
    match ctx
        .call(
            "budgets:DescribeSubscribersForNotification",
            None,
            client
                .describe_subscribers_for_notification()
                .account_id(account_id)
                .budget_name(budget_name)
                .notification(notification.clone())
                .into_paginator()
                .page_size(PAGE)
                .items()
                .send()
                .try_collect(),
        )
        .await
    {
        Ok(s) => Ok(s
            .into_iter()
            .map(|s| Subscriber {
                subscription_type: s.subscription_type.as_str().to_string(),
                address: s.address,
            })
            .collect()),
        Err(e) if e.code == "NotFoundException" => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}
