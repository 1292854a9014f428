//! Rendering benchmark: a synthetic 10,000-account report (36 findings per
//! account: 25 account rules, 2 of them manual, one per-user rule over 3
//! users and 2 regional rules over 4 regions — 360,000 findings), rendered in
//! every format, plus `diff` of two such reports.
//!
//! Status mix: 1 % of accounts unreachable (all ERROR); otherwise about 12 %
//! FAIL, 3 % WAIVED, 2 % ERROR, the rest PASS.
//!
//! `cargo bench --bench render [-- ACCOUNTS]` prints, per format, the render
//! time, the output size and the peak memory the renderer allocated beyond
//! the report (the output goes to a sink that counts bytes, as a file would
//! take them: a renderer that streams needs little). Targets (issues 5 and
//! 12): < 2 s each, HTML < 20 MB.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use orgaudit::findings::Status;
use orgaudit::report::{write, write_files, Files, Format, RenderError, RenderOptions};

#[path = "support/synthetic_report.rs"]
mod synthetic_report;
use synthetic_report::report;

/// The system allocator, counting the bytes in use and their peak.
struct Counting;

static IN_USE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = IN_USE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        unsafe { System.dealloc(p, layout) };
        IN_USE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, p: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let q = unsafe { System.realloc(p, layout, new_size) };
        if !q.is_null() {
            if new_size > layout.size() {
                let now = IN_USE.fetch_add(new_size - layout.size(), Ordering::Relaxed)
                    + (new_size - layout.size());
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                IN_USE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        q
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Starts measuring: the peak from now on, above what is in use now.
fn measure() -> usize {
    let base = IN_USE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    base
}

fn peak_above(base: usize) -> f64 {
    PEAK.load(Ordering::Relaxed).saturating_sub(base) as f64 / 1e6
}

/// Files that count what they are given and keep nothing.
struct SinkFiles(Vec<std::io::BufWriter<Sink>>);

impl Files for SinkFiles {
    fn next_file(&mut self) -> Result<&mut dyn std::io::Write, RenderError> {
        self.0.push(std::io::BufWriter::with_capacity(
            256 * 1024,
            Sink::default(),
        ));
        Ok(self.0.last_mut().expect("just pushed"))
    }
}

/// An output that counts what it is given and keeps nothing.
#[derive(Default)]
struct Sink(usize);

impl std::io::Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn main() {
    // `cargo bench` passes `--bench`; anything else (`cargo test --all-targets`)
    // gets a quick smoke run.
    let benching = std::env::args().any(|a| a == "--bench");
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(if benching { 10_000 } else { 20 });
    let t = Instant::now();
    let r = report(n, 1);
    let s = &r.summary;
    println!(
        "report: {n} accounts, {} findings (FAIL {}, ERROR {}, WAIVED {}, MANUAL {}, PASS {}), built in {:.2} s",
        s.total,
        s.count(Status::Fail),
        s.count(Status::Error),
        s.count(Status::Waived),
        s.count(Status::Manual),
        s.count(Status::Pass),
        t.elapsed().as_secs_f64()
    );
    println!(
        "{:<10} {:>10} {:>12} {:>12}",
        "format", "time (s)", "size (MB)", "peak (MB)"
    );
    let mut worst = 0f64;
    for format in Format::ALL {
        let mut out = std::io::BufWriter::with_capacity(256 * 1024, Sink::default());
        let base = measure();
        let t = Instant::now();
        let mut files = SinkFiles(Vec::new());
        if format == Format::Sarif {
            // Within code scanning's limits a large report is several files
            // (`--output DIR/`); one output refuses it.
            write_files(&r, format, &RenderOptions::plain(), &mut files).expect("renders");
        } else {
            write(&r, format, &RenderOptions::plain(), &mut out).expect("renders");
        }
        let secs = t.elapsed().as_secs_f64();
        let size = out.into_inner().map_err(|_| "flush").unwrap().0
            + files
                .0
                .into_iter()
                .map(|f| f.into_inner().map_err(|_| "flush").unwrap().0)
                .sum::<usize>();
        let peak = peak_above(base);
        worst = worst.max(secs);
        println!(
            "{:<10} {:>10.3} {:>12.1} {:>12.1}",
            format.as_str(),
            secs,
            size as f64 / 1e6,
            peak
        );
        if format == Format::Html {
            assert!(size < 20_000_000, "HTML over 20 MB: {size} bytes");
        }
    }
    let newer = report(n, 2);
    let t = Instant::now();
    let d = orgaudit::diff::compare(&r, &newer);
    let compare = t.elapsed().as_secs_f64();
    for f in [
        orgaudit::diff::DiffFormat::Table,
        orgaudit::diff::DiffFormat::Json,
        orgaudit::diff::DiffFormat::Markdown,
    ] {
        let t = Instant::now();
        let text = orgaudit::diff::render(&d, f, &RenderOptions::plain()).unwrap();
        println!(
            "diff {:<5} {:>10.3} {:>12.1}   (compare {:.3} s; {} new, {} fixed, {} still failing)",
            format!("{f:?}").to_lowercase(),
            t.elapsed().as_secs_f64(),
            text.len() as f64 / 1e6,
            compare,
            d.summary.new,
            d.summary.fixed,
            d.summary.still_failing
        );
    }
    println!("slowest format: {worst:.3} s (target < 2 s)");
}
