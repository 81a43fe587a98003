using Clickstream.Api.Configuration;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace Clickstream.Api.Security;

/// <summary>
/// Sending events from a web page (a request with an <c>Origin</c> header, which browsers send with every POST and page
/// scripts cannot change): only from the API's own pages, an origin in <c>Api:Cors:AllowedOrigins</c>, or, with a
/// publishable key, an origin it is bound to (any, when it is bound to none). CORS alone would not do: a beacon is a
/// no-cors request, which the browser sends whatever the API's CORS answer. A request without <c>Origin</c> (a
/// service, curl) is not a page's; only a publishable key bound to origins refuses it.
/// </summary>
internal sealed class PageOriginRequirement : IAuthorizationRequirement;

/// <summary>Decides <see cref="PageOriginRequirement"/>.</summary>
internal sealed class PageOriginHandler(IOptions<CrossOriginOptions> cors) : AuthorizationHandler<PageOriginRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, PageOriginRequirement requirement)
    {
        if (context.Resource is HttpContext http && Allows(http, context.User.IsInRole(ApiKeyDefaults.ServerRole)))
        {
            context.Succeed(requirement);
        }
        return Task.CompletedTask;
    }

    /// <summary>Why <see cref="Allows"/> said no, for the 403's detail.</summary>
    public static string RefusalOf(HttpContext http) =>
        http.User.IsInRole(ApiKeyDefaults.PublishableRole)
            ? $"The publishable key is bound to other origins than {http.Request.Headers.Origin.FirstOrDefault() ?? "a request with no Origin header"}."
            : $"Pages of {http.Request.Headers.Origin.FirstOrDefault()} may not send events here: add the origin to Api:Cors:AllowedOrigins.";

    private bool Allows(HttpContext http, bool server)
    {
        var origin = http.Request.Headers.Origin.FirstOrDefault();
        if (!server)
        {
            return PresentedKey.Of(http, http.RequestServices.GetRequiredService<ApiKeys>())?.Usable is { Kind: ApiKeyKind.Publishable } key
                && key.AllowsOrigin(origin);
        }
        return origin is null
            || string.Equals(origin, $"{http.Request.Scheme}://{http.Request.Host}", StringComparison.OrdinalIgnoreCase)
            || cors.Value.AllowsAnyOrigin
            || cors.Value.AllowedOrigins.Any(allowed => string.Equals(WebOrigins.Normalize(allowed), origin, StringComparison.OrdinalIgnoreCase));
    }
}
