using Clickstream.ServiceDefaults.Configuration;
using Clickstream.Consumers.Configuration;
using Clickstream.Consumers.Storage;
using Clickstream.Kafka.Embedded;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Clickstream.Consumers.Standalone;

/// <summary>
/// What a standalone run starts in its own process when the real thing is not configured: the embedded Kafka
/// broker when <c>Kafka:BootstrapServers</c> is empty, a PostgreSQL server from the installed binaries when
/// <c>ConnectionStrings:Events</c> is empty. It writes their addresses into the configuration before the host is
/// built, and stops them after the host stopped (so the last batch is stored and committed first).
/// </summary>
public sealed class StandaloneInfrastructure : IAsyncDisposable
{
    private readonly ILogger _logger;

    private StandaloneInfrastructure(ILogger logger) => _logger = logger;

    public EmbeddedKafkaBroker? Broker { get; private set; }

    public EmbeddedPostgres? Postgres { get; private set; }

    /// <summary>True when anything was started here: the API then hosts the consumers in its own process too.</summary>
    public bool IsEmbedded => Broker is not null || Postgres is not null;

    public static async Task<StandaloneInfrastructure> StartAsync(IConfigurationManager configuration, string contentRoot,
        ILoggerFactory loggerFactory, CancellationToken cancellationToken = default)
    {
        var logger = loggerFactory.CreateLogger<StandaloneInfrastructure>();
        var infrastructure = new StandaloneInfrastructure(logger);
        var options = configuration.GetSection(StandaloneOptions.Section).Get<StandaloneOptions>() ?? new StandaloneOptions();
        var kafka = configuration.GetSection(KafkaOptions.Section).Get<KafkaOptions>() ?? new KafkaOptions();
        if (!options.Enabled)
        {
            return infrastructure;
        }
        try
        {
            var values = new Dictionary<string, string?>();
            if (string.IsNullOrWhiteSpace(kafka.BootstrapServers))
            {
                infrastructure.Broker = EmbeddedKafkaBroker.Start(new EmbeddedKafkaBrokerOptions
                {
                    Topics = { [kafka.Topic] = options.Partitions, [kafka.Topic + ".dlq"] = 1 },
                }, loggerFactory.CreateLogger<EmbeddedKafkaBroker>());
                values["Kafka:BootstrapServers"] = infrastructure.Broker.BootstrapServers;
                // The embedded broker completes a rebalance only after session.timeout.ms - 1 s: keep restarts quick.
                values["Kafka:ConsumerSettings:session.timeout.ms"] = "6000";
                logger.LogWarning(
                    "The embedded Kafka broker is for development and trials: it keeps data in memory only, about 5 MB per partition "
                    + "(the API holds requests, and then answers 503, while the consumers are more than 2 MiB behind, so that nothing acknowledged is dropped), and loses everything not yet stored when the process stops. "
                    + "Set Kafka__BootstrapServers to use a real cluster.");
            }

            if (string.IsNullOrWhiteSpace(configuration.GetConnectionString("Events")))
            {
                var dataDirectory = options.PostgresDataDirectory ?? DefaultDataDirectory(contentRoot);
                infrastructure.Postgres = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions
                {
                    DataDirectory = dataDirectory,
                    Port = options.PostgresPort,
                }, loggerFactory.CreateLogger<EmbeddedPostgres>(), cancellationToken);
                values["ConnectionStrings:Events"] = infrastructure.Postgres.ConnectionString;
                logger.LogInformation("PostgreSQL data folder: {DataDirectory}; connect with: {PsqlCommand}",
                    infrastructure.Postgres.DataDirectory, infrastructure.Postgres.PsqlCommand);
            }

            configuration.AddInMemoryCollection(values);
            return infrastructure;
        }
        catch
        {
            await infrastructure.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Postgres is not null)
        {
            await Postgres.DisposeAsync();
            _logger.LogInformation("Embedded PostgreSQL stopped");
        }
        if (Broker is not null)
        {
            await Broker.DisposeAsync();
            _logger.LogInformation("Embedded Kafka broker stopped");
        }
    }

    private static string DefaultDataDirectory(string contentRoot) =>
        Environment.UserName == "root"
            ? "/var/lib/clickstream/postgres"
            : Path.Combine(RepositoryRoot(contentRoot), ".data", "postgres");

    // `dotnet run --project Clickstream.Api` runs with the project folder as content root: keep the data next to the
    // solution so both hosts share it.
    private static string RepositoryRoot(string contentRoot)
    {
        for (var folder = new DirectoryInfo(contentRoot); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Clickstream.sln")))
            {
                return folder.FullName;
            }
        }
        return contentRoot;
    }
}
