using Clickstream.Consumers.Configuration;
using Clickstream.Api.ReadModel;
using Clickstream.Consumers.Storage;
using Clickstream.Tests.Kafka;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Clickstream.Tests.Consumers;

/// <summary>The production store and read model over a test database, without a host.</summary>
internal sealed class StoreFactory : IAsyncDisposable
{
    private StoreFactory(NpgsqlDataSource dataSource, CopyStrategy strategy)
    {
        DataSource = dataSource;
        var loggers = new ListLoggerFactory(Log);
        var retry = new TransientRetry(Options.Create(new EventStoreOptions { RetryMaxDelay = TimeSpan.FromMilliseconds(500) }),
            new Logger<TransientRetry>(loggers));
        Store = new PostgresClickEventStore(dataSource, retry, new Logger<PostgresClickEventStore>(loggers), strategy);
    }

    public NpgsqlDataSource DataSource { get; }

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

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();
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
