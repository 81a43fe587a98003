namespace Clickstream.ServiceDefaults.Hosting;

/// <summary>
/// A start-up problem the user can fix, whose message says what to do (a missing PostgreSQL binary, a malformed
/// <c>.env</c> line): <see cref="StartupFailure"/> reports it in one line instead of a stack trace.
/// </summary>
public abstract class FixableStartupException : Exception
{
    protected FixableStartupException(string message)
        : base(message)
    {
    }

    protected FixableStartupException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
