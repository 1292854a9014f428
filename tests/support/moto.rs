//! Starts a moto server (the AWS emulator, PyPI `moto[server]`) on 127.0.0.1
//! on a free port for one test, and stops it when dropped.
//!
//! Where moto comes from, first found wins: `ORGAUDIT_MOTO_SERVER` (a path to
//! `moto_server`), the repository's `.venv-moto` (made by
//! `scripts/moto-server.sh install`), `moto_server` on `PATH`; else the
//! script is run once to install it. When moto cannot be had at all the test
//! is skipped with a loud message — except under CI (`CI` set), where that is
//! a failure.

#![allow(dead_code)]

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

pub struct Moto {
    child: Child,
    pub port: u16,
    scheme: &'static str,
}

impl Moto {
    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The endpoint URL every client should use.
    pub fn endpoint(&self) -> String {
        format!("{}://127.0.0.1:{}", self.scheme, self.port)
    }

    /// Starts a fresh server, or `None` (after saying so loudly) when moto is
    /// not available outside CI.
    pub fn start() -> Option<Moto> {
        Moto::start_with_env(&[])
    }

    /// [`Moto::start`] with more environment for the server (they win over
    /// the defaults): `MOTO_IAM_LOAD_MANAGED_POLICIES=false` makes creating
    /// many accounts much faster, for organizations that attach no
    /// AWS-managed policy.
    pub fn start_with_env(env: &[(&str, &str)]) -> Option<Moto> {
        Moto::spawn(env, &[], "http")
    }

    /// [`Moto::start`] serving HTTPS only, with this certificate chain and
    /// key (PEM files); [`Moto::endpoint`] is then an `https://` URL.
    pub fn start_tls(cert: &std::path::Path, key: &std::path::Path) -> Option<Moto> {
        let args = [
            "-c".to_string(),
            cert.display().to_string(),
            "-k".to_string(),
            key.display().to_string(),
        ];
        Moto::spawn(&[], &args, "https")
    }

    /// The Python that runs moto (with the packages of its venv, e.g.
    /// `cryptography`), or `None` as for [`Moto::start`].
    pub fn python() -> Option<PathBuf> {
        let bin = moto_server()?;
        let python = bin.with_file_name("python");
        Some(if python.exists() {
            python
        } else {
            PathBuf::from("python3")
        })
    }

    fn spawn(env: &[(&str, &str)], args: &[String], scheme: &'static str) -> Option<Moto> {
        let Some(bin) = moto_server() else {
            let msg = "moto server is not available: install it with \
                       `scripts/moto-server.sh install` (needs python3 and PyPI)";
            if std::env::var_os("CI").is_some() {
                panic!("{msg}");
            }
            eprintln!("\n\n!!!!! SKIPPED: {msg} !!!!!\n");
            return None;
        };
        let port = free_port();
        let child = Command::new(&bin)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .args(args)
            .env("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
        let moto = Moto {
            child,
            port,
            scheme,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "moto server did not start within 30 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(moto)
    }
}

impl Moto {
    /// Switches moto's IAM enforcement on or off (`POST /moto-api/reset-auth`:
    /// the runtime form of `INITIAL_NO_AUTH_ACTION_COUNT`, 0 or infinite).
    /// When on, every request must be signed by a principal that exists in
    /// moto (an IAM user's key, or an assumed role's session) and whose
    /// policies allow the action.
    pub fn enforce_iam(&self, on: bool) {
        use std::io::{Read, Write};
        let body = if on { "0" } else { "inf" };
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect to moto");
        write!(
            stream,
            "POST /moto-api/reset-auth HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.port,
            body.len()
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        assert!(
            response.starts_with("HTTP/1.1 200") || response.starts_with("HTTP/1.0 200"),
            "reset-auth: {response}"
        );
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port on 127.0.0.1")
}

fn moto_server() -> Option<PathBuf> {
    static FOUND: OnceLock<Mutex<Option<PathBuf>>> = OnceLock::new();
    let lock = FOUND.get_or_init(|| Mutex::new(find_or_install()));
    lock.lock().unwrap().clone()
}

fn find_or_install() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("ORGAUDIT_MOTO_SERVER") {
        return Some(PathBuf::from(p));
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let venv = root.join(".venv-moto/bin/moto_server");
    if venv.exists() {
        return Some(venv);
    }
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join("moto_server");
            if candidate.exists() {
                return Some(candidate);
            }
        }
    }
    let status = Command::new("bash")
        .arg(root.join("scripts/moto-server.sh"))
        .arg("install")
        .status();
    match status {
        Ok(s) if s.success() && venv.exists() => Some(venv),
        _ => None,
    }
}
