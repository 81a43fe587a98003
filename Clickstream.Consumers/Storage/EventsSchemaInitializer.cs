using Clickstream.Consumers.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Clickstream.Consumers.Storage;

/// <summary>
/// Brings the database up to the schema this worker writes before the consumers start (it is registered ahead of the
/// bus): reads its version (<see cref="SchemaVersion"/>, a plain SELECT) and applies init.sql only when it is behind. A
/// worker whose database user may not run DDL therefore starts against an up-to-date database. A database that is
/// behind while <see cref="EventStoreOptions.ApplySchemaAtStart"/> is off stops the start, saying what to do. A database
/// that is not up yet is waited for (transient errors are retried until the start is canceled).
/// </summary>
internal sealed class EventsSchemaInitializer(
    IServiceProvider services, TransientRetry retry, IOptions<EventStoreOptions> options, ILogger<EventsSchemaInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // Resolved here, not injected: the host builds its hosted services before it validates options, and building the
        // data source reads EventStoreOptions, which would report a missing connection string alone, ahead of the rest.
        var dataSource = services.GetRequiredService<NpgsqlDataSource>();

        // One operation for the log ("Applying the events schema failed transiently" while the database is not up yet);
        // SchemaBehindException is no database failure, so it is not retried.
        await retry.ExecuteAsync("Applying the events schema", async ct =>
        {
            var version = await SchemaVersion.ReadAsync(dataSource, ct);
            if (version >= EventsSchema.CurrentVersion)
            {
                StoreLog.SchemaPresent(logger, version, EventsSchema.CurrentVersion);
                return version;
            }
            if (!options.Value.ApplySchemaAtStart)
            {
                throw new SchemaBehindException(version);
            }
            var (before, after) = await EventsSchema.UpgradeAsync(dataSource, ct);
            if (before == after)
            {
                // Another worker upgraded it between the first look and the lock.
                StoreLog.SchemaPresent(logger, after, EventsSchema.CurrentVersion);
            }
            else
            {
                StoreLog.SchemaApplied(logger, EventsSchema.ScriptPath, before, after);
            }
            return after;
        }, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
