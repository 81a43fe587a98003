using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Clickstream.Tests.Consumers;

public sealed class IngestionOptionsTests
{
    [Fact]
    public async Task Missing_kafka_and_database_settings_fail_the_start_naming_what_to_set()
    {
        var failures = await StartAsync(new Dictionary<string, string?>());

        Assert.Contains(failures, f => f.StartsWith("Kafka:BootstrapServers is required", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("ConnectionStrings:Events is required", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Batch_settings_that_cannot_work_together_fail_the_start_with_clear_messages()
    {
        var failures = await StartAsync(new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = "127.0.0.1:9",
            ["ConnectionStrings:Events"] = "Host=127.0.0.1;Port=9;Maximum Pool Size=4",
            ["Ingestion:MessageLimit"] = "1000",
            ["Ingestion:ConcurrencyLimit"] = "8",
            ["Ingestion:ConcurrentMessageLimit"] = "2000",
            ["Ingestion:ShutdownTimeout"] = "00:00:10",
        });

        Assert.Contains(failures, f => f.Contains("ConcurrentMessageLimit (2000) is below MessageLimit × ConcurrencyLimit (1000 × 8)", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("ShutdownTimeout (00:00:10) must exceed DrainTimeout + TimeLimit", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("ConcurrencyLimit (8) exceeds the connection string's Maximum Pool Size (4)", StringComparison.Ordinal));
    }

    /// <summary>Every options failure the start reported (one exception per options type, gathered in an AggregateException).</summary>
    private static async Task<IReadOnlyList<string>> StartAsync(Dictionary<string, string?> settings)
    {
        using var host = ((HostApplicationBuilder)ConsumersHost.Builder(settings)).Build();
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync());
        var validations = failure is AggregateException all ? all.Flatten().InnerExceptions : [failure];
        return validations.OfType<OptionsValidationException>().SelectMany(v => v.Failures).ToList();
    }
}
