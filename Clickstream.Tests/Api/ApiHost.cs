using Clickstream.Contracts;
using Clickstream.Kafka;
using Clickstream.Kafka.Embedded;
using Clickstream.Tests.Kafka;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;


namespace Clickstream.Tests.Api;

/// <summary>
/// The API in memory (WebApplicationFactory) publishing to its own embedded Kafka broker, with test settings on top
/// of the defaults. One per test class: classes run in parallel and never share a topic.
/// </summary>
public abstract class ApiHost : IAsyncLifetime
{
    public const int Partitions = 3;

    private WebApplicationFactory<Program>? _factory;

    public EmbeddedKafkaBroker Broker { get; private set; } = null!;

    public WebApplicationFactory<Program> Factory => _factory ?? throw new InvalidOperationException("The host has not started.");

    /// <summary>Configuration keys and values the API starts with, besides Kafka:BootstrapServers.</summary>
    protected virtual IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>();

    /// <summary>Services that replace the API's own (a FakeTimeProvider, say).</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    public HttpClient CreateClient() => Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = true });

    /// <summary>Messages on raw_events over all partitions (the end offsets' sum).</summary>
    public long EventsOnTopic() => KafkaTestClients.EndOffsets(Broker.BootstrapServers, Topics.RawEvents, Partitions).Values.Sum();

    /// <summary>What the API's rider counts as produced to raw_events and not fetched, on its fullest partition.</summary>
    public long UnfetchedBytes()
    {
        using var scope = Factory.Services.CreateScope();
        return scope.ServiceProvider.GetRequiredService<IKafkaRider>().GetUnfetchedBytes(Topics.RawEvents);
    }

    public Task InitializeAsync()
    {
        Broker = EmbeddedKafkaBroker.Start(new() { Topics = { [Topics.RawEvents] = Partitions, [Topics.RawEventsDeadLetter] = 1 } });
        _factory = Create(Broker.BootstrapServers, Settings, ConfigureServices);
        // Starts the host now, so a test's first request does not pay for (or time) the start.
        _ = _factory.Server;
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }
        await Broker.DisposeAsync();
    }

    /// <summary>An API factory with exactly these settings (an empty bootstrap leaves Kafka:BootstrapServers unset).</summary>
    public static WebApplicationFactory<Program> Create(string? bootstrapServers, IReadOnlyDictionary<string, string> settings,
        Action<IServiceCollection>? services = null)
    {
        // The standalone run decides what to embed before the host is built, before WebApplicationFactory's settings
        // apply: these tests bring their own broker, so keep it from starting one (the same for every test).
        Environment.SetEnvironmentVariable("Standalone__Enabled", "false");
        return new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            if (!string.IsNullOrEmpty(bootstrapServers))
            {
                builder.UseSetting("Kafka:BootstrapServers", bootstrapServers);
            }
            builder.UseSetting("Api:Readiness:ProbeInterval", "00:00:00.250");
            builder.UseSetting("Api:Readiness:ProbeTimeout", "00:00:01");
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }
            builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
            if (services is not null)
            {
                builder.ConfigureServices(services);
            }
        });
    }
}
