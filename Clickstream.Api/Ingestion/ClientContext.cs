using System.Net;
using Clickstream.Api.Configuration;

namespace Clickstream.Api.Ingestion;

/// <summary>
/// What the server knows about the client of a request and stamps on each of its events (<see cref="ClientContextOptions"/>):
/// worked out once per request, shared by every event of a batch.
/// </summary>
internal readonly record struct ClientContext(string? UserAgent, IPNetwork? ClientAddress)
{
    public static ClientContext Of(HttpContext context, ClientContextOptions options) => new(
        options.StoreUserAgent ? Capped(context.Request.Headers.UserAgent.ToString()) : null,
        options.StoreClientAddress && context.Connection.RemoteIpAddress is { } address
            ? ClientAddressTruncation.Truncate(address, options.IPv4PrefixLength, options.IPv6PrefixLength)
            : null);

    /// <summary>
    /// The header cut to <see cref="ClientContextOptions.MaxUserAgentLength"/> characters (never between the halves of a
    /// surrogate pair); null when absent or when PostgreSQL's text could not hold it, so a 202 is never followed by a dead letter.
    /// </summary>
    internal static string? Capped(string userAgent)
    {
        if (userAgent.Length == 0)
        {
            return null;
        }
        if (userAgent.Length > ClientContextOptions.MaxUserAgentLength)
        {
            var length = ClientContextOptions.MaxUserAgentLength;
            if (char.IsHighSurrogate(userAgent[length - 1]))
            {
                length--;
            }
            userAgent = userAgent[..length];
        }
        return StoredText.IsStorable(userAgent) ? userAgent : null;
    }
}
