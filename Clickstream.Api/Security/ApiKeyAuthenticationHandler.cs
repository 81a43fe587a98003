using System.Security.Claims;
using System.Text.Encodings.Web;
using Clickstream.Api.Telemetry;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Clickstream.Api.Security;

/// <summary>
/// Authenticates a request by its API key, from <c>X-Api-Key</c> or <c>Authorization: Bearer</c>. With no keys
/// configured every request is let in as <see cref="ApiKeyDefaults.Anonymous"/>. Failures are logged by the
/// authentication middleware with the reason only; the key is never logged.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger,
    UrlEncoder encoder, ApiKeys keys, IProblemDetailsService problemDetails, IngestionMetrics metrics)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    private const string BearerPrefix = "Bearer ";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!keys.AreRequired)
        {
            return Task.FromResult(Success(ApiKeyDefaults.Anonymous));
        }
        if (PresentedKey() is not { Length: > 0 } presented)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }
        return Task.FromResult(keys.Identify(presented) is { } name
            ? Success(name)
            : AuthenticateResult.Fail("The API key is not valid."));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (IngestionRoute.Of(Context) is not null)
        {
            metrics.Refused(RefusalReason.Unauthorized);
        }
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = $"Bearer, {ApiKeyDefaults.HeaderName}";
        await problemDetails.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails =
            {
                Status = StatusCodes.Status401Unauthorized,
                Title = "A valid API key is required.",
                Detail = $"Send the key in the {ApiKeyDefaults.HeaderName} header or as Authorization: Bearer <key>.",
            },
        });
    }

    private string? PresentedKey()
    {
        if (Request.Headers.TryGetValue(ApiKeyDefaults.HeaderName, out var header))
        {
            return header.ToString().Trim();
        }
        var authorization = Request.Headers[HeaderNames.Authorization].ToString();
        return authorization.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase) ? authorization[BearerPrefix.Length..].Trim() : null;
    }

    private AuthenticateResult Success(string name) =>
        AuthenticateResult.Success(new AuthenticationTicket(
            new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, name)], Scheme.Name)), Scheme.Name));
}
