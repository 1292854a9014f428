//! organizations: the organization, its roots, the OU tree with paths, and the
//! accounts with their parents. Read with the caller's credentials.

use aws_sdk_organizations::Client;
use futures::future::try_join_all;

use super::context::{ts, Ctx};
use crate::snapshot::{
    CollectError, DelegatedAdministrator, Organization, OrganizationAccount, OrganizationRoot,
    OrganizationalUnit,
};

/// `organizations:DescribeOrganization`, with the SDK error kept so the scan
/// can tell "denied" and "not in an organization" apart.
pub async fn describe(ctx: &Ctx, client: &Client) -> Result<Organization, CollectError> {
    let out = ctx
        .call(
            "organizations:DescribeOrganization",
            None,
            client.describe_organization().send(),
        )
        .await?;
    let Some(org) = out.organization else {
        return Err(CollectError {
            operation: "organizations:DescribeOrganization".to_string(),
            code: "InvalidResponse".to_string(),
            message: "the response has no organization".to_string(),
            region: None,
        });
    };
    Ok(Organization {
        id: org.id.unwrap_or_default(),
        arn: org.arn.unwrap_or_default(),
        feature_set: org
            .feature_set
            .map(|f| f.as_str().to_string())
            .unwrap_or_default(),
        management_account_id: org.master_account_id.unwrap_or_default(),
        management_account_arn: org.master_account_arn,
        management_account_email: org.master_account_email,
        roots: Vec::new(),
        organizational_units: Vec::new(),
        accounts: None,
    })
}

