//! ec2, per region: whether EBS encryption by default is on
//! (`GetEbsEncryptionByDefault`). One call per account and audited region.
//!
//! This one EC2 read is made without the EC2 SDK crate (by far the largest
//! SDK crate, for a single Get): a request in EC2's Query protocol
//! (`Action=GetEbsEncryptionByDefault&Version=2016-11-15`, form-encoded)
//! run by the SDK's own orchestrator with the account's `SdkConfig`: its
//! credentials and identity cache, HTTP client, timeouts, retry settings and
//! endpoint settings, and the interceptors of every other client (operation
//! recorder, body limit, throttling retries). Each attempt is signed with
//! SigV4 (service `ec2`) as it is sent. The answer and EC2's error shape
//! (`<Response><Errors><Error><Code>…`) are read with the SDK's XML reader;
//! an answer that cannot be read is an error, never a guess.

use aws_config::SdkConfig;
use aws_sigv4::http_request::{
    sign, SignableBody, SignableRequest, SigningParams as HttpSigningParams, SigningSettings,
};
use aws_sigv4::sign::v4::SigningParams;
use aws_smithy_runtime::client::orchestrator::operation::Operation;
use aws_smithy_runtime::client::retries::classifiers::{
    HttpStatusCodeClassifier, TransientErrorClassifier,
};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::auth::static_resolver::StaticAuthSchemeOptionResolver;
use aws_smithy_runtime_api::client::auth::{
    AuthScheme, AuthSchemeEndpointConfig, AuthSchemeId, AuthSchemeOptionResolverParams, Sign,
};
use aws_smithy_runtime_api::client::identity::{Identity, SharedIdentityResolver};
use aws_smithy_runtime_api::client::interceptors::context::InterceptorContext;
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse, OrchestratorError};
use aws_smithy_runtime_api::client::retries::classifiers::{
    ClassifyRetry, RetryAction, RetryClassifierPriority,
};
use aws_smithy_runtime_api::client::runtime_components::{
    GetIdentityResolver, RuntimeComponents, RuntimeComponentsBuilder,
};
use aws_smithy_runtime_api::client::runtime_plugin::StaticRuntimePlugin;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::config_bag::{ConfigBag, Layer};
use aws_smithy_types::error::ErrorMetadata;
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::timeout::TimeoutConfig;
use aws_smithy_xml::decode::{try_data, Document, ScopedDecoder};

use super::context::Ctx;
use super::recorder::OperationRecorder;
use crate::snapshot::CollectError;

/// The request body: the operation and EC2's API version.
const BODY: &str = "Action=GetEbsEncryptionByDefault&Version=2016-11-15";

/// EC2's error codes that mean "slow down" (retried as throttling).
const THROTTLING: &[&str] = &[
    "RequestLimitExceeded",
    "Throttling",
    "EC2ThrottledException",
];

/// The SigV4 auth scheme of this client.
const SIGV4: AuthSchemeId = AuthSchemeId::new("sigv4");

/// EC2 in one region of one account.
#[derive(Clone, Debug)]
pub struct Client {
    operation: Operation<(), bool, ErrorMetadata>,
}

impl Client {
    /// A client for `region` with the settings and credentials of `config`
    /// and the interceptors every scan client has.
    pub fn new(config: &SdkConfig, region: &str, recorder: &OperationRecorder) -> Client {
        let mut builder = Operation::builder()
            .service_name("EC2")
            .operation_name("GetEbsEncryptionByDefault")
            .endpoint_url(&endpoint(config, region))
            .timeout_config(
                config
                    .timeout_config()
                    .cloned()
                    .unwrap_or_else(TimeoutConfig::disabled),
            )
            .standard_retry(
                &config
                    .retry_config()
                    .cloned()
                    .unwrap_or_else(RetryConfig::standard),
            )
            .retry_classifier(TransientErrorClassifier::<ErrorMetadata>::new())
            .retry_classifier(HttpStatusCodeClassifier::default())
            .retry_classifier(ThrottlingCodes)
            .interceptor(recorder.clone())
            .interceptor(super::body_limit::BodyLimit::default())
            .interceptor(super::retry::ThrottlingRetries)
            .runtime_plugin(signing(config, region))
            .runtime_plugin(retry_partition())
            .serializer(|()| request())
            .deserializer(parse);
        if let Some(client) = config.http_client() {
            builder = builder.http_client(client);
        }
        if let Some(sleep) = config.sleep_impl() {
            builder = builder.sleep_impl(sleep);
        }
        if let Some(time) = config.time_source() {
            builder = builder.time_source(time);
        }
        if let Some(version) = config.behavior_version() {
            builder = builder.behavior_version(version);
        }
        if let Some(protection) = config.stalled_stream_protection() {
            builder = builder.stalled_stream_protection(protection);
        }
        Client {
            operation: builder.build(),
        }
    }
}

