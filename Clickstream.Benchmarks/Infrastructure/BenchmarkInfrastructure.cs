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
    private BenchmarkInfrastructure(EmbeddedKafkaBroker broker, int partitions, EmbeddedPostgres? postgres, NpgsqlDataSource? dataSource)
    {
        Broker = broker;
        Partitions = partitions;
        Postgres = postgres;
        DataSource = dataSource;
    }

    public EmbeddedKafkaBroker Broker { get; }

    public int Partitions { get; }

    public EmbeddedPostgres? Postgres { get; }

    public NpgsqlDataSource? DataSource { get; }

    public string ConnectionString => Postgres?.ConnectionString ?? throw new InvalidOperationException("This scenario runs without PostgreSQL.");

    public NpgsqlDataSource Events => DataSource ?? throw new InvalidOperationException("This scenario runs without PostgreSQL.");

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
            await EventsSchema.ApplyAsync(postgres.ConnectionString, cancellationToken);
            return new BenchmarkInfrastructure(broker, partitions, postgres, NpgsqlDataSource.Create(postgres.ConnectionString));
        }
        catch
        {
            await broker.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (DataSource is not null)
        {
            await DataSource.DisposeAsync();
        }
        if (Postgres is not null)
        {
            await Postgres.DisposeAsync();
        }
        await Broker.DisposeAsync();
    }
}
