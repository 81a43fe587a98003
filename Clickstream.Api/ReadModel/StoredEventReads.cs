using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

namespace Clickstream.Api.ReadModel;

public static class StoredEventReads
{
    public const string ConnectionStringName = "Events";

    /// <summary>
    /// The read side of the events database (<see cref="IStoredEventReader"/>), for <c>GET /events/{id}</c>. The API
    /// starts and ingests without a database: the connection string (<c>ConnectionStrings:Events</c> or the legacy
    /// <c>DB_*</c> names) is read when a read needs it, and its absence is then <see cref="NoEventsDatabaseException"/>.
    /// </summary>
    public static IServiceCollection AddStoredEventReads(this IServiceCollection services)
    {
        services.AddDbContext<EventsReadContext>((sp, o) => o
            .UseNpgsql(ConnectionString(sp.GetRequiredService<IConfiguration>()))
            .UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking));
        services.TryAddScoped<IStoredEventReader, StoredEventReader>();
        return services;
    }

    private static string ConnectionString(IConfiguration configuration)
    {
        var configured = configuration.GetConnectionString(ConnectionStringName);
        if (string.IsNullOrWhiteSpace(configured))
        {
            throw new NoEventsDatabaseException();
        }
        var builder = new NpgsqlConnectionStringBuilder(configured);
        builder.ApplicationName ??= "clickstream-api";
        // Planning a lookup by id over the partitions of events costs more than running it (60 partitions: 3.6 times
        // the lookups a second when prepared, docs/benchmarks.md), so the reads are prepared, unless the connection
        // string says otherwise (Max Auto Prepare=0 behind a pooler that cannot keep prepared statements).
        if (!builder.ContainsKey("Max Auto Prepare"))
        {
            builder.MaxAutoPrepare = 8;
        }
        return builder.ConnectionString;
    }
}
