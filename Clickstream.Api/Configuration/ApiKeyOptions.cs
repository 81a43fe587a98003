namespace Clickstream.Api.Configuration;

/// <summary>API keys (section "Api", <c>Api__Keys__0</c>, <c>Api__Keys__1</c>, ...). None configured: the API is open.</summary>
public sealed class ApiKeyOptions
{
    public const string Section = "Api";

    /// <summary>Shorter keys are guessable; the start fails rather than accept one.</summary>
    public const int MinimumKeyLength = 16;

    /// <summary>Accepted keys; several at once so keys can be rotated without downtime.</summary>
    public List<string> Keys { get; set; } = [];

    internal static bool AreStrong(ApiKeyOptions options) =>
        options.Keys.All(k => !string.IsNullOrWhiteSpace(k) && k.Trim().Length >= MinimumKeyLength);
}
