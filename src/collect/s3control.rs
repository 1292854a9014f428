//! s3control: the account-level S3 Block Public Access settings
//! (`GetPublicAccessBlock`), read in every account. One call per account.

use aws_sdk_s3control::config::endpoint::{DefaultResolver, Params, ResolveEndpoint};
use aws_smithy_runtime_api::client::endpoint::EndpointFuture;

use super::context::Ctx;
use crate::snapshot::{CollectError, PublicAccessBlock};

/// The answer that means "no setting", a fact: none of the four blocks is on.
const NO_CONFIGURATION: &str = "NoSuchPublicAccessBlockConfiguration";

/// The account's settings; `None` when it has none.
pub async fn public_access_block(
    ctx: &Ctx,
    client: &aws_sdk_s3control::Client,
    account_id: &str,
) -> Result<Option<PublicAccessBlock>, CollectError> {
    let out = ctx
        .call(
            "s3control:GetPublicAccessBlock",
            None,
            client
                .get_public_access_block()
                .account_id(account_id)
                .send(),
        )
        .await;
    match out {
        Ok(out) => Ok(Some(
            out.public_access_block_configuration
                .map(|c| PublicAccessBlock {
                    block_public_acls: c.block_public_acls,
                    ignore_public_acls: c.ignore_public_acls,
                    block_public_policy: c.block_public_policy,
                    restrict_public_buckets: c.restrict_public_buckets,
                })
                .unwrap_or_default(),
        )),
        Err(e) if e.code == NO_CONFIGURATION => Ok(None),
        Err(e) => Err(e),
    }
}

/// S3 Control's endpoint rules put the account id in front of the host
/// (`123456789012.s3-control.us-east-1.amazonaws.com`), a configured
/// endpoint's too. An endpoint on an IP address or `localhost` (an
/// emulator) cannot carry it: there the configured URL is used as it is;
/// the request still names the account in its `x-amz-account-id` header.
#[derive(Debug, Default)]
pub struct EndpointResolver(DefaultResolver);

impl ResolveEndpoint for EndpointResolver {
    fn resolve_endpoint<'a>(&'a self, params: &'a Params) -> EndpointFuture<'a> {
        let resolved = self.0.resolve_endpoint(params);
        match params.endpoint().filter(|url| is_local(url)) {
            Some(url) => {
                let url = url.to_string();
                EndpointFuture::new(async move {
                    resolved.await.map(|e| e.into_builder().url(url).build())
                })
            }
            None => resolved,
        }
    }
}

/// Whether the URL's host is an IP address or `localhost`.
fn is_local(url: &str) -> bool {
    let Ok(uri) = url.parse::<http::Uri>() else {
        return false;
    };
    let Some(host) = uri.host() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_hosts() {
        assert!(is_local("http://127.0.0.1:5000"));
        assert!(is_local("http://[::1]:5000/"));
        assert!(is_local("http://localhost:4566"));
        assert!(!is_local("https://s3-control.example.com"));
        assert!(!is_local("not a url"));
    }
}
