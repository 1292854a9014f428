//! A synthetic AWS endpoint for benchmarks: serves a generated organization
//! of N accounts (see [`org`]) for every operation a scan calls, on
//! 127.0.0.1, in each service's own protocol (awsQuery XML for IAM and STS,
//! awsJson 1.1 for Organizations, CloudTrail, Config, Budgets, Cost Explorer
//! and SSO admin, restJson for Account, restXml for S3, ec2Query for EC2),
//! so that the real SDK (and orgaudit's own EC2 reader) parses every
//! answer. Unlike moto it keeps no state and does no work per
//! request beyond formatting the answer, so it is not the bottleneck of a
//! 10,000-account scan.
//!
//! - The caller's account is read from the access key of the request's
//!   signature: keys issued by its `sts:AssumeRole` name their account; any
//!   other key is the management account's.
//! - Every answer waits [`Config::latency`] first (throttling answers too).
//! - Throttling as AWS does it: a token bucket per (caller account,
//!   operation) ([`Limits`]), answered with the service's own throttling
//!   error (`Throttling`, `TooManyRequestsException`, `ThrottlingException`,
//!   `SlowDown`…); and, for fault tests, a share of all requests throttled at
//!   random ([`Config::throttle_probability`], a seeded hash of the request,
//!   reproducible).
//! - An operation it does not know is answered with the protocol's
//!   "unknown operation" error (counted in [`Stats::unknown`]): the scan
//!   records it, nothing hangs.
//!
//! It runs on its own threads and runtime (like the fault proxy), so it
//! serves blocking tests and child processes alike; dropping it stops it.

#![allow(dead_code)]

pub mod org;
mod services;

use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use super::proxy::{read_request, splitmix, Protocol, Request};
pub use org::Org;

/// The access key prefix of the credentials `sts:AssumeRole` issues; the
/// account id follows (20 characters in all, like AWS's).
const ASSUMED_KEY_PREFIX: &str = "ASIASIMU";

/// How the simulator behaves.
#[derive(Clone, Debug)]
pub struct Config {
    /// Accounts in the organization, the management account included.
    pub accounts: usize,
    /// Added to every answer.
    pub latency: Duration,
    /// AWS-like rate limits; `None`: unlimited.
    pub limits: Option<Limits>,
    /// The share of all requests answered with a throttling error at
    /// random (0.0: none).
    pub throttle_probability: f64,
    /// Seeds the random throttling.
    pub seed: u64,
}

impl Config {
    pub fn new(accounts: usize) -> Config {
        Config {
            accounts,
            latency: Duration::ZERO,
            limits: None,
            throttle_probability: 0.0,
            seed: 1,
        }
    }
}

/// A token bucket: `per_second` tokens added continuously up to `burst`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rate {
    pub per_second: f64,
    pub burst: f64,
}

/// Token buckets per (caller account, operation): `default`, or the rate
/// of the first `per_operation` entry matching (`service:Operation` or
/// `service:*`).
#[derive(Clone, Debug)]
pub struct Limits {
    pub default: Rate,
    pub per_operation: Vec<(String, Rate)>,
}

impl Limits {
    /// Rates of the order AWS applies per account (AWS publishes few exact
    /// figures; these are the documented or commonly observed ones):
    /// `sts:AssumeRole` 600/s, Organizations 20/s (burst 40) shared by its
    /// operations, IAM 20/s per operation, everything else 20/s (burst 50).
    pub fn aws_like() -> Limits {
        let rate = |per_second: f64, burst: f64| Rate { per_second, burst };
        Limits {
            default: rate(20.0, 50.0),
            per_operation: vec![
                ("sts:AssumeRole".to_string(), rate(600.0, 1000.0)),
                ("organizations:*".to_string(), rate(20.0, 40.0)),
                ("iam:*".to_string(), rate(20.0, 40.0)),
            ],
        }
    }

