using System.Security.Claims;
using System.Text.Encodings.Web;
using Clickstream.Api.Telemetry;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Clickstream.Api.Security;

/// <summary>
/// Authenticates a request by its API key (<see cref="PresentedKey"/>). With no keys configured every request is let in
/// as <see cref="ApiKeyDefaults.Anonymous"/>, with the server role. Refusals are problem details: 401 for no usable key
/// (none, a wrong one, or a server key in a URL), 403 for a publishable key off its ground (another endpoint than
/// sending events) and for events from a page of an origin not allowed (<see cref="PageOriginRequirement"/>). The key is never logged.
/// </summary>
internal sealed partial class ApiKeyAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger,
    UrlEncoder encoder, ApiKeys keys, IProblemDetailsService problemDetails, IngestionMetrics metrics)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    private const string ServerKeyInUrl =
        "A server key was sent in the URL, where logs, proxies and browser history keep it: send it in the X-Api-Key header, and rotate it.";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!keys.AreRequired)
        {
            return Task.FromResult(Success(ApiKeyDefaults.Anonymous, ApiKeyDefaults.ServerRole));
        }
        if (PresentedKey.Of(Context, keys) is not { } presented)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }
        if (presented.Match is null)
        {
            return Task.FromResult(AuthenticateResult.Fail("The API key is not valid."));
        }
        if (presented.Usable is not { } key)
        {
            LogServerKeyInUrl(Logger, presented.Match.Name);
            return Task.FromResult(AuthenticateResult.Fail(ServerKeyInUrl));
        }
        return Task.FromResult(Success(key.Name, key.Kind == ApiKeyKind.Server ? ApiKeyDefaults.ServerRole : ApiKeyDefaults.PublishableRole));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var failure = (await HandleAuthenticateOnceSafeAsync()).Failure?.Message;
        Response.Headers.WWWAuthenticate = $"Bearer, {ApiKeyDefaults.HeaderName}";
        await RefuseAsync(RefusalReason.Unauthorized, "A valid API key is required.", failure == ServerKeyInUrl
            ? ServerKeyInUrl
            : $"Send the key in the {ApiKeyDefaults.HeaderName} header or as Authorization: Bearer <key>; a publishable key may also be the "
                + $"'{ApiKeyDefaults.QueryParameter}' query parameter.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        IngestionRoute.Of(Context) is not null
            ? RefuseAsync(RefusalReason.Forbidden, "Events may not be sent from this page.", PageOriginHandler.RefusalOf(Context))
            : RefuseAsync(RefusalReason.Forbidden, "This key may only send events.",
                "A publishable key may only POST /events and /events/batch; use a server key (Api:Keys) here.");

    private async Task RefuseAsync(RefusalReason reason, string title, string detail)
    {
        if (IngestionRoute.Of(Context) is not null)
        {
            metrics.Refused(reason);
        }
        var status = reason == RefusalReason.Forbidden ? StatusCodes.Status403Forbidden : StatusCodes.Status401Unauthorized;
        Response.StatusCode = status;
        await problemDetails.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }

    private AuthenticateResult Success(string name, string role) =>
        AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, role)], Scheme.Name)), Scheme.Name));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused server key {KeyName}: it was sent in a URL, which logs keep; rotate it")]
    private static partial void LogServerKeyInUrl(ILogger logger, string keyName);
}
