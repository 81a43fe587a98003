using Clickstream.ServiceDefaults.Hosting;

namespace Clickstream.Consumers.Storage;

/// <summary>The events database is at an older schema version than this worker writes, and it may not upgrade it.</summary>
public sealed class SchemaBehindException(int version)
    : FixableStartupException($"The events database is at schema version {version} and this worker needs version "
        + $"{EventsSchema.CurrentVersion}, but EventStore:ApplySchemaAtStart is false: apply init.sql to it "
        + "(psql -f init.sql, as a user that may alter the events table; it keeps every row), or set EventStore:ApplySchemaAtStart=true.")
{
    public int Version { get; } = version;
}
