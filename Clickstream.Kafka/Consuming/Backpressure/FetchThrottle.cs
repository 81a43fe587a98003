namespace Clickstream.Kafka.Consuming.Backpressure;

/// <summary>
/// Bounds the messages an endpoint holds (received, not finished) and decides, on the poll thread, when fetching
/// pauses and resumes. At the limit the poll thread stops taking messages; when nothing frees a place for
/// <c>stallBeforePause</c> (a slow or failing consumer) the partitions are paused, so memory stays bounded while
/// Consume keeps running for rebalances. Pausing costs a re-fetch on resume, so it is kept for stalls, not for every
/// moment the limit is reached. Fetching resumes at half the limit.
/// </summary>
internal sealed class FetchThrottle(int limit, TimeSpan stallBeforePause, TimeProvider clock)
{
    // Not disposed: work abandoned by an abort may still finish, and free its place, after the endpoint is gone.
    private readonly ManualResetEventSlim _capacityFreed = new();
    private int _inFlight;
    private long? _fullSince;

    public int Limit => limit;

    public int InFlight => Volatile.Read(ref _inFlight);

    public bool IsFull => InFlight >= limit;

    /// <summary>Whether the endpoint's partitions are paused (set by <see cref="Next"/>).</summary>
    public bool IsPaused { get; private set; }

    public void Received() => Interlocked.Increment(ref _inFlight);

    /// <summary>Frees the places of <paramref name="count"/> finished messages (any thread).</summary>
    public void Finished(int count)
    {
        Interlocked.Add(ref _inFlight, -count);
        _capacityFreed.Set();
    }

    /// <summary>What the poll thread does now; called once per turn of the loop.</summary>
    public FetchAction Next()
    {
        var inFlight = InFlight;
        if (IsPaused)
        {
            if (inFlight > limit / 2)
            {
                return FetchAction.Fetch;
            }
            IsPaused = false;
            _fullSince = null;
            return FetchAction.Resume;
        }
        if (inFlight < limit)
        {
            _fullSince = null;
            return FetchAction.Fetch;
        }
        var now = clock.GetTimestamp();
        _fullSince ??= now;
        if (clock.GetElapsedTime(_fullSince.Value, now) < stallBeforePause)
        {
            return FetchAction.Wait;
        }
        IsPaused = true;
        return FetchAction.Pause;
    }

    /// <summary>Blocks the poll thread until a place frees up or <paramref name="timeout"/> passes (a short, real wait).</summary>
    public void WaitForCapacity(TimeSpan timeout, CancellationToken cancellationToken)
    {
        _capacityFreed.Reset();
        if (!IsFull)
        {
            return;
        }
        try
        {
            _capacityFreed.Wait(timeout, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Stopping: the loop looks at its state next.
        }
    }
}

/// <summary>What the poll thread does on this turn.</summary>
internal enum FetchAction
{
    /// <summary>Take the next message (or, paused, serve rebalances).</summary>
    Fetch,

    /// <summary>At the limit, not yet a stall: take nothing, wait briefly for a place.</summary>
    Wait,

    /// <summary>At the limit for too long: pause the assigned partitions.</summary>
    Pause,

    /// <summary>Back at half the limit: resume the assigned partitions.</summary>
    Resume,
}
