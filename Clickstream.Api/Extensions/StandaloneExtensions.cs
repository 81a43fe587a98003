using Clickstream.Api.Configuration;
using Clickstream.ServiceDefaults.Hosting;
using Clickstream.Consumers.Standalone;

namespace Clickstream.Api.Extensions;

/// <summary>The standalone run: embedded parts for what is not configured, the default address, and where things are.</summary>
public static class StandaloneExtensions
{
    /// <summary>The address a new user finds the API at when nothing else is configured.</summary>
    public const string DefaultUrl = "http://localhost:8000";

    /// <summary>
    /// How far the consumers may fall behind on the embedded broker before the API holds (and then refuses) events: 2 MiB per partition,
    /// well inside the about 5 MiB the broker keeps (see <see cref="PublishOptions.MaxConsumerLagBytes"/>).
    /// </summary>
    public const long EmbeddedBrokerMaxConsumerLagBytes = 2 * 1024 * 1024;

    /// <summary>
    /// Starts the embedded Kafka broker and PostgreSQL for whatever is not configured (see
    /// <see cref="StandaloneInfrastructure"/>); listens on <see cref="DefaultUrl"/> unless an address is configured.
    /// A stop signal while they start cancels the start (<see cref="OperationCanceledException"/>), leaving nothing running.
    /// </summary>
    public static async Task<StandaloneInfrastructure> StartStandaloneInfrastructureAsync(this WebApplicationBuilder builder, ProcessStop stop)
    {
        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]) &&
            !builder.Configuration.GetSection("Kestrel:Endpoints").Exists())
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        // The host's logging does not exist yet: what starts before it logs to the console the same way.
        var standalone = await StandaloneInfrastructure.StartAsync(
            builder.Configuration, builder.Environment.ContentRootPath, stop.LoggerFactory, stop.Requested);
        var maxLag = $"{PublishOptions.Section}:{nameof(PublishOptions.MaxConsumerLagBytes)}";
        if (standalone.Broker is not null && string.IsNullOrEmpty(builder.Configuration[maxLag]))
        {
            // Accepting faster than the consumers fetch would let the embedded broker drop acknowledged events.
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                [maxLag] = EmbeddedBrokerMaxConsumerLagBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            });
        }
        return standalone;
    }

    /// <summary>Once the API listens, says where it is, the docs, and the database.</summary>
    public static void LogWhereEverythingIs(this WebApplication app, StandaloneInfrastructure standalone)
    {
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Clickstream");
            foreach (var address in app.Urls)
            {
                logger.LogInformation("Clickstream API listening on {Address}, docs at {Docs}, tracker demo at {Demo}", address, address.TrimEnd('/') + "/docs", address.TrimEnd('/') + "/demo/");
            }
            if (standalone.Postgres is { } postgres)
            {
                logger.LogInformation("Events are stored in PostgreSQL: {PsqlCommand} -c 'SELECT count(*) FROM events'", postgres.PsqlCommand);
            }
            if (standalone.IsEmbedded)
            {
                logger.LogInformation("Standalone run: the consumers run in this process. Stop with Ctrl+C.");
            }
        });
    }
}
