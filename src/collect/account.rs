//! account: alternate contacts (read inside each account) and enabled regions.

use aws_sdk_account::types::{AlternateContactType, RegionOptStatus};
use aws_sdk_account::Client;

use super::context::Ctx;
use crate::snapshot::{AlternateContact, AlternateContacts, CollectError};

/// `account:GetAlternateContact` for BILLING, OPERATIONS and SECURITY; an
/// unset contact (`ResourceNotFoundException`) is `None`.
pub async fn alternate_contacts(
    ctx: &Ctx,
    client: &Client,
) -> Result<AlternateContacts, CollectError> {
    let (billing, operations, security) = futures::try_join!(
        contact(ctx, client, AlternateContactType::Billing),
        contact(ctx, client, AlternateContactType::Operations),
        contact(ctx, client, AlternateContactType::Security),
    )?;
    Ok(AlternateContacts {
        billing,
        operations,
        security,
    })
}

async fn contact(
    ctx: &Ctx,
    client: &Client,
    kind: AlternateContactType,
) -> Result<Option<AlternateContact>, CollectError> {
    match ctx
        .call(
            "account:GetAlternateContact",
            None,
            client
                .get_alternate_contact()
                .alternate_contact_type(kind)
                .send(),
        )
        .await
    {
        Ok(out) => Ok(out.alternate_contact.map(|c| AlternateContact {
            name: c.name,
            title: c.title,
            email_address: c.email_address,
            phone_number: c.phone_number,
        })),
        Err(e) if e.code == "ResourceNotFoundException" => Ok(None),
        Err(e) => Err(e),
    }
}

/// `account:ListRegions`: the regions enabled in the account, sorted.
pub async fn enabled_regions(ctx: &Ctx, client: &Client) -> Result<Vec<String>, CollectError> {
    let regions = ctx
        .call(
            "account:ListRegions",
            None,
            client
                .list_regions()
                .region_opt_status_contains(RegionOptStatus::Enabled)
                .region_opt_status_contains(RegionOptStatus::EnabledByDefault)
                .into_paginator()
                .page_size(50)
                .items()
                .send()
                .try_collect(),
        )
        .await?;
    let mut names: Vec<String> = regions.into_iter().filter_map(|r| r.region_name).collect();
    names.sort();
    names.dedup();
    Ok(names)
}
