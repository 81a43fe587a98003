namespace Clickstream.Api.Configuration;

/// <summary>Binds the API's own options and checks them when the host starts, so a bad value stops it loudly.</summary>
internal static class ApiOptionsRegistration
{
    public static IServiceCollection AddApiOptions(this IServiceCollection services)
    {
        services.AddOptions<IngestionLimits>().BindConfiguration(IngestionLimits.Section).ValidateDataAnnotations()
            .Validate(IngestionLimits.EventFitsInBatch, "Api:Ingestion:MaxEventBytes must not exceed Api:Ingestion:MaxBatchBytes.")
            .ValidateOnStart();
        services.AddOptions<PublishOptions>().BindConfiguration(PublishOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ReadinessOptions>().BindConfiguration(ReadinessOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section)
            .ValidateProblems<RateLimitOptions, IConfiguration>((o, configuration) => o.Problems(configuration)).ValidateOnStart();
        services.AddOptions<ClientContextOptions>().BindConfiguration(ClientContextOptions.Section).ValidateProblems(o => o.Problems()).ValidateOnStart();
        services.AddOptions<ApiKeyOptions>().BindConfiguration(ApiKeyOptions.Section)
            .ValidateProblems(o => o.Problems())
            .ValidateOnStart();
        return services;
    }
}
