using System.Net;
using System.Text.Json;

namespace Clickstream.Tests.Api;

/// <summary>Swagger UI at /docs and an OpenAPI document describing both endpoints, their body and every response.</summary>
public sealed class DocsTests(IngestionApiHost host) : IClassFixture<IngestionApiHost>
{
    private static readonly string[] EveryResponse = ["202", "400", "401", "413", "415", "429", "503"];

    [Fact]
    public async Task Docs_serves_the_Swagger_UI_pointing_at_the_OpenAPI_document()
    {
        using var client = host.CreateClient();

        using var page = await client.GetAsync("/docs");
        using var config = await client.GetAsync("/docs/index.js");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("swagger-ui", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("/openapi/v1.json", await config.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/events")]
    [InlineData("/events/batch")]
    public async Task The_OpenAPI_document_describes_the_endpoint_its_body_with_an_example_and_every_response(string path)
    {
        using var client = host.CreateClient();

        using var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));

        var post = document.RootElement.GetProperty("paths").GetProperty(path).GetProperty("post");
        var body = post.GetProperty("requestBody").GetProperty("content").GetProperty("application/json");
        Assert.True(body.TryGetProperty("example", out _));
        Assert.Contains("ClickEvent", body.GetProperty("schema").GetRawText(), StringComparison.Ordinal);
        var responses = post.GetProperty("responses");
        Assert.All(EveryResponse, status => Assert.True(responses.TryGetProperty(status, out _), $"{path} lacks {status}"));
        Assert.All(EveryResponse[1..], status =>
            Assert.True(responses.GetProperty(status).GetProperty("content").TryGetProperty("application/problem+json", out _)));

        // "Try it out" sends the example as it is: it must be accepted on any day.
        using var tried = await client.PostAsync(path, new StringContent(body.GetProperty("example").GetRawText(),
            System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, tried.StatusCode);

        var clickEvent = document.RootElement.GetProperty("components").GetProperty("schemas").GetProperty("ClickEvent").GetProperty("properties");
        Assert.All(new[] { "event_id", "user_id", "event_type", "page", "event_time", "session_id", "referrer", "properties" },
            field => Assert.True(clickEvent.TryGetProperty(field, out _), $"ClickEvent lacks {field}"));
        // What the server stamps is read-only, and an address is a string on the wire.
        Assert.All(new[] { "received_at", "user_agent", "client_address" },
            field => Assert.True(clickEvent.GetProperty(field).GetProperty("readOnly").GetBoolean(), $"{field} is not read-only"));
        Assert.Contains("string", clickEvent.GetProperty("client_address").GetProperty("type").GetRawText(), StringComparison.Ordinal);
    }
}
