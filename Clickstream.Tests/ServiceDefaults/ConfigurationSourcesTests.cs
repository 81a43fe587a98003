using Clickstream.ServiceDefaults.Configuration;
using Microsoft.Extensions.Configuration;

namespace Clickstream.Tests.ServiceDefaults;

/// <summary>Where a .env file's values rank among a host's settings: as environment variables, below the real ones.</summary>
public sealed class ConfigurationSourcesTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("clickstream-dotenv-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private ConfigurationManager Configuration(string dotEnv, Dictionary<string, string?> appsettings, Dictionary<string, string> environment)
    {
        File.WriteAllText(Path.Combine(_folder, ".env"), dotEnv);
        var configuration = new ConfigurationManager();
        configuration.AddInMemoryCollection(appsettings);
        // What .NET's environment provider makes of the real variables: A__B is A:B.
        configuration.AddEnvironmentVariables();
        configuration.AddInMemoryCollection(environment.ToDictionary(v => v.Key.Replace("__", ":", StringComparison.Ordinal), v => (string?)v.Value));
        configuration.AddClickstreamSources(_folder, name => environment.GetValueOrDefault(name));
        return configuration;
    }

    [Fact]
    public void A_dotenv_value_beats_appsettings_and_loses_to_a_real_environment_variable()
    {
        var configuration = Configuration(
            "Ingestion__MessageLimit=500\nIngestion__TimeLimit=00:00:02\n",
            new() { ["Ingestion:MessageLimit"] = "100", ["Ingestion:TimeLimit"] = "00:00:05" },
            new() { ["Ingestion__TimeLimit"] = "00:00:03" });

        Assert.Equal("500", configuration["Ingestion:MessageLimit"]);
        Assert.Equal("00:00:03", configuration["Ingestion:TimeLimit"]);
    }

    [Fact]
    public void The_original_services_names_in_a_dotenv_file_configure_kafka_and_the_database()
    {
        var configuration = Configuration(
            "KAFKA_BOOTSTRAP_SERVERS=kafka:9092\nDB_HOST=db\nDB_USER=ingest\nDB_PASS='p@ss word'\nDB_NAME=clicks\n",
            new(), new() { ["DB_HOST"] = "db.internal" });

        Assert.Equal("kafka:9092", configuration["Kafka:BootstrapServers"]);
        var database = new Npgsql.NpgsqlConnectionStringBuilder(configuration.GetConnectionString("Events"));
        Assert.Equal(("db.internal", "ingest", "p@ss word", "clicks"), (database.Host, database.Username, database.Password, database.Database));
    }

    [Fact]
    public void An_aspnetcore_prefixed_name_applies_as_the_host_setting() =>
        Assert.Equal("http://0.0.0.0:9000", Configuration("ASPNETCORE_URLS=http://0.0.0.0:9000", new(), new())["URLS"]);

    [Fact]
    public void Adding_the_sources_twice_reads_the_file_once()
    {
        var configuration = Configuration("KAFKA_TOPIC=clicks", new(), new());
        var count = configuration.Sources.Count;
        configuration.AddClickstreamSources(_folder, _ => null);
        Assert.Equal(count, configuration.Sources.Count);
    }
}
