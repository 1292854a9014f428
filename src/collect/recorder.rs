//! An SDK interceptor that records every operation a scan calls, as
//! `service:Operation`. Tests check the record against the read-only
//! allowlist ([`super::permissions`]); the benchmark counts calls with it.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeSerializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

/// Counts of operations and of HTTP attempts (retries included), by
/// `service:Operation`. Cheap to clone; clones share the record.
#[derive(Clone, Debug, Default)]
pub struct OperationRecorder {
    inner: Arc<Mutex<Record>>,
}

#[derive(Debug, Default)]
struct Record {
    operations: BTreeMap<String, u64>,
    attempts: BTreeMap<String, u64>,
}

impl OperationRecorder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Operations called (one per SDK call, whatever its retries), by name.
    pub fn operations(&self) -> BTreeMap<String, u64> {
        self.inner.lock().expect("recorder lock").operations.clone()
    }

    /// HTTP attempts sent, retries included, by operation name.
    pub fn attempts(&self) -> BTreeMap<String, u64> {
        self.inner.lock().expect("recorder lock").attempts.clone()
    }

    /// Operations called, summed by service prefix (`iam`, `config`…).
    pub fn operations_by_service(&self) -> BTreeMap<String, u64> {
        let mut out = BTreeMap::new();
        for (op, n) in self.operations() {
            let service = op.split(':').next().unwrap_or_default().to_string();
            *out.entry(service).or_default() += n;
        }
        out
    }

    /// Records one operation by hand (for calls made outside an SDK client).
    pub fn record(&self, operation: &str) {
        let mut rec = self.inner.lock().expect("recorder lock");
        *rec.operations.entry(operation.to_string()).or_default() += 1;
    }

    fn bump(&self, cfg: &ConfigBag, attempt: bool) {
        let Some(meta) = cfg.load::<Metadata>() else {
            return;
        };
        let name = operation_name(meta.service(), meta.name());
        let mut rec = self.inner.lock().expect("recorder lock");
        let map = if attempt {
            &mut rec.attempts
        } else {
            &mut rec.operations
        };
        *map.entry(name).or_default() += 1;
    }
}

/// `service:Operation` from the SDK's service and operation names, with the
/// service prefix IAM uses (`SSO Admin` → `sso`, `Cost Explorer` → `ce`).
pub fn operation_name(sdk_service: &str, operation: &str) -> String {
    let prefix = match sdk_service {
        "IAM" => "iam",
        "STS" => "sts",
        "Organizations" => "organizations",
        "SSO Admin" => "sso",
        "Account" => "account",
        "CloudTrail" => "cloudtrail",
        "Config Service" => "config",
        "Budgets" => "budgets",
        "Cost Explorer" => "ce",
        "AccessAnalyzer" => "access-analyzer",
        other => return format!("{}:{operation}", other.to_lowercase().replace(' ', "")),
    };
    format!("{prefix}:{operation}")
}

impl Intercept for OperationRecorder {
    fn name(&self) -> &'static str {
        "OperationRecorder"
    }

    // Not `read_before_execution`: client interceptors run that hook before
    // the operation's configuration (and so its name) is in the bag.
    fn read_before_serialization(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.bump(cfg, false);
        Ok(())
    }

    fn read_before_attempt(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.bump(cfg, true);
        Ok(())
    }
}
