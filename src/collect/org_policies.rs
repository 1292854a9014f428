//! organizations policies: the service and resource control policies of the
//! organization, each with its document and the roots, OUs and accounts it
//! is attached to. Read in the management account.
//!
//! One listing per policy type, then per policy `DescribePolicy` (the
//! document) and `ListTargetsForPolicy` (its attachments): calls grow with
//! the number of policies, not with the number of accounts or OUs.

use aws_sdk_organizations::types::PolicyType;
use aws_sdk_organizations::Client;
use futures::future::try_join_all;

use super::context::Ctx;
use super::iam::section;
use crate::snapshot::{
    CollectError, OrganizationPolicies, OrganizationPolicy, PolicyDocument, PolicyTarget, Section,
};

/// Answers that mean "this policy type is off", a fact: the policies of a
/// type that is not enabled have no effect, so there are none to judge.
const POLICY_TYPE_OFF: &[&str] = &["PolicyTypeNotEnabledException"];

/// Both policy types. `enabled`: the policy types enabled on the root
/// (`ListRoots`); a type that is not is not collected (it has no effect).
pub async fn collect(ctx: &Ctx, client: &Client, enabled: &[String]) -> OrganizationPolicies {
    let (service_control, resource_control) = tokio::join!(
        of_type(ctx, client, PolicyType::ServiceControlPolicy, enabled),
        of_type(ctx, client, PolicyType::ResourceControlPolicy, enabled),
    );
    OrganizationPolicies {
        service_control,
        resource_control,
    }
}

async fn of_type(
    ctx: &Ctx,
    client: &Client,
    kind: PolicyType,
    enabled: &[String],
) -> Section<Vec<OrganizationPolicy>> {
    if !enabled.iter().any(|t| t == kind.as_str()) {
        return Section::not_collected(format!(
            "the {} policy type is not enabled on the organization's root",
            kind.as_str()
        ));
    }
    match policies(ctx, client, kind).await {
        Err(e) if POLICY_TYPE_OFF.contains(&e.code.as_str()) => Section::ok(Vec::new()),
        other => section(other),
    }
}

async fn policies(
    ctx: &Ctx,
    client: &Client,
    kind: PolicyType,
) -> Result<Vec<OrganizationPolicy>, CollectError> {
    let pages = ctx
        .call(
            "organizations:ListPolicies",
            None,
            client
                .list_policies()
                .filter(kind)
                .into_paginator()
                .page_size(20)
                .send()
                .try_collect(),
        )
        .await?;
    let summaries: Vec<_> = pages
        .into_iter()
        .flat_map(|p| p.policies.unwrap_or_default())
        .collect();
    let mut out = try_join_all(summaries.into_iter().map(|s| async move {
        let id = s.id.clone().unwrap_or_default();
        let (document, targets) =
            futures::try_join!(document(ctx, client, &id), targets(ctx, client, &id))?;
        Ok::<_, CollectError>(OrganizationPolicy {
            id,
            arn: s.arn.unwrap_or_default(),
            name: s.name.unwrap_or_default(),
            description: s.description.filter(|d| !d.is_empty()),
            aws_managed: s.aws_managed,
            document,
            targets,
        })
    }))
    .await?;
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(out)
}

/// `DescribePolicy`: the document, parsed; the raw text as a JSON string
/// when it is not JSON, so that the analysis reports the policy as
/// unreadable rather than guessing.
async fn document(ctx: &Ctx, client: &Client, id: &str) -> Result<PolicyDocument, CollectError> {
    let out = ctx
        .call(
            "organizations:DescribePolicy",
            None,
            client.describe_policy().policy_id(id).send(),
        )
        .await?;
    let Some(content) = out.policy.and_then(|p| p.content) else {
        return Err(CollectError {
            operation: "organizations:DescribePolicy".to_string(),
            code: "EmptyResponse".to_string(),
            message: format!("no policy content in the answer for {id}"),
            region: None,
        });
    };
    Ok(PolicyDocument::from_value(
        &crate::analysis::policy::decode_document(&content)
            .unwrap_or(serde_json::Value::String(content)),
    ))
}

/// `ListTargetsForPolicy`: every root, OU and account the policy is
/// attached to.
async fn targets(ctx: &Ctx, client: &Client, id: &str) -> Result<Vec<PolicyTarget>, CollectError> {
    let pages = ctx
        .call(
            "organizations:ListTargetsForPolicy",
            None,
            client
                .list_targets_for_policy()
                .policy_id(id)
                .into_paginator()
                .page_size(20)
                .send()
                .try_collect(),
        )
        .await?;
    let mut targets: Vec<PolicyTarget> = pages
        .into_iter()
        .flat_map(|p| p.targets.unwrap_or_default())
        .map(|t| PolicyTarget {
            target_id: t.target_id.unwrap_or_default(),
            arn: t.arn.unwrap_or_default(),
            name: t.name.unwrap_or_default(),
            target_type: t.r#type.map(|k| k.as_str().to_string()).unwrap_or_default(),
        })
        .collect();
    targets.sort_by(|a, b| a.target_id.cmp(&b.target_id));
    Ok(targets)
}
