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
        services.AddOptions<CrossOriginOptions>().BindConfiguration(CrossOriginOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<CrossOriginOptions>, ProblemsValidator>();
        services.AddCors();
        services.AddOptions<CorsOptions>().Configure<IOptions<CrossOriginOptions>>((cors, configured) => cors.AddPolicy(Policy, policy =>
        {
            var o = configured.Value;
            if (o.AllowsAnyOrigin)
            {
                policy.AllowAnyOrigin();
            }
            else
            {
                policy.WithOrigins([.. o.AllowedOrigins.Select(origin => origin.TrimEnd('/'))]);
            }
            policy.WithMethods("POST", "GET")
                .WithHeaders("Content-Type", "Content-Encoding", ApiKeyDefaults.HeaderName, "Authorization")
                // A client told to wait (429, 503) must be able to read how long.
                .WithExposedHeaders("Retry-After")
                .SetPreflightMaxAge(o.PreflightMaxAge);
        }));
        return services;
    }

    // Every problem named at start, not one generic line. The keys are read raw: their own validation (a short key)
    // reports on them, and must not be thrown from inside this one.
    private sealed class ProblemsValidator(IConfiguration configuration) : IValidateOptions<CrossOriginOptions>
    {
        public ValidateOptionsResult Validate(string? name, CrossOriginOptions options)
        {
            var keys = configuration.GetSection(ApiKeyOptions.Section).Get<ApiKeyOptions>() ?? new ApiKeyOptions();
            return options.Problems(keys).ToList() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
        }
    }
}
