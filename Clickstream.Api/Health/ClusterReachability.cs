namespace Clickstream.Api.Health;

/// <summary>The outcome of the last probe of the Kafka cluster, shared by the probe and the readiness check.</summary>
internal sealed class ClusterReachability
{
    private volatile ProbeResult _last = new(false, "The Kafka cluster has not been probed yet.");

    public ProbeResult Last => _last;

    /// <summary>Records a probe's outcome; true when it differs from the previous one (worth a log line).</summary>
    public bool Record(ProbeResult result)
    {
        var previous = _last;
        _last = result;
        return previous.Reachable != result.Reachable;
    }

    internal sealed record ProbeResult(bool Reachable, string Description);
}
