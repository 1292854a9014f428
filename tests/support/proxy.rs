//! A fault-injecting HTTP/1.1 reverse proxy for tests: listens on 127.0.0.1
//! (a free port) and forwards every request to an upstream on 127.0.0.1
//! (moto server), unless one of its rules answers in moto's place.
//!
//! Rules match on the AWS operation and/or the account of the caller:
//! - the operation is `service:Operation` with the service's *signing name*
//!   (`iam`, `sts`, `organizations`, `account`, `cloudtrail`, `config`,
//!   `budgets`, `ce`, `sso` for sso-admin); `service:*` matches a whole
//!   service. It is read from `X-Amz-Target` (JSON protocols), the `Action=`
//!   form parameter (query protocols: IAM, STS) or the request path
//!   (REST-JSON: `account`);
//! - the account is found from the access key id of the `Authorization`
//!   header: the management key is known up front, and each member's key is
//!   learnt from the `sts:AssumeRole` answers that pass through the proxy.
//!   For `sts:AssumeRole` itself, the account is the *target* role's account.
//!
//! Faults: added latency (then the next rule is considered), throttling and
//! AccessDenied answers in the protocol's real error shape, 5xx answers,
//! connection resets and stalled responses (the request is read, never
//! answered). Each rule fires with a probability and/or a number of times;
//! the decision for the n-th matching request of one (operation, account,
//! region) is a hash of the seed and those, so a run is reproducible up to the
//! order of concurrent identical calls.
//!
//! Short sessions: [`Proxy::set_session_lifetime`] makes every credential
//! issued by `sts:AssumeRole` through the proxy expire that long after it was
//! issued: the `Expiration` of the answer is rewritten, and a request signed
//! with the key after that time is answered `ExpiredToken`, as AWS does (moto
//! checks no expiry).
//!
//! The proxy runs on its own thread and runtime, so that it serves blocking
//! tests (`assert_cmd`) as well as async ones; dropping it stops it.

#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What a rule does to a matching request.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// Waits, then lets the next rules (or upstream) handle the request.
    Delay(Duration),
    /// HTTP 400 `Throttling` (query), 400 `ThrottlingException` (JSON),
    /// 429 `TooManyRequestsException` (REST-JSON).
    Throttle,
    /// An HTTP 5xx answer with this status (500, 502, 503…).
    ServerError(u16),
    /// The connection is reset (RST) without an answer.
    Reset,
    /// The request is read and never answered; the connection stays open.
    Stall,
    /// HTTP 403 `AccessDenied` (query) / 400 `AccessDeniedException` (JSON) /
    /// 403 `AccessDeniedException` (REST-JSON).
    AccessDenied,
    /// `200 OK` with a body that never ends (no length, no chunk end): the
    /// proxy writes until the client closes the connection.
    EndlessBody,
}

impl Fault {
    fn kind(&self) -> &'static str {
        match self {
            Fault::Delay(_) => "delay",
            Fault::Throttle => "throttle",
            Fault::ServerError(_) => "5xx",
            Fault::Reset => "reset",
            Fault::Stall => "stall",
            Fault::AccessDenied => "access_denied",
            Fault::EndlessBody => "endless_body",
        }
    }
}

/// One fault, where it applies and how often.
#[derive(Debug, Clone)]
pub struct Rule {
    /// `service:Operation`, `service:*`, or `None` for every operation.
    pub operation: Option<String>,
    /// An account id, or `None` for every account.
    pub account: Option<String>,
    pub fault: Fault,
    /// For `sts:AssumeRole`: only the role of this name (`None`: any role).
    pub role: Option<String>,
    /// The chance that a matching request is affected (1.0: always).
    pub probability: f64,
    /// At most this many requests are affected (`None`: no limit).
    pub times: Option<u64>,
}

