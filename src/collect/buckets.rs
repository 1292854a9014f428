//! s3: the buckets an account owns (`s3:ListBuckets`). Read in the
//! management account only, to tell whether a log destination is one of its
//! own buckets or another account's (a log archive).

use aws_sdk_s3::Client;

use super::context::{ts, Ctx};
use crate::snapshot::{Bucket, CollectError};

/// S3's largest page of `ListBuckets`.
const PAGE: i32 = 10_000;

/// Every bucket the caller's account owns, by name.
pub async fn collect(ctx: &Ctx, client: &Client) -> Result<Vec<Bucket>, CollectError> {
    let pages = ctx
        .call(
            "s3:ListBuckets",
            None,
            client
                .list_buckets()
                .max_buckets(PAGE)
                .into_paginator()
                .send()
                .try_collect(),
        )
        .await?;
    let mut buckets: Vec<Bucket> = pages
        .into_iter()
        .flat_map(|p| p.buckets.unwrap_or_default())
        .map(|b| Bucket {
            name: b.name.unwrap_or_default(),
            region: b.bucket_region,
            creation_date: ts(b.creation_date.as_ref()),
        })
        .collect();
    buckets.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(buckets)
}
