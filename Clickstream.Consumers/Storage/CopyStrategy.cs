namespace Clickstream.Consumers.Storage;

/// <summary>How <see cref="PostgresClickEventStore"/> makes a COPY idempotent (measured in docs/benchmarks.md).</summary>
public enum CopyStrategy
{
    /// <summary>COPY into a temporary staging table, then INSERT ... ON CONFLICT (event_id, event_time) DO NOTHING, in one transaction.</summary>
    Staging,

    /// <summary>COPY straight into <c>events</c>; when a duplicate event_id fails it, the batch goes through staging instead.</summary>
    DirectWithStagingFallback,
}