impl Rule {
    pub fn new(fault: Fault) -> Rule {
        Rule {
            operation: None,
            account: None,
            role: None,
            fault,
            probability: 1.0,
            times: None,
        }
    }
    pub fn on(mut self, operation: &str) -> Rule {
        self.operation = Some(operation.to_string());
        self
    }
    pub fn in_account(mut self, account: &str) -> Rule {
        self.account = Some(account.to_string());
        self
    }
    /// Only AssumeRole of the role named `name` (the last part of RoleArn).
    pub fn role(mut self, name: &str) -> Rule {
        self.role = Some(name.to_string());
        self
    }
    pub fn probability(mut self, p: f64) -> Rule {
        self.probability = p;
        self
    }
    pub fn times(mut self, n: u64) -> Rule {
        self.times = Some(n);
        self
    }

    fn matches(&self, req: &Request) -> bool {
        let op_ok = match &self.operation {
            None => true,
            Some(pattern) => match pattern.strip_suffix(":*") {
                Some(service) => req.service == service,
                None => *pattern == req.operation(),
            },
        };
        let account_ok = match &self.account {
            None => true,
            Some(a) => req.account.as_deref() == Some(a.as_str()),
        };
        let role_ok = match &self.role {
            None => true,
            Some(name) => form_param(&req.body, "RoleArn")
                .is_some_and(|arn| arn.rsplit('/').next() == Some(name.as_str())),
        };
        op_ok && account_ok && role_ok
    }
}

/// What went through the proxy, by operation: requests seen and faults
/// injected (`"throttle"`, `"5xx"`…).
#[derive(Debug, Default, Clone)]
pub struct Stats {
    pub requests: BTreeMap<String, u64>,
    pub injected: BTreeMap<String, u64>,
    pub injected_by_operation: BTreeMap<(String, String), u64>,
    /// Requests by (operation, account), where the account is known.
    pub by_account: BTreeMap<(String, String), u64>,
}

impl Stats {
    pub fn injected(&self, kind: &str) -> u64 {
        self.injected.get(kind).copied().unwrap_or(0)
    }
    pub fn total_requests(&self) -> u64 {
        self.requests.values().sum()
    }
    /// Requests of one operation in one account.
    pub fn in_account(&self, operation: &str, account: &str) -> u64 {
        self.by_account
            .get(&(operation.to_string(), account.to_string()))
            .copied()
            .unwrap_or(0)
    }
}

struct State {
    upstream: u16,
    seed: u64,
    rules: Vec<Rule>,
    /// Access key id → account id.
    keys: Mutex<HashMap<String, String>>,
    /// Times each rule fired.
    fired: Mutex<Vec<u64>>,
    /// Matching requests seen per (rule, operation, account, region).
    seen: Mutex<HashMap<(usize, String, String, String), u64>>,
    stats: Mutex<Stats>,
    /// See [`Proxy::set_session_lifetime`].
    session_lifetime: Mutex<Option<Duration>>,
    /// Access key id → when it expires (short sessions only).
    expiry: Mutex<HashMap<String, std::time::SystemTime>>,
}

pub struct Proxy {
    pub port: u16,
    state: Arc<State>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Proxy {
    /// Starts a proxy in front of `127.0.0.1:upstream_port`. `known_keys`:
    /// access key id → account id, for credentials the proxy does not see
    /// being issued (the management account's).
    pub fn start(
        upstream_port: u16,
        seed: u64,
        known_keys: &[(&str, &str)],
        rules: Vec<Rule>,
    ) -> Proxy {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("fault-proxy")
            .enable_all()
            .build()
            .expect("proxy runtime");
        // Bound here (std), registered with the proxy's runtime in its task:
        // `start` may be called from inside another runtime.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(State {
            upstream: upstream_port,
            seed,
            fired: Mutex::new(vec![0; rules.len()]),
            rules,
            keys: Mutex::new(
                known_keys
                    .iter()
                    .map(|(k, a)| (k.to_string(), a.to_string()))
                    .collect(),
            ),
            seen: Mutex::new(HashMap::new()),
            stats: Mutex::new(Stats::default()),
            session_lifetime: Mutex::new(None),
            expiry: Mutex::new(HashMap::new()),
        });
        let accept_state = state.clone();
        runtime.spawn(async move {
            let listener = TcpListener::from_std(listener).expect("proxy listener");
            loop {
                let Ok((client, _)) = listener.accept().await else {
                    continue;
                };
                let state = accept_state.clone();
                tokio::spawn(async move {
                    let _ = serve(client, state).await;
                });
            }
        });
        Proxy {
            port,
            state,
            runtime: Some(runtime),
        }
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn stats(&self) -> Stats {
        self.state.stats.lock().unwrap().clone()
    }

