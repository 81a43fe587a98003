using System.Text.Json;
using System.Text.Json.Serialization;
using Clickstream.Api.Security;
using Clickstream.Api.ReadModel;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace Clickstream.Api.Apis;

/// <summary>
/// <c>GET /events/{event_id}</c>: lets a client check that an event it sent was stored. Reads the database through
/// the read model; ingestion never depends on it.
/// </summary>
public static class StoredEventsApi
{
    private const int RetryAfterSeconds = 5;

    public static IEndpointRouteBuilder MapStoredEventsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/events/{eventId:guid}", GetStoredEventAsync)
            .WithName("GetStoredEvent")
            .WithTags("Events")
            .WithSummary("Read back a stored event")
            .WithDescription("200 with the event as stored (with received_at, user_agent, client_address and stored_at) once the consumers stored it; "
                + "404 while it is not stored (yet); 503 when the database cannot be reached.")
            .RequireAuthorization(ApiKeyDefaults.Policy)
            .RequireCors(CrossOriginRequests.Policy)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    internal static async Task<Results<Ok<StoredEventResponse>, ProblemHttpResult>> GetStoredEventAsync(
        Guid eventId, HttpContext context, CancellationToken cancellationToken)
    {
        try
        {
            var reader = context.RequestServices.GetRequiredService<IStoredEventReader>();
            return await reader.FindAsync(eventId, cancellationToken) is { } stored
                ? TypedResults.Ok(StoredEventResponse.From(stored))
                : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "The event is not stored.",
                    detail: $"No event {eventId} is stored yet; an accepted event is stored within seconds while the consumers keep up.");
        }
        catch (NoEventsDatabaseException e)
        {
            return Unavailable(context, e.Message);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedColumn)
        {
            // An API newer than its database: the columns come when a worker starts and upgrades the schema.
            return Unavailable(context, "The events database has an older schema than this API reads; a worker upgrades it when it starts "
                + "(EventStore:ApplySchemaAtStart), or apply init.sql.");
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException { InnerException: NpgsqlException })
        {
            return Unavailable(context, "The events database cannot be reached.");
        }
    }

    private static ProblemHttpResult Unavailable(HttpContext context, string detail)
    {
        context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Stored events cannot be read now.", detail: detail);
    }
}

/// <summary>A stored event in the wire format's names, with the server's timestamps.</summary>
public sealed record StoredEventResponse(
    [property: JsonPropertyName("event_id")] Guid EventId,
    [property: JsonPropertyName("user_id")] long UserId,
    [property: JsonPropertyName("event_type")] string EventType,
    [property: JsonPropertyName("page")] string Page,
    [property: JsonPropertyName("event_time")] DateTimeOffset EventTime,
    [property: JsonPropertyName("received_at")] DateTimeOffset? ReceivedAt,
    [property: JsonPropertyName("session_id")] string? SessionId,
    [property: JsonPropertyName("referrer")] string? Referrer,
    [property: JsonPropertyName("properties")] JsonElement? Properties,
    [property: JsonPropertyName("stored_at")] DateTimeOffset StoredAt,
    [property: JsonPropertyName("user_agent")] string? UserAgent,
    [property: JsonPropertyName("client_address")] string? ClientAddress)
{
    internal static StoredEventResponse From(StoredEvent e) =>
        new(e.EventId, e.UserId, e.EventType, e.Page, e.EventTime, e.ReceivedAt, e.SessionId, e.Referrer, e.Properties, e.StoredAt,
            e.UserAgent, e.ClientAddress);
}
