using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;

namespace Clickstream.Api.Security;

/// <summary>Registers API-key authentication and the two policies: server keys, and sending events (from allowed pages only).</summary>
internal static class ApiKeyAuthentication
{
    public static IServiceCollection AddApiKeyAuthentication(this IServiceCollection services)
    {
        services.AddSingleton<ApiKeys>();
        services.AddSingleton<IAuthorizationHandler, PageOriginHandler>();
        services.AddAuthentication(ApiKeyDefaults.Scheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyDefaults.Scheme, configureOptions: null);
        // The API key scheme is the default one, which the authentication middleware already ran: naming it in the
        // policies as well would authenticate every request a second time.
        services.AddAuthorizationBuilder()
            .AddPolicy(ApiKeyDefaults.Policy, p => p.RequireAuthenticatedUser().RequireRole(ApiKeyDefaults.ServerRole))
            .AddPolicy(ApiKeyDefaults.IngestPolicy, p => p.RequireAuthenticatedUser().AddRequirements(new PageOriginRequirement()));
        return services;
    }
}
