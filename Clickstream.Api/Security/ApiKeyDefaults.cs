namespace Clickstream.Api.Security;

/// <summary>Names of the API-key scheme, its policies, header and query parameter.</summary>
internal static class ApiKeyDefaults
{
    public const string Scheme = "ApiKey";

    /// <summary>Every endpoint that needs a key but sending events: a server key.</summary>
    public const string Policy = "ApiKey";

    /// <summary>Sending events: a server key, or a publishable key from a page of an origin it is bound to.</summary>
    public const string IngestPolicy = "Ingest";

    public const string HeaderName = "X-Api-Key";

    /// <summary>Where a beacon carries a publishable key: <c>/events/batch?key=...</c>. Server keys are refused there.</summary>
    public const string QueryParameter = "key";

    /// <summary>The caller's name when no keys are configured.</summary>
    public const string Anonymous = "anonymous";

    /// <summary>The role claim of a server key's caller (and of anyone while the API is open).</summary>
    public const string ServerRole = "server";

    /// <summary>The role claim of a publishable key's caller.</summary>
    public const string PublishableRole = "publishable";
}
