using System.Diagnostics.Metrics;

namespace Clickstream.Kafka.Telemetry;

/// <summary>
/// The rider's instruments, on the <see cref="MeterName"/> meter created through the host's <see cref="IMeterFactory"/>
/// (so a test or a host sees only its own rider's values). Built once per rider; instruments cost nothing while no
/// listener (OpenTelemetry, dotnet-counters) subscribes to the meter.
/// </summary>
internal sealed class KafkaMetrics
{
    public const string MeterName = "Clickstream.Kafka";

    // Without a meter factory (a rider built outside a host) the instruments still exist, on one meter for the process.
    private static readonly Lazy<Meter> Unhosted = new(() => new Meter(MeterName));

    public KafkaMetrics(IMeterFactory? meters)
    {
        var meter = meters?.Create(MeterName) ?? Unhosted.Value;
        Producers = new ProducerMetrics(meter);
        Consumers = new ConsumerMetrics(meter, Producers);
    }

    public ProducerMetrics Producers { get; }

    public ConsumerMetrics Consumers { get; }
}
