namespace Clickstream.Kafka.Consuming.Checkpoints;

/// <summary>
/// When the endpoint commits while it runs: after <c>messageCount</c> completions, or once <c>interval</c> has passed
/// since the last periodic commit (revocation and stop commit on their own).
/// </summary>
internal sealed class CommitPolicy(int messageCount, TimeSpan interval, TimeProvider clock)
{
    private long _completed;
    private long _since = clock.GetTimestamp();

    /// <summary>Messages completed (consumed or dead-lettered) on any thread.</summary>
    public void Completed(int count) => Interlocked.Add(ref _completed, count);

    public bool IsDue => Volatile.Read(ref _completed) >= messageCount || clock.GetElapsedTime(_since) >= interval;

    /// <summary>A periodic commit ran: counting starts again.</summary>
    public void Committed()
    {
        Reset();
        _since = clock.GetTimestamp();
    }

    /// <summary>A commit outside the schedule (revocation) took what completed so far; the interval is not restarted.</summary>
    public void Reset() => Interlocked.Exchange(ref _completed, 0);
}
