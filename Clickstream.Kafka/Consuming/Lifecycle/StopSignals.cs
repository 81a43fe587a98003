namespace Clickstream.Kafka.Consuming.Lifecycle;

/// <summary>
/// The signals of an endpoint's stop, and its bound. A stop ends fetching (<see cref="Stopping"/>) and gives every wait
/// of the stop (its drain, a revocation's, the workers') one DrainTimeout from the moment it was asked for
/// (<see cref="DrainCanceled"/>). When the host gives up first (its shutdown timeout ran out), the endpoint aborts: work
/// in flight is canceled, nothing more is committed, and nothing more is waited for (<see cref="HostGaveUp"/>).
/// </summary>
internal sealed class StopSignals : IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _abort = new();
    private readonly CancellationTokenSource _hostGaveUp = new();
    private readonly CancellationTokenSource _bound;
    private readonly CancellationTokenSource _drainCanceled;
    private readonly TimeSpan _drainTimeout;
    private readonly TimeProvider _clock;
    private long _requestedAt;

    public StopSignals(TimeSpan drainTimeout, TimeProvider clock)
    {
        _drainTimeout = drainTimeout;
        _clock = clock;
        _bound = new CancellationTokenSource(Timeout.InfiniteTimeSpan, clock);
        _drainCanceled = CancellationTokenSource.CreateLinkedTokenSource(_abort.Token, _bound.Token);
    }

    /// <summary>The poll loop ends its turns.</summary>
    public CancellationToken Stopping => _stopping.Token;

    /// <summary>In-flight work is canceled and nothing more is committed.</summary>
    public CancellationToken Abort => _abort.Token;

    public bool IsAborted => _abort.IsCancellationRequested;

    /// <summary>A drain gives up: the stop's bound passed, or the endpoint aborted.</summary>
    public CancellationToken DrainCanceled => _drainCanceled.Token;

    public CancellationToken HostGaveUp => _hostGaveUp.Token;

    /// <summary>What is left of the stop's bound (all of it before the stop was asked for).</summary>
    public TimeSpan TimeLeft
    {
        get
        {
            var requested = Interlocked.Read(ref _requestedAt);
            var left = requested == 0 ? _drainTimeout : _drainTimeout - _clock.GetElapsedTime(requested);
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
    }

    /// <summary>Asks for the stop; <paramref name="host"/> is the host's token, canceled when it gives up waiting.</summary>
    /// <returns>The registration on <paramref name="host"/>, to dispose once the stop is over.</returns>
    public CancellationTokenRegistration Request(CancellationToken host)
    {
        if (host.IsCancellationRequested)
        {
            GiveUp();
        }
        var registration = host.Register(GiveUp);
        if (Interlocked.CompareExchange(ref _requestedAt, Math.Max(1, _clock.GetTimestamp()), 0) == 0)
        {
            _bound.CancelAfter(_drainTimeout);
        }
        _stopping.Cancel();
        return registration;
    }

    /// <summary>The stop drained what it could: whatever is still running is abandoned (uncommitted, so delivered again).</summary>
    public void AbortNow() => _abort.Cancel();

    public void Dispose()
    {
        _drainCanceled.Dispose();
        _bound.Dispose();
        _hostGaveUp.Dispose();
        _abort.Dispose();
        _stopping.Dispose();
    }

    private void GiveUp()
    {
        _hostGaveUp.Cancel();
        _abort.Cancel();
    }
}
