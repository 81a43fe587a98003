using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Clickstream.Consumers.Configuration;

/// <summary>Fails the start, naming the settings, when the ingestion settings cannot work together.</summary>
internal sealed class IngestionBatchOptionsValidator(IConfiguration configuration) : IValidateOptions<IngestionBatchOptions>
{
    public ValidateOptionsResult Validate(string? name, IngestionBatchOptions options)
    {
        var failures = Failures(options).ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private IEnumerable<string> Failures(IngestionBatchOptions o)
    {
        const string s = IngestionBatchOptions.Section;
        if (o.TimeLimit <= TimeSpan.Zero)
            yield return $"{s}:TimeLimit must be positive (got {o.TimeLimit}).";
        if (o.CheckpointInterval <= TimeSpan.Zero)
            yield return $"{s}:CheckpointInterval must be positive (got {o.CheckpointInterval}).";
        if (o.DrainTimeout <= TimeSpan.Zero)
            yield return $"{s}:DrainTimeout must be positive (got {o.DrainTimeout}).";
        if (o.ConcurrentMessageLimit is { } limit && limit < (long)o.MessageLimit * o.ConcurrencyLimit)
            yield return $"{s}:ConcurrentMessageLimit ({limit}) is below MessageLimit × ConcurrencyLimit ({o.MessageLimit} × {o.ConcurrencyLimit}): "
                + "batches could never fill. Raise it, or leave it unset to use that product.";
        if (o.DrainTimeout <= o.TimeLimit)
            yield return $"{s}:DrainTimeout ({o.DrainTimeout}) must exceed TimeLimit ({o.TimeLimit}): a stopping worker could not even finish a waiting batch.";
        if (o.ShutdownTimeout <= o.DrainTimeout + o.TimeLimit)
            yield return $"{s}:ShutdownTimeout ({o.ShutdownTimeout}) must exceed DrainTimeout + TimeLimit ({o.DrainTimeout + o.TimeLimit}): "
                + "otherwise the host abandons draining batches and their offsets are never committed.";
        if (o.StallAfter <= o.CheckpointInterval || o.StallAfter <= o.TimeLimit)
            yield return $"{s}:StallAfter ({o.StallAfter}) must exceed CheckpointInterval ({o.CheckpointInterval}) and TimeLimit ({o.TimeLimit}): "
                + "a partition would look stalled while a batch fills or between two commits.";

        if (PoolSize() is { } pool && pool < o.ConcurrencyLimit)
            yield return $"{s}:ConcurrencyLimit ({o.ConcurrencyLimit}) exceeds the connection string's Maximum Pool Size ({pool}): "
                + "concurrent batches would time out waiting for a connection.";
    }

    private int? PoolSize()
    {
        try
        {
            // Read from configuration, not IOptions<EventStoreOptions>: resolving those would validate them here, and their
            // own failures belong in their own report.
            var cs = configuration[$"{EventStoreOptions.Section}:ConnectionString"] ?? configuration.GetConnectionString(EventStoreOptions.ConnectionStringName);
            return cs is { Length: > 0 } ? new NpgsqlConnectionStringBuilder(cs).MaxPoolSize : null;
        }
        catch (ArgumentException)
        {
            return null; // EventStoreOptionsValidator reports the malformed connection string.
        }
    }
}
