//! What a CloudTrail trail really records and delivers.
//!
//! "Logs all management events" is judged as AWS Config's
//! `multi-region-cloudtrail-enabled` and CloudTrail itself define it:
//!
//! - **Classic selectors**: read events are recorded by the selectors with
//!   `IncludeManagementEvents` (AWS's default: true) and `ReadWriteType` `All`
//!   or `ReadOnly`, write events by those with `All` or `WriteOnly`. A
//!   selector with `ExcludeManagementEventSources` records every management
//!   event but those sources'; a direction is fully recorded when no event
//!   source is excluded by *every* selector that records it.
//! - **Advanced selectors** (when present, classic ones are ignored, as AWS
//!   does): a selector records management events when it has
//!   `eventCategory` equal to `Management`. It records all of them in the
//!   directions its `readOnly` filter lets through, provided it has no other
//!   field filter (an `eventSource` `NotEquals`/`NotStartsWith` excludes
//!   sources; any other filter narrows it). Two selectors that split
//!   `readOnly` true and false record everything together.
//! - **Delivering**: `IsLogging` and no `LatestDeliveryError` (a trail that
//!   logs but cannot write to its bucket delivers nothing).

use std::collections::BTreeSet;

use schemars::JsonSchema;
use serde::Serialize;

use crate::snapshot::{AdvancedEventSelector, Trail};

/// A trail as judged: from its own account's copy, or, for an organization
/// trail seen from a member, from the copy of the account that owns it.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct TrailEffective {
    /// The account whose copy of the trail was judged.
    pub judged_in: String,
    pub is_multi_region: bool,
    pub is_logging: bool,
    /// The latest delivery error, if any.
    pub delivery_error: Option<String>,
    /// Logging and no delivery error.
    pub delivering: bool,
    /// Every read and write management event of every source is recorded.
    pub all_management_events: bool,
    /// Why not (empty when they are): "write events not recorded",
    /// "excludes kms.amazonaws.com"…
    pub management_event_gaps: Vec<String>,
    /// All three: multi-region, delivering, and every management event
    /// recorded (what `cloudtrail-multi-region-logging` asks of a trail).
    pub complete: bool,
}

/// Judges `trail` (the owner's copy) for `judged_in`.
pub fn effective(trail: &Trail, judged_in: &str) -> TrailEffective {
    let gaps = management_event_gaps(trail);
    let (is_logging, delivery_error) = match &trail.status {
        Some(s) => (
            s.is_logging,
            s.latest_delivery_error.clone().filter(|e| !e.is_empty()),
        ),
        None => (false, None),
    };
    let delivering = is_logging && delivery_error.is_none();
    TrailEffective {
        judged_in: judged_in.to_string(),
        is_multi_region: trail.is_multi_region_trail,
        is_logging,
        delivering,
        delivery_error,
        all_management_events: gaps.is_empty(),
        complete: trail.is_multi_region_trail && delivering && gaps.is_empty(),
        management_event_gaps: gaps,
    }
}

/// The two directions of management events.
#[derive(Clone, Copy)]
enum Direction {
    Read,
    Write,
}

impl Direction {
    fn name(self) -> &'static str {
        match self {
            Direction::Read => "read",
            Direction::Write => "write",
        }
    }
}

fn management_event_gaps(trail: &Trail) -> Vec<String> {
    if !trail.advanced_event_selectors.is_empty() {
        return advanced_gaps(&trail.advanced_event_selectors);
    }
    if trail.event_selectors.is_empty() {
        return vec!["no event selectors: records no management events".to_string()];
    }
    let mut gaps = Vec::new();
    for dir in [Direction::Read, Direction::Write] {
        let recording: Vec<&crate::snapshot::EventSelector> = trail
            .event_selectors
            .iter()
            .filter(|s| s.include_management_events.unwrap_or(true))
            .filter(|s| {
                let rw = s.read_write_type.as_deref().unwrap_or("All");
                rw == "All"
                    || matches!((dir, rw), (Direction::Read, "ReadOnly"))
                    || matches!((dir, rw), (Direction::Write, "WriteOnly"))
            })
            .collect();
        if recording.is_empty() {
            gaps.push(format!(
                "{} management events not recorded (ReadWriteType)",
                dir.name()
            ));
            continue;
        }
        // Sources excluded by every selector that records this direction.
        let mut excluded: Option<BTreeSet<&str>> = None;
        for s in &recording {
            let mine: BTreeSet<&str> = s
                .exclude_management_event_sources
                .iter()
                .map(String::as_str)
                .collect();
            excluded = Some(match excluded {
                None => mine,
                Some(e) => e.intersection(&mine).copied().collect(),
            });
        }
        for source in excluded.unwrap_or_default() {
            gaps.push(format!(
                "{} management events of {source} excluded (ExcludeManagementEventSources)",
                dir.name()
            ));
        }
    }
    gaps
}

