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
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ClientContextOptions>().BindConfiguration(ClientContextOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ApiKeyOptions>().BindConfiguration(ApiKeyOptions.Section)
            .Validate(ApiKeyOptions.AreStrong, $"Every Api:Keys entry must be at least {ApiKeyOptions.MinimumKeyLength} characters long.")
            .ValidateOnStart();
        return services;
    }
}
