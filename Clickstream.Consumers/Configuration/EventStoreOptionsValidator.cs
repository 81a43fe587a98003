using Microsoft.Extensions.Options;
using Npgsql;

namespace Clickstream.Consumers.Configuration;

/// <summary>Fails the start when the events database is not configured or the retry settings cannot work.</summary>
internal sealed class EventStoreOptionsValidator : IValidateOptions<EventStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, EventStoreOptions options)
    {
        var failures = Failures(options).ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static IEnumerable<string> Failures(EventStoreOptions o)
    {
        if (string.IsNullOrWhiteSpace(o.ConnectionString))
        {
            yield return $"ConnectionStrings:{EventStoreOptions.ConnectionStringName} is required: the PostgreSQL database events are stored in "
                + "(environment ConnectionStrings__Events, or DB_HOST, DB_PORT, DB_NAME, DB_USER, DB_PASS).";
        }
        else if (Parse(o.ConnectionString) is { } problem)
        {
            yield return $"ConnectionStrings:{EventStoreOptions.ConnectionStringName} is not a valid Npgsql connection string: {problem}";
        }

        const string s = EventStoreOptions.Section;
        if (o.RetryInitialDelay <= TimeSpan.Zero)
            yield return $"{s}:RetryInitialDelay must be positive (got {o.RetryInitialDelay}).";
        if (o.RetryMaxDelay < o.RetryInitialDelay)
            yield return $"{s}:RetryMaxDelay ({o.RetryMaxDelay}) must be at least RetryInitialDelay ({o.RetryInitialDelay}).";
    }

    private static string? Parse(string connectionString)
    {
        try
        {
            _ = new NpgsqlConnectionStringBuilder(connectionString);
            return null;
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
    }
}
