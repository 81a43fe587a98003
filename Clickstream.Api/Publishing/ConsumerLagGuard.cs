using Clickstream.Api.Configuration;
using Microsoft.Extensions.Options;

namespace Clickstream.Api.Publishing;

/// <summary>
/// Keeps the API from accepting events faster than the consumers in this process fetch them, when
/// <see cref="PublishOptions.MaxConsumerLagBytes"/> is set (the standalone run, whose embedded broker drops the oldest
/// data past about 5 MiB a partition). A request is admitted only when the consumers' backlog, the bytes of requests
/// admitted and still producing, and its own bytes fit the bound: it holds that room (a reservation) until its produce
/// completed, when the bytes counted as produced replace it. So concurrent requests that each fit alone but not
/// together never pass together. Until there is room a request waits in line, first come first served (a newcomer
/// never takes the room the first in line waits for), at most <see cref="PublishOptions.Timeout"/>: clients slow down
/// to what the pipeline stores instead of being refused at every burst. Only when the consumers stay behind (storage
/// down or stalled) is it refused with 503 and <c>Retry-After: 1</c>, instead of being acknowledged and then dropped
/// by the broker. Warns at most every <see cref="WarningInterval"/>.
/// </summary>
/// <remarks>
/// The line is re-examined every <see cref="PollInterval"/> (the consumers' progress has no event to wait on) and
/// whenever a reservation ends. While a request produces, its bytes count twice (reserved, and on their way in the
/// backlog): erring on the safe side for a few milliseconds.
/// </remarks>
internal sealed partial class ConsumerLagGuard(IOptions<PublishOptions> options, TimeProvider time, ILogger<ConsumerLagGuard> logger) : IDisposable
{
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);
    internal static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan WarningInterval = TimeSpan.FromSeconds(10);

    private readonly Lock _gate = new();
    private readonly LinkedList<Waiter> _line = new();
    private long _reserved;
    private ITimer? _timer;
    private bool _ticking;
    private int _warnedSinceAccepting;
    private long _refusedSinceWarning;
    private long _lastWarning = long.MinValue;

    public bool IsOn => options.Value.MaxConsumerLagBytes is not null;

    /// <summary>
    /// Completes with an admission holding room for <paramref name="bytes"/> once they fit the bound (at once, usually),
    /// or with a refusal giving the reason for the client when they did not within <paramref name="maxWait"/>. Release
    /// the admission when the request's produce has completed.
    /// </summary>
    public Task<LagAdmission> AdmitAsync(long bytes, Func<long> unfetchedBytes, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        if (options.Value.MaxConsumerLagBytes is not { } limit)
        {
            return Task.FromResult(LagAdmission.Unbounded);
        }
        cancellationToken.ThrowIfCancellationRequested();
        Waiter waiter;
        lock (_gate)
        {
            if (_line.Count == 0 && unfetchedBytes() is var behind && Fits(behind, bytes, limit))
            {
                return Task.FromResult(Admit(bytes, behind));
            }
            waiter = new Waiter(bytes, unfetchedBytes, time.GetTimestamp(), maxWait);
            waiter.Node = _line.AddLast(waiter);
            StartTicking();
        }
        waiter.Cancellation = cancellationToken.Register(() =>
        {
            lock (_gate)
            {
                // Not in line any more: it was admitted or refused already, and that outcome stands.
                if (waiter.Node?.List is not null)
                {
                    _line.Remove(waiter.Node);
                    waiter.Outcome.TrySetCanceled(cancellationToken);
                }
            }
        });
        return waiter.Outcome.Task;
    }

    public void Dispose() => _timer?.Dispose();

    private bool Fits(long behind, long bytes, long limit) =>
        // A request larger than the bound by itself goes through alone, when nothing else is behind or reserved.
        behind + _reserved + Math.Min(bytes, limit) <= limit;

    // Under _gate.
    private LagAdmission Admit(long bytes, long behind)
    {
        _reserved += bytes;
        if (Volatile.Read(ref _warnedSinceAccepting) == 1 && Interlocked.Exchange(ref _warnedSinceAccepting, 0) == 1)
        {
            LogAccepting(behind);
        }
        return new LagAdmission(this, bytes, refusal: null);
    }

    private void Release(long bytes)
    {
        lock (_gate)
        {
            _reserved -= bytes;
            ExamineLine();
        }
    }

    // Under _gate: admits from the head of the line while it fits, and refuses whoever waited out its bound.
    private void ExamineLine()
    {
        var limit = options.Value.MaxConsumerLagBytes ?? long.MaxValue;
        while (_line.First is { } head && head.Value.UnfetchedBytes() is var behind && Fits(behind, head.Value.Bytes, limit))
        {
            _line.RemoveFirst();
            head.Value.Complete(Admit(head.Value.Bytes, behind));
        }
        var now = time.GetTimestamp();
        for (var node = _line.First; node is not null;)
        {
            var next = node.Next;
            var waiter = node.Value;
            if (time.GetElapsedTime(waiter.Started, now) >= waiter.MaxWait)
            {
                _line.Remove(node);
                waiter.Complete(new LagAdmission(this, 0, Refuse(waiter.UnfetchedBytes(), limit, waiter.MaxWait)));
            }
            node = next;
        }
        if (_line.Count == 0 && _ticking)
        {
            _timer!.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _ticking = false;
        }
    }

    // Under _gate.
    private void StartTicking()
    {
        if (_ticking)
        {
            return;
        }
        _ticking = true;
        if (_timer is null)
        {
            _timer = time.CreateTimer(_ =>
            {
                lock (_gate)
                {
                    ExamineLine();
                }
            }, null, PollInterval, PollInterval);
        }
        else
        {
            _timer.Change(PollInterval, PollInterval);
        }
    }

    private string Refuse(long behind, long limit, TimeSpan maxWait)
    {
        Interlocked.Increment(ref _refusedSinceWarning);
        var now = time.GetTimestamp();
        var last = Interlocked.Read(ref _lastWarning);
        if ((last == long.MinValue || time.GetElapsedTime(last, now) >= WarningInterval)
            && Interlocked.CompareExchange(ref _lastWarning, now, last) == last)
        {
            Volatile.Write(ref _warnedSinceAccepting, 1);
            LogRefusing(behind, limit, maxWait, Interlocked.Exchange(ref _refusedSinceWarning, 0));
        }
        return $"The consumers are {behind / 1024} KiB behind on a partition, more than the {limit / 1024} KiB this run's broker may hold safely, "
            + $"and did not catch up within {maxWait.TotalSeconds:0.###} s.";
    }

    /// <summary>A request's place in the line.</summary>
    private sealed class Waiter(long bytes, Func<long> unfetchedBytes, long started, TimeSpan maxWait)
    {
        public long Bytes => bytes;
        public Func<long> UnfetchedBytes => unfetchedBytes;
        public long Started => started;
        public TimeSpan MaxWait => maxWait;
        public LinkedListNode<Waiter>? Node { get; set; }
        public CancellationTokenRegistration Cancellation { get; set; }

        // Continuations run elsewhere: never inside the guard's lock.
        public TaskCompletionSource<LagAdmission> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        // Under the guard's lock, once the waiter left the line: a cancellation can no longer claim it.
        public void Complete(LagAdmission admission)
        {
            Outcome.TrySetResult(admission);
            // Unregister, not Dispose: Dispose would wait for a cancellation callback blocked on the same lock.
            Cancellation.Unregister();
        }
    }

    /// <summary>A request let through (holding room for its bytes until <see cref="Release"/>), or refused with a reason.</summary>
    internal sealed class LagAdmission
    {
        public static readonly LagAdmission Unbounded = new(null, 0, null);

        private ConsumerLagGuard? _guard;
        private readonly long _bytes;

        internal LagAdmission(ConsumerLagGuard? guard, long bytes, string? refusal)
        {
            _guard = refusal is null ? guard : null;
            _bytes = bytes;
            Refusal = refusal;
        }

        /// <summary>Why the request is refused; null when it was admitted.</summary>
        public string? Refusal { get; }

        /// <summary>The request's produce completed (acknowledged or not): its room goes back. Safe to call twice.</summary>
        public void Release() => Interlocked.Exchange(ref _guard, null)?.Release(_bytes);
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "The consumers are {UnfetchedBytes} bytes behind on a partition (limit {Limit}) and did not catch up within {MaxWait}: "
            + "refusing new events with 503 ({Refused} requests refused since the last warning)")]
    private partial void LogRefusing(long unfetchedBytes, long limit, TimeSpan maxWait, long refused);

    [LoggerMessage(Level = LogLevel.Information, Message = "The consumers caught up ({UnfetchedBytes} bytes behind): accepting events again")]
    private partial void LogAccepting(long unfetchedBytes);
}