    /// The bucket key and rate of an operation: a service-wide rule shares
    /// one bucket among the service's operations.
    fn of(&self, operation: &str) -> (String, Rate) {
        let service = operation.split(':').next().unwrap_or_default();
        for (pattern, rate) in &self.per_operation {
            if pattern == operation {
                return (operation.to_string(), *rate);
            }
            if pattern.strip_suffix(":*") == Some(service) {
                return (pattern.clone(), *rate);
            }
        }
        (operation.to_string(), self.default)
    }
}

/// What the simulator served.
#[derive(Clone, Debug, Default)]
pub struct Stats {
    /// Requests by operation (`service:Operation`), throttled ones included.
    pub requests: BTreeMap<String, u64>,
    /// Throttling answers from the token buckets, by operation.
    pub throttled_by_rate: BTreeMap<String, u64>,
    /// Throttling answers drawn at random, by operation.
    pub throttled_at_random: BTreeMap<String, u64>,
    /// Requests of operations the simulator does not know, by operation.
    pub unknown: BTreeMap<String, u64>,
    /// The most requests in flight at once.
    pub peak_in_flight: u64,
    /// The sum of every request's time in the simulator (reading to
    /// answered), in seconds: divided by the wall time, the mean number of
    /// requests in flight.
    pub busy_seconds: f64,
    /// The lower bound the token buckets put on the run: for the busiest
    /// bucket, (requests − burst) ÷ rate, in seconds.
    pub throttle_floor_seconds: f64,
    /// The bucket behind [`Stats::throttle_floor_seconds`], `account operation`.
    pub throttle_floor_bucket: String,
}

impl Stats {
    pub fn total_requests(&self) -> u64 {
        self.requests.values().sum()
    }
    pub fn throttled(&self) -> u64 {
        self.throttled_by_rate.values().sum::<u64>()
            + self.throttled_at_random.values().sum::<u64>()
    }
}

struct Bucket {
    tokens: f64,
    last: Instant,
    requests: u64,
    rate: Rate,
}

struct State {
    config: Config,
    org: Org,
    stats: Mutex<Stats>,
    /// (account, bucket key) → bucket.
    buckets: Mutex<HashMap<(u64, String), Bucket>>,
    /// Requests seen per (account, operation, region), for the random draw.
    seen: Mutex<HashMap<(u64, String, String), u64>>,
    in_flight: AtomicU64,
    /// Microseconds spent on requests, summed.
    busy_micros: AtomicU64,
}

