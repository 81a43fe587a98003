using System.Diagnostics.Metrics;
using static Clickstream.Api.Dashboard.Figures.PipelineInstruments;

namespace Clickstream.Api.Dashboard.Figures;

/// <summary>
/// The dashboard's figures, read in this process from the pipeline's own instruments with a <see cref="MeterListener"/>
/// (no exporter, no scrape): counters and histograms land in one-second buckets over <see cref="WindowSeconds"/>,
/// gauges are observed once a second. Only instruments of this host's <see cref="IMeterFactory"/> are read, so several
/// hosts in one process (tests) never mix their figures. A hosted service: it listens from the host's start, so totals
/// count from then.
/// </summary>
internal sealed partial class PipelineFigures : IHostedService, IDisposable
{
    /// <summary>How far back the per-second series and the batch latency quantiles go.</summary>
    public const int WindowSeconds = 60;

    /// <summary>Rates are averages over this many seconds: steady enough to read, recent enough to follow a change.</summary>
    public const int RateSeconds = 10;

    private readonly IMeterFactory _meterFactory;
    private readonly TimeProvider _time;
    private readonly ILogger<PipelineFigures> _logger;

    private readonly PerSecondCounts _accepted = new(WindowSeconds);
    private readonly PerSecondCounts _refused = new(WindowSeconds, ReasonTag);
    private readonly PerSecondCounts _inserted = new(WindowSeconds);
    private readonly PerSecondCounts _deadLetters = new(WindowSeconds, ReasonTag);
    private readonly PerSecondCounts _retries = new(WindowSeconds);
    private readonly LatencyWindow _batchDurations = new(WindowSeconds);
    private readonly GaugeReadings _lag = new();
    private readonly GaugeReadings _paused = new();
    private readonly GaugeReadings _stalled = new();
    private readonly Lock _tickGate = new();

    private MeterListener? _listener;
    private ITimer? _timer;
    private long _firstSecond;
    private long _lastClosed;

    public PipelineFigures(IMeterFactory meterFactory, TimeProvider time, ILogger<PipelineFigures> logger)
    {
        _meterFactory = meterFactory;
        _time = time;
        _logger = logger;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        _firstSecond = now.ToUnixTimeSeconds();
        _lastClosed = _firstSecond - 1;

        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter.Scope, _meterFactory) && SinkOf(instrument) is { } sink)
                {
                    (sink as GaugeReadings)?.Attach();
                    listener.EnableMeasurementEvents(instrument, sink);
                }
            },
            MeasurementsCompleted = (_, state) => (state as GaugeReadings)?.Detach(),
        };
        _listener.SetMeasurementEventCallback<long>(static (_, value, tags, state) => ((IMeasurementSink)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>(static (_, value, tags, state) => ((IMeasurementSink)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>(static (_, value, tags, state) => ((IMeasurementSink)state!).Record(value, tags));
        _listener.Start();

        // Ticks just after each whole second, so each closes the second before it.
        var untilNextSecond = DateTimeOffset.FromUnixTimeSeconds(_firstSecond + 1) - now;
        _timer = _time.CreateTimer(_ => Tick(), null, untilNextSecond, TimeSpan.FromSeconds(1));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _timer?.Dispose();
        _listener?.Dispose();
    }

    /// <summary>The closed seconds a reading covers now.</summary>
    public SecondsWindow Window => new(Volatile.Read(ref _lastClosed), _firstSecond, WindowSeconds);

    public IngestFigures ReadIngest()
    {
        var window = Window;
        return new IngestFigures(
            _accepted.Rate(window, RateSeconds),
            _accepted.Total(),
            _accepted.PerSecond(window),
            _refused.RatesByValue(window, RateSeconds),
            _refused.Totals(),
            _refused.PerSecond(window));
    }

    public ConsumerFigures ReadConsumers()
    {
        var window = Window;
        var latency = _batchDurations.Read(window);
        return new ConsumerFigures(
            _inserted.Rate(window, RateSeconds),
            _inserted.Total(),
            _inserted.PerSecond(window),
            LagOf(_lag.Latest),
            new BatchDurationFigures(latency.Count, latency.P50, latency.P99),
            _deadLetters.Totals(),
            _deadLetters.PerSecond(window).Sum(),
            _stalled.Latest?.Sum(r => r.Value),
            _paused.Latest?.Sum(r => r.Value),
            _retries.Rate(window, RateSeconds));
    }

    private IMeasurementSink? SinkOf(Instrument instrument) => (instrument.Meter.Name, instrument.Name) switch
    {
        (ApiMeter, EventsAccepted) => _accepted,
        (ApiMeter, EventsRefused) => _refused,
        (KafkaMeter, LagPerPartition) => _lag,
        (KafkaMeter, PartitionsPaused) => _paused,
        (KafkaMeter, DeadLetters) => _deadLetters,
        (ConsumersMeter, RowsInserted) => _inserted,
        (ConsumersMeter, BatchDuration) => _batchDurations,
        (ConsumersMeter, StoreRetries) => _retries,
        (ConsumersMeter, Stalled) => _stalled,
        _ => null,
    };

    private void Tick()
    {
        // A timer callback can overlap the previous one on a busy machine: one tick at a time.
        lock (_tickGate)
        {
            // The second that just ended; never backwards, should the timer fire a hair early.
            var second = Math.Max(_time.GetUtcNow().ToUnixTimeSeconds() - 1, Volatile.Read(ref _lastClosed));
            ObserveGauges();
            _accepted.Close(second);
            _refused.Close(second);
            _inserted.Close(second);
            _deadLetters.Close(second);
            _retries.Close(second);
            _batchDurations.Close(second);
            Volatile.Write(ref _lastClosed, second);
        }
    }

    private void ObserveGauges()
    {
        GaugeReadings[] gauges = [_lag, _paused, _stalled];
        foreach (var gauge in gauges)
        {
            gauge.BeginRound();
        }
        try
        {
            _listener?.RecordObservableInstruments();
        }
        catch (Exception e)
        {
            // A gauge's callback failed (its rider is stopping, say): the others were observed, the figures go on.
            LogObservationFailed(_logger, e);
        }
        finally
        {
            foreach (var gauge in gauges)
            {
                gauge.EndRound();
            }
        }
    }

    private static List<PartitionLag>? LagOf(IReadOnlyList<GaugeReading>? readings) =>
        readings?
            .GroupBy(r => (Topic: r.Tag(TopicTag) ?? string.Empty, Group: r.Tag(GroupTag) ?? string.Empty, Partition: r.Tag(PartitionTag) ?? string.Empty))
            .Select(g => new PartitionLag(g.Key.Topic, g.Key.Group, g.Key.Partition,
                g.FirstOrDefault(r => r.Tag(LagFromTag) == LagFromCommitted)?.Value,
                g.FirstOrDefault(r => r.Tag(LagFromTag) == LagFromPosition)?.Value))
            .OrderBy(l => l.Topic, StringComparer.Ordinal)
            .ThenBy(l => l.ConsumerGroup, StringComparer.Ordinal)
            .ThenBy(l => int.TryParse(l.Partition, out var number) ? number : int.MaxValue)
            .ThenBy(l => l.Partition, StringComparer.Ordinal)
            .ToList();

    [LoggerMessage(Level = LogLevel.Warning, Message = "The dashboard could not observe every gauge this second")]
    private static partial void LogObservationFailed(ILogger logger, Exception exception);
}
