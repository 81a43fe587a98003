namespace Clickstream.Kafka.Consuming.Faults;

/// <summary>
/// What happens to messages that can never be consumed: those that fail the contract check, and those whose consumer
/// still faulted after its retries. Each goes to the dead-letter topic once; only then does it count as done. A stop
/// that aborts leaves them undone (uncommitted, so delivered again).
/// </summary>
internal static class DeadLettering
{
    public const string FaultPrefix = "Consumer faulted: ";

    /// <summary>Dead-letters the messages that failed the contract check, each with its problem.</summary>
    public static Task RejectAsync(IEnumerable<Rejection> rejected, CancellationToken abort) =>
        Task.WhenAll(rejected.Select(r => r.Message.DeadLetterAsync(r.Reason, r.Problem, null, abort)));

    /// <summary>
    /// Dead-letters <paramref name="messages"/> after <paramref name="fault"/>; true once every one is on the dead-letter
    /// topic, false when the endpoint aborted first.
    /// </summary>
    public static async Task<bool> FaultedAsync(IEnumerable<KafkaMessageContext> messages, Exception fault, CancellationToken abort, Task? alsoAwait = null)
    {
        try
        {
            var sends = messages.Select(m => m.DeadLetterAsync(DeadLetterReason.ConsumerFault, FaultPrefix + fault.Message, fault, abort));
            await Task.WhenAll(alsoAwait is null ? sends : sends.Append(alsoAwait));
            return true;
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>Dead-letters a message Kafka could not read (<see cref="UnreadableMessage"/>); false when the endpoint aborted first.</summary>
    public static async Task<bool> UnreadableAsync(KafkaMessageContext message, string reason, Exception error, CancellationToken abort)
    {
        try
        {
            await message.DeadLetterAsync(DeadLetterReason.Unreadable, reason, error, abort);
            return true;
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            return false;
        }
    }
}

/// <summary>A message that failed the contract check, why, and the class of why.</summary>
internal readonly record struct Rejection(KafkaMessageContext Message, string Problem, DeadLetterReason Reason);
