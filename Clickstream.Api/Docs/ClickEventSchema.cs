using Clickstream.Api.Ingestion;
using Clickstream.Contracts;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Clickstream.Api.Docs;

/// <summary>Puts the validator's rules into the <c>ClickEvent</c> schema, so clients can see them before a 400 tells them.</summary>
internal static class ClickEventSchema
{
    public static Task ApplyAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.JsonTypeInfo.Type != typeof(ClickEvent) || schema.Properties is null)
        {
            return Task.CompletedTask;
        }
        schema.Description = "One click. Fields not listed here are rejected; put free-form data in properties.";
        Describe(schema, ClickEventFields.EventId, "A UUID (not all zeros); the store keeps one event per id.");
        Describe(schema, ClickEventFields.UserId, "Greater than 0; the Kafka key, so one user's events stay in order.");
        Describe(schema, ClickEventFields.EventType, "1-64 of a-z 0-9 _ . : -", pattern: "^[a-z0-9_.:-]{1,64}$", maxLength: ClickEventValidator.MaxEventTypeLength);
        Describe(schema, ClickEventFields.Page, "A path starting with / or an absolute http(s) URL.", maxLength: ClickEventValidator.MaxUrlLength);
        Describe(schema, ClickEventFields.EventTime, "RFC 3339 with an offset; at most 5 minutes ahead and 7 days old (configurable).");
        Describe(schema, ClickEventFields.SessionId, "Optional.", maxLength: ClickEventValidator.MaxSessionIdLength);
        Describe(schema, ClickEventFields.Referrer, "Optional absolute http(s) URL.", maxLength: ClickEventValidator.MaxUrlLength);
        Describe(schema, ClickEventFields.Properties, "Optional JSON object.");
        // The server stamps these; a client sending one gets a 400.
        Stamped(schema, "received_at", "Set by the API when it accepts the event; not sent by clients.");
        Stamped(schema, "user_agent", "The request's User-Agent (up to 512 characters), set by the API; not sent by clients.");
        // IPNetwork has a converter of its own: on the wire it is a string.
        schema.Properties["client_address"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null };
        Stamped(schema, "client_address", "The client's address truncated to a network (203.0.113.0/24, 2001:db8:abcd::/48 by default), "
            + "set by the API; not sent by clients.");
        return Task.CompletedTask;
    }

    private static void Stamped(OpenApiSchema schema, string field, string description)
    {
        if (schema.Properties!.TryGetValue(field, out var property) && property is OpenApiSchema stamped)
        {
            stamped.ReadOnly = true;
            stamped.Description = description;
        }
    }

    private static void Describe(OpenApiSchema schema, string field, string description, string? pattern = null, int? maxLength = null)
    {
        if (schema.Properties!.TryGetValue(field, out var property) && property is OpenApiSchema concrete)
        {
            concrete.Description = description;
            concrete.Pattern ??= pattern;
            concrete.MaxLength ??= maxLength;
        }
    }
}
