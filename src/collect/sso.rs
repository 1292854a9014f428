//! sso-admin: IAM Identity Center instances and their permission sets with
//! attached managed policies. Read in the management account.

use aws_sdk_ssoadmin::Client;
use futures::future::try_join_all;

use super::context::Ctx;
use crate::snapshot::{
    CollectError, IdentityCenter, IdentityCenterInstance, PermissionSet, PolicyRef,
};

/// sso-admin's largest page.
const PAGE: i32 = 100;

/// Instances found in any of the audited regions (an instance lives in one
/// region), each with its permission sets.
pub async fn collect<F>(
    ctx: &Ctx,
    regions: &[String],
    client_for: F,
) -> Result<IdentityCenter, CollectError>
where
    F: Fn(&str) -> Client,
{
    let per_region = try_join_all(regions.iter().map(|region| {
        let client = client_for(region);
        async move { instances(ctx, &client, region).await }
    }))
    .await?;
    let mut instances: Vec<IdentityCenterInstance> = per_region.into_iter().flatten().collect();
    instances.sort_by(|a, b| a.arn.cmp(&b.arn));
    instances.dedup_by(|a, b| a.arn == b.arn);
    Ok(IdentityCenter { instances })
}

async fn instances(
    ctx: &Ctx,
    client: &Client,
    region: &str,
) -> Result<Vec<IdentityCenterInstance>, CollectError> {
    let r = Some(region);
    let listed = ctx
        .call(
            "sso:ListInstances",
            r,
            client
                .list_instances()
                .into_paginator()
                .page_size(PAGE)
                .items()
                .send()
                .try_collect(),
        )
        .await?;
    try_join_all(listed.into_iter().map(|i| async move {
        let arn = i.instance_arn.unwrap_or_default();
        let sets = ctx
            .call(
                "sso:ListPermissionSets",
                r,
                client
                    .list_permission_sets()
                    .instance_arn(&arn)
                    .into_paginator()
                    .page_size(PAGE)
                    .items()
                    .send()
                    .try_collect(),
            )
            .await?;
        let permission_sets = try_join_all(sets.into_iter().map(|set_arn| {
            let arn = arn.as_str();
            async move { permission_set(ctx, client, region, arn, set_arn).await }
        }))
        .await?;
        Ok(IdentityCenterInstance {
            arn,
            identity_store_id: i.identity_store_id,
            owner_account_id: i.owner_account_id,
            name: i.name,
            status: i.status.map(|s| s.as_str().to_string()),
            permission_sets,
        })
    }))
    .await
}

async fn permission_set(
    ctx: &Ctx,
    client: &Client,
    region: &str,
    instance_arn: &str,
    set_arn: String,
) -> Result<PermissionSet, CollectError> {
    let r = Some(region);
    let (described, policies) = futures::try_join!(
        ctx.call(
            "sso:DescribePermissionSet",
            r,
            client
                .describe_permission_set()
                .instance_arn(instance_arn)
                .permission_set_arn(&set_arn)
                .send(),
        ),
        ctx.call(
            "sso:ListManagedPoliciesInPermissionSet",
            r,
            client
                .list_managed_policies_in_permission_set()
                .instance_arn(instance_arn)
                .permission_set_arn(&set_arn)
                .into_paginator()
                .page_size(PAGE)
                .items()
                .send()
                .try_collect(),
        ),
    )?;
    let set = described.permission_set;
    Ok(PermissionSet {
        arn: set_arn,
        name: set
            .as_ref()
            .and_then(|s| s.name.clone())
            .unwrap_or_default(),
        description: set.as_ref().and_then(|s| s.description.clone()),
        session_duration: set.as_ref().and_then(|s| s.session_duration.clone()),
        managed_policies: policies
            .into_iter()
            .map(|p| PolicyRef {
                name: p.name.unwrap_or_default(),
                arn: p.arn.unwrap_or_default(),
            })
            .collect(),
    })
}
