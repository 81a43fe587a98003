using Clickstream.Consumers.Configuration;
using Clickstream.Consumers.Storage;
using Clickstream.Consumers.Storage.Partitions;
using Clickstream.ServiceDefaults.Health;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Clickstream.Consumers.Hosting;

public static class StorageRegistration
{
    /// <summary>
    /// The events database: <see cref="EventStoreOptions"/> (validated at start), its <see cref="NpgsqlDataSource"/>,
    /// <see cref="IClickEventStore"/>, the schema applied at start and a readiness check tagged "ready". Register it
    /// before MassTransit, so the schema exists before consumers run.
    /// </summary>
    public static IServiceCollection AddClickEventStorage(this IServiceCollection services)
    {
        services.AddOptions<EventStoreOptions>()
            .BindConfiguration(EventStoreOptions.Section)
            .Configure<IConfiguration>((o, configuration) =>
                o.ConnectionString ??= configuration.GetConnectionString(EventStoreOptions.ConnectionStringName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EventStoreOptions>, EventStoreOptionsValidator>());
        services.TryAddSingleton(sp => EventsDataSource.Create(sp.GetRequiredService<IOptions<EventStoreOptions>>().Value.ConnectionString!));
        services.AddMetrics();
        services.TryAddSingleton<StoreMetrics>();
        services.TryAddSingleton<TransientRetry>();
        services.TryAddSingleton<IClickEventStore>(sp => new PostgresClickEventStore(
            sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<TransientRetry>(), sp.GetRequiredService<ILogger<PostgresClickEventStore>>()));
        services.AddHostedService<EventsSchemaInitializer>();
        services.AddOptions<PartitionOptions>().BindConfiguration(PartitionOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PartitionOptions>, PartitionOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<PartitionMaintenance>();
        services.TryAddSingleton<PartitionMetrics>();
        // After the schema initializer: hosted services start in order, and the maintenance needs the partitioned table.
        services.AddHostedService<PartitionMaintenanceService>();
        services.AddHealthChecks().AddCheck<EventsDatabaseHealthCheck>("events-database", tags: [HealthEndpoints.ReadyTag]);
        return services;
    }
}
