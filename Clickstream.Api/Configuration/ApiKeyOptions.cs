namespace Clickstream.Api.Configuration;

/// <summary>
/// API keys (section "Api"): server keys <c>Api__Keys__0</c>, <c>Api__Keys__1</c>, ... for services, and publishable keys
/// <c>Api__PublishableKeys__0__Key</c> for web pages. None configured: the API is open.
/// </summary>
public sealed class ApiKeyOptions
{
    public const string Section = "Api";

    /// <summary>Shorter keys are guessable; the start fails rather than accept one.</summary>
    public const int MinimumKeyLength = 16;

    /// <summary>Server keys: every endpoint, sent in a header only. Several at once so keys can be rotated without downtime.</summary>
    public List<string> Keys { get; set; } = [];

    /// <summary>Browser keys: sending events only (<see cref="PublishableKeyOptions"/>).</summary>
    public List<PublishableKeyOptions> PublishableKeys { get; set; } = [];

    internal bool AnyConfigured => Keys.Count > 0 || PublishableKeys.Count > 0;

    /// <summary>The origins publishable keys are bound to, which CORS must then allow.</summary>
    internal IEnumerable<string> BoundOrigins => PublishableKeys.SelectMany(k => k.Origins).Select(WebOrigins.Normalize).Distinct(StringComparer.OrdinalIgnoreCase);

    internal IEnumerable<string> Problems()
    {
        if (Keys.Any(k => !IsStrong(k)))
        {
            yield return $"Every Api:Keys entry must be at least {MinimumKeyLength} characters long.";
        }
        for (var i = 0; i < PublishableKeys.Count; i++)
        {
            var key = PublishableKeys[i];
            if (!IsStrong(key.Key))
            {
                yield return $"Api:PublishableKeys:{i}:Key must be set, at least {MinimumKeyLength} characters long.";
            }
            else if (Keys.Any(k => k.Trim() == key.Key.Trim()))
            {
                yield return $"Api:PublishableKeys:{i}:Key is also a server key (Api:Keys): a key in a web page must not open the other endpoints.";
            }
            foreach (var origin in key.Origins.Where(o => !WebOrigins.IsOrigin(o)))
            {
                yield return WebOrigins.NotAnOrigin($"Api:PublishableKeys:{i}:Origins", origin);
            }
        }
    }

    private static bool IsStrong(string? key) => !string.IsNullOrWhiteSpace(key) && key.Trim().Length >= MinimumKeyLength;
}
