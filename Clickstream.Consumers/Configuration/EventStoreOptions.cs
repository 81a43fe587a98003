namespace Clickstream.Consumers.Configuration;

/// <summary>
/// Where and how click events are stored: the connection string comes from <c>ConnectionStrings:Events</c> (or the
/// legacy <c>DB_*</c> names), the rest from the "EventStore" section.
/// </summary>
public sealed class EventStoreOptions
{
    public const string Section = "EventStore";
    public const string ConnectionStringName = "Events";

    /// <summary>Npgsql connection string of the events database (<c>ConnectionStrings:Events</c>).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>First wait after a transient database error; it doubles on each failure (with jitter). Default 100 ms.</summary>
    public TimeSpan RetryInitialDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Longest wait between retries: an outage is noticed at most this late once it ends. Default 10 s.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Apply init.sql at start when the database's schema version is behind this worker's (a new database, or one made by
    /// an earlier version). Default true. Off, a database that is behind stops the start with a message saying so; an
    /// up-to-date one is never touched by DDL either way.
    /// </summary>
    public bool ApplySchemaAtStart { get; set; } = true;
}
