//! The settings of the environment and the AWS config files a scan depends
//! on, checked before the first call: the profile named by `--profile` or
//! `AWS_PROFILE` (and its `source_profile` chain) exists, and every endpoint
//! URL (`AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_<SERVICE>`, a profile's
//! `endpoint_url` or `services` section) is a usable URL. The SDK would
//! otherwise panic on an empty one or fail with a dump of its request.
//!
//! Messages name the setting and never show an endpoint's user name,
//! password or query string ([`redact_url`]).

use std::borrow::Cow;

use aws_config::SdkConfig;
use aws_types::os_shim_internal::{Env, Fs};
use aws_types::service_config::ServiceConfigKey;

use super::ScanError;

/// The services a scan calls: the SDK's service id and the suffix of its
/// `AWS_ENDPOINT_URL_<SERVICE>` variable.
const SERVICES: [(&str, &str); 14] = [
    ("STS", "STS"),
    ("Organizations", "ORGANIZATIONS"),
    ("IAM", "IAM"),
    ("Account", "ACCOUNT"),
    ("CloudTrail", "CLOUDTRAIL"),
    ("Config Service", "CONFIG_SERVICE"),
    ("Budgets", "BUDGETS"),
    ("Cost Explorer", "COST_EXPLORER"),
    ("SSO Admin", "SSO_ADMIN"),
    ("S3 Control", "S3_CONTROL"),
    ("GuardDuty", "GUARDDUTY"),
    ("SecurityHub", "SECURITYHUB"),
    ("AccessAnalyzer", "ACCESSANALYZER"),
    ("EC2", "EC2"),
];

/// The profile the scan uses, when one is named: by `--profile`, else by
/// `AWS_PROFILE`. With the setting that names it.
fn named_profile(flag: Option<&str>) -> Option<(String, &'static str)> {
    match flag {
        Some(p) => Some((p.to_string(), "--profile")),
        None => std::env::var("AWS_PROFILE")
            .ok()
            .map(|p| (p, "AWS_PROFILE")),
    }
}

/// Checks that a named profile exists, and so do the profiles its
/// `source_profile` chain names.
pub(crate) async fn check_profile(flag: Option<&str>) -> Result<(), ScanError> {
    let Some((name, setting)) = named_profile(flag) else {
        return Ok(());
    };
    if name.trim().is_empty() {
        return Err(ScanError::Setting {
            setting: setting.to_string(),
            message: "is empty: name a profile of the AWS config files, or unset it".to_string(),
        });
    }
    let profiles = aws_config::profile::load(
        &Fs::real(),
        &Env::real(),
        // The standard files (`AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE`).
        &Default::default(),
        Some(Cow::Owned(name.clone())),
    )
    .await
    .map_err(|e| ScanError::Profile {
        profile: name.clone(),
        message: format!(
            "the AWS config files cannot be read: {}",
            super::context::one_line(&super::context::error_chain(&e))
        ),
    })?;
    if profiles.get_profile(&name).is_none() {
        let mut known: Vec<&str> = profiles.profiles().collect();
        known.sort();
        let known = if known.is_empty() {
            "they define none".to_string()
        } else {
            format!("profiles: {}", known.join(", "))
        };
        return Err(ScanError::Profile {
            profile: name,
            message: format!(
                "it is not defined in the AWS config files (named by {setting}; {known})"
            ),
        });
    }
    // The chain of source profiles, each of which must exist.
    let mut current = name.clone();
    let mut seen = vec![current.clone()];
    while let Some(source) = profiles
        .get_profile(&current)
        .and_then(|p| p.get("source_profile"))
    {
        if profiles.get_profile(source).is_none() {
            return Err(ScanError::Profile {
                profile: name,
                message: format!(
                    "its source_profile `{source}` (in profile `{current}`) is not defined \
                     in the AWS config files"
                ),
            });
        }
        // A profile may name itself (static keys plus a role); a longer
        // loop is the SDK's to report.
        if seen.iter().any(|s| s == source) {
            break;
        }
        seen.push(source.to_string());
        current = source.to_string();
    }
    Ok(())
}

/// Checks every endpoint URL the scan's clients would use.
pub(crate) fn check_endpoints(
    explicit: Option<&str>,
    profile: Option<&str>,
    config: &SdkConfig,
) -> Result<(), ScanError> {
    if let Some(url) = explicit {
        return check_url(url).map_err(|message| ScanError::Setting {
            setting: "the endpoint URL option".to_string(),
            message,
        });
    }
    for (service_id, suffix) in SERVICES {
        let Some(url) = endpoint_url(config, service_id) else {
            continue;
        };
        if let Err(message) = check_url(&url) {
            return Err(ScanError::Setting {
                setting: setting_name(suffix, service_id, profile),
                message,
            });
        }
    }
    Ok(())
}

/// The endpoint URL configured for a service (by its SDK service id), as
/// the SDK's clients take it from an `SdkConfig`: one given in code (the
/// endpoint option) first, else `AWS_ENDPOINT_URL_<SERVICE>` or the
/// profile's `services` section, else `AWS_ENDPOINT_URL` or the profile's
/// `endpoint_url`. `None`: AWS's own endpoint.
pub(crate) fn endpoint_url(config: &SdkConfig, service_id: &str) -> Option<String> {
    if config.get_origin("endpoint_url").is_client_config() {
        return config.endpoint_url().map(str::to_string);
    }
    config
        .service_config()
        .and_then(|c| {
            c.load_config(
                ServiceConfigKey::builder()
                    .service_id(service_id)
                    .env("AWS_ENDPOINT_URL")
                    .profile("endpoint_url")
                    .build()
                    .ok()?,
            )
        })
        .or_else(|| config.endpoint_url().map(str::to_string))
}

