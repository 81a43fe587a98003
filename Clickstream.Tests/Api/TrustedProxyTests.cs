using System.Net;
using Clickstream.Contracts;
using Clickstream.Kafka.Embedded;
using Clickstream.Tests.Infrastructure;

namespace Clickstream.Tests.Api;

/// <summary>
/// The client address the rate limiter counts by: from X-Forwarded-For only when the connection comes from a configured
/// trusted proxy, over real TCP (the API as a process on 127.0.0.1).
/// </summary>
public sealed class TrustedProxyTests
{
    [Fact]
    public async Task Behind_a_trusted_proxy_each_forwarded_client_has_a_budget_of_its_own()
    {
        var (first, second) = await SendAsync(new() { ["Api__ForwardedHeaders__KnownProxies__0"] = "127.0.0.1" });

        Assert.Equal([HttpStatusCode.Accepted, HttpStatusCode.Accepted, HttpStatusCode.TooManyRequests], first);
        Assert.Equal([HttpStatusCode.Accepted], second);
    }

    [Fact]
    public async Task Forwarded_headers_from_a_connection_that_is_no_trusted_proxy_are_ignored()
    {
        var (first, second) = await SendAsync([]);

        // Both "clients" are the one connection address: its budget of 2 is spent by the first two requests.
        Assert.Equal([HttpStatusCode.Accepted, HttpStatusCode.Accepted, HttpStatusCode.TooManyRequests], first);
        Assert.Equal([HttpStatusCode.TooManyRequests], second);
    }

    [Fact]
    public async Task A_trusted_proxy_that_is_not_an_address_stops_the_start_naming_the_setting()
    {
        var (exitCode, output) = await EndToEnd.StandaloneApp.RunUntilExitAsync(new Dictionary<string, string>
        {
            ["Standalone__Enabled"] = "false",
            ["Kafka__BootstrapServers"] = "127.0.0.1:9",
            ["Api__ForwardedHeaders__KnownNetworks__0"] = "10.0.0.0/33",
        });

        Assert.Equal(1, exitCode);
        Assert.Contains("Api:ForwardedHeaders:KnownNetworks entry '10.0.0.0/33' is not a network", output, StringComparison.Ordinal);
    }

    // Three requests forwarded for 203.0.113.1, then one for 203.0.113.2, with a budget of 2 requests per client a minute.
    private static async Task<(List<HttpStatusCode> First, List<HttpStatusCode> Second)> SendAsync(Dictionary<string, string> settings)
    {
        await using var broker = EmbeddedKafkaBroker.Start(new() { Topics = { [Topics.RawEvents] = 1, [Topics.RawEventsDeadLetter] = 1 } });
        settings["Kafka__BootstrapServers"] = broker.BootstrapServers;
        settings["Standalone__Enabled"] = "false";
        settings["Api__RateLimit__PerAddress__PermitLimit"] = "2";
        settings["Api__RateLimit__PerAddress__Window"] = "00:01:00";
        await using var api = ServiceProcess.Start("Clickstream.Api", "The API", settings);
        await api.WaitUntilReadyAsync();
        using var client = new HttpClient { BaseAddress = api.Address };

        async Task<HttpStatusCode> PostAsync(int index, string forwardedFor)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/events") { Content = ApiRequests.Json(ApiRequests.Event(index)) };
            request.Headers.Add("X-Forwarded-For", forwardedFor);
            using var response = await client.SendAsync(request);
            return response.StatusCode;
        }

        List<HttpStatusCode> first = [await PostAsync(1, "203.0.113.1"), await PostAsync(2, "203.0.113.1"), await PostAsync(3, "203.0.113.1")];
        List<HttpStatusCode> second = [await PostAsync(4, "203.0.113.2")];
        return (first, second);
    }
}
