using System.Net;
using Clickstream.Api.Configuration;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace Clickstream.Api.Security;

/// <summary>
/// The client's address and scheme from <c>X-Forwarded-For</c> / <c>X-Forwarded-Proto</c>, from configured trusted
/// proxies only (<see cref="TrustedProxyOptions"/>): behind a load balancer each visitor is then a client of its own
/// for the rate limiter, and nobody else can pick an address by sending the header.
/// </summary>
internal static class TrustedProxies
{
    public static IServiceCollection AddTrustedProxies(this IServiceCollection services)
    {
        services.AddOptions<TrustedProxyOptions>().BindConfiguration(TrustedProxyOptions.Section)
            .ValidateProblems(o => o.Problems()).ValidateOnStart();
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<TrustedProxyOptions>>((forwarded, configured) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // ASP.NET trusts loopback by default: here only what is configured.
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            // A chain of trusted proxies is walked back to the first address none of them is.
            forwarded.ForwardLimit = null;
            foreach (var proxy in configured.Value.KnownProxies)
            {
                forwarded.KnownProxies.Add(IPAddress.Parse(proxy));
            }
            foreach (var network in configured.Value.KnownNetworks)
            {
                forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            }
        });
        return services;
    }

    /// <summary>First in the pipeline, so every later part (CORS, keys, the limiter, logs) sees the client's address.</summary>
    public static WebApplication UseTrustedProxies(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<TrustedProxyOptions>>().Value.Any)
        {
            app.UseForwardedHeaders();
        }
        return app;
    }
}
