using System.Globalization;
using System.Text.RegularExpressions;
using Clickstream.Api.Configuration;
using FluentValidation;
using Microsoft.Extensions.Options;

namespace Clickstream.Api.Ingestion;

/// <summary>The rules of the wire format (shared/DESIGN.md) for one event, errors named as the client wrote the fields.</summary>
internal sealed partial class ClickEventValidator : AbstractValidator<ClickEventDraft>
{
    // What the store can keep (init.sql): event_type is indexed (events_event_type_event_time_idx), and a btree entry
    // holds at most 2,684 bytes of incompressible text; the pattern below keeps it ASCII, so 64 characters are 64 bytes.
    // page, session_id and referrer are not indexed: text of any length is stored. NUL and unpaired surrogates, which
    // text refuses, are refused by ClickEventReader (StoredText), and properties jsonb cannot hold by StoredJson.
    public const int MaxEventTypeLength = 64;
    public const int MaxUrlLength = 2_048;
    public const int MaxSessionIdLength = 128;

    public ClickEventValidator(IOptions<IngestionLimits> options, TimeProvider time)
    {
        var limits = options.Value;
        RuleLevelCascadeMode = CascadeMode.Stop;

        RuleFor(e => e.EventId)
            .NotNull().WithMessage("is required.")
            .Must((e, _) => e.EventIdValue is not null).WithMessage("must be a UUID (8-4-4-4-12 hex digits).")
            .Must((e, _) => e.EventIdValue != Guid.Empty).WithMessage("must not be the all-zero UUID.")
            .OverridePropertyName(ClickEventFields.EventId);

        RuleFor(e => e.UserId)
            .NotNull().WithMessage("is required.")
            .GreaterThan(0).WithMessage("must be greater than 0.")
            .OverridePropertyName(ClickEventFields.UserId);

        RuleFor(e => e.EventType)
            .NotNull().WithMessage("is required.")
            .Length(1, MaxEventTypeLength).WithMessage($"must be 1 to {MaxEventTypeLength} characters.")
            .Matches(EventTypePattern()).WithMessage("may only contain a-z, 0-9 and _ . : -")
            .OverridePropertyName(ClickEventFields.EventType);

        RuleFor(e => e.Page)
            .NotNull().WithMessage("is required.")
            .Length(1, MaxUrlLength).WithMessage($"must be 1 to {MaxUrlLength} characters.")
            .Must(BePathOrHttpUrl).WithMessage("must be a path starting with / or an absolute http(s) URL.")
            .OverridePropertyName(ClickEventFields.Page);

        RuleFor(e => e.EventTime)
            .NotNull().WithMessage("is required.")
            .Must((e, _) => e.EventTimeInstant is not null).WithMessage("must be an RFC 3339 date-time with an offset, e.g. 2026-11-20T12:00:00.000Z.")
            .Must((e, _) => e.EventTimeInstant <= time.GetUtcNow() + limits.MaxFutureSkew)
            .WithMessage($"must not be more than {limits.MaxFutureSkew.TotalMinutes:0.##} minutes in the future.")
            .Must((e, _) => e.EventTimeInstant >= time.GetUtcNow() - limits.MaxAge)
            .WithMessage($"must not be more than {limits.MaxAge.TotalDays:0.##} days old.")
            .OverridePropertyName(ClickEventFields.EventTime);

        RuleFor(e => e.SessionId)
            .Length(1, MaxSessionIdLength).WithMessage($"must be 1 to {MaxSessionIdLength} characters when present.")
            .Must(s => !s!.Any(char.IsControl)).WithMessage("must not contain control characters.")
            .When(e => e.SessionId is not null)
            .OverridePropertyName(ClickEventFields.SessionId);

        RuleFor(e => e.Referrer)
            .MaximumLength(MaxUrlLength).WithMessage($"must be at most {MaxUrlLength} characters.")
            .Must(BeHttpUrl).WithMessage("must be an absolute http(s) URL.")
            .When(e => e.Referrer is not null)
            .OverridePropertyName(ClickEventFields.Referrer);
    }

    /// <summary>The instant of an RFC 3339 date-time with an explicit offset (Z or ±hh:mm), or null.</summary>
    public static DateTimeOffset? Rfc3339(string? text) =>
        text is not null && Rfc3339Pattern().IsMatch(text)
        && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant)
            ? instant
            : null;

    private static bool BePathOrHttpUrl(string? page) =>
        page is not null && !page.Any(char.IsControl)
        // "//host/..." is a network-path reference (another site), not a path.
        && ((page.StartsWith('/') && !page.StartsWith("//", StringComparison.Ordinal)) || BeHttpUrl(page));

    private static bool BeHttpUrl(string? url) =>
        url is not null && !url.Any(char.IsControl)
        && Uri.TryCreate(url, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && !string.IsNullOrEmpty(uri.Host);

    [GeneratedRegex("^[a-z0-9_.:-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex EventTypePattern();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,7})?([Zz]|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex Rfc3339Pattern();
}
