//! The HTTPS client every AWS call of a scan goes through, credential
//! providers included: hyper 1 with rustls on the ring crypto provider (see
//! Cargo.toml for why ring), as the SDK's own default client is built
//! otherwise: `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY` honoured, the SDK's
//! cipher suites, TLS 1.2 and 1.3.
//!
//! Certificates are always verified. The trusted roots are the system's
//! (read by rustls-native-certs, so `SSL_CERT_FILE` and `SSL_CERT_DIR` are
//! honoured), or, when `AWS_CA_BUNDLE` names a PEM file, the certificates of
//! that file instead, as the AWS CLI does: for a TLS-inspecting proxy or a
//! private endpoint. The bundle is read and checked before the first call;
//! a file that cannot be read or holds no usable certificate is an error,
//! never a silent fallback.

use std::path::Path;

use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::tls::{self, TlsContext, TrustStore};
use aws_smithy_http_client::{Builder, ConnectorBuilder};
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;

use super::ScanError;
use crate::fsutil;

/// The environment variable naming a CA bundle, as for the AWS CLI.
pub const CA_BUNDLE_VAR: &str = "AWS_CA_BUNDLE";

/// Certificates trusted instead of the system's: a checked PEM bundle.
#[derive(Debug, Clone)]
pub struct CaBundle {
    pem: Vec<u8>,
    count: usize,
}

impl CaBundle {
    /// Parses a PEM bundle: every `CERTIFICATE` block must be a certificate
    /// rustls accepts as a trust anchor, and there must be at least one.
    pub fn from_pem(pem: &[u8]) -> Result<CaBundle, String> {
        let mut roots = rustls::RootCertStore::empty();
        for (n, cert) in CertificateDer::pem_slice_iter(pem).enumerate() {
            let cert = cert.map_err(|e| format!("certificate {} is not valid PEM: {e}", n + 1))?;
            roots
                .add(cert)
                .map_err(|e| format!("certificate {} cannot be used: {e}", n + 1))?;
        }
        if roots.is_empty() {
            return Err("holds no PEM certificate (-----BEGIN CERTIFICATE-----)".to_string());
        }
        Ok(CaBundle {
            pem: pem.to_vec(),
            count: roots.len(),
        })
    }

    /// Reads and checks a PEM file (at most the size of a config file).
    pub fn read(path: &Path) -> Result<CaBundle, String> {
        let text = fsutil::read_text(path, fsutil::MAX_CONFIG_BYTES)
            .map_err(|e| format!("cannot be read: {e}"))?;
        CaBundle::from_pem(text.as_bytes())
    }

    /// The bundle `AWS_CA_BUNDLE` names, if it is set. An empty value, or a
    /// file that cannot be used, is an error naming the variable.
    pub fn from_env() -> Result<Option<CaBundle>, ScanError> {
        let Some(value) = std::env::var_os(CA_BUNDLE_VAR) else {
            return Ok(None);
        };
        if value.is_empty() {
            return Err(ScanError::Setting {
                setting: CA_BUNDLE_VAR.to_string(),
                message: "is empty: name a PEM file of CA certificates, or unset it".to_string(),
            });
        }
        let path = Path::new(&value);
        CaBundle::read(path)
            .map(Some)
            .map_err(|message| ScanError::Setting {
                setting: format!("{CA_BUNDLE_VAR} ({})", path.display()),
                message,
            })
    }

    /// How many certificates the bundle holds.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Never true: a bundle holds at least one certificate.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }
}

/// The HTTPS client: the system's roots, or only the bundle's when given.
pub fn client(ca_bundle: Option<&CaBundle>) -> SharedHttpClient {
    let trust = match ca_bundle {
        None => TrustStore::default(),
        Some(bundle) => TrustStore::empty()
            .with_native_roots(false)
            .with_pem_certificate(bundle.pem.clone()),
    };
    let context = TlsContext::builder()
        .with_trust_store(trust)
        .build()
        .expect("a TLS context of a trust store always builds");
    Builder::new().build_with_connector_fn(move |settings, components| {
        let mut connector = ConnectorBuilder::default()
            .tls_provider(tls::Provider::Rustls(
                tls::rustls_provider::CryptoMode::Ring,
            ))
            .tls_context(context.clone());
        connector.set_connector_settings(settings.cloned());
        if let Some(components) = components {
            connector.set_sleep_impl(components.sleep_impl());
        }
        connector.set_proxy_config(Some(ProxyConfig::from_env()));
        connector.build()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bundle_without_a_certificate_is_refused() {
        let err = CaBundle::from_pem(b"not a certificate\n").unwrap_err();
        assert!(err.contains("no PEM certificate"), "{err}");
        let err = CaBundle::from_pem(
            b"-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n",
        )
        .unwrap_err();
        assert!(err.contains("certificate 1 cannot be used"), "{err}");
    }
}
