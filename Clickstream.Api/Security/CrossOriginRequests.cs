using Clickstream.Api.Configuration;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.Options;

namespace Clickstream.Api.Security;

/// <summary>CORS for the event endpoints, from <see cref="CrossOriginOptions"/>: what a web page's fetch and sendBeacon need.</summary>
internal static class CrossOriginRequests
{
    public const string Policy = "browsers";

    public static IServiceCollection AddCrossOriginRequests(this IServiceCollection services)
    {
        // The keys are read raw: their own validation (a short key) reports on them, and must not be thrown from in here.
        services.AddOptions<CrossOriginOptions>().BindConfiguration(CrossOriginOptions.Section)
            .ValidateProblems<CrossOriginOptions, IConfiguration>((o, configuration) => o.Problems(ConfiguredKeys(configuration))).ValidateOnStart();
        services.AddCors();
        services.AddOptions<CorsOptions>().Configure<IOptions<CrossOriginOptions>, IConfiguration>((cors, configured, configuration) => cors.AddPolicy(Policy, policy =>
        {
            var o = configured.Value;
            if (o.AllowsAnyOrigin)
            {
                policy.AllowAnyOrigin();
            }
            else
            {
                // A page whose publishable key is bound to its origin must get through CORS too.
                policy.WithOrigins([.. o.AllowedOrigins.Select(WebOrigins.Normalize).Concat(ConfiguredKeys(configuration).BoundOrigins)]);
            }
            policy.WithMethods("POST", "GET")
                .WithHeaders("Content-Type", "Content-Encoding", ApiKeyDefaults.HeaderName, "Authorization")
                // A client told to wait (429, 503) must be able to read how long.
                .WithExposedHeaders("Retry-After")
                .SetPreflightMaxAge(o.PreflightMaxAge);
        }));
        return services;
    }

    private static ApiKeyOptions ConfiguredKeys(IConfiguration configuration) =>
        configuration.GetSection(ApiKeyOptions.Section).Get<ApiKeyOptions>() ?? new ApiKeyOptions();
}
