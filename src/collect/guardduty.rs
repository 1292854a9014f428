//! guardduty, per region: the account's detectors (`ListDetectors`, then
//! `GetDetector` of each), and in GuardDuty's delegated administrator the
//! organization configuration (`DescribeOrganizationConfiguration`): whether
//! it enables GuardDuty in the organization's accounts itself.

use aws_sdk_guardduty::Client;
use futures::future::try_join_all;

use super::context::Ctx;
use super::iam::section;
use crate::snapshot::{
    CollectError, GuardDutyDetector, GuardDutyOrganization, GuardDutyOrganizationConfiguration,
};

/// GuardDuty's largest page of `ListDetectors`.
const PAGE: i32 = 50;

/// The region's detectors, each with its status. No detector is a fact
/// (GuardDuty is off there): an empty list.
pub async fn detectors(
    ctx: &Ctx,
    client: &Client,
    region: &str,
) -> Result<Vec<GuardDutyDetector>, CollectError> {
    let ids = detector_ids(ctx, client, region).await?;
    try_join_all(ids.into_iter().map(|id| async move {
        let out = ctx
            .call(
                "guardduty:GetDetector",
                Some(region),
                client.get_detector().detector_id(&id).send(),
            )
            .await?;
        Ok(GuardDutyDetector {
            id,
            status: out.status.map(|s| s.as_str().to_string()),
            created_at: out.created_at,
            updated_at: out.updated_at,
        })
    }))
    .await
}

async fn detector_ids(
    ctx: &Ctx,
    client: &Client,
    region: &str,
) -> Result<Vec<String>, CollectError> {
    let pages = ctx
        .call(
            "guardduty:ListDetectors",
            Some(region),
            client
                .list_detectors()
                .into_paginator()
                .page_size(PAGE)
                .send()
                .try_collect(),
        )
        .await?;
    let mut ids: Vec<String> = pages
        .into_iter()
        .flat_map(|p| p.detector_ids.unwrap_or_default())
        .collect();
    ids.sort();
    Ok(ids)
}

/// The organization configuration of the delegated administrator's
/// detector in one region; `None` when it has no detector there (it then
/// enables nobody).
pub async fn organization(ctx: &Ctx, client: &Client, region: &str) -> GuardDutyOrganization {
    let (detector_id, configuration) = match detector_ids(ctx, client, region).await {
        Err(e) => (None, Err(e)),
        Ok(ids) => match ids.into_iter().next() {
            None => (None, Ok(None)),
            Some(id) => {
                let configuration = ctx
                    .call(
                        "guardduty:DescribeOrganizationConfiguration",
                        Some(region),
                        client
                            .describe_organization_configuration()
                            .detector_id(&id)
                            .send(),
                    )
                    .await
                    .map(|out| {
                        Some(GuardDutyOrganizationConfiguration {
                            auto_enable_organization_members: out
                                .auto_enable_organization_members
                                .map(|m| m.as_str().to_string()),
                            member_account_limit_reached: out.member_account_limit_reached,
                        })
                    });
                (Some(id), configuration)
            }
        },
    };
    GuardDutyOrganization {
        region: region.to_string(),
        detector_id,
        configuration: section(configuration),
    }
}
