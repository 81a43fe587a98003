using Clickstream.Api.Configuration;
using Clickstream.Api.Publishing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Clickstream.Tests.Api;

/// <summary>
/// The consumer-lag bound on a fake clock: the backlog is a number the test sets, time moves only when the test
/// advances it, and every admission decision is taken by then (the guard decides under its lock, on its timer).
/// </summary>
public sealed class ConsumerLagGuardTests : IDisposable
{
    private const long KiB = 1024;
    private const long Limit = 100 * KiB;
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(5);

    private readonly FakeTimeProvider _time = new();
    private readonly ConsumerLagGuard _guard;
    private long _behind;

    public ConsumerLagGuardTests() =>
        _guard = new ConsumerLagGuard(Options.Create(new PublishOptions { MaxConsumerLagBytes = Limit }), _time, NullLogger<ConsumerLagGuard>.Instance);

    public void Dispose() => _guard.Dispose();

    [Fact]
    public async Task Two_concurrent_requests_that_each_fit_alone_but_not_together_do_not_both_pass()
    {
        var first = Admit(60 * KiB);
        var second = Admit(60 * KiB);

        Assert.True(first.IsCompletedSuccessfully);
        Assert.Null((await first).Refusal);
        Tick(10);
        Assert.False(second.IsCompleted, "The second request passed while the first one's bytes were still being produced.");

        // The first one's produce completed: its bytes now count as produced and not fetched, instead of reserved.
        SetBehind(60 * KiB);
        (await first).Release();
        Tick(10);
        Assert.False(second.IsCompleted, "The second request passed on top of the first one's unfetched bytes.");

        SetBehind(0);
        Tick();
        Assert.True(second.IsCompletedSuccessfully);
        Assert.Null((await second).Refusal);
    }

    [Fact]
    public async Task Waiting_requests_are_admitted_first_come_first_served_and_a_newcomer_queues_behind_them()
    {
        SetBehind(Limit);
        var large = Admit(50 * KiB);
        var small = Admit(10 * KiB);
        Tick();
        Assert.False(large.IsCompleted);
        Assert.False(small.IsCompleted);

        // Room for the small one, not for the large one ahead of it: nobody passes.
        SetBehind(60 * KiB);
        Tick(5);
        Assert.False(large.IsCompleted);
        Assert.False(small.IsCompleted, "A later request took the room the first in line waits for.");
        var newcomer = Admit(1 * KiB);
        Assert.False(newcomer.IsCompleted, "A newcomer went past the requests waiting in line.");

        SetBehind(50 * KiB);
        Tick();
        Assert.True(large.IsCompletedSuccessfully);
        Assert.Null((await large).Refusal);
        Assert.False(small.IsCompleted, "The small request passed on top of the large one's reservation.");

        // The large one produced and the consumers fetched it: the end of its reservation lets the next ones in at once.
        (await large).Release();
        Assert.True(small.IsCompletedSuccessfully);
        Assert.True(newcomer.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task A_request_is_refused_with_the_reason_when_the_consumers_stay_behind_for_the_max_wait()
    {
        SetBehind(200 * KiB);
        var waiting = Admit(1 * KiB);

        _time.Advance(MaxWait - TimeSpan.FromMilliseconds(20));
        Assert.False(waiting.IsCompleted, "Refused before the max wait.");
        _time.Advance(TimeSpan.FromMilliseconds(40));
        Assert.True(waiting.IsCompletedSuccessfully);
        var refusal = (await waiting).Refusal;
        Assert.NotNull(refusal);
        Assert.Contains("200 KiB behind", refusal);
        Assert.Contains("100 KiB", refusal);
        Assert.Contains("did not catch up within 5 s", refusal);

        // The refused request left the line and holds nothing.
        SetBehind(0);
        var next = Admit(Limit);
        Assert.True(next.IsCompletedSuccessfully);
        Assert.Null((await next).Refusal);
    }

    [Fact]
    public async Task A_cancelled_waiting_request_leaves_the_line_to_the_one_behind_it()
    {
        SetBehind(Limit);
        using var cancellation = new CancellationTokenSource();
        var cancelled = _guard.AdmitAsync(50 * KiB, () => Volatile.Read(ref _behind), MaxWait, cancellation.Token);
        var behindIt = Admit(10 * KiB);

        cancellation.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        SetBehind(60 * KiB);
        Tick();
        Assert.True(behindIt.IsCompletedSuccessfully);
        Assert.Null((await behindIt).Refusal);
    }

    [Fact]
    public async Task A_request_larger_than_the_bound_goes_through_alone_when_nothing_is_behind()
    {
        var alone = Admit(3 * Limit);
        Assert.True(alone.IsCompletedSuccessfully);
        Assert.Null((await alone).Refusal);

        var next = Admit(1 * KiB);
        Tick(5);
        Assert.False(next.IsCompleted, "A request passed while an oversized one filled the bound.");
        (await alone).Release();
        Assert.True(next.IsCompletedSuccessfully);
    }

    private Task<ConsumerLagGuard.LagAdmission> Admit(long bytes) =>
        _guard.AdmitAsync(bytes, () => Volatile.Read(ref _behind), MaxWait, CancellationToken.None);

    private void SetBehind(long bytes) => Volatile.Write(ref _behind, bytes);

    private void Tick(int polls = 1)
    {
        for (var i = 0; i < polls; i++)
        {
            _time.Advance(ConsumerLagGuard.PollInterval);
        }
    }
}
