using System.Diagnostics.Metrics;

namespace Clickstream.Kafka.Telemetry;

/// <summary>
/// The topic endpoints' instruments: messages consumed (<c>messaging.client.consumed.messages</c>), commits, dead letters,
/// and the gauges read when a listener collects (lag per assigned partition, messages in flight, paused partitions).
/// Gauges and the consumed count read what the endpoints already keep (no broker round trip per observation; the count
/// lives as long as its endpoint); the other counters are recorded through each endpoint's <see cref="EndpointMetrics"/>,
/// whose tags are built once.
/// </summary>
internal sealed class ConsumerMetrics
{
    private readonly ProducerMetrics _producers;
    private readonly Lock _gate = new();
    private EndpointMetrics[] _observed = [];

    public ConsumerMetrics(Meter meter, ProducerMetrics producers)
    {
        _producers = producers;
        // Observed, not added to per message: an update with four tags per message cost the poll thread ~8 % of its CPU.
        meter.CreateObservableCounter("messaging.client.consumed.messages", ObserveConsumed, "{message}",
            "Messages a topic endpoint received from Kafka and handed to its dispatch, per partition.");
        Commits = meter.CreateCounter<long>("clickstream.kafka.commits", "{commit}",
            "Offset commits of a topic endpoint, by outcome (ok, failed).");
        DeadLetters = meter.CreateCounter<long>("clickstream.kafka.dead_letters", "{message}",
            "Messages of a topic written to its dead-letter topic, by reason class.");
        meter.CreateObservableGauge("clickstream.kafka.partition.lag", ObserveLag, "{message}",
            "Per assigned partition: the high watermark minus the committed offset (clickstream.lag.from=committed), or minus "
            + "the consumer's position (position), as last seen by the consumer.");
        meter.CreateObservableGauge("clickstream.kafka.messages.in_flight", ObserveInFlight, "{message}",
            "Messages received and not settled yet (being collected into a batch, consumed, or dead-lettered).");
        meter.CreateObservableGauge("clickstream.kafka.partitions.paused", ObservePaused, "{partition}",
            "Partitions whose fetching is paused by back-pressure (the in-flight limit stayed reached).");
    }

    internal Counter<long> Commits { get; }

    internal Counter<long> DeadLetters { get; }

    /// <summary>The instruments of one topic endpoint, with its tags built once.</summary>
    public EndpointMetrics Endpoint(string topic, string group, string deadLetterTopic) =>
        new(this, topic, group, _producers.For(deadLetterTopic));

    internal void StartObserving(EndpointMetrics endpoint)
    {
        lock (_gate)
        {
            _observed = [.. _observed, endpoint];
        }
    }

    internal void StopObserving(EndpointMetrics endpoint)
    {
        lock (_gate)
        {
            _observed = Array.FindAll(_observed, e => !ReferenceEquals(e, endpoint));
        }
    }

    private List<Measurement<long>> ObserveLag()
    {
        var measurements = new List<Measurement<long>>();
        foreach (var endpoint in Volatile.Read(ref _observed))
        {
            endpoint.MeasureLag(measurements);
        }
        return measurements;
    }

    // One measurement per partition of a topic and group: two endpoints of the same in one process add up.
    private List<Measurement<long>> ObserveConsumed()
    {
        var totals = new Dictionary<(string Topic, string Group, int Partition), (long Total, KeyValuePair<string, object?>[] Tags)>();
        foreach (var endpoint in Volatile.Read(ref _observed))
        {
            endpoint.MeasureConsumed(totals);
        }
        var measurements = new List<Measurement<long>>(totals.Count);
        foreach (var (total, tags) in totals.Values)
        {
            measurements.Add(new Measurement<long>(total, tags));
        }
        return measurements;
    }

    private List<Measurement<long>> ObserveInFlight() => PerTopic(static g => g.InFlight());

    private List<Measurement<long>> ObservePaused() => PerTopic(static g => g.PausedPartitions());

    // One measurement per topic: two endpoints reading one topic (two groups) add up rather than report the same tags twice.
    private List<Measurement<long>> PerTopic(Func<EndpointGauges, int> read)
    {
        var totals = new Dictionary<string, (long Value, EndpointMetrics First)>(StringComparer.Ordinal);
        foreach (var endpoint in Volatile.Read(ref _observed))
        {
            if (endpoint.Gauges is not { } gauges)
            {
                continue;
            }
            var value = read(gauges);
            totals[endpoint.Topic] = totals.TryGetValue(endpoint.Topic, out var total) ? (total.Value + value, total.First) : (value, endpoint);
        }
        var measurements = new List<Measurement<long>>(totals.Count);
        foreach (var (_, total) in totals)
        {
            measurements.Add(new Measurement<long>(total.Value, total.First.TopicTags));
        }
        return measurements;
    }
}
