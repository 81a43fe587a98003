using Clickstream.ServiceDefaults.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Time.Testing;

namespace Clickstream.Tests.Hosting;

public sealed class StopDeadlineTests
{
    [Fact]
    public void A_stop_that_outlasts_the_bound_is_ended_once_when_the_bound_has_passed()
    {
        var time = new FakeTimeProvider();
        var expired = 0;
        using var deadline = new StopDeadline(time, () => expired++) { Bound = TimeSpan.FromSeconds(10) };

        Assert.True(deadline.Arm());
        time.Advance(TimeSpan.FromSeconds(10) - TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, expired);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, expired);
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, expired);
    }

    [Fact]
    public void A_second_signal_does_not_extend_the_stop()
    {
        var time = new FakeTimeProvider();
        var expired = 0;
        using var deadline = new StopDeadline(time, () => expired++) { Bound = TimeSpan.FromSeconds(10) };

        deadline.Arm();
        time.Advance(TimeSpan.FromSeconds(6));
        Assert.False(deadline.Arm());
        time.Advance(TimeSpan.FromSeconds(4));

        Assert.Equal(1, expired);
        Assert.Equal(time.GetUtcNow() - TimeSpan.FromSeconds(10), deadline.ArmedAt);
    }

    [Fact]
    public void A_stop_that_completes_in_time_is_not_ended()
    {
        var time = new FakeTimeProvider();
        var expired = 0;
        var deadline = new StopDeadline(time, () => expired++) { Bound = TimeSpan.FromSeconds(10) };

        deadline.Arm();
        time.Advance(TimeSpan.FromSeconds(5));
        deadline.Dispose();
        time.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(0, expired);
        Assert.False(deadline.Arm());
    }

    [Theory]
    [InlineData(null, 45)]
    [InlineData("", 45)]
    [InlineData("00:00:12", 12)]
    [InlineData("not a time", 45)]
    public void The_bound_of_a_stop_is_Ingestion_ShutdownTimeout(string? configured, int seconds)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Ingestion:ShutdownTimeout"] = configured })
            .Build();

        Assert.Equal(TimeSpan.FromSeconds(seconds), ShutdownTimeout.Read(configuration));
    }
}
