using Clickstream.Api.ReadModel;

namespace Clickstream.Tests.Api;

public sealed class EventIdTimeTests
{
    [Fact]
    public void A_uuid_v7_gives_its_time_to_the_millisecond_and_any_other_id_none()
    {
        var time = DateTimeOffset.UtcNow.AddDays(-3);

        Assert.Equal(time.ToUnixTimeMilliseconds(), EventIdTime.Of(Guid.CreateVersion7(time))!.Value.ToUnixTimeMilliseconds());
        Assert.Null(EventIdTime.Of(Guid.NewGuid()));
        Assert.Null(EventIdTime.Of(Guid.Empty));
        // Version 7 by its bits, from any client: a time past what DateTimeOffset holds, or the wrong variant, is none.
        Assert.Null(EventIdTime.Of(Guid.Parse("ffffffff-ffff-7fff-bfff-ffffffffffff")));
        Assert.Null(EventIdTime.Of(Guid.Parse("01900000-0000-7000-0000-000000000000")));
    }
}
