namespace Clickstream.Api.Security;

/// <summary>Names of the API-key scheme, its policy and header.</summary>
internal static class ApiKeyDefaults
{
    public const string Scheme = "ApiKey";
    public const string Policy = "ApiKey";
    public const string HeaderName = "X-Api-Key";

    /// <summary>The caller's name when no keys are configured; rate limiting then partitions by client address.</summary>
    public const string Anonymous = "anonymous";
}
