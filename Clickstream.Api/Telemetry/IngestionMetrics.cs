using System.Diagnostics.Metrics;
using Clickstream.Api.Ingestion;
using Clickstream.Api.Publishing;

namespace Clickstream.Api.Telemetry;

/// <summary>
/// The API's instruments, on the <see cref="MeterName"/> meter from the host's <see cref="IMeterFactory"/>: events
/// received, accepted (Kafka acknowledged) and refused by reason, 503 answers by cause, and request body sizes. Recorded
/// once per request with tags built once; nothing is recorded per event.
/// </summary>
internal sealed class IngestionMetrics
{
    public const string MeterName = "Clickstream.Api";

    private static readonly KeyValuePair<string, object?>[][] ReasonTags =
    [
        [new("reason", "invalid")],
        [new("reason", "too_large")],
        [new("reason", "unavailable")],
        [new("reason", "unauthorized")],
        [new("reason", "rate_limited")],
        [new("reason", "forbidden")],
    ];

    private static readonly KeyValuePair<string, object?>[][] CauseTags =
    [
        [new("cause", "broker_unreachable")],
        [new("cause", "queue_full")],
        [new("cause", "consumer_lag")],
        [new("cause", "publish_timeout")],
        [new("cause", "producer_failed")],
    ];

    private readonly Counter<long> _received;
    private readonly Counter<long> _accepted;
    private readonly Counter<long> _refused;
    private readonly Counter<long> _unavailable;
    private readonly Histogram<long> _bodySize;

    public IngestionMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _received = meter.CreateCounter<long>("clickstream.api.events.received", "{event}",
            "Events in request bodies that parsed as an event or a batch element, valid or not.");
        _accepted = meter.CreateCounter<long>("clickstream.api.events.accepted", "{event}",
            "Events answered 202: Kafka acknowledged them.");
        _refused = meter.CreateCounter<long>("clickstream.api.events.refused", "{event}",
            "Events refused, by reason; a request whose body was never read as events counts as one.");
        _unavailable = meter.CreateCounter<long>("clickstream.api.unavailable", "{response}",
            "503 answers of the ingestion endpoints, by cause.");
        _bodySize = meter.CreateHistogram<long>("http.server.request.body.size", "By",
            "Request body sizes on the ingestion routes (as read, or as declared when refused unread).",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [256, 1024, 4096, 16_384, 65_536, 262_144, 1_048_576, 4_194_304] });
    }

    /// <summary>A request body was read on <paramref name="route"/>: its size, its events, and its refusal if it was refused.</summary>
    public void Read(IngestionRoute route, IncomingEvents incoming)
    {
        if (incoming.BodyBytes is { } bytes)
        {
            _bodySize.Record(bytes, route.Tags);
        }
        if (incoming.Received > 0)
        {
            _received.Add(incoming.Received, route.Tags);
        }
        if (incoming.Invalid is not null)
        {
            Refused(RefusalReason.Invalid, Math.Max(1, incoming.Received));
        }
        else if (incoming.Refused is { } refused)
        {
            Refused(refused.StatusCode == StatusCodes.Status413PayloadTooLarge ? RefusalReason.TooLarge : RefusalReason.Invalid);
        }
    }

    /// <summary>A body refused before an endpoint read it: its declared size, when it declared one.</summary>
    public void BodyRefusedUnread(IngestionRoute route, long? contentLength)
    {
        if (contentLength is { } bytes)
        {
            _bodySize.Record(bytes, route.Tags);
        }
    }

    /// <summary>The publish of <paramref name="events"/> ended with <paramref name="outcome"/>: accepted, or a 503 by cause.</summary>
    public void Published(int events, PublishOutcome outcome)
    {
        if (outcome.Acknowledged)
        {
            _accepted.Add(events);
            return;
        }
        Refused(RefusalReason.Unavailable, events);
        _unavailable.Add(1, CauseTags[(int)outcome.Cause]);
    }

    /// <summary><paramref name="count"/> events (or one request) refused for <paramref name="reason"/>.</summary>
    public void Refused(RefusalReason reason, int count = 1) => _refused.Add(count, ReasonTags[(int)reason]);
}
