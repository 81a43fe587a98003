using Clickstream.Kafka.Consuming.Checkpoints;

namespace Clickstream.Kafka.Consuming.Dispatch;

/// <summary>
/// Hands received messages to the endpoint's MassTransit receive pipeline: each on its own (<see cref="MessageDispatch"/>)
/// or in the batches the endpoint collects (<see cref="BatchDispatch"/>). The poll thread calls everything but
/// <see cref="WaitForWorkers"/>; finished messages are reported through <see cref="MessagesFinished"/>.
/// </summary>
internal interface IMessageDispatch
{
    /// <summary>Takes a received message; <paramref name="entry"/> completes once it is consumed or dead-lettered.</summary>
    void Add(KafkaMessageContext message, PartitionCheckpoint.Entry entry);

    /// <summary>How long the poll thread may wait for the next message: at most <paramref name="longest"/>.</summary>
    TimeSpan NextWait(TimeSpan longest);

    /// <summary>Hands over what is due (a batch whose time limit passed).</summary>
    void CompleteIfDue();

    /// <summary>Hands over what is being collected now, however small (revocation, stop, the in-flight limit).</summary>
    void Flush();

    /// <summary>
    /// After the endpoint aborted, waits at most <paramref name="timeout"/> (and not past <paramref name="cancellationToken"/>)
    /// for work still running to give up; true when it did.
    /// </summary>
    bool WaitForWorkers(TimeSpan timeout, CancellationToken cancellationToken);
}

/// <summary>
/// Messages left the dispatch: <paramref name="done"/> when consumed or dead-lettered (they may be committed), not when
/// abandoned by an abort (they are delivered again).
/// </summary>
internal delegate void MessagesFinished(bool done, PartitionCheckpoint.Entry[] entries);
