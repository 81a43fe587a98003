using System.Security.Cryptography;
using System.Text;
using Clickstream.Api.Configuration;
using Microsoft.Extensions.Options;

namespace Clickstream.Api.Security;

/// <summary>
/// The configured API keys, kept as SHA-256 digests: every comparison is between equal-length digests with
/// <see cref="CryptographicOperations.FixedTimeEquals"/>, over all keys, so timing reveals neither a key's content
/// nor its length nor which key matched.
/// </summary>
internal sealed class ApiKeys
{
    private readonly byte[][] _digests;

    public ApiKeys(IOptions<ApiKeyOptions> options) =>
        _digests = options.Value.Keys.Select(k => SHA256.HashData(Encoding.UTF8.GetBytes(k.Trim()))).ToArray();

    /// <summary>False when no keys are configured: the API is then open to every client.</summary>
    public bool AreRequired => _digests.Length > 0;

    /// <summary>A name for the key (its position, "key-1"...), never the key itself; null when no key matches.</summary>
    public string? Identify(string presented)
    {
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        var match = -1;
        for (var i = 0; i < _digests.Length; i++)
        {
            if (CryptographicOperations.FixedTimeEquals(digest, _digests[i]))
            {
                match = i;
            }
        }
        return match < 0 ? null : $"key-{match + 1}";
    }
}
