using Microsoft.AspNetCore.Authorization;

namespace Clickstream.Api.Security;

/// <summary>
/// Sending events: a server key may from anywhere; a publishable key only from a page of an origin it is bound to (its
/// <c>Origin</c> header, which browsers send with every POST and page scripts cannot change).
/// </summary>
internal sealed class BoundOriginRequirement : AuthorizationHandler<BoundOriginRequirement>, IAuthorizationRequirement
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, BoundOriginRequirement requirement)
    {
        if (context.User.IsInRole(ApiKeyDefaults.ServerRole))
        {
            context.Succeed(requirement);
        }
        else if (context.Resource is HttpContext http
            && PresentedKey.Of(http, http.RequestServices.GetRequiredService<ApiKeys>())?.Usable is { Kind: ApiKeyKind.Publishable } key
            && key.AllowsOrigin(http.Request.Headers.Origin.FirstOrDefault()))
        {
            context.Succeed(requirement);
        }
        return Task.CompletedTask;
    }
}
