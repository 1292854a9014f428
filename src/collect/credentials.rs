//! Credentials for member accounts: `sts:AssumeRole` into the audit role,
//! cached and renewed before they expire (long scans outlive a session).

use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use aws_credential_types::provider::{self, error::CredentialsError, future, ProvideCredentials};
use aws_credential_types::Credentials;

use super::context::collect_error;
use crate::snapshot::CollectError;

/// Renew this long before the session expires.
const REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);

/// A credentials provider that assumes one role through the scan's own STS
/// client (so its calls are recorded like every other call).
#[derive(Debug)]
pub struct AssumedRole {
    sts: aws_sdk_sts::Client,
    role_arn: String,
    external_id: Option<String>,
    cached: Mutex<Option<Credentials>>,
}

impl AssumedRole {
    pub fn new(sts: aws_sdk_sts::Client, role_arn: String, external_id: Option<String>) -> Self {
        AssumedRole {
            sts,
            role_arn,
            external_id,
            cached: Mutex::new(None),
        }
    }

    pub fn role_arn(&self) -> &str {
        &self.role_arn
    }

    /// The current credentials, assuming the role when there are none or
    /// they expire within the refresh margin.
    pub async fn credentials(&self) -> Result<Credentials, CollectError> {
        if let Some(creds) = self.cached.lock().expect("credentials lock").clone() {
            let fresh = creds
                .expiry()
                .is_none_or(|exp| exp > SystemTime::now() + REFRESH_MARGIN);
            if fresh {
                return Ok(creds);
            }
        }
        let out = self
            .sts
            .assume_role()
            .role_arn(&self.role_arn)
            .role_session_name("orgaudit")
            .set_external_id(self.external_id.clone())
            .send()
            .await
            .map_err(|e| collect_error("sts:AssumeRole", None, &e))?;
        let c = out.credentials.ok_or_else(|| CollectError {
            operation: "sts:AssumeRole".to_string(),
            code: "InvalidResponse".to_string(),
            message: "AssumeRole returned no credentials".to_string(),
            region: None,
        })?;
        let creds = Credentials::new(
            c.access_key_id,
            c.secret_access_key,
            Some(c.session_token),
            SystemTime::try_from(c.expiration).ok(),
            "orgaudit-assume-role",
        );
        *self.cached.lock().expect("credentials lock") = Some(creds.clone());
        Ok(creds)
    }
}

impl ProvideCredentials for AssumedRole {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(async move {
            let result: provider::Result = self
                .credentials()
                .await
                .map_err(|e| CredentialsError::provider_error(e.to_string()));
            result
        })
    }
}
