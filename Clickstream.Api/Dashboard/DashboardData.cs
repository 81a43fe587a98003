using Clickstream.Api.Dashboard.Figures;

namespace Clickstream.Api.Dashboard;

/// <summary>What <c>GET /dashboard/data</c> answers (snake_case JSON), once a second to each open dashboard.</summary>
/// <param name="At">When the figures were read (the API's clock).</param>
/// <param name="WindowSeconds">How many seconds the per-second series and the latency quantiles cover.</param>
/// <param name="RateSeconds">How many seconds a rate averages over.</param>
/// <param name="ConsumersInProcess">
/// False when the consumers run in another process (the worker): <paramref name="Consumers"/> is then null, since this
/// process cannot see their figures; their /metrics (or Prometheus) has them.
/// </param>
internal sealed record DashboardData(
    DateTimeOffset At,
    int WindowSeconds,
    int RateSeconds,
    IngestFigures Ingest,
    bool ConsumersInProcess,
    ConsumerFigures? Consumers,
    RecentEvents RecentEvents,
    PartitionFigures Partitions);