/// Whether EBS encryption by default is on in the region.
pub async fn ebs_encryption_by_default(
    ctx: &Ctx,
    client: &Client,
    region: &str,
) -> Result<bool, CollectError> {
    ctx.call(
        "ec2:GetEbsEncryptionByDefault",
        Some(region),
        client.operation.invoke(()),
    )
    .await
}

/// The region's EC2 endpoint: the configured one (the scan's endpoint
/// option, `AWS_ENDPOINT_URL_EC2`, `AWS_ENDPOINT_URL` or the profile's, as
/// the SDK clients take theirs), else AWS's for the region and its
/// partition, honouring the FIPS and dual-stack settings.
fn endpoint(config: &SdkConfig, region: &str) -> String {
    if let Some(url) = super::settings::endpoint_url(config, "EC2") {
        return url;
    }
    let cn = region.starts_with("cn-");
    let fips = if config.use_fips() == Some(true) {
        "-fips"
    } else {
        ""
    };
    let suffix = match (config.use_dual_stack() == Some(true), cn) {
        (true, true) => "api.amazonwebservices.com.cn",
        (true, false) => "api.aws",
        (false, true) => "amazonaws.com.cn",
        (false, false) => "amazonaws.com",
    };
    format!("https://ec2{fips}.{region}.{suffix}")
}

/// The unsigned request; the signer adds the signature headers.
fn request() -> Result<HttpRequest, BoxError> {
    let mut request = HttpRequest::new(SdkBody::from(BODY));
    request.set_method("POST")?;
    request.set_uri("/")?;
    let headers = request.headers_mut();
    headers.insert(
        "content-type",
        "application/x-www-form-urlencoded; charset=utf-8",
    );
    headers.insert("content-length", BODY.len().to_string());
    Ok(request)
}

/// `true` or `false` from a 2xx answer; EC2's error otherwise.
fn parse(response: &HttpResponse) -> Result<bool, OrchestratorError<ErrorMetadata>> {
    let body = response.body().bytes().unwrap_or_default();
    let text = std::str::from_utf8(body).map_err(|_| {
        OrchestratorError::response("the answer is not UTF-8 text".to_string().into())
    });
    if !response.status().is_success() {
        // Not EC2's error document (a proxy's or a load balancer's page):
        // an error without a code, named by its HTTP status.
        let error = text
            .ok()
            .and_then(|t| error_of(t).ok())
            .unwrap_or_else(|| ErrorMetadata::builder().build());
        return Err(OrchestratorError::operation(error));
    }
    let value = text.and_then(|t| {
        value_of(t).map_err(|why| {
            OrchestratorError::response(
                format!("GetEbsEncryptionByDefault answered without a readable setting: {why}")
                    .into(),
            )
        })
    })?;
    Ok(value)
}

/// `<GetEbsEncryptionByDefaultResponse><ebsEncryptionByDefault>` of a
/// successful answer: `true` or `false`, exactly.
fn value_of(text: &str) -> Result<bool, String> {
    let mut doc = Document::new(text);
    let mut root = doc.root_element().map_err(|e| e.to_string())?;
    if !root.start_el().matches("GetEbsEncryptionByDefaultResponse") {
        return Err(format!("unexpected document <{}>", root.start_el().local()));
    }
    let mut found = None;
    while let Some(mut tag) = root.next_tag() {
        if tag.start_el().matches("ebsEncryptionByDefault") {
            if found.is_some() {
                return Err("ebsEncryptionByDefault is given twice".to_string());
            }
            let data = try_data(&mut tag).map_err(|e| e.to_string())?;
            found = Some(match data.trim() {
                "true" => true,
                "false" => false,
                other => {
                    return Err(format!(
                        "ebsEncryptionByDefault is `{}`, not true or false",
                        other.chars().take(20).collect::<String>()
                    ))
                }
            });
        }
    }
    found.ok_or_else(|| "no ebsEncryptionByDefault element".to_string())
}

