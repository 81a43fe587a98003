using System.Net;

namespace Clickstream.Api.Configuration;

/// <summary>
/// The load balancers and proxies whose <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> the API believes (section
/// "Api:ForwardedHeaders"): <c>Api__ForwardedHeaders__KnownProxies__0=10.0.0.5</c>,
/// <c>Api__ForwardedHeaders__KnownNetworks__0=10.0.0.0/8</c>. None configured: the headers are ignored and the client
/// address is the connection's, so no client can choose its own address (and rate-limit budget) by sending the header.
/// </summary>
public sealed class TrustedProxyOptions
{
    public const string Section = "Api:ForwardedHeaders";

    /// <summary>Addresses of trusted proxies.</summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Networks (CIDR) of trusted proxies.</summary>
    public List<string> KnownNetworks { get; set; } = [];

    internal bool Any => KnownProxies.Count > 0 || KnownNetworks.Count > 0;

    internal IEnumerable<string> Problems()
    {
        foreach (var proxy in KnownProxies.Where(p => !IPAddress.TryParse(p, out _)))
        {
            yield return $"{Section}:KnownProxies entry '{proxy}' is not an IP address.";
        }
        foreach (var network in KnownNetworks.Where(n => !IPNetwork.TryParse(n, out _)))
        {
            yield return $"{Section}:KnownNetworks entry '{network}' is not a network in CIDR notation (e.g. 10.0.0.0/8).";
        }
    }
}
