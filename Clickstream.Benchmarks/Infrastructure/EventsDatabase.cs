using Clickstream.Consumers.Configuration;
using Clickstream.Consumers.Storage;
using Clickstream.Consumers.Storage.Partitions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Clickstream.Benchmarks.Infrastructure;

/// <summary>
/// A database of the benchmark's PostgreSQL with <c>events</c> in one layout: partitioned, as the schema makes it, with
/// the partitions a worker makes at start (today and <see cref="PartitionOptions.PartitionsAhead"/> after); or a
/// single table, the layout before schema version 3 (same columns, key and indexes, no partitions), the baseline
/// partitioning is judged against.
/// </summary>
public sealed class EventsDatabase : IAsyncDisposable
{
    private EventsDatabase(string connectionString, bool partitioned)
    {
        ConnectionString = connectionString;
        Partitioned = partitioned;
        DataSource = NpgsqlDataSource.Create(connectionString);
    }

    public string ConnectionString { get; }

    public bool Partitioned { get; }

    public NpgsqlDataSource DataSource { get; }

    /// <summary>How phases on this database are told apart in the report: nothing for the partitioned table, the default.</summary>
    public string Suffix => Partitioned ? "" : ", single table";

    public static async Task<EventsDatabase> PartitionedAsync(string connectionString, CancellationToken cancellationToken)
    {
        await EventsSchema.ApplyAsync(connectionString, cancellationToken);
        var database = new EventsDatabase(connectionString, partitioned: true);
        // The worker's own maintenance run, so rows land in a day's partition, not in events_default.
        await database.Maintenance(new PartitionOptions(), TimeProvider.System).RunAsync(cancellationToken);
        return database;
    }

    /// <summary>A database of its own, <paramref name="name"/>, on the same server, with the schema's version but one plain table.</summary>
    public static async Task<EventsDatabase> SingleTableAsync(string serverConnectionString, string name, CancellationToken cancellationToken)
    {
        await using (var server = new NpgsqlConnection(serverConnectionString))
        {
            await server.OpenAsync(cancellationToken);
            await ExecuteAsync(server, $"DROP DATABASE IF EXISTS {name}; CREATE DATABASE {name}", cancellationToken);
        }
        var connectionString = new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = name }.ConnectionString;
        await EventsSchema.ApplyAsync(connectionString, cancellationToken);
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync(cancellationToken);
            await ExecuteAsync(connection, """
                CREATE TABLE events_single (LIKE events INCLUDING DEFAULTS);
                DROP TABLE events;
                ALTER TABLE events_single RENAME TO events;
                ALTER TABLE events ADD PRIMARY KEY (event_id, event_time);
                CREATE INDEX events_user_id_event_time_idx ON events (user_id, event_time);
                CREATE INDEX events_event_type_event_time_idx ON events (event_type, event_time)
                """, cancellationToken);
        }
        return new EventsDatabase(connectionString, partitioned: false);
    }

    /// <summary>The worker's maintenance job on this database, with these options and clock.</summary>
    internal PartitionMaintenance Maintenance(PartitionOptions options, TimeProvider time) =>
        new(DataSource, Options.Create(options), time, NullLogger<PartitionMaintenance>.Instance);

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
