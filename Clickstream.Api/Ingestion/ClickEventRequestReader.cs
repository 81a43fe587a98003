using System.Text;
using System.Text.Json;
using Clickstream.Api.Configuration;
using Clickstream.Contracts;
using FluentValidation;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Clickstream.Api.Ingestion;

/// <summary>
/// Turns a request body into click events, strictly and in this order: content type (415: JSON, or text/plain from
/// beacons), encoding (415 unless none or gzip), size (413, checked on Content-Length before reading and again while
/// reading, on the decompressed bytes for gzip), UTF-8, JSON syntax and depth (400), then each event's
/// types, fields and rules (400 listing every error). Events come out stamped with <c>received_at</c> and the client's
/// context (<see cref="ClientContext"/>: user agent, truncated address).
/// </summary>
internal sealed class ClickEventRequestReader(IOptions<IngestionLimits> options, IOptions<ClientContextOptions> clientContext,
    IValidator<ClickEventDraft> validator, TimeProvider time)
{
    private readonly IngestionLimits _limits = options.Value;
    private readonly ClientContextOptions _clientContext = clientContext.Value;

    public Task<IncomingEvents> ReadEventAsync(HttpRequest request, CancellationToken cancellationToken) =>
        ReadAsync(request, _limits.MaxEventBytes, ReadEvent, cancellationToken);

    public Task<IncomingEvents> ReadBatchAsync(HttpRequest request, CancellationToken cancellationToken) =>
        ReadAsync(request, _limits.MaxBatchBytes, ReadBatch, cancellationToken);

    private async Task<IncomingEvents> ReadAsync(HttpRequest request, int limit, Func<JsonElement, ClientContext, IncomingEvents> read,
        CancellationToken cancellationToken) =>
        // A body refused unread is as large as it says.
        (await ReadBodyAsync(request, limit, read, cancellationToken)).Sized(request.ContentLength);

    private async Task<IncomingEvents> ReadBodyAsync(HttpRequest request, int limit, Func<JsonElement, ClientContext, IncomingEvents> read,
        CancellationToken cancellationToken)
    {
        if (request.ContentLength == 0)
        {
            return IncomingEvents.Rejected(ValidationErrors.Body, "A JSON body is required.");
        }
        if (!IsUtf8JsonOrText(request))
        {
            return IncomingEvents.Refuse(StatusCodes.Status415UnsupportedMediaType,
                "Send the body as Content-Type: application/json or text/plain (navigator.sendBeacon), UTF-8 JSON either way.");
        }
        if (!RequestBody.IsSupportedEncoding(request))
        {
            return IncomingEvents.Refuse(StatusCodes.Status415UnsupportedMediaType,
                $"Content-Encoding {request.Headers.ContentEncoding} is not supported: send the body uncompressed or as gzip.");
        }
        // A gzip body's limit is on what it decompresses to, which its length does not tell.
        if (request.ContentLength > limit && !RequestBody.IsCompressed(request))
        {
            return TooLarge(limit);
        }
        ReadOnlyMemory<byte>? body;
        try
        {
            body = await RequestBody.ReadAsync(request, limit, cancellationToken);
        }
        catch (InvalidDataException)
        {
            return IncomingEvents.Rejected(ValidationErrors.Body, "The body says Content-Encoding: gzip but is not valid gzip data.");
        }
        if (body is not { } bytes)
        {
            return TooLarge(limit);
        }
        return Parse(bytes, read, ClientContext.Of(request.HttpContext, _clientContext)).Sized(bytes.Length);
    }

    private IncomingEvents Parse(ReadOnlyMemory<byte> body, Func<JsonElement, ClientContext, IncomingEvents> read, ClientContext client)
    {
        if (body.IsEmpty)
        {
            return IncomingEvents.Rejected(ValidationErrors.Body, "A JSON body is required.");
        }
        if (!System.Text.Unicode.Utf8.IsValid(body.Span))
        {
            return IncomingEvents.Rejected(ValidationErrors.Body, "The body is not valid UTF-8.");
        }

        try
        {
            using var document = JsonDocument.Parse(body, Parsing(allowDuplicateProperties: false));
            return read(document.RootElement, client);
        }
        catch (JsonException e)
        {
            // The parser's message names the position and the problem, never the input itself.
            return IncomingEvents.Rejected(ValidationErrors.Body, $"The body is not valid JSON: {e.Message}");
        }
        catch (InvalidOperationException e) when (e.InnerException is DecoderFallbackException or null)
        {
            // A string escape that is not text (an unpaired \ud800) surfaces when the string is read; in a key, already
            // while parsing, since the duplicate check reads every key. Read again without that check to name the field.
            return NotUnicode(body, read, client) ?? IncomingEvents.Rejected(ValidationErrors.Body, "The body contains a string that is not valid Unicode.");
        }
    }

    private JsonDocumentOptions Parsing(bool allowDuplicateProperties) => new()
    {
        MaxDepth = _limits.MaxJsonDepth,
        AllowDuplicateProperties = allowDuplicateProperties,
    };

    /// <summary>
    /// The field errors of a body that is known to hold a string that is not text, or null if they name none. Only ever
    /// a refusal: the body is invalid whatever this finds, so the duplicate check it skips cannot let anything through.
    /// </summary>
    private IncomingEvents? NotUnicode(ReadOnlyMemory<byte> body, Func<JsonElement, ClientContext, IncomingEvents> read, ClientContext client)
    {
        try
        {
            using var document = JsonDocument.Parse(body, Parsing(allowDuplicateProperties: true));
            return read(document.RootElement, client) is { Invalid: not null } refused ? refused : null;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private IncomingEvents ReadEvent(JsonElement root, ClientContext client)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return IncomingEvents.Rejected(ValidationErrors.Body, "must be one event, a JSON object (send arrays to /events/batch).");
        }
        var errors = new ValidationErrors();
        var events = new List<ClickEvent>(1);
        ReadInto(events, root, prefix: "", elementKey: ValidationErrors.Body, errors, time.GetUtcNow(), client);
        return errors.IsEmpty ? IncomingEvents.Accepted(events) : IncomingEvents.Rejected(errors, received: 1);
    }

    private IncomingEvents ReadBatch(JsonElement root, ClientContext client)
    {
        if (root.ValueKind != JsonValueKind.Array)
        {
            return IncomingEvents.Rejected(ValidationErrors.Body, "must be a JSON array of events.");
        }
        var count = root.GetArrayLength();
        if (count == 0)
        {
            return IncomingEvents.Rejected(ValidationErrors.Body, "must contain at least one event.");
        }
        if (count > _limits.MaxEventsPerBatch)
        {
            return IncomingEvents.Rejected(ValidationErrors.Body, $"must contain at most {_limits.MaxEventsPerBatch} events; split the batch.",
                received: count);
        }

        var errors = new ValidationErrors();
        var events = new List<ClickEvent>(count);
        var receivedAt = time.GetUtcNow();
        var index = 0;
        foreach (var element in root.EnumerateArray())
        {
            var elementKey = $"[{index++}]";
            if (System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(element).Length > _limits.MaxEventBytes)
            {
                errors.Add(elementKey, $"is larger than {_limits.MaxEventBytes} bytes, the limit for one event.");
                continue;
            }
            ReadInto(events, element, elementKey + ".", elementKey, errors, receivedAt, client);
        }
        // All or nothing: one invalid event and none is published.
        return errors.IsEmpty ? IncomingEvents.Accepted(events) : IncomingEvents.Rejected(errors, received: count);
    }

    private void ReadInto(List<ClickEvent> events, JsonElement element, string prefix, string elementKey, ValidationErrors errors,
        DateTimeOffset receivedAt, ClientContext client)
    {
        if (ClickEventReader.Read(element, prefix, elementKey, errors) is not { } draft)
        {
            return;
        }
        var result = validator.Validate(draft);
        foreach (var failure in result.Errors)
        {
            var key = prefix + failure.PropertyName;
            // A field with the wrong JSON type already has its error; "is required" on top would mislead.
            if (!errors.Has(key) || failure.ErrorMessage != "is required.")
            {
                errors.Add(key, failure.ErrorMessage);
            }
        }
        if (result.IsValid && errors.IsEmpty)
        {
            events.Add(ToClickEvent(draft, receivedAt, client));
        }
    }

    private static ClickEvent ToClickEvent(ClickEventDraft draft, DateTimeOffset receivedAt, ClientContext client) => new()
    {
        EventId = draft.EventIdValue!.Value,
        UserId = draft.UserId!.Value,
        EventType = draft.EventType!,
        Page = draft.Page!,
        EventTime = draft.EventTimeInstant!.Value,
        ReceivedAt = receivedAt,
        SessionId = draft.SessionId,
        Referrer = draft.Referrer,
        Properties = draft.Properties,
        UserAgent = client.UserAgent,
        ClientAddress = client.ClientAddress,
    };

    // text/plain is what navigator.sendBeacon sends a string as (the one type it sends without a CORS preflight).
    private static bool IsUtf8JsonOrText(HttpRequest request) =>
        (request.HasJsonContentType() || IsTextPlain(request))
        && (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !mediaType.Charset.HasValue
            || mediaType.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)
            || mediaType.Charset.Equals("\"utf-8\"", StringComparison.OrdinalIgnoreCase));

    private static bool IsTextPlain(HttpRequest request) =>
        MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
        && mediaType.MediaType.Equals("text/plain", StringComparison.OrdinalIgnoreCase);

    private static IncomingEvents TooLarge(int limit) =>
        IncomingEvents.Refuse(StatusCodes.Status413PayloadTooLarge, $"The body is larger than {limit} bytes, the limit for this endpoint.");
}
