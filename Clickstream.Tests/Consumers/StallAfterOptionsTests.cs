using Clickstream.Consumers.Configuration;
using Microsoft.Extensions.Configuration;

namespace Clickstream.Tests.Consumers;

public sealed class StallAfterOptionsTests
{
    private readonly IngestionBatchOptionsValidator _validator = new(new ConfigurationBuilder().Build());

    [Fact]
    public void The_default_StallAfter_is_valid()
    {
        Assert.True(_validator.Validate(null, new IngestionBatchOptions()).Succeeded);
    }

    [Theory]
    [InlineData("00:00:01", "00:00:05", "00:00:01")]
    [InlineData("00:00:05", "00:00:01", "00:00:05")]
    public void A_StallAfter_within_the_checkpoint_interval_or_the_batch_time_limit_fails_the_start_naming_the_setting(
        string stallAfter, string timeLimit, string checkpointInterval)
    {
        var options = new IngestionBatchOptions
        {
            StallAfter = TimeSpan.Parse(stallAfter),
            TimeLimit = TimeSpan.Parse(timeLimit),
            CheckpointInterval = TimeSpan.Parse(checkpointInterval),
        };

        var result = _validator.Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith($"Ingestion:StallAfter ({stallAfter}) must exceed CheckpointInterval", StringComparison.Ordinal));
    }
}
