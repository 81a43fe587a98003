namespace Clickstream.ServiceDefaults.Hosting;

/// <summary>
/// The last line of defence of a bounded stop: once armed, it runs <c>onExpired</c> when <see cref="Bound"/> has passed,
/// unless disposed first. The host's own <c>ShutdownTimeout</c> only cancels the token it hands to hosted services; a
/// service that does not honour it (a store retrying through an outage, a drain that waits) would keep the process alive
/// past the bound, so this ends it.
/// </summary>
public sealed class StopDeadline(TimeProvider time, Action onExpired) : IDisposable
{
    private readonly Lock _gate = new();
    private ITimer? _timer;
    private bool _disposed;

    /// <summary>How long a stop may take, counted from <see cref="Arm"/>. Set before the stop begins.</summary>
    public TimeSpan Bound { get; set; } = TimeSpan.FromSeconds(45);

    /// <summary>When the stop began (the first <see cref="Arm"/>), or null while none did.</summary>
    public DateTimeOffset? ArmedAt { get; private set; }

    /// <summary>Starts the clock; later calls change nothing (a second signal does not extend the stop). False if already armed.</summary>
    public bool Arm()
    {
        lock (_gate)
        {
            if (_disposed || ArmedAt is not null)
            {
                return false;
            }
            ArmedAt = time.GetUtcNow();
            _timer = time.CreateTimer(_ => onExpired(), null, Bound, Timeout.InfiniteTimeSpan);
            return true;
        }
    }

    /// <summary>The stop finished in time: the deadline no longer applies.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _timer?.Dispose();
        }
    }
}
