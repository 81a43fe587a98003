namespace Clickstream.Api.Configuration;

/// <summary>
/// What the API stamps on each event about the client that sent it (section "Api:ClientContext"): the request's
/// <c>User-Agent</c> and the client's address (the connection's, or the one trusted proxies forwarded), truncated to a
/// network so that a stored event does not identify one household or device: by default IPv4 to /24 and IPv6 to /48,
/// the prefixes commonly used to anonymize addresses. An IPv4 address mapped into IPv6 (<c>::ffff:203.0.113.7</c>, what a
/// dual-stack socket reports) counts as IPv4.
/// </summary>
public sealed class ClientContextOptions
{
    public const string Section = "Api:ClientContext";

    /// <summary>Characters of the User-Agent kept; longer ones are cut (a browser's is about 100 to 200).</summary>
    public const int MaxUserAgentLength = 512;

    /// <summary>Stamp <c>user_agent</c>. Default true.</summary>
    public bool StoreUserAgent { get; set; } = true;

    /// <summary>Stamp <c>client_address</c>. Default true.</summary>
    public bool StoreClientAddress { get; set; } = true;

    /// <summary>Leading bits of an IPv4 address kept, the rest zeroed: 24 keeps 203.0.113.0/24; 32 the whole address. Default 24.</summary>
    public int IPv4PrefixLength { get; set; } = 24;

    /// <summary>Leading bits of an IPv6 address kept: 48 keeps 2001:db8:1::/48 (one site); 128 the whole address. Default 48.</summary>
    public int IPv6PrefixLength { get; set; } = 48;

    internal IEnumerable<string> Problems()
    {
        if (IPv4PrefixLength is < 0 or > 32)
        {
            yield return $"{Section}:IPv4PrefixLength is {IPv4PrefixLength}; it must be between 0 and 32 (the leading bits of an IPv4 address kept).";
        }
        if (IPv6PrefixLength is < 0 or > 128)
        {
            yield return $"{Section}:IPv6PrefixLength is {IPv6PrefixLength}; it must be between 0 and 128 (the leading bits of an IPv6 address kept).";
        }
    }
}
