//! securityhub, per region: the account's hub (`DescribeHub`).

use aws_sdk_securityhub::Client;

use super::context::Ctx;
use crate::snapshot::{CollectError, SecurityHub};

/// Answers that mean "Security Hub is not enabled here", a fact: the
/// account is not subscribed (`InvalidAccessException`).
const NOT_ENABLED: &[&str] = &["InvalidAccessException"];

/// The region's hub; `None` when Security Hub is not enabled there.
pub async fn hub(
    ctx: &Ctx,
    client: &Client,
    region: &str,
) -> Result<Option<SecurityHub>, CollectError> {
    match ctx
        .call(
            "securityhub:DescribeHub",
            Some(region),
            client.describe_hub().send(),
        )
        .await
    {
        Ok(out) => Ok(Some(SecurityHub {
            hub_arn: out.hub_arn.unwrap_or_default(),
            subscribed_at: out.subscribed_at,
            auto_enable_controls: out.auto_enable_controls,
        })),
        Err(e) if NOT_ENABLED.contains(&e.code.as_str()) => Ok(None),
        Err(e) => Err(e),
    }
}
