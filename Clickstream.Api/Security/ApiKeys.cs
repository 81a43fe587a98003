using System.Security.Cryptography;
using System.Text;
using Clickstream.Api.Configuration;
using Microsoft.Extensions.Options;

namespace Clickstream.Api.Security;

/// <summary>
/// The configured API keys, server and publishable, kept as SHA-256 digests: every comparison is between equal-length
/// digests with <see cref="CryptographicOperations.FixedTimeEquals"/>, over all keys, so timing reveals neither a key's
/// content nor its length nor which key matched.
/// </summary>
internal sealed class ApiKeys
{
    private readonly (byte[] Digest, ApiKey Key)[] _keys;

    public ApiKeys(IOptions<ApiKeyOptions> options)
    {
        var configured = options.Value;
        _keys =
        [
            .. configured.Keys.Select((k, i) => (Digest(k.Trim()), new ApiKey($"key-{i + 1}", ApiKeyKind.Server, []))),
            .. configured.PublishableKeys.Select((k, i) => (Digest(k.Key.Trim()),
                new ApiKey($"publishable-{i + 1}", ApiKeyKind.Publishable, [.. k.Origins.Select(WebOrigins.Normalize)]))),
        ];
    }

    /// <summary>False when no keys are configured: the API is then open to every client.</summary>
    public bool AreRequired => _keys.Length > 0;

    /// <summary>The key <paramref name="presented"/> is; null when it is none of them.</summary>
    public ApiKey? Identify(string presented)
    {
        var digest = Digest(presented);
        ApiKey? match = null;
        foreach (var (candidate, key) in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(digest, candidate))
            {
                match = key;
            }
        }
        return match;
    }

    private static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
