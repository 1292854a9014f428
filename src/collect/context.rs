//! What every collector shares: the bound on in-flight calls, and the mapping
//! of SDK errors into [`CollectError`]s.

use std::future::Future;
use std::sync::Arc;

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use tokio::sync::Semaphore;

use crate::snapshot::CollectError;

/// Shared by every collector of a scan.
#[derive(Clone, Debug)]
pub struct Ctx {
    calls: Arc<Semaphore>,
}

impl Ctx {
    /// A context allowing `max_in_flight` concurrent API calls.
    pub fn new(max_in_flight: usize) -> Self {
        Ctx {
            calls: Arc::new(Semaphore::new(max_in_flight.max(1))),
        }
    }

    /// Runs one API call (or one paginated listing) under the in-flight bound
    /// and maps its error. `op` is `service:Operation`.
    pub async fn call<T, E, F>(
        &self,
        op: &str,
        region: Option<&str>,
        request: F,
    ) -> Result<T, CollectError>
    where
        F: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        // The future is lazy: nothing is sent before the permit is held.
        let _permit = self.calls.acquire().await.expect("semaphore never closed");
        request.await.map_err(|e| collect_error(op, region, &e))
    }
}

/// Maps an SDK error into a [`CollectError`]: the AWS error code when the
/// service answered with one, else a transport class (`Timeout`,
/// `ConnectionError`, `ServiceError`, `ResponseError`, `ClientError`).
pub fn collect_error<E>(
    op: &str,
    region: Option<&str>,
    err: &SdkError<E, HttpResponse>,
) -> CollectError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let (code, message) = match err {
        _ if super::body_limit::too_large(err).is_some() => (
            "ResponseTooLarge".to_string(),
            super::body_limit::too_large(err)
                .map(|e| e.to_string())
                .unwrap_or_default(),
        ),
        SdkError::ServiceError(ctx) => {
            let status = ctx.raw().status().as_u16();
            match ctx.err().code() {
                Some(code) => (
                    code.to_string(),
                    ctx.err().message().unwrap_or_default().to_string(),
                ),
                None => (
                    "ServiceError".to_string(),
                    format!("HTTP {status} without an AWS error code"),
                ),
            }
        }
        SdkError::TimeoutError(_) => (
            "Timeout".to_string(),
            "the call did not complete within the timeout".to_string(),
        ),
        SdkError::DispatchFailure(failure) => {
            let code = if failure.is_timeout() {
                "Timeout"
            } else {
                "ConnectionError"
            };
            // The SDK's text of this one dumps its whole request.
            let message = if error_chain(err).contains("failed to apply endpoint") {
                "the endpoint URL cannot be used".to_string()
            } else {
                error_chain(err)
            };
            (code.to_string(), message)
        }
        // An answer the SDK could not parse: a server error page (moto's
        // HTML 500 for unimplemented operations) or a malformed response.
        SdkError::ResponseError(ctx) if ctx.raw().status().is_server_error() => (
            "ServiceError".to_string(),
            format!(
                "HTTP {} without an AWS error code",
                ctx.raw().status().as_u16()
            ),
        ),
        // Another unparseable answer: keep its HTTP status (a 403 page
        // means a denial even when its body cannot be read).
        SdkError::ResponseError(ctx) => (
            "ResponseError".to_string(),
            format!("HTTP {}: {}", ctx.raw().status().as_u16(), error_chain(err)),
        ),
        _ => ("ClientError".to_string(), error_chain(err)),
    };
    CollectError {
        operation: op.to_string(),
        code,
        message: one_line(&message),
        region: region.map(str::to_string),
    }
}

/// The error's code when the service answered with one.
pub fn error_code<E: ProvideErrorMetadata>(err: &SdkError<E, HttpResponse>) -> Option<&str> {
    match err {
        SdkError::ServiceError(ctx) => ctx.err().code(),
        _ => None,
    }
}

/// An error and its causes, `: `-separated, each once: readable, with none
/// of the `Debug` dumps the SDK's own display appends.
pub fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = next {
        let text = e.to_string();
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = e.source();
    }
    parts.join(": ")
}

/// One line, bounded: messages go into tables and logs. URLs lose their
/// user name, password and query string, and a `credential_process`'s
/// standard error is dropped: either may hold a secret.
pub fn one_line(message: &str) -> String {
    let message = super::settings::redact_urls_in(message);
    let message = super::settings::without_process_stderr(&message);
    let line = message.split_whitespace().collect::<Vec<_>>().join(" ");
    const MAX: usize = 300;
    if line.chars().count() > MAX {
        let cut: String = line.chars().take(MAX).collect();
        format!("{cut}…")
    } else {
        line
    }
}

/// RFC 3339 text of an AWS timestamp.
pub fn ts(t: Option<&aws_smithy_types::DateTime>) -> Option<String> {
    t.and_then(|t| t.fmt(aws_smithy_types::date_time::Format::DateTime).ok())
}
