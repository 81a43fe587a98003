namespace Clickstream.Consumers.Standalone;

/// <summary>Where the standalone run keeps what it starts itself (section "Standalone").</summary>
public sealed class StandaloneOptions
{
    public const string Section = "Standalone";

    /// <summary>
    /// Start the embedded parts for what is not configured (default true). A production deployment sets it to false,
    /// so a missing setting fails the start with a message instead of starting an in-memory broker.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// The embedded PostgreSQL's data folder, kept between runs. Default: <c>.data/postgres</c> in the repository, or
    /// <c>/var/lib/clickstream/postgres</c> when running as root (PostgreSQL runs as the <c>postgres</c> user, which
    /// cannot enter root's home folder).
    /// </summary>
    public string? PostgresDataDirectory { get; set; }

    /// <summary>The embedded PostgreSQL's port on 127.0.0.1. Default 55432 (fixed, so the psql command stays the same).</summary>
    public int PostgresPort { get; set; } = 55432;

    /// <summary>Partitions of the embedded broker's event topic. Default 3.</summary>
    public int Partitions { get; set; } = 3;
}
