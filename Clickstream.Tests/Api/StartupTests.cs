using Microsoft.Extensions.Options;

namespace Clickstream.Tests.Api;

/// <summary>A misconfigured API refuses to start, saying what to fix.</summary>
public sealed class StartupTests
{
    [Fact]
    public async Task Without_Kafka_bootstrap_servers_the_API_does_not_start_and_names_the_setting()
    {
        await using var factory = ApiHost.Create(bootstrapServers: null, new Dictionary<string, string>());

        var failure = Assert.ThrowsAny<OptionsValidationException>(() => factory.Server);

        Assert.Contains("Kafka:BootstrapServers", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_short_API_key_stops_the_start()
    {
        await using var factory = ApiHost.Create("127.0.0.1:9", new Dictionary<string, string> { ["Api:Keys:0"] = "short" });

        var failure = Assert.ThrowsAny<OptionsValidationException>(() => factory.Server);

        Assert.Contains("Api:Keys", failure.Message, StringComparison.Ordinal);
    }
}
