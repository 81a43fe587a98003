using Clickstream.Consumers.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Clickstream.Consumers.Storage;

/// <summary>
/// Applies init.sql at start when the events table is missing, before the consumers start (it is registered ahead of
/// the bus). Checking first means a worker whose database user may not run DDL still starts against a prepared
/// database. A database that is not up yet is waited for (transient errors are retried until the start is canceled).
/// </summary>
internal sealed class EventsSchemaInitializer(
    IServiceProvider services, TransientRetry retry, IOptions<EventStoreOptions> options, ILogger<EventsSchemaInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.ApplySchemaAtStart)
        {
            return;
        }

        // Resolved here, not injected: the host builds its hosted services before it validates options, and building the
        // data source reads EventStoreOptions, which would report a missing connection string alone, ahead of the rest.
        var dataSource = services.GetRequiredService<NpgsqlDataSource>();

        await retry.ExecuteAsync("Applying the events schema", async ct =>
        {
            if (await TableExistsAsync(dataSource, ct))
            {
                StoreLog.SchemaPresent(logger);
                return false;
            }
            await EventsSchema.ApplyAsync(dataSource, ct);
            StoreLog.SchemaApplied(logger, EventsSchema.ScriptPath);
            return true;
        }, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static async Task<bool> TableExistsAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT to_regclass('events') IS NOT NULL");
        return await command.ExecuteScalarAsync(cancellationToken) is true;
    }
}
