using Microsoft.Extensions.Configuration;
using Npgsql;

namespace Clickstream.ServiceDefaults.Configuration;

/// <summary>
/// Accepts the environment names of the original Python service, so an existing <c>.env</c> keeps working:
/// <c>KAFKA_BOOTSTRAP_SERVERS</c>, <c>KAFKA_SASL_USER</c>, <c>KAFKA_SASL_PASS</c>, <c>KAFKA_TOPIC</c>, <c>KAFKA_GROUP_ID</c>,
/// and <c>DB_HOST</c>, <c>DB_PORT</c>, <c>DB_NAME</c>, <c>DB_USER</c>, <c>DB_PASS</c> (composed into
/// <c>ConnectionStrings:Events</c>). The .NET names (<c>Kafka__BootstrapServers</c>, <c>ConnectionStrings__Events</c>) win
/// when both are set.
/// </summary>
public static class LegacyEnvironmentNames
{
    private static readonly Dictionary<string, string> KafkaNames = new()
    {
        ["KAFKA_BOOTSTRAP_SERVERS"] = "Kafka:BootstrapServers",
        ["KAFKA_SASL_USER"] = "Kafka:SaslUsername",
        ["KAFKA_SASL_PASS"] = "Kafka:SaslPassword",
        ["KAFKA_TOPIC"] = "Kafka:Topic",
        ["KAFKA_GROUP_ID"] = "Kafka:GroupId",
    };

    private static readonly string[] DatabaseNames = ["DB_HOST", "DB_PORT", "DB_NAME", "DB_USER", "DB_PASS"];

    /// <summary>Every legacy name the services read.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. KafkaNames.Keys, .. DatabaseNames];

    /// <summary>Adds the legacy names' values for every setting the configuration does not already have.</summary>
    public static IConfigurationManager AddLegacyEnvironmentNames(this IConfigurationManager configuration,
        Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var values = new Dictionary<string, string?>();
        foreach (var (legacy, key) in KafkaNames)
        {
            if (environment(legacy) is { Length: > 0 } value && string.IsNullOrEmpty(configuration[key]))
            {
                values[key] = value;
            }
        }

        if (string.IsNullOrEmpty(configuration.GetConnectionString("Events")) && DatabaseNames.Any(n => !string.IsNullOrEmpty(environment(n))))
        {
            var builder = new NpgsqlConnectionStringBuilder
            {
                Host = environment("DB_HOST") ?? "localhost",
                Database = environment("DB_NAME") ?? "clickstream",
                Username = environment("DB_USER"),
                Password = environment("DB_PASS"),
            };
            if (int.TryParse(environment("DB_PORT"), out var port))
            {
                builder.Port = port;
            }
            values["ConnectionStrings:Events"] = builder.ConnectionString;
        }

        if (values.Count > 0)
        {
            configuration.AddInMemoryCollection(values);
        }
        return configuration;
    }
}
