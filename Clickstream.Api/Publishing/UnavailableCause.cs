namespace Clickstream.Api.Publishing;

/// <summary>Why a publish was answered 503: the <c>cause</c> tag of <c>clickstream.api.unavailable</c>.</summary>
internal enum UnavailableCause
{
    /// <summary>The producer cannot reach the cluster (the readiness probe says so too, or librdkafka reports the transport).</summary>
    BrokerUnreachable,

    /// <summary>The producer's local queue is full: more is being produced than the cluster takes.</summary>
    QueueFull,

    /// <summary>The consumers stayed behind the lag bound (the standalone run's embedded broker).</summary>
    ConsumerLag,

    /// <summary>The cluster is reachable but did not acknowledge within <c>Api:Publishing:Timeout</c>.</summary>
    PublishTimeout,

    /// <summary>The producer refused the events for another reason (a fatal error, a message too large).</summary>
    ProducerFailed,
}
