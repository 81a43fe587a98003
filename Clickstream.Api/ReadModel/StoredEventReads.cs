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
        return builder.ConnectionString;
    }
}
