using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Clickstream.Kafka.Consuming.Backpressure;

/// <summary>
/// Applies the <see cref="FetchThrottle"/>'s decisions to the consumer, on the poll thread, and remembers which
/// partitions are paused. librdkafka keeps an application's pause on a partition across unassign and assign: a partition
/// paused for back-pressure and handed back by a rebalance would stay paused for ever while the endpoint believes it
/// fetches. So every new assignment is paused or resumed explicitly, to match the throttle.
/// </summary>
internal sealed class PartitionPause(ILogger logger, string endpoint)
{
    private volatile int[] _paused = [];
    private bool _assignmentChanged;

    /// <summary>Partitions paused now, in order.</summary>
    public IReadOnlyList<int> Partitions => _paused;

    /// <summary>A rebalance assigned partitions (Confluent assigns them once the handler returned, inside Consume).</summary>
    public void AssignmentChanged() => _assignmentChanged = true;

    /// <summary>After Consume: sets a new assignment to <paramref name="paused"/>; nothing when the assignment did not change.</summary>
    public void ApplyToNewAssignment(IConsumer<byte[]?, byte[]?> consumer, bool paused)
    {
        if (!_assignmentChanged)
        {
            return;
        }
        _assignmentChanged = false;
        Set(consumer, paused);
    }

    public void Set(IConsumer<byte[]?, byte[]?> consumer, bool paused)
    {
        var assignment = consumer.Assignment;
        var partitions = string.Join(", ", assignment.Select(p => p.Partition.Value));
        if (paused)
        {
            consumer.Pause(assignment);
            _paused = assignment.Select(p => p.Partition.Value).Order().ToArray();
            ConsumingLog.Paused(logger, endpoint, partitions);
        }
        else
        {
            consumer.Resume(assignment);
            if (_paused.Length > 0)
            {
                ConsumingLog.Resumed(logger, endpoint, partitions);
            }
            _paused = [];
        }
    }
}
