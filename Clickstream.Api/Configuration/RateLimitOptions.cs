namespace Clickstream.Api.Configuration;

/// <summary>
/// Request rate limits (section "Api:RateLimit"), each a fixed window; more get 429 with Retry-After. By default only
/// requests without a valid key are limited (per client address, so nobody can guess keys at speed); a key, or the open
/// API, is unlimited until <see cref="PerKey"/> or <see cref="PerAddress"/> is set. A site behind one proxy, or a load
/// test from one machine, is then never throttled by a limit nobody chose.
/// </summary>
public sealed class RateLimitOptions
{
    public const string Section = "Api:RateLimit";

    /// <summary>Requests per key (server or publishable: a publishable key is a whole site's traffic). Default: none.</summary>
    public WindowLimit? PerKey { get; set; }

    /// <summary>Events requests per client address (trusted proxies' X-Forwarded-For, see Api:ForwardedHeaders). Default: none.</summary>
    public WindowLimit? PerAddress { get; set; }

    /// <summary>While keys are required: requests with no valid key, per client address. Default 100 per minute.</summary>
    public WindowLimit WithoutValidKey { get; set; } = new() { PermitLimit = 100, Window = TimeSpan.FromMinutes(1) };

    internal IEnumerable<string> Problems(IConfiguration configuration)
    {
        if (configuration[$"{Section}:PermitLimit"] is not null || configuration[$"{Section}:Window"] is not null)
        {
            yield return $"{Section}:PermitLimit and {Section}:Window are replaced: set {Section}:PerKey:PermitLimit and :Window for a limit per "
                + $"API key, {Section}:PerAddress:PermitLimit and :Window for one per client address.";
        }
        foreach (var (name, limit) in new[] { ("PerKey", PerKey), ("PerAddress", PerAddress), ("WithoutValidKey", WithoutValidKey) })
        {
            if (limit is null)
            {
                continue;
            }
            if (limit.PermitLimit < 1)
            {
                yield return $"{Section}:{name}:PermitLimit must be at least 1 (got {limit.PermitLimit}); leave {name} unset for no limit.";
            }
            if (limit.Window < TimeSpan.FromMilliseconds(10) || limit.Window > TimeSpan.FromDays(1))
            {
                yield return $"{Section}:{name}:Window must be between 10 ms and 1 day (got {limit.Window}).";
            }
        }
    }
}

/// <summary><see cref="PermitLimit"/> requests every <see cref="Window"/>.</summary>
public sealed class WindowLimit
{
    public int PermitLimit { get; set; }

    /// <summary>Default 1 s.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(1);
}
