//! Retries: throttling is retried longer than other errors.
//!
//! A throttled call is not a failure of the service: retried after a
//! backoff it succeeds, and giving up turns a fact into an ERROR. Across the
//! hundreds of thousands of calls of a large organization even rare
//! exhaustion loses data: with 30 % of the calls throttled and 5 attempts,
//! 0.3⁵ ≈ 0.24 % of the calls, a few hundred in a 10,000-account scan, end
//! in an error. Server errors and timeouts keep the configured attempts
//! (an unavailable service should not stall the scan for minutes).
//!
//! The SDK's standard retry also has a retry quota: a token bucket of 500
//! per service, shared by every client of the process, from which each retry
//! takes 5 tokens (a retry that needed another one never gives its tokens
//! back) and each first-attempt success returns one. Under sustained
//! throttling across thousands of accounts that bucket runs dry and every
//! call then fails at its first throttle: measured with the simulator, 30 %
//! throttling over 1,000 accounts left 155 accounts with ERRORs where every
//! fact was there to be read. Every client gets [`partition`] instead: its
//! own quota, from which a throttling retry takes nothing, so throttling is
//! bounded by the attempts alone; other retries keep the SDK's costs.
//!
//! The SDK's standard retry has one attempt limit for every kind of error:
//! clients are configured with the throttling limit ([`throttling_attempts`]),
//! and [`ThrottlingRetries`] lowers the limit of the current call to the
//! configured attempts after an attempt that failed for any other reason
//! (as the client's own retry classifiers read it, run in their order as the
//! SDK does).

use aws_smithy_runtime::client::retries::{RetryPartition, TokenBucket};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::FinalizerInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::retries::classifiers::{
    ClassifyRetry, RetryAction, RetryReason,
};
use aws_smithy_runtime_api::client::retries::RequestAttempts;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use aws_smithy_types::retry::{ErrorKind, RetryConfig};

/// The retry partition of one client (`name`: the service): a retry quota
/// of its own, in which throttling retries cost nothing (see the module
/// comment).
pub fn partition(name: &'static str) -> RetryPartition {
    RetryPartition::custom(name)
        .token_bucket(TokenBucket::builder().throttling_retry_cost(0).build())
        .build()
}

/// How many times more attempts a throttled call gets than `--max-attempts`.
pub const THROTTLING_FACTOR: u32 = 3;

/// The attempts a throttled call gets, with `max_attempts` for other errors.
pub fn throttling_attempts(max_attempts: u32) -> u32 {
    max_attempts.max(1).saturating_mul(THROTTLING_FACTOR)
}

/// Caps the attempts of a call at a [`THROTTLING_FACTOR`]th of the
/// client's (`--max-attempts`) once an attempt failed with anything but
/// throttling. Add it to every client whose retry configuration has
/// [`throttling_attempts`].
#[derive(Debug, Clone, Copy, Default)]
pub struct ThrottlingRetries;

impl Intercept for ThrottlingRetries {
    fn name(&self) -> &'static str {
        "ThrottlingRetries"
    }

    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let ctx = context.inner();
        if !ctx.is_failed() {
            return Ok(());
        }
        // The client's classifiers, as the retry strategy runs them.
        let mut action = RetryAction::NoActionIndicated;
        for classifier in runtime_components.retry_classifiers() {
            let next = classifier.classify_retry_v2(ctx, &action);
            if next == RetryAction::NoActionIndicated {
                continue;
            }
            action = next;
            if action == RetryAction::RetryForbidden {
                break;
            }
        }
        let throttled = matches!(
            action,
            RetryAction::RetryIndicated(RetryReason::RetryableError {
                kind: ErrorKind::ThrottlingError,
                ..
            })
        );
        let attempts = cfg.load::<RequestAttempts>().map_or(1, |a| a.attempts());
        let Some(config) = cfg.load::<RetryConfig>().cloned() else {
            return Ok(());
        };
        let others = (config.max_attempts() / THROTTLING_FACTOR).max(1);
        if !throttled && attempts >= others {
            cfg.interceptor_state()
                .store_put(config.with_max_attempts(attempts));
        }
        Ok(())
    }
}
