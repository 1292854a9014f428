//! cloudtrail: every trail visible in the audited regions (own, shadow and
//! organization trails), with status and event selectors.

use std::collections::BTreeMap;

use aws_sdk_cloudtrail::Client;
use futures::future::try_join_all;

use super::context::{ts, Ctx};
use crate::snapshot::{
    AdvancedEventSelector, AdvancedFieldSelector, CloudTrail, CollectError, EventSelector, Trail,
    TrailStatus,
};

/// `DescribeTrails` (shadow trails included) in each region, deduplicated by
/// ARN; then `GetTrailStatus` and `GetEventSelectors` once per trail, in its
/// home region when that region is audited. `client_for` gives the client of
/// a region. Any failure makes the whole section an error: a trail whose
/// status is unknown must not look like a trail that is not logging.
///
/// A trail of another account (an organization trail seen from a member)
/// cannot be asked about from here: AWS answers `TrailNotFoundException` or
/// `CloudTrailARNInvalidException`. It is listed without status and
/// selectors; the analysis judges it from its owner's copy.
pub async fn collect<F>(
    ctx: &Ctx,
    account_id: &str,
    regions: &[String],
    client_for: F,
) -> Result<CloudTrail, CollectError>
where
    F: Fn(&str) -> Client,
{
    let clients: BTreeMap<&str, Client> = regions
        .iter()
        .map(|r| (r.as_str(), client_for(r)))
        .collect();
    let listed = try_join_all(clients.iter().map(|(region, client)| async move {
        let out = ctx
            .call(
                "cloudtrail:DescribeTrails",
                Some(region),
                client.describe_trails().include_shadow_trails(true).send(),
            )
            .await?;
        Ok::<_, CollectError>((*region, out.trail_list.unwrap_or_default()))
    }))
    .await?;

    // One entry per trail ARN, with the region to ask about it.
    let mut trails: BTreeMap<String, (&str, aws_sdk_cloudtrail::types::Trail)> = BTreeMap::new();
    for (region, list) in listed {
        for trail in list {
            let arn = trail.trail_arn.clone().unwrap_or_default();
            let home = trail.home_region.clone().unwrap_or_default();
            let ask = clients
                .get_key_value(home.as_str())
                .map(|(k, _)| *k)
                .unwrap_or(region);
            trails.entry(arn).or_insert((ask, trail));
        }
    }

    let details = try_join_all(trails.into_iter().map(|(arn, (region, t))| {
        let client = &clients[region];
        async move {
            let status = ctx.call(
                "cloudtrail:GetTrailStatus",
                Some(region),
                client.get_trail_status().name(&arn).send(),
            );
            let selectors = ctx.call(
                "cloudtrail:GetEventSelectors",
                Some(region),
                client.get_event_selectors().trail_name(&arn).send(),
            );
            let listed = Trail {
                name: t.name.unwrap_or_default(),
                arn: arn.clone(),
                home_region: t.home_region.unwrap_or_default(),
                is_multi_region_trail: t.is_multi_region_trail.unwrap_or(false),
                is_organization_trail: t.is_organization_trail.unwrap_or(false),
                include_global_service_events: t.include_global_service_events.unwrap_or(false),
                log_file_validation_enabled: t.log_file_validation_enabled.unwrap_or(false),
                s3_bucket_name: t.s3_bucket_name,
                kms_key_id: t.kms_key_id,
                cloud_watch_logs_log_group_arn: t.cloud_watch_logs_log_group_arn,
                status: None,
                event_selectors: Vec::new(),
                advanced_event_selectors: Vec::new(),
            };
            let owner = arn.split(':').nth(4).unwrap_or_default();
            if owner != account_id {
                return Ok::<_, CollectError>(listed);
            }
            let (status, selectors) = futures::try_join!(status, selectors)?;
            Ok::<_, CollectError>(Trail {
                status: Some(TrailStatus {
                    is_logging: status.is_logging.unwrap_or(false),
                    latest_delivery_error: status.latest_delivery_error,
                    latest_delivery_time: ts(status.latest_delivery_time.as_ref()),
                }),
                event_selectors: selectors
                    .event_selectors
                    .unwrap_or_default()
                    .into_iter()
                    .map(|s| EventSelector {
                        read_write_type: s.read_write_type.map(|t| t.as_str().to_string()),
                        include_management_events: s.include_management_events,
                        exclude_management_event_sources: s
                            .exclude_management_event_sources
                            .unwrap_or_default(),
                    })
                    .collect(),
                advanced_event_selectors: selectors
                    .advanced_event_selectors
                    .unwrap_or_default()
                    .into_iter()
                    .map(|s| AdvancedEventSelector {
                        name: s.name,
                        field_selectors: s
                            .field_selectors
                            .into_iter()
                            .map(|f| AdvancedFieldSelector {
                                field: f.field,
                                equals: f.equals.unwrap_or_default(),
                                not_equals: f.not_equals.unwrap_or_default(),
                                starts_with: f.starts_with.unwrap_or_default(),
                                not_starts_with: f.not_starts_with.unwrap_or_default(),
                                ends_with: f.ends_with.unwrap_or_default(),
                                not_ends_with: f.not_ends_with.unwrap_or_default(),
                            })
                            .collect(),
                    })
                    .collect(),
                ..listed
            })
        }
    }))
    .await?;
    Ok(CloudTrail { trails: details })
}
