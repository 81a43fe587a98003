using System.Threading.RateLimiting;
using Clickstream.Api.Configuration;
using Clickstream.Api.Security;
using Clickstream.Api.Telemetry;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace Clickstream.Api.RateLimiting;

/// <summary>
/// Which budget a request spends (<see cref="RateLimitOptions"/>), decided before its key is checked: per key for a
/// valid key, per client address for requests without one (key guessing) and, when configured, per client address for
/// sending events. The two are chained: a request must fit both.
/// </summary>
internal sealed class RequestPartitions(IOptions<RateLimitOptions> options, ApiKeys keys)
{
    private static readonly RateLimitPartition<string> Unlimited = RateLimitPartition.GetNoLimiter("");

    private readonly RateLimitOptions _limits = options.Value;

    public PartitionedRateLimiter<HttpContext> CreateLimiter() => PartitionedRateLimiter.CreateChained(
        PartitionedRateLimiter.Create<HttpContext, string>(ByKey),
        PartitionedRateLimiter.Create<HttpContext, string>(ByAddress));

    /// <summary>True when the request spent no key's budget but the one of requests without a valid key.</summary>
    public bool LacksValidKey(HttpContext context) => keys.AreRequired && PresentedKey.Of(context, keys)?.Usable is null;

    private RateLimitPartition<string> ByKey(HttpContext context)
    {
        if (!keys.AreRequired || context.GetEndpoint()?.Metadata.GetMetadata<IAuthorizeData>() is null)
        {
            return Unlimited;
        }
        if (PresentedKey.Of(context, keys)?.Usable is { } key)
        {
            return _limits.PerKey is { } perKey ? Window("key:" + key.Name, perKey) : Unlimited;
        }
        return Window("without-key:" + context.Connection.RemoteIpAddress, _limits.WithoutValidKey);
    }

    private RateLimitPartition<string> ByAddress(HttpContext context) =>
        _limits.PerAddress is { } perAddress && IngestionRoute.Of(context) is not null
            ? Window("address:" + context.Connection.RemoteIpAddress, perAddress)
            : Unlimited;

    private static RateLimitPartition<string> Window(string partition, WindowLimit limit) =>
        RateLimitPartition.GetFixedWindowLimiter(partition, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = limit.PermitLimit,
            Window = limit.Window,
            // Queued requests would hold connections open while clients are told nothing: refuse at once.
            QueueLimit = 0,
        });
}
