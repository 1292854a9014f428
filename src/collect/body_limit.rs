//! An SDK interceptor that caps the size of every HTTP response body: the
//! SDK reads a whole answer into memory before parsing it, so a server (or
//! something in the middle) that answers with an endless body would grow
//! the process without bound, whatever the timeout. Past the cap the call
//! fails with [`ResponseTooLarge`], recorded as an error of that operation.

use std::pin::Pin;
use std::task::{Context, Poll};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeDeserializationInterceptorContextMut;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::config_bag::ConfigBag;
use bytes::Bytes;

/// The largest response body read: far above any answer a scan expects (a
/// page of a listing, a credential report of thousands of users), far below
/// what would hurt the machine even with every concurrent call at the cap.
pub const MAX_RESPONSE_BYTES: u64 = 64 << 20;

/// The error of a call whose answer went past the cap.
#[derive(Debug, thiserror::Error)]
#[error("the response is larger than {} MiB, the limit for one AWS answer", .limit >> 20)]
pub struct ResponseTooLarge {
    pub limit: u64,
}

/// Caps every response body of the client it is added to.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit {
    limit: u64,
}

impl Default for BodyLimit {
    fn default() -> Self {
        BodyLimit {
            limit: MAX_RESPONSE_BYTES,
        }
    }
}

impl Intercept for BodyLimit {
    fn name(&self) -> &'static str {
        "BodyLimit"
    }

    fn modify_before_deserialization(
        &self,
        context: &mut BeforeDeserializationInterceptorContextMut<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let limit = self.limit;
        let announced = context
            .response()
            .headers()
            .get("content-length")
            .and_then(|v| v.parse::<u64>().ok());
        if announced.is_some_and(|n| n > limit) {
            return Err(ResponseTooLarge { limit }.into());
        }
        let body = context.response_mut().take_body();
        *context.response_mut().body_mut() = SdkBody::from_body_1_x(Capped {
            inner: Box::pin(body),
            seen: 0,
            limit,
        });
        Ok(())
    }
}

/// A body that fails once more than `limit` bytes went through it.
struct Capped {
    inner: Pin<Box<SdkBody>>,
    seen: u64,
    limit: u64,
}

impl http_body::Body for Capped {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, BoxError>>> {
        let this = self.get_mut();
        match this.inner.as_mut().poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    this.seen = this.seen.saturating_add(data.len() as u64);
                    if this.seen > this.limit {
                        let limit = this.limit;
                        return Poll::Ready(Some(Err(ResponseTooLarge { limit }.into())));
                    }
                }
                Poll::Ready(Some(Ok(frame)))
            }
            other => other,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        http_body::Body::size_hint(self.inner.as_ref().get_ref())
    }
}

/// Whether `err` (or one of its causes) is a [`ResponseTooLarge`].
pub fn too_large<'a>(err: &'a (dyn std::error::Error + 'static)) -> Option<&'a ResponseTooLarge> {
    let mut next = Some(err);
    while let Some(e) = next {
        if let Some(t) = e.downcast_ref::<ResponseTooLarge>() {
            return Some(t);
        }
        next = e.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    #[tokio::test]
    async fn a_body_past_the_limit_is_an_error() {
        let body = Capped {
            inner: Box::pin(SdkBody::from(vec![b'x'; 100])),
            seen: 0,
            limit: 99,
        };
        let Err(err) = body.collect().await else {
            panic!("a body past the limit was read");
        };
        assert!(too_large(err.as_ref()).is_some(), "{err}");
        let body = Capped {
            inner: Box::pin(SdkBody::from(vec![b'x'; 100])),
            seen: 0,
            limit: 100,
        };
        assert_eq!(body.collect().await.unwrap().to_bytes().len(), 100);
    }
}
