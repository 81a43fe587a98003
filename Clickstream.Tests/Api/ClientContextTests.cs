using System.Net;
using Clickstream.Api.ReadModel;
using Clickstream.Contracts;
using Clickstream.Kafka.Embedded;
using Clickstream.Tests.Consumers;
using Clickstream.Tests.Infrastructure;
using Microsoft.Extensions.Hosting;

namespace Clickstream.Tests.Api;

/// <summary>A broker, a database and a worker storing what the API processes of <see cref="ClientContextTests"/> publish.</summary>
public sealed class ClientContextPipeline : IAsyncLifetime
{
    private IHost? _worker;

    public EmbeddedKafkaBroker Broker { get; private set; } = null!;

    internal StoreFactory Database { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Broker = EmbeddedKafkaBroker.Start(new() { Topics = { [Topics.RawEvents] = PipelineProbe.Partitions, [Topics.RawEventsDeadLetter] = 1 } });
        Database = StoreFactory.Create(await TestPostgres.CreateDatabaseAsync());
        _worker = await ConsumersHost.StartAsync(Broker.BootstrapServers, Database.DataSource.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        if (_worker is not null)
        {
            await _worker.StopAsync();
            _worker.Dispose();
        }
        await Database.DisposeAsync();
        await Broker.DisposeAsync();
    }
}

/// <summary>
/// The API, run as a process over real TCP on 127.0.0.1, stamps each event with the request's User-Agent and the client's
/// address truncated to a network (or neither, as configured); the rows the worker stores carry them.
/// </summary>
public sealed class ClientContextTests(ClientContextPipeline pipeline) : IClassFixture<ClientContextPipeline>
{
    private const string Browser = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";

    [Fact]
    public async Task By_default_rows_carry_the_user_agent_and_the_address_truncated_to_24_or_48_bits_also_when_forwarded_by_a_trusted_proxy()
    {
        await using var api = await StartApiAsync(new() { ["Api__ForwardedHeaders__KnownProxies__0"] = "127.0.0.1" });
        using var client = new HttpClient { BaseAddress = api.Address };
        var longAgent = "LongAgent/1.0 " + new string('x', 700);

        var direct = await PostAsync(client, 1, Browser, forwardedFor: null);
        var ipv4 = await PostAsync(client, 2, Browser, "203.0.113.77");
        var ipv6 = await PostAsync(client, 3, "curl/8.5.0", "2001:db8:abcd:12:1:2:3:4");
        var mapped = await PostAsync(client, 4, Browser, "::ffff:198.51.100.9");
        var noAgent = await PostAsync(client, 5, userAgent: null, "203.0.113.78");
        var batch = await PostBatchAsync(client, 10, longAgent, "2001:db8:ffff::1");

        Assert.Equal((Browser, "127.0.0.0/24"), await StoredAsync(direct));
        Assert.Equal((Browser, "203.0.113.0/24"), await StoredAsync(ipv4));
        Assert.Equal(("curl/8.5.0", "2001:db8:abcd::/48"), await StoredAsync(ipv6));
        Assert.Equal((Browser, "198.51.100.0/24"), await StoredAsync(mapped));
        Assert.Equal((null, "203.0.113.0/24"), await StoredAsync(noAgent));
        foreach (var id in batch)
        {
            // The header is cut to 512 characters; every event of a batch carries its request's context.
            Assert.Equal((longAgent[..512], "2001:db8:ffff::/48"), await StoredAsync(id));
        }
    }

    [Fact]
    public async Task With_other_prefix_lengths_the_address_keeps_that_many_bits_and_at_32_and_128_it_is_kept_whole()
    {
        await using var api = await StartApiAsync(new()
        {
            ["Api__ForwardedHeaders__KnownProxies__0"] = "127.0.0.1",
            ["Api__ClientContext__IPv4PrefixLength"] = "32",
            ["Api__ClientContext__IPv6PrefixLength"] = "128",
        });
        using var client = new HttpClient { BaseAddress = api.Address };

        var ipv4 = await PostAsync(client, 20, Browser, "203.0.113.77");
        var ipv6 = await PostAsync(client, 21, Browser, "2001:db8:abcd:12:1:2:3:4");

        Assert.Equal((Browser, "203.0.113.77"), await StoredAsync(ipv4));
        Assert.Equal((Browser, "2001:db8:abcd:12:1:2:3:4"), await StoredAsync(ipv6));
    }

