using System.Reflection;
using System.Text.RegularExpressions;
using Clickstream.Api.Configuration;
using Clickstream.Consumers.Configuration;
using Clickstream.ServiceDefaults.Configuration;
using Clickstream.Consumers.Standalone;
using Clickstream.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace Clickstream.Tests.Deploy;

/// <summary>
/// What can be checked of deploy/ without a Docker engine (none runs on the build machines): the compose file parses
/// and has the parts the design names, every environment name it gives the services is one they read, and the
/// Dockerfiles copy and publish projects that exist.
/// </summary>
public sealed partial class DeploymentFilesTests
{
    private static readonly string Repository = RepositoryFolder.Path;
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

        Assert.Equal(["kafka", "kafka-topics", "postgres", "api", "consumers", "prometheus", "grafana"], services.Children.Keys.Select(k => k.ToString()));
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

    [Fact]
    public void Prometheus_and_grafana_run_only_in_the_observability_profile_and_scrape_both_hosts_metrics()
    {
        var services = Services();
        foreach (var service in new[] { "prometheus", "grafana" })
        {
            Assert.Equal(["observability"], ((YamlSequenceNode)Node(services, service, "profiles")).Children.Select(c => c.ToString()));
            // Reachable from this machine only: neither has a login worth exposing (Prometheus has none).
            Assert.All(((YamlSequenceNode)Node(services, service, "ports")).Children, p => Assert.StartsWith("127.0.0.1:", p.ToString()));
        }

        var yaml = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(Deploy, "observability", "prometheus.yml")))
        {
            yaml.Load(reader);
        }
        var jobs = ((YamlSequenceNode)((YamlMappingNode)yaml.Documents.Single().RootNode)["scrape_configs"]).Children.Cast<YamlMappingNode>().ToList();
        var scraped = jobs.Select(j => (Path: j["metrics_path"].ToString(), Target: (YamlMappingNode)((YamlSequenceNode)j["dns_sd_configs"]).Children.Single()))
            .Select(j => $"{((YamlSequenceNode)j.Target["names"]).Children.Single()}:{j.Target["port"]}{j.Path}");
        // The ports the images listen on (their ASPNETCORE_URLS).
        Assert.Equal(["api:8000/metrics", "consumers:8080/metrics"], scraped);
        Assert.Contains("ASPNETCORE_URLS=http://+:8000", File.ReadAllText(Path.Combine(Deploy, "Dockerfile.api")));
        Assert.Contains("ASPNETCORE_URLS=http://+:8080", File.ReadAllText(Path.Combine(Deploy, "Dockerfile.consumers")));
    }

    [Fact]
    public void Every_kafka_listener_another_container_can_reach_requires_sasl()
    {
        var services = Services();
        var kafka = Environment(services, "kafka");
        var protocols = ProtocolMap(kafka["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"]);
        var listeners = Listeners(kafka["KAFKA_LISTENERS"]);

        Assert.Contains(listeners, l => !IsLoopback(l.Host));
        Assert.All(listeners, l => Assert.True(IsLoopback(l.Host) || protocols[l.Name].StartsWith("SASL_", StringComparison.Ordinal),
            $"Listener {l.Name} listens on '{l.Host}' (reachable from other containers) with {protocols[l.Name]}."));
        // Its loopback is its own: no container shares the broker's network namespace, and no port of it is published.
        Assert.All(services.Children, s => Assert.False(((YamlMappingNode)s.Value).Children.ContainsKey("network_mode"),
            $"{s.Key} sets network_mode, and would reach the broker's loopback listeners."));
        Assert.False(((YamlMappingNode)services["kafka"]).Children.ContainsKey("ports"));

        // Every client of the broker comes in through a SASL listener, with the credentials the broker accepts.
        Assert.Contains("user_${KAFKA_SASL_USER}=\"${KAFKA_SASL_PASS}\"", kafka["KAFKA_LISTENER_NAME_CLIENT_PLAIN_SASL_JAAS_CONFIG"]);
        foreach (var client in new[] { "api", "consumers" })
        {
            var environment = Environment(services, client);
            Assert.Equal("SASL_PLAINTEXT", ProtocolOf(environment["KAFKA_BOOTSTRAP_SERVERS"], listeners, protocols));
            Assert.Contains("KAFKA_SASL_USER", environment.Keys);
            Assert.Contains("KAFKA_SASL_PASS", environment.Keys);
        }
        var topics = ((YamlSequenceNode)Node(services, "kafka-topics", "command")).Children.Single().ToString();
        foreach (Match bootstrap in BootstrapServerArgument().Matches(topics))
        {
            Assert.Equal("SASL_PLAINTEXT", ProtocolOf(bootstrap.Groups[1].Value, listeners, protocols));
        }
        Assert.Equal(2, BootstrapServerArgument().Matches(topics).Count);
        Assert.Contains("security.protocol=SASL_PLAINTEXT", topics);
        Assert.Equal(2, Regex.Matches(topics, "--command-config /tmp/client.properties").Count);
    }

    [Fact]
    public void The_kraft_controller_listens_on_the_broker_loopback_only_and_is_not_advertised()
    {
        var kafka = Environment(Services(), "kafka");
        var listeners = Listeners(kafka["KAFKA_LISTENERS"]);
        var advertised = Listeners(kafka["KAFKA_ADVERTISED_LISTENERS"]).Select(l => l.Name);

        foreach (var controller in kafka["KAFKA_CONTROLLER_LISTENER_NAMES"].Split(','))
        {
            Assert.True(IsLoopback(listeners.Single(l => l.Name == controller).Host), $"{controller} must listen on the loopback only.");
            Assert.DoesNotContain(controller, advertised);
        }
        // The quorum is reached where the controller listens: this node's loopback.
        Assert.All(kafka["KAFKA_CONTROLLER_QUORUM_VOTERS"].Split(','), voter => Assert.True(IsLoopback(voter.Split('@')[1].Split(':')[0]), voter));
    }

    [Fact]
    public void The_env_example_explains_every_name_and_its_values_are_ones_the_services_accept()
    {
        var lines = File.ReadAllLines(Path.Combine(Deploy, ".env.example"));
        var settings = lines.Select((line, at) => (Line: line, At: at)).Where(l => l.Line.Contains('=') && !l.Line.TrimStart().StartsWith('#')).ToList();

        Assert.NotEmpty(settings);
        // A comment above each name, or above the group of names it belongs to (user and password, say).
        bool IsSetting(string line) => line.Contains('=') && !line.TrimStart().StartsWith('#');
        Assert.All(settings, s =>
        {
            var above = s.At - 1;
            while (above >= 0 && IsSetting(lines[above]))
            {
                above--;
            }
            Assert.True(above >= 0 && lines[above].StartsWith("# ", StringComparison.Ordinal), $"{s.Line} has no comment saying what it does.");
        });
        var values = settings.ToDictionary(s => s.Line[..s.Line.IndexOf('=')], s => s.Line[(s.Line.IndexOf('=') + 1)..]);
        // The compose file requires a key, and the API refuses a short one: the example must be one it starts with.
        Assert.Contains(":?", Environment(Services(), "api")["Api__Keys__0"]);
        Assert.True(values["API_KEY"].Length >= ApiKeyOptions.MinimumKeyLength, $"API_KEY={values["API_KEY"]} is shorter than {ApiKeyOptions.MinimumKeyLength}.");
        // What the example says of the database and the user is what the postgres service gets.
        var postgres = Environment(Services(), "postgres");
        Assert.Contains("${DB_NAME", postgres["POSTGRES_DB"]);
        Assert.Contains("${DB_USER", postgres["POSTGRES_USER"]);
        Assert.Contains("${DB_PASS", postgres["POSTGRES_PASSWORD"]);
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
        if (Clickstream.ServiceDefaults.Configuration.LegacyEnvironmentNames.Names.Contains(name) || name == "ASPNETCORE_URLS")
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

    [GeneratedRegex(@"^COPY (?!--from)(.+) \S+$", RegexOptions.Multiline)]
    private static partial Regex CopyFromContext();

    [GeneratedRegex(@"--bootstrap-server (\S+)")]
    private static partial Regex BootstrapServerArgument();

    private sealed record Listener(string Name, string Host, int Port);

    // NAME://host:port,... ; an empty host listens on every interface.
    private static List<Listener> Listeners(string value) =>
        [.. value.Split(',').Select(l =>
        {
            var (name, address) = (l[..l.IndexOf("://", StringComparison.Ordinal)], l[(l.IndexOf("://", StringComparison.Ordinal) + 3)..]);
            var colon = address.LastIndexOf(':');
            return new Listener(name, address[..colon], int.Parse(address[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        })];

    private static Dictionary<string, string> ProtocolMap(string value) =>
        value.Split(',').Select(p => p.Split(':')).ToDictionary(p => p[0], p => p[1]);

    private static bool IsLoopback(string host) => host is "127.0.0.1" or "localhost" or "[::1]";

    // The protocol of the listener a client's host:port reaches on the broker (by port: the client uses the broker's name).
    private static string ProtocolOf(string bootstrap, List<Listener> listeners, Dictionary<string, string> protocols)
    {
        var port = int.Parse(bootstrap.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);
        return protocols[listeners.Single(l => l.Port == port && !IsLoopback(l.Host)).Name];
    }
}