pub struct Simulator {
    pub port: u16,
    state: Arc<State>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Simulator {
    pub fn start(config: Config) -> Simulator {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("aws-simulator")
            .enable_all()
            .build()
            .expect("simulator runtime");
        // A deep accept queue: a scan opens as many connections as it has
        // calls in flight, all at once.
        let listener = {
            let _entered = runtime.enter();
            let socket = tokio::net::TcpSocket::new_v4().expect("socket");
            socket.set_reuseaddr(true).unwrap();
            socket
                .bind("127.0.0.1:0".parse().unwrap())
                .expect("bind 127.0.0.1");
            socket.listen(4096).expect("listen")
        };
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(State {
            org: Org::new(config.accounts),
            config,
            stats: Mutex::new(Stats::default()),
            buckets: Mutex::new(HashMap::new()),
            seen: Mutex::new(HashMap::new()),
            in_flight: AtomicU64::new(0),
            busy_micros: AtomicU64::new(0),
        });
        let accept_state = state.clone();
        runtime.spawn(async move {
            loop {
                let Ok((client, _)) = listener.accept().await else {
                    continue;
                };
                let _ = client.set_nodelay(true);
                let state = accept_state.clone();
                tokio::spawn(async move {
                    let _ = serve(client, state).await;
                });
            }
        });
        Simulator {
            port,
            state,
            runtime: Some(runtime),
        }
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn org(&self) -> &Org {
        &self.state.org
    }

    /// The access key id of the management account's caller (any key the
    /// simulator did not issue is the management account's).
    pub fn management_key() -> &'static str {
        "AKIASIMMANAGEMENT001"
    }

    pub fn stats(&self) -> Stats {
        let mut stats = self.state.stats.lock().unwrap().clone();
        stats.busy_seconds = self.state.busy_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let buckets = self.state.buckets.lock().unwrap();
        for ((account, key), b) in buckets.iter() {
            let floor = (b.requests as f64 - b.rate.burst).max(0.0) / b.rate.per_second;
            if floor > stats.throttle_floor_seconds {
                stats.throttle_floor_seconds = floor;
                stats.throttle_floor_bucket = format!("{account:012} {key}");
            }
        }
        stats
    }

    /// Forgets what was served (the buckets refill).
    pub fn reset_stats(&self) {
        *self.state.stats.lock().unwrap() = Stats::default();
        self.state.buckets.lock().unwrap().clear();
        self.state.seen.lock().unwrap().clear();
        self.state.busy_micros.store(0, Ordering::Relaxed);
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

type Res<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// The wire protocol of an answer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Wire {
    /// awsQuery (IAM, STS): XML in `<OpResponse><OpResult>`.
    Query,
    /// ec2Query: XML in `<OpResponse>`, errors in `<Response><Errors>`.
    Ec2,
    /// awsJson 1.0 / 1.1 (the content type is the request's).
    Json,
    RestJson,
    /// restXml (S3, S3 Control).
    RestXml,
}

/// A successful answer's body, by protocol.
pub(crate) enum Out {
    /// The members of `<OpResult>` (awsQuery) or `<OpResponse>` (ec2Query).
    Query(String),
    Json(serde_json::Value),
    /// A whole XML document (restXml).
    Xml(String),
}

/// An AWS error answer.
#[derive(Debug, Clone)]
pub(crate) struct AwsError {
    pub status: u16,
    pub code: String,
    pub message: String,
}

impl AwsError {
    pub fn new(status: u16, code: &str, message: impl Into<String>) -> AwsError {
        AwsError {
            status,
            code: code.to_string(),
            message: message.into(),
        }
    }
}

/// One request as the services see it.
pub(crate) struct Call<'a> {
    pub org: &'a Org,
    pub req: &'a Request,
    /// The caller's account index.
    pub caller: usize,
    pub region: &'a str,
    pub method: &'a str,
    /// The path without the query string.
    pub path: &'a str,
    pub query: &'a str,
    /// The JSON body (JSON protocols), `Null` otherwise.
    pub json: serde_json::Value,
}

async fn serve(mut client: TcpStream, state: Arc<State>) -> Res<()> {
    let mut buf: Vec<u8> = Vec::new();
    loop {
        let Some(req) = read_request(&mut client, &mut buf).await? else {
            return Ok(());
        };
        let started = Instant::now();
        let now = state.in_flight.fetch_add(1, Ordering::Relaxed) + 1;
        let response = answer(&state, &req).await;
        let written = client.write_all(&response).await;
        state.in_flight.fetch_sub(1, Ordering::Relaxed);
        state
            .busy_micros
            .fetch_add(started.elapsed().as_micros() as u64, Ordering::Relaxed);
        {
            let mut stats = state.stats.lock().unwrap();
            stats.peak_in_flight = stats.peak_in_flight.max(now);
        }
        written?;
        if req.close {
            return Ok(());
        }
    }
}

async fn answer(state: &State, req: &Request) -> Vec<u8> {
    let org = &state.org;
    let caller = req
        .access_key
        .strip_prefix(ASSUMED_KEY_PREFIX)
        .and_then(|id| org.index(id))
        .unwrap_or(0);
    let (method, target) = {
        let mut parts = req.request_line.split(' ');
        (
            parts.next().unwrap_or_default(),
            parts.next().unwrap_or_default(),
        )
    };
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let wire = match (req.protocol, req.service.as_str()) {
        (_, "s3") => Wire::RestXml,
        (_, "ec2") => Wire::Ec2,
        (Protocol::Query, _) => Wire::Query,
        (Protocol::Json, _) => Wire::Json,
        (Protocol::RestJson, _) => Wire::RestJson,
        (Protocol::RestXml { .. }, _) => Wire::RestXml,
    };
    let json = if wire == Wire::Json || (wire == Wire::RestJson && !req.body.is_empty()) {
        serde_json::from_slice(&req.body).unwrap_or(serde_json::Value::Null)
    } else {
        serde_json::Value::Null
    };
    let call = Call {
        org,
        req,
        caller,
        region: &req.region,
        method,
        path,
        query,
        json,
    };
    let op = services::operation_name(&call, wire);
    let operation = format!("{}:{op}", req.service);
    {
        let mut stats = state.stats.lock().unwrap();
        *stats.requests.entry(operation.clone()).or_default() += 1;
    }
    let result = match throttled(state, caller, &operation, &req.region) {
        Some(why) => {
            let mut stats = state.stats.lock().unwrap();
            let map = if why == "rate" {
                &mut stats.throttled_by_rate
            } else {
                &mut stats.throttled_at_random
            };
            *map.entry(operation.clone()).or_default() += 1;
            Err(throttling_error(&req.service, wire))
        }
        None => match services::handle(&call, &op) {
            Some(result) => result,
            None => {
                *state
                    .stats
                    .lock()
                    .unwrap()
                    .unknown
                    .entry(operation.clone())
                    .or_default() += 1;
                Err(unknown_operation(wire, &operation))
            }
        },
    };
    if !state.config.latency.is_zero() {
        tokio::time::sleep(state.config.latency).await;
    }
    let content_type = req
        .header("content-type")
        .filter(|c| c.starts_with("application/x-amz-json"))
        .unwrap_or("application/x-amz-json-1.1")
        .to_string();
    encode(wire, &op, &req.service, &content_type, result)
}

/// Whether this request is throttled: `Some("rate")` by its token bucket,
/// `Some("random")` by the random draw.
fn throttled(state: &State, caller: usize, operation: &str, region: &str) -> Option<&'static str> {
    let account = org::MANAGEMENT + caller as u64;
    if let Some(limits) = &state.config.limits {
        let (key, rate) = limits.of(operation);
        let mut buckets = state.buckets.lock().unwrap();
        let now = Instant::now();
        let b = buckets.entry((account, key)).or_insert(Bucket {
            tokens: rate.burst,
            last: now,
            requests: 0,
            rate,
        });
        b.requests += 1;
        b.tokens =
            (b.tokens + now.duration_since(b.last).as_secs_f64() * rate.per_second).min(rate.burst);
        b.last = now;
        if b.tokens < 1.0 {
            return Some("rate");
        }
        b.tokens -= 1.0;
    }
    let p = state.config.throttle_probability;
    if p > 0.0 {
        let n = {
            let mut seen = state.seen.lock().unwrap();
            let n = seen
                .entry((account, operation.to_string(), region.to_string()))
                .or_default();
            *n += 1;
            *n
        };
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (state.config.seed, account, operation, region, n).hash(&mut h);
        let x = splitmix(h.finish());
        if (x >> 11) as f64 / (1u64 << 53) as f64 > 1.0 - p {
            return Some("random");
        }
    }
    None
}

