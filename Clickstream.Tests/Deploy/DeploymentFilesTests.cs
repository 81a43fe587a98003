extern alias ClickstreamApi;

using System.Reflection;
using System.Text.RegularExpressions;
using ClickstreamApi::Clickstream.Api.Configuration;
using Clickstream.Consumers.Configuration;
using Clickstream.Consumers.Standalone;
using YamlDotNet.RepresentationModel;

namespace Clickstream.Tests.Deploy;

/// <summary>
/// What can be checked of deploy/ without a Docker engine (none runs on the build machines): the compose file parses
/// and has the parts the design names, every environment name it gives the services is one they read, and the
/// Dockerfiles copy and publish projects that exist.
/// </summary>
public sealed partial class DeploymentFilesTests
{
    private static readonly string Repository = FindRepository();
    private static readonly string Deploy = Path.Combine(Repository, "deploy");

    // Configuration sections the services bind, and the options class each is bound to.
    private static readonly Dictionary<string, Type> Sections = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Api"] = typeof(ApiKeyOptions),
        ["Kafka"] = typeof(KafkaOptions),
        ["Ingestion"] = typeof(IngestionBatchOptions),
        ["EventStore"] = typeof(EventStoreOptions),
        ["Standalone"] = typeof(StandaloneOptions),
    };

    [Fact]
    public void The_compose_file_runs_kafka_in_kraft_mode_with_sasl_a_topic_job_postgres_15_and_both_services()
    {
        var services = Services();

        Assert.Equal(["kafka", "kafka-topics", "postgres", "api", "consumers"], services.Children.Keys.Select(k => k.ToString()));
        var kafka = Environment(services, "kafka");
        Assert.StartsWith("apache/kafka:", Scalar(services, "kafka", "image"));
        Assert.Contains("controller", kafka["KAFKA_PROCESS_ROLES"]);
        Assert.Contains("SASL_PLAINTEXT", kafka["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"]);
        Assert.Equal("PLAIN", kafka["KAFKA_SASL_ENABLED_MECHANISMS"]);
        Assert.DoesNotContain(services.Children.Keys, k => k.ToString().Contains("zookeeper"));

        var topics = ((YamlSequenceNode)Node(services, "kafka-topics", "command")).Children.Single().ToString();
        Assert.Contains("--topic ${KAFKA_TOPIC:-raw_events} --partitions 3", topics);
        Assert.Contains("--topic ${KAFKA_TOPIC:-raw_events}.dlq", topics);

        Assert.Equal("postgres:15", Scalar(services, "postgres", "image"));
        Assert.Contains("../init.sql:/docker-entrypoint-initdb.d/init.sql:ro",
            ((YamlSequenceNode)Node(services, "postgres", "volumes")).Children.Select(c => c.ToString()));
        Assert.True(File.Exists(Path.Combine(Deploy, "../init.sql")));

        foreach (var service in new[] { "kafka", "postgres", "api", "consumers" })
        {
            Assert.Equal("unless-stopped", Scalar(services, service, "restart"));
        }
        Assert.NotNull(Node(services, "kafka", "healthcheck"));
        Assert.NotNull(Node(services, "postgres", "healthcheck"));
    }

    [Theory]
    [InlineData("api")]
    [InlineData("consumers")]
    public void Every_environment_name_given_to_a_service_is_one_it_reads(string service)
    {
        var names = Environment(Services(), service).Keys;

        Assert.NotEmpty(names);
        Assert.All(names, name => Assert.True(IsRead(name), $"{service} gets {name}, which no Clickstream service reads."));
    }

    [Fact]
    public void Every_name_in_the_env_example_is_used_by_the_compose_file()
    {
        var compose = File.ReadAllText(Path.Combine(Deploy, "docker-compose.yml"));
        var names = File.ReadAllLines(Path.Combine(Deploy, ".env.example"))
            .Where(l => l.Contains('=') && !l.TrimStart().StartsWith('#'))
            .Select(l => l[..l.IndexOf('=')]);

        Assert.All(names, name => Assert.Contains("${" + name, compose));
    }

    [Theory]
    [InlineData("Dockerfile.api", "Clickstream.Api/Clickstream.Api.csproj")]
    [InlineData("Dockerfile.consumers", "Clickstream.Consumers/Clickstream.Consumers.csproj")]
    public void A_dockerfile_copies_existing_projects_publishes_its_service_and_runs_unprivileged(string dockerfile, string project)
    {
        var text = File.ReadAllText(Path.Combine(Deploy, dockerfile));

        foreach (Match copy in CopyFromContext().Matches(text))
        {
            foreach (var source in copy.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                Assert.True(File.Exists(Path.Combine(Repository, source)) || Directory.Exists(Path.Combine(Repository, source)),
                    $"{dockerfile} copies {source}, which does not exist.");
            }
        }
        Assert.Contains($"dotnet publish {project}", text);
        Assert.Contains("USER $APP_UID", text);
        Assert.Contains("HEALTHCHECK", text);
        Assert.Contains("/health/ready", text);
    }

    private static bool IsRead(string name)
    {
        if (Clickstream.Consumers.Configuration.LegacyEnvironmentNames.Names.Contains(name) || name == "ASPNETCORE_URLS")
        {
            return true;
        }
        var path = name.Split("__");
        for (var length = path.Length - 1; length >= 1; length--)
        {
            if (Sections.TryGetValue(string.Join(':', path[..length]), out var type))
            {
                return type.GetProperty(path[length], BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase) is not null;
            }
        }
        return name.StartsWith("ConnectionStrings__", StringComparison.Ordinal);
    }

    private static YamlMappingNode Services()
    {
        var yaml = new YamlStream();
        using var reader = new StreamReader(Path.Combine(Deploy, "docker-compose.yml"));
        yaml.Load(reader);
        return (YamlMappingNode)((YamlMappingNode)yaml.Documents.Single().RootNode)["services"];
    }

    private static YamlNode Node(YamlMappingNode services, string service, string key) => ((YamlMappingNode)services[service])[key];

    private static string Scalar(YamlMappingNode services, string service, string key) => Node(services, service, key).ToString();

    // Merge keys (<<: *anchor) bring the shared block in; YamlDotNet's representation model keeps them as a "<<" entry.
    private static Dictionary<string, string> Environment(YamlMappingNode services, string service)
    {
        var result = new Dictionary<string, string>();
        void Add(YamlMappingNode node)
        {
            foreach (var (key, value) in node.Children)
            {
                if (key.ToString() == "<<")
                {
                    Add((YamlMappingNode)value);
                }
                else
                {
                    result[key.ToString()] = value.ToString();
                }
            }
        }
        Add((YamlMappingNode)Node(services, service, "environment"));
        return result;
    }

    private static string FindRepository()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Clickstream.sln")))
            {
                return folder.FullName;
            }
        }
        throw new InvalidOperationException("The repository was not found above the test output.");
    }

    [GeneratedRegex(@"^COPY (?!--from)(.+) \S+$", RegexOptions.Multiline)]
    private static partial Regex CopyFromContext();
}
