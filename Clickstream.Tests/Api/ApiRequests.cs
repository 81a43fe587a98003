using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Clickstream.Contracts;
using Clickstream.Kafka.Serialization;
using Clickstream.Tests.Support;

namespace Clickstream.Tests.Api;

/// <summary>Request bodies for the event endpoints: valid events as JSON, and ways to break them.</summary>
internal static class ApiRequests
{
    /// <summary>A valid event that happened a minute ago (the API refuses events older than 7 days).</summary>
    public static ClickEvent Event(int index = 0, long? userId = null) =>
        ClickEvents.Create(index, userId) with { EventTime = DateTimeOffset.UtcNow.AddMinutes(-1).ToOffset(TimeSpan.FromHours(2)) };

    public static JsonObject EventJson(int index = 0) => JsonSerializer.SerializeToNode(Event(index), WireJson.Options)!.AsObject();

    /// <summary>A valid event's JSON with one change applied.</summary>
    public static byte[] EventWith(Action<JsonObject> change)
    {
        var json = EventJson();
        change(json);
        return Encoding.UTF8.GetBytes(json.ToJsonString());
    }

    /// <summary>A batch of valid events' JSON with changes applied to some of them.</summary>
    public static byte[] BatchWith(int count, Action<int, JsonObject>? change = null)
    {
        var batch = new JsonArray();
        for (var i = 0; i < count; i++)
        {
            var json = EventJson(i);
            change?.Invoke(i, json);
            batch.Add(json);
        }
        return Encoding.UTF8.GetBytes(batch.ToJsonString());
    }

    public static HttpContent Json(byte[] body, string? contentType = "application/json")
    {
        var content = new ByteArrayContent(body);
        if (contentType is not null)
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }
        return content;
    }

    /// <summary>A condition for <c>Eventually</c>: GET <paramref name="path"/> answers <paramref name="status"/>.</summary>
    public static Func<Task<bool>> Answers(HttpClient client, string path, System.Net.HttpStatusCode status) => async () =>
    {
        using var response = await client.GetAsync(path);
        return response.StatusCode == status;
    };

    public static HttpContent Json(ClickEvent clickEvent) => Json(JsonSerializer.SerializeToUtf8Bytes(clickEvent, WireJson.Options));

    public static HttpContent Json(IEnumerable<ClickEvent> clickEvents) =>
        Json(JsonSerializer.SerializeToUtf8Bytes(clickEvents.ToArray(), WireJson.Options));
}