    /// From now on, credentials issued by `sts:AssumeRole` expire `lifetime`
    /// after they were issued (`None`: as upstream says, unchecked).
    pub fn set_session_lifetime(&self, lifetime: Option<Duration>) {
        *self.state.session_lifetime.lock().unwrap() = lifetime;
    }

    /// The account ids the proxy has learnt access keys for.
    pub fn known_accounts(&self) -> Vec<String> {
        let mut v: Vec<String> = self.state.keys.lock().unwrap().values().cloned().collect();
        v.sort();
        v.dedup();
        v
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

/// What the proxy knows of one request (the simulator reads requests the
/// same way).
pub(crate) struct Request {
    pub(crate) head: Vec<(String, String)>,
    pub(crate) request_line: String,
    pub(crate) body: Vec<u8>,
    /// The signing name of the credential scope (`iam`, `sso`, `s3`…).
    pub(crate) service: String,
    pub(crate) op: String,
    pub(crate) region: String,
    pub(crate) access_key: String,
    pub(crate) account: Option<String>,
    pub(crate) protocol: Protocol,
    pub(crate) close: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Protocol {
    Query,
    Json,
    RestJson,
    /// S3 (`<Error>` at the root) and, with `wrapped`, S3 Control
    /// (`<ErrorResponse><Error>`, as the Query protocol).
    RestXml {
        wrapped: bool,
    },
}

impl Request {
    pub(crate) fn operation(&self) -> String {
        format!("{}:{}", self.service, self.op)
    }
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        header(&self.head, name)
    }
}

pub(crate) fn header<'a>(head: &'a [(String, String)], name: &str) -> Option<&'a str> {
    head.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

type Res<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

async fn serve(mut client: TcpStream, state: Arc<State>) -> Res<()> {
    let mut buf: Vec<u8> = Vec::new();
    loop {
        let Some(mut req) = read_request(&mut client, &mut buf).await? else {
            return Ok(());
        };
        {
            let keys = state.keys.lock().unwrap();
            req.account = if req.operation() == "sts:AssumeRole" {
                form_param(&req.body, "RoleArn")
                    .and_then(|arn| arn.split(':').nth(4).map(String::from))
            } else {
                keys.get(&req.access_key).cloned()
            };
        }
        {
            let mut stats = state.stats.lock().unwrap();
            *stats.requests.entry(req.operation()).or_default() += 1;
            if let Some(account) = &req.account {
                *stats
                    .by_account
                    .entry((req.operation(), account.clone()))
                    .or_default() += 1;
            }
        }
        let expired = state
            .expiry
            .lock()
            .unwrap()
            .get(&req.access_key)
            .is_some_and(|at| std::time::SystemTime::now() >= *at);
        if expired {
            *state
                .stats
                .lock()
                .unwrap()
                .injected
                .entry("expired".into())
                .or_default() += 1;
            client.write_all(&error_response(&req, "expired")).await?;
            if req.close {
                return Ok(());
            }
            continue;
        }

        let mut fault = None;
        for (i, rule) in state.rules.iter().enumerate() {
            if !rule.matches(&req) || !decide(&state, i, rule, &req) {
                continue;
            }
            {
                let mut stats = state.stats.lock().unwrap();
                *stats.injected.entry(rule.fault.kind().into()).or_default() += 1;
                *stats
                    .injected_by_operation
                    .entry((rule.fault.kind().into(), req.operation()))
                    .or_default() += 1;
            }
            if let Fault::Delay(d) = rule.fault {
                tokio::time::sleep(d).await;
                continue;
            }
            fault = Some(rule.fault.clone());
            break;
        }

        let response = match fault {
            None => forward(&state, &req).await?,
            Some(Fault::Reset) => {
                #[allow(deprecated)]
                let _ = client.set_linger(Some(Duration::ZERO));
                return Ok(());
            }
            Some(Fault::Stall) => {
                // Hold the connection until the client gives up (or the
                // proxy stops); then read to the end and close.
                let mut sink = [0u8; 1024];
                while client.read(&mut sink).await.unwrap_or(0) > 0 {}
                return Ok(());
            }
            Some(Fault::EndlessBody) => {
                let head =
                    b"HTTP/1.1 200 OK\r\ncontent-type: text/xml\r\nconnection: close\r\n\r\n<a>";
                client.write_all(head).await?;
                let chunk = vec![b'x'; 1 << 20];
                while client.write_all(&chunk).await.is_ok() {}
                return Ok(());
            }
            Some(Fault::Throttle) => error_response(&req, "throttle"),
            Some(Fault::AccessDenied) => error_response(&req, "denied"),
            Some(Fault::ServerError(status)) => server_error(&req, status),
            Some(Fault::Delay(_)) => unreachable!(),
        };
        client.write_all(&response).await?;
        if req.close {
            return Ok(());
        }
    }
}

/// Whether rule `i` fires for this request: within its count, and by a
/// seeded hash of the request's (operation, account, region, occurrence).
fn decide(state: &State, i: usize, rule: &Rule, req: &Request) -> bool {
    let account = req.account.clone().unwrap_or_default();
    let n = {
        let mut seen = state.seen.lock().unwrap();
        let n = seen
            .entry((i, req.operation(), account.clone(), req.region.clone()))
            .or_default();
        *n += 1;
        *n
    };
    let hit = if rule.probability >= 1.0 {
        true
    } else {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (state.seed, i, req.operation(), &account, &req.region, n).hash(&mut h);
        let x = splitmix(h.finish());
        (x >> 11) as f64 / (1u64 << 53) as f64 > 1.0 - rule.probability
    };
    if !hit {
        return false;
    }
    let mut fired = state.fired.lock().unwrap();
    if let Some(limit) = rule.times {
        if fired[i] >= limit {
            return false;
        }
    }
    fired[i] += 1;
    true
}

pub(crate) fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Reads one request (head and `Content-Length` body); `None` at a clean end
/// of the connection.
pub(crate) async fn read_request(
    client: &mut TcpStream,
    buf: &mut Vec<u8>,
) -> Res<Option<Request>> {
    let head_end = loop {
        if let Some(p) = find(buf, b"\r\n\r\n") {
            break p;
        }
        let mut chunk = [0u8; 8192];
        let n = client.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head_text = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head_text.split("\r\n");
    let request_line = lines.next().unwrap_or_default().to_string();
    let head: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    if header(&head, "transfer-encoding").is_some() {
        return Err("chunked request bodies are not supported by the test proxy".into());
    }
    let length: usize = header(&head, "content-length")
        .map(|v| v.parse())
        .transpose()?
        .unwrap_or(0);
    while buf.len() < head_end + 4 + length {
        let mut chunk = [0u8; 8192];
        let n = client.read(&mut chunk).await?;
        if n == 0 {
            return Err("connection closed inside a request body".into());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = buf[head_end + 4..head_end + 4 + length].to_vec();
    buf.drain(..head_end + 4 + length);

    // Authorization: AWS4-HMAC-SHA256 Credential=AKID/date/region/service/aws4_request, …
    let scope: Vec<String> = header(&head, "authorization")
        .and_then(|a| a.split("Credential=").nth(1))
        .and_then(|c| c.split(',').next())
        .map(|c| c.split('/').map(String::from).collect())
        .unwrap_or_default();
    let access_key = scope.first().cloned().unwrap_or_default();
    let region = scope.get(2).cloned().unwrap_or_default();
    let service = scope.get(3).cloned().unwrap_or_default();
    let (protocol, op) = if let Some(target) = header(&head, "x-amz-target") {
        let op = target.rsplit('.').next().unwrap_or(target).to_string();
        (Protocol::Json, op)
    } else if header(&head, "content-type")
        .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"))
    {
        (
            Protocol::Query,
            form_param(&body, "Action").unwrap_or_default(),
        )
    } else if service == "s3" {
        // REST-XML: S3 Control names the account in a header; its one
        // operation read is GetPublicAccessBlock. S3's is ListBuckets.
        let path = request_line.split(' ').nth(1).unwrap_or_default();
        let wrapped = header(&head, "x-amz-account-id").is_some();
        let op = if path.contains("publicAccessBlock") {
            "GetPublicAccessBlock"
        } else if path.split('?').next() == Some("/") {
            "ListBuckets"
        } else {
            "Unknown"
        };
        (Protocol::RestXml { wrapped }, op.to_string())
    } else {
        // REST-JSON: POST /getAlternateContact → GetAlternateContact.
        let path = request_line.split(' ').nth(1).unwrap_or_default();
        let last = path
            .split('?')
            .next()
            .unwrap_or_default()
            .trim_matches('/')
            .split('/')
            .next()
            .unwrap_or_default();
        let mut chars = last.chars();
        let op = match chars.next() {
            Some(c) => c.to_uppercase().chain(chars).collect(),
            None => String::new(),
        };
        (Protocol::RestJson, op)
    };
    let close = header(&head, "connection").is_some_and(|c| c.eq_ignore_ascii_case("close"));
    Ok(Some(Request {
        head,
        request_line,
        body,
        service,
        op,
        region,
        access_key,
        account: None,
        protocol,
        close,
    }))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A parameter of an `application/x-www-form-urlencoded` body, decoded.
pub(crate) fn form_param(body: &[u8], name: &str) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    text.split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| percent_decode(v))
}

pub(crate) fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Sends the request upstream on a fresh connection and returns the answer,
/// re-framed with a `Content-Length` for the client's kept-alive connection.
async fn forward(state: &State, req: &Request) -> Res<Vec<u8>> {
    let mut upstream = TcpStream::connect(("127.0.0.1", state.upstream)).await?;
    let mut out = Vec::with_capacity(req.body.len() + 1024);
    out.extend_from_slice(req.request_line.as_bytes());
    out.extend_from_slice(b"\r\n");
    for (k, v) in &req.head {
        if k.eq_ignore_ascii_case("connection") || k.eq_ignore_ascii_case("expect") {
            continue;
        }
        out.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
    }
    out.extend_from_slice(b"Connection: close\r\n\r\n");
    out.extend_from_slice(&req.body);
    upstream.write_all(&out).await?;
    let mut raw = Vec::new();
    upstream.read_to_end(&mut raw).await?;

    let head_end = find(&raw, b"\r\n\r\n").ok_or("upstream answer has no head")?;
    let head_text = String::from_utf8_lossy(&raw[..head_end]).into_owned();
    let mut lines = head_text.split("\r\n");
    let status_line = lines.next().unwrap_or_default().to_string();
    let head: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = raw[head_end + 4..].to_vec();
    if header(&head, "transfer-encoding").is_some_and(|t| t.contains("chunked")) {
        body = dechunk(&body)?;
    } else if let Some(len) = header(&head, "content-length") {
        body.truncate(len.parse()?);
    }

    if req.operation() == "sts:AssumeRole" && status_line.contains(" 200") {
        if let (Some(account), Some(key)) = (
            req.account.clone(),
            between(&body, "<AccessKeyId>", "</AccessKeyId>"),
        ) {
            state.keys.lock().unwrap().insert(key.clone(), account);
            let lifetime = *state.session_lifetime.lock().unwrap();
            if let Some(lifetime) = lifetime {
                let at = std::time::SystemTime::now() + lifetime;
                body = replace_between(&body, "<Expiration>", "</Expiration>", &rfc3339(at));
                state.expiry.lock().unwrap().insert(key, at);
            }
        }
    }

    let mut response = Vec::with_capacity(body.len() + 512);
    let status_line = status_line.replacen("HTTP/1.0", "HTTP/1.1", 1);
    response.extend_from_slice(status_line.as_bytes());
    response.extend_from_slice(b"\r\n");
    for (k, v) in &head {
        let k_l = k.to_ascii_lowercase();
        if matches!(
            k_l.as_str(),
            "connection" | "keep-alive" | "transfer-encoding" | "content-length"
        ) {
            continue;
        }
        response.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
    }
    response.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
    response.extend_from_slice(&body);
    Ok(response)
}

fn between(body: &[u8], open: &str, close: &str) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    let start = text.find(open)? + open.len();
    let end = text[start..].find(close)? + start;
    Some(text[start..end].trim().to_string())
}

/// `body` with the text between `open` and `close` replaced by `with`.
fn replace_between(body: &[u8], open: &str, close: &str, with: &str) -> Vec<u8> {
    let Ok(text) = std::str::from_utf8(body) else {
        return body.to_vec();
    };
    let Some(start) = text.find(open).map(|s| s + open.len()) else {
        return body.to_vec();
    };
    let Some(end) = text[start..].find(close).map(|e| e + start) else {
        return body.to_vec();
    };
    format!("{}{with}{}", &text[..start], &text[end..]).into_bytes()
}

/// `2026-01-02T03:04:05Z`.
pub(crate) fn rfc3339(t: std::time::SystemTime) -> String {
    chrono::DateTime::<chrono::Utc>::from(t).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn dechunk(mut data: &[u8]) -> Res<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = find(data, b"\r\n").ok_or("bad chunk")?;
        let size_text = std::str::from_utf8(&data[..line_end])?;
        let size = usize::from_str_radix(size_text.split(';').next().unwrap().trim(), 16)?;
        data = &data[line_end + 2..];
        if size == 0 {
            return Ok(out);
        }
        out.extend_from_slice(&data[..size]);
        data = &data[size + 2..];
    }
}

fn respond(status: u16, reason: &str, headers: &[(&str, &str)], body: &str) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status} {reason}\r\n");
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str(&format!(
        "x-amzn-RequestId: fault-proxy\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    ));
    out.into_bytes()
}

/// A throttling or AccessDenied answer in the request's protocol.
fn error_response(req: &Request, what: &str) -> Vec<u8> {
    let denied_message = format!(
        "User: arn:aws:sts::{}:assumed-role/test is not authorized to perform: {}",
        req.account.as_deref().unwrap_or("000000000000"),
        req.operation()
    );
    if let Protocol::RestXml { wrapped } = req.protocol {
        let (status, reason, code, message) = match what {
            "expired" => (
                400,
                "Bad Request",
                "ExpiredToken",
                "The provided token has expired.".to_string(),
            ),
            // S3's throttling answer.
            "throttle" => (
                503,
                "Slow Down",
                "SlowDown",
                "Please reduce your request rate.".to_string(),
            ),
            _ => (403, "Forbidden", "AccessDenied", denied_message),
        };
        return respond(
            status,
            reason,
            &[("Content-Type", "application/xml")],
            &rest_xml_error(wrapped, code, &message),
        );
    }
    match (req.protocol, what) {
        (Protocol::Query, "expired") => respond(
            403,
            "Forbidden",
            &[("Content-Type", "text/xml")],
            &query_error(
                req,
                "Sender",
                "ExpiredToken",
                "The security token included in the request is expired",
            ),
        ),
        (Protocol::Json, "expired") => respond(
            400,
            "Bad Request",
            &[("Content-Type", "application/x-amz-json-1.1")],
            r#"{"__type":"ExpiredTokenException","message":"The security token included in the request is expired"}"#,
        ),
        (Protocol::RestJson, "expired") => respond(
            403,
            "Forbidden",
            &[
                ("Content-Type", "application/json"),
                ("x-amzn-ErrorType", "ExpiredTokenException"),
            ],
            r#"{"message":"The security token included in the request is expired"}"#,
        ),
        (Protocol::Query, "throttle") => respond(
            400,
            "Bad Request",
            &[("Content-Type", "text/xml")],
            // EC2 names its throttling RequestLimitExceeded
            &if req.service == "ec2" {
                query_error(
                    req,
                    "Sender",
                    "RequestLimitExceeded",
                    "Request limit exceeded.",
                )
            } else {
                query_error(req, "Sender", "Throttling", "Rate exceeded")
            },
        ),
        (Protocol::Query, _) => respond(
            403,
            "Forbidden",
            &[("Content-Type", "text/xml")],
            // EC2 names a denial UnauthorizedOperation
            &query_error(
                req,
                "Sender",
                if req.service == "ec2" {
                    "UnauthorizedOperation"
                } else {
                    "AccessDenied"
                },
                &denied_message,
            ),
        ),
        (Protocol::Json, "throttle") => respond(
            400,
            "Bad Request",
            &[("Content-Type", "application/x-amz-json-1.1")],
            r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#,
        ),
        (Protocol::Json, _) => respond(
            400,
            "Bad Request",
            &[("Content-Type", "application/x-amz-json-1.1")],
            &format!(r#"{{"__type":"AccessDeniedException","message":"{denied_message}"}}"#),
        ),
        (Protocol::RestJson, "throttle") => respond(
            429,
            "Too Many Requests",
            &[
                ("Content-Type", "application/json"),
                ("x-amzn-ErrorType", "TooManyRequestsException"),
            ],
            r#"{"message":"Rate exceeded"}"#,
        ),
        (Protocol::RestJson, _) => respond(
            403,
            "Forbidden",
            &[
                ("Content-Type", "application/json"),
                ("x-amzn-ErrorType", "AccessDeniedException"),
            ],
            &format!(r#"{{"message":"{denied_message}"}}"#),
        ),
        (Protocol::RestXml { .. }, _) => unreachable!("answered above"),
    }
}

/// A Query-protocol error body: awsQuery's `<ErrorResponse><Error>`, or
/// EC2's own `<Response><Errors><Error>` (EC2 speaks the ec2Query variant).
fn query_error(req: &Request, kind: &str, code: &str, message: &str) -> String {
    if req.service == "ec2" {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error>\
             <Code>{code}</Code><Message>{message}</Message></Error></Errors>\
             <RequestID>fault-proxy</RequestID></Response>"
        )
    } else {
        format!(
            "<ErrorResponse><Error><Type>{kind}</Type><Code>{code}</Code>\
             <Message>{message}</Message></Error><RequestId>fault-proxy</RequestId></ErrorResponse>"
        )
    }
}

/// An S3 (`wrapped: false`) or S3 Control (`wrapped: true`) error body.
fn rest_xml_error(wrapped: bool, code: &str, message: &str) -> String {
    let error = format!(
        "<Error><Code>{code}</Code><Message>{message}</Message><RequestId>fault-proxy</RequestId></Error>"
    );
    if wrapped {
        format!("<ErrorResponse>{error}<RequestId>fault-proxy</RequestId></ErrorResponse>")
    } else {
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{error}")
    }
}

fn server_error(req: &Request, status: u16) -> Vec<u8> {
    let reason = match status {
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Internal Server Error",
    };
    match req.protocol {
        Protocol::RestXml { wrapped } => respond(
            status,
            reason,
            &[("Content-Type", "application/xml")],
            &rest_xml_error(wrapped, "InternalError", "injected"),
        ),
        Protocol::Query => respond(
            status,
            reason,
            &[("Content-Type", "text/xml")],
            &query_error(req, "Receiver", "ServiceUnavailable", "injected"),
        ),
        Protocol::Json => respond(
            status,
            reason,
            &[("Content-Type", "application/x-amz-json-1.1")],
            r#"{"__type":"ServiceUnavailableException","message":"injected"}"#,
        ),
        Protocol::RestJson => respond(
            status,
            reason,
            &[
                ("Content-Type", "application/json"),
                ("x-amzn-ErrorType", "InternalServerException"),
            ],
            r#"{"message":"injected"}"#,
        ),
    }
}
