using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Clickstream.Api.Docs;

/// <summary>Examples and response descriptions for the event endpoints' OpenAPI operations.</summary>
internal static class EventExamples
{
    // "Try it out" sends the example as it is, so its event_time is the moment the document was made: a fixed day
    // would fall outside Api:Ingestion:MaxAge a week later and the example would get 400.
    private static string Event(DateTimeOffset now) => $$$"""
        {"event_id":"0193a7c2-5b7e-7c41-9d0e-3f2a1b4c5d6e","user_id":42,"event_type":"click","page":"/products/17",
         "event_time":"{{{now.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fff}}}Z","session_id":"s-8f2c","referrer":"https://example.com/",
         "properties":{"button":"buy"}}
        """;

    private static readonly Dictionary<string, string> Descriptions = new()
    {
        ["202"] = "Kafka acknowledged the event(s).",
        ["400"] = "Invalid body: malformed JSON, wrong types, unknown fields or broken rules; errors keyed by field ([3].user_id in a batch). Nothing was published.",
        ["401"] = "API keys are configured and the request has no valid X-Api-Key or Authorization: Bearer key.",
        ["413"] = "The body exceeds the endpoint's size limit (Api:Ingestion).",
        ["415"] = "The body is not sent as application/json (UTF-8).",
        ["429"] = "The rate limit of the key or client address is reached; see Retry-After.",
        ["503"] = "Kafka did not acknowledge in time (unreachable, queue full), or the consumers are too far behind (the standalone run); "
            + "see Retry-After and send the request again.",
    };

    public static Task ApplyAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (operation.OperationId is not (Apis.EventsApi.PostEventName or Apis.EventsApi.PostBatchName))
        {
            return Task.CompletedTask;
        }
        var batch = operation.OperationId == Apis.EventsApi.PostBatchName;
        if (operation.RequestBody?.Content?.TryGetValue("application/json", out var request) == true)
        {
            var example = Event(context.ApplicationServices.GetRequiredService<TimeProvider>().GetUtcNow());
            request.Example = JsonNode.Parse(batch ? $"[{example}]" : example);
        }
        foreach (var (status, response) in operation.Responses ?? [])
        {
            if (response is OpenApiResponse concrete && Descriptions.TryGetValue(status, out var description))
            {
                concrete.Description = description;
            }
            if (status == "202" && response.Content?.Values.FirstOrDefault() is { } accepted)
            {
                accepted.Example = JsonNode.Parse(batch ? """{"accepted":1}""" : """{"event_id":"0193a7c2-5b7e-7c41-9d0e-3f2a1b4c5d6e"}""");
            }
            if (status == "400" && response.Content?.Values.FirstOrDefault() is { } invalid)
            {
                invalid.Example = JsonNode.Parse($$$"""
                    {"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"The request is invalid; nothing was published.",
                     "status":400,"errors":{"{{{(batch ? "[3]." : "")}}}user_id":["must be greater than 0."]}}
                    """);
            }
        }
        return Task.CompletedTask;
    }
}
