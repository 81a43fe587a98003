namespace Clickstream.Kafka.Consuming.Checkpoints;

/// <summary>
/// The messages of one assigned partition that were received but are not committed yet, in offset order, and the
/// partition's progress. The committable offset is the one after the longest completed prefix: a message that has not
/// completed (still in a batch, retrying, failing) holds back every offset after it. Progress is a commit that moves:
/// a partition with lag (received or known to be available, not committed) and no commit moving for a while is stalled.
/// </summary>
internal sealed class PartitionCheckpoint(TimeProvider clock)
{
    private readonly Lock _gate = new();
    private readonly Queue<Entry> _pending = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _committable = -1;
    private long _committed = -1;
    private long _firstReceived = -1;
    private long _nextToReceive = -1;
    private long _available;
    private long _highWatermark = -1;
    private long _position = -1;
    private DateTimeOffset _progressAt = clock.GetUtcNow();
    private bool _revoked;

    /// <summary>Records a received message; returns the handle that completes it.</summary>
    public Entry Track(long offset)
    {
        lock (_gate)
        {
            var hadLag = LagLocked() > 0;
            var entry = new Entry(this, offset);
            _pending.Enqueue(entry);
            if (_firstReceived < 0)
            {
                _firstReceived = offset;
            }
            _nextToReceive = Math.Max(_nextToReceive, offset + 1);
            NoteLagLocked(hadLag);
            return entry;
        }
    }

    /// <summary>The offset to commit (the next one to read), or null when nothing new completed since the last commit.</summary>
    public long? TakeCommittable()
    {
        lock (_gate)
        {
            return _committable > _committed ? _committable : null;
        }
    }

    /// <summary>Remembers that <paramref name="offset"/> was committed: progress, when it moved.</summary>
    public void Committed(long offset)
    {
        lock (_gate)
        {
            if (offset > _committed)
            {
                _committed = offset;
                _progressAt = clock.GetUtcNow();
            }
        }
    }

    /// <summary>
    /// What the consumer last saw of the partition: its end (high watermark) and its own position (the next offset it
    /// fetches). Messages between them are available and not received yet. The position, not the last message received,
    /// is compared with the end: the consumer steps over records that are no messages (transaction markers).
    /// </summary>
    public void ObserveEnd(long highWatermark, long position)
    {
        lock (_gate)
        {
            var hadLag = LagLocked() > 0;
            _available = position < 0 ? 0 : Math.Max(0, highWatermark - Math.Max(position, _nextToReceive));
            _highWatermark = highWatermark;
            _position = position;
            NoteLagLocked(hadLag);
        }
    }

    /// <summary>
    /// The partition's end, as last observed, minus the committed offset and minus the consumer's position; false until
    /// an end was observed. Before this endpoint's first commit the committed offset is where it started receiving (the
    /// group's offset), or its position when it received nothing yet.
    /// </summary>
    public bool TryGetLag(out long fromCommitted, out long fromPosition)
    {
        lock (_gate)
        {
            if (_highWatermark < 0)
            {
                fromCommitted = fromPosition = 0;
                return false;
            }
            var position = Math.Max(_position, _nextToReceive);
            var committed = _committed >= 0 ? _committed : _firstReceived >= 0 ? _firstReceived : position;
            fromCommitted = Math.Max(0, _highWatermark - committed);
            fromPosition = Math.Max(0, _highWatermark - position);
            return true;
        }
    }

    /// <summary>Messages received and not completed yet.</summary>
    public int InFlight
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>
    /// Messages received or known to be available that are not committed, and since when the partition made no
    /// progress (the last commit that moved, or the moment the lag appeared, or the assignment).
    /// </summary>
    public PartitionProgress Progress
    {
        get
        {
            lock (_gate)
            {
                return new PartitionProgress(LagLocked(), _progressAt);
            }
        }
    }

    /// <summary>Completes when every message received so far completed; new messages are no longer expected.</summary>
    public Task DrainAsync()
    {
        lock (_gate)
        {
            _revoked = true;
            if (_pending.Count == 0)
            {
                _drained.TrySetResult();
            }
            return _drained.Task;
        }
    }

    private long LagLocked()
    {
        // Received and not committed (before the first commit, counted from the first message received), and available.
        var start = _committed >= 0 ? _committed : _firstReceived;
        var received = start < 0 ? 0 : Math.Max(0, _nextToReceive - start);
        return received + _available;
    }

    private void NoteLagLocked(bool hadLag)
    {
        // An idle partition is not stalled: its time without progress starts when work appears.
        if (!hadLag && LagLocked() > 0)
        {
            _progressAt = clock.GetUtcNow();
        }
    }

    private void Complete(Entry entry)
    {
        lock (_gate)
        {
            entry.IsCompleted = true;
            while (_pending.TryPeek(out var head) && head.IsCompleted)
            {
                _pending.Dequeue();
                _committable = head.Offset + 1;
            }
            if (_revoked && _pending.Count == 0)
            {
                _drained.TrySetResult();
            }
        }
    }

    internal sealed class Entry(PartitionCheckpoint owner, long offset)
    {
        public long Offset { get; } = offset;

        public bool IsCompleted { get; set; }

        public void Complete() => owner.Complete(this);
    }
}

/// <summary>A partition's lag (messages received or available, not committed) and since when no commit moved.</summary>
internal readonly record struct PartitionProgress(long Lag, DateTimeOffset NoProgressSince)
{
    /// <summary>Lag, and no progress for at least <paramref name="stallAfter"/>.</summary>
    public bool IsStalled(DateTimeOffset now, TimeSpan stallAfter) => Lag > 0 && now - NoProgressSince >= stallAfter;
}
