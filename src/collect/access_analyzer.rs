//! access-analyzer, per region: the account's IAM Access Analyzers
//! (`ListAnalyzers`). Read in the management account and in IAM Access
//! Analyzer's delegated administrator, where organization analyzers live.

use aws_sdk_accessanalyzer::Client;

use super::context::{ts, Ctx};
use crate::snapshot::{Analyzer, CollectError};

/// The region's analyzers, of every type. None is a fact: an empty list.
pub async fn analyzers(
    ctx: &Ctx,
    client: &Client,
    region: &str,
) -> Result<Vec<Analyzer>, CollectError> {
    let pages = ctx
        .call(
            "access-analyzer:ListAnalyzers",
            Some(region),
            client
                .list_analyzers()
                .into_paginator()
                .send()
                .try_collect(),
        )
        .await?;
    let mut out: Vec<Analyzer> = pages
        .into_iter()
        .flat_map(|p| p.analyzers)
        .map(|a| Analyzer {
            arn: a.arn,
            name: a.name,
            analyzer_type: a.r#type.as_str().to_string(),
            status: a.status.as_str().to_string(),
            created_at: ts(Some(&a.created_at)),
        })
        .collect();
    out.sort_by(|a, b| a.arn.cmp(&b.arn));
    Ok(out)
}