/// The service's own throttling error.
fn throttling_error(service: &str, wire: Wire) -> AwsError {
    let message = "Rate exceeded";
    match (wire, service) {
        (Wire::Query, _) => AwsError::new(400, "Throttling", message),
        (Wire::Ec2, _) => AwsError::new(503, "RequestLimitExceeded", "Request limit exceeded."),
        (Wire::RestXml, _) => AwsError::new(503, "SlowDown", "Please reduce your request rate."),
        (Wire::Json, "organizations") => AwsError::new(400, "TooManyRequestsException", message),
        (Wire::Json, "ce") => AwsError::new(400, "LimitExceededException", message),
        (Wire::Json, _) => AwsError::new(400, "ThrottlingException", message),
        (Wire::RestJson, "access-analyzer") => AwsError::new(429, "ThrottlingException", message),
        (Wire::RestJson, _) => AwsError::new(429, "TooManyRequestsException", message),
    }
}

fn unknown_operation(wire: Wire, operation: &str) -> AwsError {
    let message = format!("the simulator does not implement {operation}");
    match wire {
        Wire::Query | Wire::Ec2 => AwsError::new(400, "InvalidAction", message),
        Wire::Json => AwsError::new(400, "UnknownOperationException", message),
        Wire::RestJson | Wire::RestXml => AwsError::new(404, "UnknownOperationException", message),
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Error",
    }
}

