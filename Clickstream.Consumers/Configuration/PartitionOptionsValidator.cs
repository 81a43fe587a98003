using Microsoft.Extensions.Options;

namespace Clickstream.Consumers.Configuration;

/// <summary>Fails the start naming every <see cref="PartitionOptions"/> setting that cannot work.</summary>
internal sealed class PartitionOptionsValidator : IValidateOptions<PartitionOptions>
{
    public ValidateOptionsResult Validate(string? name, PartitionOptions options) =>
        options.Problems().ToList() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
}
