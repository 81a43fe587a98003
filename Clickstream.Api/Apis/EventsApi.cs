using System.Globalization;
using Clickstream.Api.Ingestion;
using Clickstream.Api.Publishing;
using Clickstream.Api.Security;
using Clickstream.Api.Telemetry;
using Clickstream.Contracts;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Clickstream.Api.Apis;

/// <summary>
/// The front door: <c>POST /events</c> and <c>POST /events/batch</c>. A 202 means Kafka acknowledged every event
/// of the request; anything else means none may be assumed stored and the client should send it again.
/// </summary>
public static class EventsApi
{
    public const string PostEventName = "PostEvent";
    public const string PostBatchName = "PostEventBatch";

    public static IEndpointRouteBuilder MapEventsApi(this IEndpointRouteBuilder app)
    {
        var events = app.MapGroup("/events")
            .WithTags("Events")
            .RequireAuthorization(ApiKeyDefaults.IngestPolicy)
            .RequireCors(CrossOriginRequests.Policy)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        events.MapPost("", PostEventAsync)
            .WithName(PostEventName)
            .WithMetadata(IngestionRoute.Event)
            .WithSummary("Ingest one click event")
            .WithDescription("Validates the event, stamps received_at and answers 202 once Kafka acknowledged it.")
            .Accepts<ClickEvent>("application/json", "text/plain");

        events.MapPost("/batch", PostBatchAsync)
            .WithName(PostBatchName)
            .WithMetadata(IngestionRoute.Batch)
            .WithSummary("Ingest a batch of click events")
            .WithDescription("All or nothing: one invalid event and the answer is 400 listing every invalid event and field; "
                + "nothing is published. 202 once Kafka acknowledged every event.")
            .Accepts<ClickEvent[]>("application/json", "text/plain");

        return app;
    }

    internal static async Task<Results<Accepted<EventAccepted>, ValidationProblem, ProblemHttpResult>> PostEventAsync(
        [AsParameters] IngestionServices services, CancellationToken cancellationToken) =>
        await IngestAsync(services, IngestionRoute.Event, await services.Reader.ReadEventAsync(services.Context.Request, cancellationToken),
            events => new EventAccepted(events[0].EventId), cancellationToken);

    internal static async Task<Results<Accepted<BatchAccepted>, ValidationProblem, ProblemHttpResult>> PostBatchAsync(
        [AsParameters] IngestionServices services, CancellationToken cancellationToken) =>
        await IngestAsync(services, IngestionRoute.Batch, await services.Reader.ReadBatchAsync(services.Context.Request, cancellationToken),
            events => new BatchAccepted(events.Count), cancellationToken);

    // Both endpoints: refuse what was read badly, otherwise publish and answer 202 only once Kafka acknowledged all.
    private static async Task<Results<Accepted<TAccepted>, ValidationProblem, ProblemHttpResult>> IngestAsync<TAccepted>(
        IngestionServices services, IngestionRoute route, IncomingEvents incoming, Func<IReadOnlyList<ClickEvent>, TAccepted> accepted,
        CancellationToken cancellationToken)
    {
        services.Metrics.Read(route, incoming);
        if (incoming.Invalid is { } invalid)
        {
            return invalid;
        }
        if (incoming.Refused is { } refused)
        {
            return refused;
        }
        var published = await services.Publisher.PublishAsync(incoming.Events!, cancellationToken);
        services.Metrics.Published(incoming.Events!.Count, published);
        if (!published.Acknowledged)
        {
            return Unavailable(services, published);
        }
        services.RecentlyAccepted.Record(incoming.Events);
        return TypedResults.Accepted((string?)null, accepted(incoming.Events));
    }

    private static ProblemHttpResult Unavailable(IngestionServices services, PublishOutcome published)
    {
        var retryAfter = Math.Max(1, (int)Math.Ceiling((published.RetryAfter ?? services.Publishing.Value.RetryAfter).TotalSeconds));
        services.Context.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable,
            title: published.Title,
            detail: $"{published.Reason} Nothing can be assumed stored: send the request again after {retryAfter} s.");
    }
}
