//! Renderers (placeholder: JSON only until the renderer branch lands).

use crate::findings::Report;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Sarif,
    Junit,
    Markdown,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RenderOptions {
    pub color: bool,
    pub width: Option<u16>,
}

impl RenderOptions {
    pub fn for_stream(_is_terminal: bool) -> RenderOptions {
        RenderOptions::default()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("cannot serialize the report as JSON: {0}")]
    Json(#[from] serde_json::Error),
}

pub fn render(
    report: &Report,
    _format: Format,
    _opts: &RenderOptions,
) -> Result<String, RenderError> {
    let mut s = serde_json::to_string_pretty(report)?;
    s.push('\n');
    Ok(s)
}