    [Fact]
    public async Task Turned_off_neither_the_user_agent_nor_the_address_is_stored()
    {
        await using var api = await StartApiAsync(new()
        {
            ["Api__ClientContext__StoreUserAgent"] = "false",
            ["Api__ClientContext__StoreClientAddress"] = "false",
        });
        using var client = new HttpClient { BaseAddress = api.Address };

        var single = await PostAsync(client, 30, Browser, forwardedFor: null);
        var batch = await PostBatchAsync(client, 31, Browser, forwardedFor: null);

        foreach (var id in batch.Prepend(single))
        {
            Assert.Equal((null, null), await StoredAsync(id));
        }
    }

    [Fact]
    public async Task The_address_alone_can_be_turned_off()
    {
        await using var api = await StartApiAsync(new() { ["Api__ClientContext__StoreClientAddress"] = "false" });
        using var client = new HttpClient { BaseAddress = api.Address };

        var id = await PostAsync(client, 40, Browser, forwardedFor: null);

        Assert.Equal((Browser, null), await StoredAsync(id));
    }

    [Theory]
    [InlineData("Api__ClientContext__IPv4PrefixLength", "33", "Api:ClientContext:IPv4PrefixLength is 33; it must be between 0 and 32")]
    [InlineData("Api__ClientContext__IPv4PrefixLength", "-1", "Api:ClientContext:IPv4PrefixLength is -1; it must be between 0 and 32")]
    [InlineData("Api__ClientContext__IPv6PrefixLength", "129", "Api:ClientContext:IPv6PrefixLength is 129; it must be between 0 and 128")]
    public async Task A_prefix_length_out_of_range_stops_the_start_naming_the_setting(string key, string value, string message)
    {
        var (exitCode, output) = await EndToEnd.StandaloneApp.RunUntilExitAsync(new Dictionary<string, string>
        {
            ["Standalone__Enabled"] = "false",
            ["Kafka__BootstrapServers"] = "127.0.0.1:9",
            [key] = value,
        });

        Assert.Equal(1, exitCode);
        Assert.Contains(message, output, StringComparison.Ordinal);
    }

    private async Task<ServiceProcess> StartApiAsync(Dictionary<string, string> settings)
    {
        settings["Kafka__BootstrapServers"] = pipeline.Broker.BootstrapServers;
        settings["Standalone__Enabled"] = "false";
        var api = ServiceProcess.Start("Clickstream.Api", "The API", settings);
        await api.WaitUntilReadyAsync();
        return api;
    }

    private static async Task<Guid> PostAsync(HttpClient client, int index, string? userAgent, string? forwardedFor)
    {
        var sent = ApiRequests.Event(index);
        using var request = Request("/events", ApiRequests.Json(sent), userAgent, forwardedFor);
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return sent.EventId;
    }

    private static async Task<List<Guid>> PostBatchAsync(HttpClient client, int index, string? userAgent, string? forwardedFor)
    {
        var sent = Enumerable.Range(index * 10, 3).Select(i => ApiRequests.Event(i)).ToList();
        using var request = Request("/events/batch", ApiRequests.Json(sent), userAgent, forwardedFor);
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return sent.Select(e => e.EventId).ToList();
    }

    private static HttpRequestMessage Request(string path, HttpContent content, string? userAgent, string? forwardedFor)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        if (userAgent is not null)
        {
            request.Headers.TryAddWithoutValidation("User-Agent", userAgent);
        }
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }
        return request;
    }

    private async Task<(string? UserAgent, string? ClientAddress)> StoredAsync(Guid eventId)
    {
        StoredEvent? stored = null;
        await Eventually.HoldsAsync(async () =>
        {
            await using var context = pipeline.Database.ReadContext();
            stored = await new StoredEventReader(context).FindAsync(eventId);
            return stored is not null;
        }, () => $"Event {eventId} was not stored.");
        return (stored!.UserAgent, stored.ClientAddress);
    }
}
