using Clickstream.Api.Configuration;
using Clickstream.Api.Dashboard;
using Clickstream.Api.Ingestion;
using Clickstream.Api.Publishing;
using Clickstream.Api.Telemetry;
using Microsoft.Extensions.Options;

namespace Clickstream.Api.Apis;

/// <summary>What the event endpoints need, bound with [AsParameters].</summary>
internal sealed record IngestionServices(HttpContext Context, ClickEventRequestReader Reader, ClickEventPublisher Publisher,
    IOptions<PublishOptions> Publishing, IngestionMetrics Metrics, RecentlyAccepted RecentlyAccepted);
