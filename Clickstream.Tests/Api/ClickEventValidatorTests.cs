using Clickstream.Api.Configuration;
using Clickstream.Api.Ingestion;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Clickstream.Tests.Api;

/// <summary>
/// The event_time window against the validator's clock: a FakeTimeProvider at an arbitrary instant (in no relation to
/// today), so the bounds are tested to the tick on any date.
/// </summary>
public sealed class ClickEventValidatorTests
{
    // An arbitrary instant, ticks included, so no bound can pass by rounding to seconds.
    private static readonly DateTimeOffset Now = new DateTimeOffset(2043, 2, 17, 21, 4, 37, TimeSpan.Zero).AddTicks(4_567_891);

    private readonly FakeTimeProvider _clock = new(Now);

    [Fact]
    public void An_event_time_exactly_max_age_old_is_valid_and_one_tick_older_is_not()
    {
        var validator = Validator(new IngestionLimits());

        Assert.Empty(EventTimeErrors(validator, Now - TimeSpan.FromDays(7)));
        Assert.Equal(["must not be more than 7 days old."], EventTimeErrors(validator, Now - TimeSpan.FromDays(7) - TimeSpan.FromTicks(1)));
    }

    [Fact]
    public void An_event_time_exactly_max_future_skew_ahead_is_valid_and_one_tick_later_is_not()
    {
        var validator = Validator(new IngestionLimits());

        Assert.Empty(EventTimeErrors(validator, Now + TimeSpan.FromMinutes(5)));
        Assert.Equal(["must not be more than 5 minutes in the future."], EventTimeErrors(validator, Now + TimeSpan.FromMinutes(5) + TimeSpan.FromTicks(1)));
    }

    [Fact]
    public void The_bounds_are_instants_whatever_offset_the_client_writes()
    {
        var validator = Validator(new IngestionLimits());
        var oldest = (Now - TimeSpan.FromDays(7)).ToOffset(TimeSpan.FromHours(-9.5));
        var latest = (Now + TimeSpan.FromMinutes(5)).ToOffset(TimeSpan.FromHours(14));

        Assert.Empty(EventTimeErrors(validator, oldest));
        Assert.Empty(EventTimeErrors(validator, latest));
        Assert.NotEmpty(EventTimeErrors(validator, oldest.AddTicks(-1)));
        Assert.NotEmpty(EventTimeErrors(validator, latest.AddTicks(1)));
    }

    [Fact]
    public void The_window_moves_with_the_clock()
    {
        var validator = Validator(new IngestionLimits());
        var eventTime = Now - TimeSpan.FromDays(7);
        var ahead = Now + TimeSpan.FromMinutes(6);

        Assert.Empty(EventTimeErrors(validator, eventTime));
        Assert.NotEmpty(EventTimeErrors(validator, ahead));
        _clock.Advance(TimeSpan.FromMinutes(1));

        Assert.NotEmpty(EventTimeErrors(validator, eventTime));
        Assert.Empty(EventTimeErrors(validator, ahead));
    }

    [Fact]
    public void Configured_limits_set_the_bounds()
    {
        var validator = Validator(new IngestionLimits { MaxAge = TimeSpan.FromHours(1), MaxFutureSkew = TimeSpan.Zero });

        Assert.Empty(EventTimeErrors(validator, Now));
        Assert.Equal(["must not be more than 0 minutes in the future."], EventTimeErrors(validator, Now.AddTicks(1)));
        Assert.Empty(EventTimeErrors(validator, Now - TimeSpan.FromHours(1)));
        Assert.Equal(["must not be more than 0.04 days old."], EventTimeErrors(validator, Now - TimeSpan.FromHours(1) - TimeSpan.FromTicks(1)));
    }

    [Fact]
    public void An_event_at_the_bounds_is_valid_in_every_field()
    {
        var validator = Validator(new IngestionLimits());

        Assert.True(validator.Validate(Draft(Now - TimeSpan.FromDays(7))).IsValid);
        Assert.True(validator.Validate(Draft(Now + TimeSpan.FromMinutes(5))).IsValid);
    }

    private ClickEventValidator Validator(IngestionLimits limits) => new(Options.Create(limits), _clock);

    private static string[] EventTimeErrors(ClickEventValidator validator, DateTimeOffset eventTime) =>
        [.. validator.Validate(Draft(eventTime)).Errors.Where(e => e.PropertyName == "event_time").Select(e => e.ErrorMessage)];

    // "O" writes all seven fractional digits and the offset: RFC 3339, to the tick.
    private static ClickEventDraft Draft(DateTimeOffset eventTime) => new()
    {
        EventId = Guid.NewGuid().ToString(),
        UserId = 42,
        EventType = "click",
        Page = "/",
        EventTime = eventTime.ToString("O"),
    };
}
