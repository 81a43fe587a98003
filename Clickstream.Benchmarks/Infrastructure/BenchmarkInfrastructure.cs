using Clickstream.Consumers.Storage;
using Clickstream.Contracts;
using Clickstream.Kafka.Embedded;
using Npgsql;

namespace Clickstream.Benchmarks.Infrastructure;

/// <summary>
/// The embedded Kafka broker (in this process: librdkafka's mock cluster) and, when the scenario stores events, a
/// throwaway PostgreSQL from the installed binaries with the schema applied. Both listen on 127.0.0.1 only.
/// </summary>
public sealed class BenchmarkInfrastructure : IAsyncDisposable
{
    private EventsDatabase? _singleTable;

    private BenchmarkInfrastructure(EmbeddedKafkaBroker broker, int partitions, EmbeddedPostgres? postgres, EventsDatabase? database)
    {
        Broker = broker;
        Partitions = partitions;
        Postgres = postgres;
        Database = database;
    }

    public EmbeddedKafkaBroker Broker { get; }

    public int Partitions { get; }

    public EmbeddedPostgres? Postgres { get; }

    /// <summary>The events database as the schema makes it: partitioned.</summary>
    public EventsDatabase? Database { get; }

    public EventsDatabase Partitioned => Database ?? throw new InvalidOperationException("This scenario runs without PostgreSQL.");

    public string ConnectionString => Partitioned.ConnectionString;

    public NpgsqlDataSource Events => Partitioned.DataSource;

    /// <summary>A second database on the same server with <c>events</c> as one plain table, made on first use.</summary>
    public async Task<EventsDatabase> SingleTableAsync(CancellationToken cancellationToken) =>
        _singleTable ??= await EventsDatabase.SingleTableAsync(Partitioned.ConnectionString, "single_table", cancellationToken);

    /// <summary>
    /// fsync and full-page writes are off (the tests' throwaway server, and the set-up of the storage figures already
    /// in docs/benchmarks.md); synchronous_commit stays on, as in production.
    /// </summary>
    public static async Task<BenchmarkInfrastructure> StartAsync(int partitions, bool withPostgres, CancellationToken cancellationToken)
    {
        var broker = EmbeddedKafkaBroker.Start(new() { Topics = { [Topics.RawEvents] = partitions, [Topics.RawEventsDeadLetter] = 1 } });
        if (!withPostgres)
        {
            return new BenchmarkInfrastructure(broker, partitions, null, null);
        }

        try
        {
            var postgres = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { Durable = false }, cancellationToken: cancellationToken);
            var database = await EventsDatabase.PartitionedAsync(postgres.ConnectionString, cancellationToken);
            return new BenchmarkInfrastructure(broker, partitions, postgres, database);
        }
        catch
        {
            await broker.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_singleTable is not null)
        {
            await _singleTable.DisposeAsync();
        }
        if (Database is not null)
        {
            await Database.DisposeAsync();
        }
        if (Postgres is not null)
        {
            await Postgres.DisposeAsync();
        }
        await Broker.DisposeAsync();
    }
}
