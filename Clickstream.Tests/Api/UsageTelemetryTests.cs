using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Clickstream.Tests.Api;

/// <summary>Neither service reports usage to masstransit.io (MassTransit 8.5 does by default).</summary>
public sealed class UsageTelemetryTests(IngestionApiHost host) : IClassFixture<IngestionApiHost>
{
    [Fact]
    public void The_api_does_not_report_MassTransit_usage() =>
        Assert.False(host.Factory.Services.GetRequiredService<IOptions<UsageTelemetryOptions>>().Value.Enabled);

    [Fact]
    public void The_worker_does_not_report_MassTransit_usage()
    {
        var worker = Clickstream.Tests.Consumers.ConsumersHost.Builder(new Dictionary<string, string?>());
        using var services = worker.Services.BuildServiceProvider();
        Assert.False(services.GetRequiredService<IOptions<UsageTelemetryOptions>>().Value.Enabled);
    }
}
