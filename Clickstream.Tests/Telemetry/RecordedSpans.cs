using System.Diagnostics;
using Clickstream.Tests.Infrastructure;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace Clickstream.Tests.Telemetry;

/// <summary>
/// An OpenTelemetry tracer provider, as a host would have one, exporting every ended span of the sources the hosts
/// subscribe to into memory. It listens process-wide: tests running meanwhile add spans too, so a test finds its own by
/// what it knows of them (a span id from a message's header, its database's name).
/// </summary>
internal sealed class RecordedSpans : IDisposable
{
    public static readonly string[] Sources = ["Clickstream.*", "MassTransit", "Npgsql", "Microsoft.AspNetCore"];

    private readonly SpanList _spans = new();
    private readonly TracerProvider _provider;

    public RecordedSpans()
    {
        _provider = Sdk.CreateTracerProviderBuilder()
            .AddSource(Sources)
            .AddInMemoryExporter(_spans)
            .Build();
    }

    /// <summary>The spans ended so far.</summary>
    public IReadOnlyList<Activity> All => _spans.Snapshot();

    public Activity? WithSpanId(ActivitySpanId spanId) => All.FirstOrDefault(s => s.SpanId == spanId);

    /// <summary><paramref name="span"/>'s parent, its parent's parent, and so on, as far as they were recorded.</summary>
    public IEnumerable<Activity> Ancestors(Activity span)
    {
        var spans = All.ToDictionary(s => s.SpanId);
        for (var parent = span.ParentSpanId; parent != default && spans.TryGetValue(parent, out var next); parent = next.ParentSpanId)
        {
            yield return next;
        }
    }

    /// <summary>Waits until <paramref name="find"/> finds a span (spans are recorded as they end), or fails naming <paramref name="what"/>.</summary>
    public async Task<Activity> WaitForAsync(Func<Activity?> find, string what)
    {
        Activity? found = null;
        await Eventually.HoldsAsync(() => (found = find()) is not null, () => $"No {what} among {All.Count} recorded spans.");
        return found!;
    }

    public void Dispose() => _provider.Dispose();

    /// <summary>The exporter adds from whichever thread ends a span; the test reads meanwhile.</summary>
    private sealed class SpanList : ICollection<Activity>
    {
        private readonly List<Activity> _items = [];

        public int Count
        {
            get
            {
                lock (_items)
                {
                    return _items.Count;
                }
            }
        }

        public bool IsReadOnly => false;

        public void Add(Activity item)
        {
            lock (_items)
            {
                _items.Add(item);
            }
        }

        public List<Activity> Snapshot()
        {
            lock (_items)
            {
                return [.. _items];
            }
        }

        public void Clear()
        {
            lock (_items)
            {
                _items.Clear();
            }
        }

        public bool Contains(Activity item) => Snapshot().Contains(item);

        public void CopyTo(Activity[] array, int arrayIndex) => Snapshot().CopyTo(array, arrayIndex);

        public bool Remove(Activity item)
        {
            lock (_items)
            {
                return _items.Remove(item);
            }
        }

        public IEnumerator<Activity> GetEnumerator() => Snapshot().GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
