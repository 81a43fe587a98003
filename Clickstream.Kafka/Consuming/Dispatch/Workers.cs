namespace Clickstream.Kafka.Consuming.Dispatch;

internal static class Workers
{
    /// <summary>Waits for <paramref name="tasks"/> at most <paramref name="timeout"/>; false when they did not all end by then or the wait was canceled.</summary>
    public static bool WaitAll(Task[] tasks, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            return Task.WaitAll(tasks, (int)Math.Min(timeout.TotalMilliseconds, int.MaxValue), cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (AggregateException)
        {
            return true; // they ended; their faults were handled where they ran
        }
    }
}
