using System.ComponentModel.DataAnnotations;

namespace Clickstream.Consumers.Configuration;

/// <summary>
/// How the worker batches click events from Kafka into PostgreSQL, bound from the "Ingestion" configuration section
/// (<c>Ingestion__MessageLimit</c>, ...). Named apart from MassTransit's <c>BatchOptions</c>, which it configures.
/// Combinations that cannot work fail the start (see <see cref="IngestionBatchOptionsValidator"/>).
/// </summary>
public sealed class IngestionBatchOptions
{
    public const string Section = "Ingestion";

    /// <summary>Most events in one batch, so in one COPY and one transaction. Default 1,000.</summary>
    [Range(1, 100_000)]
    public int MessageLimit { get; set; } = 1000;

    /// <summary>How long a batch waits to fill before it is stored anyway: the latency bound at low traffic. Default 1 s.</summary>
    public TimeSpan TimeLimit { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Batches stored at the same time, each on its own connection. Default 2: the next batch fills while the
    /// previous one commits, instead of fetching stopping for every commit.
    /// </summary>
    [Range(1, 64)]
    public int ConcurrencyLimit { get; set; } = 2;

    /// <summary>
    /// Messages in flight on the topic endpoint (fetched ahead plus being stored). Null: MessageLimit × ConcurrencyLimit,
    /// the least that lets every batch fill. A value below that fails the start instead of silently capping batches.
    /// </summary>
    public int? ConcurrentMessageLimit { get; set; }

    /// <summary>Commit offsets at least this often while batches complete. Default 1 s.</summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Commit offsets sooner after this many events were stored. Default 5,000.</summary>
    [Range(1, int.MaxValue)]
    public int CheckpointMessageCount { get; set; } = 5000;

    /// <summary>On revocation and stop, how long in-flight batches may take to finish before offsets are committed. Default 30 s.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The host's shutdown timeout. It must outlast <see cref="DrainTimeout"/> plus a batch's <see cref="TimeLimit"/>:
    /// when it runs out, batches still storing are abandoned uncommitted (redelivered after restart). Default 45 s.
    /// </summary>
    public TimeSpan ShutdownTimeout { get; set; } = Clickstream.ServiceDefaults.Hosting.ShutdownTimeout.Default;

    /// <summary>
    /// A partition with lag (events received or waiting, not committed) whose commits have not moved for this long is
    /// stalled: the worker's readiness turns unhealthy and names it. Must exceed <see cref="CheckpointInterval"/> and
    /// <see cref="TimeLimit"/>, which delay commits in normal work. Default 2 min.
    /// </summary>
    public TimeSpan StallAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The in-flight limit the topic endpoint gets.</summary>
    public int EffectiveConcurrentMessageLimit => ConcurrentMessageLimit ?? MessageLimit * ConcurrencyLimit;
}