/// The HTTP answer in the protocol's shape.
fn encode(
    wire: Wire,
    op: &str,
    service: &str,
    json_type: &str,
    result: Result<Out, AwsError>,
) -> Vec<u8> {
    let request_id = "5im00000-0000-4000-8000-000000000000";
    let (status, headers, body): (u16, Vec<(&str, String)>, String) = match (wire, result) {
        (Wire::Query, Ok(Out::Query(inner))) => {
            let ns = match service {
                "sts" => "https://sts.amazonaws.com/doc/2011-06-15/",
                _ => "https://iam.amazonaws.com/doc/2010-05-08/",
            };
            (
                200,
                vec![("Content-Type", "text/xml".into())],
                format!(
                    "<{op}Response xmlns=\"{ns}\"><{op}Result>{inner}</{op}Result>\
                     <ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata>\
                     </{op}Response>"
                ),
            )
        }
        (Wire::Ec2, Ok(Out::Query(inner))) => (
            200,
            vec![("Content-Type", "text/xml;charset=UTF-8".into())],
            format!(
                "<{op}Response xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">\
                 <requestId>{request_id}</requestId>{inner}</{op}Response>"
            ),
        ),
        (Wire::Json | Wire::RestJson, Ok(Out::Json(v))) => {
            let ct = if wire == Wire::Json {
                json_type.to_string()
            } else {
                "application/json".to_string()
            };
            (200, vec![("Content-Type", ct)], v.to_string())
        }
        (Wire::RestXml, Ok(Out::Xml(doc))) => (
            200,
            vec![("Content-Type", "application/xml".into())],
            format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>{doc}"),
        ),
        (_, Ok(_)) => (
            500,
            vec![("Content-Type", "text/plain".into())],
            format!("simulator: {op} answered in the wrong protocol"),
        ),
        (Wire::Query, Err(e)) => (
            e.status,
            vec![("Content-Type", "text/xml".into())],
            format!(
                "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error>\
                 <Type>Sender</Type><Code>{}</Code><Message>{}</Message></Error>\
                 <RequestId>{request_id}</RequestId></ErrorResponse>",
                e.code,
                xml(&e.message)
            ),
        ),
        (Wire::Ec2, Err(e)) => (
            e.status,
            vec![("Content-Type", "text/xml;charset=UTF-8".into())],
            format!(
                "<Response><Errors><Error><Code>{}</Code><Message>{}</Message></Error></Errors>\
                 <RequestID>{request_id}</RequestID></Response>",
                e.code,
                xml(&e.message)
            ),
        ),
        (Wire::Json, Err(e)) => (
            e.status,
            vec![("Content-Type", json_type.to_string())],
            serde_json::json!({"__type": e.code, "message": e.message}).to_string(),
        ),
        (Wire::RestJson, Err(e)) => (
            e.status,
            vec![
                ("Content-Type", "application/json".into()),
                ("x-amzn-ErrorType", e.code.clone()),
            ],
            serde_json::json!({"message": e.message}).to_string(),
        ),
        // S3 Control (its one operation served) wraps its errors.
        (Wire::RestXml, Err(e)) if op == "GetPublicAccessBlock" => (
            e.status,
            vec![("Content-Type", "application/xml".into())],
            format!(
                "<ErrorResponse><Error><Code>{}</Code><Message>{}</Message></Error>\
                 <RequestId>{request_id}</RequestId></ErrorResponse>",
                e.code,
                xml(&e.message)
            ),
        ),
        (Wire::RestXml, Err(e)) => (
            e.status,
            vec![("Content-Type", "application/xml".into())],
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{}</Code>\
                 <Message>{}</Message><RequestId>{request_id}</RequestId></Error>",
                e.code,
                xml(&e.message)
            ),
        ),
    };
    let mut out = format!("HTTP/1.1 {status} {}\r\n", reason(status));
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str(&format!(
        "x-amzn-RequestId: {request_id}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    ));
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body.as_bytes());
    bytes
}

/// Text escaped for XML.
pub(crate) fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}
