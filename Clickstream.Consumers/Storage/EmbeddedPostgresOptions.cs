namespace Clickstream.Consumers.Storage;

/// <summary>How <see cref="EmbeddedPostgres"/> provisions a PostgreSQL server from the installed binaries.</summary>
public sealed record EmbeddedPostgresOptions
{
    /// <summary>
    /// The folder holding <c>initdb</c> and <c>postgres</c>. Null finds it: the <c>CLICKSTREAM_PG_BIN</c> variable,
    /// then <c>pg_config --bindir</c>, then the highest <c>/usr/lib/postgresql/*/bin</c>.
    /// </summary>
    public string? BinDirectory { get; init; }

    /// <summary>
    /// Null: a fresh throwaway folder under /tmp (<c>clickstream-pg-*</c>), deleted when the server stops or its
    /// owner process dies. Otherwise a persistent folder kept between runs, initialized only when it has no
    /// <c>PG_VERSION</c>. When running as root it must be reachable by the <c>postgres</c> user.
    /// </summary>
    public string? DataDirectory { get; init; }

    /// <summary>The TCP port on 127.0.0.1; 0 picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>The database created when missing; <see cref="EmbeddedPostgres.ConnectionString"/> points at it.</summary>
    public string Database { get; init; } = "clickstream";

    /// <summary>
    /// False turns off fsync and full-page writes: faster, and a crash of the machine may corrupt the data.
    /// Only for throwaway instances (tests); the default keeps PostgreSQL's durability.
    /// </summary>
    public bool Durable { get; init; } = true;

    /// <summary>Extra server settings, passed as <c>-c name=value</c> (e.g. <c>max_connections</c>).</summary>
    public IReadOnlyDictionary<string, string> ServerSettings { get; init; } = new Dictionary<string, string>();

    /// <summary>How long the server may take to accept connections before the start fails.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>How long a fast shutdown may take before the server is stopped harder.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The process whose death stops the server; null is this process. Tests give another one to simulate a
    /// killed owner without killing the test run.
    /// </summary>
    internal int? OwnerProcessId { get; init; }
}
