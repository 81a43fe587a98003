using Clickstream.Kafka.Consuming.Checkpoints;
using Microsoft.Extensions.Time.Testing;

namespace Clickstream.Tests.Rider.Parts;

public sealed class CommitPolicyTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private readonly FakeTimeProvider _clock = new();

    [Fact]
    public void A_commit_is_due_after_the_message_count_before_the_interval()
    {
        var policy = new CommitPolicy(messageCount: 100, Interval, _clock);
        policy.Completed(99);
        Assert.False(policy.IsDue);

        policy.Completed(1);
        Assert.True(policy.IsDue);

        policy.Committed();
        Assert.False(policy.IsDue);
    }

    [Fact]
    public void A_commit_is_due_once_the_interval_passed_since_the_last_periodic_one()
    {
        var policy = new CommitPolicy(messageCount: 100, Interval, _clock);
        _clock.Advance(Interval - TimeSpan.FromMilliseconds(1));
        Assert.False(policy.IsDue);

        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(policy.IsDue);

        policy.Committed();
        Assert.False(policy.IsDue);
    }

    [Fact]
    public void A_commit_on_revocation_resets_the_count_but_not_the_interval()
    {
        var policy = new CommitPolicy(messageCount: 10, Interval, _clock);
        policy.Completed(10);
        policy.Reset();
        Assert.False(policy.IsDue);

        _clock.Advance(Interval);
        Assert.True(policy.IsDue);
    }
}
