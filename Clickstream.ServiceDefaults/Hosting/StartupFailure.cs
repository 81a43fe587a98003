using Microsoft.Extensions.Options;

namespace Clickstream.ServiceDefaults.Hosting;

/// <summary>
/// Start-up problems a user can fix (a missing PostgreSQL binary, a taken port, an invalid setting): one clear line on
/// stderr and exit code 1, instead of an unhandled exception's stack trace.
/// </summary>
public static class StartupFailure
{
    public static bool IsFixableByUser(Exception exception) =>
        exception is FixableStartupException or OptionsValidationException or MassTransit.ConfigurationException
            || exception is IOException { InnerException: System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.AddressAlreadyInUse } };

    public static int Report(Exception exception)
    {
        Console.Error.WriteLine($"Clickstream could not start: {exception.Message}");
        return 1;
    }
}
