using Clickstream.Contracts;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Clickstream.Api.Ingestion;

/// <summary>
/// What a request body turned out to be: events ready to publish, invalid events (400), or a body refused unread (413,
/// 415); and, for the metrics, how many events it held and its size.
/// </summary>
internal sealed class IncomingEvents
{
    private IncomingEvents(IReadOnlyList<ClickEvent>? events, ValidationProblem? invalid, ProblemHttpResult? refused, int received) =>
        (Events, Invalid, Refused, Received) = (events, invalid, refused, received);

    public IReadOnlyList<ClickEvent>? Events { get; }

    /// <summary>Events in the body that parsed as an event or a batch element, valid or not (0 when the body was no event at all).</summary>
    public int Received { get; }

    /// <summary>The body's size as read, or as declared (Content-Length) when it was refused unread; null when neither is known.</summary>
    public long? BodyBytes { get; private set; }

    public ValidationProblem? Invalid { get; }

    public ProblemHttpResult? Refused { get; }

    public static IncomingEvents Accepted(IReadOnlyList<ClickEvent> events) => new(events, null, null, events.Count);

    /// <param name="received">The events the body held (<see cref="Received"/>).</param>
    public static IncomingEvents Rejected(ValidationErrors errors, int received) => new(null, TypedResults.ValidationProblem(errors.ToDictionary(),
        title: "The request is invalid; nothing was published.",
        detail: "Each error is keyed by the field as sent (\"[3].user_id\" is the fourth event of a batch, \"$\" the body)."), null, received);

    public static IncomingEvents Rejected(string key, string message, int received = 0) => Rejected(ValidationErrors.Of(key, message), received);

    public static IncomingEvents Refuse(int statusCode, string detail) =>
        new(null, null, TypedResults.Problem(statusCode: statusCode, detail: detail), 0);

    /// <summary>Sets <see cref="BodyBytes"/>, unless already known.</summary>
    public IncomingEvents Sized(long? bytes)
    {
        BodyBytes ??= bytes;
        return this;
    }
}
