using System.ComponentModel.DataAnnotations;

namespace Clickstream.Api.Configuration;

/// <summary>What one request may carry (section "Api:Ingestion"). Checked before anything is deserialized.</summary>
public sealed class IngestionLimits
{
    public const string Section = "Api:Ingestion";

    /// <summary>Events in one <c>POST /events/batch</c>. Default 1,000.</summary>
    [Range(1, 100_000)]
    public int MaxEventsPerBatch { get; set; } = 1_000;

    /// <summary>Bytes of one <c>POST /events/batch</c> body. Default 1 MiB; larger bodies get 413 unread.</summary>
    [Range(1_024, 64 * 1024 * 1024)]
    public int MaxBatchBytes { get; set; } = 1024 * 1024;

    /// <summary>Bytes of one event (the <c>POST /events</c> body, or one element of a batch). Default 32 KiB.</summary>
    [Range(256, 16 * 1024 * 1024)]
    public int MaxEventBytes { get; set; } = 32 * 1024;

    /// <summary>Nesting of JSON objects and arrays, counted from the body's root. Default 16.</summary>
    [Range(4, 256)]
    public int MaxJsonDepth { get; set; } = 16;

    /// <summary>How far ahead of the server's clock an <c>event_time</c> may be (client clock skew). Default 5 minutes.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan MaxFutureSkew { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How old an <c>event_time</c> may be (late, buffered clients). Default 7 days.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "3650.00:00:00")]
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(7);

    internal static bool EventFitsInBatch(IngestionLimits limits) => limits.MaxEventBytes <= limits.MaxBatchBytes;
}