/// Which setting gave a service its endpoint, in the SDK's order:
/// `AWS_ENDPOINT_URL_<SERVICE>`, `AWS_ENDPOINT_URL`, then the profile.
fn setting_name(suffix: &str, service_id: &str, flag: Option<&str>) -> String {
    let service_var = format!("AWS_ENDPOINT_URL_{suffix}");
    if std::env::var_os(&service_var).is_some() {
        service_var
    } else if std::env::var_os("AWS_ENDPOINT_URL").is_some() {
        "AWS_ENDPOINT_URL".to_string()
    } else {
        let profile = named_profile(flag)
            .map(|(p, _)| p)
            .unwrap_or_else(|| "default".to_string());
        format!(
            "the endpoint_url of AWS profile `{profile}` (or of {} in its services section)",
            service_id.to_lowercase().replace(' ', "-")
        )
    }
}

/// Whether `url` can be an endpoint: `http://` or `https://` and a host.
/// The error says what is wrong, showing the URL redacted.
pub(crate) fn check_url(url: &str) -> Result<(), String> {
    if url.trim().is_empty() {
        return Err("is set but empty: give a URL such as https://host:port, or unset it".into());
    }
    let shown = redact_url(url);
    let bad = |why: &str| format!("is not a usable endpoint URL (`{shown}`): {why}");
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad("it contains spaces or control characters"));
    }
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(bad("it does not start with http:// or https://"));
    };
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return Err(bad("it does not start with http:// or https://"));
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority.rsplit('@').next().unwrap_or_default();
    if host.is_empty() || host.starts_with(':') {
        return Err(bad("it has no host"));
    }
    if url.parse::<http::Uri>().is_err() {
        return Err(bad("it is not a valid URL"));
    }
    Ok(())
}

/// A URL with its user name, password and query string hidden:
/// `https://user:pw@host/p?token=x` → `https://***@host/p?***`.
pub fn redact_url(url: &str) -> String {
    let (scheme, rest) = match url.split_once("://") {
        Some((s, r)) => (Some(s), r),
        None => (None, url),
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let authority = match authority.rsplit_once('@') {
        Some((_, host)) => format!("***@{host}"),
        None => authority.to_string(),
    };
    let tail = match tail.split_once('?') {
        Some((path, _)) => format!("{path}?***"),
        None => match tail.split_once('#') {
            Some((path, _)) => format!("{path}#***"),
            None => tail.to_string(),
        },
    };
    match scheme {
        Some(s) => format!("{s}://{authority}{tail}"),
        None => format!("{authority}{tail}"),
    }
}

/// Redacts every `http://` and `https://` URL inside a message.
pub fn redact_urls_in(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = find_url(rest) {
        out.push_str(&rest[..start]);
        let url_part = &rest[start..];
        let end = url_part
            .find(|c: char| c.is_whitespace() || matches!(c, '`' | '"' | '\'' | '<' | '>'))
            .unwrap_or(url_part.len());
        out.push_str(&redact_url(&url_part[..end]));
        rest = &url_part[end..];
    }
    out.push_str(rest);
    out
}

fn find_url(text: &str) -> Option<usize> {
    let lower = text.to_ascii_lowercase();
    match (lower.find("http://"), lower.find("https://")) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Drops what a `credential_process` wrote to its standard error from a
/// credentials error: it may hold anything, secrets included.
pub fn without_process_stderr(message: &str) -> Cow<'_, str> {
    match message.find("Stderr:") {
        Some(at) => Cow::Owned(format!(
            "{} (its standard error is not shown)",
            message[..at].trim_end().trim_end_matches('.')
        )),
        None => Cow::Borrowed(message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked() {
        assert!(check_url("http://127.0.0.1:5000").is_ok());
        assert!(check_url("https://sts.example.com/base/").is_ok());
        assert!(check_url("").unwrap_err().contains("empty"));
        assert!(check_url("notaurl").unwrap_err().contains("http://"));
        assert!(check_url("ftp://x").unwrap_err().contains("http://"));
        assert!(check_url("http://").unwrap_err().contains("no host"));
        assert!(check_url("http://a b").unwrap_err().contains("spaces"));
        let e = check_url("http://u:pw@").unwrap_err();
        assert!(!e.contains("pw"), "{e}");
    }

    #[test]
    fn userinfo_and_queries_are_redacted() {
        assert_eq!(
            redact_url("https://user:pw@host:1/p?X-Amz-Security-Token=t"),
            "https://***@host:1/p?***"
        );
        assert_eq!(redact_url("http://host/p"), "http://host/p");
        assert_eq!(
            redact_urls_in("endpoint `http://a:b@h/?k=v` failed, see https://docs/x?q=1."),
            "endpoint `http://***@h/?***` failed, see https://docs/x?***"
        );
    }

    #[test]
    fn process_stderr_is_dropped() {
        let m = "external process exited with code 1. Stderr: my-secret";
        let out = without_process_stderr(m);
        assert!(!out.contains("my-secret"), "{out}");
        assert!(out.contains("not shown"));
    }
}