/// EC2's error document: `<Response><Errors><Error><Code>` and `<Message>`
/// of its first error.
fn error_of(text: &str) -> Result<ErrorMetadata, String> {
    let mut doc = Document::new(text);
    let mut root = doc.root_element().map_err(|e| e.to_string())?;
    if !root.start_el().matches("Response") {
        return Err("not an EC2 error document".to_string());
    }
    while let Some(mut errors) = root.next_tag() {
        if !errors.start_el().matches("Errors") {
            continue;
        }
        while let Some(mut error) = errors.next_tag() {
            if error.start_el().matches("Error") {
                return first_error(&mut error);
            }
        }
    }
    Err("no Error element".to_string())
}

fn first_error(error: &mut ScopedDecoder<'_, '_>) -> Result<ErrorMetadata, String> {
    let mut out = ErrorMetadata::builder();
    let mut code = false;
    while let Some(mut field) = error.next_tag() {
        if field.start_el().matches("Code") {
            let value = try_data(&mut field).map_err(|e| e.to_string())?;
            let value = value.trim();
            if value.is_empty() {
                return Err("an empty error code".to_string());
            }
            out = out.code(value);
            code = true;
        } else if field.start_el().matches("Message") {
            out = out.message(try_data(&mut field).map_err(|e| e.to_string())?);
        }
    }
    if !code {
        return Err("an error without a code".to_string());
    }
    Ok(out.build())
}

/// Classifies EC2's throttling codes as throttling, so that they get the
/// attempts of throttling ([`super::retry`]). Runs after the status code
/// classifier (EC2 throttles with HTTP 503).
#[derive(Debug)]
struct ThrottlingCodes;

impl ClassifyRetry for ThrottlingCodes {
    fn classify_retry(&self, ctx: &InterceptorContext) -> RetryAction {
        let code = ctx
            .output_or_error()
            .and_then(|r| r.err())
            .and_then(|e| e.as_operation_error())
            .and_then(|e| e.downcast_ref::<ErrorMetadata>())
            .and_then(|e| e.code());
        match code {
            Some(code) if THROTTLING.contains(&code) => RetryAction::throttling_error(),
            _ => RetryAction::NoActionIndicated,
        }
    }

    fn name(&self) -> &'static str {
        "EC2 throttling codes"
    }

    fn priority(&self) -> RetryClassifierPriority {
        RetryClassifierPriority::run_after(RetryClassifierPriority::transient_error_classifier())
    }
}

/// SigV4 for `ec2` in `region` with the credentials of `config`, resolved
/// through its identity cache.
/// The client's own retry quota, as every scan client has
/// ([`super::retry::partition`]).
fn retry_partition() -> StaticRuntimePlugin {
    let mut layer = Layer::new("ec2 retry partition");
    layer.store_put(super::retry::partition("ec2"));
    StaticRuntimePlugin::new().with_config(layer.freeze())
}

fn signing(config: &SdkConfig, region: &str) -> StaticRuntimePlugin {
    let mut components = RuntimeComponentsBuilder::new("ec2 sigv4")
        .with_auth_scheme_option_resolver(Some(StaticAuthSchemeOptionResolver::new(vec![SIGV4])))
        .with_auth_scheme(SigV4 {
            signer: Signer {
                region: region.to_string(),
            },
        });
    if let Some(provider) = config.credentials_provider() {
        components.set_identity_resolver(SIGV4, provider);
    }
    if let Some(cache) = config.identity_cache() {
        components.set_identity_cache(Some(cache));
    }
    let mut layer = Layer::new("ec2 sigv4");
    layer.store_put(AuthSchemeOptionResolverParams::new(()));
    StaticRuntimePlugin::new()
        .with_config(layer.freeze())
        .with_runtime_components(components)
}