/// What one advanced selector records of management events.
struct Coverage {
    read: bool,
    write: bool,
    /// Why it does not record all of them in its directions.
    narrowed: Vec<String>,
}

fn advanced_coverage(selector: &AdvancedEventSelector) -> Option<Coverage> {
    let fields = &selector.field_selectors;
    let management = fields
        .iter()
        .any(|f| f.field == "eventCategory" && f.equals.iter().any(|v| v == "Management"));
    if !management {
        return None;
    }
    let (mut read, mut write) = (true, true);
    let mut narrowed = Vec::new();
    for f in fields {
        match f.field.as_str() {
            "eventCategory" => {
                let other_operators = !f.not_equals.is_empty()
                    || !f.starts_with.is_empty()
                    || !f.not_starts_with.is_empty()
                    || !f.ends_with.is_empty()
                    || !f.not_ends_with.is_empty();
                if other_operators {
                    narrowed.push("eventCategory filtered beyond Equals Management".to_string());
                }
            }
            "readOnly" => {
                let allows = |v: &str| {
                    (f.equals.is_empty() || f.equals.iter().any(|e| e == v))
                        && !f.not_equals.iter().any(|e| e == v)
                };
                read &= allows("true");
                write &= allows("false");
                if !f.starts_with.is_empty()
                    || !f.not_starts_with.is_empty()
                    || !f.ends_with.is_empty()
                    || !f.not_ends_with.is_empty()
                {
                    narrowed.push("readOnly filtered by a pattern".to_string());
                }
            }
            "eventSource" => {
                for v in &f.not_equals {
                    narrowed.push(format!("excludes {v} (eventSource NotEquals)"));
                }
                for v in &f.not_starts_with {
                    narrowed.push(format!("excludes {v}* (eventSource NotStartsWith)"));
                }
                for v in &f.not_ends_with {
                    narrowed.push(format!("excludes *{v} (eventSource NotEndsWith)"));
                }
                if !f.equals.is_empty() || !f.starts_with.is_empty() || !f.ends_with.is_empty() {
                    narrowed.push("records only some event sources (eventSource)".to_string());
                }
            }
            other => narrowed.push(format!("filtered on {other}")),
        }
    }
    Some(Coverage {
        read,
        write,
        narrowed,
    })
}

