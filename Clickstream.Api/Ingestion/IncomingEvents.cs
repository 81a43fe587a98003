using Clickstream.Contracts;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Clickstream.Api.Ingestion;

/// <summary>What a request body turned out to be: events ready to publish, invalid events (400), or a body refused unread (413, 415).</summary>
internal sealed class IncomingEvents
{
    private IncomingEvents(IReadOnlyList<ClickEvent>? events, ValidationProblem? invalid, ProblemHttpResult? refused) =>
        (Events, Invalid, Refused) = (events, invalid, refused);

    public IReadOnlyList<ClickEvent>? Events { get; }

    public ValidationProblem? Invalid { get; }

    public ProblemHttpResult? Refused { get; }

    public static IncomingEvents Accepted(IReadOnlyList<ClickEvent> events) => new(events, null, null);

    public static IncomingEvents Rejected(ValidationErrors errors) => new(null, TypedResults.ValidationProblem(errors.ToDictionary(),
        title: "The request is invalid; nothing was published.",
        detail: "Each error is keyed by the field as sent (\"[3].user_id\" is the fourth event of a batch, \"$\" the body)."), null);

    public static IncomingEvents Rejected(string key, string message) => Rejected(ValidationErrors.Of(key, message));

    public static IncomingEvents Refuse(int statusCode, string detail) =>
        new(null, null, TypedResults.Problem(statusCode: statusCode, detail: detail));
}
