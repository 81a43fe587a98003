using Microsoft.AspNetCore.Authentication;

namespace Clickstream.Api.Security;

/// <summary>Registers API-key authentication and the policy the event endpoints require.</summary>
internal static class ApiKeyAuthentication
{
    public static IServiceCollection AddApiKeyAuthentication(this IServiceCollection services)
    {
        services.AddSingleton<ApiKeys>();
        services.AddAuthentication(ApiKeyDefaults.Scheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyDefaults.Scheme, configureOptions: null);
        services.AddAuthorizationBuilder()
            // The API key scheme is the default one, which the authentication middleware already ran: naming it in the
            // policy as well would authenticate every request a second time.
            .AddPolicy(ApiKeyDefaults.Policy, p => p.RequireAuthenticatedUser());
        return services;
    }
}
