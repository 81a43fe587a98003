using Clickstream.Consumers.Configuration;
using Clickstream.Consumers.ReadModel;
using Clickstream.Consumers.Storage;
using Microsoft.EntityFrameworkCore;
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
    /// <see cref="IClickEventStore"/>, the read model (<see cref="IStoredEventReader"/>), the schema applied at start
    /// and a readiness check tagged "ready". Register it before MassTransit, so the schema exists before consumers run.
    /// </summary>
    public static IServiceCollection AddClickEventStorage(this IServiceCollection services)
    {
        services.AddStoredEventReads();
        services.AddMetrics();
        services.TryAddSingleton<StoreMetrics>();
        services.TryAddSingleton<TransientRetry>();
        services.TryAddSingleton<IClickEventStore>(sp => new PostgresClickEventStore(
            sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<TransientRetry>(), sp.GetRequiredService<ILogger<PostgresClickEventStore>>()));
        services.AddHostedService<EventsSchemaInitializer>();
        services.AddHealthChecks().AddCheck<EventsDatabaseHealthCheck>("events-database", tags: [HealthEndpoints.ReadyTag]);
        return services;
    }

    /// <summary>
    /// Only the read side of the events database (<see cref="IStoredEventReader"/> and its data source): for a
    /// service that answers "is this event stored?" but must not depend on the database to be ready.
    /// </summary>
    /// <param name="validateOnStart">
    /// False for a service that starts without a database: the options are then validated when first read, and
    /// reading fails with <see cref="OptionsValidationException"/> while no connection string is configured.
    /// </param>
    public static IServiceCollection AddStoredEventReads(this IServiceCollection services, bool validateOnStart = true)
    {
        var options = services.AddOptions<EventStoreOptions>()
            .BindConfiguration(EventStoreOptions.Section)
            .Configure<IConfiguration>((o, configuration) =>
                o.ConnectionString ??= configuration.GetConnectionString(EventStoreOptions.ConnectionStringName));
        if (validateOnStart)
        {
            options.ValidateOnStart();
        }
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EventStoreOptions>, EventStoreOptionsValidator>());
        services.TryAddSingleton(sp => EventsDataSource.Create(sp.GetRequiredService<IOptions<EventStoreOptions>>().Value.ConnectionString!));
        services.AddDbContext<EventsReadContext>((sp, o) => o
            .UseNpgsql(sp.GetRequiredService<NpgsqlDataSource>())
            .UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking));
        services.TryAddScoped<IStoredEventReader, StoredEventReader>();
        return services;
    }
}
