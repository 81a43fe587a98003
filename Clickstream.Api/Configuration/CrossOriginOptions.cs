namespace Clickstream.Api.Configuration;

/// <summary>
/// Which web pages may send events from the browser (section "Api:Cors"): <c>Api__Cors__AllowedOrigins__0=https://shop.example</c>.
/// None configured: no page of another origin may (the API answers no CORS headers).
/// </summary>
public sealed class CrossOriginOptions
{
    public const string Section = "Api:Cors";

    /// <summary>Origins (<c>scheme://host[:port]</c>) allowed to call the event endpoints; <c>*</c> for any, only while no API key is required.</summary>
    public List<string> AllowedOrigins { get; set; } = [];

    /// <summary>How long a browser may cache a preflight answer (Access-Control-Max-Age). Default 10 minutes, Chromium's cap at most 2 hours.</summary>
    public TimeSpan PreflightMaxAge { get; set; } = TimeSpan.FromMinutes(10);

    internal bool AllowsAnyOrigin => AllowedOrigins.Contains("*");

    internal IEnumerable<string> Problems(ApiKeyOptions keys)
    {
        if (AllowsAnyOrigin && keys.AnyConfigured)
        {
            yield return "Api:Cors:AllowedOrigins may be * only while no Api:Keys or Api:PublishableKeys are configured: a page of any origin would then send events with a server key; list the sites' origins.";
        }
        foreach (var origin in AllowedOrigins.Where(o => o != "*" && !WebOrigins.IsOrigin(o)))
        {
            yield return WebOrigins.NotAnOrigin($"{Section}:AllowedOrigins", origin);
        }
        if (PreflightMaxAge < TimeSpan.Zero || PreflightMaxAge > TimeSpan.FromHours(24))
        {
            yield return $"Api:Cors:PreflightMaxAge must be between 0 and 24 hours (got {PreflightMaxAge}).";
        }
    }
}