fn advanced_gaps(selectors: &[AdvancedEventSelector]) -> Vec<String> {
    let coverages: Vec<Coverage> = selectors.iter().filter_map(advanced_coverage).collect();
    if coverages.is_empty() {
        return vec!["no advanced selector records management events".to_string()];
    }
    let mut gaps = Vec::new();
    for dir in [Direction::Read, Direction::Write] {
        let covers = |c: &Coverage| match dir {
            Direction::Read => c.read,
            Direction::Write => c.write,
        };
        if coverages.iter().any(|c| covers(c) && c.narrowed.is_empty()) {
            continue;
        }
        let narrowed: BTreeSet<&str> = coverages
            .iter()
            .filter(|c| covers(c))
            .flat_map(|c| c.narrowed.iter().map(String::as_str))
            .collect();
        if narrowed.is_empty() {
            gaps.push(format!(
                "{} management events not recorded (readOnly)",
                dir.name()
            ));
        } else {
            for n in narrowed {
                gaps.push(format!("{} management events: {n}", dir.name()));
            }
        }
    }
    gaps
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::{AdvancedFieldSelector, EventSelector, TrailStatus};

    fn trail() -> Trail {
        Trail {
            name: "t".into(),
            arn: "arn:aws:cloudtrail:us-east-1:111111111111:trail/t".into(),
            is_multi_region_trail: true,
            status: Some(TrailStatus {
                is_logging: true,
                latest_delivery_error: None,
                latest_delivery_time: None,
            }),
            ..Trail::default()
        }
    }

    fn classic(rw: &str, include: bool, exclude: &[&str]) -> EventSelector {
        EventSelector {
            read_write_type: Some(rw.into()),
            include_management_events: Some(include),
            exclude_management_event_sources: exclude.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn field(name: &str, equals: &[&str], not_equals: &[&str]) -> AdvancedFieldSelector {
        AdvancedFieldSelector {
            field: name.into(),
            equals: equals.iter().map(|s| s.to_string()).collect(),
            not_equals: not_equals.iter().map(|s| s.to_string()).collect(),
            ..AdvancedFieldSelector::default()
        }
    }

    fn advanced(fields: Vec<AdvancedFieldSelector>) -> AdvancedEventSelector {
        AdvancedEventSelector {
            name: None,
            field_selectors: fields,
        }
    }

    #[test]
    fn classic_selectors() {
        let mut t = trail();
        t.event_selectors = vec![classic("All", true, &[])];
        assert!(effective(&t, "1").all_management_events);
        t.event_selectors = vec![classic("WriteOnly", true, &[])];
        let e = effective(&t, "1");
        assert!(!e.all_management_events);
        assert!(e.management_event_gaps[0].starts_with("read"));
        t.event_selectors = vec![
            classic("ReadOnly", true, &[]),
            classic("WriteOnly", true, &[]),
        ];
        assert!(effective(&t, "1").all_management_events);
        t.event_selectors = vec![classic("All", true, &["kms.amazonaws.com"])];
        let e = effective(&t, "1");
        assert_eq!(e.management_event_gaps.len(), 2);
        assert!(e.management_event_gaps[0].contains("kms.amazonaws.com"));
        // Excluded by one selector, recorded by another.
        t.event_selectors = vec![
            classic("All", true, &["kms.amazonaws.com"]),
            classic("All", true, &["rdsdata.amazonaws.com"]),
        ];
        assert!(effective(&t, "1").all_management_events);
        t.event_selectors = vec![classic("All", false, &[])];
        assert!(!effective(&t, "1").all_management_events);
        t.event_selectors = vec![];
        assert!(!effective(&t, "1").all_management_events);
    }

    #[test]
    fn advanced_selectors() {
        let mut t = trail();
        t.advanced_event_selectors =
            vec![advanced(vec![field("eventCategory", &["Management"], &[])])];
        assert!(effective(&t, "1").all_management_events);
        // Read and write split over two selectors: everything together.
        t.advanced_event_selectors = vec![
            advanced(vec![
                field("eventCategory", &["Management"], &[]),
                field("readOnly", &["true"], &[]),
            ]),
            advanced(vec![
                field("eventCategory", &["Management"], &[]),
                field("readOnly", &["false"], &[]),
            ]),
        ];
        assert!(effective(&t, "1").all_management_events);
        // Only writes.
        t.advanced_event_selectors = vec![advanced(vec![
            field("eventCategory", &["Management"], &[]),
            field("readOnly", &[], &["true"]),
        ])];
        let e = effective(&t, "1");
        assert_eq!(
            e.management_event_gaps,
            vec!["read management events not recorded (readOnly)"]
        );
        // Excluded sources.
        t.advanced_event_selectors = vec![advanced(vec![
            field("eventCategory", &["Management"], &[]),
            field("eventSource", &[], &["kms.amazonaws.com"]),
        ])];
        assert!(!effective(&t, "1").all_management_events);
        let mut f = field("eventSource", &[], &[]);
        f.not_starts_with = vec!["kms".into()];
        t.advanced_event_selectors = vec![advanced(vec![
            field("eventCategory", &["Management"], &[]),
            f,
        ])];
        assert!(!effective(&t, "1").all_management_events);
        // Data events only.
        t.advanced_event_selectors = vec![advanced(vec![field("eventCategory", &["Data"], &[])])];
        assert!(!effective(&t, "1").all_management_events);
    }

    #[test]
    fn delivery() {
        let mut t = trail();
        t.event_selectors = vec![classic("All", true, &[])];
        assert!(effective(&t, "1").delivering);
        t.status.as_mut().unwrap().latest_delivery_error = Some("AccessDenied".into());
        let e = effective(&t, "1");
        assert!(e.is_logging && !e.delivering);
        t.status = None;
        assert!(!effective(&t, "1").delivering);
    }
}