#[derive(Debug)]
struct SigV4 {
    signer: Signer,
}

impl AuthScheme for SigV4 {
    fn scheme_id(&self) -> AuthSchemeId {
        SIGV4
    }

    fn identity_resolver(
        &self,
        identity_resolvers: &dyn GetIdentityResolver,
    ) -> Option<SharedIdentityResolver> {
        identity_resolvers.identity_resolver(SIGV4)
    }

    fn signer(&self) -> &dyn Sign {
        &self.signer
    }
}

/// Signs each attempt in its headers (`authorization`, `x-amz-date`,
/// `x-amz-security-token`), marked sensitive, at the time source's now.
#[derive(Debug)]
struct Signer {
    region: String,
}

impl Sign for Signer {
    fn sign_http_request(
        &self,
        request: &mut HttpRequest,
        identity: &Identity,
        _auth_scheme_endpoint_config: AuthSchemeEndpointConfig<'_>,
        runtime_components: &RuntimeComponents,
        _config_bag: &ConfigBag,
    ) -> Result<(), BoxError> {
        let time = runtime_components
            .time_source()
            .ok_or("no time source to sign with")?
            .now();
        let params: HttpSigningParams<'_> = SigningParams::builder()
            .identity(identity)
            .region(&self.region)
            .name("ec2")
            .time(time)
            .settings(SigningSettings::default())
            .build()?
            .into();
        let body = request
            .body()
            .bytes()
            .ok_or("the request body is streamed")?;
        let signable = SignableRequest::new(
            request.method(),
            request.uri(),
            request.headers().iter(),
            SignableBody::Bytes(body),
        )?;
        let (instructions, _signature) = sign(signable, &params)?.into_parts();
        let (headers, _query) = instructions.into_parts();
        for header in headers {
            let mut value = http::HeaderValue::from_str(header.value())?;
            value.set_sensitive(header.sensitive());
            request.headers_mut().insert(header.name(), value);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_setting_is_read_exactly() {
        let ok = |v: &str| {
            format!(
                "<GetEbsEncryptionByDefaultResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">\
                 <requestId>r</requestId><ebsEncryptionByDefault>{v}</ebsEncryptionByDefault>\
                 <sseType>sse-ebs</sseType></GetEbsEncryptionByDefaultResponse>"
            )
        };
        assert_eq!(value_of(&ok("true")), Ok(true));
        assert_eq!(value_of(&ok("false")), Ok(false));
        assert!(value_of(&ok("yes"))
            .unwrap_err()
            .contains("not true or false"));
        assert!(value_of(&ok("")).is_err());
        assert!(value_of("<GetEbsEncryptionByDefaultResponse/>").is_err());
        assert!(
            value_of("<Other><ebsEncryptionByDefault>true</ebsEncryptionByDefault></Other>")
                .is_err()
        );
        assert!(value_of("<html>oops").is_err());
        assert!(value_of("").is_err());
    }

    #[test]
    fn errors_are_read_with_their_code() {
        let e = error_of(
            "<Response><Errors><Error><Code>UnauthorizedOperation</Code>\
             <Message>You are not authorized to perform this operation.</Message>\
             </Error></Errors><RequestID>r</RequestID></Response>",
        )
        .unwrap();
        assert_eq!(e.code(), Some("UnauthorizedOperation"));
        assert_eq!(
            e.message(),
            Some("You are not authorized to perform this operation.")
        );
        assert!(error_of(
            "<Response><Errors><Error><Message>m</Message></Error></Errors></Response>"
        )
        .is_err());
        assert!(error_of("<html><body>502</body></html>").is_err());
    }

    #[test]
    fn endpoints_by_partition() {
        let config = SdkConfig::builder().build();
        assert_eq!(
            endpoint(&config, "eu-west-1"),
            "https://ec2.eu-west-1.amazonaws.com"
        );
        assert_eq!(
            endpoint(&config, "cn-north-1"),
            "https://ec2.cn-north-1.amazonaws.com.cn"
        );
        let given = SdkConfig::builder()
            .endpoint_url("http://127.0.0.1:5000")
            .build();
        assert_eq!(endpoint(&given, "eu-west-1"), "http://127.0.0.1:5000");
    }
}
