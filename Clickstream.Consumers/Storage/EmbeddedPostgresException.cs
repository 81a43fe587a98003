using Clickstream.ServiceDefaults.Hosting;

namespace Clickstream.Consumers.Storage;

/// <summary>The embedded PostgreSQL server could not be provisioned; the message says what to do about it.</summary>
public sealed class EmbeddedPostgresException : FixableStartupException
{
    public EmbeddedPostgresException(string message)
        : base(message)
    {
    }

    public EmbeddedPostgresException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
