using Clickstream.Kafka.Consuming.Lifecycle;
using Microsoft.Extensions.Time.Testing;

namespace Clickstream.Tests.Rider.Parts;

public sealed class StopSignalsTests
{
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _clock = new();

    [Fact]
    public void A_stop_gives_all_its_waits_one_drain_timeout_from_when_it_was_asked_for()
    {
        using var stop = new StopSignals(DrainTimeout, _clock);
        _clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(DrainTimeout, stop.TimeLeft);

        using var registration = stop.Request(CancellationToken.None);
        Assert.True(stop.Stopping.IsCancellationRequested);
        _clock.Advance(DrainTimeout - TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.FromSeconds(1), stop.TimeLeft);
        Assert.False(stop.DrainCanceled.IsCancellationRequested);

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(stop.DrainCanceled.IsCancellationRequested);
        Assert.Equal(TimeSpan.Zero, stop.TimeLeft);
        Assert.False(stop.IsAborted, "Past its bound a stop still commits what finished; it does not abort.");
    }

    [Fact]
    public void Asking_again_does_not_move_the_bound()
    {
        using var stop = new StopSignals(DrainTimeout, _clock);
        using var first = stop.Request(CancellationToken.None);
        _clock.Advance(TimeSpan.FromSeconds(20));
        using var second = stop.Request(CancellationToken.None);

        Assert.Equal(TimeSpan.FromSeconds(10), stop.TimeLeft);
    }

    [Fact]
    public async Task When_the_host_gives_up_the_endpoint_aborts_and_waits_for_nothing_more()
    {
        using var stop = new StopSignals(DrainTimeout, _clock);
        using var host = new CancellationTokenSource();
        await using var registration = stop.Request(host.Token);
        Assert.False(stop.IsAborted);

        await host.CancelAsync();

        Assert.True(stop.IsAborted);
        Assert.True(stop.DrainCanceled.IsCancellationRequested);
        Assert.True(stop.HostGaveUp.IsCancellationRequested);
    }

    [Fact]
    public void A_stop_asked_for_with_a_token_already_canceled_aborts_at_once()
    {
        using var stop = new StopSignals(DrainTimeout, _clock);
        using var registration = stop.Request(new CancellationToken(canceled: true));

        Assert.True(stop.IsAborted);
        Assert.True(stop.HostGaveUp.IsCancellationRequested);
    }
}
