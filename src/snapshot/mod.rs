//! The snapshot: every fact collected about an organization, as typed, versioned,
//! serializable data. Collectors fill it, rules read it; nothing here judges.
//!
//! Every fact section is a [`Section`]: it records whether the facts were
//! obtained (`ok`), could not be read (`error`, with the API operation and the
//! error code), or were not collected at all (`not_collected`, with why).

mod model;
pub mod reference;
pub mod schema;

pub use model::*;

use std::path::Path;

/// The snapshot format this build writes. The major part must match on load.
pub const SCHEMA_VERSION: &str = "1.0";

/// Errors loading or saving a snapshot.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("cannot read snapshot {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: not a valid orgaudit snapshot: {message}")]
    Parse {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error(
        "{path}: snapshot schema version {found} is not supported by this orgaudit \
         (it reads {SCHEMA_VERSION}); use an orgaudit release that matches the snapshot"
    )]
    Version { path: String, found: String },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

impl Snapshot {
    /// Loads and validates a snapshot file.
    pub fn load(path: &Path) -> Result<Snapshot, SnapshotError> {
        let text = std::fs::read_to_string(path).map_err(|source| SnapshotError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_json(&text, &path.display().to_string())
    }

    /// Parses a snapshot from JSON text; `origin` names it in errors.
    pub fn from_json(text: &str, origin: &str) -> Result<Snapshot, SnapshotError> {
        // Check the version first, so that a future snapshot gets a version error
        // rather than a confusing field error.
        #[derive(serde::Deserialize)]
        struct Probe {
            schema_version: Option<serde_json::Value>,
        }
        let parse_err = |e: serde_json::Error| SnapshotError::Parse {
            path: origin.to_string(),
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        };
        let probe: Probe = serde_json::from_str(text).map_err(parse_err)?;
        match probe.schema_version {
            Some(serde_json::Value::String(v)) => {
                let major = v.split('.').next().unwrap_or_default();
                let ours = SCHEMA_VERSION.split('.').next().unwrap_or_default();
                if major != ours {
                    return Err(SnapshotError::Version {
                        path: origin.to_string(),
                        found: v,
                    });
                }
            }
            _ => {
                return Err(SnapshotError::Invalid {
                    path: origin.to_string(),
                    message: "missing \"schema_version\": this is not an orgaudit snapshot"
                        .to_string(),
                })
            }
        }
        let snapshot: Snapshot = serde_json::from_str(text).map_err(parse_err)?;
        snapshot
            .validate()
            .map_err(|message| SnapshotError::Invalid {
                path: origin.to_string(),
                message,
            })?;
        Ok(snapshot)
    }

    /// Structural checks serde cannot express.
    pub fn validate(&self) -> Result<(), String> {
        let mut seen = std::collections::BTreeSet::new();
        for account in &self.accounts {
            if !seen.insert(account.id.as_str()) {
                return Err(format!("account {} appears twice", account.id));
            }
        }
        let managements = self.accounts.iter().filter(|a| a.is_management).count();
        if managements > 1 {
            return Err(format!(
                "{managements} accounts are marked is_management; an organization has one"
            ));
        }
        Ok(())
    }

    /// Writes the snapshot atomically (temp file + rename): never half-written.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let text = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        crate::fsutil::write_atomic(path, text.as_bytes())
    }

    /// The management account's facts, when the snapshot has them.
    pub fn management(&self) -> Option<&Account> {
        self.accounts.iter().find(|a| a.is_management)
    }
}
