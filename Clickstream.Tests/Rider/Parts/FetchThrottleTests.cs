using Clickstream.Kafka.Consuming.Backpressure;
using Microsoft.Extensions.Time.Testing;

namespace Clickstream.Tests.Rider.Parts;

public sealed class FetchThrottleTests
{
    private static readonly TimeSpan StallBeforePause = TimeSpan.FromSeconds(1);
    private readonly FakeTimeProvider _clock = new();

    [Fact]
    public void Below_the_limit_the_poll_thread_fetches()
    {
        var throttle = Throttle(limit: 4, received: 3);
        Assert.Equal(FetchAction.Fetch, throttle.Next());
        Assert.False(throttle.IsFull);
    }

    [Fact]
    public void At_the_limit_it_waits_and_pauses_only_when_nothing_freed_a_place_for_the_stall_time()
    {
        var throttle = Throttle(limit: 4, received: 4);
        Assert.True(throttle.IsFull);
        Assert.Equal(FetchAction.Wait, throttle.Next());

        _clock.Advance(StallBeforePause - TimeSpan.FromMilliseconds(1));
        Assert.Equal(FetchAction.Wait, throttle.Next());

        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(FetchAction.Pause, throttle.Next());
        Assert.True(throttle.IsPaused);
    }

    [Fact]
    public void A_place_freed_before_the_stall_time_starts_the_stall_time_again()
    {
        var throttle = Throttle(limit: 4, received: 4);
        Assert.Equal(FetchAction.Wait, throttle.Next());
        _clock.Advance(StallBeforePause / 2);

        throttle.Finished(1);
        Assert.Equal(FetchAction.Fetch, throttle.Next());
        throttle.Received();
        Assert.Equal(FetchAction.Wait, throttle.Next());

        _clock.Advance(StallBeforePause / 2);
        Assert.Equal(FetchAction.Wait, throttle.Next());
        _clock.Advance(StallBeforePause / 2);
        Assert.Equal(FetchAction.Pause, throttle.Next());
    }

    [Fact]
    public void Paused_partitions_resume_at_half_the_limit_and_not_before()
    {
        var throttle = Throttle(limit: 4, received: 4);
        throttle.Next();
        _clock.Advance(StallBeforePause);
        Assert.Equal(FetchAction.Pause, throttle.Next());

        throttle.Finished(1);
        Assert.Equal(FetchAction.Fetch, throttle.Next());
        Assert.True(throttle.IsPaused);

        throttle.Finished(1);
        Assert.Equal(FetchAction.Resume, throttle.Next());
        Assert.False(throttle.IsPaused);
        Assert.Equal(2, throttle.InFlight);
    }

    private FetchThrottle Throttle(int limit, int received)
    {
        var throttle = new FetchThrottle(limit, StallBeforePause, _clock);
        for (var i = 0; i < received; i++)
        {
            throttle.Received();
        }
        return throttle;
    }
}