/// Fills the roots and the OU tree of `org`, and lists every account with
/// its parent: `ListRoots`, then per parent `ListOrganizationalUnitsForParent`
/// and `ListAccountsForParent`, one tree level at a time.
pub async fn tree(
    ctx: &Ctx,
    client: &Client,
    org: &mut Organization,
) -> Result<Vec<OrganizationAccount>, CollectError> {
    let roots = ctx
        .call(
            "organizations:ListRoots",
            None,
            client
                .list_roots()
                .into_paginator()
                .page_size(20)
                .send()
                .try_collect(),
        )
        .await?;
    org.roots = roots
        .iter()
        .flat_map(|p| p.roots())
        .map(|r| OrganizationRoot {
            id: r.id.clone().unwrap_or_default(),
            arn: r.arn.clone().unwrap_or_default(),
            name: r.name.clone().unwrap_or_default(),
            policy_types: r
                .policy_types()
                .iter()
                .filter(|p| p.status.as_ref().map(|s| s.as_str()) == Some("ENABLED"))
                .filter_map(|p| p.r#type.as_ref().map(|t| t.as_str().to_string()))
                .collect(),
        })
        .collect();

    // (parent id, parent path) pairs of the current level.
    let mut level: Vec<(String, String)> = org
        .roots
        .iter()
        .map(|r| (r.id.clone(), r.name.clone()))
        .collect();
    let mut accounts = Vec::new();
    while !level.is_empty() {
        let children = try_join_all(
            level
                .iter()
                .map(|(id, path)| children(ctx, client, id, path)),
        )
        .await?;
        let mut next = Vec::new();
        for (ous, accs) in children {
            for ou in &ous {
                next.push((ou.id.clone(), ou.path.clone()));
            }
            org.organizational_units.extend(ous);
            accounts.extend(accs);
        }
        level = next;
    }
    org.organizational_units.sort_by(|a, b| a.path.cmp(&b.path));
    accounts.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(accounts)
}

async fn children(
    ctx: &Ctx,
    client: &Client,
    parent_id: &str,
    parent_path: &str,
) -> Result<(Vec<OrganizationalUnit>, Vec<OrganizationAccount>), CollectError> {
    let ous = ctx.call(
        "organizations:ListOrganizationalUnitsForParent",
        None,
        client
            .list_organizational_units_for_parent()
            .parent_id(parent_id)
            .into_paginator()
            .page_size(20)
            .send()
            .try_collect(),
    );
    let accounts = ctx.call(
        "organizations:ListAccountsForParent",
        None,
        client
            .list_accounts_for_parent()
            .parent_id(parent_id)
            .into_paginator()
            .page_size(20)
            .send()
            .try_collect(),
    );
    let (ous, accounts) = futures::try_join!(ous, accounts)?;
    let ous = ous
        .into_iter()
        .flat_map(|p| p.organizational_units.unwrap_or_default())
        .map(|ou| {
            let name = ou.name.unwrap_or_default();
            OrganizationalUnit {
                id: ou.id.unwrap_or_default(),
                arn: ou.arn.unwrap_or_default(),
                path: format!("{parent_path}/{name}"),
                name,
                parent_id: parent_id.to_string(),
            }
        })
        .collect();
    #[allow(deprecated)]
    let accounts = accounts
        .into_iter()
        .flat_map(|p| p.accounts.unwrap_or_default())
        .map(|a| OrganizationAccount {
            status: a
                .status
                .as_ref()
                .map(|s| s.as_str().to_string())
                .or_else(|| a.state.as_ref().map(|s| s.as_str().to_string()))
                .unwrap_or_default(),
            id: a.id.unwrap_or_default(),
            arn: a.arn.unwrap_or_default(),
            name: a.name.unwrap_or_default(),
            email: a.email.unwrap_or_default(),
            joined_method: a.joined_method.map(|m| m.as_str().to_string()),
            joined_timestamp: ts(a.joined_timestamp.as_ref()),
            parent_id: parent_id.to_string(),
            ou_path: parent_path.to_string(),
        })
        .collect();
    Ok((ous, accounts))
}

/// The service principals whose administrators a scan reads in.
pub const GUARDDUTY: &str = "guardduty.amazonaws.com";
pub const ACCESS_ANALYZER: &str = "access-analyzer.amazonaws.com";

/// Every delegated administrator of the organization and the services it
/// administers: `organizations:ListDelegatedAdministrators`, then
/// `ListDelegatedServicesForAccount` of each (an organization has a few):
/// one entry per account and service principal.
pub async fn delegated_administrators(
    ctx: &Ctx,
    client: &Client,
) -> Result<Vec<DelegatedAdministrator>, CollectError> {
    let pages = ctx
        .call(
            "organizations:ListDelegatedAdministrators",
            None,
            client
                .list_delegated_administrators()
                .into_paginator()
                .page_size(20)
                .send()
                .try_collect(),
        )
        .await?;
    let admins: Vec<_> = pages
        .into_iter()
        .flat_map(|p| p.delegated_administrators.unwrap_or_default())
        .collect();
    let per_account = try_join_all(admins.into_iter().map(|admin| async move {
        let id = admin.id.clone().unwrap_or_default();
        let pages = ctx
            .call(
                "organizations:ListDelegatedServicesForAccount",
                None,
                client
                    .list_delegated_services_for_account()
                    .account_id(&id)
                    .into_paginator()
                    .page_size(20)
                    .send()
                    .try_collect(),
            )
            .await?;
        Ok::<_, CollectError>(
            pages
                .into_iter()
                .flat_map(|p| p.delegated_services.unwrap_or_default())
                .map(|s| DelegatedAdministrator {
                    service_principal: s.service_principal.unwrap_or_default(),
                    account_id: id.clone(),
                    name: admin.name.clone(),
                    delegation_enabled_date: ts(s.delegation_enabled_date.as_ref()),
                })
                .collect::<Vec<_>>(),
        )
    }))
    .await?;
    let mut out: Vec<DelegatedAdministrator> = per_account.into_iter().flatten().collect();
    out.sort_by(|a, b| {
        (&a.service_principal, &a.account_id).cmp(&(&b.service_principal, &b.account_id))
    });
    Ok(out)
}
