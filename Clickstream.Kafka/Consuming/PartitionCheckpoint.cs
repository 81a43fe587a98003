namespace Clickstream.Kafka.Consuming;

/// <summary>
/// The messages of one assigned partition that were received but are not committed yet, in offset order.
/// The committable offset is the one after the longest completed prefix: a message that has not completed
/// (still in a batch, retrying, failing) holds back every offset after it.
/// </summary>
internal sealed class PartitionCheckpoint
{
    private readonly Lock _gate = new();
    private readonly Queue<Entry> _pending = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _committable = -1;
    private long _committed = -1;
    private bool _revoked;

    /// <summary>Records a received message; returns the handle that completes it.</summary>
    public Entry Track(long offset)
    {
        lock (_gate)
        {
            var entry = new Entry(this, offset);
            _pending.Enqueue(entry);
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

    /// <summary>Remembers that <paramref name="offset"/> was committed.</summary>
    public void Committed(long offset)
    {
        lock (_gate)
        {
            _committed = Math.Max(_committed, offset);
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
