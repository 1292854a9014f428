//! The HTTPS client verifies certificates: moto served over TLS on
//! 127.0.0.1 with a certificate from a test CA (made here with Python's
//! `cryptography`, which moto's venv has). The scan is refused while that CA
//! is not trusted (the system's roots, or another CA in `AWS_CA_BUNDLE`),
//! and goes through when `AWS_CA_BUNDLE` or `SSL_CERT_FILE` names it. A
//! bundle that holds no certificate stops the scan before its first call.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use orgaudit::collect::https::{self, CaBundle};
use support::moto::Moto;
use support::seed;

/// Writes `ca.pem`, `other-ca.pem` and `server.pem`/`server.key` (a leaf
/// for 127.0.0.1 and localhost, signed by `ca.pem`) into `dir`.
const MAKE_CERTS: &str = r#"
import datetime, ipaddress, sys
from cryptography import x509
from cryptography.x509.oid import NameOID, ExtendedKeyUsageOID
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

out = sys.argv[1]
now = datetime.datetime.now(datetime.timezone.utc)

def name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

def ca(cn):
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(name(cn)).issuer_name(name(cn))
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
            content_commitment=False, key_encipherment=False, data_encipherment=False,
            key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
        .sign(key, hashes.SHA256()))
    return key, cert

def pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM)

ca_key, ca_cert = ca("orgaudit test CA")
_, other_cert = ca("orgaudit other test CA")
key = ec.generate_private_key(ec.SECP256R1())
leaf = (x509.CertificateBuilder().subject_name(name("127.0.0.1")).issuer_name(ca_cert.subject)
    .public_key(key.public_key()).serial_number(x509.random_serial_number())
    .not_valid_before(now - datetime.timedelta(days=1))
    .not_valid_after(now + datetime.timedelta(days=30))
    .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
    .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
    .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
    .sign(ca_key, hashes.SHA256()))
open(f"{out}/ca.pem", "wb").write(pem(ca_cert))
open(f"{out}/other-ca.pem", "wb").write(pem(other_cert))
open(f"{out}/server.pem", "wb").write(pem(leaf) + pem(ca_cert))
open(f"{out}/server.key", "wb").write(key.private_bytes(serialization.Encoding.PEM,
    serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
"#;

fn make_certs(python: &Path, dir: &Path) {
    let status = Command::new(python)
        .arg("-c")
        .arg(MAKE_CERTS)
        .arg(dir)
        .status()
        .expect("run python");
    assert!(status.success(), "making the test certificates failed");
}

/// `orgaudit scan` of the management account at `endpoint`, with only the
/// trust settings given (none of the machine's leak in).
fn scan(endpoint: &str, trust: &[(&str, &Path)]) -> Output {
    let mut cmd = support::cli::orgaudit_std_against(endpoint);
    cmd.args([
        "scan",
        "--regions",
        "us-east-1",
        "--max-attempts",
        "2",
        "--retry-backoff-ms",
        "10",
        "--timeout",
        "20",
        "--no-progress",
        "-f",
        "json",
    ])
    .env_remove("AWS_CA_BUNDLE")
    .env_remove("SSL_CERT_FILE")
    .env_remove("SSL_CERT_DIR");
    for (name, path) in trust {
        cmd.env(name, path);
    }
    cmd.output().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certificates_are_verified_and_a_ca_bundle_is_honoured() {
    seed::use_test_environment();
    let Some(python) = Moto::python() else { return };
    let dir = tempfile::tempdir().unwrap();
    make_certs(&python, dir.path());
    let file = |name: &str| -> PathBuf { dir.path().join(name) };
    let Some(moto) = Moto::start_tls(&file("server.pem"), &file("server.key")) else {
        return;
    };
    let endpoint = moto.endpoint();
    assert!(endpoint.starts_with("https://"));

    // The library's client, trusting the test CA, seeds the organization.
    let bundle = CaBundle::read(&file("ca.pem")).expect("the test CA is a usable bundle");
    assert_eq!(bundle.len(), 1);
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(https::client(Some(&bundle)))
        .endpoint_url(&endpoint)
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(seed::mgmt_credentials())
        .load()
        .await;
    aws_sdk_organizations::Client::new(&config)
        .create_organization()
        .feature_set(aws_sdk_organizations::types::OrganizationFeatureSet::All)
        .send()
        .await
        .expect("create the organization over TLS, trusting the test CA");

    // Not trusted: the system's roots do not hold the test CA.
    let refused = scan(&endpoint, &[]);
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("certificate"),
        "the error names the certificate: {}",
        stderr(&refused)
    );
    assert!(refused.stdout.is_empty());

    // Not trusted either: a bundle of another CA replaces the system's roots.
    let other = scan(&endpoint, &[("AWS_CA_BUNDLE", &file("other-ca.pem"))]);
    assert_eq!(other.status.code(), Some(2), "{}", stderr(&other));
    assert!(stderr(&other).contains("certificate"), "{}", stderr(&other));

    // Trusted through AWS_CA_BUNDLE, then through SSL_CERT_FILE (the system
    // roots' override): the scan reads the organization over TLS.
    for setting in ["AWS_CA_BUNDLE", "SSL_CERT_FILE"] {
        let ok = scan(&endpoint, &[(setting, &file("ca.pem"))]);
        assert!(
            matches!(ok.status.code(), Some(1) | Some(3)),
            "{setting}: the scan ran: {:?} {}",
            ok.status,
            stderr(&ok)
        );
        let report: serde_json::Value = serde_json::from_slice(&ok.stdout).unwrap();
        let text = report.to_string();
        assert!(
            text.contains(seed::MGMT),
            "{setting}: the management account is reported"
        );
    }

    // A bundle without a certificate: refused before any call, named.
    std::fs::write(file("empty.pem"), "no certificate here\n").unwrap();
    let bad = scan(&endpoint, &[("AWS_CA_BUNDLE", &file("empty.pem"))]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("AWS_CA_BUNDLE") && stderr(&bad).contains("no PEM certificate"),
        "{}",
        stderr(&bad)
    );
}
