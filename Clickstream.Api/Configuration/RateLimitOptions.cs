using System.ComponentModel.DataAnnotations;

namespace Clickstream.Api.Configuration;

/// <summary>
/// Requests per API key, or per client address when no keys are configured (section "Api:RateLimit"): a fixed
/// window of <see cref="PermitLimit"/> requests every <see cref="Window"/>; more get 429 with Retry-After.
/// </summary>
public sealed class RateLimitOptions
{
    public const string Section = "Api:RateLimit";

    /// <summary>Requests allowed per window and partition. Default 1,000.</summary>
    [Range(1, int.MaxValue)]
    public int PermitLimit { get; set; } = 1_000;

    /// <summary>The window's length. Default 1 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(1);
}
