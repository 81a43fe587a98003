using Clickstream.Consumers.Configuration;
using Clickstream.Api.ReadModel;
using Clickstream.Consumers.Storage;
using Clickstream.Tests.Kafka;
using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Clickstream.Tests.Consumers;

/// <summary>The production store and read model over a test database, without a host.</summary>
internal sealed class StoreFactory : IAsyncDisposable
{
    // The store's meter comes from a factory of its own: a test reads this store's instruments and no other's.
    private readonly ServiceProvider _meters = new ServiceCollection().AddMetrics().BuildServiceProvider();

    private StoreFactory(NpgsqlDataSource dataSource, CopyStrategy strategy)
    {
        DataSource = dataSource;
        var loggers = new ListLoggerFactory(Log);
        Meters = _meters.GetRequiredService<IMeterFactory>();
        var retry = new TransientRetry(Options.Create(new EventStoreOptions { RetryMaxDelay = TimeSpan.FromMilliseconds(500) }),
            new Logger<TransientRetry>(loggers), new StoreMetrics(Meters));
        Store = new PostgresClickEventStore(dataSource, retry, new Logger<PostgresClickEventStore>(loggers), strategy);
    }

    public NpgsqlDataSource DataSource { get; }

    /// <summary>Where the store's instruments (<see cref="StoreMetrics"/>) live.</summary>
    public IMeterFactory Meters { get; }

    /// <summary>What the store and its retries logged.</summary>
    public ListLogger Log { get; } = new();

    public PostgresClickEventStore Store { get; }

    public static StoreFactory Create(string connectionString, CopyStrategy strategy = CopyStrategy.DirectWithStagingFallback) =>
        new(EventsDataSource.Create(connectionString), strategy);

    public EventsReadContext ReadContext() =>
        new(new DbContextOptionsBuilder<EventsReadContext>().UseNpgsql(DataSource).Options);

    public async Task<long> CountRowsAsync()
    {
        await using var command = DataSource.CreateCommand("SELECT count(*) FROM events");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public async Task<HashSet<Guid>> StoredIdsAsync(string where = "true")
    {
        await using var command = DataSource.CreateCommand($"SELECT event_id FROM events WHERE {where}");
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new HashSet<Guid>();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetGuid(0));
        }
        return ids;
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        await _meters.DisposeAsync();
    }
}

/// <summary>Hands every category the same <see cref="ListLogger"/>.</summary>
file sealed class ListLoggerFactory(ListLogger logger) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => logger;

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

    public void Dispose()
    {
    }
}
